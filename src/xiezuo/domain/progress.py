"""What has happened since a plan was made: the facts a replan starts from.

A :class:`Progress` is dated (``as_of``, the status date) and names what it refers to
by the plan's IDs: work orders (``ORD-1:MILL/STAND``), routing steps (1-based), plants,
machine groups and units (0-based), materials and items. Facts lie at or before
``as_of``; only machine downtime may be announced ahead. Each record checks its own
local rules here; whether it names something the network has, and whether records
contradict each other, is checked against the network by
:func:`xiezuo.domain.progress_rules.check_progress`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from xiezuo.errors import ModelError

if TYPE_CHECKING:
    from xiezuo.domain.staff import Secondment


_ZONE = "instants must carry a time zone"


def _naive(*instants: datetime | None) -> bool:
    """Whether any instant lacks a zone: comparing it with a zoned one would raise."""
    return any(t is not None and t.tzinfo is None for t in instants)


class StepStatus(StrEnum):
    DONE = "done"  # every unit of the step is made and good
    STARTED = "started"  # running on its unit at the status date


@dataclass(frozen=True, slots=True, kw_only=True)
class StepReport:
    """One routing step of one work order, done or under way on a machine unit.

    A started step continues on its unit without interruption. What remains of it is
    ``work_done`` taken from its working time when given; else, from
    ``quantity_done``, the run time of the units not yet made good (its setup is
    behind it); else the working time the unit has had since ``start``. Scrapped
    units are not good, so they are made again inside the step: a step with scrap is
    started, not done, until ``quantity_done`` reaches the work order's quantity.
    """

    work_order_id: str
    step: int
    status: StepStatus
    plant_id: str
    machine_id: str | None  # None for engineering work, which needs people only
    unit: int = 0
    start: datetime
    end: datetime | None = None
    work_done: timedelta | None = None
    quantity_done: int | None = None
    scrapped: int = 0

    def __post_init__(self) -> None:
        problems: list[str] = []
        if _naive(self.start, self.end):
            raise ModelError([f"step {self.step} of {self.work_order_id!r}: {_ZONE}"])
        if self.step < 1:
            problems.append(f"step must be at least 1, not {self.step}")
        if self.unit < 0:
            problems.append(f"unit must be 0 or more, not {self.unit}")
        if self.status is StepStatus.DONE:
            if self.end is None:
                problems.append("a done step needs its end")
            elif self.end <= self.start:
                problems.append("ends before it starts")
            if self.scrapped:
                problems.append(
                    "a done step has no scrap outstanding: report it started, with the good "
                    "units in quantity_done, until every unit is made good"
                )
            if self.work_done is not None:
                problems.append("work_done is for a started step")
        elif self.end is not None:
            problems.append("a started step has no end yet: report it done")
        if self.work_done is not None and self.work_done < timedelta(0):
            problems.append("work_done must not be negative")
        if self.quantity_done is not None and self.quantity_done < 0:
            problems.append("quantity_done must not be negative")
        if self.scrapped < 0:
            problems.append("scrapped must not be negative")
        ModelError.check(problems, f"step {self.step} of {self.work_order_id!r}")


@dataclass(frozen=True, slots=True, kw_only=True)
class FinishedWorkOrder:
    """A whole work order (and so everything below it in the BOM) made at a plant.

    "All forgings for mill no. 1 are done" is one of these per forging work order,
    when the plant does not report step by step.
    """

    work_order_id: str
    plant_id: str
    finished: datetime

    def __post_init__(self) -> None:
        if _naive(self.finished):
            raise ModelError([f"finished {self.work_order_id!r}: {_ZONE}"])


@dataclass(frozen=True, slots=True, kw_only=True)
class PartStock:
    """Finished parts of an item lying at a plant, free for any order that needs them."""

    plant_id: str
    item_id: str
    quantity: int

    def __post_init__(self) -> None:
        if self.quantity < 1:
            raise ModelError(
                [f"parts of {self.item_id!r} at {self.plant_id!r}: quantity must be at least 1"]
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class StockCount:
    """A warehouse's counted stock of a material at the status date; it replaces the
    level the scenario and the reported work would give."""

    plant_id: str
    material_id: str
    quantity: int

    def __post_init__(self) -> None:
        if self.quantity < 0:
            raise ModelError(
                [f"count of {self.material_id!r} at {self.plant_id!r}: quantity must be 0 or more"]
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class Receipt:
    """Material that actually arrived (found, donated, delivered) before the status date."""

    plant_id: str
    material_id: str
    quantity: int
    arrived: datetime

    def __post_init__(self) -> None:
        if _naive(self.arrived):
            raise ModelError([f"receipt of {self.material_id!r} at {self.plant_id!r}: {_ZONE}"])
        if self.quantity < 1:
            raise ModelError(
                [f"receipt of {self.material_id!r} at {self.plant_id!r}: quantity must be >= 1"]
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class MachineDown:
    """``units`` units of a machine group (all of them when ``None``) out of use from
    ``start`` to ``end``; ``end`` ``None`` means until further notice."""

    plant_id: str
    machine_id: str
    units: int | None = None
    start: datetime
    end: datetime | None = None

    def __post_init__(self) -> None:
        problems: list[str] = []
        if _naive(self.start, self.end):
            raise ModelError([f"machine {self.machine_id!r} at {self.plant_id!r} down: {_ZONE}"])
        if self.units is not None and self.units < 1:
            problems.append(f"units must be at least 1, not {self.units}")
        if self.end is not None and self.end <= self.start:
            problems.append("ends before it starts")
        ModelError.check(problems, f"machine {self.machine_id!r} at {self.plant_id!r} down")


@dataclass(frozen=True, slots=True, kw_only=True)
class Progress:
    """Everything reported up to the status date ``as_of``."""

    as_of: datetime
    steps: tuple[StepReport, ...] = ()
    finished: tuple[FinishedWorkOrder, ...] = ()
    parts: tuple[PartStock, ...] = ()
    counts: tuple[StockCount, ...] = ()
    receipts: tuple[Receipt, ...] = ()
    down: tuple[MachineDown, ...] = ()
    secondments: tuple[Secondment, ...] = ()

    def __post_init__(self) -> None:
        if self.as_of.tzinfo is None:
            raise ModelError(["progress: the status date must carry a time zone"])

    @property
    def is_empty(self) -> bool:
        """Nothing reported: a replan from it only moves the status date."""
        return not (
            self.steps
            or self.finished
            or self.parts
            or self.counts
            or self.receipts
            or self.down
            or self.secondments
        )
