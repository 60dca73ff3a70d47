"""Why an order is late: too little time even alone, or waiting behind other orders.

For each late order the critical chain is walked back from its delivery. Between work
orders, the latest input is followed: the time its transport took is a transport wait,
and when the latest input is a design, the time the drawings came after everything else
is a design wait. Inside a work order, the gap between when an operation could have
started (previous step done, or its inputs arrived) and when it did start is charged to
the machine unit's previous job (a machine wait), else to a crew of a skill fully used
by other work at that plant (a people wait), else to non-working time (a calendar wait).
Material waits are found apart: a step that started the minute a supply arrived.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from typing import TYPE_CHECKING

from xiezuo.domain import Explanation, Supply
from xiezuo.planning.problem.bounds import RelaxationBounds, relaxation_bounds
from xiezuo.planning.problem.compile import minutes
from xiezuo.planning.problem.extract import arrivals, lateness

if TYPE_CHECKING:
    from collections.abc import Callable

    from xiezuo.planning.problem.compile import Problem
    from xiezuo.planning.problem.solution import Solution

_DAY = 24 * 60


def explain_late_orders(
    problem: Problem, solution: Solution, relaxed: RelaxationBounds | None = None
) -> tuple[Explanation, ...]:
    """One explanation per late order, naming what held it up, and one per order that
    is on time but waited for material (the planner's "who waits for copper").

    ``relaxed``: the problem's relaxation bounds when the caller has them already
    (they take seconds on a large network)."""
    units: dict[tuple[int, int], list[tuple[int, int, int]]] = defaultdict(list)
    for wo_idx, placement in enumerate(solution):
        for op in placement.ops:
            for unit in op.held_units:
                units[op.machine_idx, unit].append((op.end, op.start, wo_idx))
    for jobs in units.values():
        jobs.sort()
    crews = _crew_use(problem, solution)
    explanations = []
    # The proven earliest arrivals, so "even with every machine free" is a fact.
    earliest = (relaxed or relaxation_bounds(problem)).arrival
    work_orders_of: dict[int, list[int]] = defaultdict(list)
    for wo_idx, compiled in enumerate(problem.work_orders):
        work_orders_of[compiled.order_idx].append(wo_idx)
    supplies = _supplies_by_minute(problem)
    times = arrivals(problem, solution)
    late_by = lateness(problem, solution, times)
    for order_idx, (order, arrival) in enumerate(zip(problem.orders, times, strict=True)):
        held = _held_by_material(problem, solution, work_orders_of[order_idx], supplies)
        if not late_by[order_idx]:
            if held:
                explanations.append(
                    Explanation(
                        kind="material wait",
                        subject=order.order_id,
                        message=f"on time, but it waits for material: {'; '.join(held[:3])}",
                    )
                )
            continue
        if order.due is not None and arrival > order.due:
            late = f"arrives {_days(arrival - order.due)} late"
        else:
            late = f"leaves its plant {_days(late_by[order_idx])} after its ex-works due date"
        if held:
            late += f"; it waits for material: {'; '.join(held[:3])}"
        alone = earliest[order_idx]
        if order.due is not None and alone > order.due:
            late += (
                f"; even with every machine free it could not arrive before "
                f"{_days(alone - order.due)} after its due date: its chain of work, "
                "material, transport and working hours is longer than the time allowed"
            )
        waits = _chain_waits(problem, solution, units, crews, order.root_idx)
        message = f"{late}; {_describe(waits)}"
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


_WAIT_WORDS = {
    "machine": "for busy machines",
    "service": "for machines to come into service",
    "people": "for people",
    "design": "for drawings",
    "transport": "in transport",
    "calendar": "for working hours",
}


def _crew_use(
    problem: Problem, solution: Solution
) -> dict[tuple[int, int], list[tuple[int, int, int, int]]]:
    """``(plant, skill)`` → ``(start, end, people, work order)`` of every crew at work."""
    use: dict[tuple[int, int], list[tuple[int, int, int, int]]] = defaultdict(list)
    for wo_idx, placement in enumerate(solution):
        option = problem.work_orders[wo_idx].options[placement.option_idx]
        for op, compiled_op in zip(placement.ops, option.ops, strict=True):
            for skill, people in compiled_op.crew:
                use[option.plant_idx, skill].append((op.start, op.end, people, wo_idx))
    return use


def _crew_short(
    problem: Problem,
    crews: dict[tuple[int, int], list[tuple[int, int, int, int]]],
    plant_idx: int,
    crew: tuple[tuple[int, int], ...],
    at: int,
    wo_idx: int,
) -> tuple[str, set[str], int] | None:
    """The first crew need whose skill at the plant is all at other work at minute ``at``:
    a label, the orders holding those people, and when the first of them comes free."""
    for skill, people in crew:
        steps = problem.staff.get((plant_idx, skill), ((0, 0),))
        on_staff = steps[max(bisect_right(steps, at, key=lambda step: step[0]) - 1, 0)][1]
        busy = [
            (held, end, other)
            for start, end, held, other in crews.get((plant_idx, skill), ())
            if start <= at < end and other != wo_idx
        ]
        if busy and on_staff - sum(held for held, _, _ in busy) < people:
            label = f"{people} {problem.skill_ids[skill]} at {problem.plant_ids[plant_idx]}"
            blockers = {problem.work_orders[other].work_order.order_id for _, _, other in busy}
            return label, blockers, min(end for _, end, _ in busy)
    return None


def _chain_waits(
    problem: Problem,
    solution: Solution,
    units: dict[tuple[int, int], list[tuple[int, int, int]]],
    crews: dict[tuple[int, int], list[tuple[int, int, int, int]]],
    wo_idx: int,
) -> dict[tuple[str, str], tuple[int, set[str]]]:
    """Minutes the critical chain into work order ``wo_idx`` waited, by ``(kind, label)``,
    with the orders it waited behind."""
    waits: dict[tuple[str, str], tuple[int, set[str]]] = {}

    def charge(kind: str, label: str, minutes: int, blockers: set[str] | None = None) -> None:
        if minutes > 0:
            total, names = waits.get((kind, label), (0, set()))
            waits[kind, label] = (total + minutes, names | (blockers or set()))

    current: int | None = wo_idx
    while current is not None:
        placement = solution[current]
        compiled = problem.work_orders[current]
        option = compiled.options[placement.option_idx]
        plant_idx = option.plant_idx
        inputs = []  # (arrival here, finish there, work order)
        for c in compiled.predecessors:
            source = problem.work_orders[c].options[solution[c].option_idx].plant_idx
            lead = problem.lead[source][plant_idx] or 0
            inputs.append((solution[c].end + lead, solution[c].end, c))
        latest = max(inputs, default=None)
        ready_in = compiled.release if latest is None else max(latest[0], compiled.release)
        for k in range(len(placement.ops) - 1, -1, -1):
            op = placement.ops[k]
            ready = placement.ops[k - 1].end if k else ready_in
            if op.start <= ready:
                continue
            step = (current, op.machine_idx, option.ops[k].crew)
            span = (ready, op.start, op.end - op.start)
            _charge_gap(problem, units, crews, step, span, charge)
        if latest is None or latest[0] < compiled.release:
            break
        arrival, finish, previous = latest
        source = problem.work_orders[previous].options[solution[previous].option_idx].plant_idx
        if arrival > finish:
            route = f"{problem.plant_ids[source]} → {problem.plant_ids[plant_idx]}"
            charge("transport", route, arrival - finish)
        design = problem.work_orders[previous].work_order
        if design.is_design:
            others = max((a for a, _, c in inputs if c != previous), default=compiled.release)
            label = f"{design.item_id} from {problem.plant_ids[source]}"
            charge("design", label, arrival - max(others, compiled.release))
        current = previous
    return waits


def _charge_gap(
    problem: Problem,
    units: dict[tuple[int, int], list[tuple[int, int, int]]],
    crews: dict[tuple[int, int], list[tuple[int, int, int, int]]],
    step: tuple[int, int, tuple[tuple[int, int], ...]],
    span: tuple[int, int, int],
    charge: Callable[[str, str, int, set[str] | None], None],
) -> None:
    """Split the gap before a step (work order, machine group, crew) that could start at
    ``ready`` and started at ``start``, running ``length`` minutes: time when its group was
    not yet in service, when no unit had room for it, when the plant was not working, or
    when its crew was at other work.

    Units are numbered after the solve, so a step that waited while another unit of its
    group had room waited for something else (its crew, most often), not for a machine.
    """
    wo_idx, machine_idx, crew = step
    ready, start, length = span
    machine = problem.machines[machine_idx]
    label = f"{machine.plant_id}/{machine.machine_id}"
    in_service = _in_service(problem, machine_idx)
    windows = problem.windows[machine.windows_idx]
    at = ready
    while at < start:
        if at < in_service:
            until = min(start, in_service)
            when = problem.to_datetime(in_service)
            charge("service", f"{label} on {when:%Y-%m-%d}", until - at, None)
            at = until
            continue
        blocking = _blocking(units, (machine_idx, machine.units), (at, at + length), wo_idx)
        if blocking is not None:
            until = min(start, *(end for end, _ in blocking))
            blockers = {problem.work_orders[w].work_order.order_id for _, w in blocking}
            charge("machine", label, until - at, blockers)
            at = until
            continue
        earliest = windows.earliest(at, 0)
        working = start if earliest is None else min(start, earliest[0])
        if working > at:
            charge("calendar", "", working - at, None)
            at = working
            continue
        short = _crew_short(problem, crews, machine.plant_idx, crew, at, wo_idx)
        if short is None:
            charge("calendar", "", start - at, None)
            return
        skill, blockers, frees = short
        until = min(start, frees)
        charge("people", skill, until - at, blockers)
        at = until


def _in_service(problem: Problem, machine_idx: int) -> int:
    """The minute a machine group comes into service (0 when it always was)."""
    machine = problem.machines[machine_idx]
    if machine.machine_id is None:
        return 0
    plant = problem.network.plant_by_id[machine.plant_id]
    group = next(m for m in plant.machines if m.id == machine.machine_id)
    if group.available_from is None:
        return 0
    return max(0, minutes(group.available_from - problem.network.start))


def _blocking(
    units: dict[tuple[int, int], list[tuple[int, int, int]]],
    group: tuple[int, int],
    room: tuple[int, int],
    wo_idx: int,
) -> list[tuple[int, int]] | None:
    """``(end, work order)`` of a job on every unit of ``group`` (machine, unit count) that
    takes part of ``room`` (from, to), or ``None`` when some unit has that room free."""
    machine_idx, count = group
    begin, finish = room
    blocking = []
    for unit in range(count):
        jobs = units.get((machine_idx, unit), [])
        idx = bisect_right(jobs, begin, key=lambda job: job[0])
        while idx < len(jobs) and jobs[idx][2] == wo_idx:
            idx += 1
        if idx == len(jobs) or jobs[idx][1] >= finish:
            return None
        blocking.append((jobs[idx][0], jobs[idx][2]))
    return blocking


def _describe(waits: dict[tuple[str, str], tuple[int, set[str]]]) -> str:
    """The waits of a critical chain, biggest kind first, three labels a kind at most."""
    if not waits:
        return "its critical path never waits: the time goes to its own work on the routes chosen"
    kinds: dict[str, list[tuple[str, int, set[str]]]] = defaultdict(list)
    for (kind, label), (spent, blockers) in waits.items():
        kinds[kind].append((label, spent, blockers))
    parts = []
    for kind, entries in sorted(kinds.items(), key=lambda kv: -sum(e[1] for e in kv[1])):
        if kind == "calendar":
            parts.append(f"{_WAIT_WORDS[kind]} {_days(entries[0][1])}")
            continue
        shown = []
        for label, spent, blockers in sorted(entries, key=lambda e: -e[1])[:3]:
            behind = f" behind {', '.join(sorted(blockers)[:4])}" if blockers else ""
            shown.append(f"{label} for {_days(spent)}{behind}")
        parts.append(f"{_WAIT_WORDS[kind]}: {'; '.join(shown)}")
    return "on its critical path it waits " + "; ".join(parts)


def _days(minutes: int) -> str:
    return f"{minutes / _DAY:.1f} d"
