"""Ganged machines: several units of one group on one step, and parts on the floor."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from tests.conftest import ROUND_THE_CLOCK, START, at, hours
from xiezuo.domain import (
    CrewNeed,
    FloorBays,
    Gang,
    Item,
    Lane,
    Machine,
    Network,
    Operation,
    Order,
    Plan,
    Plant,
    Progress,
    Routing,
    Schedule,
    Staffing,
    UnplannedReason,
    check_progress,
    validate_network,
)
from xiezuo.errors import ModelError
from xiezuo.planning.params import PlanParams
from xiezuo.planning.solve import plan
from xiezuo.planning.validation.audit import audit_plan

FAST = PlanParams(time_limit_s=10, workers=2)


def _network(
    *,
    gang: Gang | None,
    units: int = 2,
    weight_t: float = 1,
    floor: FloorBays | None = None,
    crew: tuple[CrewNeed, ...] = (),
    staffing: tuple[Staffing, ...] = (),
    orders: int = 1,
    due_h: float = 1000,
) -> Network:
    part = Item(
        id="HOUSING",
        weight_t=weight_t,
        precision_grade=8,
        routings=(
            Routing(
                id="main",
                operations=(
                    Operation(process="turning", run_per_unit=hours(10), gang=gang, crew=crew),
                ),
            ),
        ),
    )
    lathe = Machine(id="lathe", process="turning", units=units, max_weight_t=5, precision_grade=6)
    network = Network(
        start=START,
        calendar=ROUND_THE_CLOCK,
        processes=("turning",),
        regions=("R",),
        plants=(Plant(id="A", machines=(lathe,), floor=floor),),
        items=(part,),
        orders=tuple(
            Order(id=f"o{i}", region="R", item_id="HOUSING", due=at(due_h)) for i in range(orders)
        ),
        lanes=(Lane(origin="A", destination="R", lead_time=timedelta(0)),),
        skills=("turner",) if crew else (),
        staffing=staffing,
    )
    validate_network(network)
    return network


def _ops(result: Plan) -> list[tuple[float, int, tuple[int, ...], bool]]:
    assert result.schedule is not None
    return [
        ((op.end - op.start) / hours(1), op.gang, op.held_units, op.on_floor)
        for op in result.schedule.operations
    ]


def test_two_units_at_full_efficiency_halve_the_job() -> None:
    network = _network(gang=Gang(max_units=2), due_h=5)
    result = plan(network, FAST)
    assert audit_plan(network, result) == ()
    assert _ops(result) == [(5.0, 2, (0, 1), False)]
    assert result.tardiness_hours == 0


def test_efficiency_stretches_the_shared_run() -> None:
    """10 h over 2 units at 90 %: 10 / 1.8 h, rounded up to the minute (334 min)."""
    network = _network(gang=Gang(max_units=2, efficiency=((2, 0.9),)), due_h=5.5)
    result = plan(network, FAST)
    assert audit_plan(network, result) == ()
    assert result.schedule is not None
    (op,) = result.schedule.operations
    assert op.gang == 2
    assert op.end - op.start == timedelta(minutes=334)


def test_without_a_gang_one_unit_does_the_whole_run() -> None:
    network = _network(gang=None, due_h=5)
    result = plan(network, FAST)
    assert _ops(result) == [(10.0, 1, (0,), False)]


def test_two_orders_on_two_units_gain_nothing_from_ganging() -> None:
    """Both finish at 10 h either way; the engine may not make either later."""
    network = _network(gang=Gang(max_units=2), orders=2, due_h=10)
    result = plan(network, FAST)
    assert audit_plan(network, result) == ()
    assert result.tardiness_hours == 0


def test_crew_scales_with_the_gang() -> None:
    """Three turners: a gang of 2 needs 4 of them, so each lathe works alone."""
    crew = (CrewNeed(skill="turner", size=2),)
    staffing = (Staffing(plant_id="A", skill="turner", headcount=3),)
    network = _network(gang=Gang(max_units=2), crew=crew, staffing=staffing, due_h=5)
    result = plan(network, FAST)
    assert audit_plan(network, result) == ()
    assert _ops(result) == [(10.0, 1, (0,), False)]
    more = replace(network, staffing=(Staffing(plant_id="A", skill="turner", headcount=4),))
    result = plan(more, FAST)
    assert audit_plan(more, result) == ()
    assert _ops(result) == [(5.0, 2, (0, 1), False)]


def test_oversized_part_is_made_by_a_gang_on_the_floor() -> None:
    """A 50 t housing on 5 t lathes: three of them around it in a 60 t floor bay."""
    gang = Gang(max_units=4, floor_min_units=3)
    network = _network(gang=gang, units=4, weight_t=50, floor=FloorBays(max_weight_t=60))
    result = plan(network, FAST)
    assert audit_plan(network, result) == ()
    ((_, k, units, on_floor),) = _ops(result)
    assert on_floor
    assert k >= 3
    assert len(set(units)) == k


def test_one_floor_bay_takes_one_part_at_a_time() -> None:
    gang = Gang(max_units=2, floor_min_units=2)
    network = _network(gang=gang, units=4, weight_t=50, floor=FloorBays(max_weight_t=60), orders=2)
    result = plan(network, FAST)
    assert audit_plan(network, result) == ()
    assert result.schedule is not None
    first, second = sorted(result.schedule.operations, key=lambda op: op.start)
    assert second.start >= first.end


@pytest.mark.parametrize(
    ("gang", "floor"),
    [
        (Gang(max_units=4), FloorBays(max_weight_t=60)),  # machines not portable
        (Gang(max_units=4, floor_min_units=3), None),  # no floor bay
        (Gang(max_units=4, floor_min_units=3), FloorBays(max_weight_t=40)),  # bay too small
    ],
)
def test_oversized_part_without_a_way_stays_missing_capability(
    gang: Gang, floor: FloorBays | None
) -> None:
    network = _network(gang=gang, units=4, weight_t=50, floor=floor)
    result = plan(network, FAST)
    (unplanned,) = result.unplanned
    assert unplanned.reason is UnplannedReason.MISSING_CAPABILITY


@pytest.mark.parametrize(
    ("k", "share"),
    [(1, 1.0), (2, 0.9), (3, 0.825), (4, 0.75), (6, 0.75)],
)
def test_efficiency_is_interpolated_between_the_listed_sizes(k: int, share: float) -> None:
    gang = Gang(max_units=6, efficiency=((2, 0.9), (4, 0.75)))
    assert gang.share(k) == pytest.approx(share)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"min_units": 3, "max_units": 2}, "must not be below gang min"),
        ({"max_units": 2, "efficiency": ((2, 0.0),)}, "above 0 and at most 1"),
        ({"max_units": 2, "efficiency": ((2, 1.2),)}, "above 0 and at most 1"),
        ({"max_units": 2, "min_units": 0}, "at least 1"),
    ],
)
def test_a_bad_gang_is_refused(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ModelError, match=message):
        Gang(**fields)  # type: ignore[arg-type]


def test_a_gang_larger_than_any_machine_group_is_refused() -> None:
    with pytest.raises(ModelError, match="gang max 8 is more than the 2 units"):
        _network(gang=Gang(max_units=8))


def test_a_replan_plans_ganged_work_afresh_inside_the_frozen_window() -> None:
    """Replans do not hold a gang in place yet: the step leaves the frozen window with an
    ``unfrozen`` note, and the replan still passes the audit."""
    network = _network(gang=Gang(max_units=2), orders=2, due_h=5)
    previous = plan(network, FAST)
    assert any(op.gang == 2 for op in _schedule(previous).operations)
    progress = Progress(as_of=START)
    params = replace(FAST, frozen_days=2)
    assert check_progress(network, progress, previous) == ()
    result = plan(network, params, progress=progress, previous=previous)
    assert audit_plan(network, result, progress=progress, previous=previous, frozen_days=2) == ()
    assert any(e.kind == "unfrozen" and "ganged" in e.message for e in result.explanations)


def _schedule(result: Plan) -> Schedule:
    assert result.schedule is not None
    return result.schedule


def test_a_floor_gang_without_the_crews_for_it_is_missing_capability() -> None:
    """Two lathes round the 50 t housing need four turners; the plant has three."""
    network = _network(
        gang=Gang(max_units=4, floor_min_units=2),
        units=4,
        weight_t=50,
        floor=FloorBays(max_weight_t=60),
        crew=(CrewNeed(skill="turner", size=2),),
        staffing=(Staffing(plant_id="A", skill="turner", headcount=3),),
    )
    result = plan(network, FAST)
    (unplanned,) = result.unplanned
    assert unplanned.reason is UnplannedReason.MISSING_CAPABILITY
    assert audit_plan(network, result) == ()


def test_a_share_given_for_one_unit_slows_it_too() -> None:
    step = Operation(
        process="turning", run_per_unit=hours(9), gang=Gang(max_units=2, efficiency=((1, 0.9),))
    )
    assert step.duration(1, "A", "lathe") == hours(10)
    assert step.duration(1, "A", "lathe", 2) == hours(5)
