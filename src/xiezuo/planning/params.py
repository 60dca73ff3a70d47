"""What the caller controls about a solve, and how it hears about progress."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from xiezuo.errors import PlanningError


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanParams:
    """Solver settings.

    The objective is lexicographic: priority-weighted tardiness first, then makespan.
    ``tardiness_share`` is the part of ``time_limit_s`` spent on the first objective
    when it cannot be proven optimal sooner; the rest improves the makespan with the
    tardiness held at its best value. In each phase, a first search of the whole model
    (which also proves the bound) runs for at least ``full_search_share`` of its time
    and on while it improves; then neighbourhood search and the whole model take turns,
    by which gains faster.

    For a replan: ``frozen_days`` working days after the status date in which the
    previous plan's steps keep their place. A step has moved against the previous plan
    when it runs at another plant, by another routing, on another machine group, or
    starts more than ``stability_tolerance_h`` hours away. ``stability`` ``None``
    minimises moves right after tardiness (lexicographically: tardiness, then moves,
    then makespan); a number makes each move cost that many hours of weighted
    tardiness in the first objective instead; 0 lets steps move freely.
    """

    time_limit_s: float = 60.0
    workers: int = 2
    seed: int = 0
    tardiness_share: float = 0.7
    full_search_share: float = 0.1
    frozen_days: float = 0.0
    stability: float | None = None
    stability_tolerance_h: float = 8.0

    def __post_init__(self) -> None:
        if self.time_limit_s <= 0:
            raise PlanningError(f"time limit must be positive, not {self.time_limit_s}")
        if self.workers < 1:
            raise PlanningError(f"workers must be at least 1, not {self.workers}")
        if not 0 < self.tardiness_share <= 1:
            raise PlanningError("tardiness_share must be in (0, 1]")
        if not 0 < self.full_search_share <= 1:
            raise PlanningError("full_search_share must be in (0, 1]")
        if not 0 <= self.frozen_days <= 366:
            raise PlanningError(f"frozen days must be in [0, 366], not {self.frozen_days}")
        if self.stability is not None and not 0 <= self.stability <= 10_000:
            raise PlanningError(f"stability must be in [0, 10000], not {self.stability}")
        if not 0 <= self.stability_tolerance_h <= 24 * 366:
            raise PlanningError("stability tolerance must be in [0, 8784] hours")


@dataclass(frozen=True, slots=True, kw_only=True)
class ProgressEvent:
    """Where a solve stands: sent on every new value or bound and at least once a second.

    ``objective`` is the best value of the phase's objective so far and ``bound`` its
    best proven lower bound, in the phase's units; either is ``None`` until known.
    """

    # the objective: "tardiness" (weighted hours), "moves" (steps moved against the
    # previous plan, in a stable replan), "levers" (cost of the levers pulled) or
    # "makespan" (hours)
    phase: str
    # the search running: "first plan", "building the model", "whole model",
    # "neighbourhoods" or "tabu"
    search: str
    elapsed_s: float
    objective: float | None
    bound: float | None

    @property
    def gap(self) -> float | None:
        """Relative gap of the phase's objective, as :attr:`Plan.gap` would give it."""
        if self.objective is None or self.bound is None or self.objective <= 0:
            return None
        return max(0.0, self.objective - self.bound) / self.objective


class ProgressCallback(Protocol):
    def __call__(self, event: ProgressEvent, /) -> None: ...
