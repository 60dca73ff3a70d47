"""A fast constructive plan: the first feasible answer and the solver's starting hint.

Orders are placed one after another; inside an order, components before their
parents. Each work order goes to the plant, routing, machine and unit that finish it
earliest, operations being inserted into the earliest gap of a unit's timeline that
the working windows allow. The result is always feasible, so the solver starts from a
plan and never returns nothing.

Which order goes first matters for tardiness: :func:`first_plan` tries several
priority rules (due date, slack, slack per priority) and then moves late orders
earlier in the sequence while that helps and time allows.
"""

from __future__ import annotations

import time
from bisect import bisect_right, insort
from typing import TYPE_CHECKING

from xiezuo.planning.problem.extract import Score, arrivals, score
from xiezuo.planning.problem.solution import OpPlacement, Solution, WorkOrderPlacement
from xiezuo.planning.search.ledgers import CrewProfile, StockLedger

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from xiezuo.domain import Plan
    from xiezuo.planning.problem.compile import Option, Problem
    from xiezuo.planning.problem.timeline import WorkingWindows

_Timeline = list[tuple[int, int]]
# Work order -> (option, {index into its ops: (machine, unit, not before)}): the previous
# plan, whose units are kept where they are free, since first-fit on other units can
# fragment a machine's units so that a step no longer fits where it ran.
# The previous plan's sources per material need are kept too, for the same reason.
_Sourcing = dict[int, tuple[tuple[int, int], ...]]
_Preferences = dict[int, tuple[int, dict[int, tuple[int, int, int]], _Sourcing]]


def construct(problem: Problem, order_sequence: Iterable[int]) -> Solution | None:
    """Place whole orders in ``order_sequence``; ``None`` if some work cannot be placed."""
    placed = _place_orders(problem, order_sequence)
    return None if placed is None else tuple(placed[i] for i in range(len(problem.work_orders)))


def first_plan(
    problem: Problem,
    budget_s: float,
    on_found: Callable[[Solution], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Solution | None:
    """The best greedy plan found within ``budget_s`` seconds of ``clock``.

    The plan by due date comes first and is kept whatever happens after: on a large
    network it may take the whole budget, and every later rule only competes with it.
    ``on_found`` hears of the first feasible plan as soon as there is one.
    """
    deadline = clock() + budget_s
    found_one = False

    def found(solution: Solution | None) -> None:
        nonlocal found_one
        if solution is not None and not found_one and on_found is not None:
            found_one = True
            on_found(solution)

    count = len(problem.orders)
    by_due = sorted(
        range(count), key=lambda i: (problem.orders[i].due_key, -problem.orders[i].weight)
    )
    solution = construct(problem, by_due)
    found(solution)
    best = None if solution is None else (score(problem, solution), by_due, solution)
    if best is not None and clock() > deadline:
        return best[2]
    interleaved = dispatch(problem, min(deadline, clock() + budget_s / 3), clock)
    found(interleaved)
    for rule in _slack_rules(problem, deadline, clock):
        if best is not None and clock() > deadline:
            break
        sequence = sorted(range(count), key=rule)
        solution = construct(problem, sequence)
        found(solution)
        if solution is not None and (best is None or score(problem, solution).key < best[0].key):
            best = (score(problem, solution), sequence, solution)
    if best is None and interleaved is None:
        repaired = _repair_sequence(problem, by_due)
        if repaired is not None:
            best = (score(problem, repaired[1]), *repaired)
            found(repaired[1])
    if best is None:
        return interleaved
    improved = _move_late_orders_forward(problem, best, deadline, clock)
    if interleaved is not None and score(problem, interleaved).key < score(problem, improved).key:
        return interleaved
    return improved


def _slack_rules(
    problem: Problem, deadline: float, clock: Callable[[], float]
) -> list[Callable[[int], tuple[float, int]]]:
    """Sequences by slack (due date less the earliest arrival alone) and by slack per
    priority; none when the time is up before every order's slack is known."""
    slack = []
    for i, order in enumerate(problem.orders):
        if clock() > deadline:
            return []
        alone = earliest_alone(problem, i)
        slack.append(order.due_key - (alone if alone is not None else 0))
    orders = problem.orders
    return [
        lambda i: (slack[i], -orders[i].weight),
        lambda i: (slack[i] / orders[i].weight, orders[i].due_key),
    ]


def follow_previous(problem: Problem, previous: Plan) -> Solution | None:
    """The previous plan (the problem's anchors), repaired: orders in the order they
    started before, each step on its anchored machine and unit, with the material from
    the same warehouses, no earlier than its anchored start where that still works, else
    wherever it finishes earliest."""
    drawn: dict[tuple[str, int, str], list[tuple[int, int]]] = {}
    plant_idx = {plant_id: i for i, plant_id in enumerate(problem.plant_ids)}
    for d in () if previous.schedule is None else previous.schedule.material_draws:
        if d.origin in plant_idx:
            key = (d.work_order_id, d.step, d.material_id)
            drawn.setdefault(key, []).append((plant_idx[d.origin], d.quantity))
    prefer: _Preferences = {}
    first_start: dict[int, int] = {}
    for a in problem.anchors:
        if a.wo_idx not in prefer:
            compiled = problem.work_orders[a.wo_idx]
            option = compiled.options[a.option_idx]
            sourcing = {
                n: tuple(split)
                for n, (material, quantity, step) in enumerate(option.needs)
                if (
                    split := drawn.get(
                        (
                            compiled.work_order.id,
                            option.ops[step].step,
                            problem.material_ids[material],
                        ),
                        [],
                    )
                )
                and sum(q for _, q in split) == quantity
            }
            prefer[a.wo_idx] = (a.option_idx, {}, sourcing)
        prefer[a.wo_idx][1][a.op_idx] = (
            a.machine_idx,
            a.unit,
            a.start,
        )
        order_idx = problem.work_orders[a.wo_idx].order_idx
        first_start[order_idx] = min(first_start.get(order_idx, a.start), a.start)
    sequence = sorted(
        range(len(problem.orders)),
        key=lambda i: (first_start.get(i, _NEVER), problem.orders[i].due_key),
    )
    placed, failed = _place_in_sequence(problem, sequence, prefer)
    if failed is not None:
        return None
    return tuple(placed[i] for i in range(len(problem.work_orders)))


_NEVER = 10**15


def _repair_sequence(problem: Problem, sequence: list[int]) -> tuple[list[int], Solution] | None:
    """A sequence the greedy plan can place whole, made by moving each order it fails
    on to the front (once each): when work is available only for a while (a machine
    that leaves, material that arrives late), the order that runs short must book
    first. ``None`` if an order fails again after its move."""
    sequence = sequence[:]
    moved: set[int] = set()
    while True:
        placed, failed = _place_in_sequence(problem, sequence)
        if failed is None:
            return sequence, tuple(placed[i] for i in range(len(problem.work_orders)))
        if failed in moved:
            return None
        moved.add(failed)
        sequence.remove(failed)
        sequence.insert(0, failed)


def _move_late_orders_forward(
    problem: Problem,
    best: tuple[Score, list[int], Solution],
    deadline: float,
    clock: Callable[[], float],
) -> Solution:
    """Local search on the sequence: try each late order at earlier positions."""
    improved = True
    while improved and clock() < deadline:
        improved = False
        best_score, sequence, solution = best
        times = arrivals(problem, solution)
        late = sorted(
            (i for i, o in enumerate(problem.orders) if o.tardiness(times[i]) > 0),
            key=lambda i: -problem.orders[i].tardiness(times[i]) * problem.orders[i].weight,
        )
        for order_idx in late:
            position = sequence.index(order_idx)
            step = 1
            while position - step >= 0 and clock() < deadline:
                candidate = sequence[:]
                candidate.insert(position - step, candidate.pop(position))
                trial = construct(problem, candidate)
                if trial is not None and score(problem, trial).key < best_score.key:
                    best = (score(problem, trial), candidate, trial)
                    improved = True
                    break
                step *= 2
            if improved or clock() >= deadline:
                break
    return best[2]


def earliest_alone(problem: Problem, order_idx: int) -> int | None:
    """Earliest arrival of one order if it had every machine to itself."""
    placed = _place_orders(problem, [order_idx])
    if placed is None:
        return None
    order = problem.orders[order_idx]
    root = placed[order.root_idx]
    plant_idx = problem.work_orders[order.root_idx].options[root.option_idx].plant_idx
    return root.end + order.delivery_lead[plant_idx]


class _State:
    """What placed work already holds: machine units, crews, and warehouse stock."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.timelines: dict[tuple[int, int], _Timeline] = {}
        self.crews: dict[tuple[int, int], CrewProfile] = {}
        self.stock: dict[tuple[int, int], StockLedger] = {
            key: StockLedger([(0, initial), *arrivals])
            for key, (initial, arrivals) in problem.warehouses.items()
        }
        self._hold(problem)

    def _hold(self, problem: Problem) -> None:
        """Book a replan's reservations: named units first, then units down on units
        that nothing named holds at the time (the highest first)."""
        for r in problem.reservations:
            if r.unit is not None:
                insort(self.timelines.setdefault((r.machine_idx, r.unit), []), (r.start, r.end))
        for r in problem.reservations:
            if r.unit is not None:
                continue
            units = problem.machines[r.machine_idx].units
            free = [
                u
                for u in reversed(range(units))
                if _first_clash(self.timelines.get((r.machine_idx, u), []), r.start, r.end) is None
            ]
            for unit in (free + [u for u in reversed(range(units)) if u not in free])[: r.count]:
                insort(self.timelines.setdefault((r.machine_idx, unit), []), (r.start, r.end))

    def commit(self, option: Option, placement: WorkOrderPlacement) -> None:
        for step, op in enumerate(placement.ops):
            draws = [
                (material, quantity, source)
                for (material, _, need_step), sourced in zip(
                    option.needs, placement.draws, strict=True
                )
                if need_step == step
                for source, quantity in sourced
            ]
            self.commit_op(option, step, op, draws)

    def commit_op(
        self, option: Option, step: int, op: OpPlacement, draws: list[tuple[int, int, int]]
    ) -> None:
        """Book one operation: its machine units, its crews, and its material draws."""
        for unit in op.held_units:
            insort(self.timelines.setdefault((op.machine_idx, unit), []), (op.start, op.end))
        spec = option.ops[step]
        for skill, people in spec.crew_of(spec.alternative(op.machine_idx, op.gang)):
            self._crew(option.plant_idx, skill).book(op.start, op.end, people)
        for material, quantity, source in draws:
            lead = self.problem.lead[source][option.plant_idx]
            assert lead is not None, "sources are chosen among plants with a lane"
            self.stock[source, material].add(op.start - lead, -quantity)

    def _crew(self, plant: int, skill: int) -> CrewProfile:
        key = (plant, skill)
        if key not in self.crews:
            self.crews[key] = CrewProfile(self.problem.staff.get(key, ((0, 0),)))
        return self.crews[key]

    def crew_ready(
        self, plant: int, crew: tuple[tuple[int, int], ...], start: int, end: int
    ) -> int | None:
        """``start`` if the crews are there throughout ``[start, end)``, else a later start
        worth trying; ``None`` when a crew is short and stays short (people seconded for
        good), so the work cannot run at this plant from here on."""
        for skill, people in crew:
            ready = self._crew(plant, skill).ready(start, end, people)
            if ready != start:
                return ready
        return start

    def material_ready(
        self,
        plant: int,
        material: int,
        quantity: int,
        pending: dict[tuple[int, int], StockLedger],
        split: tuple[tuple[int, int], ...] | None = None,
    ) -> tuple[int, tuple[tuple[int, int], ...]] | None:
        """Earliest minute at which ``quantity`` can be at ``plant``, and the (source,
        quantity) draws that bring it: as ``split`` says when it still can, else from
        one warehouse, else pooled from several."""
        sources = self.problem.sources(plant, material)
        ledgers = {a: pending.get((a, material), self.stock[a, material]) for a in sources}
        lead = {a: self.problem.lead[a][plant] or 0 for a in sources}
        if split and all(a in ledgers for a, _ in split):
            arrivals = [
                None if (t := ledgers[a].earliest_draw(q)) is None else t + lead[a]
                for a, q in split
            ]
            if None not in arrivals:
                return max(t for t in arrivals if t is not None), split
        best: tuple[int, tuple[tuple[int, int], ...]] | None = None
        for source in sources:
            drawn = ledgers[source].earliest_draw(quantity)
            if drawn is not None and (best is None or drawn + lead[source] < best[0]):
                best = (drawn + lead[source], ((source, quantity),))
        if len(sources) < 2:
            return best
        for arrival in sorted({t + lead[a] for a in sources for t in ledgers[a].times()}):
            if best is not None and arrival >= best[0]:
                break
            drawable = {a: ledgers[a].drawable(arrival - lead[a]) for a in sources}
            if sum(drawable.values()) < quantity:
                continue
            draws, left = [], quantity
            for source in sorted(sources, key=lambda a: (-drawable[a], a)):
                take = min(left, drawable[source])
                if take > 0:
                    draws.append((source, take))
                    left -= take
            return arrival, tuple(draws)
        return best


def first_unplaceable(problem: Problem) -> int | None:
    """An order to leave out so the rest can be placed: one the greedy plan cannot
    place even with the shop to itself, else the first, by due date, it fails on."""
    count = len(problem.orders)
    alone = next((i for i in range(count) if _place_orders(problem, [i]) is None), None)
    if alone is not None:
        return alone
    sequence = sorted(range(count), key=lambda i: problem.orders[i].due_key)
    return _place_in_sequence(problem, sequence)[1]


def _place_orders(
    problem: Problem, order_sequence: Iterable[int]
) -> dict[int, WorkOrderPlacement] | None:
    placed, failed = _place_in_sequence(problem, order_sequence)
    return None if failed is not None else placed


def _place_in_sequence(
    problem: Problem, order_sequence: Iterable[int], prefer: _Preferences | None = None
) -> tuple[dict[int, WorkOrderPlacement], int | None]:
    """Placements in order; stops at the first order that cannot be placed and names it."""
    prefer = prefer or {}
    state = _State(problem)
    placed: dict[int, WorkOrderPlacement] = {}
    for order_idx in order_sequence:
        work_orders = _components_first(problem, problem.orders[order_idx].root_idx)
        failed = _place_work_orders(problem, work_orders, placed, state, prefer)
        if failed is not None:
            # A sibling placed first may have taken what the failing work order needed
            # while it was there (a crew before a secondment, a machine before it
            # leaves): undo the order and let the failing work order book first.
            for wo_idx in work_orders:
                placed.pop(wo_idx, None)
            state = _State(problem)
            for wo_idx, placement in placed.items():
                state.commit(problem.work_orders[wo_idx].options[placement.option_idx], placement)
            first = _with_predecessors(problem, failed, set(work_orders))
            retry = [i for i in work_orders if i in first] + [
                i for i in work_orders if i not in first
            ]
            if _place_work_orders(problem, retry, placed, state, prefer) is not None:
                return placed, order_idx
    return placed, None


def _place_work_orders(
    problem: Problem,
    work_orders: Sequence[int],
    placed: dict[int, WorkOrderPlacement],
    state: _State,
    prefer: _Preferences | None = None,
) -> int | None:
    """Place ``work_orders`` in turn, booking each; the first that cannot be placed."""
    for wo_idx in work_orders:
        placement = _place_work_order(problem, wo_idx, placed, state, prefer)
        if placement is None:
            return wo_idx
        placed[wo_idx] = placement
        state.commit(problem.work_orders[wo_idx].options[placement.option_idx], placement)
    return None


def _with_predecessors(problem: Problem, wo_idx: int, members: set[int]) -> set[int]:
    """``wo_idx`` and, among ``members``, everything that must be done before it."""
    closure: set[int] = set()
    stack = [wo_idx]
    while stack:
        idx = stack.pop()
        if idx in closure or idx not in members:
            continue
        closure.add(idx)
        stack.extend(problem.work_orders[idx].predecessors)
    return closure


def _components_first(problem: Problem, root_idx: int) -> list[int]:
    """The order's work orders with every component and design before what needs it."""
    members: list[int] = []
    stack = [root_idx]
    while stack:
        idx = stack.pop()
        members.append(idx)
        stack.extend(problem.work_orders[idx].children)
    ordered: list[int] = []
    done: set[int] = set()

    def visit(idx: int) -> None:
        if idx in done:
            return
        done.add(idx)
        for before in problem.work_orders[idx].predecessors:
            visit(before)
        ordered.append(idx)

    for idx in reversed(members):
        visit(idx)
    return ordered


def _place_work_order(
    problem: Problem,
    wo_idx: int,
    placed: dict[int, WorkOrderPlacement],
    state: _State,
    prefer: _Preferences | None = None,
) -> WorkOrderPlacement | None:
    work_order = problem.work_orders[wo_idx]
    if prefer and wo_idx in prefer:
        option_idx, steps, sourcing = prefer[wo_idx]
        option = work_order.options[option_idx]
        ready = _ready_time(problem, wo_idx, option, placed)
        kept = (
            None
            if ready is None
            else _place_ops(problem, option_idx, option, ready, state, steps, sourcing)
        )
        if kept is not None:
            return kept
    best: tuple[int, WorkOrderPlacement] | None = None
    for option_idx, option in enumerate(work_order.options):
        ready = _ready_time(problem, wo_idx, option, placed)
        if ready is None:
            continue
        delivery = (
            problem.orders[work_order.order_idx].delivery_lead[option.plant_idx]
            if work_order.parent_idx is None
            else 0
        )
        # An option that cannot finish before the best one so far is dropped as soon as
        # one of its steps shows it: most of a large network's probing was such options.
        bound = None if best is None else best[0] - delivery
        placement = _place_ops(problem, option_idx, option, ready, state, finish_before=bound)
        if placement is None:
            continue
        finish = placement.end + delivery
        if best is None or finish < best[0]:
            best = (finish, placement)
    return None if best is None else best[1]


def _ready_time(
    problem: Problem, wo_idx: int, option: Option, placed: dict[int, WorkOrderPlacement]
) -> int | None:
    work_order = problem.work_orders[wo_idx]
    ready = max(work_order.release, option.ready)
    for child_idx in work_order.predecessors:
        child = placed[child_idx]
        child_plant = problem.work_orders[child_idx].options[child.option_idx].plant_idx
        lead = problem.lead[child_plant][option.plant_idx]
        if lead is None:
            return None
        ready = max(ready, child.end + lead)
    return ready


def _place_ops(
    problem: Problem,
    option_idx: int,
    option: Option,
    ready: int,
    state: _State,
    steps: dict[int, tuple[int, int, int]] | None = None,
    sourcing: _Sourcing | None = None,
    finish_before: int | None = None,
) -> WorkOrderPlacement | None:
    """Place the routing's steps in order; material must have reached the plant first.

    ``steps`` pins steps to a machine and a start not before a minute (the previous
    plan's); ``None`` when any such step cannot be placed there, or when the routing
    cannot end before ``finish_before``.
    """
    ops: list[OpPlacement] = []
    draws_of_need: dict[int, tuple[tuple[int, int], ...]] = {}
    pending: dict[tuple[int, int], StockLedger] = {}
    work_after = [0] * len(option.ops)
    for step in range(len(option.ops) - 1, 0, -1):
        work_after[step - 1] = work_after[step] + option.ops[step].min_work
    for step in range(len(option.ops)):
        only = None if steps is None else steps.get(step)
        step_before = None if finish_before is None else finish_before - work_after[step]
        placed = _place_step(
            problem, option, step, ready, state, pending, only, sourcing, step_before
        )
        if placed is None:
            return None
        op, draws = placed
        for need_idx, sourced in draws.items():
            material = option.needs[need_idx][0]
            for source, quantity in sourced:
                lead = problem.lead[source][option.plant_idx]
                assert lead is not None, "sources are chosen among plants with a lane"
                key = (source, material)
                if key not in pending:
                    pending[key] = state.stock[key].copy()
                pending[key].add(op.start - lead, -quantity)
            draws_of_need[need_idx] = sourced
        ops.append(op)
        ready = op.end
    draws_in_order = tuple(draws_of_need[i] for i in range(len(option.needs)))
    return WorkOrderPlacement(option_idx, tuple(ops), draws_in_order)


def _place_step(
    problem: Problem,
    option: Option,
    step: int,
    ready: int,
    state: _State,
    pending: dict[tuple[int, int], StockLedger],
    only: tuple[int, int, int] | None = None,
    sourcing: _Sourcing | None = None,
    finish_before: int | None = None,
) -> tuple[OpPlacement, dict[int, tuple[tuple[int, int], ...]]] | None:
    """Earliest-finishing placement of one step, and the draws for each of its needs;
    ``only`` = (machine, unit, not before) keeps it to one machine from a minute on,
    on that unit when it is free then; ``None`` if it cannot end before
    ``finish_before``."""
    op = option.ops[step]
    draws: dict[int, tuple[tuple[int, int], ...]] = {}
    for need_idx, (material, quantity, need_step) in enumerate(option.needs):
        if need_step != step:
            continue
        split = None if sourcing is None else sourcing.get(need_idx)
        found = state.material_ready(option.plant_idx, material, quantity, pending, split)
        if found is None:
            return None
        ready = max(ready, found[0])
        draws[need_idx] = found[1]
    best: OpPlacement | None = None
    for alt, (machine_idx, work) in enumerate(zip(op.machines, op.works, strict=True)):
        if problem.machines[machine_idx].lever >= 0 and (only is None or only[0] != machine_idx):
            continue  # the first plan pulls no lever; the model decides which pay
        units = list(range(problem.machines[machine_idx].units))
        if only is not None:
            if machine_idx != only[0]:
                continue
            ready = max(ready, only[2])
            if only[1] in units:
                units.remove(only[1])
                units.insert(0, only[1])
        machine = problem.machines[machine_idx]
        windows = problem.windows[machine.windows_idx]
        crew = op.crew_of(alt)
        gang = op.gang(alt)
        if gang > 1:
            timelines = [state.timelines.get((machine_idx, unit), []) for unit in units]
            placed = _earliest_gang(
                state, option.plant_idx, crew, windows, timelines, ready, work, gang
            )
            # The shortest gang that finishes as early: units left for other work.
            limit = finish_before if best is None else best.end
            if placed is not None and (limit is None or placed[1] < limit):
                chosen = tuple(sorted(units[i] for i in placed[2]))
                best = OpPlacement(machine_idx, chosen[0], placed[0], placed[1], gang, chosen)
            continue
        idle_tried = False
        for unit in units:
            busy = state.timelines.get((machine_idx, unit), [])
            if not busy:
                # Idle units of a group all offer the same slot: try one.
                if idle_tried:
                    continue
                idle_tried = True
            slot = _earliest_with_crew(
                state,
                option.plant_idx,
                crew,
                windows,
                busy,
                ready,
                work,
                finish_before if best is None else best.end,
            )
            if slot is not None:
                best = OpPlacement(machine_idx, unit, *slot)
    return None if best is None else (best, draws)


def dispatch(
    problem: Problem, deadline: float, clock: Callable[[], float] = time.monotonic
) -> Solution | None:
    """Operation by operation: among steps that could start before the earliest possible
    finish of any, run the one with most work left behind it (Giffler-Thompson with
    most-work-remaining). It interleaves orders, which suits makespan better than
    placing whole orders one after another."""
    work_orders = problem.work_orders
    tail = [0] * len(work_orders)  # least work from a work order's end to its order's end
    for idx in sorted(range(len(work_orders)), key=lambda i: work_orders[i].work_order.depth):
        parent = work_orders[idx].parent_idx
        if parent is not None:
            tail[idx] = tail[parent] + min(o.work for o in work_orders[parent].options)
    state = _State(problem)
    waiting = [len(wo.predecessors) for wo in work_orders]
    successors: dict[int, list[int]] = {}
    for idx, wo in enumerate(work_orders):
        for before in wo.predecessors:
            successors.setdefault(before, []).append(idx)
    placed: dict[int, WorkOrderPlacement] = {}
    progress: dict[int, tuple[int, list[OpPlacement], dict[int, tuple[tuple[int, int], ...]]]] = {}
    ready = {i for i, count in enumerate(waiting) if count == 0}
    while ready:
        if clock() > deadline:
            return None
        candidates = []
        for wo_idx in ready:
            option_ids = (
                [progress[wo_idx][0]]
                if wo_idx in progress
                else range(len(work_orders[wo_idx].options))
            )
            for option_idx in option_ids:
                option = work_orders[wo_idx].options[option_idx]
                done = progress[wo_idx][1] if wo_idx in progress else []
                step = len(done)
                start = done[-1].end if done else _ready_time(problem, wo_idx, option, placed)
                if start is None:
                    continue
                found = _place_step(problem, option, step, start, state, {})
                if found is None:
                    continue
                left = sum(op.min_work for op in option.ops[step:]) + tail[wo_idx]
                candidates.append((found[0], -left, wo_idx, option_idx, found[1]))
        if not candidates:
            return None
        earliest_finish = min(c[0].end for c in candidates)
        conflict = [c for c in candidates if c[0].start < earliest_finish]
        op, _, wo_idx, option_idx, draws = min(conflict, key=lambda c: (c[1], c[0].end))
        option = work_orders[wo_idx].options[option_idx]
        _, done, sources = progress.setdefault(wo_idx, (option_idx, [], {}))
        state.commit_op(
            option,
            len(done),
            op,
            [
                (option.needs[n][0], quantity, source)
                for n, sourced in draws.items()
                for source, quantity in sourced
            ],
        )
        done.append(op)
        sources.update(draws)
        if len(done) == len(option.ops):
            ready.discard(wo_idx)
            placed[wo_idx] = WorkOrderPlacement(
                option_idx, tuple(done), tuple(sources[n] for n in range(len(option.needs)))
            )
            for after in successors.get(wo_idx, ()):
                waiting[after] -= 1
                if waiting[after] == 0:
                    ready.add(after)
    return tuple(placed[i] for i in range(len(work_orders)))


def _earliest_with_crew(
    state: _State,
    plant: int,
    crew: tuple[tuple[int, int], ...],
    windows: WorkingWindows,
    busy: Sequence[tuple[int, int]],
    ready: int,
    work: int,
    finish_before: int | None = None,
) -> tuple[int, int] | None:
    """Earliest slot that also has its crew, if it ends before ``finish_before`` (the
    best slot found elsewhere, which makes a later one not worth seeking)."""
    while True:
        slot = _earliest_free(windows, busy, ready, work, finish_before)
        if slot is None or not crew:
            return slot
        crew_start = state.crew_ready(plant, crew, *slot)
        if crew_start is None:
            return None
        if crew_start == slot[0]:
            return slot
        ready = crew_start


def _earliest_gang(
    state: _State,
    plant: int,
    crew: tuple[tuple[int, int], ...],
    windows: WorkingWindows,
    timelines: Sequence[Sequence[tuple[int, int]]],
    ready: int,
    work: int,
    gang: int,
) -> tuple[int, int, tuple[int, ...]] | None:
    """Earliest placement with ``gang`` units free together (indices into
    ``timelines``) and the crews there throughout."""
    while True:
        slot = windows.earliest(ready, work)
        if slot is None:
            return None
        clashes = [_first_clash(busy, *slot) for busy in timelines]
        free = tuple(i for i, clash in enumerate(clashes) if clash is None)
        if len(free) < gang:
            # The earliest moment enough units could be free again.
            busy_until = sorted(clash for clash in clashes if clash is not None)
            ready = busy_until[gang - len(free) - 1]
            continue
        crew_start = state.crew_ready(plant, crew, *slot) if crew else slot[0]
        if crew_start is None:
            return None
        if crew_start == slot[0]:
            return (*slot, free[:gang])
        ready = crew_start


def _earliest_free(
    windows: WorkingWindows,
    busy: Sequence[tuple[int, int]],
    ready: int,
    work: int,
    finish_before: int | None = None,
) -> tuple[int, int] | None:
    """Earliest placement at or after ``ready`` that obeys the windows and misses
    ``busy``, ending before ``finish_before`` if given."""
    while True:
        slot = windows.earliest(ready, work)
        if slot is None or (finish_before is not None and slot[1] >= finish_before):
            return None
        clash = _first_clash(busy, *slot)
        if clash is None:
            return slot
        ready = clash


def _first_clash(busy: Sequence[tuple[int, int]], start: int, end: int) -> int | None:
    """End of the first busy interval overlapping ``[start, end)``, if any."""
    for idx in range(max(bisect_right(busy, (start, end)) - 1, 0), len(busy)):
        busy_start, busy_end = busy[idx]
        if busy_start >= end:
            return None
        if busy_end > start:
            return busy_end
    return None
