"""Use cases over scenario and plan files: check, plan, verify, chart."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from xiezuo.domain import Finding, Network, Plan, find_issues
from xiezuo.io import load_scenario
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


def check_scenario(path: Path) -> tuple[Network, tuple[Finding, ...]]:
    """Load and validate a scenario; return what it still cannot do."""
    network = load_scenario(path)
    return network, find_issues(network)


def plan_scenario(
    path: Path,
    params: PlanParams,
    *,
    out: Path | None = None,
    on_progress: ProgressCallback | None = None,
) -> PlanRun:
    """Plan a scenario file, check the plan independently, and write it if asked."""
    network, findings = check_scenario(path)
    plan = plan_network(network, params, on_progress=on_progress)
    violations: tuple[Violation, ...] = ()
    if plan.schedule is not None:
        violations = validate_plan(network, plan.schedule, unplanned=plan.unplanned_orders)
    if out is not None:
        write_plan(plan, out)
    return PlanRun(network, plan, findings, violations)


def verify_plan_file(scenario: Path, plan_path: Path) -> tuple[Plan, tuple[Violation, ...]]:
    """Check a plan file against its scenario with the independent validator."""
    network = load_scenario(scenario)
    plan = read_plan(plan_path)
    if plan.schedule is None:
        return plan, ()
    return plan, validate_plan(network, plan.schedule, unplanned=plan.unplanned_orders)
