"""Levers: capacity the network may add at a cost, if the planning engine pulls them.

A lever is offered, not given: the engine decides whether a plan pulls it, keeping the
total cost of the levers pulled within the budget, and pulls one only where it makes
orders less late (tardiness first, then the cheapest set of levers). A lever of kind
``shed`` is a machine group of its plant (:attr:`xiezuo.domain.network.Machine.lever`
names it) that works only in plans pulling the lever, from ``usable_from`` on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from xiezuo.errors import ModelError


class LeverKind(StrEnum):
    SHED = "shed"


@dataclass(frozen=True, slots=True, kw_only=True)
class Lever:
    """One lever on offer: ``kind`` at ``plant_id`` for ``cost``, decided at
    ``decision`` (the plan start unless the scenario sets a date) and ready
    ``lead_time`` later. A shed names its machine group, ``machine_id``."""

    id: str
    kind: LeverKind
    plant_id: str
    cost: float
    decision: datetime
    lead_time: timedelta = timedelta(0)
    machine_id: str | None = None

    def __post_init__(self) -> None:
        problems: list[str] = []
        if not self.id or self.id != self.id.strip():
            problems.append(f"ID {self.id!r} must be non-empty without surrounding spaces")
        if not (self.cost >= 0 and math.isfinite(self.cost)):
            problems.append(f"cost must be 0 or more, not {self.cost:g}")
        if self.lead_time < timedelta(0):
            problems.append(f"lead time must not be negative, not {self.lead_time}")
        if self.decision.tzinfo is None:
            problems.append("the decision date must carry a time zone")
        if self.kind is LeverKind.SHED and self.machine_id is None:
            problems.append("a shed names its machine group")
        ModelError.check(problems, f"lever {self.id!r}")

    @property
    def usable_from(self) -> datetime:
        """First instant the lever's capacity works."""
        return self.decision + self.lead_time


@dataclass(frozen=True, slots=True, kw_only=True)
class PulledLever:
    """A lever a plan pulls, as the plan lists it: what, where, from when, at what cost."""

    id: str
    kind: LeverKind
    plant_id: str
    usable_from: datetime
    cost: float

    @classmethod
    def of(cls, lever: Lever) -> PulledLever:
        return cls(
            id=lever.id,
            kind=lever.kind,
            plant_id=lever.plant_id,
            usable_from=lever.usable_from,
            cost=lever.cost,
        )
