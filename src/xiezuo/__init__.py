"""xiezuo (协作): plan production across a network of factories.

The public API in one place: load a scenario, plan it, check and save the plan, and
compare it with another.
"""

from xiezuo.domain import Network, Plan, PlanStatus, find_issues, validate_network
from xiezuo.errors import InputError, ModelError, PlanningError, XiezuoError
from xiezuo.io import load_scenario
from xiezuo.io.plan_file import read_plan, write_plan
from xiezuo.planning.params import PlanParams, ProgressEvent
from xiezuo.planning.solve import plan
from xiezuo.planning.validate import Violation, audit_plan, validate_plan
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
    "ProgressEvent",
    "Violation",
    "XiezuoError",
    "audit_plan",
    "diff_plans",
    "find_issues",
    "load_scenario",
    "plan",
    "read_plan",
    "validate_network",
    "validate_plan",
    "write_plan",
]
