"""Levers the engine may pull: sheds, each case small enough to know the answer by hand.

One plant, one lathe, jobs of 10 h each due at 10 h: with the lathe alone the second
job is 10 h late; a shed of one more lathe, ready at once, puts both on time.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from tests.conftest import ROUND_THE_CLOCK, START, at, hours
from xiezuo.domain import (
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
    with pytest.raises(ModelError, match="is not a shed of this machine group"):
        validate_network(
            replace(network, plants=(replace(plant, machines=(plant.machines[0], stray)),))
        )


def test_a_lever_refuses_a_negative_cost() -> None:
    with pytest.raises(ModelError, match="cost must be 0 or more"):
        Lever(id="X", kind=LeverKind.SHED, plant_id="A", cost=-1, decision=START, machine_id="m")
