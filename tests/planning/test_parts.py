"""Part-by-part search on a network too large for the whole model."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from xiezuo.io import parse_scenario
from xiezuo.io.scenario_data import dump_scenario
from xiezuo.planning.params import PlanParams, ProgressEvent
from xiezuo.planning.problem.compile import compile_problem
from xiezuo.planning.problem.extract import score
from xiezuo.planning.search.heuristic import construct, reinsert
from xiezuo.planning.solve import plan
from xiezuo.planning.validation.audit import audit_plan
from xiezuo.scenarios.generate import GeneratorOptions, MaterialLevel, generate_scenario

if TYPE_CHECKING:
    from xiezuo.domain import Network


@cache
def _generated(operations: int) -> Network:
    options = GeneratorOptions(operations=operations, materials=MaterialLevel.HEAVY, seed=1)
    return parse_scenario(dump_scenario(generate_scenario(options), "json"), "generated", "json")


def test_reinserting_every_order_is_constructing_afresh() -> None:
    problem = compile_problem(_generated(300))
    by_due = sorted(range(len(problem.orders)), key=lambda i: problem.orders[i].due_key)
    first = construct(problem, by_due)
    assert first is not None
    backwards = by_due[::-1]
    assert reinsert(problem, first, backwards) == construct(problem, backwards)


def test_reinserting_a_few_orders_keeps_the_rest_in_place() -> None:
    problem = compile_problem(_generated(300))
    by_due = sorted(range(len(problem.orders)), key=lambda i: problem.orders[i].due_key)
    first = construct(problem, by_due)
    assert first is not None
    freed = by_due[-3:][::-1]
    again = reinsert(problem, first, freed)
    assert again is not None
    for wo_idx, compiled in enumerate(problem.work_orders):
        if compiled.order_idx not in freed:
            assert again[wo_idx] == first[wo_idx]
    assert score(problem, again).makespan > 0


def test_a_network_above_the_whole_model_size_is_searched_by_parts_into_a_valid_plan() -> None:
    network = _generated(1_500)
    events: list[ProgressEvent] = []
    result = plan(network, PlanParams(time_limit_s=15, workers=1), on_progress=events.append)
    assert "parts" in {e.search for e in events}
    assert "whole model" not in {e.search for e in events}
    assert audit_plan(network, result) == ()
    first = next(e.objective for e in events if e.objective is not None)
    assert result.tardiness_hours is not None
    assert result.tardiness_hours <= first
    assert result.tardiness_bound is not None
    assert 0 < result.tardiness_bound <= result.tardiness_hours
