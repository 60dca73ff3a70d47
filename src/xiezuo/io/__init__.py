"""File formats: pydantic file schemas, readers and writers, conversion to and from the domain."""

from xiezuo.io.scenario import load_scenario, parse_scenario
from xiezuo.io.scenario_schema import scenario_json_schema

__all__ = ["load_scenario", "parse_scenario", "scenario_json_schema"]
