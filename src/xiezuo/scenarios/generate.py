"""Seeded, realistic networks of a chosen size, as scenario file data.

Benchmarks and property tests need networks from a few hundred to a hundred thousand
operations that look like the ones planners bring: plants of several kinds (forges,
foundries, machine shops, gear works, assembly works) in two size classes, multi-level
BOMs whose common parts are shared between product families, alternative routings,
items only some plants can make, calendars with holidays, lanes by distance, materials
with stock and receipts, a few crews, and orders over several regions.

The network is built in the order a planner would size it: plants and their machine
groups first, then the catalogue (each item shaped after a plant that can make it, so
every item has a maker and most have few), then the order book, and last the units of
each machine group, sized from the work the orders put on it, so that the load, and
with it the share of late orders, is the same at every size.

The result is plain data in the scenario file format (docs/scenario-format.md): the
same seed and options give the same data, key for key.
"""

from __future__ import annotations

import bisect
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

from xiezuo.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Sequence

MIN_OPERATIONS: Final = 10
MAX_OPERATIONS: Final = 1_000_000
"""The loader's limit on the operations of all orders together."""
MAX_PLANTS: Final = 500

START: Final = date(2027, 1, 4)
"""A Monday; every date of a generated network is counted from it."""
TIMEZONE: Final = "Asia/Shanghai"
ORDER_BOOK_DAYS: Final = 84
"""Orders are released over the first twelve weeks, whatever the size of the network."""
LOAD: Final = 0.72
"""Work the orders put on a machine group, as a share of its working hours over the
order book: high enough that plants queue work and some orders are late."""
DUE_SLACK: Final = (0.9, 2.1)
"""An order is due its release plus the working time of its critical path times a
factor drawn from this range (in the network calendar, holidays included), plus its
transport and :data:`QUEUE_DAYS`; calibrated so that 10–30 % of the orders are late in
a first plan (docs/scale.md)."""
QUEUE_DAYS: Final = 2.0
"""Days of waiting for machines added to every due date."""

_HOURS_PER_DAY = 16 * 6 / 7
"""Working hours in a calendar day of the network calendar (two shifts, six days)."""

PROCESSES: Final = (
    "casting",
    "forging",
    "heat-treatment",
    "machining",
    "grinding",
    "gear-cutting",
    "welding",
    "assembly",
)
_FINISHING = frozenset({"machining", "grinding", "gear-cutting", "assembly"})
"""Processes whose machines hold the item's grade; the others work to a coarse one."""
_COARSE_GRADE = 13

_KIND_PROCESSES: Final = {
    "forge": ("forging", "heat-treatment", "machining"),
    "foundry": ("casting", "heat-treatment", "machining"),
    "machining": ("machining", "grinding", "heat-treatment"),
    "gear": ("gear-cutting", "grinding", "machining", "heat-treatment"),
    "assembly": ("assembly", "welding", "machining"),
}
_KIND_ORDER = ("assembly", "forge", "machining", "foundry", "gear")
_KIND_CODE = {"forge": "FG", "foundry": "FD", "machining": "MC", "gear": "GW", "assembly": "AS"}
_KIND_NAME = {
    "forge": "Forge",
    "foundry": "Foundry",
    "machining": "Machine Works",
    "gear": "Gear Works",
    "assembly": "Heavy Machinery Works",
}
_GROUP_NAME = {
    "casting": "foundry",
    "forging": "press",
    "heat-treatment": "furnaces",
    "machining": "lathes",
    "grinding": "grinders",
    "gear-cutting": "hobbers",
    "welding": "welding-bay",
    "assembly": "erecting-bay",
}
_RUN_HOURS = {
    "casting": 5.0,
    "forging": 2.5,
    "heat-treatment": 3.0,
    "machining": 3.5,
    "grinding": 2.0,
    "gear-cutting": 4.0,
    "welding": 4.0,
    "assembly": 9.0,
}
"""Typical hours per unit of a one-tonne part; heavier parts take longer."""

REGIONS: Final = (
    "North",
    "South",
    "East",
    "West",
    "Central",
    "Northeast",
    "Northwest",
    "Southwest",
)
_HOLIDAYS: Final = (
    "2027-01-01",
    "2027-02-06",
    "2027-02-08",
    "2027-02-09",
    "2027-02-10",
    "2027-02-11",
    "2027-04-05",
    "2027-05-01",
    "2027-05-03",
    "2027-05-04",
    "2027-06-09",
    "2027-09-15",
    "2027-10-01",
    "2027-10-02",
    "2027-10-04",
    "2027-10-05",
    "2027-10-06",
    "2028-01-01",
    "2028-01-26",
    "2028-01-27",
    "2028-01-28",
    "2028-01-29",
)
"""National holidays of the network calendar (the spring festival, May Day, National Day)."""

_FAMILIES = (
    "PUMP",
    "MILL",
    "COMPRESSOR",
    "GEARBOX",
    "CRANE",
    "TURBINE",
    "LATHE",
    "PRESS",
    "EXCAVATOR",
    "CONVEYOR",
    "FURNACE",
    "GENERATOR",
)

# A part's routings: each alternative has as many steps as the first, so the number of
# operations of a network does not depend on the routings the plan picks.
_PART_TEMPLATES: Final[dict[str, tuple[str | None, tuple[tuple[str, ...], ...]]]] = {
    "SHAFT": (
        "FORGED",
        (("machining", "machining", "grinding"), ("machining", "machining", "machining")),
    ),
    "GEAR": (
        "FORGED",
        (
            ("machining", "gear-cutting", "heat-treatment", "grinding"),
            ("machining", "gear-cutting", "heat-treatment", "gear-cutting"),
        ),
    ),
    "HOUSING": ("CAST", (("machining", "machining"),)),
    "ROLL": (
        None,
        (
            ("forging", "heat-treatment", "machining", "machining"),
            ("casting", "heat-treatment", "machining", "machining"),
        ),
    ),
    "FRAME": (None, (("welding", "machining"),)),
    "BRACKET": (None, (("machining",), ("welding",))),
    "PINION": ("FORGED", (("machining", "gear-cutting"),)),
}
_BLANK_ROUTINGS: Final = {
    "FORGED": (("forging", "heat-treatment"),),
    "CAST": (("casting", "heat-treatment"), ("casting", "machining")),
}


class MaterialLevel(StrEnum):
    """How much the network's plans are bound by raw material."""

    NONE = "none"
    LIGHT = "light"
    HEAVY = "heavy"


@dataclass(frozen=True, slots=True, kw_only=True)
class GeneratorOptions:
    """What to generate.

    ``operations`` is the number of routing steps after BOM explosion, met exactly:
    every routing of an item has the same number of steps. ``plants`` defaults to a
    number that grows with the square root of the size.
    """

    operations: int
    plants: int | None = None
    materials: MaterialLevel = MaterialLevel.NONE
    seed: int = 0

    def __post_init__(self) -> None:
        if not MIN_OPERATIONS <= self.operations <= MAX_OPERATIONS:
            raise InputError(
                "--ops",
                "",
                f"the number of operations must be {MIN_OPERATIONS:,} to {MAX_OPERATIONS:,}, "
                f"not {self.operations:,}",
            )
        if self.plants is not None and not 1 <= self.plants <= MAX_PLANTS:
            raise InputError(
                "--plants",
                "",
                f"the number of plants must be 1 to {MAX_PLANTS}, not {self.plants:,}",
            )

    @property
    def plant_count(self) -> int:
        if self.plants is not None:
            return self.plants
        return max(4, min(60, round(4 * math.sqrt(self.operations / 1000))))


def generate_scenario(options: GeneratorOptions) -> dict[str, Any]:
    """Scenario file data for a generated network (``xiezuo generate``).

    Parameters
    ----------
    options
        Size, plant count, material level and seed.

    Returns
    -------
    dict
        Data in the scenario file format, ready for
        :func:`xiezuo.io.scenario_data.dump_scenario`; the same options give equal data.
    """
    return _Generator(options).build()


@dataclass(slots=True)
class _Group:
    plant_id: str
    id: str
    process: str
    max_weight_t: float
    precision_grade: int
    calendar: dict[str, Any] | None = None
    available_from: str | None = None
    work_hours: float = 0.0

    def can_run(self, process: str, weight_t: float, grade: int) -> bool:
        return (
            self.process == process
            and self.max_weight_t >= weight_t
            and self.precision_grade <= grade
        )


@dataclass(slots=True)
class _Plant:
    id: str
    kind: str
    is_heavy: bool
    place: tuple[float, float]
    groups: list[_Group] = field(default_factory=list)
    calendar: dict[str, Any] | None = None
    is_design_office: bool = False

    def processes(self) -> set[str]:
        return {g.process for g in self.groups}


@dataclass(slots=True)
class _Step:
    process: str | None
    setup_hours: float
    run_hours: float
    grade: int
    crew: list[dict[str, Any]]


@dataclass(slots=True)
class _Item:
    id: str
    kind: str
    weight_t: float
    grade: int
    routings: list[list[_Step]]
    bom: list[tuple[str, int, bool]] = field(default_factory=list)
    materials: list[tuple[str, int, int]] = field(default_factory=list)
    makers: list[str] = field(default_factory=list)
    name: str = ""

    @property
    def step_count(self) -> int:
        return len(self.routings[0])


class _Generator:
    def __init__(self, options: GeneratorOptions) -> None:
        self.options = options
        self.rng = random.Random(options.seed)
        self.plants: list[_Plant] = []
        self.items: dict[str, _Item] = {}
        self.tree_ops: dict[str, int] = {}
        self.orders: list[dict[str, Any]] = []
        self.regions = list(REGIONS[: max(3, min(len(REGIONS), 3 + options.operations // 20_000))])
        self.region_place = {
            r: (self.rng.uniform(0, 30), self.rng.uniform(0, 30)) for r in self.regions
        }
        self.materials: list[dict[str, str]] = []
        self.material_need: dict[tuple[str, str], float] = defaultdict(float)
        self.units: dict[tuple[str, str], int] = {}
        self.plant_by_id: dict[str, _Plant] = {}
        self.groups_by_step: dict[tuple[str, int], list[_Group]] = {}
        self.mean_lead = 0.0
        self.working_hours_before = [0.0]
        """Working hours of the network calendar from the start to the start of each day."""

    def build(self) -> dict[str, Any]:
        self._plants()
        self._catalogue()
        self._orders()
        self._size_groups()
        data: dict[str, Any] = {
            "network": {
                "name": f"Generated network ({self.options.operations:,} operations, "
                f"seed {self.options.seed})",
                "start": START.isoformat(),
                "timezone": TIMEZONE,
                "calendar": {
                    "working_days": ["mon", "tue", "wed", "thu", "fri", "sat"],
                    "shifts_per_day": 2,
                    "shift_hours": 8,
                    "first_shift_start": "06:00",
                    "holidays": list(_HOLIDAYS),
                },
            },
            "processes": list(PROCESSES),
            "regions": list(self.regions),
            "plants": [self._plant_data(p) for p in self.plants],
            "items": [self._item_data(i) for i in self.items.values()],
            "orders": self.orders,
            "lanes": self._lanes(),
        }
        if self.options.materials is not MaterialLevel.NONE:
            data["materials"] = self.materials
            data["stock"], data["supplies"] = self._stock_and_supplies()
        data.update(self._staff())
        return data

    # ---- plants ---------------------------------------------------------------------

    def _plants(self) -> None:
        count = self.options.plant_count
        rng = self.rng
        cities = [(rng.uniform(0, 30), rng.uniform(0, 30)) for _ in range(max(1, count // 6))]
        for idx in range(count):
            # Fewer plants than kinds: each plant takes several kinds' processes.
            kinds = (
                [k for n, k in enumerate(_KIND_ORDER) if n % count == idx]
                if count < 5
                else [_KIND_ORDER[idx % 5]]
            )
            kind = kinds[0]
            is_heavy = (idx // 5) % 2 == 0 if count >= 10 else idx % 2 == 0
            city = cities[idx % len(cities)]
            plant = _Plant(
                id=f"{_KIND_CODE[kind]}{idx + 1:02d}",
                kind=kind,
                is_heavy=is_heavy,
                place=(city[0] + rng.uniform(-1, 1), city[1] + rng.uniform(-1, 1)),
                is_design_office="assembly" in kinds,
            )
            processes = [p for k in kinds for p in _KIND_PROCESSES[k]]
            for process in dict.fromkeys(processes):
                plant.groups.append(self._group(plant, process, heavy=is_heavy))
                if process in _FINISHING and rng.random() < 0.35:
                    plant.groups.append(self._group(plant, process, heavy=not is_heavy))
            if rng.random() < 0.1:
                late = self._group(plant, rng.choice(processes), heavy=is_heavy, prefix="new-")
                late.available_from = (START + timedelta(days=rng.randint(21, 56))).isoformat()
                plant.groups.append(late)
            plant.calendar = self._plant_calendar(kind, is_heavy)
            self.plants.append(plant)
        self.plant_by_id = {p.id: p for p in self.plants}
        leads = [
            self._lead(a.place, b.place)
            for n, a in enumerate(self.plants)
            for b in self.plants[n + 1 :]
        ]
        self.mean_lead = sum(leads) / len(leads) if leads else 0.0

    def _group(self, plant: _Plant, process: str, *, heavy: bool, prefix: str = "") -> _Group:
        rng = self.rng
        name = prefix + ("heavy-" if heavy else "") + _GROUP_NAME[process]
        if process in _FINISHING:
            grade = rng.choice((7, 8, 8, 9)) if heavy else rng.choice((5, 6, 6, 7))
        else:
            grade = rng.choice((11, 12, 13))
        group = _Group(
            plant_id=plant.id,
            id=name,
            process=process,
            max_weight_t=float(
                rng.choice((40, 60, 80, 120)) if heavy else rng.choice((5, 8, 12, 20))
            ),
            precision_grade=grade,
        )
        if process in ("forging", "casting", "heat-treatment") and rng.random() < 0.4:
            group.calendar = {"shifts_per_day": 3}  # furnaces and presses run round the clock
        return group

    def _plant_calendar(self, kind: str, is_heavy: bool) -> dict[str, Any] | None:
        draw = self.rng.random()
        if kind in ("forge", "foundry") and is_heavy and draw < 0.5:
            return {
                "working_days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                "shifts_per_day": 3,
            }
        if draw < 0.25:
            return {"shifts_per_day": 3}
        if draw < 0.35:
            local = (START + timedelta(days=self.rng.randint(14, 120))).isoformat()
            return {"holidays": sorted({*_HOLIDAYS, local})}  # the plant's own day off
        return None

    # ---- catalogue ------------------------------------------------------------------

    def _catalogue(self) -> None:
        rng = self.rng
        families = max(2, min(600, round(self.options.operations / 500)))
        # The first standard part is a one-step bracket, so that spare-part orders can
        # bring the order book to exactly the operations asked for.
        common = [self._part("STD-001", "BRACKET")]
        common += [self._part(f"STD-{n + 1:03d}") for n in range(1, max(3, min(150, families * 2)))]
        for family_idx in range(families):
            base = _FAMILIES[family_idx % len(_FAMILIES)]
            family = (
                f"{base}-{family_idx // len(_FAMILIES) + 1}" if families > len(_FAMILIES) else base
            )
            own = [self._part(f"{family}-P{n + 1:02d}") for n in range(rng.randint(3, 7))]
            assemblies = []
            for n in range(rng.randint(2, 4)):
                pool = [
                    *rng.sample(own, k=min(len(own), rng.randint(2, 3))),
                    *rng.sample(common, k=rng.randint(0, min(2, len(common)))),
                ]
                assemblies.append(self._assembly(f"{family}-A{n + 1}", pool))
            design = self._design(family) if rng.random() < 0.3 else None
            for n in range(rng.randint(1, 3)):
                chosen = rng.sample(assemblies, k=min(len(assemblies), rng.randint(2, 3)))
                extra = rng.sample(own, k=rng.randint(0, 1))
                self._product(f"{family}-{n + 1}", [*chosen, *extra], design)
        for item_id in self.items:
            self.tree_ops[item_id] = self._tree_ops(item_id)

    def _tree_ops(self, item_id: str) -> int:
        item = self.items[item_id]
        return item.step_count + sum(self.tree_ops[child] for child, _q, _d in item.bom)

    def _makers(self, routing: tuple[str, ...]) -> list[_Plant]:
        needed = set(routing)
        return [p for p in self.plants if needed <= p.processes()]

    def _shape(
        self, routings: tuple[tuple[str, ...], ...], heaviest: float = math.inf
    ) -> tuple[list[tuple[str, ...]], float, int]:
        """Routings some plant can run, with a weight and grade shaped after one maker.

        One machine group per process of the first routing is drawn from one plant able
        to run it; the item is light and coarse enough for those groups, so it has at
        least that maker, and the plants whose groups are too small or too coarse
        cannot make it.
        """
        rng = self.rng
        first = next(r for r in routings if self._makers(r))
        maker = rng.choice(self._makers(first))
        chosen = [
            rng.choice([g for g in maker.groups if g.process == process])
            for process in dict.fromkeys(first)
        ]
        limit = min(heaviest, *(g.max_weight_t for g in chosen))
        weight = max(0.1, round(rng.uniform(0.1, 1.0) * limit, 1))
        weight = min(weight, math.floor(limit * 10) / 10)
        grades = [g.precision_grade for g in chosen if g.process in _FINISHING]
        grade = min(_COARSE_GRADE, max(grades, default=_COARSE_GRADE) + rng.choice((0, 0, 1, 2)))
        runnable = [r for r in routings if r == first or self._capable(r, weight, grade)]
        return runnable, weight, grade

    def _capable(self, routing: tuple[str, ...], weight_t: float, grade: int) -> list[_Plant]:
        """Plants able to run every step of ``routing`` for an item of this weight and grade."""
        return [
            p
            for p in self._makers(routing)
            if all(
                any(g.can_run(process, weight_t, _step_grade(process, grade)) for g in p.groups)
                for process in routing
            )
        ]

    def _heaviest_blank(self, blank_kind: str) -> float:
        """The heaviest blank of this kind some plant can make."""
        return max(
            min(
                max(g.max_weight_t for g in p.groups if g.process == process) for process in routing
            )
            for routing in _BLANK_ROUTINGS[blank_kind]
            for p in self._makers(routing)
        )

    def _steps(self, routing: tuple[str, ...], weight_t: float, grade: int) -> list[_Step]:
        rng = self.rng
        size = (0.6 + weight_t) ** 0.35
        return [
            _Step(
                process=process,
                setup_hours=round(rng.uniform(0.5, 4.0), 1),
                run_hours=round(_RUN_HOURS[process] * size * rng.uniform(0.6, 1.4), 1),
                grade=_step_grade(process, grade),
                crew=self._crew(process),
            )
            for process in routing
        ]

    def _crew(self, process: str) -> list[dict[str, Any]]:
        if process == "assembly":
            return [{"skill": "fitter", "size": self.rng.randint(2, 4)}]
        if process == "welding" and self.rng.random() < 0.5:
            return [{"skill": "welder", "size": 1}]
        return []

    def _add(self, item: _Item, routings: Sequence[tuple[str, ...]]) -> _Item:
        item.makers = [p.id for p in self._capable(routings[0], item.weight_t, item.grade)]
        self.items[item.id] = item
        return item

    def _part(self, item_id: str, template: str | None = None) -> _Item:
        rng = self.rng
        template = template or rng.choice(sorted(_PART_TEMPLATES))
        blank_kind, templates = _PART_TEMPLATES[template]
        heaviest = math.inf if blank_kind is None else self._heaviest_blank(blank_kind) / 1.25
        routings, weight, grade = self._shape(templates, heaviest)
        part = _Item(
            id=f"{item_id}-{template}",
            kind="part",
            weight_t=weight,
            grade=grade,
            routings=[self._steps(r, weight, grade) for r in routings],
        )
        if blank_kind is not None:
            blank = self._blank(f"{part.id}-BLANK", blank_kind, weight)
            part.bom.append((blank.id, 1, False))
        elif self.options.materials is not MaterialLevel.NONE:
            material = "steel-plate" if template in ("FRAME", "BRACKET") else "steel-bar"
            part.materials.append((self._material(material, template), _kg(weight), 1))
        return self._add(part, routings)

    def _blank(self, item_id: str, blank_kind: str, weight_t: float) -> _Item:
        # A blank is a little heavier than the part machined from it; the part's weight
        # was drawn so that some plant can make the blank.
        weight = math.floor(weight_t * 1.25 * 10) / 10
        routings = [
            r for r in _BLANK_ROUTINGS[blank_kind] if self._capable(r, weight, _COARSE_GRADE)
        ]
        blank = _Item(
            id=item_id,
            kind="part",
            weight_t=weight,
            grade=_COARSE_GRADE,
            routings=[self._steps(r, weight, _COARSE_GRADE) for r in routings],
            name="Forged blank" if blank_kind == "FORGED" else "Casting",
        )
        if self.options.materials is not MaterialLevel.NONE:
            material = "steel-bar" if blank_kind == "FORGED" else "pig-iron"
            blank.materials.append((self._material(material, item_id), _kg(weight), 1))
        return self._add(blank, routings)

    def _assembly(self, item_id: str, parts: list[_Item]) -> _Item:
        routing = ("welding", "assembly") if self.rng.random() < 0.3 else ("assembly",)
        routings, weight, grade = self._shape((routing,))
        weight = max(weight, round(sum(p.weight_t for p in parts) * 0.8, 1))
        weight = min(weight, self._heaviest(routings[0], grade))
        item = _Item(
            id=item_id,
            kind="assembly",
            weight_t=weight,
            grade=grade,
            routings=[self._steps(r, weight, grade) for r in routings],
            bom=[(p.id, self.rng.choice((1, 1, 2, 2, 4)), False) for p in parts],
        )
        if self.options.materials is MaterialLevel.HEAVY:
            item.materials.append(
                (
                    self._material("fasteners", item_id, unit="piece"),
                    self.rng.randint(20, 200),
                    len(routings[0]),
                )
            )
        return self._add(item, routings)

    def _heaviest(self, routing: tuple[str, ...], grade: int) -> float:
        """The heaviest item some plant can run ``routing`` for at ``grade``."""
        return max(
            min(
                max(
                    (
                        g.max_weight_t
                        for g in p.groups
                        if g.can_run(process, 0.0, _step_grade(process, grade))
                    ),
                    default=0.0,
                )
                for process in routing
            )
            for p in self._makers(routing)
        )

    def _design(self, family: str) -> _Item:
        offices = [p for p in self.plants if p.is_design_office]
        step = _Step(
            process=None,
            setup_hours=8.0,
            run_hours=round(self.rng.uniform(16, 48)),
            grade=14,
            crew=[
                {"skill": "draughtsman", "size": 2},
                {"skill": "process technologist", "size": 1},
            ],
        )
        item = _Item(
            id=f"{family}-DRAWINGS",
            kind="part",
            weight_t=0.1,
            grade=14,
            routings=[[step]],
            name=f"Drawings and process sheets, {family.lower()}",
        )
        item.makers = [p.id for p in offices]
        self.items[item.id] = item
        return item

    def _product(self, item_id: str, components: list[_Item], design: _Item | None) -> None:
        routing = ("assembly", "assembly")  # erection, then the test run
        routings, weight, grade = self._shape((routing,))
        weight = min(
            max(weight, round(sum(c.weight_t for c in components) * 0.7, 1)),
            self._heaviest(routing, grade),
        )
        product = _Item(
            id=item_id,
            kind="product",
            weight_t=weight,
            grade=grade,
            routings=[self._steps(r, weight, grade) for r in routings],
            bom=[
                (c.id, 1 if c.kind == "assembly" else self.rng.choice((1, 2)), False)
                for c in components
            ],
        )
        if design is not None:
            product.bom.insert(0, (design.id, 1, True))
        if self.options.materials is MaterialLevel.HEAVY:
            product.materials.append(
                (self._material("paint", item_id, unit="kg"), max(1, round(weight * 3)), 2)
            )
        self._add(product, routings)

    def _material(self, kind: str, item_id: str, unit: str = "kg") -> str:
        """A material for an item: one per kind when light, one of several grades when heavy."""
        if self.options.materials is MaterialLevel.LIGHT:
            material_id = kind
        else:
            grades = max(2, min(12, self.options.operations // 4000 + 2))
            material_id = f"{kind}-{_stable_bucket(item_id, grades) + 1}"
        if all(m["id"] != material_id for m in self.materials):
            self.materials.append({"id": material_id, "unit": unit})
        return material_id

    # ---- orders ---------------------------------------------------------------------

    def _orders(self) -> None:
        rng = self.rng
        products = [i for i in self.items.values() if i.kind == "product"]
        spares = sorted(
            (i for i in self.items.values() if i.kind != "product" and i.routings[0][0].process),
            key=lambda i: self.tree_ops[i.id],
        )
        remaining = self.options.operations
        while remaining > 0:
            fitting = [p for p in products if self.tree_ops[p.id] <= remaining]
            if fitting and rng.random() < 0.85:
                item = rng.choice(fitting)
                quantity = rng.choice((1, 1, 1, 2, 2, 3))
            else:
                spare_fits = [s for s in spares if self.tree_ops[s.id] <= remaining]
                item = rng.choice(spare_fits[-8:] if not fitting else spare_fits)
                quantity = rng.randint(2, 8)
            remaining -= self.tree_ops[item.id]
            self._order(item, quantity)

    def _order(self, item: _Item, quantity: int) -> None:
        rng = self.rng
        release = rng.randint(0, ORDER_BOOK_DAYS)
        work_hours, transport_days = self._critical_path(item.id, quantity)
        region = rng.choice(self.regions)
        travel = max(
            self._lead(self._plant(m).place, self.region_place[region]) for m in item.makers
        )
        working = self._calendar_days(release, work_hours * rng.uniform(*DUE_SLACK))
        due = release + working + transport_days + QUEUE_DAYS + travel
        order: dict[str, Any] = {
            "id": f"{region[:2].upper()}-{len(self.orders) + 1:05d}",
            "region": region,
            "item": item.id,
            "quantity": quantity,
            "due": (START + timedelta(days=math.ceil(due))).isoformat(),
            "priority": rng.choice((1, 1, 1, 2, 3, 5, 10)),
        }
        if release:
            order["release"] = (START + timedelta(days=release)).isoformat()
        if item.kind == "product" and rng.random() < 0.05:
            order["plant"] = rng.choice(item.makers)  # an existing commitment
        self.orders.append(order)
        self._count_work(item.id, quantity)

    def _critical_path(self, item_id: str, quantity: int) -> tuple[float, float]:
        """Working hours and transport days of the longest chain of steps below an item.

        Each BOM level on the chain adds a trip between two plants, of the network's
        mean lead time.
        """
        item = self.items[item_id]
        own = sum(s.setup_hours + quantity * s.run_hours for s in item.routings[0])
        below = max(
            (self._critical_path(child, quantity * q) for child, q, _d in item.bom),
            key=lambda path: path[0] + path[1] * _HOURS_PER_DAY,
            default=None,
        )
        if below is None:
            return own, 0.0
        return own + below[0], below[1] + self.mean_lead

    def _calendar_days(self, from_day: int, hours: float) -> int:
        """Days from ``from_day`` until the network calendar has given ``hours`` of work."""
        while len(self.working_hours_before) <= from_day + 1 or (
            self.working_hours_before[-1] - self.working_hours_before[from_day] < hours
        ):
            day = START + timedelta(days=len(self.working_hours_before) - 1)
            works = day.weekday() < 6 and day.isoformat() not in _HOLIDAYS
            self.working_hours_before.append(self.working_hours_before[-1] + 16 * works)
        target = self.working_hours_before[from_day] + hours
        return bisect.bisect_left(self.working_hours_before, target) - from_day

    def _count_work(self, item_id: str, quantity: int) -> None:
        """Spread a work order's hours over the groups that can run it, to size them later."""
        item = self.items[item_id]
        for step_idx, step in enumerate(item.routings[0]):
            groups = self._step_groups(item, step_idx)
            hours = step.setup_hours + quantity * step.run_hours
            for group in groups:
                group.work_hours += hours / len(groups)
        for material, per_unit, _step in item.materials:
            for maker in item.makers:
                self.material_need[(maker, material)] += quantity * per_unit / len(item.makers)
        for child, q, _d in item.bom:
            self._count_work(child, quantity * q)

    def _step_groups(self, item: _Item, step_idx: int) -> list[_Group]:
        """The machine groups of the item's makers able to run one step of its first routing."""
        key = (item.id, step_idx)
        if key not in self.groups_by_step:
            step = item.routings[0][step_idx]
            self.groups_by_step[key] = [
                g
                for maker in item.makers
                for g in self._plant(maker).groups
                if step.process is not None and g.can_run(step.process, item.weight_t, step.grade)
            ]
        return self.groups_by_step[key]

    def _plant(self, plant_id: str) -> _Plant:
        return self.plant_by_id[plant_id]

    def _size_groups(self) -> None:
        available = ORDER_BOOK_DAYS * _HOURS_PER_DAY * LOAD
        self.units = {
            (g.plant_id, g.id): max(1, min(1000, round(g.work_hours / available)))
            for p in self.plants
            for g in p.groups
        }

    # ---- lanes, material, people ------------------------------------------------------

    @staticmethod
    def _lead(a: tuple[float, float], b: tuple[float, float]) -> float:
        return max(0.5, round(math.dist(a, b) / 4 * 2) / 2)

    def _lanes(self) -> list[dict[str, Any]]:
        lanes = [
            {"from": a.id, "to": b.id, "lead_days": self._lead(a.place, b.place)}
            for n, a in enumerate(self.plants)
            for b in self.plants[n + 1 :]
        ]
        lanes += [
            {"from": p.id, "to": r, "lead_days": self._lead(p.place, self.region_place[r]) + 1}
            for p in self.plants
            for r in self.regions
        ]
        return lanes

    def _stock_and_supplies(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        rng = self.rng
        heavy = self.options.materials is MaterialLevel.HEAVY
        at_start, received = (0.5, 0.65) if heavy else (1.2, 0.2)
        stock: list[dict[str, Any]] = []
        supplies: list[dict[str, Any]] = []
        for (plant_id, material), need in sorted(self.material_need.items()):
            stock.append(
                {"plant": plant_id, "material": material, "quantity": math.ceil(need * at_start)}
            )
            receipts = rng.randint(2, 5) if heavy else 1
            for n in range(receipts):
                day = rng.randint(3, int(ORDER_BOOK_DAYS * 0.6))
                supply = {
                    "plant": plant_id,
                    "material": material,
                    "quantity": max(1, math.ceil(need * received / receipts)),
                    "arrives": (START + timedelta(days=day)).isoformat(),
                }
                if n == 0 and rng.random() < 0.1:
                    supply["source"] = "found when the warehouse was cleared"
                supplies.append(supply)
        return stock, supplies

    def _staff(self) -> dict[str, Any]:
        staffing: list[dict[str, Any]] = []
        for plant in self.plants:
            crews = {"fitter": 0, "welder": 0}
            for group in plant.groups:
                units = self.units[(plant.id, group.id)]
                if group.process == "assembly":
                    crews["fitter"] += units * 4
                elif group.process == "welding":
                    crews["welder"] += units
            for skill, headcount in crews.items():
                if headcount:
                    staffing.append({"plant": plant.id, "skill": skill, "headcount": headcount})
            if plant.is_design_office:
                staffing.append({"plant": plant.id, "skill": "draughtsman", "headcount": 4})
                staffing.append(
                    {"plant": plant.id, "skill": "process technologist", "headcount": 2}
                )
        offices = [p for p in self.plants if p.is_design_office]
        staff: dict[str, Any] = {
            "skills": ["fitter", "welder", "draughtsman", "process technologist"],
            "staffing": staffing,
        }
        if offices:
            office = offices[0]
            staff["secondments"] = [
                {
                    "plant": office.id,
                    "skill": "draughtsman",
                    "count": 1,
                    "start": (START + timedelta(days=28)).isoformat(),
                    "end": (START + timedelta(days=56)).isoformat(),
                    "region": self.regions[0],
                }
            ]
            staff["trainings"] = [
                {
                    "plant": office.id,
                    "skill": "fitter",
                    "count": 4,
                    "start": (START + timedelta(days=7)).isoformat(),
                    "duration_days": 42,
                    "trainers": 1,
                }
            ]
        return staff

    # ---- file data ------------------------------------------------------------------

    def _plant_data(self, plant: _Plant) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": plant.id,
            "name": f"{_KIND_NAME[plant.kind]} No. {plant.id[2:].lstrip('0')}",
        }
        if plant.calendar is not None:
            data["calendar"] = plant.calendar
        data["machines"] = []
        for group in plant.groups:
            machine: dict[str, Any] = {
                "id": group.id,
                "process": group.process,
                "units": self.units[(plant.id, group.id)],
                "max_weight_t": group.max_weight_t,
                "precision_grade": group.precision_grade,
            }
            if group.calendar is not None:
                machine["calendar"] = group.calendar
            if group.available_from is not None:
                machine["available_from"] = group.available_from
            data["machines"].append(machine)
        return data

    @staticmethod
    def _item_data(item: _Item) -> dict[str, Any]:
        data: dict[str, Any] = {"id": item.id}
        if item.name:
            data["name"] = item.name
        data.update(kind=item.kind, weight_t=item.weight_t, precision_grade=item.grade)
        if item.bom:
            data["bom"] = [
                {"item": child, "quantity": q, **({"design": True} if design else {})}
                for child, q, design in item.bom
            ]
        if item.materials:
            data["materials"] = [
                {"material": m, "quantity": q, "step": s} for m, q, s in item.materials
            ]
        routings = [[_step_data(s, item) for s in r] for r in item.routings]
        if len(routings) == 1:
            data["operations"] = routings[0]
        else:
            names = ("main", "alternative", "third")
            data["routings"] = [
                {"id": names[n], "operations": ops} for n, ops in enumerate(routings)
            ]
        return data


def _step_data(step: _Step, item: _Item) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if step.process is not None:
        data["process"] = step.process
    data["setup_hours"] = step.setup_hours
    data["run_hours_per_unit"] = step.run_hours
    if step.process is not None and step.grade != item.grade:
        data["precision_grade"] = step.grade
    if step.crew:
        data["crew"] = step.crew
    return data


def _step_grade(process: str, item_grade: int) -> int:
    """Casting, forging, heat treatment and welding work to a coarse grade of their own."""
    return item_grade if process in _FINISHING else max(item_grade, _COARSE_GRADE)


def _kg(weight_t: float) -> int:
    return max(1, math.ceil(weight_t * 1100))


def _stable_bucket(text: str, buckets: int) -> int:
    """A bucket for ``text`` that does not change between runs (``hash`` does)."""
    return sum(text.encode()) % buckets
