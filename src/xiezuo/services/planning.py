"""Use cases over scenario and plan files: check, plan, verify, chart."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from xiezuo.domain import Finding, Network, Plan, find_issues
from xiezuo.io import is_benchmark_file, load_scenario, read_instance
from xiezuo.io.plan_file import read_plan, write_plan
from xiezuo.planning.solve import plan as plan_network
from xiezuo.planning.validate import Violation, validate_plan

if TYPE_CHECKING:
    from pathlib import Path

    from xiezuo.planning.params import PlanParams, ProgressCallback


@dataclass(frozen=True, slots=True)
class PlanRun:
    network: Network
    plan: Plan
    findings: tuple[Finding, ...]
    violations: tuple[Violation, ...]


def load_network(path: Path, fmt: str | None = None) -> Network:
    """A scenario file, or a standard benchmark instance (by ``fmt`` or file name)."""
    if fmt is not None or is_benchmark_file(path):
        return read_instance(path, fmt)
    return load_scenario(path)


def check_scenario(path: Path, fmt: str | None = None) -> tuple[Network, tuple[Finding, ...]]:
    """Load and validate a scenario; return what it still cannot do."""
    network = load_network(path, fmt)
    return network, find_issues(network)


def plan_scenario(
    path: Path,
    params: PlanParams,
    *,
    fmt: str | None = None,
    out: Path | None = None,
    on_progress: ProgressCallback | None = None,
) -> PlanRun:
    """Plan a scenario file, check the plan independently, and write it if asked."""
    network, findings = check_scenario(path, fmt)
    plan = plan_network(network, params, on_progress=on_progress)
    violations: tuple[Violation, ...] = ()
    if plan.schedule is not None:
        violations = validate_plan(network, plan.schedule, unplanned=plan.unplanned_orders)
    if out is not None:
        write_plan(plan, out)
    return PlanRun(network, plan, findings, violations)


def verify_plan_file(
    scenario: Path, plan_path: Path, fmt: str | None = None
) -> tuple[Plan, tuple[Violation, ...]]:
    """Check a plan file against its scenario with the independent validator."""
    network = load_network(scenario, fmt)
    plan = read_plan(plan_path)
    if plan.schedule is None:
        return plan, ()
    return plan, validate_plan(network, plan.schedule, unplanned=plan.unplanned_orders)
