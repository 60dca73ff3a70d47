"""What the caller hears while the engine solves."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

from xiezuo.io import load_scenario
from xiezuo.planning.params import PlanParams, ProgressEvent
from xiezuo.planning.solve import plan
from xiezuo.planning.validation.audit import audit_plan

EXAMPLE = Path(__file__).parents[2] / "examples" / "chongqing-1958.yaml"
SEARCHES = {"first plan", "building the model", "whole model", "neighbourhoods", "tabu"}


def test_progress_names_the_search_and_beats_while_nothing_improves() -> None:
    """Every second at least an event, each with its objective, search, value and bound;
    within a phase the value never rises and the bound never falls."""
    events: list[ProgressEvent] = []
    plan(load_scenario(EXAMPLE), PlanParams(time_limit_s=4, workers=1), on_progress=events.append)
    assert {e.search for e in events} <= SEARCHES
    assert {e.phase for e in events} <= {"tardiness", "makespan"}
    assert all(b.elapsed_s - a.elapsed_s < 2.0 for a, b in itertools.pairwise(events))
    assert any(e.phase == "tardiness" and e.bound == 890 for e in events)
    for a, b in itertools.pairwise(events):
        if a.phase == b.phase and a.objective is not None and a.bound is not None:
            assert b.objective is not None
            assert b.bound is not None
            assert b.objective <= a.objective
            assert b.bound >= a.bound


def test_a_limit_spent_on_the_first_plan_returns_it_without_building_a_model() -> None:
    """The example's first plan takes longer than 0.1 s: the engine returns it, with the
    relaxation's bounds, instead of overrunning the limit by a model build and a search."""
    events: list[ProgressEvent] = []
    result = plan(
        load_scenario(EXAMPLE), PlanParams(time_limit_s=0.1, workers=1), on_progress=events.append
    )
    assert result.schedule is not None
    assert {e.search for e in events} == {"first plan"}
    assert result.tardiness_bound == 890
    assert result.tardiness_hours is not None
    assert result.tardiness_hours >= result.tardiness_bound


def test_a_stopped_solve_returns_its_best_plan_at_once() -> None:
    """A cancelled solve job: the search ends when asked, with the plan found so far."""
    network = load_scenario(Path(__file__).parents[2] / "examples" / "chongqing-1958.yaml")
    started = time.monotonic()
    result = plan(network, PlanParams(time_limit_s=600, workers=2), stop=lambda: True)
    assert time.monotonic() - started < 60
    assert result.schedule is not None
    assert audit_plan(network, result) == ()
