"""The independent judge of a schedule: re-derive every rule from the domain and check it.

The validator shares no code with the engine (no OR-Tools, no compiled problem), so a
bug in the engine's model cannot hide in both places at once. It reports every broken
rule it finds as a :class:`Violation` whose ``rule`` is one of:

``work_order``
    a work order of the BOM explosion is missing, duplicated, unknown or differs in
    order, item, quantity or parent.
``routing``
    the assigned plant or routing does not exist, or the plant cannot make the item
    by that routing.
``pinned_plant``
    the end product of an order pinned to a plant is built elsewhere.
``operation_steps``
    a work order lacks, repeats or invents a routing step, or an operation's process
    differs from its step.
``machine``
    an operation runs outside the assigned plant, on an unknown machine, on a machine
    of another process, on one too small or too coarse, on one its step lists no
    machine time for, or on a unit that does not exist.
``gang``
    an operation holds several units of its machine (a gang) that its step does not
    allow: a step without a gang, a gang size outside the step's limits (on the floor,
    below its floor minimum), the same unit named twice, or ``unit`` not the first of
    the units held.
``floor``
    an operation lies in a floor bay although its machine holds the part, or a part too
    heavy for its machine is not on the floor, or is there without a portable gang or
    without a bay at the plant that takes its weight, or more parts lie on a plant's
    floor at once than it has bays.
``lever``
    an operation runs on a lever's machine group (a shed, machines on loan) that the
    schedule does not list as pulled (people on loan count only if listed, under
    ``crew``, at the borrower and, away, at the lender); a lender's operation runs on
    a unit it has lent (its highest-numbered units) while they are away; a listed
    lever is unknown, listed twice, or differs from the network's in kind, plant,
    dates or cost; or the levers listed cost more than the network's lever budget (in
    a replan, but for those the progress reports work on: their cost is spent).
``calendar``
    an operation ends before it starts, records the wrong work (a gang of k shares its
    run as ``run / (k × efficiency)``), has too little working
    time between start and end, or starts in non-working time.
``placement``
    an operation breaks the placement rule of docs/engine.md: work that fits in the
    working window it starts in runs inside it, ending when its work is done; longer
    work starts when its window opens and ends when its work is done, pausing over
    non-working time.
``overlap``
    two operations share a unit of a machine at the same time.
``routing_precedence``
    a routing step starts before the previous step ends.
``bom_precedence``
    an assembly starts before a component has been made and has travelled to it.
``design_precedence``
    work starts below an item before the item's design work is done and has reached
    the plant.
``lane``
    a plan needs a transport lane that the network does not have.
``shipment``
    a cross-plant component has no shipment, or a shipment is unexpected, duplicated
    or has the wrong route or times.
``release``
    an operation starts before its order's release or the network start.
``delivery``
    a planned order has no delivery, several, or one whose plant, region, finish,
    arrival or due date disagree with the schedule and network.
``assignment_times``
    a work order assignment's start or end differs from its operations.
``material``
    a step's material is not drawn in full, arrives after the step starts, comes
    from a plant without a lane or takes the wrong travel time, a draw is for
    nothing the BOM needs, or a draw's quantity is not positive.
``stock``
    a warehouse would go below zero: stock + supplies that have arrived − draws
    that have left.
``crew``
    more people of a skill are at work at a plant at some instant than it has then
    (after secondments, training and the people loans the plan pulls); a gang of k
    needs its step's crew k times.
``unplanned``
    an order is left out that is unknown, listed twice, partly scheduled, or that the
    network could make: it is unplanned only for a reason checked here (an item no
    plant can make with its machines and crews, the pinned plant cannot make the end
    product, or in a replan a work order begun at a plant lacks there the crews to
    finish; more of a material than the network's stock and supplies hold beyond the
    plan's draws; no way to finish it beside the plan's other work, even as a lower
    bound: each step waits for its components to be done and to travel, for the
    designs that gate its work order to be done and to reach its plant, for material
    the plan's draws leave, and for a stretch in which the people and a machine unit
    (a gang's k units and k crews) the plan leaves free hold its working time, placed
    as the engine places work, before that machine leaves; in a replan, work begun is
    finished at its plant after its reported steps, and a finished part is ready where
    and when the plan says).
``horizon``
    an instant lies further than ``PLAN_SPAN_LIMIT`` (20 years) from the network
    start; nothing else is checked then, so a wild date cannot make the check slow.
``figures`` (:func:`audit_plan` only)
    the plan's status does not match whether it has a schedule, its weighted
    tardiness or makespan differ from those of its schedule, its ``late``
    explanations name other orders than those arriving after their due date, a bound
    is negative or above the value it bounds, or an ``optimal`` plan's bound differs
    from its value.

A replan, judged with the progress it starts from, must also keep the rules of
:mod:`xiezuo.planning.validation.replan` (reported, status_date, machine_down,
frozen). Its reported operations are facts, so the machine, calendar, placement and
release rules leave them alone, and the rules that compare work with work (overlap,
precedence, crew) blame the plan only where new work takes part. Its materials start
from each warehouse's level at the status date, new work is placed in windows that
open then, and the progress's secondments join the network's.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from xiezuo.domain import (
    PLAN_SPAN_LIMIT,
    Delivery,
    Item,
    LeverKind,
    Machine,
    Network,
    Operation,
    Order,
    Plan,
    PlanStatus,
    Plant,
    PulledLever,
    Routing,
    Schedule,
    ScheduledOperation,
    Shipment,
    UnplannedOrder,
    UnplannedReason,
    WorkOrder,
    WorkOrderAssignment,
    capable_machines,
    capable_routings,
    design_gates,
    explode_order,
    explode_orders,
    routing_of,
)
from xiezuo.errors import PlanningError
from xiezuo.planning.validation import replan
from xiezuo.planning.validation.violation import Violation

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from xiezuo.domain import Explanation, FinishedPart, Lever, Progress

__all__ = ["Violation", "audit_plan", "validate_plan"]

_SECOND = timedelta(seconds=1)
_MINUTE = timedelta(minutes=1)
_HOUR = timedelta(hours=1)


def validate_plan(
    network: Network,
    schedule: Schedule,
    unplanned: Iterable[str | UnplannedOrder] = (),
    *,
    progress: Progress | None = None,
    previous: Plan | None = None,
    frozen_days: float = 0,
    explanations: Iterable[Explanation] = (),
) -> tuple[Violation, ...]:
    """Check ``schedule`` against every rule of ``network``.

    Parameters
    ----------
    network:
        The network the schedule was made for; assumed to pass ``validate_network``.
    schedule:
        The schedule to judge, typically ``Plan.schedule`` from the engine or a file.
    unplanned:
        Orders the plan left out (``Plan.unplanned``), each absent from the schedule and
        left out for a reason the validator confirms: the stated one, or for a bare ID
        any of them. If any of an order's work orders is scheduled, the whole order is
        checked as planned.
    progress:
        For a replan, what was reported up to its status date: the schedule must then
        repeat the reported work and start everything else after it (the rules
        ``reported``, ``status_date`` and ``machine_down``).
    previous:
        For a replan with a frozen window, the plan it replaces.
    frozen_days:
        Working days of the network calendar, from the status date, in which the
        previous plan's operations keep their place unless ``explanations`` has an
        ``unfrozen`` entry for them (the rule ``frozen``). Needs ``progress``.
    explanations:
        The plan's explanations (``Plan.explanations``); only ``unfrozen`` ones count.

    Returns
    -------
    tuple[Violation, ...]
        Every violation found, empty when the schedule is valid. Runs in
        ``O(n log n)`` in the number of operations, so it can judge every plan.

    Raises
    ------
    PlanningError
        When ``frozen_days`` is negative, or a frozen window is asked for without a
        progress to date it.
    """
    if frozen_days < 0:
        raise PlanningError(f"frozen_days must not be negative, not {frozen_days:g}")
    if progress is None and previous is not None and frozen_days:
        raise PlanningError("a frozen window starts at a status date: pass the progress too")
    far = tuple(_far_instants(network, schedule))
    if far:
        return far
    validator = _Validator(
        network,
        schedule,
        tuple(unplanned),
        progress=progress,
        previous=previous,
        explanations=tuple(explanations),
    )
    found = list(validator.run())
    if progress is not None and previous is not None and frozen_days:
        found += validator.frozen(previous, frozen_days)
    return tuple(found)


def audit_plan(
    network: Network,
    plan: Plan,
    *,
    progress: Progress | None = None,
    previous: Plan | None = None,
    frozen_days: float = 0,
) -> tuple[Violation, ...]:
    """Check a whole plan: its schedule, why orders are left out, and its own figures.

    ``progress``, ``previous`` and ``frozen_days`` judge a replan as in
    :func:`validate_plan`, with the plan's own explanations; the plan's status date
    must then be the progress's.

    Returns
    -------
    tuple[Violation, ...]
        The violations of :func:`validate_plan` for the schedule (or, without one, of
        the unplanned orders alone), plus ``figures`` violations where the plan's
        status, weighted tardiness, makespan, late explanations or bounds disagree
        with its schedule.

    Raises
    ------
    PlanningError
        As :func:`validate_plan`.
    """
    dated = () if progress is None else tuple(_status_date_of(plan, progress))
    if plan.schedule is None:
        empty = Schedule(work_orders=(), operations=(), shipments=(), deliveries=())
        checker = _Validator(network, empty, plan.unplanned, progress=progress)
        return (*dated, *checker.unplanned(), *_status_without_schedule(plan))
    found = validate_plan(
        network,
        plan.schedule,
        plan.unplanned,
        progress=progress,
        previous=previous,
        frozen_days=frozen_days,
        explanations=plan.explanations,
    )
    if any(v.rule == "horizon" for v in found):
        return found
    return (*dated, *found, *_figures(network, plan, plan.schedule))


def _status_date_of(plan: Plan, progress: Progress) -> Iterator[Violation]:
    if plan.as_of != progress.as_of:
        stated = "no status date" if plan.as_of is None else f"status date {_show(plan.as_of)}"
        yield Violation(
            rule="status_date",
            subject="plan",
            message=f"the plan has {stated}, but the progress it is made from is dated "
            f"{progress.as_of.isoformat()}",
        )


def _status_without_schedule(plan: Plan) -> Iterator[Violation]:
    if plan.status.has_schedule:
        yield _figure(f"the plan is {plan.status.value!r} but has no schedule")
    stated = {
        "weighted tardiness": plan.tardiness_hours,
        "tardiness bound": plan.tardiness_bound,
        "makespan": None if plan.makespan is None else plan.makespan / _HOUR,
        "makespan bound": None if plan.makespan_bound is None else plan.makespan_bound / _HOUR,
    }
    for what, hours in stated.items():
        if hours is not None:
            yield _figure(f"the plan has no schedule but states a {what} of {hours:g} h")


def _figures(network: Network, plan: Plan, schedule: Schedule) -> Iterator[Violation]:
    """Recompute the objectives from the schedule, as docs/engine.md defines them."""
    if not plan.status.has_schedule:
        yield _figure(f"the plan is {plan.status.value!r} but has a schedule")
    order_by_id = {order.id: order for order in network.orders}
    arrival_by_order: dict[str, datetime] = {}
    for delivery in schedule.deliveries:
        if delivery.order_id in order_by_id:
            arrival_by_order.setdefault(delivery.order_id, delivery.arrival)
    tardiness = timedelta(0)
    # The engine counts whole minutes from the network start, so a due date between
    # minutes may cost each unit of priority up to a minute less.
    slack = 1e-6
    late: set[str] = set()
    unsure: set[str] = set()
    for order_id, arrival in arrival_by_order.items():
        order = order_by_id[order_id]
        if order.due is not None:
            tardiness += order.priority * max(timedelta(0), arrival - order.due)
            if (order.due - network.start) % _MINUTE:
                slack += order.priority / 60
                unsure.add(order_id)
            if arrival > order.due:
                late.add(order_id)
    explained = {e.subject for e in plan.explanations if e.kind == "late"}
    for order_id in sorted((late ^ explained) - unsure):
        is_late = "is late" if order_id in late else "is on time"
        said = "not explained as late" if order_id in late else "explained as late"
        yield _figure(f"order {order_id!r} {is_late} but {said}")
    makespan = max(
        (arrival - network.start for arrival in arrival_by_order.values()), default=timedelta(0)
    )
    hours = tardiness / _HOUR
    if plan.tardiness_hours is None:
        yield _figure(f"the plan has a schedule but no weighted tardiness (it is {hours:g} h)")
    elif abs(plan.tardiness_hours - hours) > slack + 1e-9 * hours:
        yield _figure(
            f"the plan states a weighted tardiness of {plan.tardiness_hours:g} h, but its "
            f"deliveries are {hours:g} priority-weighted hours late"
        )
    if plan.makespan is None:
        yield _figure(f"the plan has a schedule but no makespan (it is {_hours(makespan)})")
    elif abs(plan.makespan - makespan) > _SECOND:
        yield _figure(
            f"the plan states a makespan of {_hours(plan.makespan)}, but its last delivery "
            f"arrives {_hours(makespan)} after the network start"
        )
    yield from _bound_problems(
        "weighted tardiness", plan.tardiness_hours, plan.tardiness_bound, plan.status
    )
    yield from _bound_problems(
        "makespan",
        None if plan.makespan is None else plan.makespan / _HOUR,
        None if plan.makespan_bound is None else plan.makespan_bound / _HOUR,
        plan.status,
    )


def _bound_problems(
    what: str, value: float | None, bound: float | None, status: PlanStatus
) -> Iterator[Violation]:
    """A bound, in hours, must lie between 0 and its value; at ``optimal``, on it."""
    if bound is None:
        if status is PlanStatus.OPTIMAL:
            yield _figure(f"the plan is 'optimal' but states no bound on its {what}")
        return
    if bound < 0:
        yield _figure(f"the bound on the {what}, {bound:g} h, is negative")
    if value is None:
        return
    tolerance = 1e-6 * max(1.0, abs(value))
    if bound > value + tolerance:
        yield _figure(f"the bound on the {what}, {bound:g} h, is above it ({value:g} h)")
    elif status is PlanStatus.OPTIMAL and bound < value - tolerance:
        yield _figure(
            f"the plan is 'optimal', but the bound on its {what}, {bound:g} h, "
            f"is below its {what} of {value:g} h"
        )


def _figure(message: str) -> Violation:
    return Violation(rule="figures", subject="plan", message=message)


def _far_instants(network: Network, schedule: Schedule) -> Iterator[Violation]:
    """Instants too far from the network start to be checked against shifts."""
    named: list[tuple[str, Iterable[tuple[str, datetime]]]] = [
        (f"work order {wa.work_order_id}", (("start", wa.start), ("end", wa.end)))
        for wa in schedule.work_orders
    ]
    named += [
        (f"work order {op.work_order_id} step {op.step}", (("start", op.start), ("end", op.end)))
        for op in schedule.operations
    ]
    named += [
        (f"work order {s.work_order_id}", (("depart", s.depart), ("arrive", s.arrive)))
        for s in schedule.shipments
    ]
    named += [
        (
            f"work order {d.work_order_id} step {d.step}",
            (("depart", d.depart), ("arrive", d.arrive)),
        )
        for d in schedule.material_draws
    ]
    named += [
        (f"order {d.order_id}", (("finish", d.finish), ("arrival", d.arrival)))
        for d in schedule.deliveries
    ]
    named += [
        (f"work order {p.work_order_id}", (("ready", p.ready),)) for p in schedule.finished_parts
    ]
    for subject, instants in named:
        for what, instant in instants:
            if abs(instant - network.start) > PLAN_SPAN_LIMIT:
                yield Violation(
                    rule="horizon",
                    subject=subject,
                    message=f"{subject} has {what} {instant.isoformat()}, more than "
                    f"{PLAN_SPAN_LIMIT.days} days from the network start at "
                    f"{network.start.isoformat()}",
                )


@dataclass(frozen=True, slots=True)
class _Windows:
    """Working windows of one machine with running totals, for ``O(log n)`` lookups."""

    starts: list[datetime]
    ends: list[datetime]
    worked_before: list[timedelta]  # working time in all windows before index i

    @classmethod
    def of(cls, windows: Iterable[tuple[datetime, datetime]]) -> _Windows:
        starts: list[datetime] = []
        ends: list[datetime] = []
        totals = [timedelta(0)]
        for a, b in windows:
            starts.append(a)
            ends.append(b)
            totals.append(totals[-1] + (b - a))
        return cls(starts, ends, totals)

    def working_time(self, start: datetime, end: datetime) -> timedelta:
        return self._worked_until(end) - self._worked_until(start)

    def containing(self, instant: datetime) -> tuple[datetime, datetime] | None:
        """The window ``instant`` lies in, if any."""
        idx = bisect_right(self.starts, instant) - 1
        if idx < 0 or instant >= self.ends[idx]:
            return None
        return self.starts[idx], self.ends[idx]

    def finish(self, start: datetime, work: timedelta) -> datetime | None:
        """When ``work`` begun at ``start`` is done, pausing outside the windows."""
        target = self._worked_until(start) + work
        idx = bisect_left(self.worked_before, target) - 1
        if idx < 0 or idx >= len(self.starts):
            return None
        return self.starts[idx] + (target - self.worked_before[idx])

    def _worked_until(self, instant: datetime) -> timedelta:
        idx = bisect_right(self.starts, instant)
        if idx == 0:
            return timedelta(0)
        last = idx - 1
        return self.worked_before[last] + (min(instant, self.ends[last]) - self.starts[last])


@dataclass(frozen=True, slots=True)
class _Job:
    """A known work order on a routing its plant can run, with its ops in step order."""

    work_order: WorkOrder
    assignment: WorkOrderAssignment
    item: Item
    routing: Routing
    ops: tuple[ScheduledOperation, ...]

    @property
    def first_start(self) -> datetime:
        return min(op.start for op in self.ops)

    @property
    def last_end(self) -> datetime:
        return max(op.end for op in self.ops)


class _Validator:
    def __init__(
        self,
        network: Network,
        schedule: Schedule,
        unplanned: tuple[str | UnplannedOrder, ...],
        *,
        progress: Progress | None = None,
        previous: Plan | None = None,
        explanations: tuple[Explanation, ...] = (),
    ) -> None:
        self.previous = previous
        if progress is not None and progress.secondments:
            network = replace(network, secondments=network.secondments + progress.secondments)
        self.network = network
        self.schedule = schedule
        self.unplanned_entries = unplanned
        self.explanations = explanations
        unplanned_ids = {u if isinstance(u, str) else u.order_id for u in unplanned}
        self.order_by_id = {order.id: order for order in network.orders}
        self.expected = {wo.id: wo for wo in explode_orders(network)}
        self.root_by_order = {
            wo.order_id: wo.id for wo in self.expected.values() if wo.parent_id is None
        }
        self.facts = (
            None
            if progress is None
            else replan.ReplanFacts.of(progress, self.expected, schedule.finished_parts)
        )
        # Where new work may start: the engine lays out its windows from here.
        self.origin = network.start if progress is None else max(network.start, progress.as_of)
        self.assignments: dict[str, WorkOrderAssignment] = {}
        for wa in schedule.work_orders:
            if wa.work_order_id in self.expected:
                self.assignments.setdefault(wa.work_order_id, wa)
        self.part_by_work_order: dict[str, FinishedPart] = {}
        for part in schedule.finished_parts if progress is not None else ():
            if part.work_order_id in self.expected:
                self.part_by_work_order.setdefault(part.work_order_id, part)
        scheduled_orders = {
            self.expected[wo_id].order_id for wo_id in (*self.assignments, *self.part_by_work_order)
        }
        self.planned_orders = {
            order.id
            for order in network.orders
            if order.id not in unplanned_ids or order.id in scheduled_orders
        }
        self.ops_by_work_order: dict[str, list[ScheduledOperation]] = defaultdict(list)
        for op in schedule.operations:
            self.ops_by_work_order[op.work_order_id].append(op)
        # One span for every machine, so each machine's windows are built once. Shifts are
        # laid out in the network's zone, whatever offsets the schedule was written in.
        # It starts no later than the network start, where the engine's windows start.
        self.zone = zone = network.start.tzinfo
        self.horizon = (
            min((network.start, *(op.start for op in schedule.operations))).astimezone(zone),
            (
                max((op.end for op in schedule.operations), default=network.start) + _MINUTE
            ).astimezone(zone),
        )
        self.windows_by_machine: dict[tuple[str, str | None], _Windows] = {}
        self.jobs: dict[str, _Job] = {}
        self._crews_in_use: dict[tuple[str, str], list[tuple[datetime, datetime, int]]] | None = (
            None
        )
        self._held: list[tuple[str, str, datetime, int]] | None = None

    def run(self) -> Iterator[Violation]:
        if self.facts is not None:
            yield from replan.reported(
                self.schedule, self.expected, self.facts, self.planned_orders
            )
            yield from replan.status_date(self.schedule, self.facts)
            yield from replan.machine_down(self.network, self.schedule, self.facts)
        else:
            for part in self.schedule.finished_parts:
                yield Violation(
                    rule="reported",
                    subject=f"work order {part.work_order_id}",
                    message=f"work order {part.work_order_id!r} is a finished part, but no "
                    "progress reports it finished or parts in stock",
                )
        yield from self._work_orders()
        for wa in self.assignments.values():
            yield from self._routing(wa)
        for job in self.jobs.values():
            yield from self._operations(job)
            yield from self._routing_precedence(job)
            yield from self._assignment_times(job)
            yield from self._release(job)
        yield from self._overlaps()
        yield from self._bom_precedence()
        yield from self._design_precedence()
        yield from self._deliveries()
        yield from self._materials()
        yield from self._stock()
        yield from self._crews()
        yield from self._floor_bays()
        yield from self._levers()
        yield from self.unplanned()

    def frozen(self, previous: Plan, frozen_days: float) -> Iterator[Violation]:
        """The ``frozen`` rule: the previous plan's work in the frozen window stays put."""
        if self.facts is None or previous.schedule is None:
            return
        as_of = self.facts.as_of.astimezone(self.zone)
        until = replan.frozen_until(self.network.calendar, as_of, frozen_days)
        yield from replan.frozen(
            self.schedule, previous.schedule, self.facts, until, self.explanations
        )

    def _is_reported(self, op: ScheduledOperation) -> bool:
        return self.facts is not None and self.facts.is_reported(op)

    def _is_fact(self, wo_id: str, step: int) -> bool:
        """Whether a step is reported, or its work order finished: nothing is drawn for it."""
        facts = self.facts
        return facts is not None and (
            (wo_id, step) in facts.report_by_step or wo_id in facts.covered
        )

    def _levers(self) -> Iterator[Violation]:
        """Sheds used only when listed, the list true to the network, within budget."""
        offered = {lever.id: lever for lever in self.network.levers}
        listed: dict[str, PulledLever] = {}
        for pulled in self.schedule.levers:
            lever = offered.get(pulled.id)
            if pulled.id in listed:
                problem = "is listed twice"
            elif lever is None:
                problem = "is not a lever of the network"
            elif pulled != replace(PulledLever.of(lever), cost=pulled.cost):
                problem = (
                    f"is listed as a {pulled.kind} at {pulled.plant_id!r} from "
                    f"{pulled.usable_from:%Y-%m-%d %H:%M}, but the network offers a "
                    f"{lever.kind} at {lever.plant_id!r} from {lever.usable_from:%Y-%m-%d %H:%M}"
                )
            elif not math.isclose(pulled.cost, lever.cost, rel_tol=1e-9, abs_tol=1e-9):
                problem = f"is listed at cost {pulled.cost:g}, but costs {lever.cost:g}"
            else:
                listed[pulled.id] = pulled
                continue
            yield Violation(
                rule="lever", subject=f"lever {pulled.id}", message=f"lever {pulled.id!r} {problem}"
            )
        shed_of = {
            (plant.id, machine.id): machine.lever
            for plant in self.network.plants
            for machine in plant.machines
            if machine.lever is not None
        }
        for op in self.schedule.operations:
            lever_id = shed_of.get((op.plant_id, op.machine_id or ""))
            if lever_id is not None and lever_id not in listed:
                yield Violation(
                    rule="lever",
                    subject=f"work order {op.work_order_id} step {op.step}",
                    message=f"work order {op.work_order_id!r} step {op.step} runs on machine "
                    f"{op.machine_id!r} of lever {lever_id!r}, which the plan does not pull",
                )
        yield from self._lent_units(offered[lever_id] for lever_id in listed)
        # A lever the progress reports work on is a fact of a replan, its cost spent.
        spent = {
            shed_of[op.plant_id, op.machine_id or ""]
            for op in self.schedule.operations
            if (op.plant_id, op.machine_id or "") in shed_of and self._is_reported(op)
        }
        total = sum(offered[lever_id].cost for lever_id in listed if lever_id not in spent)
        budget = self.network.lever_budget
        if budget is not None and total > budget * (1 + 1e-9) + 1e-9:
            yield Violation(
                rule="lever",
                subject="levers",
                message=f"the levers pulled cost {total:,.2f}, more than the budget of "
                f"{budget:,.2f}",
            )

    def _lent_units(self, pulled: Iterable[Lever]) -> Iterator[Violation]:
        """No lender's step on the units it has lent, from their departure to their return."""
        for lever in pulled:
            if lever.kind is not LeverKind.MACHINE_LOAN or lever.until is None:
                continue
            lender = self.network.plant_by_id[lever.lender_id or ""]
            group = next(m for m in lender.machines if m.id == lever.machine_id)
            away = range(group.units - lever.units, group.units)
            for op in self.schedule.operations:
                if (
                    (op.plant_id, op.machine_id) == (lender.id, group.id)
                    and op.start < lever.until
                    and op.end > lever.decision
                    and any(unit in away for unit in op.held_units)
                ):
                    yield Violation(
                        rule="lever",
                        subject=f"work order {op.work_order_id} step {op.step}",
                        message=f"work order {op.work_order_id!r} step {op.step} runs on unit "
                        f"{_units(op.held_units)} of {lender.id!r} machine group {group.id!r}, "
                        f"lent by lever {lever.id!r} from {lever.decision:%Y-%m-%d %H:%M} "
                        f"to {lever.until:%Y-%m-%d %H:%M}",
                    )

    def _materials(self) -> Iterator[Violation]:
        drawn: dict[tuple[str, int, str], int] = defaultdict(int)
        for draw in self.schedule.material_draws:
            if self._is_fact(draw.work_order_id, draw.step):
                continue  # the status date and reported rules say it should not be drawn
            subject = f"work order {draw.work_order_id} step {draw.step}"
            if draw.quantity <= 0:
                # A negative draw would add stock that never existed.
                yield Violation(
                    rule="material",
                    subject=subject,
                    message=f"draws {draw.quantity} {draw.material_id} from {draw.origin!r}, "
                    "but a draw takes a positive quantity",
                )
            drawn[draw.work_order_id, draw.step, draw.material_id] += draw.quantity
            wa = self.assignments.get(draw.work_order_id)
            if wa is None or draw.destination != wa.plant_id:
                yield Violation(
                    rule="material",
                    subject=subject,
                    message=f"{draw.material_id} is sent to {draw.destination!r}, but the work "
                    "order is not made there",
                )
                continue
            lead = self.network.lead_time(draw.origin, draw.destination)
            if lead is None:
                yield _missing_lane(subject, draw.origin, draw.destination, "material")
            elif draw.arrive - draw.depart != lead:
                yield Violation(
                    rule="material",
                    subject=subject,
                    message=f"{draw.material_id} from {draw.origin!r} travels "
                    f"{_hours(draw.arrive - draw.depart)}, but the lane takes {_hours(lead)}",
                )
            step_ops = [
                o for o in self.ops_by_work_order[draw.work_order_id] if o.step == draw.step
            ]
            if step_ops and draw.arrive > step_ops[0].start:
                yield Violation(
                    rule="material",
                    subject=subject,
                    message=f"{draw.material_id} arrives at {draw.arrive.isoformat()}, after the "
                    f"step starts at {step_ops[0].start.isoformat()}",
                )
        for wo_id in self.assignments:
            wo = self.expected[wo_id]
            for line in self.network.item_by_id[wo.item_id].materials:
                step = line.step or 1
                if self._is_fact(wo_id, step):
                    continue  # its material was taken before the status date
                need = line.quantity * wo.quantity
                got = drawn.pop((wo_id, step, line.material_id), 0)
                if got != need:
                    yield Violation(
                        rule="material",
                        subject=f"work order {wo_id} step {step}",
                        message=f"needs {need} {line.material_id} at step {step}, "
                        f"but {got} is drawn",
                    )
        for wo_id, step, material_id in drawn:
            yield Violation(
                rule="material",
                subject=f"work order {wo_id} step {step}",
                message=f"draws {material_id}, which its BOM does not need at that step",
            )

    def _holdings(self) -> list[tuple[str, str, datetime, int]]:
        """What the warehouses hold and receive, as ``(plant, material, when, quantity)``:
        the network's stock at its start and its supplies, or for a replan each level
        at the status date, the supplies after it, and what the previous plan had sent
        before it that is still on its way."""
        if self._held is None:
            if self.facts is None:
                self._held = [
                    (lot.plant_id, lot.material_id, self.network.start, lot.quantity)
                    for lot in self.network.stock
                ]
                supplies = self.network.supplies
            else:
                as_of = self.facts.as_of
                levels = replan.opening_stock(self.network, self.facts.progress, self.expected)
                coming = replan.in_transit(self.facts.progress, self.previous, levels)
                self._held = [(*key, as_of, quantity) for key, quantity in levels.items()]
                self._held += coming
                supplies = tuple(s for s in self.network.supplies if s.arrives > as_of)
            self._held += [(s.plant_id, s.material_id, s.arrives, s.quantity) for s in supplies]
        return self._held

    def _stock(self) -> Iterator[Violation]:
        events: dict[tuple[str, str], list[tuple[datetime, int]]] = defaultdict(list)
        for plant_id, material_id, when, quantity in self._holdings():
            events[plant_id, material_id].append((when, quantity))
        for draw in self.schedule.material_draws:
            # A replan's draw before its status date is a status date violation; here it
            # takes from the level at that date.
            depart = draw.depart if self.facts is None else max(self.origin, draw.depart)
            events[draw.origin, draw.material_id].append((depart, -draw.quantity))
        for (plant_id, material_id), changes in events.items():
            level = 0
            # At one instant, arrivals count before departures.
            for when, change in sorted(changes, key=lambda e: (e[0], -e[1])):
                level += change
                if level < 0:
                    yield Violation(
                        rule="stock",
                        subject=f"plant {plant_id} material {material_id}",
                        message=f"the warehouse of {plant_id!r} would hold {level} "
                        f"{material_id} at {when.isoformat()}",
                    )
                    break

    def _crews(self) -> Iterator[Violation]:
        # By plant and skill: (instant, change in people at work, of them on new work).
        uses: dict[tuple[str, str], list[tuple[datetime, int, int]]] = defaultdict(list)
        for op in self.schedule.operations:
            job = self.jobs.get(op.work_order_id)
            if job is None or not 1 <= op.step <= len(job.routing.operations):
                continue  # the work order and step rules report these
            is_new = not self._is_reported(op)
            for crew in job.routing.operations[op.step - 1].crew:
                people = crew.size * len(op.held_units)
                new = people if is_new else 0
                uses[op.plant_id, crew.skill] += [
                    (op.start, people, new),
                    (op.end, -people, -new),
                ]
        offered = {lever.id: lever for lever in self.network.levers}
        pulled = [offered[p.id] for p in self.schedule.levers if p.id in offered]
        for (plant_id, skill), changes in uses.items():
            steps = self.network.staff_capacity(plant_id, skill, pulled)
            change_by_instant: dict[datetime, list[int]] = defaultdict(lambda: [0, 0])
            for when, change, new in changes:
                change_by_instant[when][0] += change
                change_by_instant[when][1] += new
            for when, _ in steps:  # capacity changes are instants to judge too
                change_by_instant.setdefault(when, [0, 0])
            level = new_level = 0
            # Work is held over [start, end): what ends at an instant hands over to what
            # starts then, so the level is judged once everything at the instant is done.
            # Reported work alone is a fact, even beyond the people the plant has.
            for when in sorted(change_by_instant):
                level += change_by_instant[when][0]
                new_level += change_by_instant[when][1]
                capacity = next((people for t, people in reversed(steps) if t <= when), 0)
                if level > capacity and (self.facts is None or new_level > 0):
                    yield Violation(
                        rule="crew",
                        subject=f"plant {plant_id} skill {skill}",
                        message=f"{level} people of skill {skill!r} are at work at "
                        f"{plant_id!r} at {when.isoformat()}, but it has {capacity}",
                    )
                    break

    def _floor_bays(self) -> Iterator[Violation]:
        """At most a plant's bays hold parts on its floor at any instant."""
        on_floor: dict[str, list[ScheduledOperation]] = defaultdict(list)
        for op in self.schedule.operations:
            if op.on_floor:
                on_floor[op.plant_id].append(op)
        for plant_id, ops in on_floor.items():
            plant = self.network.plant_by_id.get(plant_id)
            if plant is None or plant.floor is None:
                continue  # the floor rule per operation reports these
            changes = sorted([(op.start, 1) for op in ops] + [(op.end, -1) for op in ops])
            level = 0
            for when, change in changes:  # ends sort before starts at one instant
                level += change
                if level > plant.floor.bays:
                    yield Violation(
                        rule="floor",
                        subject=f"plant {plant_id} floor bays",
                        message=f"{level} parts lie on the floor of plant {plant_id!r} at "
                        f"{when.isoformat()}, but it has {plant.floor.bays} floor bays",
                    )
                    break

    def unplanned(self) -> Iterator[Violation]:
        """Each order left out must be known, absent and unplannable for a checked reason."""
        seen: set[str] = set()
        scheduled = {
            self.expected[wo_id].order_id for wo_id in (*self.assignments, *self.part_by_work_order)
        }
        drawn: dict[str, int] = defaultdict(int)
        for draw in self.schedule.material_draws:
            drawn[draw.material_id] += max(0, draw.quantity)
        for entry in self.unplanned_entries:
            order_id = entry if isinstance(entry, str) else entry.order_id
            order = self.order_by_id.get(order_id)
            problem: str | None
            if order is None:
                problem = "is listed as unplanned, but the network has no such order"
            elif order_id in seen:
                problem = "is listed as unplanned more than once"
            elif order_id in scheduled:
                problem = "is listed as unplanned, but some of its work is scheduled"
            else:
                seen.add(order_id)
                wanted = None if isinstance(entry, str) else entry.reason
                problem = self._unconfirmed(order, wanted, drawn)
                if problem is None:
                    continue
            yield Violation(
                rule="unplanned",
                subject=f"order {order_id}",
                message=f"order {order_id!r} {problem}",
            )

    def _unconfirmed(
        self, order: Order, reason: UnplannedReason | None, drawn: dict[str, int]
    ) -> str | None:
        """Why the order may not be left out for ``reason`` (any reason if ``None``)."""
        checks = {
            UnplannedReason.MISSING_CAPABILITY: self._is_incapable,
            UnplannedReason.SHORT_OF_MATERIAL: lambda o: self._is_short(o, drawn),
            UnplannedReason.UNPLACEABLE: self._is_unplaceable,
        }
        if reason is not None:
            if checks[reason](order):
                return None
            return f"is left out as {reason.value}, but {_REFUTED[reason]}"
        if any(check(order) for check in checks.values()):
            return None
        return "is left out, but the network can make it: " + "; ".join(_REFUTED.values())

    def _is_incapable(self, order: Order) -> bool:
        work_orders = explode_order(self.network, order)
        if any(not self._makers(item_id) for item_id in {wo.item_id for wo in work_orders}):
            return True
        pinned = self.network.plant_by_id.get(order.plant_id or "")
        if pinned is not None and pinned not in self._makers(order.item_id):
            return True
        return any(self._cannot_finish(wo) for wo in work_orders)

    def _cannot_finish(self, wo: WorkOrder) -> bool:
        """Whether a work order begun at a plant lacks there, at the plant's peak, the crews
        for its remaining steps by every routing its reports fit."""
        begun = self._begun(wo)
        if begun is None:
            return False
        plant, routings, reported = begun
        item = self.network.item_by_id[wo.item_id]
        return not any(self._has_crews(item, plant, r.operations[reported:]) for r in routings)

    def _begun(self, wo: WorkOrder) -> tuple[Plant, list[Routing], int] | None:
        """For a work order with reported steps (in a replan), the plant that must finish
        it, the routings its reports fit and how many steps they cover; else ``None``."""
        if self.facts is None or wo.id in self.facts.covered:
            return None
        reports = [r for (wo_id, _), r in self.facts.report_by_step.items() if wo_id == wo.id]
        plant = self.network.plant_by_id.get(reports[0].plant_id) if reports else None
        if plant is None:
            return None
        item = self.network.item_by_id[wo.item_id]
        # routing_of returns the routing it is offered when the reports fit it.
        fitting = (routing_of(self.network, wo, reports, r.id) for r in item.routings)
        return plant, [r for r in dict.fromkeys(fitting) if r is not None], len(reports)

    def _makers(self, item_id: str) -> tuple[Plant, ...]:
        """Plants with the machines for every step and, at their peak, the crews."""
        item = self.network.item_by_id[item_id]
        return tuple(plant for plant in self.network.plants if self._routings(item, plant))

    def _routings(self, item: Item, plant: Plant) -> tuple[Routing, ...]:
        return tuple(
            routing
            for routing in capable_routings(item, plant)
            if self._has_crews(item, plant, routing.operations)
        )

    def _has_crews(self, item: Item, plant: Plant, operations: Iterable[Operation]) -> bool:
        """Whether ``plant`` has, at its peak headcount, each crew the operations need: a
        step that needs a gang of at least k units (a part on the floor) needs k crews."""

        def peak(skill: str) -> int:
            steps = self.network.staff_capacity(plant.id, skill)
            return max((people for _, people in steps), default=0)

        def fewest_units(op: Operation) -> int:
            weight = item.required_weight(op)
            sizes = [
                1
                if op.gang is None
                else min(op.gang.sizes(m.units, on_floor=m.max_weight_t < weight), default=0)
                for m in capable_machines(item, op, plant)
            ]
            return min((k for k in sizes if k), default=1)

        return all(peak(c.skill) >= c.size * fewest_units(op) for op in operations for c in op.crew)

    def _is_short(self, order: Order, drawn: dict[str, int]) -> bool:
        exists: dict[str, int] = defaultdict(int)
        for _, material_id, _, quantity in self._holdings():
            exists[material_id] += quantity
        need: dict[str, int] = defaultdict(int)
        for wo in explode_order(self.network, order):
            for line in self.network.item_by_id[wo.item_id].materials:
                need[line.material_id] += line.quantity * wo.quantity
        return any(q > exists[m] - drawn[m] for m, q in need.items())

    def _is_unplaceable(self, order: Order) -> bool:
        """The order cannot be made beside the plan's other work: its end product (at
        its pinned plant, if any) cannot be finished with the machine time, people and
        material the plan leaves, its components travelling the lanes between plants and
        the work its designs gate waiting for them to be done and to reach its plant."""
        work_orders = explode_order(self.network, order)
        children: dict[str | None, list[WorkOrder]] = defaultdict(list)
        for wo in work_orders:
            children[wo.parent_id].append(wo)
        by_id = {wo.id: wo for wo in work_orders}
        gates = design_gates(work_orders)
        pinned = self.network.plant_by_id.get(order.plant_id or "")
        release = max(self.origin, order.release or self.origin)
        known: dict[str, dict[str, datetime]] = {}
        pending: set[str] = set()  # the work orders being worked out, each waiting on the next

        def earliest_finish(wo: WorkOrder) -> dict[str, datetime]:
            """By plant that can make it there, when ``wo`` can be done at the earliest."""
            if wo.id in pending:
                return {}  # it waits on itself (designs gating each other): never done
            if wo.id not in known:
                pending.add(wo.id)
                known[wo.id] = finish_by_plant(wo)
                pending.discard(wo.id)
            return known[wo.id]

        def finish_by_plant(wo: WorkOrder) -> dict[str, datetime]:
            part = self.part_by_work_order.get(wo.id)
            if part is not None:
                return {part.plant_id: part.ready}  # not made: ready where it lies
            # What must be done, and travel to the plant, before ``wo`` starts: its
            # components, and the designs that gate it, each at its earliest at whichever
            # plant gets it there first. Work begun had them (the progress checker saw to
            # it) and is finished where it began, after its reported steps.
            begun = self._begun(wo)
            made = []
            if begun is None:
                made = [earliest_finish(child) for child in children[wo.id]]
                made += [earliest_finish(by_id[design_id]) for design_id in gates.get(wo.id, ())]
            item = self.network.item_by_id[wo.item_id]
            plants = (pinned,) if pinned is not None and wo.parent_id is None else None
            start = release
            if begun is not None:
                plants = (begun[0],)
                # The rest follows the reported steps as the plan has them (a started
                # step runs on to the end the plan gives it).
                start = max(
                    (op.end for op in self.ops_by_work_order[wo.id] if op.step <= begun[2]),
                    default=release,
                )
                start = max(start, release)
            done_by_plant: dict[str, datetime] = {}
            for plant in plants or self.network.plants:
                ready: datetime | None = start
                for done_at in made:
                    arrivals = [
                        done + lead
                        for origin, done in done_at.items()
                        if (lead := self.network.lead_time(origin, plant.id)) is not None
                    ]
                    ready = None if ready is None or not arrivals else max(ready, min(arrivals))
                if ready is None:
                    continue
                options = [(routing, 0) for routing in self._routings(item, plant)]
                if begun is not None:
                    _, routings, reported = begun
                    options = [
                        (r, reported)
                        for r in routings
                        if self._has_crews(item, plant, r.operations[reported:])
                    ]
                finishes = [
                    self._earliest_finish(item, routing, plant, wo.quantity, ready, skip)
                    for routing, skip in options
                ]
                finish = min((f for f in finishes if f is not None), default=None)
                if finish is not None:
                    done_by_plant[plant.id] = finish
            return done_by_plant

        (root,) = children[None]
        return not earliest_finish(root)

    def _earliest_finish(
        self,
        item: Item,
        routing: Routing,
        plant: Plant,
        quantity: int,
        ready: datetime,
        skip: int = 0,
    ) -> datetime | None:
        """A lower bound on when ``routing`` can be done, or ``None`` if it never can:
        each step waits for the material the plan leaves, then needs a stretch in which
        the people the plan leaves make up its crews and a machine that may run it (or,
        for engineering work, the plant) works for its working time, before the
        machine leaves. The first ``skip`` steps are reported, so behind it."""
        now = ready
        for step, operation in enumerate(routing.operations, start=1):
            if step <= skip:
                continue
            for line in item.materials:
                if (line.step or 1) == step:
                    held = self._material_left(line.material_id, line.quantity * quantity, plant)
                    if held is None:
                        return None
                    now = max(now, held)
            finish = self._earliest_step_finish(item, operation, plant, quantity, now)
            if finish is None:
                return None
            now = finish
        return now

    def _earliest_step_finish(
        self, item: Item, operation: Operation, plant: Plant, quantity: int, now: datetime
    ) -> datetime | None:
        def crewed(gang: int) -> list[tuple[datetime, datetime | None]]:
            stretches: list[tuple[datetime, datetime | None]] = [(now, None)]
            for crew in operation.crew:
                steps = self.network.staff_capacity(plant.id, crew.skill)
                at_work = self._crew_use().get((plant.id, crew.skill), [])
                stretches = _intersect(stretches, _free_stretches(steps, at_work, crew.size * gang))
            return stretches

        places: list[tuple[Machine | None, timedelta, list[tuple[datetime, datetime | None]]]]
        places = []
        if operation.is_staff_only:
            work = operation.duration(quantity, plant.id, "")
            assert work is not None, "engineering work has a run time"
            places.append((None, work, crewed(1)))
        for capable in capable_machines(item, operation, plant):
            units = ((self.network.start, capable.units),)
            uses: list[tuple[datetime, datetime | None, int]] = [
                (op.start, op.end, len(op.held_units))
                for op in self.schedule.operations
                if (op.plant_id, op.machine_id) == (plant.id, capable.id)
            ]
            uses += self._units_down(plant, capable)
            on_floor = capable.max_weight_t < item.required_weight(operation)
            gangs = (
                (1,)
                if operation.gang is None
                else operation.gang.sizes(capable.units, on_floor=on_floor)
            )
            for gang in gangs:
                work = operation.duration(quantity, plant.id, capable.id, gang)
                assert work is not None, "capable machines have a run time"
                free = _free_stretches(units, uses, gang)
                places.append((capable, work, _intersect(crewed(gang), free)))
        finishes = []
        for machine, work, stretches in places:
            for opens, closes in stretches:
                limits = [max(now, opens) + PLAN_SPAN_LIMIT, closes]
                if machine is not None:
                    limits.append(machine.available_until)
                until = min(t for t in limits if t is not None)
                # Windows as the engine lays them out, from the network start (or the
                # status date), so work that fits the window it starts in stays inside it.
                origin = self.origin
                if machine is None:
                    windows = (plant.calendar or self.network.calendar).windows(origin, until)
                else:
                    windows = self.network.machine_windows(plant, machine, origin, until)
                finish = _earliest_done(windows, max(now, opens), work)
                if finish is not None:
                    finishes.append(finish)
                    break  # a later stretch starts after this one has ended
        return min(finishes, default=None)

    def _units_down(
        self, plant: Plant, machine: Machine
    ) -> list[tuple[datetime, datetime | None, int]]:
        """A replan's machine downtime as uses of the group's units; ``None`` ends a
        downtime for good never, so no stretch opens after it."""
        if self.facts is None:
            return []
        return [
            (down.start, down.end, min(machine.units, down.units or machine.units))
            for down in self.facts.progress.down
            if (down.plant_id, down.machine_id) == (plant.id, machine.id)
        ]

    def _crew_use(self) -> dict[tuple[str, str], list[tuple[datetime, datetime, int]]]:
        """People at work in the plan, by plant and skill: ``(start, end, people)``."""
        if self._crews_in_use is None:
            self._crews_in_use = defaultdict(list)
            for op in self.schedule.operations:
                job = self.jobs.get(op.work_order_id)
                if job is None or not 1 <= op.step <= len(job.routing.operations):
                    continue
                for crew in job.routing.operations[op.step - 1].crew:
                    self._crews_in_use[op.plant_id, crew.skill].append(
                        (op.start, op.end, crew.size * len(op.held_units))
                    )
        return self._crews_in_use

    def _material_left(self, material_id: str, need: int, plant: Plant) -> datetime | None:
        """The first instant by which ``need`` of a material can have reached ``plant``
        from the warehouses with a lane to it, each giving what it holds beyond the
        plan's draws from when it is sent and ever after (what is taken then is not
        there for the plan's later draws), if ever."""
        start = self.origin
        if need <= 0:
            return start
        changes: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
        for plant_id, held_id, when, quantity in self._holdings():
            if held_id == material_id:
                changes[plant_id].append((max(start, when), quantity))
        for draw in self.schedule.material_draws:
            if draw.material_id == material_id:
                changes[draw.origin].append((max(start, draw.depart), -max(0, draw.quantity)))
        # By warehouse, what may be sent from each instant on, as it reaches the plant.
        spare_by_origin: list[list[tuple[datetime, int]]] = []
        for origin, origin_changes in changes.items():
            lead = self.network.lead_time(origin, plant.id)
            if lead is None and origin == plant.id:
                lead = timedelta(0)
            if lead is None:
                continue
            levels = []
            level = 0
            for when, change in _net_changes(origin_changes):
                level += change
                levels.append((when + lead, level))
            spare: list[tuple[datetime, int]] = []
            lowest = None
            for when, level in reversed(levels):
                lowest = level if lowest is None else min(lowest, level)
                spare.append((when, max(0, lowest)))
            spare_by_origin.append(spare[::-1])
        for instant in sorted({when for spare in spare_by_origin for when, _ in spare}):
            total = 0
            for spare in spare_by_origin:
                sendable = [amount for when, amount in spare if when <= instant]
                total += sendable[-1] if sendable else 0
            if total >= need:
                return instant
        return None

    def _work_orders(self) -> Iterator[Violation]:
        seen: set[str] = set()
        for wa in self.schedule.work_orders:
            wo_id = wa.work_order_id
            if wo_id not in self.expected:
                problem = "is not in the BOM explosion of any order"
            elif wo_id in seen:
                problem = "is assigned more than once"
            else:
                seen.add(wo_id)
                yield from _mismatches(wa, self.expected[wo_id])
                continue
            yield Violation(
                rule="work_order",
                subject=f"work order {wo_id}",
                message=f"work order {wo_id!r} {problem}",
            )
        covered = frozenset() if self.facts is None else self.facts.covered
        for wo in self.expected.values():
            if wo.id in covered:
                continue  # finished: the reported rule checks its finished part
            if wo.order_id in self.planned_orders and wo.id not in self.assignments:
                yield Violation(
                    rule="work_order",
                    subject=f"work order {wo.id}",
                    message=f"work order {wo.id!r} ({wo.quantity} x {wo.item_id!r}) of order "
                    f"{wo.order_id!r} is not scheduled",
                )
        for wo_id in sorted(self.ops_by_work_order.keys() - self.expected.keys()):
            yield Violation(
                rule="work_order",
                subject=f"work order {wo_id}",
                message=f"operations are scheduled for unknown work order {wo_id!r}",
            )

    def _routing(self, wa: WorkOrderAssignment) -> Iterator[Violation]:
        wo = self.expected[wa.work_order_id]
        subject = f"work order {wo.id}"
        order = self.order_by_id[wo.order_id]
        is_end_product = wo.parent_id is None
        if is_end_product and order.plant_id is not None and wa.plant_id != order.plant_id:
            yield Violation(
                rule="pinned_plant",
                subject=subject,
                message=f"end product {wo.id!r} is built at plant {wa.plant_id!r}, "
                f"but order {order.id!r} is pinned to plant {order.plant_id!r}",
            )
        item = self.network.item_by_id[wo.item_id]
        plant = self.network.plant_by_id.get(wa.plant_id)
        routing = next((r for r in item.routings if r.id == wa.routing_id), None)
        if plant is None or routing is None:
            unknown = f"plant {wa.plant_id!r}" if plant is None else f"routing {wa.routing_id!r}"
            yield Violation(
                rule="routing",
                subject=subject,
                message=f"work order {wo.id!r} names unknown {unknown} for item {item.id!r}",
            )
            return
        if routing not in capable_routings(item, plant):
            yield Violation(
                rule="routing",
                subject=subject,
                message=f"plant {plant.id!r} cannot make item {item.id!r} by routing "
                f"{routing.id!r} for work order {wo.id!r}: a step has no capable machine there",
            )
            return
        ops = sorted(self.ops_by_work_order.get(wo.id, ()), key=lambda op: op.step)
        steps = [op.step for op in ops]
        wanted = list(range(1, len(routing.operations) + 1))
        if steps != wanted:
            yield Violation(
                rule="operation_steps",
                subject=subject,
                message=f"work order {wo.id!r} has operations for steps {steps}, "
                f"but routing {routing.id!r} has steps {wanted}",
            )
            return
        self.jobs[wo.id] = _Job(wo, wa, item, routing, tuple(ops))

    def _operations(self, job: _Job) -> Iterator[Violation]:
        for op, operation in zip(job.ops, job.routing.operations, strict=True):
            if op.process != operation.process:
                yield Violation(
                    rule="operation_steps",
                    subject=f"work order {op.work_order_id} step {op.step}",
                    message=f"work order {op.work_order_id!r} step {op.step} is scheduled as "
                    f"{op.process!r}, but routing {job.routing.id!r} needs {operation.process!r}",
                )
            if self._is_reported(op):
                # Where and when it ran are facts the reported rule checks; the plan
                # must make the rest of the work order where it was begun.
                if op.plant_id != job.assignment.plant_id:
                    yield Violation(
                        rule="reported",
                        subject=f"work order {op.work_order_id} step {op.step}",
                        message=f"work order {op.work_order_id!r} is made at plant "
                        f"{job.assignment.plant_id!r}, but its step {op.step} ran at "
                        f"{op.plant_id!r}",
                    )
                continue
            found = self._machine(job, op, operation)
            if isinstance(found, Violation):
                yield found
            else:
                yield from self._calendar(job, op, *found)

    def _machine(
        self, job: _Job, op: ScheduledOperation, operation: Operation
    ) -> tuple[Plant, Machine | None, timedelta] | Violation:
        """The op's plant, machine (none for engineering work) and work if the op may
        run there, else why not."""
        plant_id = job.assignment.plant_id
        plant = self.network.plant_by_id[plant_id]
        machine = next((m for m in plant.machines if m.id == op.machine_id), None)
        weight, grade = job.item.required_weight(operation), job.item.required_grade(operation)
        quantity = job.work_order.quantity
        work = operation.duration(quantity, plant_id, "" if machine is None else machine.id)
        if op.plant_id != plant_id:
            problem = f"runs at plant {op.plant_id!r}, but its work order is made at {plant_id!r}"
        elif operation.is_staff_only and op.machine_id is not None:
            problem = f"is engineering work, but runs on machine {op.machine_id!r}"
        elif operation.is_staff_only and work is not None:
            return plant, None, work
        elif machine is None:
            problem = f"runs on machine {op.machine_id!r}, which plant {plant_id!r} lacks"
        elif machine.process != operation.process:
            problem = (
                f"needs {operation.process!r}, but machine {machine.id!r} does {machine.process!r}"
            )
        elif machine.precision_grade > grade or (machine.max_weight_t < weight and not op.on_floor):
            problem = (
                f"needs {weight:g} t at IT{grade} or finer, but machine {machine.id!r} "
                f"takes {machine.max_weight_t:g} t at IT{machine.precision_grade}"
            )
        elif work is None:
            listed = sorted({t.machine_id for t in operation.machine_times})
            problem = (
                f"runs on machine {machine.id!r}, but the step may run only on "
                f"{', '.join(map(repr, listed))}, the machines it has times for"
            )
        elif not all(0 <= unit < machine.units for unit in (op.unit, *op.units)):
            shown = ", ".join(str(u) for u in op.held_units)
            problem = (
                f"runs on unit {shown} of machine {machine.id!r}, "
                f"which has units 0 to {machine.units - 1}"
            )
        else:
            ganged = _gang_problem(op, operation, machine, weight) or _floor_problem(
                op, operation, machine, plant, weight
            )
            if ganged is None:
                gang = len(op.held_units)
                ganged_work = operation.duration(quantity, plant_id, machine.id, gang)
                assert ganged_work is not None, "the machine has a run time"
                return plant, machine, ganged_work
            rule, problem = ganged
            return Violation(
                rule=rule,
                subject=f"work order {op.work_order_id} step {op.step}",
                message=f"work order {op.work_order_id!r} step {op.step} {problem}",
            )
        return Violation(
            rule="machine",
            subject=f"work order {op.work_order_id} step {op.step}",
            message=f"work order {op.work_order_id!r} step {op.step} {problem}",
        )

    def _calendar(
        self,
        job: _Job,
        op: ScheduledOperation,
        plant: Plant,
        machine: Machine | None,
        work: timedelta,
    ) -> Iterator[Violation]:
        subject = f"work order {op.work_order_id} step {op.step}"
        place = "with no machine" if machine is None else f"on machine {machine.id!r}"
        what = f"work order {op.work_order_id!r} step {op.step} {place}"
        start, end = op.start.isoformat(), op.end.isoformat()
        if op.start >= op.end:
            yield Violation(
                rule="calendar",
                subject=subject,
                message=f"{what} starts at {start}, not before its end at {end}",
            )
            return
        quantity = job.work_order.quantity
        problems = []
        # The engine counts whole minutes, rounding work up.
        if not work <= op.work < work + _MINUTE:
            problems.append(
                f"records {_hours(op.work)} of work, but {quantity} units need {_hours(work)}"
            )
        windows = self._windows(plant, machine)
        worked = windows.working_time(op.start, op.end)
        if worked < work:
            problems.append(
                f"has only {_hours(worked)} of working time from {start} to {end}, "
                f"but needs {_hours(work)}"
            )
        if windows.working_time(op.start, op.start + _MINUTE) <= timedelta(0):
            problems.append(f"starts at {start}, when the machine does not work")
        for problem in problems:
            yield Violation(rule="calendar", subject=subject, message=f"{what} {problem}")
        misplaced = None if problems else self._placement(op, windows)
        if misplaced is not None:
            yield Violation(rule="placement", subject=subject, message=f"{what} {misplaced}")

    def _placement(self, op: ScheduledOperation, windows: _Windows) -> str | None:
        """Why the op breaks the placement rule, if it does; see docs/engine.md."""
        start, end = op.start.astimezone(self.zone), op.end.astimezone(self.zone)
        window = windows.containing(start)
        if window is None or start < self.origin:
            return None  # the calendar, release and status date rules report these
        # The engine's windows begin at the network start, or a replan's status date.
        opens, closes = max(window[0], self.origin), window[1]
        span = f"the working window from {opens.isoformat()} to {closes.isoformat()}"
        if closes - opens >= op.work:
            done: datetime | None = start + op.work
            if end != done:
                return (
                    f"fits in {span}, so it runs inside it and ends when its "
                    f"{_hours(op.work)} of work is done at {_show(done)}, not at {end.isoformat()}"
                )
            return None
        if start != opens:
            return (
                f"needs {_hours(op.work)} of work, more than {span} holds, so it starts "
                f"when that window opens, not at {start.isoformat()}"
            )
        done = windows.finish(start, op.work)
        if end != done:
            return (
                f"starts when {span} opens and pauses over non-working time, so it ends "
                f"when its {_hours(op.work)} of work is done at {_show(done)}, "
                f"not at {end.isoformat()}"
            )
        return None

    def _windows(self, plant: Plant, machine: Machine | None) -> _Windows:
        """A machine's working windows; the plant's for engineering work."""
        key = (plant.id, None if machine is None else machine.id)
        if key not in self.windows_by_machine:
            if machine is None:
                calendar = plant.calendar or self.network.calendar
                windows = calendar.windows(*self.horizon)
            else:
                windows = self.network.machine_windows(plant, machine, *self.horizon)
            self.windows_by_machine[key] = _Windows.of(windows)
        return self.windows_by_machine[key]

    def _routing_precedence(self, job: _Job) -> Iterator[Violation]:
        for before, after in zip(job.ops, job.ops[1:], strict=False):
            if after.start < before.end and not self._is_reported(after):
                yield Violation(
                    rule="routing_precedence",
                    subject=f"work order {after.work_order_id} step {after.step}",
                    message=f"work order {after.work_order_id!r} step {after.step} starts at "
                    f"{after.start.isoformat()}, before step {before.step} ends at "
                    f"{before.end.isoformat()}",
                )

    def _assignment_times(self, job: _Job) -> Iterator[Violation]:
        wa = job.assignment
        if (wa.start, wa.end) != (job.first_start, job.last_end):
            yield Violation(
                rule="assignment_times",
                subject=f"work order {wa.work_order_id}",
                message=f"work order {wa.work_order_id!r} is assigned {wa.start.isoformat()} "
                f"to {wa.end.isoformat()}, but its operations run "
                f"{job.first_start.isoformat()} to {job.last_end.isoformat()}",
            )

    def _release(self, job: _Job) -> Iterator[Violation]:
        order = self.order_by_id[job.work_order.order_id]
        limits = [("the network start", self.network.start)]
        if order.release is not None:
            limits.append((f"the release of order {order.id!r}", order.release))
        for op in job.ops:
            for what, limit in limits:
                if op.start < limit and not self._is_reported(op):
                    yield Violation(
                        rule="release",
                        subject=f"work order {op.work_order_id} step {op.step}",
                        message=f"work order {op.work_order_id!r} step {op.step} starts at "
                        f"{op.start.isoformat()}, before {what} at {limit.isoformat()}",
                    )

    def _overlaps(self) -> Iterator[Violation]:
        ops_by_unit: dict[tuple[str, str, int], list[ScheduledOperation]] = defaultdict(list)
        for op in self.schedule.operations:
            if op.machine_id is not None:  # engineering work holds people, not machines
                for unit in set(op.held_units):
                    ops_by_unit[(op.plant_id, op.machine_id, unit)].append(op)
        for (plant_id, machine_id, unit), ops in ops_by_unit.items():
            ops.sort(key=lambda op: op.start)
            holder = ops[0]  # of the ops seen so far, the one that holds the unit longest
            for op in ops[1:]:
                if op.start < holder.end and not (
                    self._is_reported(op) and self._is_reported(holder)
                ):
                    yield Violation(
                        rule="overlap",
                        subject=f"plant {plant_id} machine {machine_id} unit {unit}",
                        message=f"work order {op.work_order_id!r} step {op.step} starts on "
                        f"plant {plant_id!r} machine {machine_id!r} unit {unit} at "
                        f"{op.start.isoformat()}, while work order {holder.work_order_id!r} "
                        f"step {holder.step} holds it until {holder.end.isoformat()}",
                    )
                if op.end > holder.end:
                    holder = op

    def _done(self, wo_id: str) -> tuple[str, datetime] | None:
        """Where and when a work order is done: its last operation, or its finished part."""
        part = self.part_by_work_order.get(wo_id)
        if part is not None:
            return part.plant_id, part.ready
        job = self.jobs.get(wo_id)
        return None if job is None else (job.assignment.plant_id, job.last_end)

    def _starts_reported(self, job: _Job) -> bool:
        """Whether the job's start is a reported fact, which no precedence can move."""
        return any(self._is_reported(op) and op.start == job.first_start for op in job.ops)

    def _design_precedence(self) -> Iterator[Violation]:
        gates = design_gates(tuple(self.expected.values()))
        for wo_id, designs in gates.items():
            gated = self.jobs.get(wo_id)
            if gated is None or self._starts_reported(gated):
                continue
            for design_id in designs:
                done = self._done(design_id)
                if done is None:
                    continue
                (origin, finish), destination = done, gated.assignment.plant_id
                lead = self.network.lead_time(origin, destination)
                if lead is None:
                    yield _missing_lane(f"work order {wo_id}", origin, destination, "a design")
                elif gated.first_start < finish + lead:
                    yield Violation(
                        rule="design_precedence",
                        subject=f"work order {wo_id}",
                        message=f"work order {wo_id!r} starts at {gated.first_start.isoformat()}, "
                        f"before its design {design_id!r}, done at "
                        f"{finish.isoformat()}, has reached plant {destination!r}",
                    )

    def _bom_precedence(self) -> Iterator[Violation]:
        shipments_by_work_order: dict[str, list[Shipment]] = defaultdict(list)
        for shipment in self.schedule.shipments:
            shipments_by_work_order[shipment.work_order_id].append(shipment)
        # Shipments of finished parts are judged by the reported rule.
        rule_by_travelling: dict[str, str] = {}
        made = [wo_id for wo_id in self.assignments if wo_id not in self.part_by_work_order]
        if self.facts is not None:
            made += [wo_id for wo_id in self.part_by_work_order if not self.facts.is_buried(wo_id)]
        for wo_id in made:
            wo = self.expected[wo_id]
            is_part = wo_id in self.part_by_work_order
            parent_wa = None if wo.parent_id is None else self.assignments.get(wo.parent_id)
            if parent_wa is None:
                continue
            rule = "reported" if is_part else "shipment"
            origin = (
                self.part_by_work_order[wo_id].plant_id
                if is_part
                else self.assignments[wo_id].plant_id
            )
            destination = parent_wa.plant_id
            subject = f"work order {wo.id}"
            if origin != destination:
                rule_by_travelling[wo.id] = rule
                if wo.id not in shipments_by_work_order:
                    yield Violation(
                        rule=rule,
                        subject=subject,
                        message=f"work order {wo.id!r} must travel from plant {origin!r} to "
                        f"plant {destination!r}, but has no shipment",
                    )
            lead = self.network.lead_time(origin, destination)
            if lead is None:
                yield _missing_lane(subject, origin, destination, f"work order {wo.id!r}")
                continue
            done, parent = self._done(wo.id), self.jobs.get(parent_wa.work_order_id)
            if done is None or parent is None:
                continue  # their own violations explain why no times can be checked
            finish, state = done[1], "ready" if is_part else "done"
            is_fixed = self._starts_reported(parent)
            if parent.first_start < finish + lead and not is_fixed:
                yield Violation(
                    rule="bom_precedence",
                    subject=subject,
                    message=f"work order {parent.work_order.id!r} starts at "
                    f"{parent.first_start.isoformat()}, before its component {wo.id!r}, {state} "
                    f"at {finish.isoformat()}, has travelled {_hours(lead)} from plant "
                    f"{origin!r} to plant {destination!r}",
                )
            for shipment in shipments_by_work_order.get(wo.id, [])[:1]:
                problems = [
                    (rule, problem)
                    for problem in _shipment_problems(
                        shipment, (origin, destination), finish, state, lead
                    )
                ]
                if shipment.arrive > parent.first_start and not is_fixed:
                    problems.append(
                        (
                            "bom_precedence" if is_part else "shipment",
                            f"arrives at {shipment.arrive.isoformat()}, after work order "
                            f"{parent.work_order.id!r} starts at {parent.first_start.isoformat()}",
                        )
                    )
                for problem_rule, problem in problems:
                    yield Violation(
                        rule=problem_rule,
                        subject=subject,
                        message=f"the shipment of work order {wo.id!r} {problem}",
                    )
        covered = frozenset() if self.facts is None else self.facts.covered
        for wo_id, shipments in shipments_by_work_order.items():
            if wo_id not in rule_by_travelling:
                is_part = wo_id in covered
                what = "finished part" if is_part else "scheduled component made"
                yield Violation(
                    rule="reported" if is_part else "shipment",
                    subject=f"work order {wo_id}",
                    message=f"work order {wo_id!r} is shipped, but it is not a {what} away "
                    "from its parent's plant",
                )
            elif len(shipments) > 1:
                yield Violation(
                    rule=rule_by_travelling[wo_id],
                    subject=f"work order {wo_id}",
                    message=f"work order {wo_id!r} has {len(shipments)} shipments instead of one",
                )

    def _deliveries(self) -> Iterator[Violation]:
        deliveries_by_order: dict[str, list[Delivery]] = defaultdict(list)
        for delivery in self.schedule.deliveries:
            deliveries_by_order[delivery.order_id].append(delivery)
        for order_id, deliveries in deliveries_by_order.items():
            if order_id not in self.planned_orders:
                problem = "is unknown or unplanned, but has a delivery"
            elif len(deliveries) > 1:
                problem = f"has {len(deliveries)} deliveries instead of one"
            else:
                continue
            yield Violation(
                rule="delivery",
                subject=f"order {order_id}",
                message=f"order {order_id!r} {problem}",
            )
        for order in self.network.orders:
            if order.id not in self.planned_orders:
                continue
            subject = f"order {order.id}"
            if order.id not in deliveries_by_order:
                yield Violation(
                    rule="delivery",
                    subject=subject,
                    message=f"order {order.id!r} is planned but has no delivery",
                )
                continue
            done = self._done(self.root_by_order[order.id])
            if done is None:
                continue  # the root's own violations explain why nothing can be checked
            delivery = deliveries_by_order[order.id][0]
            plant_id, finish = done
            lead = self.network.lead_time(plant_id, order.region)
            if lead is None:
                yield _missing_lane(subject, plant_id, order.region, f"order {order.id!r}")
            fields: dict[str, tuple[object, object]] = {
                "plant": (delivery.plant_id, plant_id),
                "region": (delivery.region, order.region),
                "finish": (delivery.finish, finish),
                "arrival": (delivery.arrival, None if lead is None else finish + lead),
                "due date": (delivery.due, order.due),
            }
            for what, (actual, wanted) in fields.items():
                if wanted is not None and actual != wanted:
                    yield Violation(
                        rule="delivery",
                        subject=subject,
                        message=f"the delivery of order {order.id!r} has {what} "
                        f"{_show(actual)}, but it should be {_show(wanted)}",
                    )


_REFUTED = {
    UnplannedReason.MISSING_CAPABILITY: "some plant can make each of its items with its "
    "machines and crews, the pinned plant included, and each work order begun at a plant "
    "can be finished there",
    UnplannedReason.SHORT_OF_MATERIAL: "the network's stock and supplies, less what the "
    "plan draws, cover each material it needs",
    UnplannedReason.UNPLACEABLE: "with the machine time, people and material the plan "
    "leaves, it could still be made",
}


def _earliest_done(
    windows: Iterable[tuple[datetime, datetime]], ready: datetime, work: timedelta
) -> datetime | None:
    """When ``work`` ready at ``ready`` is done at the earliest under the placement rule
    of docs/engine.md, if the windows hold it."""
    remaining = iter(windows)
    for a, b in remaining:
        if b <= ready:
            continue
        if b - a >= work:
            if max(ready, a) + work <= b:
                return max(ready, a) + work
        elif a >= ready:
            done = b - a
            for c, d in remaining:
                if done + (d - c) >= work:
                    return c + (work - done)
                done += d - c
            return None
    return None


def _net_changes(changes: Iterable[tuple[datetime, int]]) -> list[tuple[datetime, int]]:
    """The changes summed per instant, in time order."""
    net: dict[datetime, int] = defaultdict(int)
    for when, change in changes:
        net[when] += change
    return sorted(net.items())


def _gang_problem(
    op: ScheduledOperation, operation: Operation, machine: Machine, weight: float
) -> tuple[str, str] | None:
    """Why the units ``op`` holds are not a gang its step allows, if they are not."""
    held = op.held_units
    if op.units and op.units[0] != op.unit:
        return "gang", f"names unit {op.unit} first, but holds units {_units(op.units)}"
    if len(set(held)) != len(held):
        return "gang", f"holds units {_units(held)} of machine {machine.id!r}, one twice"
    k, gang = len(held), operation.gang
    if gang is None:
        if k > 1:
            return "gang", f"holds {k} units of machine {machine.id!r}, but it may not be ganged"
        return None
    on_floor = machine.max_weight_t < weight
    low = max(gang.min_units, gang.floor_min_units or 1) if on_floor else gang.min_units
    if not low <= k <= gang.max_units:
        where = " on the floor" if on_floor else ""
        return (
            "gang",
            f"holds {k} units of machine {machine.id!r}, but its gang{where} takes "
            f"{low} to {gang.max_units}",
        )
    return None


def _floor_problem(
    op: ScheduledOperation, operation: Operation, machine: Machine, plant: Plant, weight: float
) -> tuple[str, str] | None:
    """Why ``op`` may not have its part on (or off) the plant's floor, if it may not."""
    too_heavy = machine.max_weight_t < weight
    if op.on_floor and not too_heavy:
        return (
            "floor",
            f"lies in a floor bay, but machine {machine.id!r} takes its {weight:g} t itself",
        )
    if not op.on_floor:
        return None  # a part too heavy off the floor is the machine rule's
    if operation.gang is None or operation.gang.floor_min_units is None:
        return (
            "floor",
            f"lies on the floor, but its step does not let machine {machine.id!r} be "
            "brought to a part",
        )
    if plant.floor is None or plant.floor.max_weight_t < weight:
        has = (
            "no floor bays"
            if plant.floor is None
            else (f"floor bays for {plant.floor.max_weight_t:g} t")
        )
        return "floor", f"needs a floor bay for {weight:g} t, but plant {plant.id!r} has {has}"
    return None


def _units(units: Iterable[int]) -> str:
    return ", ".join(str(u) for u in units)


def _free_stretches(
    capacity: Iterable[tuple[datetime, int]],
    uses: Iterable[tuple[datetime, datetime | None, int]],
    size: int,
) -> list[tuple[datetime, datetime | None]]:
    """Stretches in which ``size`` of a capacity, given as steps ``(from, level)``, are
    not taken by ``uses`` ``(start, end, amount)``; ``None`` ends a use or a stretch
    never."""
    changes: list[tuple[datetime, int]] = []
    before = 0
    for when, level in capacity:
        changes.append((when, level - before))
        before = level
    for start, end, amount in uses:
        changes.append((start, -amount))
        if end is not None:
            changes.append((end, amount))
    stretches: list[tuple[datetime, datetime | None]] = []
    free, opened = 0, None
    for when, change in _net_changes(changes):
        free += change
        if free >= size and opened is None:
            opened = when
        elif free < size and opened is not None:
            stretches.append((opened, when))
            opened = None
    if opened is not None:
        stretches.append((opened, None))
    return stretches


def _intersect(
    stretches: list[tuple[datetime, datetime | None]],
    others: list[tuple[datetime, datetime | None]],
) -> list[tuple[datetime, datetime | None]]:
    """The stretches of time in both lists; ``None`` ends a stretch never."""
    both = []
    for a, b in stretches:
        for c, d in others:
            start = max(a, c)
            end = d if b is None else b if d is None else min(b, d)
            if end is None or start < end:
                both.append((start, end))
    return sorted(both, key=lambda stretch: stretch[0])


def _shipment_problems(
    shipment: Shipment,
    route: tuple[str, str],
    finish: datetime,
    state: str,
    lead: timedelta,
) -> Iterator[str]:
    """How a shipment leaves its route, leaves before the component is ``state`` (done,
    or a finished part ready) at ``finish``, or does not take the lane's lead time."""
    origin, destination = route
    if (shipment.origin, shipment.destination) != route:
        yield (
            f"goes from {shipment.origin!r} to {shipment.destination!r} instead of "
            f"from {origin!r} to {destination!r}"
        )
    if shipment.depart < finish:
        yield (
            f"departs at {shipment.depart.isoformat()}, before the work order is {state} "
            f"at {finish.isoformat()}"
        )
    if shipment.arrive != shipment.depart + lead:
        yield (
            f"arrives at {shipment.arrive.isoformat()}, not {_hours(lead)} after departing "
            f"at {shipment.depart.isoformat()}"
        )


def _mismatches(wa: WorkOrderAssignment, expected: WorkOrder) -> Iterator[Violation]:
    pairs = {
        "order": (wa.order_id, expected.order_id),
        "item": (wa.item_id, expected.item_id),
        "quantity": (wa.quantity, expected.quantity),
        "parent": (wa.parent_id, expected.parent_id),
    }
    for what, (actual, wanted) in pairs.items():
        if actual != wanted:
            yield Violation(
                rule="work_order",
                subject=f"work order {wa.work_order_id}",
                message=f"work order {wa.work_order_id!r} has {what} {actual!r}, but the BOM "
                f"explosion gives {wanted!r}",
            )


def _missing_lane(subject: str, origin: str, destination: str, who: str) -> Violation:
    return Violation(
        rule="lane",
        subject=subject,
        message=f"{who} needs transport from {origin!r} to {destination!r}, but the network "
        "has no such lane",
    )


def _show(value: object) -> str:
    return value.isoformat() if isinstance(value, datetime) else repr(value)


def _hours(duration: timedelta) -> str:
    return f"{duration / _HOUR:g} h"
