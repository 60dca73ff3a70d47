"""Progress as the plants would report it had a plan run exactly as planned.

A planner tries a replan before the real reports are in ("what if the first week goes
as planned and the press at WJ breaks?"); benchmarks and tests need realistic progress
for any plan. Steps ended by the status date are done at their planned times, steps
running then are started on their planned units; nothing else is reported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from xiezuo.domain import Progress, StepReport, StepStatus

if TYPE_CHECKING:
    from datetime import datetime

    from xiezuo.domain import MachineDown, Plan


def progress_as_planned(
    plan: Plan, as_of: datetime, *, down: tuple[MachineDown, ...] = ()
) -> Progress:
    """The progress of ``plan`` at ``as_of`` had it run as planned, with ``down`` added."""
    steps = []
    operations = () if plan.schedule is None else plan.schedule.operations
    for op in operations:
        if op.start >= as_of:
            continue
        done = op.end <= as_of
        steps.append(
            StepReport(
                work_order_id=op.work_order_id,
                step=op.step,
                status=StepStatus.DONE if done else StepStatus.STARTED,
                plant_id=op.plant_id,
                machine_id=op.machine_id,
                unit=op.unit,
                start=op.start,
                end=op.end if done else None,
            )
        )
    return Progress(as_of=as_of, steps=tuple(steps), down=down)
