"""The compile step holds every network the loader accepts in numbers it can represent."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from xiezuo.domain import PLAN_SPAN_LIMIT
from xiezuo.io import parse_scenario
from xiezuo.planning.problem.compile import compile_problem

SMALL = Path(__file__).parents[1] / "data" / "scenarios" / "small.yaml"


def test_window_horizon_stays_within_the_plan_span_for_long_lanes_and_many_orders() -> None:
    """10,000 orders with year-long lanes once pushed the horizon past year 9999."""
    data = yaml.safe_load(SMALL.read_text(encoding="utf-8"))
    for lane in data["lanes"]:
        lane["lead_days"] = 365
    region = data["orders"][0]["region"]
    item = data["orders"][0]["item"]
    data["orders"] = [{"id": f"O-{i}", "region": region, "item": item} for i in range(10_000)]
    network = parse_scenario(json.dumps(data, default=str), "long-lanes.json", "json")

    problem = compile_problem(network)

    assert problem.window_cap * 60 <= PLAN_SPAN_LIMIT.total_seconds()
