"""Is a difference between two plans' weighted tardiness more than solver noise?

A time-limited plan is not proven optimal: its weighted tardiness ``T`` lies somewhere
above its proven bound ``B``, and another search would land elsewhere in ``[B, T]``.
The width of that band is the plan's gap times its value, ``T - B``. A difference
between two plans (a base and a variant, a base and a lever) is therefore *significant*
only when it is larger than the wider of the two bands,
``|T_v - T_b| > max(T_b - B_b, T_v - B_v)``; smaller, and it may be the search, not the
change. Without a bound on either side nothing can be said ("unknown").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xiezuo.domain import Plan


class Significance(StrEnum):
    NONE = "no difference"
    SIGNIFICANT = "significant"
    NOT_SIGNIFICANT = "not significant"
    UNKNOWN = "unknown"  # a plan without a bound: the band cannot be told


@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    """``delta`` is the variant's weighted tardiness minus the base's and ``noise`` the
    band it must exceed, both in weighted hours (``None`` when a plan lacks the figure)."""

    delta: float | None
    noise: float | None
    significance: Significance


def judge(base: Plan, variant: Plan) -> Verdict:
    """The variant's tardiness difference from the base, and whether it exceeds the noise."""
    delta = noise = None
    significance = Significance.UNKNOWN
    if base.tardiness_hours is not None and variant.tardiness_hours is not None:
        delta = variant.tardiness_hours - base.tardiness_hours
        if base.tardiness_bound is not None and variant.tardiness_bound is not None:
            noise = max(
                0.0,
                base.tardiness_hours - base.tardiness_bound,
                variant.tardiness_hours - variant.tardiness_bound,
            )
            if abs(delta) > noise:
                significance = Significance.SIGNIFICANT
            elif delta == 0:
                significance = Significance.NONE
            else:
                significance = Significance.NOT_SIGNIFICANT
    return Verdict(delta=delta, noise=noise, significance=significance)
