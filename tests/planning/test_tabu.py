"""Tabu search on machine assignments and sequences."""

from __future__ import annotations

import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.conftest import ROUND_THE_CLOCK
from tests.strategies import networks
from xiezuo.domain import Network, validate_network
from xiezuo.io import read_instance
from xiezuo.io.scenario import load_scenario
from xiezuo.planning.problem.compile import compile_problem
from xiezuo.planning.problem.extract import assign_units, score, to_schedule
from xiezuo.planning.search import tabu
from xiezuo.planning.search.heuristic import first_plan
from xiezuo.planning.validation.audit import validate_plan

if TYPE_CHECKING:
    from xiezuo.planning.problem.compile import Problem
    from xiezuo.planning.problem.solution import Solution

DATA = Path(__file__).parents[1] / "data"


def _first(problem: Problem) -> Solution:
    solution = first_plan(problem, 1.0)
    assert solution is not None
    return assign_units(problem, solution)


def _round_the_clock(network: Network) -> Network:
    """``network`` with every machine at work from the start all the time (some may
    leave early) and no crews or materials."""
    return replace(
        network,
        calendar=ROUND_THE_CLOCK,
        plants=tuple(
            replace(
                plant,
                calendar=None,
                machines=tuple(
                    replace(m, calendar=None, available_from=None) for m in plant.machines
                ),
            )
            for plant in network.plants
        ),
        items=tuple(
            replace(
                item,
                materials=(),
                routings=tuple(
                    replace(r, operations=tuple(replace(op, crew=()) for op in r.operations))
                    for r in item.routings
                ),
            )
            for item in network.items
        ),
    )


def test_it_applies_to_round_the_clock_shops_only() -> None:
    assert tabu.applies(compile_problem(read_instance(DATA / "benchmarks" / "mk01.fjs")))
    assert not tabu.applies(compile_problem(load_scenario(DATA / "scenarios" / "small.yaml")))


def test_it_shortens_a_greedy_plan_of_mk01_to_a_valid_plan() -> None:
    network = read_instance(DATA / "benchmarks" / "mk01.fjs")
    problem = compile_problem(network)
    first = _first(problem)
    better = tabu.TabuSearch(problem, seed=0).improve(first, deadline=time.monotonic() + 2.0)
    assert score(problem, better).makespan < score(problem, first).makespan
    assert validate_plan(network, to_schedule(problem, better)) == ()


@st.composite
def flexible_shops(draw: st.DrawFn) -> str:
    """A flexible job shop in the Brandimarte format: 2-6 jobs of 1-5 operations, each
    on 1-3 of 2-4 machines."""
    machines = draw(st.integers(2, 4))
    lines = [f"{draw(st.integers(2, 6))} {machines} 1"]
    for _ in range(int(lines[0].split()[0])):
        job = []
        for _ in range(draw(st.integers(1, 5))):
            able = draw(st.lists(st.integers(1, machines), min_size=1, max_size=3, unique=True))
            job.append(f"{len(able)} " + " ".join(f"{m} {draw(st.integers(1, 20))}" for m in able))
        lines.append(f"{len(job)} " + " ".join(job))
    return "\n".join(lines) + "\n"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flexible_shops())
def test_its_flexible_shop_plans_are_valid_and_never_worse(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "shop.fjs"
        path.write_text(text, encoding="utf-8")
        network = read_instance(path)
    problem = compile_problem(network)
    first = _first(problem)
    better = tabu.TabuSearch(problem, seed=0).improve(first, deadline=time.monotonic() + 0.05)
    assert score(problem, better).makespan <= score(problem, first).makespan
    assert validate_plan(network, to_schedule(problem, better)) == ()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(networks(with_engineering=False))
def test_its_plans_are_valid_and_never_worse(drawn: Network) -> None:
    network = _round_the_clock(drawn)
    validate_network(network)
    problem = compile_problem(network)
    assume(problem.orders)  # pinned orders may all go to plants that cannot make them
    assert tabu.applies(problem)
    first = _first(problem)
    before = score(problem, first)
    search = tabu.TabuSearch(problem, seed=0, tardiness_cap=before.weighted_tardiness)
    better = search.improve(first, deadline=time.monotonic() + 0.05)
    after = score(problem, better)
    assert after.makespan <= before.makespan
    assert after.weighted_tardiness <= before.weighted_tardiness
    planned = {order.order_id for order in problem.orders}
    unplanned = [order.id for order in network.orders if order.id not in planned]
    assert validate_plan(network, to_schedule(problem, better), unplanned=unplanned) == ()
