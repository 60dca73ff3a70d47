"""The neighbourhoods that large-neighbourhood search frees."""

from __future__ import annotations

import random
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from xiezuo.io import read_instance
from xiezuo.planning.compile import Problem, compile_problem
from xiezuo.planning.heuristic import first_plan
from xiezuo.planning.lns import _neighbourhood

if TYPE_CHECKING:
    from xiezuo.planning.solution import Solution

MK01 = Path(__file__).parents[1] / "data" / "benchmarks" / "mk01.fjs"


@pytest.fixture(scope="module")
def mk01() -> tuple[Problem, Solution]:
    problem = compile_problem(read_instance(MK01))
    solution = first_plan(problem, 1.0)
    assert solution is not None
    return problem, solution


@pytest.mark.parametrize("seed", range(5))
def test_orders_are_freed_whole(mk01: tuple[Problem, Solution], seed: int) -> None:
    problem, solution = mk01
    freed = _neighbourhood(problem, solution, random.Random(seed), 0.2, kind="orders")
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
    freed = _neighbourhood(problem, solution, random.Random(seed), 0.2, kind="time")
    starts = [solution[w].ops[k].start for w, k in freed]
    inside = [
        (w, k)
        for w, placement in enumerate(solution)
        for k, op in enumerate(placement.ops)
        if min(starts) < op.start < max(starts)
    ]
    assert set(inside) <= freed


@pytest.mark.parametrize("seed", range(5))
def test_a_machine_window_frees_work_that_could_run_on_one_machine(
    mk01: tuple[Problem, Solution], seed: int
) -> None:
    problem, solution = mk01
    freed = _neighbourhood(problem, solution, random.Random(seed), 0.1, kind="machine")

    def eligible(w: int, k: int) -> set[int]:
        return set(problem.work_orders[w].options[solution[w].option_idx].ops[k].machines)

    assert freed
    assert set.intersection(*(eligible(w, k) for w, k in freed))
