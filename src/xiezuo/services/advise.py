"""Use case: advise which lever fixes which late order, from a scenario file and,
optionally, a plan file of it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from xiezuo.io.plan_file import read_plan
from xiezuo.io.scenario import load_scenario_spec, network_from_spec
from xiezuo.io.variant import is_variant_file, load_variant_spec
from xiezuo.scenarios.advise import DEFAULT_MAX_LEVERS, advise
from xiezuo.services.planning import check_plan_fits

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from xiezuo.planning.params import PlanParams
    from xiezuo.scenarios.advise import Advice, AdviceProgress
    from xiezuo.scenarios.executor import ExecutorSpec


def advise_scenario(
    scenario: Path,
    plan_path: Path | None,
    params: PlanParams,
    executor: ExecutorSpec,
    *,
    max_levers: int = DEFAULT_MAX_LEVERS,
    on_progress: Callable[[AdviceProgress], None] | None = None,
) -> Advice:
    """Read the scenario (and the plan, checked to be this scenario's), then advise.

    ``scenario`` may be a what-if variant (``docs/variants.md``): the levers are then
    laid over the variant's merged scenario.

    Raises
    ------
    InputError, ModelError
        The scenario or the plan file is bad, or the plan is another scenario's; this
        happens before any solve starts.
    PlanningError
        A solve failed for another reason than its input.
    """
    if is_variant_file(scenario):
        spec, _ = load_variant_spec(scenario)
    else:
        spec = load_scenario_spec(scenario)
    plan = None
    if plan_path is not None:
        network = network_from_spec(spec, str(scenario))
        plan = read_plan(plan_path, near=network.start)
        check_plan_fits(network, plan, scenario, plan_path)
    return advise(
        spec,
        params,
        executor,
        source=str(scenario),
        plan=plan,
        max_levers=max_levers,
        on_progress=on_progress,
    )
