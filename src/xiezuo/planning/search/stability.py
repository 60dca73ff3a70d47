"""Plan stability: the previous plan as anchors the new plan is measured against.

A planner who replans wants the plants' work to stay put where nothing forces it to
move. Each step of the previous plan that is still to plan becomes an
:class:`~xiezuo.planning.problem.compile.Anchor`; the first objective then charges a cost for
each anchored step that changes option (plant or routing), machine group, or start by
more than the tolerance.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from xiezuo.planning.problem.compile import Anchor, Problem, minutes

if TYPE_CHECKING:
    from datetime import timedelta

    from xiezuo.domain import Plan


def anchor_previous(
    problem: Problem, previous: Plan, *, move_cost: int, tolerance: timedelta
) -> Problem:
    """``problem`` with the previous plan's steps as anchors and ``move_cost`` per move."""
    if previous.schedule is None:
        return problem
    assignment = {a.work_order_id: a for a in previous.schedule.work_orders}
    ops = {(op.work_order_id, op.step): op for op in previous.schedule.operations}
    machine_of = {(m.plant_id, m.machine_id): i for i, m in enumerate(problem.machines)}
    slack = minutes(tolerance)
    anchors = []
    for wo_idx, compiled in enumerate(problem.work_orders):
        before = assignment.get(compiled.work_order.id)
        if before is None:
            continue
        option_idx = next(
            (
                o
                for o, option in enumerate(compiled.options)
                if problem.plant_ids[option.plant_idx] == before.plant_id
                and option.routing_id == before.routing_id
            ),
            None,
        )
        if option_idx is None:
            continue  # no longer possible: it moves whatever the plan does
        for op_idx, op in enumerate(compiled.options[option_idx].ops):
            old = ops.get((compiled.work_order.id, op.step))
            machine_idx = None if old is None else machine_of.get((old.plant_id, old.machine_id))
            if old is None or machine_idx is None:
                continue
            anchors.append(
                Anchor(
                    wo_idx=wo_idx,
                    option_idx=option_idx,
                    op_idx=op_idx,
                    machine_idx=machine_idx,
                    unit=old.unit,
                    start=minutes(old.start - problem.network.start),
                    tolerance=slack,
                )
            )
    return replace(problem, anchors=tuple(anchors), move_cost=move_cost)
