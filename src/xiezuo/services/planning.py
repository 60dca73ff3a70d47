"""Use cases over scenario and plan files: check, plan, verify, chart."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from xiezuo.domain import Finding, Network, Plan, Progress, find_issues
from xiezuo.errors import InputError
from xiezuo.io import is_benchmark_file, load_scenario, read_instance
from xiezuo.io.plan_file import read_plan, write_plan
from xiezuo.io.progress import load_progress
from xiezuo.planning.solve import plan as plan_network
from xiezuo.planning.validation.audit import Violation, audit_plan

if TYPE_CHECKING:
    from pathlib import Path

    from xiezuo.planning.params import PlanParams, ProgressCallback


@dataclass(frozen=True, slots=True)
class PlanRun:
    network: Network
    plan: Plan
    findings: tuple[Finding, ...]
    violations: tuple[Violation, ...]
    # A replan's facts, kept so a report can say what it started from.
    progress: Progress | None = None
    previous: Plan | None = None


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
    budget: float | None = None,
) -> PlanRun:
    """Plan a scenario file, check the plan independently, and write it if asked.
    ``budget`` replaces the scenario's lever budget."""
    network, findings = check_scenario(path, fmt)
    network = with_budget(network, budget)
    plan = plan_network(network, params, on_progress=on_progress)
    violations = audit_plan(network, plan)
    if out is not None:
        _write(plan, out)
    return PlanRun(network, plan, findings, violations)


def replan_scenario(
    scenario: Path,
    progress_path: Path,
    params: PlanParams,
    *,
    previous_path: Path | None = None,
    out: Path | None = None,
    on_progress: ProgressCallback | None = None,
    budget: float | None = None,
) -> PlanRun:
    """Replan a scenario from a progress file (and the plan it replaces), check the new
    plan independently against the same facts, and write it if asked.

    The scenario file is only read: the progress lives in its own file. ``budget``
    replaces the scenario's lever budget.
    """
    network, findings = check_scenario(scenario)
    network = with_budget(network, budget)
    previous = None
    if previous_path is not None:
        previous = read_plan(previous_path, near=network.start)
        check_plan_fits(network, previous, scenario, previous_path)
    progress = load_progress(progress_path, network, previous)
    plan = plan_network(
        network, params, progress=progress, previous=previous, on_progress=on_progress
    )
    violations = audit_plan(
        network, plan, progress=progress, previous=previous, frozen_days=params.frozen_days
    )
    if out is not None:
        _write(plan, out)
    return PlanRun(network, plan, findings, violations, progress, previous)


def with_budget(network: Network, budget: float | None) -> Network:
    """``network`` with its levers' budget replaced, when one is given (``--budget``)."""
    return network if budget is None else replace(network, lever_budget=budget)


def _write(plan: Plan, out: Path) -> None:
    try:
        write_plan(plan, out)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise InputError(str(out), "", f"could not write the plan: {reason}") from exc


def verify_plan_file(
    scenario: Path,
    plan_path: Path,
    fmt: str | None = None,
    *,
    progress_path: Path | None = None,
    previous_path: Path | None = None,
    frozen_days: float = 0,
) -> tuple[Plan, tuple[Violation, ...]]:
    """Check a plan file against its scenario with the independent validator.

    A replan is judged against the facts it was made from, as
    :func:`replan_scenario` judges it: the progress (read with the previous plan's
    routings, as the replan read it) and, for its frozen window, the previous plan.

    Raises
    ------
    InputError
        A file is malformed; the plan is mostly about orders the scenario does not
        have (the plan of another scenario, named as such rather than as hundreds of
        violations); or the plan is a replan (it has a status date) and no progress
        is given: judged as a fresh plan, its reported work would pass unchecked.
    """
    network = load_network(scenario, fmt)
    plan = read_plan(plan_path, near=network.start)
    check_plan_fits(network, plan, scenario, plan_path)
    if plan.as_of is not None and progress_path is None:
        raise InputError(
            str(plan_path),
            "as_of",
            f"the plan is a replan as of {plan.as_of.isoformat()}: it can only be checked "
            "against the progress file it was made from; give that file (--progress)",
        )
    previous = None
    if previous_path is not None:
        previous = read_plan(previous_path, near=network.start)
        check_plan_fits(network, previous, scenario, previous_path)
    progress = None
    if progress_path is not None:
        progress = load_progress(progress_path, network, previous)
    violations = audit_plan(
        network, plan, progress=progress, previous=previous, frozen_days=frozen_days
    )
    return plan, violations


def check_plan_fits(network: Network, plan: Plan, scenario: Path, plan_path: Path) -> None:
    """Refuse a plan most of whose orders the scenario lacks; a few are the validator's.

    Raises
    ------
    InputError
        More than half the plan's orders are unknown to the scenario: the plan of
        another scenario, named as such rather than as hundreds of misfits.
    """
    order_ids = set(plan.unplanned_orders)
    if plan.schedule is not None:
        order_ids.update(wo.order_id for wo in plan.schedule.work_orders)
        order_ids.update(d.order_id for d in plan.schedule.deliveries)
    unknown = sorted(order_ids - {order.id for order in network.orders})
    if not unknown or 2 * len(unknown) <= len(order_ids):
        return
    foreign = set(unknown)
    work_orders = (
        0
        if plan.schedule is None
        else sum(1 for wo in plan.schedule.work_orders if wo.order_id in foreign)
    )
    first = ", ".join(repr(order_id) for order_id in unknown[:5])
    raise InputError(
        str(plan_path),
        "",
        f"{len(unknown)} of the plan's {len(order_ids)} orders ({work_orders} work orders) "
        f"are unknown to the scenario {scenario}, which has {len(network.orders)} orders; "
        f"first {min(5, len(unknown))}: {first}. Is it the plan of another scenario?",
    )
