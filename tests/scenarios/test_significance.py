"""The noise rule shared by compare and advise: a difference counts beyond the wider gap."""

from __future__ import annotations

import pytest

from xiezuo.domain import Plan, PlanStatus
from xiezuo.scenarios.significance import Significance, judge


def feasible(tardiness: float | None, bound: float | None) -> Plan:
    return Plan(
        status=PlanStatus.FEASIBLE,
        schedule=None,
        tardiness_hours=tardiness,
        tardiness_bound=bound,
    )


@pytest.mark.parametrize(
    ("base", "variant", "delta", "noise", "significance"),
    [
        ((100, 100), (40, 40), -60, 0, Significance.SIGNIFICANT),
        ((100, 80), (70, 50), -30, 20, Significance.SIGNIFICANT),
        ((100, 60), (70, 50), -30, 40, Significance.NOT_SIGNIFICANT),
        ((100, 60), (100, 90), 0, 40, Significance.NONE),
        ((100, 90), (130, 125), 30, 10, Significance.SIGNIFICANT),
        ((100, None), (40, 40), -60, None, Significance.UNKNOWN),
        ((None, None), (40, 40), None, None, Significance.UNKNOWN),
    ],
)
def test_a_difference_is_significant_only_beyond_the_wider_gap(
    base: tuple[float | None, float | None],
    variant: tuple[float | None, float | None],
    delta: float | None,
    noise: float | None,
    significance: Significance,
) -> None:
    verdict = judge(feasible(*base), feasible(*variant))
    assert (verdict.delta, verdict.noise, verdict.significance) == (delta, noise, significance)
