"""The replan rules: what a progress report fixes in a plan made from it.

A replan starts from a :class:`~xiezuo.domain.Progress` dated ``as_of``. What it
reports is history the plan must repeat exactly; everything new happens after it.
docs/plan-format.md ("Replans") states the rules checked here:

``reported``
    a done step is not an operation with its reported plant, machine, unit, start and
    end; a started step is not one with its plant, machine, unit and start, ending
    after ``as_of``; a work order is made elsewhere than its reported steps ran (the
    validator checks this one); a finished work order is not a finished part (source
    ``reported``) at its plant, ready when it was finished; a finished part is
    unknown, repeated, of another item or quantity, or takes more parts from stock
    than lie at the plant, or, from stock, is not ready at ``as_of``; work is planned
    inside a finished part's BOM subtree; a finished part's shipment to its parent is
    missing, unexpected or has the wrong route or times (the validator checks these
    with the other shipments).
``status_date``
    the plan's status date is not the progress's (``audit_plan`` checks this one, as
    only the plan has it); work that is not reported starts
    before it; material leaves a warehouse before it or is drawn for a reported step.
``machine_down``
    at some instant, the operations on a machine group and its units down exceed its
    units, with new work among those operations.
``frozen``
    an operation of the previous plan in the frozen window (not reported, starting
    from ``as_of`` for ``frozen_days`` working days of the network calendar) moved,
    and the plan has no ``unfrozen`` explanation for it.

Facts may contradict each other (two reported steps on one unit at once): a rule
that compares work with work blames the plan only where new work takes part.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from xiezuo.domain import PLAN_SPAN_LIMIT, PartSource, StepStatus
from xiezuo.planning.validation.violation import Violation

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

    from xiezuo.domain import (
        Calendar,
        Explanation,
        FinishedPart,
        FinishedWorkOrder,
        Network,
        Plan,
        Progress,
        Schedule,
        ScheduledOperation,
        StepReport,
        WorkOrder,
    )


@dataclass(frozen=True, slots=True)
class ReplanFacts:
    """A progress indexed for the rules, with what it takes out of the plan.

    ``covered`` holds every work order that is not made: those reported finished or
    given a finished part by the plan, and everything below them in the BOM.
    ``parts`` are the work orders at the top of those subtrees and the finished parts
    the plan gives (only a part that is not below another one must travel anywhere).
    """

    progress: Progress
    report_by_step: dict[tuple[str, int], StepReport]
    finished_by_work_order: dict[str, FinishedWorkOrder]
    parts: frozenset[str]
    covered: frozenset[str]
    parent_by_work_order: dict[str, str | None]

    @classmethod
    def of(
        cls,
        progress: Progress,
        expected: Mapping[str, WorkOrder],
        finished_parts: Iterable[FinishedPart],
    ) -> ReplanFacts:
        report_by_step: dict[tuple[str, int], StepReport] = {}
        for report in progress.steps:
            report_by_step.setdefault((report.work_order_id, report.step), report)
        finished_by_work_order: dict[str, FinishedWorkOrder] = {}
        for finished in progress.finished:
            finished_by_work_order.setdefault(finished.work_order_id, finished)
        parts = frozenset(
            wo_id
            for wo_id in (*finished_by_work_order, *(p.work_order_id for p in finished_parts))
            if wo_id in expected
        )
        children: dict[str, list[str]] = defaultdict(list)
        for wo in expected.values():
            if wo.parent_id is not None:
                children[wo.parent_id].append(wo.id)
        covered: set[str] = set()
        frontier = list(parts)
        while frontier:
            wo_id = frontier.pop()
            if wo_id not in covered:
                covered.add(wo_id)
                frontier.extend(children[wo_id])
        return cls(
            progress=progress,
            report_by_step=report_by_step,
            finished_by_work_order=finished_by_work_order,
            parts=parts,
            covered=frozenset(covered),
            parent_by_work_order={wo.id: wo.parent_id for wo in expected.values()},
        )

    @property
    def as_of(self) -> datetime:
        return self.progress.as_of

    def is_reported(self, op: ScheduledOperation) -> bool:
        """Whether the op is a reported step, whose times are facts rather than choices."""
        return (op.work_order_id, op.step) in self.report_by_step

    def is_buried(self, wo_id: str) -> bool:
        """Whether a work order lies below a finished one, so nothing needs it."""
        parent = self.parent_by_work_order.get(wo_id)
        while parent is not None:
            if parent in self.parts:
                return True
            parent = self.parent_by_work_order.get(parent)
        return False


def opening_stock(
    network: Network, progress: Progress, expected: Mapping[str, WorkOrder]
) -> dict[tuple[str, str], int]:
    """Each warehouse's level of each material at the status date, by (plant, material).

    A counted warehouse holds its count. Any other holds the scenario's stock, the
    supplies that arrived by ``as_of`` and the receipts, less what the reported work
    took (its material lines times the work order's quantity, for each step reported
    done or started and each finished work order, from the warehouse of the plant that
    did it), and never less than nothing.
    """
    level: dict[tuple[str, str], int] = defaultdict(int)
    for lot in network.stock:
        level[lot.plant_id, lot.material_id] += lot.quantity
    for supply in network.supplies:
        if supply.arrives <= progress.as_of:
            level[supply.plant_id, supply.material_id] += supply.quantity
    for receipt in progress.receipts:
        level[receipt.plant_id, receipt.material_id] += receipt.quantity
    # By (work order, material line): the plant that took it, each line taken once.
    taken_at: dict[tuple[str, int], str] = {}
    for report in progress.steps:
        wo = expected.get(report.work_order_id)
        if wo is not None:
            for idx, line in enumerate(network.item_by_id[wo.item_id].materials):
                if (line.step or 1) == report.step:
                    taken_at.setdefault((wo.id, idx), report.plant_id)
    for finished in progress.finished:
        wo = expected.get(finished.work_order_id)
        if wo is not None:
            for idx in range(len(network.item_by_id[wo.item_id].materials)):
                taken_at.setdefault((wo.id, idx), finished.plant_id)
    for (wo_id, idx), plant_id in taken_at.items():
        wo = expected[wo_id]
        line = network.item_by_id[wo.item_id].materials[idx]
        level[plant_id, line.material_id] -= line.quantity * wo.quantity
    levels = {key: max(0, quantity) for key, quantity in level.items()}
    for count in progress.counts:
        levels[count.plant_id, count.material_id] = count.quantity
    return levels


def in_transit(
    progress: Progress, previous: Plan | None, levels: dict[tuple[str, str], int]
) -> list[tuple[str, str, datetime, int]]:
    """Material on its way at the status date: each draw of the previous plan that left
    another plant before ``as_of``, for a step not reported and a work order not
    reported finished. It is no longer at its origin (an uncounted warehouse loses it,
    down to nothing at most) and reaches its destination as planned: by ``as_of`` into
    an uncounted level there, later as a delivery, returned as
    ``(plant, material, when, quantity)``. ``levels`` is changed in place."""
    if previous is None or previous.schedule is None:
        return []
    as_of = progress.as_of
    counted = {(c.plant_id, c.material_id) for c in progress.counts}
    reported = {(r.work_order_id, r.step) for r in progress.steps}
    finished = {f.work_order_id for f in progress.finished}
    coming = []
    for draw in previous.schedule.material_draws:
        sent_before = draw.depart < as_of and draw.origin != draw.destination
        if not sent_before or (draw.work_order_id, draw.step) in reported:
            continue
        if draw.work_order_id in finished:
            continue
        if (draw.origin, draw.material_id) not in counted:
            key = (draw.origin, draw.material_id)
            levels[key] = max(0, levels.get(key, 0) - draw.quantity)
        if draw.arrive > as_of:
            coming.append((draw.destination, draw.material_id, draw.arrive, draw.quantity))
        elif (draw.destination, draw.material_id) not in counted:
            key = (draw.destination, draw.material_id)
            levels[key] = levels.get(key, 0) + draw.quantity
    return coming


def frozen_until(calendar: Calendar, as_of: datetime, frozen_days: float) -> datetime:
    """The end of the frozen window: when ``calendar`` has worked ``frozen_days`` whole
    working days (each its shifts times their length) from ``as_of``."""
    target = calendar.shifts_per_day * calendar.shift_length * frozen_days
    worked = timedelta(0)
    for opens, closes in calendar.windows(as_of, as_of + PLAN_SPAN_LIMIT):
        if worked + (closes - opens) >= target:
            return opens + (target - worked)
        worked += closes - opens
    return as_of + PLAN_SPAN_LIMIT


def reported(
    schedule: Schedule,
    expected: Mapping[str, WorkOrder],
    facts: ReplanFacts,
    planned_orders: set[str],
) -> Iterator[Violation]:
    """The ``reported`` rule, but for finished parts' shipments (see the validator)."""
    yield from _reported_steps(schedule, expected, facts, planned_orders)
    yield from _finished_work_orders(schedule, expected, facts, planned_orders)
    yield from _finished_parts(schedule, expected, facts)
    yield from _work_in_covered_subtrees(schedule, facts)


def _reported_steps(
    schedule: Schedule,
    expected: Mapping[str, WorkOrder],
    facts: ReplanFacts,
    planned_orders: set[str],
) -> Iterator[Violation]:
    op_by_step: dict[tuple[str, int], ScheduledOperation] = {}
    for scheduled in schedule.operations:
        op_by_step.setdefault((scheduled.work_order_id, scheduled.step), scheduled)
    for (wo_id, step), report in facts.report_by_step.items():
        wo = expected.get(wo_id)
        if wo is None or wo.order_id not in planned_orders or wo_id in facts.covered:
            continue  # nothing of an unknown, unplanned or finished work order is planned
        subject = f"work order {wo_id} step {step}"
        what = f"work order {wo_id!r} step {step}, reported {report.status.value},"
        op = op_by_step.get((wo_id, step))
        if op is None:
            yield _reported(subject, f"{what} is not in the plan")
            continue
        fields: dict[str, tuple[object, object]] = {
            "plant": (op.plant_id, report.plant_id),
            "machine": (op.machine_id, report.machine_id),
            "unit": (op.unit, report.unit),
            "start": (op.start, report.start),
        }
        if report.status is StepStatus.DONE:
            fields["end"] = (op.end, report.end)
        for field, (actual, wanted) in fields.items():
            if actual != wanted:
                yield _reported(
                    subject, f"{what} has {field} {_show(actual)}, but it was {_show(wanted)}"
                )
        if report.status is StepStatus.STARTED and op.end <= facts.as_of:
            yield _reported(
                subject,
                f"{what} ends at {op.end.isoformat()}, but it was still running at the "
                f"status date {facts.as_of.isoformat()}",
            )


def _finished_work_orders(
    schedule: Schedule,
    expected: Mapping[str, WorkOrder],
    facts: ReplanFacts,
    planned_orders: set[str],
) -> Iterator[Violation]:
    part_by_work_order: dict[str, FinishedPart] = {}
    for given in schedule.finished_parts:
        part_by_work_order.setdefault(given.work_order_id, given)
    for wo_id, finished in facts.finished_by_work_order.items():
        wo = expected.get(wo_id)
        if wo is None or wo.order_id not in planned_orders or facts.is_buried(wo_id):
            continue
        subject = f"work order {wo_id}"
        what = f"work order {wo_id!r}, reported finished at {finished.plant_id!r},"
        part = part_by_work_order.get(wo_id)
        if part is None:
            yield _reported(subject, f"{what} is not a finished part of the plan")
            continue
        fields: dict[str, tuple[object, object]] = {
            "source": (part.source.value, PartSource.REPORTED.value),
            "plant": (part.plant_id, finished.plant_id),
            "ready": (part.ready, finished.finished),
        }
        for field, (actual, wanted) in fields.items():
            if actual != wanted:
                yield _reported(
                    subject,
                    f"{what} is a finished part with {field} {_show(actual)}, "
                    f"but it should be {_show(wanted)}",
                )


def _finished_parts(
    schedule: Schedule, expected: Mapping[str, WorkOrder], facts: ReplanFacts
) -> Iterator[Violation]:
    seen: set[str] = set()
    taken: dict[tuple[str, str], int] = defaultdict(int)
    for part in schedule.finished_parts:
        subject = f"work order {part.work_order_id}"
        what = f"the finished part of work order {part.work_order_id!r}"
        wo = expected.get(part.work_order_id)
        if wo is None:
            yield _reported(subject, f"{what} is for no work order of the BOM explosion")
            continue
        if wo.id in seen:
            yield _reported(subject, f"work order {wo.id!r} has more than one finished part")
            continue
        seen.add(wo.id)
        fields = {"item": (part.item_id, wo.item_id), "quantity": (part.quantity, wo.quantity)}
        for field, (actual, wanted) in fields.items():
            if actual != wanted:
                yield _reported(
                    subject, f"{what} has {field} {actual!r}, but the work order has {wanted!r}"
                )
        if part.source is PartSource.REPORTED and wo.id not in facts.finished_by_work_order:
            yield _reported(subject, f"{what} is reported finished, but the progress says not")
        elif part.source is PartSource.STOCK:
            taken[part.plant_id, part.item_id] += part.quantity
            if part.ready != facts.as_of:
                yield _reported(
                    subject,
                    f"{what} comes from stock, so it is ready at the status date "
                    f"{facts.as_of.isoformat()}, not at {part.ready.isoformat()}",
                )
    lying: dict[tuple[str, str], int] = defaultdict(int)
    for stock in facts.progress.parts:
        lying[stock.plant_id, stock.item_id] += stock.quantity
    for (plant_id, item_id), quantity in sorted(taken.items()):
        if quantity > lying[plant_id, item_id]:
            yield _reported(
                f"plant {plant_id} item {item_id}",
                f"the plan takes {quantity} x {item_id!r} from the parts in stock at "
                f"{plant_id!r}, but {lying[plant_id, item_id]} lie there",
            )


def _work_in_covered_subtrees(schedule: Schedule, facts: ReplanFacts) -> Iterator[Violation]:
    planned: dict[str, list[str]] = defaultdict(list)
    for wa in schedule.work_orders:
        planned[wa.work_order_id].append("assigned")
    for op in schedule.operations:
        planned[op.work_order_id].append(f"step {op.step} scheduled")
    for draw in schedule.material_draws:
        planned[draw.work_order_id].append(f"{draw.material_id} drawn")
    for wo_id in sorted(planned.keys() & facts.covered):
        yield _reported(
            f"work order {wo_id}",
            f"work order {wo_id!r} is {', '.join(dict.fromkeys(planned[wo_id]))}, but it is "
            "finished or lies below a finished work order, so none of it is made",
        )


def status_date(schedule: Schedule, facts: ReplanFacts) -> Iterator[Violation]:
    """New work and material draws lie at or after the status date; reported steps
    take no material (it was taken when they started)."""
    as_of = facts.as_of.isoformat()
    for op in schedule.operations:
        if not facts.is_reported(op) and op.start < facts.as_of:
            yield Violation(
                rule="status_date",
                subject=f"work order {op.work_order_id} step {op.step}",
                message=f"work order {op.work_order_id!r} step {op.step} starts at "
                f"{op.start.isoformat()}, before the status date {as_of}, but is not reported",
            )
    for draw in schedule.material_draws:
        subject = f"work order {draw.work_order_id} step {draw.step}"
        report = facts.report_by_step.get((draw.work_order_id, draw.step))
        if report is not None:
            problem = (
                f"is reported {report.status.value}, so its material was taken when it "
                f"started, but the plan draws {draw.quantity} {draw.material_id} for it"
            )
        elif draw.depart < facts.as_of:
            problem = (
                f"draws {draw.material_id} from {draw.origin!r} at {draw.depart.isoformat()}, "
                f"before the status date {as_of}"
            )
        else:
            continue
        yield Violation(
            rule="status_date",
            subject=subject,
            message=f"work order {draw.work_order_id!r} step {draw.step} {problem}",
        )


def machine_down(network: Network, schedule: Schedule, facts: ReplanFacts) -> Iterator[Violation]:
    """At any instant, a group's operations plus its units down are at most its units."""
    downs_by_group: dict[tuple[str, str], list[tuple[datetime, datetime | None, int | None]]]
    downs_by_group = defaultdict(list)
    for down in facts.progress.down:
        downs_by_group[down.plant_id, down.machine_id].append((down.start, down.end, down.units))
    ops_by_group: dict[tuple[str, str], list[ScheduledOperation]] = defaultdict(list)
    for op in schedule.operations:
        if op.machine_id is not None and (op.plant_id, op.machine_id) in downs_by_group:
            ops_by_group[op.plant_id, op.machine_id].append(op)
    for (plant_id, machine_id), downs in downs_by_group.items():
        plant = network.plant_by_id.get(plant_id)
        machine = next((m for m in plant.machines if m.id == machine_id), None) if plant else None
        if machine is None:
            continue
        # By instant: change in operations, in new operations and in units down.
        change_by_instant: dict[datetime, list[int]] = defaultdict(lambda: [0, 0, 0])
        for start, end, units in downs:
            out = min(machine.units, units or machine.units)
            change_by_instant[start][2] += out
            if end is not None:
                change_by_instant[end][2] -= out
        for op in ops_by_group[plant_id, machine_id]:
            new = 0 if facts.is_reported(op) else 1
            for when, sign in ((op.start, 1), (op.end, -1)):
                change_by_instant[when][0] += sign
                change_by_instant[when][1] += sign * new
        running = new_running = out = 0
        # Held over [start, end): the level counts once everything at an instant is done.
        for when in sorted(change_by_instant):
            ops, new_ops, units_down = change_by_instant[when]
            running, new_running, out = running + ops, new_running + new_ops, out + units_down
            down_now = min(out, machine.units)
            if new_running > 0 and running + down_now > machine.units:
                yield Violation(
                    rule="machine_down",
                    subject=f"plant {plant_id} machine {machine_id}",
                    message=f"{running} operations run on plant {plant_id!r} machine "
                    f"{machine_id!r} at {when.isoformat()}, while {down_now} of its "
                    f"{machine.units} units are down",
                )
                break


def frozen(
    schedule: Schedule,
    previous: Schedule,
    facts: ReplanFacts,
    until: datetime,
    explanations: Iterable[Explanation],
) -> Iterator[Violation]:
    """Operations of the previous plan in the frozen window keep their place, or the
    plan explains why not."""
    explained = {e.subject for e in explanations if e.kind == "unfrozen"}
    op_by_step: dict[tuple[str, int], ScheduledOperation] = {}
    for op in schedule.operations:
        op_by_step.setdefault((op.work_order_id, op.step), op)
    for old in previous.operations:
        if facts.is_reported(old) or old.work_order_id in facts.covered:
            continue  # reported work is judged as reported; finished work is not made
        if not facts.as_of <= old.start < until or f"{old.work_order_id}#{old.step}" in explained:
            continue
        new = op_by_step.get((old.work_order_id, old.step))
        place = _place(old)
        if new is not None and _place(new) == place:
            continue
        now = "is not in the plan" if new is None else f"is now {_describe(new)}"
        yield Violation(
            rule="frozen",
            subject=f"work order {old.work_order_id} step {old.step}",
            message=f"work order {old.work_order_id!r} step {old.step} was {_describe(old)} "
            f"in the previous plan, inside the frozen window to {until.isoformat()}, but {now}; "
            f"an 'unfrozen' explanation for {old.work_order_id}#{old.step} would say why",
        )


def _place(op: ScheduledOperation) -> tuple[object, ...]:
    return (op.plant_id, op.machine_id, op.unit, op.start, op.end)


def _describe(op: ScheduledOperation) -> str:
    where = "with no machine" if op.machine_id is None else f"on {op.machine_id!r} unit {op.unit}"
    return f"at plant {op.plant_id!r} {where} from {op.start.isoformat()} to {op.end.isoformat()}"


def _reported(subject: str, message: str) -> Violation:
    return Violation(rule="reported", subject=subject, message=message)


def _show(value: object) -> str:
    return value.isoformat() if isinstance(value, datetime) else repr(value)
