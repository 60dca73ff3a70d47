"""The engine on small networks whose optimal plans are known by hand."""

from __future__ import annotations

from datetime import time

import pytest
from hypothesis import HealthCheck, event, given, settings

from tests.conftest import (
    ROUND_THE_CLOCK,
    START,
    at,
    build_crewed_part,
    build_item,
    build_machine,
    build_network,
    build_order,
    hours,
)
from tests.strategies import features, networks
from xiezuo.domain import (
    BomLine,
    Calendar,
    CrewNeed,
    Item,
    Lane,
    Machine,
    Material,
    MaterialLine,
    Network,
    Operation,
    Order,
    Plan,
    PlanStatus,
    Plant,
    Routing,
    Secondment,
    Staffing,
    StockLot,
    Supply,
    validate_network,
)
from xiezuo.planning.params import PlanParams, ProgressEvent
from xiezuo.planning.solve import plan
from xiezuo.planning.validation.audit import audit_plan

FAST = PlanParams(time_limit_s=10, workers=2)


def _solve(network: Network) -> Plan:
    result = plan(network, FAST)
    assert result.schedule is not None
    assert audit_plan(network, result) == ()
    return result


def test_weighted_tardiness_puts_the_heavier_order_first() -> None:
    network = build_network(
        plants=(Plant(id="A", machines=(build_machine("lathe", "machining"),)),),
        items=(build_item("LONG", ("machining", 10)), build_item("SHORT", ("machining", 5))),
        orders=(build_order("light", "LONG", 10, 1), build_order("heavy", "SHORT", 5, 3)),
    )
    result = _solve(network)
    assert result.status is PlanStatus.OPTIMAL
    assert result.tardiness_hours == pytest.approx(5.0)
    assert result.makespan == hours(15)


def test_identical_units_work_in_parallel() -> None:
    network = build_network(
        plants=(Plant(id="A", machines=(build_machine("lathe", "machining", units=2),)),),
        items=(build_item("P", ("machining", 10)),),
        orders=(build_order("o1", "P", 100), build_order("o2", "P", 100)),
    )
    result = _solve(network)
    assert result.makespan == hours(10)
    assert result.schedule is not None
    assert {op.unit for op in result.schedule.operations} == {0, 1}


def test_long_operation_pauses_over_nights() -> None:
    """20 h on a one-shift (06:00-14:00) machine from Tuesday: Tue 8 h, Wed 8 h, Thu 4 h."""
    one_shift = Calendar(
        working_days=(0, 1, 2, 3, 4), shifts_per_day=1, first_shift_start=time(6, 0)
    )
    network = build_network(
        plants=(Plant(id="A", machines=(build_machine("press", "forging"),)),),
        items=(build_item("P", ("forging", 20)),),
        orders=(build_order("o1", "P", 1000),),
        calendar=one_shift,
    )
    result = _solve(network)
    assert result.schedule is not None
    (op,) = result.schedule.operations
    assert op.start == START.replace(hour=6)
    assert op.end == START.replace(day=3, hour=10)


def test_component_from_another_plant_waits_for_transport() -> None:
    network = build_network(
        plants=(
            Plant(id="A", machines=(build_machine("press", "forging"),)),
            Plant(id="B", machines=(build_machine("fit", "assembly"),)),
        ),
        items=(
            build_item("ROLL", ("forging", 10)),
            build_item("MILL", ("assembly", 5), bom=(BomLine(item_id="ROLL", quantity=2),)),
        ),
        orders=(build_order("o1", "MILL", 1000),),
        lanes=(
            Lane(origin="A", destination="B", lead_time=hours(24)),
            Lane(origin="B", destination="A", lead_time=hours(24)),
        ),
    )
    result = _solve(network)
    assert result.status is PlanStatus.OPTIMAL
    # Two rolls: 20 h of forging at A, a day on the road, 5 h of assembly at B.
    assert result.makespan == hours(20 + 24 + 5)
    assert result.schedule is not None
    (shipment,) = result.schedule.shipments
    assert (shipment.origin, shipment.destination) == ("A", "B")


def test_alternative_routing_and_plant_are_chosen_for_speed() -> None:
    cast_or_forge = Item(
        id="HOUSING",
        weight_t=5,
        precision_grade=8,
        routings=(
            Routing(
                id="forged", operations=(Operation(process="forging", run_per_unit=hours(30)),)
            ),
            Routing(id="cast", operations=(Operation(process="machining", run_per_unit=hours(8)),)),
        ),
    )
    network = build_network(
        plants=(
            Plant(id="A", machines=(build_machine("press", "forging"),)),
            Plant(id="B", machines=(build_machine("lathe", "machining"),)),
        ),
        items=(cast_or_forge,),
        orders=(build_order("o1", "HOUSING", 8),),
        lanes=(
            Lane(origin="A", destination="B", lead_time=hours(1)),
            Lane(origin="B", destination="A", lead_time=hours(1)),
        ),
    )
    result = _solve(network)
    assert result.schedule is not None
    (wo,) = result.schedule.work_orders
    assert (wo.plant_id, wo.routing_id) == ("B", "cast")
    assert result.tardiness_hours == 0


def test_pinned_order_stays_at_its_plant() -> None:
    network = build_network(
        plants=(
            Plant(id="A", machines=(build_machine("lathe", "machining"),)),
            Plant(id="B", machines=(build_machine("lathe", "machining", units=3),)),
        ),
        items=(build_item("P", ("machining", 10)),),
        orders=(build_order("own", "P", 10, plant_id="A"), build_order("new", "P", 10)),
        lanes=(
            Lane(origin="A", destination="B", lead_time=hours(1)),
            Lane(origin="B", destination="A", lead_time=hours(1)),
        ),
    )
    result = _solve(network)
    assert result.schedule is not None
    plants = {wo.order_id: wo.plant_id for wo in result.schedule.work_orders}
    assert plants["own"] == "A"
    assert result.tardiness_hours == 0


def test_order_no_plant_can_make_is_unplanned_with_a_reason() -> None:
    heavy = Item(
        id="HUGE",
        weight_t=500,
        precision_grade=8,
        routings=(
            Routing(id="main", operations=(Operation(process="forging", run_per_unit=hours(1)),)),
        ),
    )
    network = build_network(
        plants=(Plant(id="A", machines=(build_machine("press", "forging"),)),),
        items=(heavy, build_item("P", ("forging", 2))),
        orders=(build_order("big", "HUGE", 10), build_order("small", "P", 10)),
    )
    result = _solve(network)
    assert result.unplanned_orders == ("big",)
    (note,) = [e for e in result.explanations if e.kind == "unplanned"]
    assert "missing capability" in note.message
    assert "HUGE" in note.message


def test_late_order_is_explained() -> None:
    network = build_network(
        plants=(Plant(id="A", machines=(build_machine("lathe", "machining"),)),),
        items=(build_item("P", ("machining", 10)),),
        orders=(build_order("first", "P", 10, 5), build_order("second", "P", 10, 1)),
    )
    result = _solve(network)
    (note,) = [e for e in result.explanations if e.kind == "late"]
    assert note.subject == "second"
    assert "A/lathe" in note.message
    assert "first" in note.message


def test_progress_reports_objective_and_bound() -> None:
    network = build_network(
        plants=(Plant(id="A", machines=(build_machine("lathe", "machining"),)),),
        items=(build_item("P", ("machining", 10)),),
        orders=(build_order("a", "P", 10), build_order("b", "P", 10)),
    )
    events: list[ProgressEvent] = []
    plan(network, FAST, on_progress=events.append)
    assert {e.phase for e in events} >= {"tardiness"}
    assert any(e.objective is not None for e in events)
    assert any(e.bound is not None for e in events)


def test_order_that_must_book_scarce_stock_first_is_planned() -> None:
    """By due date the shaft takes both tons of steel at once and the ring waits for
    the supply, after its press has left; booking the ring first plans both orders."""
    result = _solve(_scarce_steel_network())
    assert result.unplanned == ()
    assert result.tardiness_hours == pytest.approx(25.0)  # the shaft waits for the supply


def test_the_order_left_out_is_one_that_cannot_be_made_at_all() -> None:
    """The block needs 30 h on a press that leaves after 20 h: it goes, and the shaft
    and the ring, which only crowd each other, are both planned."""
    block = Item(
        id="BLOCK",
        weight_t=5,
        precision_grade=8,
        routings=(
            Routing(id="main", operations=(Operation(process="forging", run_per_unit=hours(30)),)),
        ),
    )
    network = _scarce_steel_network(block, build_order("block", "BLOCK", 200))
    result = plan(network, FAST)
    assert result.unplanned_orders == ("block",)
    assert result.schedule is not None
    assert {wo.work_order_id for wo in result.schedule.work_orders} == {"shaft:SHAFT", "ring:RING"}


def _scarce_steel_network(*extra: Item | Order) -> Network:
    """Two tons of steel in stock, one more at 30 h; the shaft (due at 10 h) needs two
    on the lathe, the ring (due at 100 h) one on a press that leaves at 20 h."""
    press = Machine(
        id="press", process="forging", max_weight_t=50, precision_grade=6, available_until=at(20)
    )
    network = Network(
        start=START,
        calendar=ROUND_THE_CLOCK,
        processes=("forging", "machining"),
        regions=("R",),
        plants=(Plant(id="A", machines=(press, build_machine("lathe", "machining"))),),
        items=(
            _steel_part("SHAFT", "machining", 2),
            _steel_part("RING", "forging", 1),
            *(x for x in extra if isinstance(x, Item)),
        ),
        orders=(
            build_order("shaft", "SHAFT", 10),
            build_order("ring", "RING", 100),
            *(x for x in extra if isinstance(x, Order)),
        ),
        lanes=(Lane(origin="A", destination="R", lead_time=hours(0)),),
        materials=(Material(id="steel", unit="t"),),
        stock=(StockLot(plant_id="A", material_id="steel", quantity=2),),
        supplies=(Supply(plant_id="A", material_id="steel", quantity=1, arrives=at(30)),),
    )
    validate_network(network)
    return network


def test_work_whose_crew_is_seconded_for_good_is_not_overbooked() -> None:
    """Two turners until 01:00, one from then on; the lathe works from 06:00, so the
    two-turner step can never run and the order is left out, not planned with one."""
    shaft = build_crewed_part("SHAFT", 4, "turner", 2)
    network = Network(
        start=START,
        calendar=Calendar(first_shift_start=time(6, 0)),
        processes=("machining",),
        regions=("R",),
        plants=(Plant(id="A", machines=(build_machine("lathe", "machining"),)),),
        items=(shaft,),
        orders=(build_order("o1", "SHAFT", 100),),
        lanes=(Lane(origin="A", destination="R", lead_time=hours(0)),),
        skills=("turner",),
        staffing=(Staffing(plant_id="A", skill="turner", headcount=2),),
        secondments=(Secondment(plant_id="A", skill="turner", count=1, start=at(1)),),
    )
    validate_network(network)
    result = plan(network, FAST)
    assert result.unplanned_orders == ("o1",)
    assert result.schedule is not None
    assert result.schedule.operations == ()


def _steel_part(item_id: str, process: str, tons: int) -> Item:
    return Item(
        id=item_id,
        weight_t=5,
        precision_grade=8,
        materials=(MaterialLine(material_id="steel", quantity=tons),),
        routings=(
            Routing(id="main", operations=(Operation(process=process, run_per_unit=hours(5)),)),
        ),
    )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(networks(with_gangs=True))
def test_every_plan_passes_the_independent_validator(network: Network) -> None:
    """Run with ``--hypothesis-show-statistics`` to see how often each feature occurs."""
    validate_network(network)
    for feature in features(network):
        event(feature)
    result = plan(network, PlanParams(time_limit_s=2, workers=1))
    event("some order unplanned" if result.unplanned else "every order planned")
    assert result.status.has_schedule
    assert audit_plan(network, result) == ()


def _drawing(item_id: str, designers: int) -> Item:
    step = Operation(
        process=None, run_per_unit=hours(1), crew=(CrewNeed(skill="designer", size=designers),)
    )
    return Item(
        id=item_id,
        weight_t=0.1,
        precision_grade=14,
        routings=(Routing(id="main", operations=(step,)),),
    )


@pytest.mark.parametrize("first", ["ONE", "TWO"])
def test_a_component_whose_crew_is_leaving_books_before_its_siblings(first: str) -> None:
    """Two designers until 01:00, one after: the two-designer drawing must come first,
    whichever BOM line names it, or the order is wrongly left out."""
    second = "TWO" if first == "ONE" else "ONE"
    product = Item(
        id="SET",
        weight_t=5,
        precision_grade=8,
        bom=(BomLine(item_id=first, quantity=1), BomLine(item_id=second, quantity=1)),
        routings=(
            Routing(id="main", operations=(Operation(process="assembly", run_per_unit=hours(1)),)),
        ),
    )
    network = Network(
        start=START,
        calendar=ROUND_THE_CLOCK,
        processes=("assembly",),
        regions=("R",),
        plants=(Plant(id="A", machines=(build_machine("bay", "assembly"),)),),
        items=(_drawing("ONE", 1), _drawing("TWO", 2), product),
        orders=(build_order("o1", "SET", 100),),
        lanes=(Lane(origin="A", destination="R", lead_time=hours(0)),),
        skills=("designer",),
        staffing=(Staffing(plant_id="A", skill="designer", headcount=2),),
        secondments=(Secondment(plant_id="A", skill="designer", count=1, start=at(1)),),
    )
    validate_network(network)
    result = plan(network, FAST)
    assert result.unplanned_orders == ()
    assert audit_plan(network, result) == ()
