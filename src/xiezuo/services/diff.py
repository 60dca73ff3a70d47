"""What changed from one plan to the next: the diff a planner reads after a replan.

A replan is only useful if the shop floor can follow it, so besides the orders that
arrive earlier or later the diff says which operations moved and what each plant has
to do differently in the coming days. Operations are matched by work order ID and
step, material draws by work order, step and material; nothing else about the two
plans needs to agree. :attr:`DiffHeadline.moved_operations` is the stability
measure of the replanning benchmark (docs/diff.md defines it).

Everything here is pure: two plans (and optionally their network) in, a frozen,
picklable :class:`PlanDiff` out, which a command prints and a server shows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from xiezuo.errors import InputError

if TYPE_CHECKING:
    from xiezuo.domain import (
        Delivery,
        Explanation,
        MaterialDraw,
        Network,
        Plan,
        PlanStatus,
        ScheduledOperation,
        WorkOrderAssignment,
    )

DEFAULT_TOLERANCE = timedelta(hours=8)
"""An operation that starts no more than this earlier or later has not moved: a shift."""
DEFAULT_DAYS = 14
"""How many days ahead the per-plant section looks."""

UNFROZEN = "unfrozen"
"""Explanation kind of a frozen-window operation the replan had to move."""

_HOUR = timedelta(hours=1)


class OrderChangeKind(StrEnum):
    """How an order differs between the plans."""

    MOVED = "moved"  # planned in both, arrives at another time
    UNPLANNED = "unplanned"  # planned in the old plan, left out of (or unfinished in) the new
    PLANNED = "planned"  # left out of the old plan, planned in the new one
    ADDED = "added"  # only in the new plan
    CANCELLED = "cancelled"  # only in the old plan


class OperationAspect(StrEnum):
    """What changed about an operation present in both plans."""

    PLANT = "plant"
    ROUTING = "routing"  # its work order is made by another routing
    MACHINE = "machine"  # the machine group
    UNIT = "unit"  # another unit of the same group
    START = "start"  # starts more than the tolerance earlier or later


class PlantChangeKind(StrEnum):
    """What a plant has to do differently inside the look-ahead window."""

    ADDED = "added"  # new to the plant: a new operation, or one from another plant
    REMOVED = "removed"  # gone from the plant, or gone to another plant
    MOVED_IN = "moved in"  # was planned outside the window, now inside it
    MOVED_OUT = "moved out"  # was planned inside the window, now outside it
    OTHER_MACHINE = "other machine"  # inside the window on another group or unit
    RETIMED = "retimed"  # inside the window, starts more than the tolerance apart


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderChange:
    """An order that arrives at another time, or is in or out of one of the plans.

    ``due`` and ``priority`` (the order's priority weight) come from the network when
    one is given; without it ``due`` is the deliveries' and ``priority`` is ``None``.
    """

    order_id: str
    kind: OrderChangeKind
    item_id: str | None
    due: datetime | None
    priority: int | None
    old_arrival: datetime | None
    new_arrival: datetime | None

    @property
    def shift(self) -> timedelta | None:
        """New arrival minus old: positive when the order now arrives later."""
        if self.old_arrival is None or self.new_arrival is None:
            return None
        return self.new_arrival - self.old_arrival

    @property
    def old_lateness(self) -> timedelta | None:
        return _lateness(self.old_arrival, self.due)

    @property
    def new_lateness(self) -> timedelta | None:
        return _lateness(self.new_arrival, self.due)

    @property
    def was_late(self) -> bool:
        return _is_late(self.old_lateness)

    @property
    def is_late(self) -> bool:
        return _is_late(self.new_lateness)


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkOrderChange:
    """A work order both plans make, at another plant or by another routing."""

    work_order_id: str
    order_id: str
    item_id: str
    old_plant: str
    new_plant: str
    old_routing: str
    new_routing: str

    @property
    def is_plant_changed(self) -> bool:
        return self.old_plant != self.new_plant

    @property
    def is_routing_changed(self) -> bool:
        return self.old_routing != self.new_routing


@dataclass(frozen=True, slots=True, kw_only=True)
class OperationChange:
    """A step of a work order that changed, or that only one plan has.

    ``old`` is ``None`` for an added operation and ``new`` for a removed one; for an
    operation in both, ``changes`` names what differs. ``is_history`` marks an
    operation the new plan places before its ``as_of``: a step reported done or
    started, which stands as reported and is no decision of the replan.
    """

    work_order_id: str
    step: int
    old: ScheduledOperation | None
    new: ScheduledOperation | None
    changes: tuple[OperationAspect, ...] = ()
    is_history: bool = False

    @property
    def shift(self) -> timedelta | None:
        """New start minus old: positive when the operation now starts later."""
        if self.old is None or self.new is None:
            return None
        return self.new.start - self.old.start

    @property
    def is_moved(self) -> bool:
        """Counted in :attr:`DiffHeadline.moved_operations`: in both plans, not history,
        and at another plant, by another routing, on another machine group, or beyond
        the tolerance."""
        return not self.is_history and any(
            aspect is not OperationAspect.UNIT for aspect in self.changes
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class DrawChange:
    """Material for one step taken from other warehouses or in another quantity.

    ``plant_id`` is the plant doing the step (in the new plan, else the old);
    ``old_sources`` and ``new_sources`` are ``(warehouse plant, quantity)`` pairs by
    plant; an empty tuple means that plan draws nothing for the step. ``is_history``
    marks a step the new plan has as reported history, whose material is no longer
    drawn by design.
    """

    work_order_id: str
    step: int
    material_id: str
    plant_id: str
    old_sources: tuple[tuple[str, int], ...]
    new_sources: tuple[tuple[str, int], ...]
    is_history: bool = False

    @property
    def old_quantity(self) -> int:
        return sum(quantity for _, quantity in self.old_sources)

    @property
    def new_quantity(self) -> int:
        return sum(quantity for _, quantity in self.new_sources)


@dataclass(frozen=True, slots=True, kw_only=True)
class PlantOperationChange:
    """One operation a plant has to handle differently in the window.

    ``other_plant`` names where an operation came from (``added``) or went to
    (``removed``) when it changed plant.
    """

    kind: PlantChangeKind
    work_order_id: str
    step: int
    old: ScheduledOperation | None
    new: ScheduledOperation | None
    other_plant: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PlantDiff:
    """What one plant has to do differently in the window, by kind of change."""

    plant_id: str
    changes: tuple[PlantOperationChange, ...]

    def count(self, kind: PlantChangeKind) -> int:
        return sum(1 for change in self.changes if change.kind is kind)


@dataclass(frozen=True, slots=True, kw_only=True)
class DiffHeadline:
    """The figures of a diff.

    ``moved_operations`` counts the operations present in both plans (same work
    order and step) that the new plan does not have as reported history and that
    changed plant, routing (of their work order) or machine group, or start more
    than the tolerance earlier or later: the moves the engine charges for when it
    replans with a previous plan. A change of unit alone does not count, as units of
    a group are identical. ``compared_operations`` is its denominator: operations in both plans
    that are not history. ``changed_plants`` counts work orders both plans make at
    different plants.
    """

    old_status: PlanStatus
    new_status: PlanStatus
    orders_later: int
    orders_earlier: int
    orders_now_late: int  # planned in both, on time before and late now
    orders_no_longer_late: int
    orders_added: int
    orders_cancelled: int
    orders_unplanned: int
    orders_planned: int
    old_tardiness_hours: float | None
    new_tardiness_hours: float | None
    old_makespan: timedelta | None
    new_makespan: timedelta | None
    old_late_orders: int
    new_late_orders: int
    moved_operations: int
    compared_operations: int
    added_operations: int
    removed_operations: int
    changed_plants: int
    changed_routings: int
    changed_draws: int  # not counting draws of steps that became history


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanDiff:
    """Everything that differs between two plans; see :func:`diff_plans`.

    Each list holds only what changed; ``plant_ids`` are the plants either plan
    uses. ``unfrozen`` are the new plan's explanations of kind ``unfrozen``: operations
    of the frozen window that had to move after all, and why. ``window_start`` and
    ``window_end`` bound the per-plant look-ahead (both ``None`` when neither plan has
    an operation). ``plant_id`` names the plant a diff was narrowed to by
    :func:`diff_for_plant`.
    """

    headline: DiffHeadline
    plant_ids: tuple[str, ...]
    tolerance: timedelta
    days: int
    window_start: datetime | None
    window_end: datetime | None
    old_as_of: datetime | None
    new_as_of: datetime | None
    orders: tuple[OrderChange, ...]
    work_orders: tuple[WorkOrderChange, ...]
    operations: tuple[OperationChange, ...]
    draws: tuple[DrawChange, ...]
    plants: tuple[PlantDiff, ...]
    unfrozen: tuple[Explanation, ...] = ()
    plant_id: str | None = None

    @property
    def is_empty(self) -> bool:
        """True when nothing is listed: the plans make the same things at the same places
        and times (as far as they touch :attr:`plant_id`, for a narrowed diff)."""
        return not (self.orders or self.work_orders or self.operations or self.draws)

    def record(self) -> dict[str, Any]:
        """The diff for machines (``xiezuo diff --out``): ISO 8601 instants, hours.

        docs/diff.md documents every field.
        """
        head = self.headline
        return {
            "format": "xiezuo-plan-diff",
            "version": 1,
            "tolerance_hours": self.tolerance / _HOUR,
            "days": self.days,
            "window_start": _iso(self.window_start),
            "window_end": _iso(self.window_end),
            "old_as_of": _iso(self.old_as_of),
            "new_as_of": _iso(self.new_as_of),
            "plant_ids": list(self.plant_ids),
            "narrowed_to": self.plant_id,
            "headline": {
                "old_status": head.old_status.value,
                "new_status": head.new_status.value,
                "orders_later": head.orders_later,
                "orders_earlier": head.orders_earlier,
                "orders_now_late": head.orders_now_late,
                "orders_no_longer_late": head.orders_no_longer_late,
                "orders_added": head.orders_added,
                "orders_cancelled": head.orders_cancelled,
                "orders_unplanned": head.orders_unplanned,
                "orders_planned": head.orders_planned,
                "old_tardiness_hours": head.old_tardiness_hours,
                "new_tardiness_hours": head.new_tardiness_hours,
                "old_makespan_hours": _hours(head.old_makespan),
                "new_makespan_hours": _hours(head.new_makespan),
                "old_late_orders": head.old_late_orders,
                "new_late_orders": head.new_late_orders,
                "moved_operations": head.moved_operations,
                "compared_operations": head.compared_operations,
                "added_operations": head.added_operations,
                "removed_operations": head.removed_operations,
                "changed_plants": head.changed_plants,
                "changed_routings": head.changed_routings,
                "changed_draws": head.changed_draws,
            },
            "orders": [_order_record(change) for change in self.orders],
            "work_orders": [
                {
                    "work_order": change.work_order_id,
                    "order": change.order_id,
                    "item": change.item_id,
                    "old_plant": change.old_plant,
                    "new_plant": change.new_plant,
                    "old_routing": change.old_routing,
                    "new_routing": change.new_routing,
                }
                for change in self.work_orders
            ],
            "operations": [
                {
                    "work_order": change.work_order_id,
                    "step": change.step,
                    "changes": [aspect.value for aspect in change.changes],
                    "moved": change.is_moved,
                    "history": change.is_history,
                    "shift_hours": _hours(change.shift),
                    "old": _operation_record(change.old),
                    "new": _operation_record(change.new),
                }
                for change in self.operations
            ],
            "draws": [
                {
                    "work_order": change.work_order_id,
                    "step": change.step,
                    "material": change.material_id,
                    "plant": change.plant_id,
                    "history": change.is_history,
                    "old": [{"warehouse": p, "quantity": q} for p, q in change.old_sources],
                    "new": [{"warehouse": p, "quantity": q} for p, q in change.new_sources],
                }
                for change in self.draws
            ],
            "unfrozen": [{"operation": e.subject, "message": e.message} for e in self.unfrozen],
            "plants": [
                {
                    "plant": plant.plant_id,
                    "counts": {kind.value: plant.count(kind) for kind in PlantChangeKind},
                    "changes": [
                        {
                            "kind": change.kind.value,
                            "work_order": change.work_order_id,
                            "step": change.step,
                            "other_plant": change.other_plant,
                            "old": _operation_record(change.old),
                            "new": _operation_record(change.new),
                        }
                        for change in plant.changes
                    ],
                }
                for plant in self.plants
            ],
        }


def diff_plans(
    old: Plan,
    new: Plan,
    *,
    network: Network | None = None,
    tolerance: timedelta = DEFAULT_TOLERANCE,
    days: int = DEFAULT_DAYS,
) -> PlanDiff:
    """Compare two plans of one network: orders, work orders, operations, material, plants.

    Parameters
    ----------
    old, new
        The plans; typically the previous plan and its replan. A plan without a
        schedule plans nothing: the other plan's orders are unplanned in it.
    network
        The plans' network, if at hand: it gives each order's due date and priority
        weight. Without it the diff works from the plans alone.
    tolerance
        An operation whose start moved by no more than this has not moved (strictly
        more counts), so a replan that nudges work within a shift is not unstable.
    days
        Length in calendar days of the per-plant window, which starts at the new
        plan's ``as_of``, else at the old plan's first operation.

    Returns
    -------
    PlanDiff

    Raises
    ------
    InputError
        ``tolerance`` is negative or ``days`` is below 1.
    """
    if tolerance < timedelta(0):
        raise InputError("diff", "tolerance", f"must not be negative, not {tolerance}")
    if days < 1:
        raise InputError("diff", "days", f"must be at least 1, not {days}")
    old_ops = _operations(old)
    new_ops = _operations(new)
    as_of = new.as_of
    work_orders = _work_order_changes(old, new)
    rerouted = {c.work_order_id for c in work_orders if c.is_routing_changed}
    operations = _operation_changes(old_ops, new_ops, tolerance, as_of, rerouted)
    window_start = as_of or _first_start(old_ops) or _first_start(new_ops)
    window_end = None if window_start is None else window_start + timedelta(days=days)
    plants = (
        ()
        if window_start is None or window_end is None
        else _plant_diffs(old_ops, new_ops, window_start, window_end, tolerance, as_of)
    )
    orders = _order_changes(old, new, network)
    draws = _draw_changes(old, new, new_ops, as_of)
    matched = [c for c in operations if c.old is not None and c.new is not None]
    compared = sum(
        1 for key, op in new_ops.items() if key in old_ops and not _is_history(op, as_of)
    )
    moved = [c for c in orders if c.kind is OrderChangeKind.MOVED]
    headline = DiffHeadline(
        old_status=old.status,
        new_status=new.status,
        orders_later=sum(1 for c in moved if (c.shift or timedelta(0)) > timedelta(0)),
        orders_earlier=sum(1 for c in moved if (c.shift or timedelta(0)) < timedelta(0)),
        orders_now_late=sum(1 for c in moved if c.is_late and not c.was_late),
        orders_no_longer_late=sum(1 for c in moved if c.was_late and not c.is_late),
        orders_added=_count(orders, OrderChangeKind.ADDED),
        orders_cancelled=_count(orders, OrderChangeKind.CANCELLED),
        orders_unplanned=_count(orders, OrderChangeKind.UNPLANNED),
        orders_planned=_count(orders, OrderChangeKind.PLANNED),
        old_tardiness_hours=old.tardiness_hours,
        new_tardiness_hours=new.tardiness_hours,
        old_makespan=old.makespan,
        new_makespan=new.makespan,
        old_late_orders=sum(1 for d in _deliveries(old).values() if d.is_late),
        new_late_orders=sum(1 for d in _deliveries(new).values() if d.is_late),
        moved_operations=sum(1 for c in matched if c.is_moved),
        compared_operations=compared,
        added_operations=sum(1 for c in operations if c.old is None),
        removed_operations=sum(1 for c in operations if c.new is None),
        changed_plants=sum(1 for c in work_orders if c.is_plant_changed),
        changed_routings=sum(1 for c in work_orders if c.is_routing_changed),
        changed_draws=sum(1 for c in draws if not c.is_history),
    )
    plant_ids = {op.plant_id for op in (*old_ops.values(), *new_ops.values())}
    for plan in (old, new):
        plant_ids.update(wo.plant_id for wo in _assignments(plan).values())
    return PlanDiff(
        headline=headline,
        plant_ids=tuple(sorted(plant_ids)),
        tolerance=tolerance,
        days=days,
        window_start=window_start,
        window_end=window_end,
        old_as_of=old.as_of,
        new_as_of=as_of,
        orders=orders,
        work_orders=work_orders,
        operations=operations,
        draws=draws,
        plants=plants,
        unfrozen=tuple(e for e in new.explanations if e.kind == UNFROZEN),
    )


_OpKey = tuple[str, int]


def _operations(plan: Plan) -> dict[_OpKey, ScheduledOperation]:
    if plan.schedule is None:
        return {}
    return {(op.work_order_id, op.step): op for op in plan.schedule.operations}


def _first_start(ops: dict[_OpKey, ScheduledOperation]) -> datetime | None:
    return min((op.start for op in ops.values()), default=None)


def _is_history(op: ScheduledOperation | None, as_of: datetime | None) -> bool:
    """Nothing new starts before a replan's ``as_of``: what does is reported work."""
    return op is not None and as_of is not None and op.start < as_of


def _aspects(
    old: ScheduledOperation, new: ScheduledOperation, tolerance: timedelta, *, rerouted: bool
) -> tuple[OperationAspect, ...]:
    aspects = []
    if old.plant_id != new.plant_id:
        aspects.append(OperationAspect.PLANT)
    if rerouted:
        aspects.append(OperationAspect.ROUTING)
    if old.machine_id != new.machine_id:
        aspects.append(OperationAspect.MACHINE)
    same_machine = (old.plant_id, old.machine_id) == (new.plant_id, new.machine_id)
    if old.held_units != new.held_units and same_machine:  # a gang's units count too
        aspects.append(OperationAspect.UNIT)
    if abs(new.start - old.start) > tolerance:
        aspects.append(OperationAspect.START)
    return tuple(aspects)


def _operation_changes(
    old_ops: dict[_OpKey, ScheduledOperation],
    new_ops: dict[_OpKey, ScheduledOperation],
    tolerance: timedelta,
    as_of: datetime | None,
    rerouted: set[str],
) -> tuple[OperationChange, ...]:
    """Changed operations, those moved furthest first, then added, then removed.

    ``rerouted`` holds the work orders made by another routing: their steps of the
    same number are other work, so they count as moved.
    """
    changes = []
    for key in sorted(old_ops.keys() | new_ops.keys()):
        old, new = old_ops.get(key), new_ops.get(key)
        aspects = (
            _aspects(old, new, tolerance, rerouted=key[0] in rerouted)
            if old is not None and new is not None
            else ()
        )
        if old is not None and new is not None and not aspects:
            continue
        changes.append(
            OperationChange(
                work_order_id=key[0],
                step=key[1],
                old=old,
                new=new,
                changes=aspects,
                is_history=_is_history(new, as_of),
            )
        )

    def rank(change: OperationChange) -> tuple[int, float]:
        if change.old is None:
            return 1, 0.0
        if change.new is None:
            return 2, 0.0
        return 0, -abs((change.shift or timedelta(0)) / _HOUR)

    return tuple(sorted(changes, key=rank))


def _order_ids(plan: Plan) -> set[str]:
    ids = set(plan.unplanned_orders)
    if plan.schedule is not None:
        ids.update(wo.order_id for wo in plan.schedule.work_orders)
        ids.update(d.order_id for d in plan.schedule.deliveries)
    return ids


def _deliveries(plan: Plan) -> dict[str, Delivery]:
    return {} if plan.schedule is None else {d.order_id: d for d in plan.schedule.deliveries}


def _end_items(plan: Plan) -> dict[str, str]:
    if plan.schedule is None:
        return {}
    return {wo.order_id: wo.item_id for wo in plan.schedule.work_orders if wo.parent_id is None}


_ORDER_KIND_RANK = {kind: idx for idx, kind in enumerate(OrderChangeKind)}


def _order_changes(old: Plan, new: Plan, network: Network | None) -> tuple[OrderChange, ...]:
    """Changed orders: moved ones by how far they moved, then the others by kind."""
    old_ids, new_ids = _order_ids(old), _order_ids(new)
    # A plan that found no schedule says nothing of the other plan's orders: they are
    # unplanned in it, not cancelled or added.
    if old.schedule is None:
        old_ids |= new_ids
    if new.schedule is None:
        new_ids |= old_ids
    old_deliveries, new_deliveries = _deliveries(old), _deliveries(new)
    item_by_order = {**_end_items(old), **_end_items(new)}
    order_by_id = {} if network is None else {order.id: order for order in network.orders}
    changes = []
    for order_id in old_ids | new_ids:
        before, after = old_deliveries.get(order_id), new_deliveries.get(order_id)
        if order_id not in old_ids:
            kind = OrderChangeKind.ADDED
        elif order_id not in new_ids:
            kind = OrderChangeKind.CANCELLED
        elif before is not None and after is None:
            kind = OrderChangeKind.UNPLANNED
        elif before is None and after is not None:
            kind = OrderChangeKind.PLANNED
        elif before is not None and after is not None and before.arrival != after.arrival:
            kind = OrderChangeKind.MOVED
        else:
            continue
        order = order_by_id.get(order_id)
        due = (
            order.due
            if order is not None
            else next((d.due for d in (after, before) if d is not None and d.due), None)
        )
        changes.append(
            OrderChange(
                order_id=order_id,
                kind=kind,
                item_id=order.item_id if order is not None else item_by_order.get(order_id),
                due=due,
                priority=None if order is None else order.priority,
                old_arrival=None if before is None else before.arrival,
                new_arrival=None if after is None else after.arrival,
            )
        )

    def rank(change: OrderChange) -> tuple[int, float, str]:
        shift = change.shift or timedelta(0)
        return _ORDER_KIND_RANK[change.kind], -abs(shift / _HOUR), change.order_id

    return tuple(sorted(changes, key=rank))


def _assignments(plan: Plan) -> dict[str, WorkOrderAssignment]:
    if plan.schedule is None:
        return {}
    return {wo.work_order_id: wo for wo in plan.schedule.work_orders}


def _work_order_changes(old: Plan, new: Plan) -> tuple[WorkOrderChange, ...]:
    before, after = _assignments(old), _assignments(new)
    changes = []
    for work_order_id in sorted(before.keys() & after.keys()):
        was, now = before[work_order_id], after[work_order_id]
        if (was.plant_id, was.routing_id) == (now.plant_id, now.routing_id):
            continue
        changes.append(
            WorkOrderChange(
                work_order_id=work_order_id,
                order_id=now.order_id,
                item_id=now.item_id,
                old_plant=was.plant_id,
                new_plant=now.plant_id,
                old_routing=was.routing_id,
                new_routing=now.routing_id,
            )
        )
    return tuple(changes)


_DrawKey = tuple[str, int, str]


def _draw_sources(plan: Plan) -> dict[_DrawKey, tuple[str, tuple[tuple[str, int], ...]]]:
    """Each step's plant and material by warehouse; one need may be split across several."""
    quantity: dict[_DrawKey, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    plant_by_key: dict[_DrawKey, str] = {}
    draws: tuple[MaterialDraw, ...] = () if plan.schedule is None else plan.schedule.material_draws
    for draw in draws:
        key = (draw.work_order_id, draw.step, draw.material_id)
        quantity[key][draw.origin] += draw.quantity
        plant_by_key[key] = draw.destination
    return {
        key: (plant_by_key[key], tuple(sorted(by_origin.items())))
        for key, by_origin in quantity.items()
    }


def _draw_changes(
    old: Plan, new: Plan, new_ops: dict[_OpKey, ScheduledOperation], as_of: datetime | None
) -> tuple[DrawChange, ...]:
    before, after = _draw_sources(old), _draw_sources(new)
    changes = []
    for key in sorted(before.keys() | after.keys()):
        was, now = before.get(key), after.get(key)
        old_sources = () if was is None else was[1]
        new_sources = () if now is None else now[1]
        if old_sources == new_sources:
            continue
        work_order_id, step, material_id = key
        changes.append(
            DrawChange(
                work_order_id=work_order_id,
                step=step,
                material_id=material_id,
                plant_id=next(entry[0] for entry in (now, was) if entry is not None),
                old_sources=old_sources,
                new_sources=new_sources,
                is_history=_is_history(new_ops.get((work_order_id, step)), as_of),
            )
        )
    return tuple(changes)


def _plant_of(op: ScheduledOperation | None) -> str | None:
    return None if op is None else op.plant_id


def _in_window(op: ScheduledOperation | None, start: datetime, end: datetime) -> bool:
    """The operation holds its unit at some time in ``[start, end)``."""
    return op is not None and op.start < end and (op.end > start or op.start >= start)


def _plant_diffs(
    old_ops: dict[_OpKey, ScheduledOperation],
    new_ops: dict[_OpKey, ScheduledOperation],
    start: datetime,
    end: datetime,
    tolerance: timedelta,
    as_of: datetime | None,
) -> tuple[PlantDiff, ...]:
    """Per plant, the operations it handles differently in ``[start, end)``.

    Reported history is left out: a plant need not be told what it already did.
    """
    by_plant: dict[str, list[PlantOperationChange]] = defaultdict(list)

    def add(plant_id: str, kind: PlantChangeKind, key: _OpKey, other: str | None = None) -> None:
        by_plant[plant_id].append(
            PlantOperationChange(
                kind=kind,
                work_order_id=key[0],
                step=key[1],
                old=old_ops.get(key),
                new=new_ops.get(key),
                other_plant=other,
            )
        )

    for key in sorted(old_ops.keys() | new_ops.keys()):
        old, new = old_ops.get(key), new_ops.get(key)
        if _is_history(new, as_of):
            continue
        was_in, is_in = _in_window(old, start, end), _in_window(new, start, end)
        if new is None or old is None or old.plant_id != new.plant_id:
            if old is not None and was_in:
                add(old.plant_id, PlantChangeKind.REMOVED, key, _plant_of(new))
            if new is not None and is_in:
                add(new.plant_id, PlantChangeKind.ADDED, key, _plant_of(old))
        elif was_in and not is_in:
            add(old.plant_id, PlantChangeKind.MOVED_OUT, key)
        elif is_in and not was_in:
            add(old.plant_id, PlantChangeKind.MOVED_IN, key)
        elif not is_in:
            continue
        elif (old.machine_id, old.held_units) != (new.machine_id, new.held_units):
            add(old.plant_id, PlantChangeKind.OTHER_MACHINE, key)
        elif abs(new.start - old.start) > tolerance:
            add(old.plant_id, PlantChangeKind.RETIMED, key)
    kind_rank = {kind: idx for idx, kind in enumerate(PlantChangeKind)}
    return tuple(
        PlantDiff(
            plant_id=plant_id,
            changes=tuple(
                sorted(
                    changes,
                    key=lambda c: (
                        kind_rank[c.kind],
                        tuple(op.start for op in (c.new, c.old) if op is not None),
                    ),
                )
            ),
        )
        for plant_id, changes in sorted(by_plant.items())
    )


def _order_record(change: OrderChange) -> dict[str, Any]:
    return {
        "order": change.order_id,
        "kind": change.kind.value,
        "item": change.item_id,
        "due": _iso(change.due),
        "priority": change.priority,
        "old_arrival": _iso(change.old_arrival),
        "new_arrival": _iso(change.new_arrival),
        "shift_hours": _hours(change.shift),
        "old_lateness_hours": _hours(change.old_lateness),
        "new_lateness_hours": _hours(change.new_lateness),
        "was_late": change.was_late,
        "late": change.is_late,
    }


def _operation_record(op: ScheduledOperation | None) -> dict[str, Any] | None:
    if op is None:
        return None
    return {
        "plant": op.plant_id,
        "machine": op.machine_id,
        "unit": op.unit,
        "process": op.process,
        "start": op.start.isoformat(),
        "end": op.end.isoformat(),
    }


def _lateness(arrival: datetime | None, due: datetime | None) -> timedelta | None:
    return None if arrival is None or due is None else arrival - due


def _is_late(lateness: timedelta | None) -> bool:
    return lateness is not None and lateness > timedelta(0)


def _count(orders: tuple[OrderChange, ...], kind: OrderChangeKind) -> int:
    return sum(1 for change in orders if change.kind is kind)


def _iso(instant: datetime | None) -> str | None:
    return None if instant is None else instant.isoformat()


def _hours(duration: timedelta | None) -> float | None:
    return None if duration is None else round(duration / _HOUR, 4)


def diff_for_plant(diff: PlanDiff, plant_id: str) -> PlanDiff:
    """The diff narrowed to what touches one plant; headline and orders stay network-wide.

    A work order or operation touches the plant when either plan has it there; a
    material draw when the plant does the step or is one of its warehouses; a frozen
    operation that had to move when it is among those operations.

    Raises
    ------
    InputError
        Neither plan uses the plant.
    """
    if plant_id not in diff.plant_ids:
        used = ", ".join(diff.plant_ids) or "none"
        raise InputError(
            "plant", "", f"neither plan uses a plant {plant_id!r}; the plants they use: {used}"
        )
    operations = tuple(
        c
        for c in diff.operations
        if plant_id in {op.plant_id for op in (c.old, c.new) if op is not None}
    )
    touched = {f"{c.work_order_id}#{c.step}" for c in operations}
    return replace(
        diff,
        work_orders=tuple(c for c in diff.work_orders if plant_id in (c.old_plant, c.new_plant)),
        operations=operations,
        draws=tuple(
            c
            for c in diff.draws
            if plant_id == c.plant_id
            or plant_id in {origin for origin, _ in (*c.old_sources, *c.new_sources)}
        ),
        plants=tuple(p for p in diff.plants if p.plant_id == plant_id),
        unfrozen=tuple(e for e in diff.unfrozen if e.subject in touched),
        plant_id=plant_id,
    )
