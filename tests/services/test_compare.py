"""compare_variants: plans base and variants alike, and judges differences against the gap."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from distributed import LocalCluster

from xiezuo.domain import Plan, PlanStatus
from xiezuo.errors import InputError
from xiezuo.planning.params import PlanParams
from xiezuo.scenarios.executor import ExecutorSpec
from xiezuo.services.compare import (
    Comparison,
    OrderChange,
    OrderOutcome,
    ScenarioProgress,
    ScenarioResult,
    Significance,
    compare_results,
    compare_variants,
)

MINIMAL = Path(__file__).parents[2] / "examples" / "minimal.yaml"
ZONE = ZoneInfo("Europe/Berlin")
PARAMS = PlanParams(time_limit_s=2, workers=1, seed=0)
Run = tuple[Comparison, list[ScenarioProgress]]


def write_variant(tmp_path: Path, name: str, changes: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"base: {MINIMAL}\nname: {name}\nchanges: {changes}\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def two_process_comparison(
    tmp_path_factory: pytest.TempPathFactory,
) -> Run:
    tmp_path = tmp_path_factory.mktemp("compare")
    earlier = write_variant(
        tmp_path, "earlier", "[{change: set_order, order: N-1, due: 2027-03-05}]"
    )
    news: list[ScenarioProgress] = []
    comparison = compare_variants(
        MINIMAL, [earlier], PARAMS, ExecutorSpec(jobs=2), on_progress=news.append
    )
    return comparison, news


def test_two_processes_plan_base_and_variant(
    two_process_comparison: Run,
) -> None:
    comparison, news = two_process_comparison
    base, (variant,) = comparison.base, comparison.variants
    assert (base.label, variant.result.label) == ("minimal", "earlier")
    assert base.plan.status is PlanStatus.OPTIMAL
    assert (base.on_time, base.late, base.unplanned) == (1, 0, 0)
    assert (variant.result.on_time, variant.result.late) == (0, 1)
    assert base.violations == variant.result.violations == 0
    assert variant.result.changes == ("order N-1: due 2027-03-05",)
    assert sorted(n.index for n in news if n.done) == [0, 1]


def test_a_proven_difference_is_significant(
    two_process_comparison: Run,
) -> None:
    comparison, _ = two_process_comparison
    (variant,) = comparison.variants
    assert variant.tardiness_delta is not None
    assert variant.tardiness_delta > 0
    assert variant.significance is Significance.SIGNIFICANT
    (order,) = variant.orders
    assert (order.order_id, order.change, order.is_significant) == (
        "N-1",
        OrderChange.NOW_LATE,
        True,
    )


def test_one_job_plans_in_this_process_alike(tmp_path: Path) -> None:
    cancel = write_variant(tmp_path, "none", "[{change: cancel_order, order: N-1}]")
    comparison = compare_variants(MINIMAL, [cancel], PARAMS, ExecutorSpec())
    (variant,) = comparison.variants
    (order,) = variant.orders
    assert (order.change, order.variant, order.is_significant) == (
        OrderChange.CANCELLED,
        None,
        True,
    )


def test_a_dask_cluster_plans_them_as_the_processes_do(
    tmp_path: Path, two_process_comparison: Run
) -> None:
    """The same comparison on a LocalCluster: the same proven values, news of both."""
    earlier = write_variant(
        tmp_path, "earlier", "[{change: set_order, order: N-1, due: 2027-03-05}]"
    )
    news: list[ScenarioProgress] = []
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as cluster:
        comparison = compare_variants(
            MINIMAL,
            [earlier],
            PARAMS,
            ExecutorSpec(cluster=cluster.scheduler_address),
            on_progress=news.append,
        )
    in_processes, _ = two_process_comparison
    assert [(r.plan.status, r.plan.tardiness_hours, r.late) for r in comparison.results] == [
        (r.plan.status, r.plan.tardiness_hours, r.late) for r in in_processes.results
    ]
    assert sorted(n.index for n in news if n.done) == [0, 1]
    assert any(n.event is not None for n in news)


def test_a_bad_variant_fails_before_any_solve(tmp_path: Path) -> None:
    bad = write_variant(tmp_path, "bad", "[{change: cancel_order, order: N-2}]")
    news: list[ScenarioProgress] = []
    with pytest.raises(InputError, match=r"bad\.yaml: changes\[0\]\.order .*no order 'N-2'"):
        compare_variants(MINIMAL, [bad], PARAMS, ExecutorSpec(jobs=2), on_progress=news.append)
    assert news == []


# -- the significance rule, on made-up plans -----------------------------------------

DUE = datetime(2027, 3, 12, tzinfo=ZONE)


def result(label: str, tardiness: float, bound: float | None, *arrivals: float) -> ScenarioResult:
    """A result whose orders O-0, O-1, ... arrive ``arrivals`` days after the due date."""
    plan = Plan(
        status=PlanStatus.FEASIBLE,
        schedule=None,
        tardiness_hours=tardiness,
        tardiness_bound=bound,
    )
    orders = tuple(
        OrderOutcome(order_id=f"O-{idx}", due=DUE, arrival=DUE + timedelta(days=days))
        for idx, days in enumerate(arrivals)
    )
    return ScenarioResult(
        label=label,
        path=Path(f"{label}.yaml"),
        description="",
        base=None,
        changes=(),
        start=DUE - timedelta(days=30),
        plan=plan,
        orders=orders,
        short_materials=(),
        early_short_materials=(),
        peak_people=None,
        violations=0,
    )


def test_a_difference_within_the_wider_gap_is_not_significant() -> None:
    """Base 100 h (bound 60: band 40 h), variant 130 h (bound 120): 30 h < 40 h."""
    verdict = compare_results(result("b", 100, 60, -1), result("v", 130, 120, 1))
    assert (verdict.tardiness_delta, verdict.noise) == (30, 40)
    assert verdict.significance is Significance.NOT_SIGNIFICANT
    (order,) = verdict.orders
    assert (order.change, order.shift, order.is_significant) == (
        OrderChange.NOW_LATE,
        timedelta(days=2),
        False,
    )


def test_a_difference_beyond_the_gap_is_significant() -> None:
    verdict = compare_results(result("b", 100, 90, -3), result("v", 130, 125, -2))
    assert verdict.significance is Significance.SIGNIFICANT
    (order,) = verdict.orders
    assert (order.change, order.is_significant) == (OrderChange.LATER, True)


def test_without_a_bound_significance_is_unknown() -> None:
    verdict = compare_results(result("b", 100, None, 1), result("v", 300, 290, 1))
    assert (verdict.significance, verdict.noise, verdict.orders) == (Significance.UNKNOWN, None, ())


def test_equal_tardiness_is_no_difference() -> None:
    verdict = compare_results(result("b", 0, 0, -1, -2), result("v", 0, 0, -1, -3))
    assert verdict.significance is Significance.NONE
    (order,) = verdict.orders
    assert (order.order_id, order.change, order.is_significant) == (
        "O-1",
        OrderChange.EARLIER,
        False,
    )


def test_an_order_left_out_is_significant_even_within_the_gap() -> None:
    base = result("b", 100, 0, 1, 1)
    variant = result("v", 100, 0, 1, 1)
    left_out = replace(variant.orders[1], arrival=None)
    variant = replace(variant, orders=(variant.orders[0], left_out))
    verdict = compare_results(base, variant)
    assert verdict.significance is Significance.NONE
    (order,) = verdict.orders
    assert (order.change, order.shift, order.is_significant) == (
        OrderChange.NOW_UNPLANNED,
        None,
        True,
    )
