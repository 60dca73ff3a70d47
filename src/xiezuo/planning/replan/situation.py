"""Where the network stands at the status date, in the terms the engine plans from.

A replan does not plan history. From the progress (and the previous plan, for the
frozen window) this module works out, before anything is compiled:

- the steps already fixed, each work order's fixed steps being a prefix of its routing:
  done and started steps as reported (a started step's end follows from its remaining
  work on its unit's working time), then the previous plan's steps in the frozen
  window that can still be kept;
- the work orders not to be made: reported finished, covered by finished parts in
  stock, or with every step fixed; each stands ready at a plant from an instant;
- each warehouse's stock at the status date, after counts, receipts, reported
  consumption and the frozen steps' draws.

Why a frozen step could not be kept is said in an explanation, never silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from itertools import chain, takewhile
from typing import TYPE_CHECKING

from xiezuo.domain import (
    PLAN_SPAN_LIMIT,
    Explanation,
    FinishedPart,
    MaterialDraw,
    Network,
    PartSource,
    Plan,
    Progress,
    StepStatus,
    WorkOrder,
    capable_machines,
    design_gates,
    explode_order,
)
from xiezuo.domain.progress_rules import routing_of

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping, Sequence

    from xiezuo.domain import (
        CrewNeed,
        Operation,
        Order,
        Routing,
        Schedule,
        ScheduledOperation,
        StepReport,
        UnplannedOrder,
    )


class FixedKind(StrEnum):
    DONE = "done"
    STARTED = "started"
    FROZEN = "frozen"


@dataclass(frozen=True, slots=True, kw_only=True)
class FixedStep:
    """A routing step whose plant, machine, unit and times are settled."""

    step: int
    kind: FixedKind
    plant_id: str
    machine_id: str | None
    unit: int
    start: datetime
    end: datetime
    work: timedelta


@dataclass(frozen=True, slots=True, kw_only=True)
class FixedPrefix:
    """A work order's settled first steps, on one plant and routing."""

    plant_id: str
    item_id: str
    routing_id: str
    steps: tuple[FixedStep, ...]
    routing_length: int

    @property
    def is_complete(self) -> bool:
        return len(self.steps) == self.routing_length

    @property
    def end(self) -> datetime:
        return self.steps[-1].end


@dataclass(frozen=True, slots=True, kw_only=True)
class Down:
    """Units of a machine group out of use over ``[start, end)``; ``units`` ``None`` = all."""

    plant_id: str
    machine_id: str
    units: int | None
    start: datetime
    end: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Transit:
    """Material the previous plan sent before the status date for a step still to come:
    on its way, it reaches ``plant_id``'s warehouse at ``arrive``."""

    work_order_id: str
    step: int
    origin: str
    plant_id: str
    material_id: str
    quantity: int
    arrive: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Situation:
    """The facts a replan plans around (see the module docstring)."""

    as_of: datetime
    prefixes: dict[str, FixedPrefix] = field(default_factory=dict)
    finished: dict[str, FinishedPart] = field(default_factory=dict)
    levels: dict[tuple[str, str], int] = field(default_factory=dict)
    down: tuple[Down, ...] = ()
    transit: tuple[Transit, ...] = ()  # arriving after the status date
    frozen_draws: tuple[MaterialDraw, ...] = ()
    notes: tuple[Explanation, ...] = ()

    def ready(self, work_order_id: str) -> tuple[str, datetime] | None:
        """Plant and instant a work order not to be made stands ready from; else ``None``."""
        part = self.finished.get(work_order_id)
        if part is not None:
            return part.plant_id, part.ready
        prefix = self.prefixes.get(work_order_id)
        if prefix is not None and prefix.is_complete:
            return prefix.plant_id, prefix.end
        return None


def read_situation(
    network: Network,
    progress: Progress,
    previous: Plan | None = None,
    frozen_days: float = 0,
) -> tuple[Network, Situation]:
    """The network as it stands (progress secondments added) and the situation.

    ``progress`` has passed :func:`~xiezuo.domain.progress_rules.check_progress`.
    """
    network = replace(network, secondments=network.secondments + progress.secondments)
    work_orders = {wo.id: wo for order in network.orders for wo in explode_order(network, order)}
    previous_routing = _previous_routings(previous)
    reports: dict[str, list[StepReport]] = {}
    for report in progress.steps:
        reports.setdefault(report.work_order_id, []).append(report)
    prefixes: dict[str, FixedPrefix] = {}
    for wo_id, wo_reports in reports.items():
        wo = work_orders[wo_id]
        routing = routing_of(network, wo, wo_reports, previous_routing.get(wo_id))
        assert routing is not None, "checked progress has a routing for every report"
        steps = tuple(
            _fixed(network, wo, routing.operations[r.step - 1], r, progress.as_of)
            for r in sorted(wo_reports, key=lambda r: r.step)
        )
        prefixes[wo_id] = FixedPrefix(
            plant_id=wo_reports[0].plant_id,
            item_id=wo.item_id,
            routing_id=routing.id,
            steps=steps,
            routing_length=len(routing.operations),
        )
    finished = {
        f.work_order_id: FinishedPart(
            work_order_id=f.work_order_id,
            item_id=work_orders[f.work_order_id].item_id,
            quantity=work_orders[f.work_order_id].quantity,
            plant_id=f.plant_id,
            ready=f.finished,
            source=PartSource.REPORTED,
        )
        for f in progress.finished
    }
    down = tuple(
        Down(plant_id=d.plant_id, machine_id=d.machine_id, units=d.units, start=d.start, end=d.end)
        for d in progress.down
    )
    levels = _levels_at(network, progress, prefixes, finished, work_orders)
    transit = _in_transit(progress, previous, levels)
    _cover_from_parts(network, progress, work_orders, prefixes, finished)
    # Below a finished or stocked work order nothing is made: steps reported there are
    # history that counted only for the material they took.
    for wo_id in [w for w in prefixes if below_finished(work_orders, w, finished)]:
        del prefixes[wo_id]
    situation = Situation(
        as_of=progress.as_of,
        prefixes=prefixes,
        finished=finished,
        levels=levels,
        down=down,
        transit=transit,
    )
    if previous is not None and previous.schedule is not None and frozen_days > 0:
        situation = _freeze(network, situation, previous, frozen_days, work_orders)
    return network, situation


def _previous_routings(previous: Plan | None) -> dict[str, str]:
    if previous is None or previous.schedule is None:
        return {}
    return {a.work_order_id: a.routing_id for a in previous.schedule.work_orders}


def _fixed(
    network: Network, wo: WorkOrder, op: Operation, report: StepReport, as_of: datetime
) -> FixedStep:
    full = _step_work(network, wo, op, report.plant_id, report.machine_id)
    if report.status is StepStatus.DONE:
        assert report.end is not None, "a done step has its end"
        return FixedStep(
            step=report.step,
            kind=FixedKind.DONE,
            plant_id=report.plant_id,
            machine_id=report.machine_id,
            unit=report.unit,
            start=report.start,
            end=report.end,
            work=full,
        )
    run = (full - op.setup) / wo.quantity  # of one unit
    if report.work_done is None and report.quantity_done is not None:
        remaining = run * (wo.quantity - report.quantity_done)
    else:
        behind = report.work_done
        if behind is None:
            windows = _step_windows(network, report.plant_id, report.machine_id, report.start)
            behind = sum(
                (min(b, as_of) - a for a, b in takewhile(lambda w: w[0] < as_of, windows)),
                start=timedelta(0),
            )
        remaining = full - behind + run * report.scrapped
    if remaining <= timedelta(0):
        remaining = min(run, full)  # still running past its estimate: one unit more
    # Past the status date even when the unit has no working time left (it leaves
    # service): a started step was running then.
    end = max(
        _finish(
            _step_windows(network, report.plant_id, report.machine_id, as_of),
            as_of,
            max(remaining, timedelta(minutes=1)),
        ),
        as_of + timedelta(minutes=1),
    )
    return FixedStep(
        step=report.step,
        kind=FixedKind.STARTED,
        plant_id=report.plant_id,
        machine_id=report.machine_id,
        unit=report.unit,
        start=report.start,
        end=max(end, report.start + timedelta(minutes=1)),
        work=full,
    )


def _step_work(
    network: Network, wo: WorkOrder, op: Operation, plant_id: str, machine_id: str | None
) -> timedelta:
    if machine_id is None:
        assert op.run_per_unit is not None, "engineering work has a run time"
        return op.setup + op.run_per_unit * wo.quantity
    duration = op.duration(wo.quantity, plant_id, machine_id)
    assert duration is not None, "checked progress runs steps on eligible machines"
    return duration


def _step_windows(
    network: Network, plant_id: str, machine_id: str | None, start: datetime
) -> Iterator[tuple[datetime, datetime]]:
    """Working windows of the unit (or, for engineering, the plant) from ``start`` on."""
    plant = network.plant_by_id[plant_id]
    horizon = start + timedelta(days=20 * 366)
    if machine_id is None:
        yield from (plant.calendar or network.calendar).windows(start, horizon)
    else:
        yield from network.machine_windows(plant, plant.machine(machine_id), start, horizon)


def _finish(
    windows: Iterable[tuple[datetime, datetime]], start: datetime, work: timedelta
) -> datetime:
    """When ``work`` of working time begun at ``start`` is done, pausing over breaks
    (windows are read only as far as needed); the last window's end if they run out."""
    left = max(work, timedelta(0))
    last = start
    if not left:
        return start
    for a, b in windows:
        last = b
        a = max(a, start)
        if b <= a:
            continue
        if b - a >= left:
            return a + left
        left -= b - a
    return last


def _levels_at(
    network: Network,
    progress: Progress,
    prefixes: dict[str, FixedPrefix],
    finished: dict[str, FinishedPart],
    work_orders: dict[str, WorkOrder],
) -> dict[tuple[str, str], int]:
    """Stock of every warehouse at the status date (see the module docstring)."""
    levels: dict[tuple[str, str], int] = {}
    for lot in network.stock:
        key = (lot.plant_id, lot.material_id)
        levels[key] = levels.get(key, 0) + lot.quantity
    for supply in network.supplies:
        key = (supply.plant_id, supply.material_id)
        levels[key] = levels.get(key, 0) + (
            supply.quantity if supply.arrives <= progress.as_of else 0
        )
    for receipt in progress.receipts:
        key = (receipt.plant_id, receipt.material_id)
        levels[key] = levels.get(key, 0) + receipt.quantity
    consumed: dict[tuple[str, str], int] = {}

    def consume(plant_id: str, wo: WorkOrder, steps: set[int] | None) -> None:
        for line in network.item_by_id[wo.item_id].materials:
            if steps is None or (line.step or 1) in steps:
                key = (plant_id, line.material_id)
                consumed[key] = consumed.get(key, 0) + line.quantity * wo.quantity

    for wo_id, prefix in prefixes.items():
        consume(prefix.plant_id, work_orders[wo_id], {s.step for s in prefix.steps})
    for wo_id, part in finished.items():
        consume(part.plant_id, work_orders[wo_id], None)
    for key, used in consumed.items():
        levels[key] = max(0, levels.get(key, 0) - used)
    for count in progress.counts:
        levels[count.plant_id, count.material_id] = count.quantity
    return levels


def _in_transit(
    progress: Progress, previous: Plan | None, levels: dict[tuple[str, str], int]
) -> tuple[Transit, ...]:
    """Material the previous plan sent before the status date for steps not reported, of
    work orders not reported finished: it has left its origin (an uncounted warehouse
    loses it, never below zero) and reaches its destination when planned (into the
    level at the status date if by then and uncounted; else returned, to arrive)."""
    if previous is None or previous.schedule is None:
        return ()
    counted = {(c.plant_id, c.material_id) for c in progress.counts}
    reported = {(s.work_order_id, s.step) for s in progress.steps}
    finished = {f.work_order_id for f in progress.finished}
    arriving = []
    for d in previous.schedule.material_draws:
        if d.depart >= progress.as_of or d.origin == d.destination:
            continue
        if (d.work_order_id, d.step) in reported or d.work_order_id in finished:
            continue
        origin = (d.origin, d.material_id)
        if origin not in counted:
            levels[origin] = max(0, levels.get(origin, 0) - d.quantity)
        destination = (d.destination, d.material_id)
        if d.arrive > progress.as_of:
            arriving.append(
                Transit(
                    work_order_id=d.work_order_id,
                    step=d.step,
                    origin=d.origin,
                    plant_id=d.destination,
                    material_id=d.material_id,
                    quantity=d.quantity,
                    arrive=d.arrive,
                )
            )
        elif destination not in counted:
            levels[destination] = levels.get(destination, 0) + d.quantity
    return tuple(arriving)


def _cover_from_parts(
    network: Network,
    progress: Progress,
    work_orders: dict[str, WorkOrder],
    prefixes: dict[str, FixedPrefix],
    finished: dict[str, FinishedPart],
) -> None:
    """Let finished parts in stock stand in for whole work orders, most urgent order first,
    top of each BOM first (a part covering an assembly spares everything below it)."""
    left = {(p.plant_id, p.item_id): 0 for p in progress.parts}
    for p in progress.parts:
        left[p.plant_id, p.item_id] += p.quantity
    if not left:
        return
    by_order: dict[str, list[WorkOrder]] = {}
    for wo in work_orders.values():
        by_order.setdefault(wo.order_id, []).append(wo)

    def urgency(order: Order) -> tuple[bool, datetime, int]:
        return (order.due is None, order.due or network.start, -order.priority)

    for order in sorted(network.orders, key=urgency):
        covered: set[str] = set()
        for wo in sorted(by_order.get(order.id, ()), key=lambda w: w.depth):
            if wo.parent_id in covered or wo.id in finished:
                covered.add(wo.id)
                continue
            if wo.id in prefixes or wo.is_design:
                continue
            plant = next(
                (
                    plant_id
                    for (plant_id, item_id), quantity in sorted(left.items())
                    if item_id == wo.item_id and quantity >= wo.quantity
                ),
                None,
            )
            if plant is None:
                continue
            left[plant, wo.item_id] -= wo.quantity
            covered.add(wo.id)
            finished[wo.id] = FinishedPart(
                work_order_id=wo.id,
                item_id=wo.item_id,
                quantity=wo.quantity,
                plant_id=plant,
                ready=progress.as_of,
                source=PartSource.STOCK,
            )


def below_finished(
    work_orders: Mapping[str, WorkOrder], wo_id: str, finished: Mapping[str, FinishedPart]
) -> bool:
    """Whether a finished part stands in for something above ``wo_id``: then nothing of
    it is made or needed."""
    parent = work_orders[wo_id].parent_id
    while parent is not None:
        if parent in finished:
            return True
        parent = work_orders[parent].parent_id
    return False


def frozen_window_end(network: Network, as_of: datetime, days: float) -> datetime:
    """When the network calendar has worked ``days`` working days (each its shifts times
    their length) from ``as_of``: the end of the frozen window."""
    calendar = network.calendar
    target = calendar.shift_length * calendar.shifts_per_day * days
    worked = timedelta(0)
    for opens, closes in calendar.windows(as_of, as_of + PLAN_SPAN_LIMIT):
        if worked + (closes - opens) >= target:
            return opens + (target - worked)
        worked += closes - opens
    return as_of + PLAN_SPAN_LIMIT


def unkept_frozen(
    network: Network,
    situation: Situation,
    previous: Plan,
    frozen_days: float,
    schedule: Schedule,
    unplanned: Sequence[UnplannedOrder],
) -> tuple[Explanation, ...]:
    """An ``unfrozen`` note for each step of the frozen window that the final plan does
    not have in its old place and no note explains yet: its order was left out, or
    what it makes is no longer made."""
    if previous.schedule is None:
        return ()
    cutoff = frozen_window_end(network, situation.as_of, frozen_days)
    said = {n.subject for n in situation.notes if n.kind == "unfrozen"}
    now = {(op.work_order_id, op.step): op for op in schedule.operations}
    left_out = {u.order_id: u.message for u in unplanned}
    order_of = {a.work_order_id: a.order_id for a in previous.schedule.work_orders}
    notes = []
    for old in previous.schedule.operations:
        subject = f"{old.work_order_id}#{old.step}"
        if not situation.as_of <= old.start < cutoff or subject in said:
            continue
        new = now.get((old.work_order_id, old.step))
        if new is not None and _same_place(old, new):
            continue
        order_id = order_of.get(old.work_order_id, "")
        if order_id in left_out:
            why = f"its order {order_id} is left out of the plan ({left_out[order_id]})"
        elif new is None:
            why = "the plan no longer makes it (finished, from stock, or by another routing)"
        else:
            why = "the plan had to move it"
        notes.append(
            Explanation(
                kind="unfrozen",
                subject=subject,
                message=f"step {old.step} of {old.work_order_id} leaves its frozen place: {why}",
            )
        )
    return tuple(notes)


def _same_place(old: ScheduledOperation, new: ScheduledOperation) -> bool:
    keys = ("plant_id", "machine_id", "unit", "start", "end")
    return all(getattr(old, k) == getattr(new, k) for k in keys)


def _freeze(
    network: Network,
    situation: Situation,
    previous: Plan,
    frozen_days: float,
    work_orders: dict[str, WorkOrder],
) -> Situation:
    """Extend fixed prefixes with the previous plan's steps that start in the frozen window
    and can still run where and when they were planned."""
    assert previous.schedule is not None
    cutoff = frozen_window_end(network, situation.as_of, frozen_days)
    as_of = situation.as_of
    by_wo: dict[str, list[ScheduledOperation]] = {}
    for op in previous.schedule.operations:
        by_wo.setdefault(op.work_order_id, []).append(op)
    assignment = {a.work_order_id: a for a in previous.schedule.work_orders}
    draws: dict[tuple[str, int], list[MaterialDraw]] = {}
    for draw in previous.schedule.material_draws:
        draws.setdefault((draw.work_order_id, draw.step), []).append(draw)
    prefixes = dict(situation.prefixes)
    levels = dict(situation.levels)
    transit = list(situation.transit)
    frozen_draws: list[MaterialDraw] = []
    notes: list[Explanation] = []
    pinned = [
        (p.plant_id, s.machine_id, s.unit, s.start, s.end)
        for p in prefixes.values()
        for s in p.steps
        if s.kind is FixedKind.STARTED
    ]
    # (plant, skill, start, end, people) of the crews at work on steps kept in place.
    crews: list[tuple[str, str, datetime, datetime, int]] = []
    for p in prefixes.values():
        routing = _routing(network, p.item_id, p.routing_id)
        for st in p.steps:
            if st.kind is FixedKind.STARTED and st.end > as_of:
                crews += [
                    (p.plant_id, c.skill, st.start, st.end, c.size)
                    for c in routing.operations[st.step - 1].crew
                ]
    inputs = _Inputs(network)
    candidates = sorted(
        (op for ops in by_wo.values() for op in ops if as_of <= op.start < cutoff),
        key=lambda op: (op.start, op.step),
    )

    def refuse(op: ScheduledOperation, why: str) -> None:
        notes.append(
            Explanation(
                kind="unfrozen",
                subject=f"{op.work_order_id}#{op.step}",
                message=f"step {op.step} of {op.work_order_id} leaves its frozen place: {why}",
            )
        )

    for op in candidates:
        wo = work_orders.get(op.work_order_id)
        planned = assignment.get(op.work_order_id)
        if wo is None or planned is None:
            refuse(op, "its order is no longer in the scenario")
            continue
        if op.work_order_id in situation.finished or below_finished(
            work_orders, op.work_order_id, situation.finished
        ):
            continue  # nothing to make any more: not a change anyone must be told of
        why = (
            "a replan does not hold ganged work in place yet; it is planned afresh"
            if op.gang > 1 or op.on_floor
            else _why_not_frozen(
                network, situation, prefixes, op, wo, planned.routing_id, pinned, inputs
            )
        )
        step_crew: tuple[CrewNeed, ...] = ()
        if why is None:
            spec = _routing(network, wo.item_id, planned.routing_id).operations[op.step - 1]
            step_crew = spec.crew
            why = _off_shift(network, op) or _crew_short(network, op, step_crew, crews)
        # Each draw sent before the status date matches the transfer on its way for it.
        on_way = [t for t in transit if (t.work_order_id, t.step) == (op.work_order_id, op.step)]
        step_draws: list[tuple[MaterialDraw, Transit | None]] = []
        for d in draws.get((op.work_order_id, op.step), []):
            match = next(
                (
                    t
                    for t in on_way
                    if (t.origin, t.material_id, t.quantity, t.arrive)
                    == (d.origin, d.material_id, d.quantity, d.arrive)
                ),
                None,
            )
            if match is not None:
                on_way.remove(match)
            step_draws.append((_on_its_way(d, as_of), match))
        if why is None and any(
            match is None and levels.get((d.origin, d.material_id), 0) < d.quantity
            for d, match in step_draws
        ):
            why = "the stock it was to draw is no longer there"
        if why is not None:
            refuse(op, why)
            continue
        for d, match in step_draws:
            if match is not None:
                transit.remove(match)  # it comes for this step alone
            else:
                levels[d.origin, d.material_id] -= d.quantity
            frozen_draws.append(d)
        item = network.item_by_id[wo.item_id]
        routing = next(r for r in item.routings if r.id == planned.routing_id)
        fixed = FixedStep(
            step=op.step,
            kind=FixedKind.FROZEN,
            plant_id=op.plant_id,
            machine_id=op.machine_id,
            unit=op.unit,
            start=op.start,
            end=op.end,
            work=op.work,
        )
        prefix = prefixes.get(op.work_order_id)
        prefixes[op.work_order_id] = FixedPrefix(
            plant_id=op.plant_id,
            item_id=wo.item_id,
            routing_id=planned.routing_id,
            steps=(*(prefix.steps if prefix else ()), fixed),
            routing_length=len(routing.operations),
        )
        pinned.append((op.plant_id, op.machine_id, op.unit, op.start, op.end))
        crews += [(op.plant_id, c.skill, op.start, op.end, c.size) for c in step_crew]
    return replace(
        situation,
        prefixes=prefixes,
        levels=levels,
        transit=tuple(transit),
        frozen_draws=tuple(frozen_draws),
        notes=(*situation.notes, *notes),
    )


def _routing(network: Network, item_id: str, routing_id: str) -> Routing:
    return next(r for r in network.item_by_id[item_id].routings if r.id == routing_id)


def _off_shift(network: Network, op: ScheduledOperation) -> str | None:
    """Why ``op`` breaks the placement rule of new work on its unit's working time (a
    step the previous plan had as reported history may), or ``None``."""
    windows = _step_windows(network, op.plant_id, op.machine_id, op.start)
    first = next(windows, None)
    if first is None or first[0] > op.start:
        return "its machine does not work when it was to start"
    opens, closes = first
    if op.start + op.work <= closes:
        expected = op.start + op.work
    elif op.start == opens:
        expected = _finish(chain([first], windows), op.start, op.work)
    else:
        return "it no longer fits its machine's working time"
    return None if expected == op.end else "it no longer fits its machine's working time"


def _crew_short(
    network: Network,
    op: ScheduledOperation,
    crew: tuple[CrewNeed, ...],
    busy: list[tuple[str, str, datetime, datetime, int]],
) -> str | None:
    """Why the people ``op`` needs are not there while it runs, beside the crews of the
    steps already kept (the progress's secondments counted), or ``None``."""
    for need in crew:
        steps = network.staff_capacity(op.plant_id, need.skill)
        others = [
            (a, b, n)
            for p, k, a, b, n in busy
            if (p, k) == (op.plant_id, need.skill) and a < op.end and b > op.start
        ]
        points = {op.start} | {a for a, _, _ in others if a > op.start}
        points |= {t for t, _ in steps if op.start < t < op.end}
        for point in points:
            people = next((n for t, n in reversed(steps) if t <= point), 0)
            at_work = sum(n for a, b, n in others if a <= point < b)
            if at_work + need.size > people:
                return f"{need.skill} people are short then ({people} there, {at_work} busy)"
    return None


def _on_its_way(draw: MaterialDraw, as_of: datetime) -> MaterialDraw:
    """A frozen step's draw; one sent before the status date is on its way, so the step
    takes it from its own plant's warehouse once it is there."""
    if draw.depart >= as_of:
        return draw
    when = max(as_of, draw.arrive)
    return replace(draw, origin=draw.destination, depart=when, arrive=when)


def _why_not_frozen(
    network: Network,
    situation: Situation,
    prefixes: dict[str, FixedPrefix],
    op: ScheduledOperation,
    wo: WorkOrder,
    routing_id: str,
    pinned: list[tuple[str, str | None, int, datetime, datetime]],
    inputs: _Inputs,
) -> str | None:
    """Why a step of the previous plan cannot keep its place; ``None`` if it can."""
    plant = network.plant_by_id.get(op.plant_id)
    item = network.item_by_id[wo.item_id]
    routing = next((r for r in item.routings if r.id == routing_id), None)
    if plant is None or routing is None or op.step > len(routing.operations):
        return "its plant or routing is no longer in the scenario"
    spec = routing.operations[op.step - 1]
    if op.machine_id is not None:
        machine = next((m for m in plant.machines if m.id == op.machine_id), None)
        if machine is None or machine not in capable_machines(item, spec, plant, with_levers=True):
            return f"machine group {op.machine_id} can no longer make it"
        if op.unit >= machine.units:
            return f"machine group {op.machine_id} has no unit {op.unit} any more"
    if _step_work(network, wo, spec, op.plant_id, op.machine_id) != op.work:
        return "its work changed with the scenario"
    prefix = prefixes.get(op.work_order_id)
    done_steps = len(prefix.steps) if prefix else 0
    if prefix is not None and (prefix.plant_id, prefix.routing_id) != (op.plant_id, routing_id):
        return "earlier steps were reported at another plant or by another routing"
    if done_steps != op.step - 1:
        return f"step {op.step - 1} before it is not settled"
    if prefix is not None and prefix.end > op.start:
        return f"step {op.step - 1} before it now ends later, at {prefix.end:%Y-%m-%d %H:%M}"
    if op.step == 1:
        for component in inputs(wo):
            ready = situation.ready(component) or _complete(prefixes, component)
            if ready is None:
                return f"{component} it needs is not finished before it"
            lead = network.lead_time(ready[0], op.plant_id)
            if lead is None or ready[1] + lead > op.start:
                return f"{component} it needs cannot be at {op.plant_id} in time"
    if op.machine_id is not None:
        units = plant.machine(op.machine_id).units
        for d in situation.down:
            if (d.plant_id, d.machine_id) != (op.plant_id, op.machine_id):
                continue
            if d.start < op.end and (d.end is None or d.end > op.start):
                busy = sum(
                    1
                    for p, m, _, a, b in pinned
                    if (p, m) == (op.plant_id, op.machine_id) and a < op.end and b > op.start
                )
                if d.units is None or busy + 1 + d.units > units:
                    return f"machine group {op.machine_id} is reported down then"
        if any(
            (p, m, u) == (op.plant_id, op.machine_id, op.unit) and a < op.end and b > op.start
            for p, m, u, a, b in pinned
        ):
            return f"unit {op.unit} of {op.machine_id} is taken by reported work"
    return None


class _Inputs:
    """IDs of the work orders that must be done before a work order starts: its
    components and the design work above or beside it; each order exploded once."""

    def __init__(self, network: Network) -> None:
        self._network = network
        self._orders = {o.id: o for o in network.orders}
        self._trees: dict[str, tuple[tuple[WorkOrder, ...], dict[str, tuple[str, ...]]]] = {}

    def __call__(self, wo: WorkOrder) -> list[str]:
        if wo.order_id not in self._trees:
            tree = explode_order(self._network, self._orders[wo.order_id])
            self._trees[wo.order_id] = (tree, design_gates(tree))
        tree, gates = self._trees[wo.order_id]
        return [w.id for w in tree if w.parent_id == wo.id] + list(gates.get(wo.id, ()))


def _complete(prefixes: dict[str, FixedPrefix], wo_id: str) -> tuple[str, datetime] | None:
    prefix = prefixes.get(wo_id)
    if prefix is not None and prefix.is_complete:
        return prefix.plant_id, prefix.end
    return None
