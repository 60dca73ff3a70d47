"""Large-neighbourhood search around the incumbent, with CP-SAT as the repair step.

Each round frees a part of the plan (a few random orders, everything running in a time
window, everything in a time window that could run on a few random machines, or the
work on the machines where the chain of operations that holds back a late or last
order waits for a machine) and keeps the rest as it is: same plant, routing and
machine, and the same order of jobs on every machine unit, though not the same times.
CP-SAT then re-plans the freed part inside that frame, starting from the incumbent as a
hint. Small frames solve in a fraction of a second, so many rounds fit where one search
of the whole model would stall. The size of each kind of neighbourhood grows when its
rounds solve quickly and shrinks when they time out: what is small for one kind (a time
window) is large for another.

Each round is a fresh CP-SAT solve of the whole (mostly frozen) model, so its presolve
runs every round. On a model with calendars, crews or stock (``is_heavy``; the bundled
example: weekday residues, placement tables, cumulatives) that presolve alone took
longer than a one-second round (1.5-4 s with a busy machine), and no round ever
returned a plan. There a round leaves out presolve's probing (the costliest part), has
five seconds, and asks for a strictly better plan, so a frame that holds none is
refuted instead of searched for an equal plan; without presolve rounds ended sooner but
found nothing better even in frames that held it.
"""

from __future__ import annotations

import itertools
import random
import time
from collections import defaultdict
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from xiezuo.planning.problem.extract import assign_units

if TYPE_CHECKING:
    from collections.abc import Callable

    from xiezuo.planning.model.variables import ModelVars, OpVars
    from xiezuo.planning.problem.compile import Problem
    from xiezuo.planning.problem.solution import Solution

_ROUND_LIMIT_S = 1.0
_HEAVY_ROUND_LIMIT_S = 5.0  # see the module docstring
_KINDS = ("orders", "time", "machines", "critical")


class NeighbourhoodSearch:
    """Rounds of neighbourhood search on one model; the random state and the size of
    the neighbourhood carry over from one call of :meth:`improve` to the next."""

    def __init__(
        self,
        model: cp_model.CpModel,
        problem: Problem,
        mv: ModelVars,
        objective_of: Callable[[Solution], int],
        focus: Callable[[Solution], list[int]],
        *,
        workers: int,
        seed: int,
        is_heavy: bool,
        hint: Callable[[cp_model.CpModel, Solution], None],
        read: Callable[[cp_model.CpSolver], Solution],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._model, self._problem, self._mv = model, problem, mv
        self._clock = clock
        self._objective_of, self._focus = objective_of, focus
        self._hint, self._read = hint, read
        self._workers, self._seed = workers, seed
        self._rng = random.Random(seed)
        self._share = dict.fromkeys(_KINDS, 0.2)  # of the operations freed per round
        self._rounds = 0
        self._is_heavy = is_heavy
        self._round_limit_s = _HEAVY_ROUND_LIMIT_S if is_heavy else _ROUND_LIMIT_S

    def improve(
        self,
        incumbent: Solution,
        *,
        deadline: float,
        should_stop: Callable[[], bool],
        on_improve: Callable[[int], None] | None = None,
    ) -> Solution:
        """Improve ``incumbent`` until ``deadline`` or ``should_stop()``, asked after
        every round."""
        problem = self._problem
        best, best_value = assign_units(problem, incumbent), self._objective_of(incumbent)
        while self._clock() < deadline - 0.05 and not should_stop() and best_value > 0:
            self._rounds += 1
            kind = _KINDS[self._rounds % len(_KINDS)]
            chain = (
                critical_chain(problem, best, self._rng.choice(self._focus(best)))
                if kind == "critical"
                else []
            )
            freed = _neighbourhood(
                problem, best, self._rng, self._share[kind], kind=kind, chain=chain
            )
            sub = self._model.clone()
            _freeze(sub, self._problem, self._mv, best, freed)
            sub.add(sub_objective(sub) <= best_value - (1 if self._is_heavy else 0))
            self._hint(sub, best)
            solver = cp_model.CpSolver()
            solver.parameters.max_time_in_seconds = max(
                0.0, min(self._round_limit_s, deadline - self._clock())
            )
            solver.parameters.num_workers = self._workers
            solver.parameters.random_seed = self._seed + self._rounds
            if self._is_heavy:
                solver.parameters.cp_model_probing_level = 0
            status = solver.solve(sub)
            improved = False
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                candidate = assign_units(problem, self._read(solver))
                value = self._objective_of(candidate)
                if value <= best_value:
                    improved = value < best_value
                    best, best_value = candidate, value
                    if improved and on_improve is not None:
                        on_improve(value)
            self._share[kind] = _resized(
                self._share[kind],
                solved_fast=status in (cp_model.OPTIMAL, cp_model.INFEASIBLE)
                and solver.wall_time < self._round_limit_s / 2,
                improved=improved,
            )
        return best


def _resized(share: float, *, solved_fast: bool, improved: bool) -> float:
    """The next size of a kind of neighbourhood: larger when its round solved fast, fast
    when that round proved nothing better exists (it was too small to hold an
    improvement; an infeasible round, asked for a strictly better plan, proved the
    same), smaller when the round ran out of time."""
    if not solved_fast:
        return max(0.05, share / 1.15)
    return min(0.9, share * (1.15 if improved else 1.5))


def sub_objective(model: cp_model.CpModel) -> cp_model.LinearExpr:
    """The model's own objective as an expression, to bound it by the incumbent."""
    objective = model.proto.objective
    return cp_model.LinearExpr.weighted_sum(
        [model.get_int_var_from_proto_index(i) for i in objective.vars], list(objective.coeffs)
    )


def critical_chain(problem: Problem, solution: Solution, order_idx: int) -> list[tuple[int, int]]:
    """The operations, last first, that hold back the end of an order: from its last
    operation, again and again the predecessor that ends last, whether the step before,
    the last step of a component or design, or the operation before on the same unit.

    The objective can only improve if some machine on this chain takes its work in
    another order, or the work moves off it.
    """
    before_on_unit = {
        later: earlier
        for jobs in _jobs_on_units(solution, leave_out=set())
        for earlier, later in itertools.pairwise(jobs)
    }

    def end(wk: tuple[int, int]) -> int:
        return solution[wk[0]].ops[wk[1]].end

    w = problem.orders[order_idx].root_idx
    current = (w, len(solution[w].ops) - 1)
    chain = [current]
    while True:
        w, k = current
        candidates = (
            [(w, k - 1)]
            if k > 0
            else [(p, len(solution[p].ops) - 1) for p in problem.work_orders[w].predecessors]
        )
        if current in before_on_unit:
            candidates.append(before_on_unit[current])
        start = solution[w].ops[k].start
        candidates = [c for c in candidates if end(c) <= start]
        if not candidates:
            return chain
        current = max(candidates, key=end)
        chain.append(current)


def _neighbourhood(
    problem: Problem,
    solution: Solution,
    rng: random.Random,
    share: float,
    *,
    kind: str,
    chain: list[tuple[int, int]],
) -> set[tuple[int, int]]:
    """Operations to free, as (work order, step index): whole random orders, every
    operation in a random time window, or, in a time window, every operation that could
    run on one of a few machines (so work can move between them and their alternatives;
    on a job shop, whole machines are re-sequenced): random machines, or first those
    where ``chain`` waits for a machine."""
    ops = [(w, k) for w, placement in enumerate(solution) for k in range(len(placement.ops))]
    count = max(1, round(share * len(ops)))
    if kind in ("machines", "critical"):
        machines = sorted({op.machine_idx for p in solution for op in p.ops})
        rng.shuffle(machines)
        if kind == "critical":
            waiting = _machines_waited_for(solution, chain)
            rng.shuffle(waiting)
            machines = waiting + [m for m in machines if m not in waiting]
        eligible: dict[tuple[int, int], None] = {}
        for machine in machines:
            eligible.update(
                dict.fromkeys(
                    (w, k)
                    for w, k in ops
                    if machine
                    in problem.work_orders[w].options[solution[w].option_idx].ops[k].machines
                )
            )
            if len(eligible) >= count:
                break
        ops = list(eligible)
    if kind in ("time", "machines", "critical"):
        ops.sort(key=lambda wk: solution[wk[0]].ops[wk[1]].start)
        if kind == "critical" and len(ops) > count:
            w, k = rng.choice(chain)
            at = solution[w].ops[k].start
            middle = next((i for i, (w, k) in enumerate(ops) if solution[w].ops[k].start >= at), 0)
            first = min(max(0, middle - count // 2), len(ops) - count)
        else:
            first = rng.randrange(max(1, len(ops) - count + 1))
        return set(ops[first : first + count])
    by_order: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for w, k in ops:
        by_order[problem.work_orders[w].order_idx].append((w, k))
    orders = list(by_order)
    rng.shuffle(orders)
    freed: set[tuple[int, int]] = set()
    for order_idx in orders:
        if len(freed) >= count:
            break
        freed.update(by_order[order_idx])
    return freed


def _machines_waited_for(solution: Solution, chain: list[tuple[int, int]]) -> list[int]:
    """Machines on which one operation of ``chain`` follows the one before it."""
    waited: dict[int, None] = {}
    for (w, k), (earlier_w, earlier_k) in itertools.pairwise(chain):
        op, earlier = solution[w].ops[k], solution[earlier_w].ops[earlier_k]
        if op.machine_idx == earlier.machine_idx and set(op.held_units) & set(earlier.held_units):
            waited[op.machine_idx] = None
    return list(waited)


def _freeze(
    model: cp_model.CpModel,
    problem: Problem,
    mv: ModelVars,
    solution: Solution,
    freed: set[tuple[int, int]],
) -> None:
    """Keep the machine and per-unit job order of every operation not freed, and the
    plant and routing of every work order not freed whole."""
    for wo_idx, placement in enumerate(solution):
        wov = mv.work_orders[wo_idx]
        steps = range(len(placement.ops))
        if any((wo_idx, k) not in freed for k in steps):
            model.add(wov.option_lits[placement.option_idx] == 1)
        option = problem.work_orders[wo_idx].options[placement.option_idx]
        for k, (op_vars, op, spec) in enumerate(
            zip(wov.ops[placement.option_idx], placement.ops, option.ops, strict=True)
        ):
            if (wo_idx, k) not in freed:
                model.add(op_vars.machine_lits[spec.alternative(op.machine_idx, op.gang)] == 1)

    def vars_of(wk: tuple[int, int]) -> OpVars:
        w, k = wk
        return mv.work_orders[w].ops[solution[w].option_idx][k]

    for jobs in _jobs_on_units(solution, leave_out=freed):
        for earlier, later in itertools.pairwise(jobs):
            model.add(vars_of(later).start >= vars_of(earlier).end)


def _jobs_on_units(
    solution: Solution, *, leave_out: set[tuple[int, int]]
) -> list[list[tuple[int, int]]]:
    """Per machine unit, its operations (work order, step) in start order, but for those
    in ``leave_out``."""
    on_unit: dict[tuple[int, int], list[tuple[int, int, int]]] = defaultdict(list)
    for w, placement in enumerate(solution):
        for k, op in enumerate(placement.ops):
            if (w, k) not in leave_out:
                for unit in op.held_units:
                    on_unit[op.machine_idx, unit].append((op.start, w, k))
    return [[(w, k) for _, w, k in sorted(jobs)] for jobs in on_unit.values()]
