"""The engine's entry point: a validated network in, a Plan out.

Solving is lexicographic. A constructive heuristic gives a first plan and the
solver's hint; phase one minimises priority-weighted tardiness; phase two holds
tardiness at its best value and minimises the makespan (last arrival at a
customer). Whatever happens, the best plan found is returned: the heuristic plan
when the solver finds nothing better in time.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from xiezuo.domain import (
    Explanation,
    Network,
    Plan,
    PlanStatus,
    Progress,
    Schedule,
    UnplannedOrder,
    UnplannedReason,
)
from xiezuo.planning.analysis.explain import explain_late_orders
from xiezuo.planning.model.build import add_hints, build_model, read_solution
from xiezuo.planning.model.objective import add_moves, first_objective, lever_cost
from xiezuo.planning.params import PlanParams, ProgressCallback, ProgressEvent
from xiezuo.planning.problem.bounds import RelaxationBounds, relaxation_bounds
from xiezuo.planning.problem.compile import Problem, compile_problem
from xiezuo.planning.problem.extract import (
    Score,
    arrivals,
    assign_units,
    moved_anchors,
    score,
    to_schedule,
)
from xiezuo.planning.replan.history import settled_figures, with_history
from xiezuo.planning.replan.situation import FixedKind, Situation, read_situation, unkept_frozen
from xiezuo.planning.search import lns, tabu
from xiezuo.planning.search.heuristic import first_plan, first_unplaceable, follow_previous
from xiezuo.planning.search.stability import anchor_previous

if TYPE_CHECKING:
    from collections.abc import Callable

    from xiezuo.planning.model.variables import ModelVars
    from xiezuo.planning.problem.solution import Solution

_MINUTES_PER_HOUR = 60.0


def plan(
    network: Network,
    params: PlanParams | None = None,
    *,
    progress: Progress | None = None,
    previous: Plan | None = None,
    on_progress: ProgressCallback | None = None,
    stop: Callable[[], bool] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Plan:
    """Plan every order of ``network``, or replan what remains of it.

    Parameters
    ----------
    network:
        A network that passed :func:`xiezuo.domain.validate_network`.
    params:
        Time limit, workers and seed, frozen window and stability; defaults to
        :class:`PlanParams()`.
    progress:
        What has happened up to its status date (checked by
        :func:`xiezuo.domain.progress_rules.check_progress`): a replan keeps reported
        work, plans nothing before the status date, and returns the whole plan,
        history included.
    previous:
        The plan being replaced: the replan's first plan and hint, the anchor of its
        stability cost and the source of its frozen window.
    on_progress:
        Told of every new value and bound, and at least once a second (a heartbeat)
        while solving; it may be called from the solver's threads.
    stop:
        Asked several times a second while searching (from any thread); once it
        returns ``True`` the search ends and the best plan so far is returned, as at
        the time limit (a cancelled solve job).
    clock:
        Seconds from an arbitrary origin, by which the time limit is kept in every
        phase (the first plan, the model build, the search, the plan's read-out); a
        test can make any phase look slow with a clock that jumps.

    Returns
    -------
    Plan
        The best plan found, with objective values, bounds and explanations. Orders
        no plant can make are listed in ``unplanned_orders`` with the reason.
    """
    params = params or PlanParams()
    started = clock()
    with _Progress(on_progress, started, stop, clock) as reporter:
        return _plan(network, params, started, reporter, progress, previous)


def _plan(
    network: Network,
    params: PlanParams,
    started: float,
    progress: _Progress,
    reported: Progress | None,
    previous: Plan | None,
) -> Plan:
    def report_first(problem: Problem, solution: Solution) -> None:
        progress.update(objective=score(problem, solution).weighted_tardiness)

    situation = None
    if reported is not None:
        network, situation = read_situation(network, reported, previous, params.frozen_days)
    budget = min(5.0, 0.1 * params.time_limit_s)
    problem, first = _compile_and_construct(
        network, budget, report_first, situation, previous, params, progress.now
    )
    if first is None and situation is not None and reported is not None:
        frozen = _frozen_steps(situation)
        if frozen:
            # The frozen window cannot be kept beside the reported facts as a whole
            # (crews, stock): plan without it, and say so step by step.
            network, situation = read_situation(network, reported, previous, 0)
            situation = replace(situation, notes=(*situation.notes, *frozen))
            problem, first = _compile_and_construct(
                network, budget, report_first, situation, previous, params, progress.now
            )
    unplanned = problem.unplanned
    notes = tuple(
        Explanation(kind="unplanned", subject=u.order_id, message=u.message) for u in unplanned
    ) + (() if situation is None else situation.notes)
    as_of = None if situation is None else situation.as_of

    def whole(schedule: Schedule) -> Schedule:
        return schedule if situation is None else with_history(network, situation, schedule)

    def left_window(schedule: Schedule) -> tuple[Explanation, ...]:
        if situation is None or previous is None or not params.frozen_days:
            return ()
        return unkept_frozen(network, situation, previous, params.frozen_days, schedule, unplanned)

    if not problem.orders:
        schedule = whole(to_schedule(problem, ()))
        settled = settled_figures(network, schedule, set())
        return Plan(
            status=PlanStatus.OPTIMAL,
            schedule=schedule,
            tardiness_hours=settled.weighted_tardiness / _MINUTES_PER_HOUR,
            tardiness_bound=settled.weighted_tardiness / _MINUTES_PER_HOUR,
            makespan=timedelta(minutes=settled.last_arrival),
            makespan_bound=timedelta(minutes=settled.last_arrival),
            runtime_s=progress.now() - started,
            unplanned=unplanned,
            explanations=(*notes, *settled.late, *left_window(schedule)),
            as_of=as_of,
        )
    if first is None:
        return Plan(
            status=PlanStatus.INFEASIBLE,
            schedule=None,
            runtime_s=progress.now() - started,
            unplanned=unplanned,
            as_of=as_of,
            explanations=(
                *notes,
                Explanation(
                    kind="infeasible",
                    subject="network",
                    message=(
                        "some work cannot be placed in any machine's working time: a machine "
                        "it needs is available too briefly or not at all"
                    ),
                ),
            ),
        )
    relaxed = relaxation_bounds(problem)
    first_score = score(problem, first)
    progress.update(objective=first_score.weighted_tardiness, bound=relaxed.weighted_tardiness)
    if problem.anchors and _unchanged(problem, first):
        result = _unsearched(first, first_score, relaxed.weighted_tardiness, relaxed.makespan)
    else:
        result = _solve_lexicographic(problem, first, params, relaxed, progress)
    best = assign_units(problem, result.solution)
    final = score(problem, best)
    schedule = whole(to_schedule(problem, best))
    settled = settled_figures(network, schedule, {o.order_id for o in problem.orders})
    # With a stability cost the search bounds tardiness plus moves; only the relaxation
    # bounds the tardiness alone.
    bound = relaxed.weighted_tardiness if problem.move_cost else result.tardiness_bound
    tardiness = final.weighted_tardiness + settled.weighted_tardiness
    makespan = max(final.makespan, settled.last_arrival)
    return Plan(
        status=result.status
        if not problem.move_cost or final.weighted_tardiness <= bound
        else PlanStatus.FEASIBLE,
        schedule=schedule,
        tardiness_hours=tardiness / _MINUTES_PER_HOUR,
        tardiness_bound=min(bound + settled.weighted_tardiness, tardiness) / _MINUTES_PER_HOUR,
        makespan=timedelta(minutes=makespan),
        makespan_bound=timedelta(
            minutes=min(max(result.makespan_bound, settled.last_arrival), makespan)
        ),
        runtime_s=progress.now() - started,
        unplanned=unplanned,
        explanations=(
            *notes,
            *result.notes,
            *explain_late_orders(problem, best),
            *settled.late,
            *left_window(schedule),
        ),
        as_of=as_of,
    )


def _compile_and_construct(
    network: Network,
    budget_s: float,
    on_found: Callable[[Problem, Solution], None],
    situation: Situation | None = None,
    previous: Plan | None = None,
    params: PlanParams | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[Problem, Solution | None]:
    """The problem and a first plan, setting aside orders the greedy plan cannot place.

    An order can be unplaceable even when the network has enough of everything in
    total, when what is left cannot reach it within the horizon. With a previous plan,
    that plan repaired competes with the greedy plans, stability cost included.
    """
    set_aside: dict[str, UnplannedOrder] = {}
    while True:
        problem = compile_problem(network, set_aside, situation)
        if previous is not None and params is not None and params.stability != 0:
            weight = params.stability or 0.0  # None: moves come after tardiness instead
            problem = anchor_previous(
                problem,
                previous,
                move_cost=round(weight * _MINUTES_PER_HOUR),
                tolerance=timedelta(hours=params.stability_tolerance_h),
            )
        if not problem.orders:
            return problem, ()
        kept = follow_previous(problem, previous) if previous and problem.anchors else None
        if kept is not None:
            on_found(problem, kept)
            if _unchanged(problem, kept):
                # Nothing forces a change: the previous plan stands as it is. Making it
                # better is a fresh plan's job (stability 0), not a replan's.
                return problem, kept
        first = first_plan(problem, budget_s, partial(on_found, problem), clock)
        if kept is not None and (
            first is None or score(problem, kept).key <= score(problem, first).key
        ):
            first = kept
        if first is not None:
            return problem, first
        failing = first_unplaceable(problem)
        if failing is None:
            return problem, None
        order_id = problem.orders[failing].order_id
        set_aside[order_id] = UnplannedOrder(
            order_id=order_id,
            reason=UnplannedReason.UNPLACEABLE,
            message="cannot be placed: the material it needs cannot reach it in the horizon, "
            "or a machine or crew it needs is available too briefly",
        )


def _unchanged(problem: Problem, solution: Solution) -> bool:
    """Whether ``solution`` is the previous plan: every step anchored, none moved."""
    steps = sum(len(placement.ops) for placement in solution)
    return len(problem.anchors) == steps and score(problem, solution).moves == 0


def _frozen_steps(situation: Situation) -> tuple[Explanation, ...]:
    """An ``unfrozen`` note for every frozen step, when the window cannot be kept whole."""
    return tuple(
        Explanation(
            kind="unfrozen",
            subject=f"{wo_id}#{s.step}",
            message=f"step {s.step} of {wo_id} leaves its frozen place: the frozen window "
            "as a whole cannot be kept beside the reported facts (people or stock)",
        )
        for wo_id, prefix in situation.prefixes.items()
        for s in prefix.steps
        if s.kind is FixedKind.FROZEN
    )


@dataclass(frozen=True, slots=True)
class _Outcome:
    status: PlanStatus
    solution: Solution
    tardiness_bound: int
    makespan_bound: int
    notes: tuple[Explanation, ...] = ()


# Seconds kept for reading the plan out after the search: a fixed part and a part per
# step to place (measured: about 0.1 ms a step for units, schedule and explanations).
_READ_OUT_S = 0.3
_READ_OUT_PER_STEP_S = 1e-4
# The most of the time left the model build may take.
_BUILD_SHARE = 0.5


class _Progress:
    """The solve as the caller sees it: objective (tardiness or makespan), the search
    running, the best value and the best bound of the objective.

    Every change is passed on at once; a heartbeat thread repeats the state at least
    once a second, so a caller can show elapsed time while nothing improves. Solver
    callbacks arrive on the solver's threads, hence the lock.
    """

    _HEARTBEAT_S = 1.0

    def __init__(
        self,
        on_progress: ProgressCallback | None,
        started: float,
        stop: Callable[[], bool] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._on_progress, self.started = on_progress, started
        self.now = clock
        self._stop = stop
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._phase, self._search = "tardiness", "first plan"
        self._objective: int | None = None
        self._bound: int | None = None
        self._heartbeat = threading.Thread(target=self._beat, daemon=True)

    def __enter__(self) -> _Progress:
        if self._on_progress is not None:
            self._heartbeat.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._done.set()
        if self._heartbeat.is_alive():
            self._heartbeat.join()

    def start_phase(self, phase: str, objective: int, bound: int) -> None:
        """A new objective: its value and bound replace the last phase's."""
        with self._lock:
            self._phase, self._objective, self._bound = phase, objective, bound
            self._emit()

    def update(
        self, *, search: str | None = None, objective: int | None = None, bound: int | None = None
    ) -> None:
        """Note the search now running, a new value or a new bound (kept if better)."""
        with self._lock:
            if search is not None:
                self._search = search
            if objective is not None and (self._objective is None or objective < self._objective):
                self._objective = objective
            if bound is not None and (self._bound is None or bound > self._bound):
                self._bound = bound
            self._emit()

    def stopped(self) -> bool:
        """Whether the caller has asked the solve to end now."""
        return self._stop is not None and self._stop()

    def _beat(self) -> None:
        while not self._done.wait(self._HEARTBEAT_S):
            with self._lock:
                self._emit()

    def _emit(self) -> None:
        if self._on_progress is None:
            return
        # Moves are a count, lever costs hundredths; the rest minutes.
        scale = {"moves": 1.0, "levers": 100.0}.get(self._phase, _MINUTES_PER_HOUR)
        self._on_progress(
            ProgressEvent(
                phase=self._phase,
                search=self._search,
                elapsed_s=self.now() - self.started,
                objective=None if self._objective is None else self._objective / scale,
                bound=None if self._bound is None else self._bound / scale,
            )
        )


class _Reporter(cp_model.CpSolverSolutionCallback):
    """Forwards each solution of a whole-model search to ``on_value`` and ``progress``."""

    def __init__(self, progress: _Progress, on_value: Callable[[int], None]) -> None:
        super().__init__()
        self._progress, self._on_value = progress, on_value

    def on_solution_callback(self) -> None:
        value = round(self.objective_value)
        self._on_value(value)
        self._progress.update(objective=value, bound=int(self.best_objective_bound))


class _Pace:
    """How fast one turn of a search improves the objective, to decide when to hand
    over to the other kind of search.

    A whole-model search first presolves, which on a large model or a busy machine
    takes seconds; the turn's clock starts at its first solution (:meth:`restart`),
    so the presolve is not mistaken for a stall, but the wait for it ends after
    ``patience_s``. As the next turn of the whole model pays for its presolve again,
    the turn counts as stalled only after at least that start-up time without a gain.
    """

    def __init__(
        self,
        value: int,
        window_s: float,
        patience_s: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self.started = clock()
        self.window_s = window_s
        self._history = [(self.started, value)]
        self._patience_s = patience_s
        self._waiting = patience_s is not None
        self._startup_s = 0.0

    def restart(self, value: int) -> None:
        """The search has found its first solution: count from now."""
        if self._waiting:
            self._waiting = False
            self._startup_s = self._clock() - self.started
            self.started = self._clock()
            self._history = [(self.started, min(value, self._history[-1][1]))]

    def note(self, value: int) -> None:
        self.restart(value)
        if value < self._history[-1][1]:
            self._history.append((self._clock(), value))

    def _rate(self, over_s: float) -> float:
        """Objective gained per second over the last ``over_s`` seconds."""
        now = self._clock()
        earlier = [value for at, value in self._history if at <= now - over_s]
        then = earlier[-1] if earlier else self._history[0][1]
        return (then - self._history[-1][1]) / max(min(over_s, now - self.started), 1e-3)

    def recent_rate(self) -> float:
        """Objective gained per second over the last two windows of the turn, which
        leaves out the quick gains at the start of a search."""
        return self._rate(2 * self.window_s)

    def should_stop(self, not_before: float, stall_s: float, rival_rate: float | None) -> bool:
        """Past ``not_before``: stalled, or slower than the other search was."""
        now = self._clock()
        if self._waiting:
            assert self._patience_s is not None
            return now - self.started >= self._patience_s
        if now < not_before:
            return False
        if now - self._history[-1][0] >= max(stall_s, self._startup_s):
            return True
        warmed_up = now - self.started >= self.window_s
        return rival_rate is not None and warmed_up and self._rate(self.window_s) < rival_rate


def _solve_lexicographic(
    problem: Problem,
    first: Solution,
    params: PlanParams,
    relaxed: RelaxationBounds,
    progress: _Progress,
) -> _Outcome:
    first_score = score(problem, first)

    # Reading the plan out (units, schedule, explanations) takes its time after the
    # search, in proportion to the work: the search ends that much before the limit.
    read_out_s = _READ_OUT_S + _READ_OUT_PER_STEP_S * sum(
        len(wo.options[0].ops) for wo in problem.work_orders
    )

    def time_left() -> float:
        if progress.stopped():
            return 0.0
        return params.time_limit_s - read_out_s - (progress.now() - progress.started)

    def unsearched(why: str) -> _Outcome:
        outcome = _unsearched(first, first_score, relaxed.weighted_tardiness, relaxed.makespan)
        if progress.stopped():
            why = "the solve was stopped before the search"
        note = Explanation(
            kind="unsearched",
            subject="plan",
            message=f"this is the first, constructive plan, not improved by search: {why}",
        )
        return replace(outcome, notes=(note,))

    if time_left() <= 0:
        # The first plan took the whole limit (a large network, a busy machine):
        # building a model now would only overrun it.
        return unsearched("making it took the whole time limit")
    latest_due = max((o.due for o in problem.orders if o.due is not None), default=0)
    slack = 24 * 60  # room to move work when the first plan is already tight
    horizon = min(problem.window_cap, int(max(first_score.makespan, latest_due) * 1.3) + slack)
    progress.update(search="building the model")
    # A model that takes more than its share of the time left to build leaves the search
    # too little even to presolve it: the build gives up, and the first plan stands.
    build_s = time_left() * _BUILD_SHARE
    build_until = progress.now() + build_s
    built = build_model(
        problem, horizon, lambda: progress.stopped() or progress.now() > build_until
    )
    if built is None:
        return unsearched(
            f"the solver's model of this network could not be built in {build_s:.1f} s, "
            "its share of the time left; a longer time limit lets the search run"
        )
    model, mv = built
    tardiness = first_objective(model, problem, mv)
    add_hints(model, problem, mv, first)
    best, best_score = first, first_score
    # Nothing late in the first plan: zero tardiness is optimal, go straight to makespan.
    tardiness_phase = _Phase(int(cp_model.OPTIMAL), None, 0)
    # Moves after tardiness: a phase of their own, from the tardiness phase's time.
    moves_next = bool(problem.anchors) and not problem.move_cost
    if first_score.first > 0:
        model.minimize(tardiness)
        progress.start_phase("tardiness", first_score.first, relaxed.weighted_tardiness)
        # As long as in a fresh plan, so a stable replan is as punctual as one from
        # scratch; proven optimal (as often), it hands its time on to the moves.
        budget = time_left() * params.tardiness_share
        tardiness_phase = _run_phase(
            model,
            problem,
            mv,
            params,
            budget,
            "tardiness",
            relaxed.weighted_tardiness,
            progress,
            best,
        )
        if tardiness_phase.status == cp_model.MODEL_INVALID:
            return _Outcome(PlanStatus.MODEL_INVALID, first, 0, 0)
        best, best_score = _better(problem, (best, best_score), tardiness_phase.solution)

    moves_phase = _Phase(int(cp_model.OPTIMAL), None, 0)
    if moves_next:
        moves = add_moves(model, problem, mv)
        if best_score.moves and time_left() > 0:
            model.add(tardiness <= best_score.first)
            model.minimize(moves)
            add_hints(model, problem, mv, best)
            progress.start_phase("moves", best_score.moves, 0)
            # In a replan the makespan matters least: moves get most of what is left.
            budget = time_left() * _MOVES_SHARE
            moves_phase = _run_phase(model, problem, mv, params, budget, "moves", 0, progress, best)
            best, best_score = _better(problem, (best, best_score), moves_phase.solution)
        # The makespan may not buy itself moves either.
        model.add(moves <= best_score.moves)
    levers_phase = _Phase(int(cp_model.OPTIMAL), None, 0)
    if problem.levers:
        # Levers after tardiness (and moves): an exact lexicographic order, so no cost
        # can ever buy lateness, and the cheapest set of levers as punctual wins.
        cost = lever_cost(problem, mv)
        if best_score.lever_cost and time_left() > 0:
            model.add(tardiness <= best_score.first)
            model.minimize(cost)
            add_hints(model, problem, mv, best)
            progress.start_phase("levers", best_score.lever_cost, 0)
            budget = time_left() * _LEVERS_SHARE
            levers_phase = _run_phase(
                model, problem, mv, params, budget, "levers", 0, progress, best
            )
            best, best_score = _better(problem, (best, best_score), levers_phase.solution)
        # The makespan may not buy itself levers either.
        model.add(cost <= best_score.lever_cost)
    if time_left() <= 0:
        bound = max(tardiness_phase.bound, relaxed.weighted_tardiness)
        return _unsearched(best, best_score, bound, relaxed.makespan)
    model.add(tardiness <= best_score.first)
    model.minimize(mv.makespan)
    add_hints(model, problem, mv, best)
    progress.start_phase("makespan", best_score.makespan, relaxed.makespan)
    budget = time_left()
    makespan_phase = _run_phase(
        model, problem, mv, params, budget, "makespan", relaxed.makespan, progress, best
    )
    best, best_score = _better(problem, (best, best_score), makespan_phase.solution)
    is_optimal = (
        tardiness_phase.status
        == moves_phase.status
        == levers_phase.status
        == makespan_phase.status
        == cp_model.OPTIMAL
    )
    return _Outcome(
        PlanStatus.OPTIMAL if is_optimal else PlanStatus.FEASIBLE,
        best,
        tardiness_phase.bound,
        makespan_phase.bound,
    )


_MOVES_SHARE = 0.85
# The levers' cost phase is usually proven quickly (a few Booleans); the makespan
# gets the rest.
_LEVERS_SHARE = 0.5


def _unsearched(
    solution: Solution, solution_score: Score, tardiness_bound: int, makespan_bound: int
) -> _Outcome:
    """A plan returned when the time is up before (more) search: optimal only if it
    meets the bounds already known."""
    meets = (
        solution_score.weighted_tardiness <= tardiness_bound
        and solution_score.makespan <= makespan_bound
    )
    return _Outcome(
        PlanStatus.OPTIMAL if meets else PlanStatus.FEASIBLE,
        solution,
        tardiness_bound,
        makespan_bound,
    )


@dataclass(frozen=True, slots=True)
class _Phase:
    status: int
    solution: Solution | None
    bound: int


def _run_phase(
    model: cp_model.CpModel,
    problem: Problem,
    mv: ModelVars,
    params: PlanParams,
    budget_s: float,
    phase: str,
    floor: int,
    progress: _Progress,
    incumbent: Solution,
) -> _Phase:
    """Searches of the whole model, tabu search and neighbourhood search, taking turns.

    The whole-model search goes first, for its bound and because on problems it
    handles well (classic job shops) it may prove optimality; it runs for at least
    ``full_search_share`` of the budget and on until it stalls (job shops need its
    long first turn), counted from its first solution, but waits for that at most half
    the budget. Then each other kind has a turn; after that the next turn goes
    to the kind that has gained most per second in this phase, so on flexible shops,
    where tabu search moves the makespan long after CP-SAT has stalled, it gets most
    of the time, and on job shops the whole model does. A turn ends when its search
    stalls or, once warmed up, gains less per second than another kind did at the end
    of its last turn. Tabu search only runs on the makespan and where times follow
    from sequences (:func:`tabu.applies`). ``floor`` is a bound known beforehand
    (:func:`relaxation_bounds`): a plan that reaches it is optimal.
    """
    phase_start = progress.now()
    deadline = phase_start + max(budget_s, 0.1)
    stall_s = max(2.0, 0.15 * budget_s)
    window_s = max(2.0, 0.1 * budget_s)
    not_before = phase_start + budget_s * params.full_search_share
    best, best_value = incumbent, _objective_of(problem, phase, incumbent)
    bound, status = floor, int(cp_model.UNKNOWN)
    is_shop = tabu.applies(problem)
    neighbourhoods = lns.NeighbourhoodSearch(
        model,
        problem,
        mv,
        partial(_objective_of, problem, phase),
        partial(_holding_back, problem, phase),
        workers=params.workers,
        seed=params.seed,
        is_heavy=not is_shop,
        hint=lambda sub, candidate: add_hints(sub, problem, mv, candidate),
        read=lambda sub_solver: read_solution(problem, mv, sub_solver),
        clock=progress.now,
    )
    kinds = ["whole", "neighbourhoods"]
    if phase == "makespan" and is_shop:
        kinds.insert(1, "tabu")
    if params.workers == 1 and not is_shop:
        kinds.reverse()  # one worker: CP-SAT's lone default search only polishes the hint
    cap = score(problem, incumbent).weighted_tardiness
    moves = tabu.TabuSearch(problem, seed=params.seed, tardiness_cap=cap, clock=progress.now)
    # Gain per second at the end of the last turn of each kind.
    rates: dict[str, float] = {}
    # Objective gained and seconds spent by each kind of search in this phase.
    gained, spent = dict.fromkeys(kinds, 0), dict.fromkeys(kinds, 0.0)
    turn = 0
    while progress.now() < deadline - 0.1 and best_value > bound and not progress.stopped():
        kind = _next_kind(kinds, gained, spent)
        progress.update(search=_SEARCH_NAMES[kind])
        value_before, turn_start = best_value, progress.now()
        patience = 0.5 * (deadline - turn_start) if kind == "whole" else None
        pace = _Pace(best_value, window_s, patience, progress.now)
        rival_rate = max((r for k, r in rates.items() if k != kind), default=None)
        stalled = partial(pace.should_stop, not_before, stall_s, rival_rate)

        def stop(stalled: Callable[[], bool] = stalled) -> bool:
            return stalled() or progress.stopped()

        def note(value: int, pace: _Pace = pace) -> None:
            pace.note(value)
            progress.update(objective=value)

        if kind == "whole":
            if turn > 0:
                add_hints(model, problem, mv, best)
            solver = _solver(params, deadline - progress.now(), turn, is_shop=is_shop)
            status = _run(solver, model, progress, pace.note, stop)
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.UNKNOWN):
                return _Phase(status, None, floor)
            bound = max(bound, int(solver.best_objective_bound))
            progress.update(bound=bound)
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                candidate = read_solution(problem, mv, solver)
                value = _objective_of(problem, phase, candidate)
                if value <= best_value:
                    best, best_value = candidate, value
        elif kind == "tabu":
            best = moves.improve(
                assign_units(problem, best), deadline=deadline, should_stop=stop, on_improve=note
            )
            best_value = _objective_of(problem, phase, best)
        else:
            best = neighbourhoods.improve(
                best, deadline=deadline, should_stop=stop, on_improve=note
            )
            best_value = _objective_of(problem, phase, best)
        rates[kind] = pace.recent_rate()
        gained[kind] += value_before - best_value
        spent[kind] += progress.now() - turn_start
        turn += 1
        not_before = progress.now() + window_s
    is_optimal = status == cp_model.OPTIMAL or best_value <= bound
    return _Phase(int(cp_model.OPTIMAL) if is_optimal else int(cp_model.FEASIBLE), best, bound)


_SEARCH_NAMES = {"whole": "whole model", "tabu": "tabu", "neighbourhoods": "neighbourhoods"}


def _next_kind(kinds: list[str], gained: dict[str, int], spent: dict[str, float]) -> str:
    """Each kind of search once, in order; then the one that has gained most per second
    so far, or, when none has gained, the one that has had least time."""
    untried = [kind for kind in kinds if not spent[kind]]
    if untried:
        return untried[0]
    return max(kinds, key=lambda kind: (gained[kind] / spent[kind], -spent[kind]))


def _objective_of(problem: Problem, phase: str, candidate: Solution) -> int:
    values = score(problem, candidate)
    if phase == "moves":
        return values.moves
    if phase == "levers":
        return values.lever_cost
    return values.first if phase == "tardiness" else values.makespan


def _holding_back(problem: Problem, phase: str, candidate: Solution) -> list[int]:
    """The orders whose arrival the phase's objective counts: the late ones, or the last."""
    if phase == "moves":
        moved = {problem.work_orders[a.wo_idx].order_idx for a in moved_anchors(problem, candidate)}
        if moved:
            return sorted(moved)
    times = arrivals(problem, candidate)
    if phase == "tardiness":
        late = [
            i for i, (o, t) in enumerate(zip(problem.orders, times, strict=True)) if o.tardiness(t)
        ]
        if late:
            return late
    last = max(times)
    return [i for i, t in enumerate(times) if t == last]


def _better(
    problem: Problem, incumbent: tuple[Solution, Score], candidate: Solution | None
) -> tuple[Solution, Score]:
    """The candidate if it is at least as good lexicographically, else the incumbent."""
    if candidate is None:
        return incumbent
    candidate_score = score(problem, candidate)
    return (candidate, candidate_score) if candidate_score.key <= incumbent[1].key else incumbent


def _solver(
    params: PlanParams, time_limit_s: float, turn: int, *, is_shop: bool
) -> cp_model.CpSolver:
    """A solver for one turn; each turn its own seed, so a restart searches anew.

    Both objectives only grow when work finishes later, so the solver may push work
    toward the start; with dynamic precedences in the no-overlap reasoning, these are
    the settings of OR-Tools' own job-shop example. The stronger (slower) no-overlap
    propagation pays on job shops, where the machines' sequences are the whole problem
    (benchmarks/README.md has the A/B runs). Outside such shops (``is_shop``: see
    :func:`tabu.applies`) calendars, crews and stock make presolve's probing the
    costliest part of a turn, three times the rest of presolve on the bundled example
    (7 s against 21 s with a busy machine), so it is left out there.
    """
    solver = cp_model.CpSolver()
    if not is_shop:
        solver.parameters.cp_model_probing_level = 0
    # A slow moment since the caller looked at the clock can leave no time at all.
    solver.parameters.max_time_in_seconds = max(0.0, time_limit_s)
    solver.parameters.num_workers = params.workers
    solver.parameters.random_seed = params.seed + turn
    solver.parameters.push_all_tasks_toward_start = True
    solver.parameters.use_dynamic_precedence_in_disjunctive = True
    solver.parameters.use_strong_propagation_in_disjunctive = True
    return solver


def _run(
    solver: cp_model.CpSolver,
    model: cp_model.CpModel,
    progress: _Progress,
    on_value: Callable[[int], None],
    should_stop: Callable[[], bool],
) -> int:
    """Solve, reporting progress, until done or ``should_stop()`` (asked ten times a second)."""
    solver.best_bound_callback = lambda bound: progress.update(bound=int(bound))
    reporter = _Reporter(progress, on_value)
    finished = threading.Event()

    def watch() -> None:
        while not finished.wait(0.1):
            if should_stop():
                solver.stop_search()
                return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        return int(solver.solve(model, reporter))
    finally:
        finished.set()
        watcher.join()
