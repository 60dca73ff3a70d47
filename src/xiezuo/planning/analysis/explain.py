"""Why an order is late: too little time even alone, or waiting behind other orders.

For each late order the critical chain is walked back from its delivery: at every
operation, the gap between when it could have started (previous step done, or its
latest component arrived) and when it did start is charged to the machine unit's
previous job (a capacity wait) or to non-working time (a calendar wait).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from typing import TYPE_CHECKING

from xiezuo.domain import Explanation, Supply
from xiezuo.planning.problem.bounds import relaxation_bounds
from xiezuo.planning.problem.extract import arrivals

if TYPE_CHECKING:
    from xiezuo.planning.problem.compile import Problem
    from xiezuo.planning.problem.solution import Solution

_DAY = 24 * 60


def explain_late_orders(problem: Problem, solution: Solution) -> tuple[Explanation, ...]:
    """One explanation per late order, naming what held it up, and one per order that
    is on time but waited for material (the planner's "who waits for copper")."""
    units: dict[tuple[int, int], list[tuple[int, int, int]]] = defaultdict(list)
    for wo_idx, placement in enumerate(solution):
        for op in placement.ops:
            units[op.machine_idx, op.unit].append((op.end, op.start, wo_idx))
    for jobs in units.values():
        jobs.sort()
    explanations = []
    # The proven earliest arrivals, so "even with every machine free" is a fact.
    relaxed = relaxation_bounds(problem).arrival
    work_orders_of: dict[int, list[int]] = defaultdict(list)
    for wo_idx, compiled in enumerate(problem.work_orders):
        work_orders_of[compiled.order_idx].append(wo_idx)
    supplies = _supplies_by_minute(problem)
    for order_idx, (order, arrival) in enumerate(
        zip(problem.orders, arrivals(problem, solution), strict=True)
    ):
        held = _held_by_material(problem, solution, work_orders_of[order_idx], supplies)
        if order.due is None or arrival <= order.due:
            if held:
                explanations.append(
                    Explanation(
                        kind="material wait",
                        subject=order.order_id,
                        message=f"on time, but it waits for material: {'; '.join(held[:3])}",
                    )
                )
            continue
        late = f"arrives {_days(arrival - order.due)} late"
        if held:
            late += f"; it waits for material: {'; '.join(held[:3])}"
        alone = relaxed[order_idx]
        if alone > order.due:
            explanations.append(
                Explanation(
                    kind="late",
                    subject=order.order_id,
                    message=(
                        f"{late}; even with every machine free it could not arrive before "
                        f"{_days(alone - order.due)} after its due date: its chain of work, "
                        "material, transport and working hours is longer than the time allowed"
                    ),
                )
            )
            continue
        waits = _capacity_waits(problem, solution, units, order.root_idx)
        if waits:
            worst = sorted(waits.items(), key=lambda kv: -kv[1][0])[:3]
            blocked = "; ".join(
                f"{label} for {_days(minutes)} behind {', '.join(sorted(blockers)[:4])}"
                for label, (minutes, blockers) in worst
            )
            message = f"{late}; on its critical path it waits for busy machines: {blocked}"
        else:
            message = f"{late}; its critical path waits only on working hours and transport"
        explanations.append(Explanation(kind="late", subject=order.order_id, message=message))
    return tuple(explanations)


def _supplies_by_minute(problem: Problem) -> dict[tuple[str, str, int], Supply]:
    """Supplies by (plant, material, minute of arrival)."""
    network = problem.network
    return {
        (
            s.plant_id,
            s.material_id,
            max(0, round((s.arrives - network.start).total_seconds() / 60)),
        ): s
        for s in network.supplies
    }


def _held_by_material(
    problem: Problem,
    solution: Solution,
    work_orders: list[int],
    label: dict[tuple[str, str, int], Supply],
) -> list[str]:
    """Steps of the order (its ``work_orders``) that started when a supply arrived, and
    would have started sooner.

    A step whose material left its warehouse the very minute a supply came in was waiting
    for that supply.
    """
    network = problem.network
    unit_of = {m.id: m.unit for m in network.materials}
    held = []
    for wo_idx in work_orders:
        compiled = problem.work_orders[wo_idx]
        placement = solution[wo_idx]
        option = compiled.options[placement.option_idx]
        for (material, _, step), sourced in zip(option.needs, placement.draws, strict=True):
            for source, quantity in sourced:
                lead = problem.lead[source][option.plant_idx] or 0
                start = placement.ops[step].start
                ready = placement.ops[step - 1].end if step else compiled.release
                supply = label.get(
                    (problem.plant_ids[source], problem.material_ids[material], start - lead)
                )
                if supply is not None and start > ready:
                    material_id = problem.material_ids[material]
                    held.append(
                        f"{quantity:,} {unit_of[material_id]} {material_id} for "
                        f"{compiled.work_order.item_id} ({supply.source} reaching "
                        f"{supply.plant_id} {supply.arrives:%Y-%m-%d})"
                    )
    return held


def _capacity_waits(
    problem: Problem,
    solution: Solution,
    units: dict[tuple[int, int], list[tuple[int, int, int]]],
    wo_idx: int,
) -> dict[str, tuple[int, set[str]]]:
    waits: dict[str, tuple[int, set[str]]] = {}
    current: int | None = wo_idx
    while current is not None:
        placement = solution[current]
        compiled = problem.work_orders[current]
        plant_idx = compiled.options[placement.option_idx].plant_idx
        arrivals_in = [
            (
                solution[c].end
                + (
                    problem.lead[problem.work_orders[c].options[solution[c].option_idx].plant_idx][
                        plant_idx
                    ]
                    or 0
                ),
                c,
            )
            for c in compiled.predecessors
        ]
        latest_in = max(arrivals_in, default=(compiled.release, None))
        for k in range(len(placement.ops) - 1, -1, -1):
            op = placement.ops[k]
            ready = placement.ops[k - 1].end if k else max(latest_in[0], compiled.release)
            if op.start <= ready:
                continue
            jobs = units[op.machine_idx, op.unit]
            idx = bisect_right(jobs, (op.start, op.start, len(solution))) - 1
            if idx >= 0 and jobs[idx][0] > ready and jobs[idx][2] != current:
                blocker = problem.work_orders[jobs[idx][2]].work_order.order_id
                machine = problem.machines[op.machine_idx]
                label = (
                    f"{machine.plant_id} engineering staff"
                    if machine.machine_id is None
                    else f"{machine.plant_id}/{machine.machine_id}"
                )
                minutes, blockers = waits.get(label, (0, set()))
                waits[label] = (minutes + op.start - max(ready, jobs[idx][1]), blockers | {blocker})
        current = latest_in[1] if latest_in[0] >= compiled.release else None
    return waits


def _days(minutes: int) -> str:
    return f"{minutes / _DAY:.1f} d"
