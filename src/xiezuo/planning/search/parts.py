"""Search a large network part by part: a few orders taken out and placed again.

The model of a whole large network cannot even be presolved in the time a planner
gives it (12 s at 1,000 steps, 85 s at 5,000, and 19 GB at 100,000), and measured
here, a sub-model of a hundred steps with the rest of the plan held fixed (calendars,
reservations, crews and stock left) was not solved in 5 s either. Re-placing a part
greedily is cheap instead: the orders of the part are taken out of the plan and put
back one by one around everything else, in a new sequence that gives the order which
holds the objective back the first pick of the machines and people its rivals had.

A part is an order that holds the objective back (late, or last) and the orders that
compete with it for its machines while it is under way, up to :data:`PART_STEPS`.
"""

from __future__ import annotations

import random
import time
from typing import TYPE_CHECKING

from xiezuo.planning.search.heuristic import reinsert

if TYPE_CHECKING:
    from collections.abc import Callable

    from xiezuo.planning.problem.compile import Problem
    from xiezuo.planning.problem.solution import Solution

# Steps of a part: enough rivals to make room, few enough to re-place quickly.
PART_STEPS = 400


class PartSearch:
    """Rounds of part-by-part search: take out a part around an order that holds the
    objective back, place it again with that order first, keep what is no worse."""

    def __init__(
        self, problem: Problem, *, seed: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._problem, self._clock = problem, clock
        self._rng = random.Random(seed)

    def improve(
        self,
        incumbent: Solution,
        *,
        objective_of: Callable[[Solution], int],
        focus: Callable[[Solution], list[int]],
        deadline: float,
        should_stop: Callable[[], bool],
        on_improve: Callable[[int], None] | None = None,
    ) -> Solution:
        """Improve ``incumbent`` (units assigned) on ``objective_of`` until ``deadline``
        on the clock or ``should_stop()``; a part re-placed as well is kept too, so the
        next round starts from a different plan."""
        best, best_value = incumbent, objective_of(incumbent)
        round_s = 0.0  # the last round's length: a round that cannot end in time is not begun
        while self._clock() + round_s < deadline and not should_stop() and best_value > 0:
            began = self._clock()
            part = self._choose(best, focus(best))
            candidate = reinsert(self._problem, best, part)
            round_s = self._clock() - began
            if candidate is None:
                continue
            value = objective_of(candidate)
            if value <= best_value:
                improved = value < best_value
                best, best_value = candidate, value
                if improved and on_improve is not None:
                    on_improve(value)
        return best

    def _choose(self, solution: Solution, holding_back: list[int]) -> list[int]:
        """An order that holds the objective back, then the orders whose steps use its
        machines while it is under way, in random order, up to :data:`PART_STEPS`."""
        problem = self._problem
        steps = [0] * len(problem.orders)
        for wo_idx, placement in enumerate(solution):
            steps[problem.work_orders[wo_idx].order_idx] += len(placement.ops)
        focus = self._rng.choice(holding_back)
        own = [
            op
            for wo_idx, placement in enumerate(solution)
            if problem.work_orders[wo_idx].order_idx == focus
            for op in placement.ops
        ]
        machines = {op.machine_idx for op in own}
        first, last = min(op.start for op in own), max(op.end for op in own)
        rivals = sorted(
            {
                problem.work_orders[wo_idx].order_idx
                for wo_idx, placement in enumerate(solution)
                if any(
                    op.machine_idx in machines and op.start < last and op.end > first
                    for op in placement.ops
                )
            }
            - {focus}
        )
        self._rng.shuffle(rivals)
        chosen, size = [], steps[focus]
        for order_idx in rivals:
            if size + steps[order_idx] <= PART_STEPS:
                chosen.append(order_idx)
                size += steps[order_idx]
        # The rivals keep the due-date sequence the first plan gave them; the focus
        # order moves ahead of at least half of them.
        chosen.sort(key=lambda i: (problem.orders[i].due_key, -problem.orders[i].weight))
        chosen.insert(self._rng.randrange(len(chosen) // 2 + 1), focus)
        return chosen
