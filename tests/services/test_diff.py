"""diff_plans: what changed from one hand-made plan to another (tests/plans.py)."""

from __future__ import annotations

import json
import pickle
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from tests.planning.test_validate import make_network, replace_op, replace_work_order
from tests.plans import FRAME, PRESS, SPARE, at, make_schedule, op
from xiezuo.domain import (
    Explanation,
    MaterialDraw,
    Plan,
    PlanStatus,
    Schedule,
    UnplannedOrder,
    UnplannedReason,
)
from xiezuo.errors import InputError
from xiezuo.services.diff import (
    OperationAspect,
    OrderChangeKind,
    PlanDiff,
    PlantChangeKind,
    diff_for_plant,
    diff_plans,
)


def plan_of(schedule: Schedule, **fields: Any) -> Plan:
    return Plan(
        status=PlanStatus.FEASIBLE,
        schedule=schedule,
        tardiness_hours=0.0,
        makespan=timedelta(days=5),
        **fields,
    )


def with_delivery(schedule: Schedule, order_id: str, **changes: Any) -> Schedule:
    deliveries = tuple(
        replace(d, **changes) if d.order_id == order_id else d for d in schedule.deliveries
    )
    return replace(schedule, deliveries=deliveries)


def without_order(schedule: Schedule, order_id: str) -> Schedule:
    """The schedule with none of the order's work orders, operations or delivery."""
    kept = {wo.work_order_id for wo in schedule.work_orders if wo.order_id != order_id}
    return replace(
        schedule,
        work_orders=tuple(wo for wo in schedule.work_orders if wo.work_order_id in kept),
        operations=tuple(o for o in schedule.operations if o.work_order_id in kept),
        deliveries=tuple(d for d in schedule.deliveries if d.order_id != order_id),
    )


def draw(origin: str, quantity: int, step: int = 1) -> MaterialDraw:
    return MaterialDraw(
        work_order_id=FRAME,
        step=step,
        material_id="steel",
        quantity=quantity,
        origin=origin,
        destination="P2",
        depart=at(1, 6),
        arrive=at(1, 8),
    )


def moved(schedule: Schedule, work_order_id: str, step: int, by: timedelta) -> Schedule:
    original = next(
        o for o in schedule.operations if (o.work_order_id, o.step) == (work_order_id, step)
    )
    return replace_op(
        schedule, work_order_id, step, start=original.start + by, end=original.end + by
    )


BASE = plan_of(make_schedule())


def test_identical_plans_give_an_empty_diff() -> None:
    diff = diff_plans(BASE, BASE)
    assert diff.is_empty
    assert diff.plants == ()
    assert diff.headline.moved_operations == 0
    assert diff.headline.compared_operations == 5
    assert diff.headline.orders_later == diff.headline.orders_earlier == 0


def test_an_order_arriving_after_its_due_date_is_later_and_now_late() -> None:
    new = plan_of(with_delivery(make_schedule(), "ORD-1", arrival=at(11, 16)))
    diff = diff_plans(BASE, new)
    (change,) = diff.orders
    assert change.kind is OrderChangeKind.MOVED
    assert change.shift == timedelta(days=6, hours=2)
    assert (change.was_late, change.is_late) == (False, True)
    assert change.old_lateness == -timedelta(days=5, hours=2)
    assert change.new_lateness == timedelta(days=1)
    assert change.item_id == "PRESS"
    assert (diff.headline.orders_later, diff.headline.orders_now_late) == (1, 1)


def test_orders_that_moved_most_come_first() -> None:
    schedule = with_delivery(make_schedule(), "ORD-1", arrival=at(5, 16))
    new = plan_of(with_delivery(schedule, "ORD-2", arrival=at(4, 14)))
    diff = diff_plans(BASE, new)
    assert [c.order_id for c in diff.orders] == ["ORD-2", "ORD-1"]
    assert (diff.headline.orders_later, diff.headline.orders_earlier) == (1, 1)


def test_orders_only_in_one_plan_are_added_or_cancelled() -> None:
    old = plan_of(without_order(make_schedule(), "ORD-2"))
    new = plan_of(without_order(make_schedule(), "ORD-1"))
    diff = diff_plans(old, new)
    kinds = {c.order_id: c.kind for c in diff.orders}
    assert kinds == {"ORD-1": OrderChangeKind.CANCELLED, "ORD-2": OrderChangeKind.ADDED}
    assert (diff.headline.orders_added, diff.headline.orders_cancelled) == (1, 1)
    assert diff.headline.added_operations == 2
    assert diff.headline.removed_operations == 3


def test_an_order_left_out_of_the_new_plan_is_newly_unplanned_and_back_is_planned() -> None:
    left_out = UnplannedOrder(
        order_id="ORD-2", reason=UnplannedReason.UNPLACEABLE, message="MILL2 is down."
    )
    unplanned = plan_of(without_order(make_schedule(), "ORD-2"), unplanned=(left_out,))
    forward = diff_plans(BASE, unplanned)
    assert [(c.order_id, c.kind) for c in forward.orders] == [("ORD-2", OrderChangeKind.UNPLANNED)]
    assert forward.orders[0].new_arrival is None
    back = diff_plans(unplanned, BASE)
    assert [(c.order_id, c.kind) for c in back.orders] == [("ORD-2", OrderChangeKind.PLANNED)]
    assert (forward.headline.orders_unplanned, back.headline.orders_planned) == (1, 1)


def test_a_work_order_made_at_another_plant_counts_as_a_changed_plant() -> None:
    schedule = replace_work_order(make_schedule(), SPARE, plant_id="P1", routing_id="other")
    diff = diff_plans(BASE, plan_of(schedule))
    (change,) = diff.work_orders
    assert (change.old_plant, change.new_plant) == ("P2", "P1")
    assert change.is_plant_changed
    assert change.is_routing_changed
    assert (diff.headline.changed_plants, diff.headline.changed_routings) == (1, 1)


def test_an_operation_on_another_machine_group_has_moved() -> None:
    diff = diff_plans(BASE, plan_of(replace_op(make_schedule(), SPARE, 2, machine_id="MILL-S")))
    (change,) = diff.operations
    assert change.changes == (OperationAspect.MACHINE,)
    assert change.is_moved
    assert diff.headline.moved_operations == 1


def test_an_operation_at_another_plant_has_moved() -> None:
    schedule = replace_op(make_schedule(), SPARE, 2, plant_id="P1", machine_id="MILL1")
    (change,) = diff_plans(BASE, plan_of(schedule)).operations
    assert change.changes == (OperationAspect.PLANT, OperationAspect.MACHINE)


def test_the_steps_of_a_work_order_made_by_another_routing_have_moved() -> None:
    schedule = replace_work_order(make_schedule(), SPARE, routing_id="cast-grind")
    diff = diff_plans(BASE, plan_of(schedule))
    assert [(c.step, c.changes) for c in diff.operations] == [
        (1, (OperationAspect.ROUTING,)),
        (2, (OperationAspect.ROUTING,)),
    ]
    assert diff.headline.moved_operations == 2


def test_another_unit_of_the_same_group_is_listed_but_not_moved() -> None:
    diff = diff_plans(BASE, plan_of(replace_op(make_schedule(), SPARE, 1, unit=1)))
    (change,) = diff.operations
    assert change.changes == (OperationAspect.UNIT,)
    assert not change.is_moved
    assert diff.headline.moved_operations == 0


def test_a_gang_that_takes_other_units_of_its_group_is_listed_but_not_moved() -> None:
    before = plan_of(replace_op(make_schedule(), SPARE, 1, units=(0, 1)))
    after = plan_of(replace_op(make_schedule(), SPARE, 1, units=(0, 2)))
    (change,) = diff_plans(before, after).operations
    assert change.changes == (OperationAspect.UNIT,)
    assert not change.is_moved


def test_a_start_exactly_the_tolerance_away_has_not_moved() -> None:
    tolerance = timedelta(hours=8)
    diff = diff_plans(BASE, plan_of(moved(make_schedule(), SPARE, 2, tolerance)))
    assert diff.operations == ()
    assert diff.headline.moved_operations == 0


def test_a_start_just_beyond_the_tolerance_has_moved_either_way() -> None:
    beyond = timedelta(hours=8, minutes=1)
    for shift in (beyond, -beyond):
        diff = diff_plans(BASE, plan_of(moved(make_schedule(), SPARE, 2, shift)))
        (change,) = diff.operations
        assert change.changes == (OperationAspect.START,)
        assert change.shift == shift
        assert diff.headline.moved_operations == 1


def test_a_smaller_tolerance_counts_smaller_moves() -> None:
    new = plan_of(moved(make_schedule(), SPARE, 2, timedelta(hours=1)))
    assert diff_plans(BASE, new).headline.moved_operations == 0
    assert diff_plans(BASE, new, tolerance=timedelta(minutes=30)).headline.moved_operations == 1


def test_reported_history_before_as_of_is_listed_but_not_moved() -> None:
    """A step done earlier than planned is the shop floor's doing, not the replan's."""
    schedule = moved(make_schedule(), FRAME, 1, -timedelta(days=1))
    diff = diff_plans(BASE, plan_of(schedule, as_of=at(2, 8)))
    (change,) = diff.operations
    assert change.is_history
    assert not change.is_moved
    assert diff.headline.moved_operations == 0
    # FRAME's two steps start before as_of in the new plan: history, not compared.
    assert diff.headline.compared_operations == 3


def test_operations_moved_furthest_come_first_then_added_then_removed() -> None:
    schedule = moved(make_schedule(), SPARE, 1, timedelta(days=1))
    schedule = moved(schedule, SPARE, 2, timedelta(days=2))
    extra = op(SPARE, 3, "deburr", "MILL-S", at(4, 8), at(4, 9), 1)
    new = replace(
        schedule,
        operations=(*(o for o in schedule.operations if o.work_order_id != PRESS), extra),
    )
    diff = diff_plans(BASE, plan_of(new))
    assert [(c.work_order_id, c.step) for c in diff.operations] == [
        (SPARE, 2),
        (SPARE, 1),
        (SPARE, 3),
        (PRESS, 1),
    ]
    assert (diff.headline.added_operations, diff.headline.removed_operations) == (1, 1)


def test_a_draw_from_another_warehouse_or_of_another_quantity_is_a_change() -> None:
    old = plan_of(replace(make_schedule(), material_draws=(draw("P2", 10),)))
    for draws in ((draw("P1", 10),), (draw("P2", 12),)):
        diff = diff_plans(old, plan_of(replace(make_schedule(), material_draws=draws)))
        (change,) = diff.draws
        assert change.old_sources == (("P2", 10),)
        assert change.new_sources == ((draws[0].origin, draws[0].quantity),)
        assert diff.headline.changed_draws == 1


def test_draws_split_the_same_way_in_another_order_are_no_change() -> None:
    draws = (draw("P1", 4), draw("P2", 6))
    old = plan_of(replace(make_schedule(), material_draws=draws))
    new = plan_of(replace(make_schedule(), material_draws=draws[::-1]))
    assert diff_plans(old, new).draws == ()


def test_a_draw_gone_because_its_step_is_history_is_not_counted() -> None:
    old = plan_of(replace(make_schedule(), material_draws=(draw("P2", 10),)))
    diff = diff_plans(old, plan_of(make_schedule(), as_of=at(2, 8)))
    (change,) = diff.draws
    assert change.is_history
    assert change.new_sources == ()
    assert diff.headline.changed_draws == 0


def kinds_by_plant(diff: PlanDiff) -> dict[str, list[tuple[PlantChangeKind, str, int]]]:
    return {
        plant.plant_id: [(c.kind, c.work_order_id, c.step) for c in plant.changes]
        for plant in diff.plants
    }


def test_the_window_starts_at_the_new_plans_as_of() -> None:
    diff = diff_plans(BASE, plan_of(make_schedule(), as_of=at(2, 12)), days=3)
    assert (diff.window_start, diff.window_end) == (at(2, 12), at(5, 12))


def test_without_as_of_the_window_starts_at_the_old_plans_first_operation() -> None:
    diff = diff_plans(BASE, BASE, days=2)
    assert (diff.window_start, diff.window_end) == (at(1, 8), at(3, 8))


def test_a_plant_sees_operations_moved_into_and_out_of_its_window() -> None:
    # The window is 1 July 08:00 to 3 July 08:00: the frame is inside, the spare not.
    schedule = moved(make_schedule(), FRAME, 2, timedelta(days=3))
    schedule = moved(schedule, SPARE, 1, -timedelta(days=1))
    diff = diff_plans(BASE, plan_of(schedule), days=2)
    assert kinds_by_plant(diff) == {
        "P2": [(PlantChangeKind.MOVED_IN, SPARE, 1), (PlantChangeKind.MOVED_OUT, FRAME, 2)]
    }
    assert diff.plants[0].count(PlantChangeKind.MOVED_IN) == 1


def test_an_operation_sent_to_another_plant_is_removed_there_and_added_here() -> None:
    schedule = replace_op(make_schedule(), FRAME, 2, plant_id="P1", machine_id="MILL1")
    diff = diff_plans(BASE, plan_of(schedule), days=2)
    assert kinds_by_plant(diff) == {
        "P1": [(PlantChangeKind.ADDED, FRAME, 2)],
        "P2": [(PlantChangeKind.REMOVED, FRAME, 2)],
    }
    p1, p2 = diff.plants
    assert (p1.changes[0].other_plant, p2.changes[0].other_plant) == ("P2", "P1")


def test_a_plant_sees_other_machines_and_retimed_work_inside_the_window() -> None:
    schedule = replace_op(make_schedule(), FRAME, 1, unit=1)
    schedule = moved(schedule, FRAME, 2, timedelta(hours=9))
    diff = diff_plans(BASE, plan_of(schedule), days=2)
    assert kinds_by_plant(diff) == {
        "P2": [(PlantChangeKind.OTHER_MACHINE, FRAME, 1), (PlantChangeKind.RETIMED, FRAME, 2)]
    }


def test_changes_outside_the_window_and_history_are_not_a_plants_business() -> None:
    schedule = moved(make_schedule(), PRESS, 1, timedelta(days=2))  # 3 July, after the window
    schedule = moved(schedule, FRAME, 1, -timedelta(hours=10))  # reported before as_of
    diff = diff_plans(BASE, plan_of(schedule, as_of=at(1, 8)), days=1)
    assert diff.plants == ()
    assert len(diff.operations) == 2


def test_the_network_gives_due_dates_and_priority_weights() -> None:
    network = make_network()
    orders = tuple(replace(o, priority=3) if o.id == "ORD-1" else o for o in network.orders)
    network = replace(network, orders=orders)
    schedule = with_delivery(make_schedule(), "ORD-1", arrival=at(11, 16), due=None)
    (change,) = diff_plans(BASE, plan_of(schedule), network=network).orders
    assert (change.priority, change.due) == (3, at(10, 16))
    assert change.is_late
    (bare,) = diff_plans(BASE, plan_of(schedule)).orders
    assert (bare.priority, bare.due) == (None, at(10, 16))


def test_a_plan_without_a_schedule_leaves_every_order_unplanned() -> None:
    failed = Plan(status=PlanStatus.NO_SOLUTION, schedule=None)
    diff = diff_plans(BASE, failed)
    assert {c.kind for c in diff.orders} == {OrderChangeKind.UNPLANNED}
    assert {c.kind for c in diff_plans(failed, BASE).orders} == {OrderChangeKind.PLANNED}
    assert diff.headline.removed_operations == 5
    assert diff.headline.new_status is PlanStatus.NO_SOLUTION


@pytest.mark.parametrize(
    ("options", "match"),
    [({"tolerance": -timedelta(hours=1)}, "tolerance"), ({"days": 0}, "days")],
)
def test_a_negative_tolerance_or_an_empty_window_is_refused(
    options: dict[str, Any], match: str
) -> None:
    with pytest.raises(InputError, match=match):
        diff_plans(BASE, BASE, **options)


def test_the_diff_pickles_and_its_record_is_json() -> None:
    schedule = replace_op(make_schedule(), SPARE, 2, plant_id="P1", machine_id="MILL1")
    schedule = with_delivery(schedule, "ORD-2", arrival=at(7, 14))
    diff = diff_plans(BASE, plan_of(schedule, as_of=at(1, 8)), days=3)
    assert pickle.loads(pickle.dumps(diff)) == diff
    record = json.loads(json.dumps(diff.record()))
    assert record["headline"]["moved_operations"] == 1
    assert record["orders"][0] == {
        "order": "ORD-2",
        "kind": "moved",
        "item": "FRAME",
        "due": at(10, 16).isoformat(),
        "priority": None,
        "old_arrival": at(6, 14).isoformat(),
        "new_arrival": at(7, 14).isoformat(),
        "shift_hours": 24.0,
        "old_lateness_hours": -98.0,
        "new_lateness_hours": -74.0,
        "was_late": False,
        "late": False,
    }
    assert record["operations"][0]["changes"] == ["plant", "machine"]
    assert record["plants"][0]["counts"]["added"] == 1


def test_a_delivery_without_due_date_is_never_late() -> None:
    schedule = with_delivery(make_schedule(), "ORD-2", arrival=at(20, 8), due=None)
    old = plan_of(with_delivery(make_schedule(), "ORD-2", due=None))
    (change,) = diff_plans(old, plan_of(schedule)).orders
    assert change.due is None
    assert not change.is_late


def test_frozen_operations_the_replan_had_to_move_are_named() -> None:
    unfrozen = Explanation(kind="unfrozen", subject=f"{SPARE}#2", message="MILL2 is down.")
    late = Explanation(kind="late", subject="ORD-2", message="MILL2 is down.")
    new = plan_of(make_schedule(), explanations=(late, unfrozen))
    diff = diff_plans(BASE, new)
    assert diff.unfrozen == (unfrozen,)
    assert diff.record()["unfrozen"] == [{"operation": f"{SPARE}#2", "message": "MILL2 is down."}]


def test_a_diff_for_one_plant_keeps_what_touches_it_and_the_whole_headline() -> None:
    schedule = replace_op(make_schedule(), FRAME, 2, plant_id="P1", machine_id="MILL1")
    schedule = replace_work_order(schedule, FRAME, plant_id="P1")
    schedule = moved(schedule, SPARE, 2, timedelta(days=1))
    old = plan_of(replace(make_schedule(), material_draws=(draw("P2", 10),)))
    new = plan_of(replace(schedule, material_draws=(draw("P1", 10),)))
    diff = diff_plans(old, new, days=2)
    p1 = diff_for_plant(diff, "P1")
    assert [(c.work_order_id, c.step) for c in p1.operations] == [(FRAME, 2)]
    assert [c.work_order_id for c in p1.work_orders] == [FRAME]
    assert len(p1.draws) == 1  # drawn from P1's warehouse now
    assert [p.plant_id for p in p1.plants] == ["P1"]
    assert p1.headline == diff.headline
    assert p1.orders == diff.orders
    with pytest.raises(InputError, match=r"'P9'.*P1, P2"):
        diff_for_plant(diff, "P9")
