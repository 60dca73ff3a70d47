"""The network: plants and their machines, items with BOMs and routings, orders, lanes.

Entities refer to each other by string ID, never by object, so a network pickles,
serialises and stores cleanly. Each class checks its own local rules on creation;
rules that span objects live in :func:`xiezuo.domain.rules.validate_network`.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from xiezuo.domain.calendar import Calendar
from xiezuo.domain.levers import people_moves
from xiezuo.domain.staff import CrewNeed, Secondment, Staffing, Training, capacity_steps
from xiezuo.errors import ModelError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from xiezuo.domain.levers import Lever
    from xiezuo.domain.materials import Material, MaterialLine, StockLot, Supply


def _check_id(value: str, problems: list[str]) -> None:
    if not value or value != value.strip():
        problems.append(f"ID {value!r} must be non-empty without surrounding spaces")


@dataclass(frozen=True, slots=True, kw_only=True)
class Machine:
    """A work centre: ``units`` identical machines of one process kind.

    ``precision_grade`` is an ISO IT tolerance grade: a *lower* number is finer, and a
    machine can make parts of its own grade or any coarser one. ``available_from`` and
    ``available_until`` bound capacity that arrives (a temporary shed) or leaves
    during the horizon. ``lever`` names the lever (a shed the engine may build) without
    which the group does not exist: it works only in plans that pull that lever.
    """

    id: str
    process: str
    units: int = 1
    max_weight_t: float
    precision_grade: int
    calendar: Calendar | None = None
    available_from: datetime | None = None
    available_until: datetime | None = None
    lever: str | None = None

    def __post_init__(self) -> None:
        problems: list[str] = []
        _check_id(self.id, problems)
        if self.units < 1:
            problems.append(f"units must be at least 1, not {self.units}")
        if not (self.max_weight_t > 0 and math.isfinite(self.max_weight_t)):
            problems.append(f"max weight must be positive, not {self.max_weight_t}")
        if self.precision_grade < 0:
            problems.append(f"precision grade must be 0 or more, not {self.precision_grade}")
        if (
            self.available_from is not None
            and self.available_until is not None
            and self.available_from >= self.available_until
        ):
            problems.append("available_from must be before available_until")
        ModelError.check(problems, f"machine {self.id!r}")

    def can_process(self, weight_t: float, precision_grade: int) -> bool:
        """Whether a part this heavy and this precise fits the machine."""
        return self.max_weight_t >= weight_t and self.precision_grade <= precision_grade


@dataclass(frozen=True, slots=True, kw_only=True)
class FloorBays:
    """Floor space where a part too heavy for any machine lies while small machines are
    brought to it (see :class:`Gang`): ``bays`` parts at once, each up to
    ``max_weight_t``. A bay is held for the whole operation."""

    bays: int = 1
    max_weight_t: float

    def __post_init__(self) -> None:
        problems: list[str] = []
        if self.bays < 1:
            problems.append(f"floor bays must be at least 1, not {self.bays}")
        if not (self.max_weight_t > 0 and math.isfinite(self.max_weight_t)):
            problems.append(f"floor bay max weight must be positive, not {self.max_weight_t}")
        ModelError.check(problems, "floor bays")


@dataclass(frozen=True, slots=True, kw_only=True)
class Plant:
    """A factory with its machines and, optionally, its own calendar and floor bays."""

    id: str
    name: str = ""
    calendar: Calendar | None = None
    machines: tuple[Machine, ...] = ()
    floor: FloorBays | None = None

    def __post_init__(self) -> None:
        problems: list[str] = []
        _check_id(self.id, problems)
        seen: set[str] = set()
        for machine in self.machines:
            if machine.id in seen:
                problems.append(f"machine ID {machine.id!r} is used twice")
            seen.add(machine.id)
        ModelError.check(problems, f"plant {self.id!r}")

    def machine(self, machine_id: str) -> Machine:
        for machine in self.machines:
            if machine.id == machine_id:
                return machine
        raise KeyError(f"plant {self.id!r} has no machine {machine_id!r}")


@dataclass(frozen=True, slots=True, kw_only=True)
class MachineTime:
    """Run time per unit of an operation on one machine group.

    ``plant_id`` ``None`` means the machine group of that ID in any plant: the usual
    case when plants have the same equipment at different speeds.
    """

    machine_id: str
    run_per_unit: timedelta
    plant_id: str | None = None

    def __post_init__(self) -> None:
        if self.run_per_unit <= timedelta(0):
            raise ModelError(
                [f"machine time on {self.machine_id!r}: run time per unit must be positive"]
            )

    def matches(self, plant_id: str, machine_id: str) -> bool:
        return self.machine_id == machine_id and self.plant_id in (None, plant_id)


@dataclass(frozen=True, slots=True, kw_only=True)
class Gang:
    """Several units of one machine group working one step together ("ants gnawing a
    bone"): the engine picks how many, ``k``, from ``min_units`` to ``max_units``.

    The run time is shared out: each of the ``k`` units sets up in parallel, then the
    run takes ``run / (k × efficiency(k))``. ``efficiency`` lists ``(k, share)`` points
    (a share of 1.0 is no loss); between points the share is interpolated linearly,
    beyond the last it stays at the last, and ``k = 1`` is 1.0 unless listed.
    Each unit needs the step's crew, so the crew scales with ``k``.

    ``floor_min_units`` set: the machines are portable and may be brought to a part
    too heavy for them that lies in one of the plant's floor bays, at least that many
    of them (and at least ``min_units``).
    """

    min_units: int = 1
    max_units: int
    efficiency: tuple[tuple[int, float], ...] = ()
    floor_min_units: int | None = None

    def __post_init__(self) -> None:
        problems: list[str] = []
        if self.min_units < 1:
            problems.append(f"gang min must be at least 1, not {self.min_units}")
        if self.max_units < self.min_units:
            problems.append(
                f"gang max ({self.max_units}) must not be below gang min ({self.min_units})"
            )
        sizes = [k for k, _ in self.efficiency]
        if len(set(sizes)) != len(sizes):
            problems.append("each gang size may appear once in the efficiency table")
        for k, share in self.efficiency:
            if k < 1:
                problems.append(f"efficiency is given for {k} units; sizes start at 1")
            if not (0 < share <= 1):
                problems.append(
                    f"efficiency of {k} units must be above 0 and at most 1, not {share:g}"
                )
        if self.floor_min_units is not None and self.floor_min_units < 1:
            problems.append(f"floor min must be at least 1, not {self.floor_min_units}")
        ModelError.check(problems, "gang")

    def share(self, k: int) -> float:
        """Efficiency of ``k`` units working together."""
        points = sorted(self.efficiency)
        if not points or points[0][0] > 1:
            points.insert(0, (1, 1.0))
        if k >= points[-1][0]:
            return points[-1][1]
        for (k0, s0), (k1, s1) in itertools.pairwise(points):
            if k0 <= k <= k1:
                return s0 + (s1 - s0) * (k - k0) / (k1 - k0)
        return points[0][1]

    def sizes(self, units: int, *, on_floor: bool) -> tuple[int, ...]:
        """Gang sizes allowed on a group of ``units``; none when it cannot take part."""
        if on_floor and self.floor_min_units is None:
            return ()
        low = max(self.min_units, self.floor_min_units or 1) if on_floor else self.min_units
        return tuple(range(low, min(self.max_units, units) + 1))


@dataclass(frozen=True, slots=True, kw_only=True)
class Operation:
    """One routing step: a process kind, a setup and a run time per unit.

    ``min_weight_t`` and ``precision_grade`` default to the item's own values; they
    let a step need a bigger or finer machine than the finished item suggests.

    ``run_per_unit`` holds on every capable machine of the process; ``machine_times``
    overrides it on the machines it lists. Without ``run_per_unit`` only the listed
    machines may run the step (a flexible job shop's eligible machines).

    ``process`` ``None`` is engineering work (drawing, process design): it needs only
    its crew, in the plant's working time, and no machine.
    """

    process: str | None
    setup: timedelta = timedelta(0)
    run_per_unit: timedelta | None = None
    machine_times: tuple[MachineTime, ...] = ()
    crew: tuple[CrewNeed, ...] = ()
    min_weight_t: float | None = None
    precision_grade: int | None = None
    gang: Gang | None = None

    def __post_init__(self) -> None:
        problems: list[str] = []
        if self.process is None and self.gang is not None:
            problems.append("work without a machine process cannot be ganged")
        if self.setup < timedelta(0):
            problems.append(f"setup time must not be negative, not {self.setup}")
        if self.run_per_unit is None and not self.machine_times:
            problems.append("needs a run time per unit or machine times")
        if self.run_per_unit is not None and self.run_per_unit <= timedelta(0):
            problems.append(f"run time per unit must be positive, not {self.run_per_unit}")
        if self.min_weight_t is not None and self.min_weight_t < 0:
            problems.append("minimum machine weight must not be negative")
        if self.process is None and not self.crew:
            problems.append("work without a machine process needs a crew")
        if self.process is None and (self.machine_times or self.run_per_unit is None):
            problems.append("work without a machine process needs a run time and no machine times")
        ModelError.check(problems, f"operation {self.process or 'engineering'!r}")

    @property
    def is_staff_only(self) -> bool:
        """Engineering work: people only, no machine."""
        return self.process is None

    def run_time_on(self, plant_id: str, machine_id: str) -> timedelta | None:
        """Run time per unit on a machine group; ``None`` if the step may not run there."""
        for machine_time in self.machine_times:
            if machine_time.matches(plant_id, machine_id):
                return machine_time.run_per_unit
        return self.run_per_unit

    def duration(
        self, quantity: int, plant_id: str, machine_id: str, gang: int = 1
    ) -> timedelta | None:
        """Working time to make ``quantity`` units in one batch on ``gang`` units of a
        machine group working together (setups in parallel, the run shared out)."""
        run = self.run_time_on(plant_id, machine_id)
        if run is None:
            return None
        share = 1.0 if self.gang is None else self.gang.share(gang)
        if gang == 1 and share == 1.0:
            return self.setup + run * quantity  # exact: no float division
        return self.setup + run * quantity / (gang * share)


@dataclass(frozen=True, slots=True, kw_only=True)
class Routing:
    """An ordered list of operations; an item may have alternatives (cast vs forged)."""

    id: str
    operations: tuple[Operation, ...]

    def __post_init__(self) -> None:
        problems: list[str] = []
        _check_id(self.id, problems)
        if not self.operations:
            problems.append("a routing needs at least one operation")
        ModelError.check(problems, f"routing {self.id!r}")


@dataclass(frozen=True, slots=True, kw_only=True)
class BomLine:
    """``quantity`` units of ``item_id`` go into one unit of the parent.

    A line with ``is_design`` is the parent's design work (drawings, process
    documents): no other work on the parent, or below it, starts before the design is
    finished and has reached the plant doing that work.
    """

    item_id: str
    quantity: int
    is_design: bool = False

    def __post_init__(self) -> None:
        if self.quantity < 1:
            raise ModelError(
                [f"BOM line {self.item_id!r}: quantity must be at least 1, not {self.quantity}"]
            )


class ItemKind(StrEnum):
    PRODUCT = "product"
    ASSEMBLY = "assembly"
    PART = "part"


@dataclass(frozen=True, slots=True, kw_only=True)
class Item:
    """Something made in the network: an end product, an assembly or a part."""

    id: str
    name: str = ""
    kind: ItemKind = ItemKind.PART
    weight_t: float
    precision_grade: int
    bom: tuple[BomLine, ...] = ()
    routings: tuple[Routing, ...]
    materials: tuple[MaterialLine, ...] = ()

    def __post_init__(self) -> None:
        problems: list[str] = []
        _check_id(self.id, problems)
        if not (self.weight_t > 0 and math.isfinite(self.weight_t)):
            problems.append(f"weight must be positive, not {self.weight_t}")
        if self.precision_grade < 0:
            problems.append(f"precision grade must be 0 or more, not {self.precision_grade}")
        if not self.routings:
            problems.append("an item needs at least one routing")
        routing_ids = [r.id for r in self.routings]
        if len(set(routing_ids)) != len(routing_ids):
            problems.append("routing IDs must be unique within the item")
        components = [line.item_id for line in self.bom]
        if len(set(components)) != len(components):
            problems.append("a component may appear only once in a BOM; add the quantities")
        ModelError.check(problems, f"item {self.id!r}")

    def required_weight(self, operation: Operation) -> float:
        return self.weight_t if operation.min_weight_t is None else operation.min_weight_t

    def required_grade(self, operation: Operation) -> int:
        if operation.precision_grade is None:
            return self.precision_grade
        return operation.precision_grade


@dataclass(frozen=True, slots=True, kw_only=True)
class Order:
    """A customer order; without a due date only the makespan counts for it.

    ``plant_id`` marks a plant's existing commitment: the end product is built at that
    plant, while its components may still be made anywhere in the network.
    """

    id: str
    region: str
    item_id: str
    quantity: int = 1
    due: datetime | None = None
    priority: int = 1
    release: datetime | None = None
    plant_id: str | None = None

    def __post_init__(self) -> None:
        problems: list[str] = []
        _check_id(self.id, problems)
        if self.quantity < 1:
            problems.append(f"quantity must be at least 1, not {self.quantity}")
        if self.priority < 1:
            problems.append(f"priority weight must be at least 1, not {self.priority}")
        instants = (self.due, self.release)
        if any(t is not None and t.tzinfo is None for t in instants):
            problems.append("due and release dates must carry a time zone")
        ModelError.check(problems, f"order {self.id!r}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Lane:
    """Transport from a plant to a plant or a customer region, taking ``lead_time``."""

    origin: str
    destination: str
    lead_time: timedelta

    def __post_init__(self) -> None:
        if self.lead_time < timedelta(0):
            raise ModelError(
                [f"lane {self.origin!r} -> {self.destination!r}: lead time must not be negative"]
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class Network:
    """The whole planning problem: a horizon start, calendars, plants, items, orders."""

    name: str = ""
    start: datetime
    calendar: Calendar = field(default_factory=Calendar)
    processes: tuple[str, ...]
    regions: tuple[str, ...] = ()
    plants: tuple[Plant, ...]
    items: tuple[Item, ...]
    orders: tuple[Order, ...] = ()
    lanes: tuple[Lane, ...] = ()
    materials: tuple[Material, ...] = ()
    stock: tuple[StockLot, ...] = ()
    supplies: tuple[Supply, ...] = ()
    skills: tuple[str, ...] = ()
    staffing: tuple[Staffing, ...] = ()
    secondments: tuple[Secondment, ...] = ()
    trainings: tuple[Training, ...] = ()
    # Levers the engine may pull, and the most their costs may add up to (None: no limit).
    levers: tuple[Lever, ...] = ()
    lever_budget: float | None = None

    # Lookup tables derived from the fields above; not part of equality or repr.
    item_by_id: dict[str, Item] = field(init=False, repr=False, compare=False)
    plant_by_id: dict[str, Plant] = field(init=False, repr=False, compare=False)
    lead_time_by_lane: dict[tuple[str, str], timedelta] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if self.start.tzinfo is None:
            raise ModelError(["network start must carry a time zone"])
        if self.lever_budget is not None and not (
            self.lever_budget >= 0 and math.isfinite(self.lever_budget)
        ):
            raise ModelError([f"the lever budget must be 0 or more, not {self.lever_budget:g}"])
        lanes = {(lane.origin, lane.destination): lane.lead_time for lane in self.lanes}
        for plant in self.plants:
            lanes.setdefault((plant.id, plant.id), timedelta(0))
        object.__setattr__(self, "item_by_id", {item.id: item for item in self.items})
        object.__setattr__(self, "plant_by_id", {plant.id: plant for plant in self.plants})
        object.__setattr__(self, "lead_time_by_lane", lanes)

    def lead_time(self, origin: str, destination: str) -> timedelta | None:
        """Lead time from a plant to a plant or region; ``None`` when there is no lane."""
        return self.lead_time_by_lane.get((origin, destination))

    def machine_calendar(self, plant: Plant, machine: Machine) -> Calendar:
        """The calendar a machine works to: its own, else its plant's, else the network's."""
        return machine.calendar or plant.calendar or self.calendar

    def machine_windows(
        self, plant: Plant, machine: Machine, start: datetime, end: datetime
    ) -> Iterator[tuple[datetime, datetime]]:
        """Working windows of a machine in ``[start, end)``: calendar cut to availability."""
        lo = max(start, machine.available_from or start)
        hi = min(end, machine.available_until or end)
        if lo < hi:
            yield from self.machine_calendar(plant, machine).windows(lo, hi)

    def staff_capacity(
        self, plant_id: str, skill: str, pulled: Iterable[Lever] = ()
    ) -> tuple[tuple[datetime, int], ...]:
        """Headcount of a skill at a plant over time, as steps ``(from, people)``, with
        the people loans among the levers ``pulled``."""
        return capacity_steps(
            plant_id,
            skill,
            self.staffing,
            self.secondments,
            self.trainings,
            self.start,
            people_moves(pulled, plant_id, skill),
        )

    def lever(self, lever_id: str) -> Lever:
        for lever in self.levers:
            if lever.id == lever_id:
                return lever
        raise KeyError(f"no lever {lever_id!r}")

    def iter_machines(self) -> Iterator[tuple[Plant, Machine]]:
        for plant in self.plants:
            for machine in plant.machines:
                yield plant, machine
