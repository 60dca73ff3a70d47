"""Plant task sheets: every operation on exactly one sheet, movements on both ends."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings

from tests.strategies import networks
from xiezuo.errors import InputError, ModelError
from xiezuo.io import load_scenario
from xiezuo.io.plan_file import read_plan
from xiezuo.planning.params import PlanParams
from xiezuo.planning.solve import plan as solve
from xiezuo.services.sheets import MovementKind, Sheets, task_sheets

if TYPE_CHECKING:
    from xiezuo.domain import Network, Plan

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "chongqing-1958.yaml"
EXAMPLE_PLAN = ROOT / "tests" / "data" / "plans" / "chongqing-1958.json"
_HOUR = timedelta(hours=1)


@pytest.fixture(scope="module")
def example() -> tuple[Network, Plan]:
    network = load_scenario(EXAMPLE)
    return network, read_plan(EXAMPLE_PLAN, near=network.start)


@pytest.fixture(scope="module")
def sheets(example: tuple[Network, Plan]) -> Sheets:
    return task_sheets(*example)


def _placed(sheets: Sheets) -> Counter[tuple[str, str, int]]:
    return Counter(
        (plant.plant_id, row.operation.work_order_id, row.operation.step)
        for plant in sheets.plants
        for day in plant.days
        for row in day.rows
    )


def test_every_operation_is_on_exactly_one_sheet_of_its_plant(example, sheets):
    _, plan = example
    assert plan.schedule is not None
    expected = Counter((op.plant_id, op.work_order_id, op.step) for op in plan.schedule.operations)
    assert _placed(sheets) == expected


def test_every_operation_starts_in_its_shift_on_its_day(example, sheets):
    network, _ = example
    zone = network.start.tzinfo
    checked = 0
    for plant in sheets.plants:
        for day in plant.days:
            for shift in day.shifts:
                assert shift.number >= 1, "the example plan starts nothing outside the shifts"
                assert shift.start.date() == day.day
                for row in shift.rows:
                    assert shift.start <= row.operation.start.astimezone(zone) < shift.end
                    checked += 1
    assert checked == len(example[1].schedule.operations)


def test_hours_per_plant_match_the_plan(example, sheets):
    _, plan = example
    planned: Counter[str] = Counter()
    for op in plan.schedule.operations:
        planned[op.plant_id] += op.work / _HOUR
    on_sheets: Counter[str] = Counter()
    for plant in sheets.plants:
        on_sheets[plant.plant_id] = sum(row.hours for day in plant.days for row in day.rows)
    assert on_sheets.keys() == planned.keys()
    for plant_id, hours in planned.items():
        assert on_sheets[plant_id] == pytest.approx(hours)


def test_each_shipment_leaves_one_plant_and_reaches_another(example, sheets):
    _, plan = example
    moves = Counter(
        (plant.plant_id, move.kind, move.depart, move.arrive)
        for plant in sheets.plants
        for day in plant.days
        for move in (*day.incoming, *day.outgoing)
    )
    for ship in plan.schedule.shipments:
        assert moves[ship.origin, MovementKind.PART_OUT, ship.depart, ship.arrive] >= 1
        assert moves[ship.destination, MovementKind.PART_IN, ship.depart, ship.arrive] >= 1
    sent = sum(n for (_, kind, *_), n in moves.items() if kind is MovementKind.PART_OUT)
    assert sent == sum(1 for s in plan.schedule.shipments if s.origin != s.destination)
    transfers = [d for d in plan.schedule.material_draws if d.is_transfer]
    assert transfers, "the example moves material between plants"
    for kind in (MovementKind.MATERIAL_OUT, MovementKind.MATERIAL_IN):
        assert sum(n for (_, k, *_), n in moves.items() if k is kind) == len(transfers)
    delivered = sum(n for (_, k, *_), n in moves.items() if k is MovementKind.DELIVERY)
    assert delivered == len(plan.schedule.deliveries)


def test_draws_are_on_the_operation_of_their_step(example, sheets):
    _, plan = example
    draws = Counter(
        (row.operation.work_order_id, row.operation.step, d.material_id, d.quantity, d.origin)
        for plant in sheets.plants
        for day in plant.days
        for row in day.rows
        for d in row.draws
    )
    assert draws == Counter(
        (d.work_order_id, d.step, d.material_id, d.quantity, d.origin)
        for d in plan.schedule.material_draws
    )


def test_drawings_are_ready_before_work_they_gate_in_a_valid_plan(sheets):
    gated = [
        row
        for plant in sheets.plants
        for day in plant.days
        for row in day.rows
        if row.drawings is not None
    ]
    assert gated, "the example's mills wait for their drawings"
    assert all(row.drawings.is_ready for row in gated)
    assert all(row.drawings.ready_at <= row.operation.start for row in gated)


def test_drawings_arriving_after_the_start_are_not_ready(example):
    network, plan = example
    sheets = task_sheets(network, plan)
    row = next(
        row
        for plant in sheets.plants
        for day in plant.days
        for row in day.rows
        if row.drawings is not None
    )
    assert row.drawings is not None
    design_id = row.drawings.design_work_orders[0]
    late = replace(
        plan.schedule,
        work_orders=tuple(
            replace(wa, end=row.operation.start + timedelta(days=30))
            if wa.work_order_id == design_id
            else wa
            for wa in plan.schedule.work_orders
        ),
    )
    again = task_sheets(network, replace(plan, schedule=late), plant_id=row.operation.plant_id)
    found = next(
        r for day in again.plants[0].days for r in day.rows if r.operation == row.operation
    )
    assert found.drawings is not None
    assert not found.drawings.is_ready
    assert found.drawings.ready_at is not None
    assert found.drawings.ready_at > row.operation.start


def test_an_operation_started_outside_the_shifts_gets_its_own_section(example):
    network, plan = example
    # CTS works two shifts from 06:00, Monday to Saturday: not at 03:00 on a Sunday.
    first = next(op for op in plan.schedule.operations if op.plant_id == "CTS")
    sunday_night = network.start.replace(day=6, hour=3)
    assert sunday_night.weekday() == 6
    moved = replace(first, start=sunday_night, end=sunday_night + first.work)
    plan = replace(
        plan,
        schedule=replace(
            plan.schedule,
            operations=tuple(moved if op == first else op for op in plan.schedule.operations),
        ),
    )
    sheets = task_sheets(network, plan, plant_id=moved.plant_id)
    (day,) = [d for d in sheets.plants[0].days if d.day == date(1958, 7, 6)]
    (outside,) = [s for s in day.shifts if s.number == 0]
    assert [r.operation for r in outside.rows] == [moved]


def test_one_plant_and_a_span_of_days(example):
    network, plan = example
    sheets = task_sheets(network, plan, plant_id="WJ", first_day=date(1958, 7, 7), days=7)
    assert [p.plant_id for p in sheets.plants] == ["WJ"]
    assert (sheets.first_day, sheets.last_day) == (date(1958, 7, 7), date(1958, 7, 13))
    days = [d.day for d in sheets.plants[0].days]
    assert days
    assert all(date(1958, 7, 7) <= d <= date(1958, 7, 13) for d in days)


def test_an_unknown_plant_is_named(example):
    with pytest.raises(InputError, match=r"no plant 'XX'.*CMT"):
        task_sheets(*example, plant_id="XX")


@pytest.mark.parametrize("days", [0, -1, 10_000])
def test_a_span_out_of_range_is_refused(example, days):
    with pytest.raises(InputError, match="days"):
        task_sheets(*example, days=days)


def test_a_plan_without_schedule_has_no_operations(example):
    network, plan = example
    sheets = task_sheets(network, replace(plan, schedule=None))
    assert all(not day.rows for plant in sheets.plants for day in plant.days)


def test_a_plan_with_work_at_an_unknown_plant_is_refused(example):
    network, plan = example
    first = plan.schedule.operations[0]
    stray = replace(plan.schedule, operations=(replace(first, plant_id="ELSEWHERE"),))
    with pytest.raises(ModelError, match="plant 'ELSEWHERE'"):
        task_sheets(network, replace(plan, schedule=stray))


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(networks())
def test_every_planned_operation_is_on_one_sheet_in_the_shift_it_starts(network):
    """On random networks and calendars: each operation once, in a shift holding its start."""
    plan = solve(network, PlanParams(time_limit_s=1, workers=1))
    assert plan.schedule is not None
    sheets = task_sheets(network, plan)
    expected = Counter((op.plant_id, op.work_order_id, op.step) for op in plan.schedule.operations)
    assert _placed(sheets) == expected
    for plant in sheets.plants:
        for day in plant.days:
            for shift in day.shifts:
                assert shift.number >= 1, "the engine starts work in working time only"
                for row in shift.rows:
                    assert shift.start <= row.operation.start < shift.end


def test_each_shift_lists_the_work_still_running_from_earlier_shifts(example, sheets):
    """A running operation is listed in every later shift of its calendar it runs into."""
    network, _ = example
    zone = network.start.tzinfo
    listed: Counter[tuple[str, int]] = Counter()
    for plant in sheets.plants:
        for day in plant.days:
            for shift in day.shifts:
                assert not set(shift.continuing) & set(shift.rows)
                for row in shift.continuing:
                    assert row.operation.start < shift.start < row.operation.end
                    listed[row.operation.work_order_id, row.operation.step] += 1
    assert listed, "the example has work running over several shifts"
    # CMT's lathes work the plant's three shifts from 06:00, Monday to Saturday.
    calendar = network.plant_by_id["CMT"].calendar
    assert calendar is not None
    (cmt,) = [plant for plant in sheets.plants if plant.plant_id == "CMT"]
    lathe_work = [
        r.operation for day in cmt.days for r in day.rows if r.operation.machine_id == "lathes"
    ]
    assert lathe_work
    for op in lathe_work:
        days = [
            op.start.date() + timedelta(days=d) for d in range(-1, (op.end - op.start).days + 2)
        ]
        starts = [
            datetime.combine(day, calendar.first_shift_start, tzinfo=zone)
            + k * calendar.shift_length
            for day in days
            if day.weekday() in calendar.working_days and day not in calendar.holidays
            for k in range(calendar.shifts_per_day)
        ]
        expected = sum(1 for t in starts if op.start < t < op.end)
        assert listed[op.work_order_id, op.step] == expected, op


def test_a_plan_of_items_the_scenario_lacks_names_them(example):
    network, plan = example
    schedule = plan.schedule
    first = schedule.operations[0]
    stray = replace(
        schedule,
        work_orders=tuple(
            replace(wa, item_id="NO-SUCH-ITEM") if wa.work_order_id == first.work_order_id else wa
            for wa in schedule.work_orders
        ),
    )
    with pytest.raises(ModelError, match="no item 'NO-SUCH-ITEM'"):
        task_sheets(network, replace(plan, schedule=stray))
