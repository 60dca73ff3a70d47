"""Tabu search over machine assignments and sequences, for plans whose timing is a
longest path in a graph: machines that work around the clock, no crews, no stock.

Each move takes one operation on a critical path (one that holds back the last
arrival) and puts it elsewhere: at another place on its machine unit, or on another
unit that can do it, as in the tabu searches of Mastrolilli and Gambardella for the
flexible job shop. Every candidate is estimated from heads and tails, the longest
path through the moved operation; the one with the best estimate that does not undo
a recent move and makes no cycle is made, and the plan timed exactly. Such single
moves are what CP-SAT rounds that free a whole frame of the plan seldom find once they
stall, and a Python loop makes about two thousand of them a second (mk10).
"""

from __future__ import annotations

import bisect
import itertools
import random
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from xiezuo.planning.problem.extract import arrivals
from xiezuo.planning.problem.solution import OpPlacement, WorkOrderPlacement

if TYPE_CHECKING:
    from collections.abc import Callable

    from xiezuo.planning.problem.compile import Problem
    from xiezuo.planning.problem.solution import Solution

_TENURE = (15, 30)  # moves for which undoing a move is tabu, drawn anew each move
_RESTART_AFTER = 10_000  # moves without a new best before going back to the best plan


def applies(problem: Problem) -> bool:
    """Whether times follow from sequences alone: every machine works from the start
    without a break, and no operation needs a crew, material from stock or several
    units at once (nor, in a replan, waits for units held or for components already
    made, nor for units a loan may take away)."""
    if problem.reservations or problem.as_of or problem.lever_holds:
        return False
    return all(w.is_open_throughout() for w in problem.windows) and all(
        not option.needs and all(not op.crew and op.is_plain for op in option.ops)
        for work_order in problem.work_orders
        for option in work_order.options
    )


# A plan as the search changes it: each operation's unit and work, each unit's sequence.
_State = tuple[list[int], list[int], list[list[int]]]


@dataclass(frozen=True, slots=True)
class _Timing:
    head: list[int]  # earliest start of each operation
    tail: list[int]  # longest path from its end to an arrival
    ready: list[int]  # earliest start its routing and bill of materials allow
    rest: list[int]  # least tail its routing and bill of materials allow
    before: list[int]  # the operation before it on its unit, or -1
    length: int  # the last arrival


class _Shop:
    """A plan as a disjunctive graph: operations with fixed arcs from routings and
    bills of materials (with lane lead times), and one sequence per machine unit."""

    def __init__(self, problem: Problem, solution: Solution) -> None:
        self.keys = [(w, k) for w, p in enumerate(solution) for k in range(len(p.ops))]
        index = {key: i for i, key in enumerate(self.keys)}
        n = len(self.keys)
        self.preds: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        self.succs: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        self.release = [0] * n
        self.tail = [0] * n  # minutes from the end of an order's last operation to arrival
        self.choices: list[tuple[tuple[int, int], ...]] = [()] * n  # (machine, work)
        plant = [
            wo.options[p.option_idx].plant_idx
            for wo, p in zip(problem.work_orders, solution, strict=True)
        ]
        # Moves keep to the levers the incumbent pulls: pulling another is a decision
        # for the model, which weighs its cost.
        pulled = {-1, *problem.levers_pulled(solution)}
        for w, placement in enumerate(solution):
            work_order = problem.work_orders[w]
            option = work_order.options[placement.option_idx]
            self.release[index[w, 0]] = work_order.release
            for k, op in enumerate(option.ops):
                self.choices[index[w, k]] = tuple(
                    (m, work)
                    for m, work in zip(op.machines, op.works, strict=True)
                    if problem.machines[m].lever in pulled
                )
                if k:
                    self._arc(index[w, k - 1], index[w, k], 0)
            for p in work_order.predecessors:
                lead = problem.lead[plant[p]][plant[w]]
                assert lead is not None, "the incumbent only uses plants with a lane"
                self._arc(index[p, len(solution[p].ops) - 1], index[w, 0], lead)
        # (last operation, due, weight) of every order with a due date
        self.dues: list[tuple[int, int, int]] = []
        for order in problem.orders:
            root = order.root_idx
            last = index[root, len(solution[root].ops) - 1]
            self.tail[last] = order.delivery_lead[plant[root]]
            if order.due is not None:
                self.dues.append((last, order.due, order.weight))
        self.unit_ids = [
            (m, u) for m, machine in enumerate(problem.machines) for u in range(machine.units)
        ]
        uid = {key: i for i, key in enumerate(self.unit_ids)}
        self.units_of = [
            [uid[m, u] for u in range(machine.units)] for m, machine in enumerate(problem.machines)
        ]
        self.unit = [
            uid[solution[w].ops[k].machine_idx, solution[w].ops[k].unit] for w, k in self.keys
        ]
        self.work = [
            dict(self.choices[i])[solution[w].ops[k].machine_idx]
            for i, (w, k) in enumerate(self.keys)
        ]
        # Zero-length work may share a start with what follows it; (end, w, k) orders those.
        placed = [(solution[w].ops[k].start, solution[w].ops[k].end, w, k) for w, k in self.keys]
        self.seqs: list[list[int]] = [[] for _ in self.unit_ids]
        for i in sorted(range(n), key=placed.__getitem__):
            self.seqs[self.unit[i]].append(i)

    def _arc(self, before: int, after: int, lag: int) -> None:
        self.preds[after].append((before, lag))
        self.succs[before].append((after, lag))

    def times(self) -> _Timing | None:
        """The plan's timing, ``None`` when the sequences make a cycle."""
        n, work, succs, fixed_tail = len(self.keys), self.work, self.succs, self.tail
        after, before = [-1] * n, [-1] * n
        waiting = [len(p) for p in self.preds]
        for seq in self.seqs:
            for a, b in itertools.pairwise(seq):
                after[a], before[b] = b, a
                waiting[b] += 1
        # Kahn's order; an operation's head is set when all before it are timed.
        ready, head = self.release[:], [0] * n
        order = [i for i in range(n) if not waiting[i]]
        for i in order:
            start, b = ready[i], before[i]
            if b >= 0 and head[b] + work[b] > start:
                start = head[b] + work[b]
            head[i], end = start, start + work[i]
            for s, lag in succs[i]:
                if end + lag > ready[s]:
                    ready[s] = end + lag
                waiting[s] -= 1
                if not waiting[s]:
                    order.append(s)
            s = after[i]
            if s >= 0:
                waiting[s] -= 1
                if not waiting[s]:
                    order.append(s)
        if len(order) < n:
            return None
        rest, tail = fixed_tail[:], [0] * n
        length = 0
        for i in reversed(order):
            t = rest[i]
            for s, lag in succs[i]:
                if lag + work[s] + tail[s] > t:
                    t = lag + work[s] + tail[s]
            rest[i] = t
            s = after[i]
            if s >= 0 and work[s] + tail[s] > t:
                t = work[s] + tail[s]
            tail[i] = t
            if head[i] + work[i] + fixed_tail[i] > length:
                length = head[i] + work[i] + fixed_tail[i]
        return _Timing(head, tail, ready, rest, before, length)

    def weighted_tardiness(self, timing: _Timing) -> int:
        return sum(
            weight * max(0, timing.head[i] + self.work[i] + self.tail[i] - due)
            for i, due, weight in self.dues
        )

    def move(self, op: int, unit: int, position: int, work: int) -> tuple[int, int, int]:
        """Put ``op`` at ``position`` of ``unit``'s sequence (counted without ``op``);
        returns what :meth:`move` needs to undo it."""
        old = (self.unit[op], self.seqs[self.unit[op]].index(op), self.work[op])
        self.seqs[old[0]].pop(old[1])
        self.seqs[unit].insert(position, op)
        self.unit[op], self.work[op] = unit, work
        return old

    def to_solution(self, base: Solution, state: _State, head: list[int]) -> Solution:
        """The plan of ``state`` timed by ``head``, with the routings and material draws
        of ``base``, the plan the shop was made from."""
        units, works, _ = state
        ops: list[list[OpPlacement]] = [[] for _ in base]
        for i, (w, _) in enumerate(self.keys):
            machine, unit = self.unit_ids[units[i]]
            ops[w].append(OpPlacement(machine, unit, head[i], head[i] + works[i]))
        return tuple(
            WorkOrderPlacement(p.option_idx, tuple(o), p.draws)
            for p, o in zip(base, ops, strict=True)
        )


@dataclass(slots=True)
class _Walk:
    """Where the search is: the shop made from ``base``, the current timing, and the
    best timing found with the state that gave it."""

    shop: _Shop
    base: Solution
    timing: _Timing
    best: _Timing
    best_state: _State


class TabuSearch:
    """Tabu search whose moves carry on from one call of :meth:`improve` to the next,
    so that turns of other searches in between do not cut its walk short; it starts
    afresh from the plan it is given only when that is better than its own best."""

    def __init__(
        self,
        problem: Problem,
        *,
        seed: int,
        tardiness_cap: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``tardiness_cap``: the most weighted tardiness a better plan may have;
        ``clock`` tells the time that ``deadline`` is in."""
        self._problem, self._tardiness_cap = problem, tardiness_cap
        self._clock = clock
        self._rng = random.Random(seed)
        self._tabu: dict[tuple[int, int, int], int] = {}
        self._moves = self._since_best = 0
        self._walk: _Walk | None = None

    def improve(
        self,
        incumbent: Solution,
        *,
        deadline: float,
        should_stop: Callable[[], bool] = lambda: False,
        on_improve: Callable[[int], None] | None = None,
    ) -> Solution:
        """The plan with the earliest last arrival found by the time ``deadline``
        (on the clock) or ``should_stop()``; ``incumbent`` when none is better.
        ``incumbent`` must have a unit per operation, :func:`applies` must hold and its
        weighted tardiness must be within the cap."""
        length = max(arrivals(self._problem, incumbent))
        if self._walk is None or length < self._walk.best.length:
            fresh = _Shop(self._problem, incumbent)
            start = fresh.times()
            if start is None:  # zero-length work in an order the graph cannot tell
                return incumbent
            self._walk = _Walk(fresh, incumbent, start, start, _state(fresh))
            self._tabu.clear()
            self._since_best = 0
        walk = self._walk
        shop, timing, best, best_state = walk.shop, walk.timing, walk.best, walk.best_state
        while not (self._moves % 16 == 0 and (self._clock() >= deadline or should_stop())):
            self._moves += 1
            made = _make_move(shop, timing, self._tabu, self._moves, best.length, self._rng)
            if made is None:
                break
            timing = made
            self._since_best += 1
            tardiness = shop.weighted_tardiness(timing)
            if timing.length < best.length and tardiness <= self._tardiness_cap:
                best, best_state, self._since_best = timing, _state(shop), 0
                if on_improve is not None:
                    on_improve(best.length)
            elif self._since_best >= _RESTART_AFTER:
                _restore(shop, best_state)
                timing, self._since_best = best, 0
        walk.timing, walk.best, walk.best_state = timing, best, best_state
        if best.length >= length:
            return incumbent
        solution = shop.to_solution(walk.base, best_state, best.head)
        window_cap = min(
            first[1] for w in self._problem.windows if (first := w.first_window()) is not None
        )
        return incumbent if max(op.end for p in solution for op in p.ops) > window_cap else solution


def _make_move(
    shop: _Shop,
    timing: _Timing,
    tabu: dict[tuple[int, int, int], int],
    moves: int,
    best_length: int,
    rng: random.Random,
) -> _Timing | None:
    """Make the move with the best estimate that is not tabu (unless it may give a new
    best) and makes no cycle, forbid undoing it for a while, and return the new timing;
    ``None`` when no move is left."""
    for estimate, op, unit, position, work in _candidates(shop, timing, rng):
        seq = [i for i in shop.seqs[unit] if i != op]
        before = seq[position - 1] if position else -1
        after = seq[position] if position < len(seq) else -1
        is_tabu = tabu.get((unit, before, op), 0) > moves or tabu.get((unit, op, after), 0) > moves
        if is_tabu and estimate >= best_length:
            continue
        old_seq = shop.seqs[shop.unit[op]]
        at = old_seq.index(op)
        left = (shop.unit[op], old_seq[at - 1], op) if at else None
        right = (shop.unit[op], op, old_seq[at + 1]) if at + 1 < len(old_seq) else None
        undo = shop.move(op, unit, position, work)
        moved = shop.times()
        if moved is None:
            shop.move(op, *undo)
            continue
        tenure = moves + rng.randint(*_TENURE)
        for arc in (left, right):
            if arc is not None:
                tabu[arc] = tenure
        return moved
    return None


def _state(shop: _Shop) -> _State:
    return shop.unit[:], shop.work[:], [seq[:] for seq in shop.seqs]


def _restore(shop: _Shop, state: _State) -> None:
    shop.unit, shop.work, shop.seqs = state[0][:], state[1][:], [seq[:] for seq in state[2]]


def _critical_path(shop: _Shop, timing: _Timing, rng: random.Random) -> list[int]:
    """The operations of one path, chosen at random among ties, on which every
    operation starts as soon as the one before it ends and the last holds back the
    last arrival."""
    work, head, before, length = shop.work, timing.head, timing.before, timing.length
    ends = [i for i, t in enumerate(shop.tail) if head[i] + work[i] + t == length]
    path = [rng.choice(ends)]
    while True:
        i = path[-1]
        tight = [p for p, lag in shop.preds[i] if head[p] + work[p] + lag == head[i]]
        if before[i] >= 0 and head[before[i]] + work[before[i]] == head[i]:
            tight.append(before[i])
        if not tight:
            return path
        path.append(rng.choice(tight))


def _candidates(
    shop: _Shop, timing: _Timing, rng: random.Random
) -> list[tuple[int, int, int, int, int]]:
    """Moves of the operations of a critical path, best estimate first: (estimate, op,
    unit, position, work). A move's estimate is the longest path through the moved
    operation at its new place. On each unit only the places of Mastrolilli and
    Gambardella's lemma are tried: after every operation that must come before (its
    tail is longer, yet it ends by the time the moved one can start) and before every
    one that must come after; among them are the best places and none makes a cycle."""
    work, seqs, head, tail = shop.work, shop.seqs, timing.head, timing.tail
    lines: dict[int, tuple[list[int], list[int]]] = {}

    def line(unit: int) -> tuple[list[int], list[int]]:
        """Ends and negated work-plus-tails along ``unit``, both ascending."""
        if unit not in lines:
            lines[unit] = (
                [head[i] + work[i] for i in seqs[unit]],
                [-work[i] - tail[i] for i in seqs[unit]],
            )
        return lines[unit]

    result = []
    path = _critical_path(shop, timing, rng)
    rng.shuffle(path)
    for v in path:
        own, v_ready, v_rest = shop.unit[v], timing.ready[v], timing.rest[v]
        for machine, new_work in shop.choices[v]:
            for unit in shop.units_of[machine]:
                if unit == own:
                    ends, negative_tails, skip = _without(shop, v, timing, line(unit))
                else:
                    (ends, negative_tails), skip = line(unit), -1
                first_after = bisect.bisect_right(ends, v_ready)
                first_shorter = bisect.bisect_left(negative_tails, -v_rest)
                for position in range(
                    min(first_after, first_shorter), max(first_after, first_shorter) + 1
                ):
                    if position != skip:
                        start = max(v_ready, ends[position - 1]) if position else v_ready
                        after = (
                            max(v_rest, -negative_tails[position])
                            if position < len(ends)
                            else v_rest
                        )
                        result.append((start + new_work + after, v, unit, position, new_work))
    result.sort(key=_first)
    return result


def _first(candidate: tuple[int, int, int, int, int]) -> int:
    return candidate[0]


def _without(
    shop: _Shop, v: int, timing: _Timing, line: tuple[list[int], list[int]]
) -> tuple[list[int], list[int], int]:
    """Ends and negated work-plus-tails (both ascending) along ``v``'s unit, given as
    ``line``, with ``v`` taken out, and where ``v`` was: the operations after it may
    start earlier, those before it have shorter tails, until one is held by its
    routing, after which nothing changes."""
    seq = shop.seqs[shop.unit[v]]
    at = seq.index(v)
    work, ready, rest = shop.work, timing.ready, timing.rest
    ends = line[0][:at] + line[0][at + 1 :]
    negative_tails = line[1][:at] + line[1][at + 1 :]
    previous = ends[at - 1] if at else 0
    for j in range(at, len(ends)):
        i = seq[j + 1]
        end = max(ready[i], previous) + work[i]
        if end == ends[j]:
            break
        ends[j] = previous = end
    following = -negative_tails[at] if at < len(negative_tails) else 0
    for j in range(at - 1, -1, -1):
        i = seq[j]
        negative = -work[i] - max(rest[i], following)
        if negative == negative_tails[j]:
            break
        negative_tails[j] = negative
        following = -negative
    return ends, negative_tails, at
