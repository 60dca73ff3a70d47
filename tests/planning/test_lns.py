"""The neighbourhoods that large-neighbourhood search frees."""

from __future__ import annotations

import itertools
import random
import time
from datetime import time as clock
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import build_item, build_machine, build_network, build_order
from xiezuo.domain import Calendar, Plant
from xiezuo.io import read_instance
from xiezuo.planning.model.build import add_hints, build_model, read_solution
from xiezuo.planning.model.objective import weighted_tardiness
from xiezuo.planning.problem.compile import Problem, compile_problem
from xiezuo.planning.problem.extract import score
from xiezuo.planning.search.heuristic import construct, first_plan
from xiezuo.planning.search.lns import (
    NeighbourhoodSearch,
    _machines_waited_for,
    _neighbourhood,
    _resized,
    critical_chain,
)

if TYPE_CHECKING:
    from xiezuo.planning.problem.solution import Solution

DATA = Path(__file__).parents[1] / "data" / "benchmarks"
MK01 = DATA / "mk01.fjs"


@pytest.fixture(scope="module")
def mk01() -> tuple[Problem, Solution]:
    problem = compile_problem(read_instance(MK01))
    solution = first_plan(problem, 1.0)
    assert solution is not None
    return problem, solution


@pytest.fixture(scope="module")
def ft06() -> tuple[Problem, Solution]:
    """A job shop (6 jobs, each once on every one of 6 machines) with a left-shifted plan."""
    problem = compile_problem(read_instance(DATA / "ft06.txt"))
    solution = first_plan(problem, 1.0)
    assert solution is not None
    return problem, solution


def _last_order(problem: Problem, solution: Solution) -> int:
    return max(range(len(problem.orders)), key=lambda i: solution[problem.orders[i].root_idx].end)


@pytest.mark.parametrize("seed", range(5))
def test_orders_are_freed_whole(mk01: tuple[Problem, Solution], seed: int) -> None:
    problem, solution = mk01
    freed = _neighbourhood(problem, solution, random.Random(seed), 0.2, kind="orders", chain=[])
    orders = {problem.work_orders[w].order_idx for w, _ in freed}
    assert 0 < len(orders) < len(problem.orders)
    for w, placement in enumerate(solution):
        if problem.work_orders[w].order_idx in orders:
            assert all((w, k) in freed for k in range(len(placement.ops)))


@pytest.mark.parametrize("seed", range(5))
def test_a_time_window_frees_everything_that_starts_inside_it(
    mk01: tuple[Problem, Solution], seed: int
) -> None:
    problem, solution = mk01
    freed = _neighbourhood(problem, solution, random.Random(seed), 0.2, kind="time", chain=[])
    starts = [solution[w].ops[k].start for w, k in freed]
    inside = [
        (w, k)
        for w, placement in enumerate(solution)
        for k, op in enumerate(placement.ops)
        if min(starts) < op.start < max(starts)
    ]
    assert set(inside) <= freed


def test_the_critical_chain_of_a_left_shifted_plan_spans_its_makespan(
    ft06: tuple[Problem, Solution],
) -> None:
    problem, solution = ft06
    chain = critical_chain(problem, solution, _last_order(problem, solution))

    def op(wk: tuple[int, int]) -> tuple[int, int, int, int]:
        placed = solution[wk[0]].ops[wk[1]]
        return placed.machine_idx, placed.unit, placed.start, placed.end

    assert op(chain[0])[3] == max(p.end for p in solution)
    assert op(chain[-1])[2] == 0
    for later, earlier in itertools.pairwise(chain):
        assert op(earlier)[3] == op(later)[2]
        same_job_step = later[0] == earlier[0] and later[1] == earlier[1] + 1
        assert same_job_step or op(later)[:2] == op(earlier)[:2]


@pytest.mark.parametrize("seed", range(5))
def test_random_machines_are_freed_whole_on_a_job_shop(
    ft06: tuple[Problem, Solution], seed: int
) -> None:
    problem, solution = ft06
    freed = _neighbourhood(problem, solution, random.Random(seed), 1 / 3, kind="machines", chain=[])
    machines = {solution[w].ops[k].machine_idx for w, k in freed}
    assert len(machines) == 2
    on_them = {
        (w, k)
        for w, placement in enumerate(solution)
        for k, op in enumerate(placement.ops)
        if op.machine_idx in machines
    }
    assert freed == on_them


@pytest.mark.parametrize("seed", range(5))
def test_the_critical_kind_frees_the_machines_the_chain_waits_for(
    ft06: tuple[Problem, Solution], seed: int
) -> None:
    problem, solution = ft06
    chain = critical_chain(problem, solution, _last_order(problem, solution))
    waited = set(_machines_waited_for(solution, chain))
    assert len(waited) >= 2
    freed = _neighbourhood(
        problem, solution, random.Random(seed), 1 / 3, kind="critical", chain=chain
    )
    assert {solution[w].ops[k].machine_idx for w, k in freed} <= waited


@pytest.mark.parametrize("seed", range(5))
def test_a_small_machine_window_frees_work_that_could_run_on_one_machine(
    mk01: tuple[Problem, Solution], seed: int
) -> None:
    problem, solution = mk01
    freed = _neighbourhood(problem, solution, random.Random(seed), 0.05, kind="machines", chain=[])

    def eligible(w: int, k: int) -> set[int]:
        return set(problem.work_orders[w].options[solution[w].option_idx].ops[k].machines)

    assert freed
    assert set.intersection(*(eligible(w, k) for w, k in freed))


def test_a_neighbourhood_that_holds_nothing_better_grows_fastest() -> None:
    unimproved = _resized(0.2, solved_fast=True, improved=False)
    improved = _resized(0.2, solved_fast=True, improved=True)
    timed_out = _resized(0.2, solved_fast=False, improved=False)
    assert timed_out < 0.2 < improved < unimproved


def test_neighbourhood_sizes_stay_within_their_limits() -> None:
    share = 0.2
    for _ in range(50):
        share = _resized(share, solved_fast=True, improved=False)
    assert share == pytest.approx(0.9)
    for _ in range(50):
        share = _resized(share, solved_fast=False, improved=False)
    assert share == pytest.approx(0.05)


def test_rounds_on_a_model_with_calendars_find_the_strictly_better_plan() -> None:
    """Two 4 h jobs on a day-shift lathe, the one due at 10 h planned second (4 h
    late): heavy rounds, which ask for a strictly better plan, swap them."""
    day_shift = Calendar(
        working_days=(0, 1, 2, 3, 4, 5, 6),
        shifts_per_day=1,
        shift_length=timedelta(hours=8),
        first_shift_start=clock(6, 0),
    )
    network = build_network(
        plants=(Plant(id="A", machines=(build_machine("lathe", "machining"),)),),
        items=(build_item("P", ("machining", 4)),),
        orders=(build_order("soon", "P", 10), build_order("later", "P", 30)),
        calendar=day_shift,
    )
    problem = compile_problem(network)
    late_first = construct(problem, [1, 0])
    assert late_first is not None
    assert score(problem, late_first).weighted_tardiness == 4 * 60
    built = build_model(problem, problem.window_cap)
    assert built is not None
    model, mv = built
    model.minimize(weighted_tardiness(problem, mv))
    search = NeighbourhoodSearch(
        model,
        problem,
        mv,
        lambda candidate: score(problem, candidate).weighted_tardiness,
        lambda _candidate: [0],
        workers=1,
        seed=0,
        is_heavy=True,
        hint=lambda sub, candidate: add_hints(sub, problem, mv, candidate),
        read=lambda solver: read_solution(problem, mv, solver),
    )
    best = search.improve(late_first, deadline=time.monotonic() + 5, should_stop=lambda: False)
    assert score(problem, best).weighted_tardiness == 0
