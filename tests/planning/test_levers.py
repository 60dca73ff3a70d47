"""Levers the engine may pull: sheds, each case small enough to know the answer by hand.

One plant, one lathe, jobs of 10 h each due at 10 h: with the lathe alone the second
job is 10 h late; a shed of one more lathe, ready at once, puts both on time.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.conftest import ROUND_THE_CLOCK, START, at, hours
from tests.strategies import networks
from xiezuo.domain import (
    CrewNeed,
    Item,
    Lane,
    Lever,
    LeverKind,
    Machine,
    Network,
    Operation,
    Order,
    Plan,
    Plant,
    PulledLever,
    Routing,
    Staffing,
    validate_network,
)
from xiezuo.errors import ModelError
from xiezuo.planning.params import PlanParams
from xiezuo.planning.solve import plan
from xiezuo.planning.validation.audit import audit_plan

FAST = PlanParams(time_limit_s=10, workers=2)


def _network(
    *,
    cost: float = 100,
    budget: float | None = None,
    build_h: float = 0,
    orders: int = 2,
    due_h: float = 10,
) -> Network:
    part = Item(
        id="PART",
        weight_t=1,
        precision_grade=8,
        routings=(
            Routing(id="main", operations=(Operation(process="turning", run_per_unit=hours(10)),)),
        ),
    )
    lathe = Machine(id="lathe", process="turning", max_weight_t=5, precision_grade=6)
    shed_lathe = Machine(
        id="shed-lathe",
        process="turning",
        max_weight_t=5,
        precision_grade=6,
        available_from=at(build_h),
        lever="SHED",
    )
    shed = Lever(
        id="SHED",
        kind=LeverKind.SHED,
        plant_id="A",
        cost=cost,
        decision=START,
        lead_time=hours(build_h),
        machine_id="shed-lathe",
    )
    network = Network(
        start=START,
        calendar=ROUND_THE_CLOCK,
        processes=("turning",),
        regions=("R",),
        plants=(Plant(id="A", machines=(lathe, shed_lathe)),),
        items=(part,),
        orders=tuple(
            Order(id=f"o{i}", region="R", item_id="PART", due=at(due_h)) for i in range(orders)
        ),
        lanes=(Lane(origin="A", destination="R", lead_time=timedelta(0)),),
        levers=(shed,),
        lever_budget=budget,
    )
    validate_network(network)
    return network


def _solve(network: Network) -> Plan:
    result = plan(network, FAST)
    assert result.schedule is not None
    assert audit_plan(network, result) == ()
    return result


def _shed_steps(result: Plan) -> int:
    assert result.schedule is not None
    return sum(op.machine_id == "shed-lathe" for op in result.schedule.operations)


def test_a_shed_that_puts_a_late_order_on_time_is_pulled() -> None:
    network = _network()
    result = _solve(network)
    assert result.tardiness_hours == 0
    assert result.schedule is not None
    assert result.schedule.levers == (PulledLever.of(network.levers[0]),)
    assert _shed_steps(result) == 1


def test_a_shed_is_not_pulled_when_nothing_is_late_without_it() -> None:
    result = _solve(_network(orders=1))
    assert result.tardiness_hours == 0
    assert result.schedule is not None
    assert result.schedule.levers == ()
    assert _shed_steps(result) == 0


def test_a_budget_below_the_shed_s_cost_stops_it() -> None:
    result = _solve(_network(cost=100, budget=99.99))
    assert result.tardiness_hours == 10
    assert result.schedule is not None
    assert result.schedule.levers == ()


def test_a_budget_that_covers_the_shed_lets_it_be_pulled() -> None:
    result = _solve(_network(cost=100, budget=100))
    assert result.tardiness_hours == 0
    assert result.schedule is not None
    assert [lever.id for lever in result.schedule.levers] == ["SHED"]


def test_a_shed_works_only_from_its_build_date() -> None:
    # Ready at 4 h: the second job ends at 14 h there, 4 h late, still better than 10 h.
    result = _solve(_network(build_h=4))
    assert result.tardiness_hours == 4
    assert result.schedule is not None
    on_shed = [op for op in result.schedule.operations if op.machine_id == "shed-lathe"]
    assert [op.start for op in on_shed] == [at(4)]


def test_the_validator_refuses_a_shed_step_the_plan_does_not_pull() -> None:
    network = _network()
    result = _solve(network)
    assert result.schedule is not None
    unpulled = replace(result, schedule=replace(result.schedule, levers=()))
    rules = {v.rule for v in audit_plan(network, unpulled)}
    assert "lever" in rules


def test_the_validator_refuses_a_wrong_cost_and_a_budget_overrun() -> None:
    network = _network()
    result = _solve(network)
    assert result.schedule is not None
    (pulled,) = result.schedule.levers
    cheaper = replace(result, schedule=replace(result.schedule, levers=(replace(pulled, cost=1),)))
    assert any("costs 100" in v.message for v in audit_plan(network, cheaper))
    tight = replace(network, lever_budget=50)
    assert any("more than the budget" in v.message for v in audit_plan(tight, result))


def test_a_shed_machine_must_name_a_shed_of_its_plant() -> None:
    network = _network()
    plant = network.plants[0]
    stray = replace(plant.machines[1], lever="NOWHERE")
    with pytest.raises(ModelError, match="is not a lever of this plant"):
        validate_network(
            replace(network, plants=(replace(plant, machines=(plant.machines[0], stray)),))
        )


def test_a_lever_refuses_a_negative_cost() -> None:
    with pytest.raises(ModelError, match="cost must be 0 or more"):
        Lever(id="X", kind=LeverKind.SHED, plant_id="A", cost=-1, decision=START, machine_id="m")


@st.composite
def _with_sheds(draw: st.DrawFn) -> Network:
    """A random network with 1-3 random sheds (copies of a plant's machine groups with
    other units, a cost and a build time), maybe a machine loan and a people loan
    between two plants, and maybe a budget."""
    network = draw(networks(with_gangs=True))
    plants = {plant.id: plant for plant in network.plants}
    levers = []
    for n in range(draw(st.integers(1, 3))):
        plant = plants[draw(st.sampled_from(sorted(plants)))]
        if not plant.machines:
            continue
        model = draw(st.sampled_from(plant.machines))
        lever = Lever(
            id=f"SHED{n}",
            kind=LeverKind.SHED,
            plant_id=plant.id,
            cost=draw(st.integers(0, 1000)),
            decision=network.start,
            lead_time=hours(draw(st.sampled_from((0, 0, 2, 12, 48)))),
            machine_id=f"shed{n}",
        )
        shed = replace(
            model,
            id=f"shed{n}",
            units=draw(st.integers(1, 3)),
            available_from=lever.usable_from,
            available_until=None,
            lever=lever.id,
        )
        plants[plant.id] = replace(plant, machines=(*plant.machines, shed))
        levers.append(lever)
    lenders = [p for p in network.plants if any(m.lever is None for m in p.machines)]
    if len(network.plants) > 1 and lenders and draw(st.booleans()):
        lender = draw(st.sampled_from(lenders))
        lent = draw(st.sampled_from([m for m in lender.machines if m.lever is None]))
        borrower = plants[
            draw(st.sampled_from(sorted(p.id for p in network.plants if p.id != lender.id)))
        ]
        depart = network.start + hours(draw(st.integers(0, 24)))
        loan = Lever(
            id="LOAN",
            kind=LeverKind.MACHINE_LOAN,
            plant_id=borrower.id,
            cost=draw(st.integers(0, 1000)),
            decision=depart,
            lead_time=hours(draw(st.sampled_from((0, 0, 3, 12)))),
            machine_id=lent.id,
            lender_id=lender.id,
            units=draw(st.integers(1, lent.units)),
            until=depart + hours(draw(st.integers(30, 200))),
        )
        borrowed = replace(
            lent,
            id="borrowed",
            units=loan.units,
            calendar=None,
            available_from=loan.usable_from,
            available_until=loan.usable_until,
            lever=loan.id,
        )
        plants[borrower.id] = replace(borrower, machines=(*borrower.machines, borrowed))
        levers.append(loan)
    staffed = [s for s in network.staffing if s.headcount > 0]
    if len(network.plants) > 1 and staffed and draw(st.booleans()):
        lender_staff = draw(st.sampled_from(staffed))
        depart = network.start + hours(draw(st.integers(0, 24)))
        levers.append(
            Lever(
                id="PEOPLE",
                kind=LeverKind.PEOPLE_LOAN,
                plant_id=draw(
                    st.sampled_from(
                        sorted(p.id for p in network.plants if p.id != lender_staff.plant_id)
                    )
                ),
                cost=draw(st.integers(0, 1000)),
                decision=depart,
                lead_time=hours(draw(st.sampled_from((0, 0, 3, 12)))),
                lender_id=lender_staff.plant_id,
                skill=lender_staff.skill,
                units=draw(st.integers(1, lender_staff.headcount)),
                until=depart + hours(draw(st.integers(30, 200))),
            )
        )
    budget = draw(st.one_of(st.none(), st.integers(0, 2000)))
    if draw(st.booleans()):
        # Every order due at once: late whatever happens, so sheds that help are pulled.
        orders = tuple(replace(o, due=network.start + hours(1)) for o in network.orders)
        network = replace(network, orders=orders)
    return replace(
        network,
        plants=tuple(plants[p.id] for p in network.plants),
        levers=tuple(levers),
        lever_budget=budget,
    )


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(_with_sheds())
def test_every_plan_with_random_levers_passes_the_validator(network: Network) -> None:
    validate_network(network)
    result = plan(network, PlanParams(time_limit_s=2, workers=1))
    assert result.status.has_schedule
    assert result.schedule is not None
    for lever in result.schedule.levers:
        event(f"a {lever.kind} pulled")
    assert audit_plan(network, result) == ()


def loan_network(*, lender_jobs: int, move_h: float = 0, units: int = 1) -> Network:
    """Plant A has two lathes, plant B one; B has two jobs of 10 h due at 10 h, A has
    ``lender_jobs``. The loan moves ``units`` lathes from A to B from the start to
    100 h, ``move_h`` each way."""
    part = Item(
        id="PART",
        weight_t=1,
        precision_grade=8,
        routings=(
            Routing(id="main", operations=(Operation(process="turning", run_per_unit=hours(10)),)),
        ),
    )
    loan = Lever(
        id="LOAN",
        kind=LeverKind.MACHINE_LOAN,
        plant_id="B",
        cost=500,
        decision=START,
        lead_time=hours(move_h),
        machine_id="lathe",
        lender_id="A",
        units=units,
        until=at(100),
    )
    lathe = Machine(id="lathe", process="turning", units=2, max_weight_t=5, precision_grade=6)
    borrowed = replace(
        lathe,
        id="lathe-from-A",
        units=units,
        available_from=loan.usable_from,
        available_until=loan.usable_until,
        lever="LOAN",
    )
    orders = [
        Order(id=f"b{i}", region="R", item_id="PART", due=at(10), plant_id="B") for i in (1, 2)
    ]
    orders += [
        Order(id=f"a{i}", region="R", item_id="PART", due=at(10), plant_id="A")
        for i in range(lender_jobs)
    ]
    network = Network(
        start=START,
        calendar=ROUND_THE_CLOCK,
        processes=("turning",),
        regions=("R",),
        plants=(
            Plant(id="A", machines=(lathe,)),
            Plant(id="B", machines=(replace(lathe, units=1), borrowed)),
        ),
        items=(part,),
        orders=tuple(orders),
        lanes=(
            Lane(origin="A", destination="R", lead_time=timedelta(0)),
            Lane(origin="B", destination="R", lead_time=timedelta(0)),
        ),
        levers=(loan,),
    )
    validate_network(network)
    return network


def _ops_on(result: Plan, plant: str, machine: str) -> list[tuple[int, ...]]:
    assert result.schedule is not None
    return [
        op.held_units
        for op in result.schedule.operations
        if (op.plant_id, op.machine_id) == (plant, machine)
    ]


def test_a_loan_from_a_plant_with_a_spare_lathe_puts_the_borrower_on_time() -> None:
    network = loan_network(lender_jobs=1)
    result = _solve(network)
    assert result.tardiness_hours == 0
    assert result.schedule is not None
    assert [lever.id for lever in result.schedule.levers] == ["LOAN"]
    assert len(_ops_on(result, "B", "lathe-from-A")) == 1
    # The lender keeps exactly one lathe: its job runs on unit 0, never on the lent unit 1.
    assert _ops_on(result, "A", "lathe") == [(0,)]


def test_a_loan_the_lender_would_pay_for_in_lateness_is_not_pulled() -> None:
    # A needs both lathes for its own two jobs: lending one moves 10 h of lateness from
    # B to A, no gain, so the cost decides against it.
    result = _solve(loan_network(lender_jobs=2))
    assert result.tardiness_hours == 10
    assert result.schedule is not None
    assert result.schedule.levers == ()


def test_a_loan_s_machines_work_only_after_the_move() -> None:
    result = _solve(loan_network(lender_jobs=1, move_h=4))
    assert result.tardiness_hours == 4
    assert result.schedule is not None
    borrowed = [op for op in result.schedule.operations if op.machine_id == "lathe-from-A"]
    assert [op.start for op in borrowed] == [at(4)]


def test_the_validator_refuses_a_lender_step_on_a_lent_unit() -> None:
    network = loan_network(lender_jobs=1)
    result = _solve(network)
    assert result.schedule is not None
    moved = tuple(
        replace(op, unit=1) if op.plant_id == "A" else op for op in result.schedule.operations
    )
    cheat = replace(result, schedule=replace(result.schedule, operations=moved))
    assert any(
        v.rule == "lever" and "lent by lever 'LOAN'" in v.message
        for v in audit_plan(network, cheat)
    )


def test_a_loan_refuses_a_plant_lending_to_itself_and_more_units_than_it_has() -> None:
    with pytest.raises(ModelError, match="cannot lend to itself"):
        replace(loan_network(lender_jobs=0).levers[0], lender_id="B")
    network = loan_network(lender_jobs=0)
    greedy = replace(network.levers[0], units=3)
    with pytest.raises(ModelError, match="lends 3 units, but 'A' machine group 'lathe' has 2"):
        validate_network(replace(network, levers=(greedy,)))


def people_loan_network(*, lender_jobs: int, travel_h: float = 0) -> Network:
    """Each job needs a fitter; plant A has two, plant B one (and two lathes each). B's
    two jobs of 10 h are due at 10 h; A has ``lender_jobs``. The loan sends one fitter
    from A to B from the start to 100 h, ``travel_h`` each way."""
    crew = (CrewNeed(skill="fitter", size=1),)
    part = Item(
        id="PART",
        weight_t=1,
        precision_grade=8,
        routings=(
            Routing(
                id="main",
                operations=(Operation(process="turning", run_per_unit=hours(10), crew=crew),),
            ),
        ),
    )
    loan = Lever(
        id="FITTER",
        kind=LeverKind.PEOPLE_LOAN,
        plant_id="B",
        cost=300,
        decision=START,
        lead_time=hours(travel_h),
        lender_id="A",
        skill="fitter",
        units=1,
        until=at(100),
    )
    lathe = Machine(id="lathe", process="turning", units=2, max_weight_t=5, precision_grade=6)
    orders = [
        Order(id=f"b{i}", region="R", item_id="PART", due=at(10), plant_id="B") for i in (1, 2)
    ]
    orders += [
        Order(id=f"a{i}", region="R", item_id="PART", due=at(10), plant_id="A")
        for i in range(lender_jobs)
    ]
    network = Network(
        start=START,
        calendar=ROUND_THE_CLOCK,
        processes=("turning",),
        regions=("R",),
        plants=(Plant(id="A", machines=(lathe,)), Plant(id="B", machines=(lathe,))),
        items=(part,),
        orders=tuple(orders),
        lanes=(
            Lane(origin="A", destination="R", lead_time=timedelta(0)),
            Lane(origin="B", destination="R", lead_time=timedelta(0)),
        ),
        skills=("fitter",),
        staffing=(
            Staffing(plant_id="A", skill="fitter", headcount=2),
            Staffing(plant_id="B", skill="fitter", headcount=1),
        ),
        levers=(loan,),
    )
    validate_network(network)
    return network


def test_a_fitter_lent_by_a_plant_with_one_to_spare_puts_the_borrower_on_time() -> None:
    network = people_loan_network(lender_jobs=1)
    result = _solve(network)
    assert result.tardiness_hours == 0
    assert result.schedule is not None
    assert [lever.id for lever in result.schedule.levers] == ["FITTER"]
    unlisted = replace(result, schedule=replace(result.schedule, levers=()))
    assert {v.rule for v in audit_plan(network, unlisted)} == {"crew"}


def test_a_fitter_the_lender_needs_is_not_lent() -> None:
    result = _solve(people_loan_network(lender_jobs=2))
    assert result.tardiness_hours == 10
    assert result.schedule is not None
    assert result.schedule.levers == ()


def test_a_lent_fitter_works_only_after_the_journey() -> None:
    result = _solve(people_loan_network(lender_jobs=1, travel_h=3))
    assert result.tardiness_hours == 3
    assert result.schedule is not None
    assert [lever.id for lever in result.schedule.levers] == ["FITTER"]


def test_a_people_loan_refuses_more_people_than_the_lender_has() -> None:
    network = people_loan_network(lender_jobs=0)
    greedy = replace(network.levers[0], units=3)
    with pytest.raises(ModelError, match="lends 3 fitter people, but 'A' has at most 2"):
        validate_network(replace(network, levers=(greedy,)))
