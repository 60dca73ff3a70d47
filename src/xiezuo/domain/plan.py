"""A plan: who makes what, where, when, and how good it is.

The engine returns a :class:`Plan`; the validator, the file writers and the Gantt
chart read one. It is frozen and picklable so scenario runs can ship it between
processes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from xiezuo.domain.levers import PulledLever

# The furthest any instant of a plan may lie from its network's start: far beyond any
# real plan, near enough that checking one never lays out centuries of shifts.
PLAN_SPAN_LIMIT: Final = timedelta(days=20 * 366)


class PlanStatus(StrEnum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    NO_SOLUTION = "no solution in time"
    MODEL_INVALID = "model invalid"

    @property
    def has_schedule(self) -> bool:
        return self in (PlanStatus.OPTIMAL, PlanStatus.FEASIBLE)


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduledOperation:
    """Step ``step`` (1-based) of a work order's routing on one unit of one machine,
    or on several units of it at once (a gang).

    The operation holds the unit from ``start`` to ``end``; it works only in the
    machine's working time in between (breaks and nights pause it). A ganged
    operation holds every unit of ``units`` (``unit`` first); ``on_floor`` means the
    part lies in one of the plant's floor bays, held for as long.
    """

    work_order_id: str
    step: int
    process: str | None
    plant_id: str
    machine_id: str | None  # None for engineering work, which needs people only
    unit: int
    start: datetime
    end: datetime
    work: timedelta
    units: tuple[int, ...] = ()
    on_floor: bool = False

    @property
    def held_units(self) -> tuple[int, ...]:
        """Every unit the operation holds."""
        return self.units or (self.unit,)

    @property
    def gang(self) -> int:
        """Units working the step together."""
        return len(self.held_units)


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkOrderAssignment:
    """Which plant makes a work order, by which routing, and when it runs."""

    work_order_id: str
    order_id: str
    item_id: str
    quantity: int
    parent_id: str | None
    plant_id: str
    routing_id: str
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Shipment:
    """A finished component travelling to the plant that builds its parent."""

    work_order_id: str
    origin: str
    destination: str
    depart: datetime
    arrive: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class MaterialDraw:
    """Material taken from a warehouse for one step of a work order.

    It leaves ``origin``'s warehouse at ``depart`` and reaches the plant making the work
    order at ``arrive``, no later than the step starts; when ``origin`` is another plant
    this is an inter-plant transfer.
    """

    work_order_id: str
    step: int
    material_id: str
    quantity: int
    origin: str
    destination: str
    depart: datetime
    arrive: datetime

    @property
    def is_transfer(self) -> bool:
        return self.origin != self.destination


class PartSource(StrEnum):
    REPORTED = "reported"  # progress reports the work order finished
    STOCK = "stock"  # finished parts of its item lying at the plant cover it


@dataclass(frozen=True, slots=True, kw_only=True)
class FinishedPart:
    """A work order the replan does not make: it is finished, or parts in stock cover it.

    It stands ready at ``plant_id`` from ``ready`` and travels to its parent like any
    component (a :class:`Shipment`); nothing below it in the BOM is planned.
    """

    work_order_id: str
    item_id: str
    quantity: int
    plant_id: str
    ready: datetime
    source: PartSource


@dataclass(frozen=True, slots=True, kw_only=True)
class Delivery:
    """An order's end product leaving its plant and reaching the customer region."""

    order_id: str
    plant_id: str
    region: str
    finish: datetime
    arrival: datetime
    due: datetime | None

    @property
    def lateness(self) -> timedelta | None:
        """Positive when late, negative when early; ``None`` without a due date."""
        return None if self.due is None else self.arrival - self.due

    @property
    def is_late(self) -> bool:
        return self.due is not None and self.arrival > self.due


@dataclass(frozen=True, slots=True, kw_only=True)
class Schedule:
    work_orders: tuple[WorkOrderAssignment, ...]
    operations: tuple[ScheduledOperation, ...]
    shipments: tuple[Shipment, ...]
    deliveries: tuple[Delivery, ...]
    material_draws: tuple[MaterialDraw, ...] = ()
    finished_parts: tuple[FinishedPart, ...] = ()
    # Levers the plan pulls (a shed built): its steps may use their capacity.
    levers: tuple[PulledLever, ...] = ()

    @property
    def end(self) -> datetime | None:
        """When the last order reaches its customer."""
        return max((d.arrival for d in self.deliveries), default=None)


@dataclass(frozen=True, slots=True, kw_only=True)
class Explanation:
    """Why something in the plan is as it is: ``kind`` is a short tag (late, unplanned)."""

    kind: str
    subject: str
    message: str


class UnplannedReason(StrEnum):
    """Why an order may be left out of a plan: each is a fact the validator can confirm."""

    MISSING_CAPABILITY = "missing_capability"  # no plant (or not the pinned one) can make it
    SHORT_OF_MATERIAL = "short_of_material"  # the network's material can never cover it
    UNPLACEABLE = "unplaceable"  # a machine it needs is available too briefly


@dataclass(frozen=True, slots=True, kw_only=True)
class UnplannedOrder:
    """An order the plan leaves out, with the reason as a kind and as a sentence."""

    order_id: str
    reason: UnplannedReason
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    """The engine's answer.

    ``tardiness_hours`` is the priority-weighted tardiness (the first objective) and
    ``tardiness_bound`` the solver's proven lower bound on it; ``makespan`` (last
    arrival at a customer, from the horizon start) is the second objective with its
    bound. ``schedule`` is ``None`` when no plan was found. ``unplanned`` lists the
    orders left out, each with a reason the validator can check. A replan carries its
    status date ``as_of``: work before it is history as reported, nothing new starts
    before it.
    """

    status: PlanStatus
    schedule: Schedule | None
    tardiness_hours: float | None = None
    tardiness_bound: float | None = None
    makespan: timedelta | None = None
    makespan_bound: timedelta | None = None
    runtime_s: float = 0.0
    unplanned: tuple[UnplannedOrder, ...] = ()
    explanations: tuple[Explanation, ...] = ()
    as_of: datetime | None = None

    @property
    def unplanned_orders(self) -> tuple[str, ...]:
        """IDs of the orders the plan leaves out."""
        return tuple(u.order_id for u in self.unplanned)

    @property
    def gap(self) -> float | None:
        """Relative gap of the lexicographic objective: tardiness first, then makespan."""
        if self.tardiness_hours is None or self.tardiness_bound is None:
            return None
        if self.tardiness_hours > 1e-9:
            return (self.tardiness_hours - self.tardiness_bound) / self.tardiness_hours
        if self.makespan is None or self.makespan_bound is None or not self.makespan:
            return None
        return (self.makespan - self.makespan_bound) / self.makespan
