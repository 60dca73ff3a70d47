"""Levers: capacity the network may add at a cost, if the planning engine pulls them.

A lever is offered, not given: the engine decides whether a plan pulls it, keeping the
total cost of the levers pulled within the budget, and pulls one only where it makes
orders less late (tardiness first, then the cheapest set of levers). A lever of kind
``shed`` is a machine group of its plant (:attr:`xiezuo.domain.network.Machine.lever`
names it) that works only in plans pulling the lever, from ``usable_from`` on.

A ``machine_loan`` moves ``units`` of the lender's group ``machine_id`` to ``plant_id``:
they leave the lender at ``decision`` and are back there at ``until``; the move takes
``lead_time`` each way, so the borrower has them (a machine group of its own, named by
the lever like a shed's) from ``usable_from`` to ``usable_until``. While lent, the
lender's group works with that many units fewer: its highest-numbered ones are away.

A ``people_loan`` moves ``units`` people of ``skill`` the same way: the lender has that
many fewer from ``decision`` until ``until``, the borrower that many more from
``usable_from`` to ``usable_until``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from xiezuo.errors import ModelError

if TYPE_CHECKING:
    from collections.abc import Iterable


class LeverKind(StrEnum):
    SHED = "shed"
    MACHINE_LOAN = "machine_loan"
    PEOPLE_LOAN = "people_loan"

    @property
    def is_loan(self) -> bool:
        return self in (LeverKind.MACHINE_LOAN, LeverKind.PEOPLE_LOAN)


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
    # A machine loan: the lending plant, the units lent and when they are back there.
    lender_id: str | None = None
    units: int = 0
    until: datetime | None = None
    skill: str | None = None  # a people loan: the skill of the people lent

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
        if self.kind.is_loan:
            problems += self._loan_problems()
        if self.kind is LeverKind.PEOPLE_LOAN and self.skill is None:
            problems.append("a people loan names the skill of the people lent")
        ModelError.check(problems, f"lever {self.id!r}")

    def _loan_problems(self) -> list[str]:
        problems = []
        if self.lender_id is None or self.until is None:
            problems.append("a loan names its lender and return date")
        if self.kind is LeverKind.MACHINE_LOAN and self.machine_id is None:
            problems.append("a machine loan names the machine group lent")
        if self.lender_id == self.plant_id:
            problems.append(f"a plant cannot lend to itself ({self.plant_id!r})")
        if self.units < 1:
            problems.append(f"a loan lends at least 1 unit, not {self.units}")
        if self.until is not None and self.usable_until <= self.usable_from:
            problems.append(
                "what is lent must be back by 'until' after two moves and some use: "
                f"it leaves {self.decision:%Y-%m-%d %H:%M}, arrive "
                f"{self.usable_from:%Y-%m-%d %H:%M} and must leave again "
                f"{self.usable_until:%Y-%m-%d %H:%M}"
            )
        return problems

    @property
    def usable_from(self) -> datetime:
        """First instant the lever's capacity works."""
        return self.decision + self.lead_time

    @property
    def usable_until(self) -> datetime:
        """Instant a loan's machines stop working at the borrower, to travel back."""
        assert self.until is not None, "only a loan has an end"
        return self.until - self.lead_time


@dataclass(frozen=True, slots=True, kw_only=True)
class PulledLever:
    """A lever a plan pulls, as the plan lists it: what, where, from when, at what cost."""

    id: str
    kind: LeverKind
    plant_id: str
    usable_from: datetime
    cost: float
    usable_until: datetime | None = None  # a loan: when its machines leave to go back

    @classmethod
    def of(cls, lever: Lever) -> PulledLever:
        return cls(
            id=lever.id,
            kind=lever.kind,
            plant_id=lever.plant_id,
            usable_from=lever.usable_from,
            cost=lever.cost,
            usable_until=None if lever.until is None else lever.usable_until,
        )


def people_moves(levers: Iterable[Lever], plant_id: str, skill: str) -> list[tuple[datetime, int]]:
    """Changes in a plant's headcount of ``skill`` that the people loans among ``levers``
    (those pulled) make: ``(instant, people)``, negative while its people are away."""
    changes = []
    for lever in levers:
        if lever.kind is not LeverKind.PEOPLE_LOAN or lever.skill != skill:
            continue
        assert lever.until is not None, "a loan has an end"
        if lever.lender_id == plant_id:
            changes += [(lever.decision, -lever.units), (lever.until, lever.units)]
        if lever.plant_id == plant_id:
            changes += [(lever.usable_from, lever.units), (lever.usable_until, -lever.units)]
    return changes
