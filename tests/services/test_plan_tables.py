"""The plan's tables hold exactly the plan: every operation once, every hour counted,
every shipment and draw as the schedule has it."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from tests.conftest import ROUND_THE_CLOCK, START, at, hours
from tests.plans import PRESS, make_schedule
from tests.strategies import networks, progresses
from xiezuo.domain import (
    Explanation,
    Item,
    Lane,
    Machine,
    Network,
    Operation,
    Order,
    Plan,
    PlanStatus,
    Plant,
    Routing,
    ScheduledOperation,
    UnplannedOrder,
    UnplannedReason,
    check_progress,
    validate_network,
)
from xiezuo.errors import ModelError
from xiezuo.io.tables import Kind
from xiezuo.planning.params import PlanParams
from xiezuo.planning.solve import plan
from xiezuo.services.plan_tables import DELIVERY, ENGINEERING, PART, PlanTables, plan_tables


def one_lathe_network() -> Network:
    """Plant A with two lathes working round the clock; orders ``late`` and ``early``."""
    lathe = Machine(id="lathe", process="machining", units=2, max_weight_t=5, precision_grade=6)
    return Network(
        start=START,
        calendar=ROUND_THE_CLOCK,
        processes=("machining",),
        regions=("R",),
        plants=(Plant(id="A", machines=(lathe,)),),
        items=(
            Item(
                id="P",
                weight_t=1,
                precision_grade=8,
                routings=(
                    Routing(
                        id="main",
                        operations=(Operation(process="machining", run_per_unit=hours(12)),),
                    ),
                ),
            ),
        ),
        orders=(
            Order(id="late", region="R", item_id="P", quantity=2, due=at(12)),
            Order(id="early", region="R", item_id="P", due=at(100)),
        ),
        lanes=(Lane(origin="A", destination="R", lead_time=timedelta(0)),),
    )


def _operation_key(op: ScheduledOperation) -> tuple[object, ...]:
    units = () if op.machine_id is None else op.held_units
    return (op.work_order_id, op.step, op.plant_id, op.machine_id, units, op.start, op.end, op.work)


def _check_tables_hold_the_plan(
    result: Plan, tables: PlanTables, *, within_capacity: bool = True
) -> None:
    """``within_capacity``: no week holds more work than its machine group's working
    hours, true of fresh plans (a replan's reported work may lie off the calendar)."""
    schedule = result.schedule
    assert schedule is not None
    # Every operation exactly once.
    assert Counter(
        (r.work_order_id, r.step, r.plant_id, r.machine_id, r.units, r.start, r.end, r.work)
        for r in tables.operations
    ) == Counter(_operation_key(op) for op in schedule.operations)
    # Each plant's hours over the weeks are the plan's hours.
    plan_work: dict[str, timedelta] = defaultdict(timedelta)
    for op in schedule.operations:
        plan_work[op.plant_id] += op.work * op.gang
    load_work: dict[str, timedelta] = defaultdict(timedelta)
    for row in tables.load:
        load_work[row.plant_id] += row.work
    assert {k: v for k, v in load_work.items() if v} == {k: v for k, v in plan_work.items() if v}
    for row in tables.load:
        if within_capacity and row.available is not None:
            assert row.work <= row.available, row
    # Shipments and draws as the schedule has them.
    parts = [r for r in tables.shipments if r.kind == PART]
    assert [(r.work_order_id, r.origin, r.destination, r.depart, r.arrive) for r in parts] == [
        (s.work_order_id, s.origin, s.destination, s.depart, s.arrive) for s in schedule.shipments
    ]
    deliveries = [r for r in tables.shipments if r.kind == DELIVERY]
    assert [(r.order_id, r.origin, r.destination, r.depart, r.arrive) for r in deliveries] == [
        (d.order_id, d.plant_id, d.region, d.finish, d.arrival) for d in schedule.deliveries
    ]
    assert Counter(
        (r.work_order_id, r.step, r.material_id, r.quantity, r.origin, r.depart)
        for r in tables.draws
    ) == Counter(
        (d.work_order_id, d.step, d.material_id, d.quantity, d.origin, d.depart)
        for d in schedule.material_draws
    )
    # One order line for each order the plan delivers or leaves out.
    assert sorted(r.order_id for r in tables.orders) == sorted(
        [d.order_id for d in schedule.deliveries] + list(result.unplanned_orders)
    )
    # Every table turns into a file table (which checks each value's kind).
    assert [t.name for t in tables.tables()] == [
        "orders",
        "operations",
        "load",
        "material-draws",
        "shipments",
        "explanations",
        "about",
    ]


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(networks())
def test_tables_hold_exactly_the_plan(network: Network) -> None:
    validate_network(network)
    result = plan(network, PlanParams(time_limit_s=1, workers=1))
    assert result.schedule is not None
    _check_tables_hold_the_plan(result, plan_tables(network, result))


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(networks(), st.data())
def test_tables_hold_exactly_a_replan(network: Network, data: st.DataObject) -> None:
    """Reported history, finished parts and their shipments included."""
    validate_network(network)
    fast = PlanParams(time_limit_s=1, workers=1)
    first = plan(network, fast)
    assert first.schedule is not None
    progress = data.draw(progresses(network, first), label="progress")
    assume(not check_progress(network, progress, first))
    result = plan(network, fast, progress=progress, previous=first)
    assert result.schedule is not None
    for part in result.schedule.finished_parts:
        event(f"finished part from {part.source.value}")
    _check_tables_hold_the_plan(result, plan_tables(network, result), within_capacity=False)


def test_work_is_counted_in_the_weeks_it_runs_in() -> None:
    """The lathe network works round the clock: 12 h of work starting Sunday 18:00
    runs 6 h in the week of 30 June and 6 h in the next."""
    network = one_lathe_network()
    sunday_evening = datetime(1958, 7, 6, 18, tzinfo=START.tzinfo)
    op = ScheduledOperation(
        work_order_id="late:P",
        step=1,
        process="machining",
        plant_id="A",
        machine_id="lathe",
        unit=0,
        start=sunday_evening,
        end=sunday_evening + timedelta(hours=12),
        work=timedelta(hours=12),
    )
    result = plan(network, PlanParams(time_limit_s=5, workers=1))
    assert result.schedule is not None
    schedule = replace(result.schedule, operations=(op,))
    tables = plan_tables(network, replace(result, schedule=schedule))
    by_week = {row.week: row for row in tables.load}
    assert by_week["1958-W27"].work == timedelta(hours=6)
    assert by_week["1958-W28"].work == timedelta(hours=6)
    # Two lathes round the clock; the first week counts from the horizon start on
    # Tuesday 1 July 00:00.
    assert by_week["1958-W27"].available == timedelta(days=6) * 2
    assert by_week["1958-W28"].available == timedelta(days=7) * 2
    assert by_week["1958-W27"].week_start == date(1958, 6, 30)
    assert by_week["1958-W28"].utilisation == pytest.approx(6 / 336)


def test_a_gang_loads_its_group_once_for_every_unit_it_holds() -> None:
    network = one_lathe_network()
    result = plan(network, PlanParams(time_limit_s=5, workers=1))
    assert result.schedule is not None
    ganged = ScheduledOperation(
        work_order_id="late:P",
        step=1,
        process="machining",
        plant_id="A",
        machine_id="lathe",
        unit=0,
        units=(0, 1),
        start=START,
        end=START + timedelta(hours=10),
        work=timedelta(hours=10),
    )
    schedule = replace(result.schedule, operations=(ganged,))
    tables = plan_tables(network, replace(result, schedule=schedule))
    (operation,) = tables.operations
    assert (operation.units, operation.gang, operation.work) == ((0, 1), 2, timedelta(hours=10))
    sheet = next(t for t in tables.tables() if t.name == "operations")
    units_idx = [c.name for c in sheet.columns].index("units")
    assert sheet.rows[0][units_idx] == "1, 2"  # numbered from 1, as on the Gantt chart
    assert sum((row.work for row in tables.load), timedelta(0)) == timedelta(hours=20)


def test_orders_say_late_on_time_and_unplanned_with_why() -> None:
    network = one_lathe_network()
    result = plan(network, PlanParams(time_limit_s=5, workers=1))
    assert result.schedule is not None
    kept = tuple(d for d in result.schedule.deliveries if d.order_id == "late")
    left_out = UnplannedOrder(
        order_id="early", reason=UnplannedReason.UNPLACEABLE, message="no lathe is free"
    )
    result = replace(
        result,
        schedule=replace(
            result.schedule,
            deliveries=kept,
            operations=tuple(
                op for op in result.schedule.operations if op.work_order_id.startswith("late")
            ),
            work_orders=tuple(wo for wo in result.schedule.work_orders if wo.order_id == "late"),
        ),
        unplanned=(left_out,),
        explanations=(Explanation(kind="late", subject="late", message="too much work"),),
    )
    rows = {row.order_id: row for row in plan_tables(network, result).orders}
    assert rows["late"].status == "late"
    assert rows["late"].notes == "late: too much work"
    assert rows["late"].lateness is not None
    assert rows["late"].lateness > timedelta(0)
    assert rows["early"].status == "unplanned"
    assert rows["early"].notes == "no lathe is free"
    assert rows["early"].arrival is None


def test_due_dates_given_as_days_show_as_that_day() -> None:
    """A scenario's ``due: 1958-07-31`` is midnight starting 1 August: shown as the 31st."""
    network = one_lathe_network()
    due = datetime(1958, 8, 1, tzinfo=START.tzinfo)
    network = replace(network, orders=tuple(replace(o, due=due) for o in network.orders))
    result = plan(network, PlanParams(time_limit_s=5, workers=1))
    orders = next(t for t in plan_tables(network, result).tables() if t.name == "orders")
    due_idx = [c.name for c in orders.columns].index("due")
    assert orders.columns[due_idx].kind is Kind.DATE
    assert {row[due_idx] for row in orders.rows} == {date(1958, 7, 31)}


def test_engineering_work_loads_people_with_no_available_hours() -> None:
    network = one_lathe_network()
    result = plan(network, PlanParams(time_limit_s=5, workers=1))
    assert result.schedule is not None
    drawing = ScheduledOperation(
        work_order_id="late:P",
        step=1,
        process=None,
        plant_id="A",
        machine_id=None,
        unit=0,
        start=START,
        end=START + timedelta(hours=5),
        work=timedelta(hours=5),
    )
    schedule = replace(result.schedule, operations=(drawing,))
    tables = plan_tables(network, replace(result, schedule=schedule))
    (operation,) = tables.operations
    assert operation.process == ENGINEERING
    assert operation.units == ()
    assert operation.gang is None
    (engineering,) = [row for row in tables.load if row.machine_id is None]
    assert engineering.work == timedelta(hours=5)
    assert engineering.available is None
    assert engineering.utilisation is None


def test_times_are_written_in_the_network_zone() -> None:
    network = one_lathe_network()
    result = plan(network, PlanParams(time_limit_s=5, workers=1))
    tables = plan_tables(network, result)
    operations = next(t for t in tables.tables() if t.name == "operations")
    start_idx = [c.name for c in operations.columns].index("start")
    first = min(tables.operations, key=lambda r: r.start)
    shown = min(row[start_idx] for row in operations.rows)  # type: ignore[type-var]
    assert shown == first.start.astimezone(START.tzinfo).replace(tzinfo=None)


def test_a_plan_of_another_network_is_refused_naming_what_does_not_fit() -> None:
    network = one_lathe_network()
    foreign = Plan(status=PlanStatus.FEASIBLE, schedule=make_schedule())
    with pytest.raises(
        ModelError, match=rf"(?s)the plan does not fit the scenario.*{PRESS} step 1: no plant 'P1'"
    ):
        plan_tables(network, foreign)


def test_a_plan_without_schedule_lists_its_unplanned_orders_only() -> None:
    network = one_lathe_network()
    result = Plan(
        status=PlanStatus.FEASIBLE,
        schedule=None,
        unplanned=(
            UnplannedOrder(order_id="late", reason=UnplannedReason.UNPLACEABLE, message="why"),
        ),
    )
    tables = plan_tables(network, result)
    assert [(r.order_id, r.status, r.notes) for r in tables.orders] == [
        ("late", "unplanned", "why")
    ]
    assert tables.operations == ()
    assert tables.load == ()
    assert tables.shipments == ()
