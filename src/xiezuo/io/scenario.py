"""Scenario files (YAML or JSON) in, a validated domain :class:`~xiezuo.domain.Network` out.

Reading runs in three stages, each failing with a message that names the file and
the entity path (``orders[3].item``, plus the line for YAML):

1. syntax: the text parses as YAML or JSON, within the size, nesting and alias limits
   of :mod:`xiezuo.io.yaml_source`, and holds no control character or lone surrogate;
2. shape: the data fits the pydantic models of :mod:`xiezuo.io.scenario_schema`;
3. meaning: IDs are unique, references resolve, domain objects accept their values
   and :func:`~xiezuo.domain.validate_network` finds no broken rule.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Final, NoReturn, TypeVar
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from xiezuo.domain import (
    WEEKDAY_NAMES,
    BomLine,
    Calendar,
    CrewNeed,
    FloorBays,
    Gang,
    Item,
    Lane,
    Lever,
    LeverKind,
    Machine,
    MachineTime,
    Material,
    MaterialLine,
    Network,
    Operation,
    Order,
    Plant,
    Routing,
    Secondment,
    Staffing,
    StockLot,
    Supply,
    Training,
    validate_network,
)
from xiezuo.errors import InputError, ModelError
from xiezuo.io.documents import Locator, input_error, read_data
from xiezuo.io.files import read_text_file
from xiezuo.io.scenario_schema import (
    CalendarSpec,
    GangSpec,
    MachineLoanSpec,
    OperationSpec,
    PeopleLoanSpec,
    ScenarioSpec,
    ShedSpec,
)
from xiezuo.io.yaml_source import (
    MAX_FILE_BYTES,
    MAX_YAML_BYTES,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence


_T = TypeVar("_T")
_Path = tuple[str | int, ...]
_FORMAT_BY_SUFFIX = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}
MAX_DATE_SPAN: Final = timedelta(days=3653)
"""Every dated event lies within ten years of ``network.start``, well inside the span a
plan file may cover, so no plan or chart has to reach further."""

_SECTION_BY_KIND = {
    "process": "processes",
    "region": "regions",
    "plant": "plants",
    "item": "items",
    "plant or region": "plants or regions",
    "material": "materials",
    "skill": "skills",
}


def load_scenario(path: str | Path) -> Network:
    """Read a scenario file and return its validated network.

    Parameters
    ----------
    path:
        A ``.yaml``, ``.yml`` or ``.json`` file in the format of
        ``docs/scenario-format.md``.

    Returns
    -------
    Network
        A network that has passed :func:`~xiezuo.domain.validate_network`.

    Raises
    ------
    InputError
        The file cannot be read, does not parse, does not fit the format, or names
        something that does not exist; ``location`` gives the entity path.
    ModelError
        A rule spanning the network is broken (a BOM cycle, a missing lane); each
        problem is prefixed with the entity path and ``source`` is the file.
    """
    text, fmt = _read_source(path, "scenario")
    return parse_scenario(text, str(path), fmt)


def _read_source(path: str | Path, what: str) -> tuple[str, str]:
    """The text of a YAML or JSON input file and its format, by the file's suffix."""
    source = str(path)
    fmt = _FORMAT_BY_SUFFIX.get(Path(path).suffix.lower())
    if fmt is None:
        raise InputError(source, "", f"a {what} file must end in .yaml, .yml or .json")
    if fmt == "yaml":  # PyYAML is a hundred times slower than json; big networks use JSON
        return read_text_file(path, source, MAX_YAML_BYTES, f"YAML {what}"), fmt
    return read_text_file(path, source, MAX_FILE_BYTES, f"JSON {what}"), fmt


def parse_scenario(text: str, source: str, fmt: str) -> Network:
    """Parse scenario text and return its validated network.

    Parameters
    ----------
    text:
        The file contents.
    source:
        Name used in error messages, usually the file name.
    fmt:
        ``"yaml"`` or ``"json"``.

    Raises
    ------
    InputError, ModelError
        As for :func:`load_scenario`.
    """
    spec, locate = _parse_spec(text, source, fmt)
    return _Converter(spec, source, locate).network()


def _parse_spec(text: str, source: str, fmt: str) -> tuple[ScenarioSpec, Locator]:
    """Stages 1 and 2: the file's data checked against the file schema."""
    data, locate = _parse_data(text, source, fmt)
    try:
        spec = ScenarioSpec.model_validate(data)
    except ValidationError as exc:
        raise input_error(exc, source, locate, ScenarioSpec) from None
    return spec, locate


def _parse_data(text: str, source: str, fmt: str) -> tuple[object, Locator]:
    """Stage 1: plain, bounded data (not empty) and a locator of its entity paths."""
    return read_data(text, source, fmt, "scenario")


# ---- Hooks for variant files (io/variant.py), which edit a scenario's file data -----


def read_input_data(
    path: str | Path, what: str
) -> tuple[object, Callable[[Sequence[str | int]], str]]:
    """Stage 1 for any input file in the scenario syntax: its data and a locator.

    The locator formats an entity path as in scenario errors (``changes[2].order
    (line 14)``), so other file formats built on this syntax read alike.
    """
    text, fmt = _read_source(path, what)
    return _parse_data(text, str(path), fmt)


def load_scenario_spec(path: str | Path) -> ScenarioSpec:
    """A scenario file's file data, once the whole file is checked as by :func:`load_scenario`.

    A variant edits this data; checking the base here first makes the base's own
    errors name the base file and its lines.
    """
    text, fmt = _read_source(path, "scenario")
    spec, locate = _parse_spec(text, str(path), fmt)
    _Converter(spec, str(path), locate).network()
    return spec


def network_from_spec(spec: ScenarioSpec, source: str, locate: Locator | None = None) -> Network:
    """Stage 3 for file data built in memory: entity paths in errors, without lines.

    ``locate`` turns an entity path into the place a reader should look (a workbook
    names its cell); by default the path itself.
    """
    return _Converter(spec, source, locate or Locator(None)).network()


def _borrowed_id(loan: MachineLoanSpec) -> str:
    """The name lent machines take at the borrower: their group's, and where from."""
    return f"{loan.machine}-from-{loan.from_}"


def _unknown(what: str, value: str, known: Iterable[str], section: str) -> str:
    close = difflib.get_close_matches(value, list(known), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else f"; declare it under {section}"
    return f"unknown {what} {value!r}{hint}"


class _Converter:
    """Builds domain objects from a checked file, naming the entity path on every failure."""

    def __init__(self, spec: ScenarioSpec, source: str, locate: Locator) -> None:
        self.spec = spec
        self.source = source
        self.locate = locate
        self.zone = ZoneInfo(spec.network.timezone)
        self.start = self.instant(spec.network.start)

    def fail(self, path: _Path, problem: str) -> NoReturn:
        raise InputError(self.source, self.locate(path), problem)

    def build(self, path: _Path, factory: Callable[..., _T], **fields: object) -> _T:
        """Call a domain constructor, re-raising its ``ModelError`` at ``path``."""
        try:
            return factory(**fields)
        except ModelError as exc:
            raise InputError(self.source, self.locate(path), "; ".join(exc.problems)) from exc

    def network(self) -> Network:
        self.check_ids()
        self.check_references()
        spec = self.spec
        calendar = self.calendar(("network", "calendar"), Calendar(), spec.network.calendar)
        network = self.build(
            (),
            Network,
            name=spec.network.name,
            start=self.start,
            calendar=calendar,
            processes=tuple(spec.processes),
            regions=tuple(spec.regions),
            plants=tuple(self.plants(calendar)),
            items=tuple(self.items()),
            orders=tuple(self.orders()),
            lanes=tuple(self.lanes()),
            materials=tuple(self.materials()),
            stock=tuple(self.stock()),
            supplies=tuple(self.supplies()),
            skills=tuple(spec.skills),
            staffing=tuple(self.staffing()),
            secondments=tuple(self.secondments()),
            trainings=tuple(self.trainings()),
            levers=tuple(self.levers()),
            lever_budget=None if spec.levers is None else spec.levers.budget,
        )
        try:
            validate_network(network)
        except ModelError as exc:
            raise ModelError([self.place(p) for p in exc.problems], source=self.source) from exc
        return network

    def check_ids(self) -> None:
        spec = self.spec
        groups: list[tuple[str, _Path, list[str]]] = [
            ("process", ("processes",), spec.processes),
            ("region", ("regions",), spec.regions),
            ("plant", ("plants",), [p.id for p in spec.plants]),
            ("item", ("items",), [i.id for i in spec.items]),
            ("order", ("orders",), [o.id for o in spec.orders]),
            ("material", ("materials",), [m.id for m in spec.materials]),
            ("skill", ("skills",), spec.skills),
        ]
        for p_idx, plant in enumerate(spec.plants):
            groups.append(
                ("machine", ("plants", p_idx, "machines"), [m.id for m in plant.machines])
            )
        seen: dict[str, _Path] = {}
        for section, ids in (
            ("sheds", [shed.id for shed in self.sheds]),
            ("machine_loans", [loan.id for loan in self.loans]),
            ("people_loans", [loan.id for loan in self.people_loans]),
        ):
            for idx, lever_id in enumerate(ids):
                if lever_id in seen:
                    earlier = self.locate(seen[lever_id])
                    self.fail(
                        ("levers", section, idx, "id"),
                        f"lever {lever_id!r} is already given at {earlier}",
                    )
                seen[lever_id] = ("levers", section, idx)
        for i_idx, item in enumerate(spec.items):
            routing_ids = [r.id for r in item.routings or ()]
            groups.append(("routing", ("items", i_idx, "routings"), routing_ids))
            groups.append(("BOM component", ("items", i_idx, "bom"), [b.item for b in item.bom]))
            for r_path, _, operations in self.routing_specs(i_idx):
                for o_idx, op in enumerate(operations):
                    crew_path = (*r_path, "operations", o_idx, "crew")
                    groups.append(("crew skill", crew_path, [c.skill for c in op.crew]))
        for what, path, ids in groups:
            first_idx_by_id: dict[str, int] = {}
            for idx, value in enumerate(ids):
                if value in first_idx_by_id:
                    earlier = self.locate((*path, first_idx_by_id[value]))
                    self.fail((*path, idx), f"{what} {value!r} is already given at {earlier}")
                first_idx_by_id[value] = idx
        pairs: list[tuple[str, str, list[tuple[str, str]], str]] = [
            (
                "stock",
                "stock of {1!r} at plant {0!r}",
                [(s.plant, s.material) for s in spec.stock],
                "add the quantities",
            ),
            (
                "staffing",
                "staffing of {1!r} at plant {0!r}",
                [(s.plant, s.skill) for s in spec.staffing],
                "add the headcounts",
            ),
        ]
        for section, template, keys, hint in pairs:
            first_idx_by_key: dict[tuple[str, str], int] = {}
            for idx, key in enumerate(keys):
                if key in first_idx_by_key:
                    earlier = self.locate((section, first_idx_by_key[key]))
                    what = template.format(*key)
                    self.fail((section, idx), f"{what} is already given at {earlier}; {hint}")
                first_idx_by_key[key] = idx
        plant_ids = {p.id for p in spec.plants}
        for r_idx, region in enumerate(spec.regions):
            if region in plant_ids:
                self.fail(
                    ("regions", r_idx),
                    f"region {region!r} is also a plant ID, so lanes could not tell them apart",
                )

    def check_references(self) -> None:
        spec = self.spec
        processes, regions = set(spec.processes), set(spec.regions)
        plants, items = {p.id for p in spec.plants}, {i.id for i in spec.items}
        materials, skills = {m.id for m in spec.materials}, set(spec.skills)

        def require(path: _Path, what: str, value: str, known: set[str]) -> None:
            if value not in known:
                self.fail(path, _unknown(what, value, known, _SECTION_BY_KIND[what]))

        for p_idx, plant in enumerate(spec.plants):
            for m_idx, machine in enumerate(plant.machines):
                path: _Path = ("plants", p_idx, "machines", m_idx, "process")
                require(path, "process", machine.process, processes)
        for i_idx, item in enumerate(spec.items):
            for b_idx, line in enumerate(item.bom):
                require(("items", i_idx, "bom", b_idx, "item"), "item", line.item, items)
            for m_idx, material_line in enumerate(item.materials):
                m_path: _Path = ("items", i_idx, "materials", m_idx, "material")
                require(m_path, "material", material_line.material, materials)
            for r_path, _, operations in self.routing_specs(i_idx):
                for o_idx, op in enumerate(operations):
                    op_path = (*r_path, "operations", o_idx)
                    if op.process is not None:
                        require((*op_path, "process"), "process", op.process, processes)
                    for c_idx, crew in enumerate(op.crew):
                        require((*op_path, "crew", c_idx, "skill"), "skill", crew.skill, skills)
        largest: dict[str, int] = {}
        for plant in spec.plants:
            for machine in plant.machines:
                largest[machine.process] = max(largest.get(machine.process, 0), machine.units)
        ganged: set[str] = set()
        for g_idx, gang in enumerate(spec.gangs):
            require(("gangs", g_idx, "process"), "process", gang.process, processes)
            if gang.process in ganged:
                self.fail(("gangs", g_idx, "process"), f"process {gang.process!r} has a gang twice")
            ganged.add(gang.process)
            most = largest.get(gang.process, 0)
            for field, k in (("max", gang.max), ("floor_min", gang.floor_min or 0)):
                if k > most:
                    self.fail(
                        ("gangs", g_idx, field),
                        f"{k} units is more than the {most} of the largest {gang.process} "
                        "machine group",
                    )
        self.check_sheds(require)
        self.check_loans(require)
        for l_idx, lent in enumerate(self.people_loans):
            l_path: _Path = ("levers", "people_loans", l_idx)
            require((*l_path, "from"), "plant", lent.from_, plants)
            require((*l_path, "to"), "plant", lent.to, plants)
            require((*l_path, "skill"), "skill", lent.skill, skills)
            if lent.from_ == lent.to:
                self.fail((*l_path, "to"), f"a plant cannot lend to itself ({lent.to!r})")
        for o_idx, order in enumerate(spec.orders):
            require(("orders", o_idx, "item"), "item", order.item, items)
            require(("orders", o_idx, "region"), "region", order.region, regions)
            if order.plant is not None:
                require(("orders", o_idx, "plant"), "plant", order.plant, plants)
        for l_idx, lane in enumerate(spec.lanes):
            require(("lanes", l_idx, "from"), "plant", lane.from_, plants)
            require(("lanes", l_idx, "to"), "plant or region", lane.to, plants | regions)
            if lane.from_ == lane.to:
                self.fail(("lanes", l_idx), "a lane must join two different places")
        holdings: list[tuple[str, int, str, str]] = [
            *(("stock", idx, s.plant, s.material) for idx, s in enumerate(spec.stock)),
            *(("supplies", idx, s.plant, s.material) for idx, s in enumerate(spec.supplies)),
        ]
        for section, idx, plant_id, material in holdings:
            require((section, idx, "plant"), "plant", plant_id, plants)
            require((section, idx, "material"), "material", material, materials)
        people: list[tuple[str, int, str, str]] = [
            *(("staffing", idx, s.plant, s.skill) for idx, s in enumerate(spec.staffing)),
            *(("secondments", idx, s.plant, s.skill) for idx, s in enumerate(spec.secondments)),
            *(("trainings", idx, t.plant, t.skill) for idx, t in enumerate(spec.trainings)),
        ]
        for section, idx, plant_id, skill in people:
            require((section, idx, "plant"), "plant", plant_id, plants)
            require((section, idx, "skill"), "skill", skill, skills)
        for idx, secondment in enumerate(spec.secondments):
            if secondment.region is not None:
                path = ("secondments", idx, "region")
                require(path, "region", secondment.region, regions)
        for idx, training in enumerate(spec.trainings):
            if training.trainer_skill is not None:
                path = ("trainings", idx, "trainer_skill")
                require(path, "skill", training.trainer_skill, skills)

    def check_loans(self, require: Callable[[_Path, str, str, set[str]], None]) -> None:
        """A loan goes between two known plants, of a group the lender has, at most its
        units, of a process the borrower already does, under a name it does not use."""
        plants = {p.id: p for p in self.spec.plants}
        for l_idx, loan in enumerate(self.loans):
            path: _Path = ("levers", "machine_loans", l_idx)
            require((*path, "from"), "plant", loan.from_, set(plants))
            require((*path, "to"), "plant", loan.to, set(plants))
            if loan.from_ == loan.to:
                self.fail((*path, "to"), f"a plant cannot lend to itself ({loan.to!r})")
            lender = plants[loan.from_]
            group = next((m for m in lender.machines if m.id == loan.machine), None)
            if group is None:
                known = ", ".join(repr(m.id) for m in lender.machines) or "none"
                self.fail(
                    (*path, "machine"),
                    f"plant {lender.id!r} has no machine group {loan.machine!r} (it has {known})",
                )
            if loan.units > group.units:
                self.fail(
                    (*path, "units"),
                    f"{loan.units} units is more than the {group.units} of {lender.id!r} "
                    f"machine group {group.id!r}",
                )
            if group.process not in {m.process for m in plants[loan.to].machines}:
                self.fail(
                    (*path, "to"),
                    f"plant {loan.to!r} has no {group.process!r} machines: a loan adds "
                    "capacity to a process the borrower already does, not a new capability",
                )
            borrowed = _borrowed_id(loan)
            if borrowed in {m.id for m in plants[loan.to].machines}:
                self.fail(
                    path,
                    f"plant {loan.to!r} already has a machine group {borrowed!r}, the name "
                    "the loaned machines take there",
                )

    def check_sheds(self, require: Callable[[_Path, str, str, set[str]], None]) -> None:
        """A shed stands at a known plant, adds a process the plant already has (more
        capacity, not a new capability) and does not take the ID of its machines."""
        if self.spec.levers is None:
            return
        plants = {p.id: p for p in self.spec.plants}
        for s_idx, shed in enumerate(self.spec.levers.sheds):
            path: _Path = ("levers", "sheds", s_idx)
            require((*path, "plant"), "plant", shed.plant, set(plants))
            require(
                (*path, "machine", "process"),
                "process",
                shed.machine.process,
                set(self.spec.processes),
            )
            plant = plants[shed.plant]
            if shed.machine.id in {m.id for m in plant.machines}:
                self.fail(
                    (*path, "machine", "id"),
                    f"plant {plant.id!r} already has a machine group {shed.machine.id!r}",
                )
            if shed.machine.process not in {m.process for m in plant.machines}:
                self.fail(
                    (*path, "machine", "process"),
                    f"plant {plant.id!r} has no {shed.machine.process!r} machines: a shed adds "
                    "capacity to a process the plant already does, not a new capability",
                )

    def routing_specs(self, i_idx: int) -> list[tuple[_Path, str, list[OperationSpec]]]:
        """Each routing of an item as (path holding its operations, ID, operations)."""
        item = self.spec.items[i_idx]
        if item.routings is None:
            return [(("items", i_idx), "main", item.operations or [])]
        return [
            (("items", i_idx, "routings", r_idx), routing.id, routing.operations)
            for r_idx, routing in enumerate(item.routings)
        ]

    def calendar(self, path: _Path, base: Calendar, spec: CalendarSpec | None) -> Calendar:
        if spec is None:
            return base
        overrides: dict[str, object] = {}
        if spec.working_days is not None:
            overrides["working_days"] = tuple(WEEKDAY_NAMES.index(d) for d in spec.working_days)
        if spec.shifts_per_day is not None:
            overrides["shifts_per_day"] = spec.shifts_per_day
        if spec.shift_hours is not None:
            overrides["shift_length"] = timedelta(hours=spec.shift_hours)
        if spec.first_shift_start is not None:
            overrides["first_shift_start"] = spec.first_shift_start
        if spec.holidays is not None:
            overrides["holidays"] = tuple(spec.holidays)
        return self.build(path, lambda **changes: replace(base, **changes), **overrides)

    def instant(self, value: date, *, end_of_day: bool = False) -> datetime:
        """A date alone is 00:00 that day, or the next midnight when it is a deadline."""
        if isinstance(value, datetime):
            if value.tzinfo is None:
                return value.replace(tzinfo=self.zone)
            return value.astimezone(self.zone)
        day = value + timedelta(days=1) if end_of_day else value
        return datetime.combine(day, time(0), tzinfo=self.zone)

    def dated(self, path: _Path, value: date, *, end_of_day: bool = False) -> datetime:
        """An event's instant, refused when it lies beyond :data:`MAX_DATE_SPAN` of the start."""
        when = self.instant(value, end_of_day=end_of_day)
        if abs(when - self.start) > MAX_DATE_SPAN:
            self.fail(
                path,
                f"{when:%Y-%m-%d %H:%M} is more than {MAX_DATE_SPAN.days:,} days (ten years) "
                f"from network.start, {self.start:%Y-%m-%d %H:%M}; a scenario plans no further",
            )
        return when

    def optional_dated(
        self, path: _Path, value: date | None, *, end_of_day: bool = False
    ) -> datetime | None:
        return None if value is None else self.dated(path, value, end_of_day=end_of_day)

    def plants(self, network_calendar: Calendar) -> Iterable[Plant]:
        for p_idx, plant in enumerate(self.spec.plants):
            path: _Path = ("plants", p_idx)
            plant_calendar = self.calendar((*path, "calendar"), network_calendar, plant.calendar)
            machines = []
            for m_idx, m in enumerate(plant.machines):
                m_path = (*path, "machines", m_idx)
                calendar = None
                if m.calendar is not None:
                    calendar = self.calendar((*m_path, "calendar"), plant_calendar, m.calendar)
                machine = self.build(
                    m_path,
                    Machine,
                    id=m.id,
                    process=m.process,
                    units=m.units,
                    max_weight_t=m.max_weight_t,
                    precision_grade=m.precision_grade,
                    calendar=calendar,
                    available_from=self.optional_dated(
                        (*m_path, "available_from"), m.available_from
                    ),
                    available_until=self.optional_dated(
                        (*m_path, "available_until"), m.available_until, end_of_day=True
                    ),
                )
                machines.append(machine)
            machines += self.shed_machines(plant.id, plant_calendar)
            machines += self.loan_machines(plant.id)
            floor = None
            if plant.floor is not None:
                floor = self.build(
                    (*path, "floor"),
                    FloorBays,
                    bays=plant.floor.bays,
                    max_weight_t=plant.floor.max_weight_t,
                )
            yield self.build(
                path,
                Plant,
                id=plant.id,
                name=plant.name,
                calendar=plant_calendar if plant.calendar is not None else None,
                machines=tuple(machines),
                floor=floor,
            )

    def shed_machines(self, plant_id: str, plant_calendar: Calendar) -> list[Machine]:
        """The machine groups of the plant's sheds, each working from its lever's date."""
        machines = []
        for lever in self.levers():
            if lever.plant_id != plant_id or lever.kind is not LeverKind.SHED:
                continue
            s_idx = next(i for i, s in enumerate(self.sheds) if s.id == lever.id)
            m = self.sheds[s_idx].machine
            m_path: _Path = ("levers", "sheds", s_idx, "machine")
            calendar = None
            if m.calendar is not None:
                calendar = self.calendar((*m_path, "calendar"), plant_calendar, m.calendar)
            machines.append(
                self.build(
                    m_path,
                    Machine,
                    id=m.id,
                    process=m.process,
                    units=m.units,
                    max_weight_t=m.max_weight_t,
                    precision_grade=m.precision_grade,
                    calendar=calendar,
                    available_from=lever.usable_from,
                    lever=lever.id,
                )
            )
        return machines

    def loan_machines(self, plant_id: str) -> list[Machine]:
        """The machine groups lent to the plant, each there between its two moves."""
        machines = []
        for l_idx, lever in enumerate(self.loan_levers()):
            if lever.plant_id != plant_id:
                continue
            loan = self.loans[l_idx]
            lent = next(
                m
                for p in self.spec.plants
                if p.id == loan.from_
                for m in p.machines
                if m.id == loan.machine
            )
            machines.append(
                self.build(
                    ("levers", "machine_loans", l_idx),
                    Machine,
                    id=_borrowed_id(loan),
                    process=lent.process,
                    units=loan.units,
                    max_weight_t=lent.max_weight_t,
                    precision_grade=lent.precision_grade,
                    available_from=lever.usable_from,
                    available_until=lever.usable_until,
                    lever=lever.id,
                )
            )
        return machines

    @property
    def sheds(self) -> list[ShedSpec]:
        return [] if self.spec.levers is None else self.spec.levers.sheds

    @property
    def loans(self) -> list[MachineLoanSpec]:
        return [] if self.spec.levers is None else self.spec.levers.machine_loans

    @property
    def people_loans(self) -> list[PeopleLoanSpec]:
        return [] if self.spec.levers is None else self.spec.levers.people_loans

    def people_loan_levers(self) -> Iterable[Lever]:
        for l_idx, loan in enumerate(self.people_loans):
            path: _Path = ("levers", "people_loans", l_idx)
            yield self.build(
                path,
                Lever,
                id=loan.id,
                kind=LeverKind.PEOPLE_LOAN,
                plant_id=loan.to,
                cost=loan.cost,
                decision=self.dated((*path, "depart"), loan.depart),
                lead_time=timedelta(days=loan.travel_days),
                lender_id=loan.from_,
                skill=loan.skill,
                units=loan.count,
                until=self.dated((*path, "until"), loan.until, end_of_day=True),
            )

    def loan_levers(self) -> Iterable[Lever]:
        for l_idx, loan in enumerate(self.loans):
            path: _Path = ("levers", "machine_loans", l_idx)
            yield self.build(
                path,
                Lever,
                id=loan.id,
                kind=LeverKind.MACHINE_LOAN,
                plant_id=loan.to,
                cost=loan.cost,
                decision=self.dated((*path, "depart"), loan.depart),
                lead_time=timedelta(days=loan.move_days),
                machine_id=loan.machine,
                lender_id=loan.from_,
                units=loan.units,
                until=self.dated((*path, "until"), loan.until, end_of_day=True),
            )

    def levers(self) -> Iterable[Lever]:
        for s_idx, shed in enumerate(self.sheds):
            path: _Path = ("levers", "sheds", s_idx)
            decision = self.start
            if shed.decide_by is not None:
                decision = self.dated((*path, "decide_by"), shed.decide_by)
            yield self.build(
                path,
                Lever,
                id=shed.id,
                kind=LeverKind.SHED,
                plant_id=shed.plant,
                cost=shed.cost,
                decision=decision,
                lead_time=timedelta(days=shed.build_days),
                machine_id=shed.machine.id,
            )
        yield from self.loan_levers()
        yield from self.people_loan_levers()

    def items(self) -> Iterable[Item]:
        for i_idx, item in enumerate(self.spec.items):
            path: _Path = ("items", i_idx)
            routings = tuple(
                self.build(
                    r_path,
                    Routing,
                    id=routing_id,
                    operations=tuple(
                        self.operation((*r_path, "operations", o_idx), op)
                        for o_idx, op in enumerate(operations)
                    ),
                )
                for r_path, routing_id, operations in self.routing_specs(i_idx)
            )
            bom = tuple(
                self.build(
                    (*path, "bom", b_idx),
                    BomLine,
                    item_id=line.item,
                    quantity=line.quantity,
                    is_design=line.design,
                )
                for b_idx, line in enumerate(item.bom)
            )
            materials = tuple(
                self.build(
                    (*path, "materials", m_idx),
                    MaterialLine,
                    material_id=line.material,
                    quantity=line.quantity,
                    step=line.step,
                )
                for m_idx, line in enumerate(item.materials)
            )
            yield self.build(
                path,
                Item,
                id=item.id,
                name=item.name,
                kind=item.kind,
                weight_t=item.weight_t,
                precision_grade=item.precision_grade,
                bom=bom,
                routings=routings,
                materials=materials,
            )

    def gang(self, path: _Path, op: OperationSpec) -> Gang | None:
        """The step's own gang, else its process's, else none."""
        spec: GangSpec | None = op.gang
        if spec is not None:
            path = (*path, "gang")
        else:
            for g_idx, process_gang in enumerate(self.spec.gangs):
                if op.process is not None and process_gang.process == op.process:
                    spec, path = process_gang, ("gangs", g_idx)
        if spec is None:
            return None
        return self.build(
            path,
            Gang,
            min_units=spec.min,
            max_units=spec.max,
            efficiency=tuple(sorted(spec.efficiency.items())),
            floor_min_units=spec.floor_min,
        )

    def operation(self, path: _Path, op: OperationSpec) -> Operation:
        return self.build(
            path,
            Operation,
            process=op.process,
            setup=timedelta(hours=op.setup_hours),
            run_per_unit=(
                None if op.run_hours_per_unit is None else timedelta(hours=op.run_hours_per_unit)
            ),
            machine_times=tuple(
                MachineTime(
                    machine_id=mt.machine,
                    plant_id=mt.plant,
                    run_per_unit=timedelta(hours=mt.run_hours_per_unit),
                )
                for mt in op.machine_times
            ),
            crew=tuple(
                self.build((*path, "crew", c_idx), CrewNeed, skill=crew.skill, size=crew.size)
                for c_idx, crew in enumerate(op.crew)
            ),
            min_weight_t=op.min_weight_t,
            precision_grade=op.precision_grade,
            gang=self.gang(path, op),
        )

    def orders(self) -> Iterable[Order]:
        for o_idx, order in enumerate(self.spec.orders):
            yield self.build(
                ("orders", o_idx),
                Order,
                id=order.id,
                region=order.region,
                item_id=order.item,
                quantity=order.quantity,
                due=self.optional_dated(("orders", o_idx, "due"), order.due, end_of_day=True),
                priority=order.priority,
                release=self.optional_dated(("orders", o_idx, "release"), order.release),
                plant_id=order.plant,
            )

    def lanes(self) -> Iterable[Lane]:
        plants = {p.id for p in self.spec.plants}
        first_idx_by_pair: dict[tuple[str, str], int] = {}
        for l_idx, lane in enumerate(self.spec.lanes):
            pairs = [(lane.from_, lane.to)]
            if lane.to in plants and not lane.one_way:
                pairs.append((lane.to, lane.from_))
            for origin, destination in pairs:
                if (origin, destination) in first_idx_by_pair:
                    earlier = self.locate(("lanes", first_idx_by_pair[(origin, destination)]))
                    self.fail(
                        ("lanes", l_idx),
                        f"the lane {origin} -> {destination} is already given at {earlier} "
                        "(lanes between plants run both ways unless one_way is true)",
                    )
                first_idx_by_pair[(origin, destination)] = l_idx
                yield self.build(
                    ("lanes", l_idx),
                    Lane,
                    origin=origin,
                    destination=destination,
                    lead_time=timedelta(days=lane.lead_days),
                )

    def materials(self) -> Iterable[Material]:
        for idx, material in enumerate(self.spec.materials):
            yield self.build(
                ("materials", idx),
                Material,
                id=material.id,
                name=material.name,
                unit=material.unit,
            )

    def stock(self) -> Iterable[StockLot]:
        for idx, lot in enumerate(self.spec.stock):
            yield self.build(
                ("stock", idx),
                StockLot,
                plant_id=lot.plant,
                material_id=lot.material,
                quantity=lot.quantity,
            )

    def supplies(self) -> Iterable[Supply]:
        for idx, supply in enumerate(self.spec.supplies):
            yield self.build(
                ("supplies", idx),
                Supply,
                plant_id=supply.plant,
                material_id=supply.material,
                quantity=supply.quantity,
                arrives=self.dated(("supplies", idx, "arrives"), supply.arrives),
                source=supply.source,
            )

    def staffing(self) -> Iterable[Staffing]:
        for idx, staffing in enumerate(self.spec.staffing):
            yield self.build(
                ("staffing", idx),
                Staffing,
                plant_id=staffing.plant,
                skill=staffing.skill,
                headcount=staffing.headcount,
            )

    def secondments(self) -> Iterable[Secondment]:
        for idx, secondment in enumerate(self.spec.secondments):
            yield self.build(
                ("secondments", idx),
                Secondment,
                plant_id=secondment.plant,
                skill=secondment.skill,
                count=secondment.count,
                start=self.dated(("secondments", idx, "start"), secondment.start),
                end=self.optional_dated(
                    ("secondments", idx, "end"), secondment.end, end_of_day=True
                ),
                region=secondment.region or "",
            )

    def trainings(self) -> Iterable[Training]:
        for idx, training in enumerate(self.spec.trainings):
            trainer_skill = training.trainer_skill
            if trainer_skill is None and training.trainers:
                trainer_skill = training.skill
            yield self.build(
                ("trainings", idx),
                Training,
                plant_id=training.plant,
                skill=training.skill,
                count=training.count,
                start=self.dated(("trainings", idx, "start"), training.start),
                duration=timedelta(days=training.duration_days),
                trainer_skill=trainer_skill,
                trainers=training.trainers,
            )

    def place(self, problem: str) -> str:
        """Prefix a network-wide problem with the entity path it is about, where known."""
        for pattern, to_path in self.problem_paths():
            match = pattern.match(problem)
            if match:
                return f"{self.locate(to_path(*match.groups()))}: {problem}"
        return problem

    def problem_paths(self) -> list[tuple[re.Pattern[str], Callable[..., _Path]]]:
        spec = self.spec
        item_idx = {item.id: idx for idx, item in enumerate(spec.items)}
        order_idx = {order.id: idx for idx, order in enumerate(spec.orders)}

        def bom_line(parent: str, child: str) -> _Path:
            i_idx = item_idx[parent]
            b_idx = [line.item for line in spec.items[i_idx].bom].index(child)
            return ("items", i_idx, "bom", b_idx)

        def routing_step(item_id: str, routing_id: str, step: str) -> _Path:
            i_idx = item_idx[item_id]
            for r_path, r_id, _ in self.routing_specs(i_idx):
                if r_id == routing_id:
                    return (*r_path, "operations", int(step) - 1)
            return ("items", i_idx)

        def material_line(item_id: str, material_id: str) -> _Path:
            i_idx = item_idx[item_id]
            lines = [line.material for line in spec.items[i_idx].materials]
            return ("items", i_idx, "materials", lines.index(material_id))

        def first(section: str, entries: Sequence[object], **wanted: str | None) -> _Path:
            """The first entry of ``section`` whose fields have the ``wanted`` values."""
            for idx, entry in enumerate(entries):
                if all(v is None or getattr(entry, k) == v for k, v in wanted.items()):
                    return (section, idx)
            return (section,)

        def lacking_people(plant: str, skill: str) -> _Path:
            # The secondments and trainers that take people away are what to change.
            path = first("secondments", spec.secondments, plant=plant, skill=skill)
            if len(path) > 1:
                return path
            for idx, t in enumerate(spec.trainings):
                if t.plant == plant and t.trainers and (t.trainer_skill or t.skill) == skill:
                    return ("trainings", idx)
            return path

        def training(plant: str, skill: str | None) -> _Path:
            path = first("trainings", spec.trainings, plant=plant, skill=skill)
            if len(path) == 1:
                path = first("trainings", spec.trainings, plant=plant, trainer_skill=skill)
            return path

        quoted = "'([^']*)'"

        def lever(lever_id: str) -> _Path:
            sections: tuple[tuple[str, list[str]], ...] = (
                ("sheds", [e.id for e in self.sheds]),
                ("machine_loans", [e.id for e in self.loans]),
                ("people_loans", [e.id for e in self.people_loans]),
            )
            for section, ids in sections:
                if lever_id in ids:
                    return ("levers", section, ids.index(lever_id))
            return ("levers",)

        return [
            (re.compile(rf"lever {quoted}"), lever),
            (re.compile(r"BOM cycle: (.+?) -> (.+?)(?: -> |$)"), bom_line),
            (re.compile(rf"no lane from {quoted} to {quoted}"), lambda *_: ("lanes",)),
            (re.compile(r"the orders need "), lambda: ("orders",)),
            (re.compile(rf"item {quoted} routing {quoted} step (\d+)"), routing_step),
            (re.compile(rf"item {quoted}: (?:uses )?material {quoted}"), material_line),
            (re.compile(rf"item {quoted}"), lambda i: ("items", item_idx[i])),
            (re.compile(rf"order {quoted}"), lambda o: ("orders", order_idx[o])),
            (
                re.compile(rf"stock of {quoted}(?: at plant |: unknown plant ){quoted}"),
                lambda m, p: first("stock", spec.stock, plant=p, material=m),
            ),
            (
                re.compile(rf"stock at plant {quoted}: material {quoted}"),
                lambda p, m: first("stock", spec.stock, plant=p, material=m),
            ),
            (
                re.compile(rf"supply of {quoted}(?: to plant |: unknown plant ){quoted}"),
                lambda m, p: first("supplies", spec.supplies, plant=p, material=m),
            ),
            (
                re.compile(rf"supply to plant {quoted}: material {quoted}"),
                lambda p, m: first("supplies", spec.supplies, plant=p, material=m),
            ),
            (
                re.compile(rf"staffing at plant {quoted}(?:: skill {quoted})?"),
                lambda p, k: first("staffing", spec.staffing, plant=p, skill=k),
            ),
            (
                re.compile(rf"secondment from plant {quoted}(?:: skill {quoted})?"),
                lambda p, k: first("secondments", spec.secondments, plant=p, skill=k),
            ),
            (re.compile(rf"training at plant {quoted}(?:: skill {quoted})?"), training),
            (
                re.compile(rf"plant {quoted} would have -\d+ people of skill {quoted} from "),
                lacking_people,
            ),
        ]
