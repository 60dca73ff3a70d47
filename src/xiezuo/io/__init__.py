"""File formats: pydantic file schemas, readers and writers, conversion to and from the domain."""

from xiezuo.io.benchmarks import BENCHMARK_FORMATS, is_benchmark_file, read_instance
from xiezuo.io.progress import load_progress, parse_progress
from xiezuo.io.progress_schema import progress_json_schema
from xiezuo.io.scenario import load_scenario, parse_scenario
from xiezuo.io.scenario_schema import scenario_json_schema

__all__ = [
    "BENCHMARK_FORMATS",
    "is_benchmark_file",
    "load_progress",
    "load_scenario",
    "parse_progress",
    "parse_scenario",
    "progress_json_schema",
    "read_instance",
    "scenario_json_schema",
]
