"""xiezuo (协作): plan production across a network of factories.

The public API in one place: load a scenario (or a what-if variant of one), plan it,
replan it from the plants' progress, check and save the plan, and compare it with
another.
"""

from xiezuo.domain import Network, Plan, PlanStatus, Progress, find_issues, validate_network
from xiezuo.errors import InputError, ModelError, PlanningError, XiezuoError
from xiezuo.io import load_scenario
from xiezuo.io.plan_file import read_plan, write_plan
from xiezuo.io.progress import load_progress
from xiezuo.io.variant import load_variant
from xiezuo.planning.params import PlanParams, ProgressEvent
from xiezuo.planning.solve import plan
from xiezuo.planning.validation.audit import Violation, audit_plan, validate_plan
from xiezuo.services.diff import PlanDiff, diff_plans

__all__ = [
    "InputError",
    "ModelError",
    "Network",
    "Plan",
    "PlanDiff",
    "PlanParams",
    "PlanStatus",
    "PlanningError",
    "Progress",
    "ProgressEvent",
    "Violation",
    "XiezuoError",
    "audit_plan",
    "diff_plans",
    "find_issues",
    "load_progress",
    "load_scenario",
    "load_variant",
    "plan",
    "read_plan",
    "validate_network",
    "validate_plan",
    "write_plan",
]
