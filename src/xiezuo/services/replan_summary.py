"""What a replan started from and what it kept: the few lines a planner reads first.

A replan of a real network explains dozens of frozen-window steps one by one, and the
planner's first questions are broader: what did the plants report, how much of the
previous plan moved, did the orders get later, and how much of the frozen window
held. :func:`summarise_replan` answers them from the replan's own facts; the plan
file keeps every single explanation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from xiezuo.domain import PartSource, StepStatus
from xiezuo.planning.replan.situation import frozen_window_end
from xiezuo.services.diff import UNFROZEN, diff_plans

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime, timedelta

    from xiezuo.domain import Explanation, Network, Plan, Progress

_STEP_BEFORE = re.compile(r"\bstep \d+ before it\b")
_AT_INSTANT = re.compile(r",? at \d{4}-\d\d-\d\d[ T]\d\d:\d\d\S*")


@dataclass(frozen=True, slots=True)
class UnfrozenGroup:
    """Frozen-window steps that left their place for one reason, in the plan's order."""

    reason: str
    subjects: tuple[str, ...]  # "<work order id>#<step>"


@dataclass(frozen=True, slots=True)
class FrozenWindowSummary:
    """How much of the previous plan's frozen window the replan kept.

    ``kept`` steps run where and when the previous plan had them; ``groups`` are the
    steps that had to leave (an ``unfrozen`` explanation each), largest group first;
    ``not_needed`` steps belong to work orders now reported finished or taken from
    stock, so nothing is left to make.
    """

    days: float
    end: datetime
    kept: int
    groups: tuple[UnfrozenGroup, ...]
    not_needed: int

    @property
    def left(self) -> int:
        return sum(len(group.subjects) for group in self.groups)


@dataclass(frozen=True, slots=True)
class ReplanHeadline:
    """A replan in one line: the reported facts, and the change against the previous plan.

    The ``moved_operations`` of :class:`~xiezuo.services.diff.DiffHeadline` and the
    tardiness figures are ``None`` without a previous plan.
    """

    as_of: datetime
    steps_done: int
    steps_started: int
    finished_reported: int
    finished_from_stock: int
    machines_down: tuple[str, ...]  # "<plant>/<machine group>", as reported
    moved_operations: int | None
    compared_operations: int | None
    old_tardiness_hours: float | None
    new_tardiness_hours: float | None
    frozen: FrozenWindowSummary | None


def summarise_replan(
    network: Network,
    plan: Plan,
    progress: Progress,
    previous: Plan | None,
    *,
    frozen_days: float = 0,
    tolerance: timedelta,
) -> ReplanHeadline:
    """Summarise a replan made from ``progress`` (and the ``previous`` plan it replaces).

    Parameters
    ----------
    network, plan, progress, previous
        The replan's scenario network, the new plan and the facts it was made from.
    frozen_days
        The replan's frozen window in working days; 0 for none.
    tolerance
        A step whose start moved by no more than this has not moved, as for the
        replan's stability charge and :func:`~xiezuo.services.diff.diff_plans`.

    Returns
    -------
    ReplanHeadline
    """
    finished = () if plan.schedule is None else plan.schedule.finished_parts
    moved = compared = None
    if previous is not None:
        diff = diff_plans(previous, plan, network=network, tolerance=tolerance)
        moved, compared = diff.headline.moved_operations, diff.headline.compared_operations
    frozen = None
    if previous is not None and frozen_days:
        frozen = _frozen_window(network, plan, progress, previous, frozen_days)
    return ReplanHeadline(
        as_of=progress.as_of,
        steps_done=sum(1 for s in progress.steps if s.status is StepStatus.DONE),
        steps_started=sum(1 for s in progress.steps if s.status is StepStatus.STARTED),
        finished_reported=sum(1 for p in finished if p.source is PartSource.REPORTED),
        finished_from_stock=sum(1 for p in finished if p.source is PartSource.STOCK),
        machines_down=tuple(dict.fromkeys(f"{d.plant_id}/{d.machine_id}" for d in progress.down)),
        moved_operations=moved,
        compared_operations=compared,
        old_tardiness_hours=None if previous is None else previous.tardiness_hours,
        new_tardiness_hours=plan.tardiness_hours if previous is not None else None,
        frozen=frozen,
    )


def _frozen_window(
    network: Network, plan: Plan, progress: Progress, previous: Plan, frozen_days: float
) -> FrozenWindowSummary:
    end = frozen_window_end(network, progress.as_of, frozen_days)
    reported = {(s.work_order_id, s.step) for s in progress.steps}
    unfrozen = [e for e in plan.explanations if e.kind == UNFROZEN]
    left = {e.subject for e in unfrozen}
    now = (
        {}
        if plan.schedule is None
        else {(o.work_order_id, o.step): o for o in plan.schedule.operations}
    )
    kept = not_needed = 0
    for old in () if previous.schedule is None else previous.schedule.operations:
        key = (old.work_order_id, old.step)
        if not progress.as_of <= old.start < end or key in reported:
            continue
        if f"{old.work_order_id}#{old.step}" in left:
            continue
        new = now.get(key)
        if new is None:
            not_needed += 1
        elif (new.plant_id, new.machine_id, new.unit, new.start, new.end) == (
            old.plant_id,
            old.machine_id,
            old.unit,
            old.start,
            old.end,
        ):
            kept += 1
    return FrozenWindowSummary(
        days=frozen_days,
        end=end,
        kept=kept,
        groups=group_unfrozen(unfrozen, _work_order_ids(plan, previous)),
        not_needed=not_needed,
    )


def group_unfrozen(
    explanations: Iterable[Explanation], work_order_ids: Iterable[str] = ()
) -> tuple[UnfrozenGroup, ...]:
    """Group ``unfrozen`` explanations by their reason, the sentence after the step.

    Reasons that differ only in which step or work order they name ("step 2 before
    it is not settled", "<work order> it needs is not finished before it") or in an
    instant fall into one group, so the groups read as causes, not as cases.
    """
    ids = set(work_order_ids)
    groups: dict[str, list[str]] = {}
    for explanation in explanations:
        reason = _general(_reason(explanation), ids)
        groups.setdefault(reason, []).append(explanation.subject)
    ranked = sorted(groups.items(), key=lambda item: -len(item[1]))  # stable: first seen
    return tuple(UnfrozenGroup(reason, tuple(subjects)) for reason, subjects in ranked)


def _reason(explanation: Explanation) -> str:
    """The message after "step N of <work order> leaves its frozen place: "."""
    work_order_id, _, step = explanation.subject.rpartition("#")
    lead = f"step {step} of {work_order_id} leaves its frozen place: "
    message = explanation.message
    return message[len(lead) :] if message.startswith(lead) else message


def _general(reason: str, work_order_ids: set[str]) -> str:
    reason = " ".join("a component" if w in work_order_ids else w for w in reason.split(" "))
    reason = _STEP_BEFORE.sub("the step before it", reason)
    return _AT_INSTANT.sub("", reason)


def _work_order_ids(*plans: Plan) -> set[str]:
    ids: set[str] = set()
    for plan in plans:
        if plan.schedule is not None:
            ids.update(wo.work_order_id for wo in plan.schedule.work_orders)
            ids.update(part.work_order_id for part in plan.schedule.finished_parts)
    return ids
