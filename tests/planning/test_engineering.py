"""Engineering work needs people, not machines, and its design gates the work below it."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from tests.conftest import ROUND_THE_CLOCK, START, at, hours
from xiezuo.domain import (
    BomLine,
    CrewNeed,
    Item,
    Lane,
    Machine,
    Network,
    Operation,
    Order,
    Plan,
    Plant,
    Routing,
    Staffing,
    validate_network,
)
from xiezuo.planning.params import PlanParams
from xiezuo.planning.solve import plan
from xiezuo.planning.validation.audit import validate_plan

DRAWING = Operation(
    process=None, run_per_unit=hours(5), crew=(CrewNeed(skill="draughtsman", size=1),)
)


def _item(item_id: str, op: Operation, bom: tuple[BomLine, ...] = ()) -> Item:
    return Item(
        id=item_id,
        weight_t=1,
        precision_grade=8,
        bom=bom,
        routings=(Routing(id="main", operations=(op,)),),
    )


def _network(*, is_design: bool = True, orders: tuple[str, ...] = ("MILL",)) -> Network:
    machining = Operation(process="machining", run_per_unit=hours(10))
    assembly = Operation(process="assembly", run_per_unit=hours(5))
    network = Network(
        start=START,
        calendar=ROUND_THE_CLOCK,
        processes=("machining", "assembly"),
        regions=("R",),
        plants=(
            Plant(
                id="A",
                machines=(
                    Machine(id="lathe", process="machining", max_weight_t=5, precision_grade=6),
                    Machine(id="bay", process="assembly", max_weight_t=5, precision_grade=6),
                ),
            ),
        ),
        items=(
            _item("DRAWINGS", DRAWING),
            _item("PART", machining),
            _item(
                "MILL",
                assembly,
                bom=(
                    BomLine(item_id="DRAWINGS", quantity=1, is_design=is_design),
                    BomLine(item_id="PART", quantity=1),
                ),
            ),
        ),
        orders=tuple(
            Order(id=f"o{i}", region="R", item_id=item, due=at(100))
            for i, item in enumerate(orders)
        ),
        lanes=(Lane(origin="A", destination="R", lead_time=timedelta(0)),),
        skills=("draughtsman",),
        staffing=(Staffing(plant_id="A", skill="draughtsman", headcount=1),),
    )
    validate_network(network)
    return network


def _solve(network: Network) -> Plan:
    result = plan(network, PlanParams(time_limit_s=10, workers=2))
    assert result.schedule is not None
    assert validate_plan(network, result.schedule, unplanned=result.unplanned_orders) == ()
    return result


def test_engineering_work_runs_on_no_machine_and_is_limited_by_people() -> None:
    result = _solve(_network(orders=("DRAWINGS", "DRAWINGS")))
    assert result.schedule is not None
    assert {op.machine_id for op in result.schedule.operations} == {None}
    assert result.makespan == hours(10)  # one draughtsman: one drawing after the other


def test_design_comes_before_any_part_below_it() -> None:
    gated = _solve(_network())
    free = _solve(_network(is_design=False))
    assert free.makespan == hours(15)  # drawing and machining side by side
    assert gated.makespan == hours(20)
    assert gated.schedule is not None
    part = next(op for op in gated.schedule.operations if op.work_order_id.endswith("/PART"))
    assert part.start == START + hours(5)


def test_validator_flags_work_started_before_its_design() -> None:
    network = _network()
    result = _solve(network)
    assert result.schedule is not None
    early = tuple(
        replace(op, start=START, end=START + hours(10))
        if op.work_order_id.endswith("/PART")
        else op
        for op in result.schedule.operations
    )
    rules = {v.rule for v in validate_plan(network, replace(result.schedule, operations=early))}
    assert "design_precedence" in rules
