"""The sheets and columns of a scenario workbook, derived from the scenario file schema.

A scenario is nested (plants hold machines, items hold routings that hold steps that
hold crews); a workbook is flat. Each nested list becomes its own sheet whose first
columns (the *keys*) name the parent, and every other column is a field of the file
schema under its own name, so ``docs/scenario-format.md`` describes the workbook too.
"""

from __future__ import annotations

import enum
import types
import typing
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from xiezuo.io.scenario_schema import (
    BomLineSpec,
    CalendarSpec,
    CrewSpec,
    FloorSpec,
    GangSpec,
    ItemSpec,
    LaneSpec,
    MachineSpec,
    MachineTimeSpec,
    MaterialLineSpec,
    MaterialSpec,
    NetworkSpec,
    OperationSpec,
    OrderSpec,
    PlantSpec,
    ProcessGangSpec,
    SecondmentSpec,
    StaffingSpec,
    StockSpec,
    SupplySpec,
    TrainingSpec,
)

if TYPE_CHECKING:
    from pydantic import BaseModel


class Kind(enum.Enum):
    """How a column's cells are written and read."""

    TEXT = "text"
    NUMBER = "number"
    BOOL = "bool"
    DATE = "date"
    """A real Excel date, or date and time (a date alone keeps its meaning: a due date
    alone means the end of that day)."""
    CLOCK = "clock"
    WORDS = "words"
    """A short list in one cell, such as ``mon, tue, wed``."""
    PAIRS = "pairs"
    """A short mapping of whole numbers to numbers in one cell, such as ``2: 0.9, 4: 0.75``."""


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its header (a file-schema field name), kind and what it may hold."""

    header: str
    kind: Kind = Kind.TEXT
    is_required: bool = False
    ids: str | None = None
    """Defined name of the list its values come from (a data-validation drop-down)."""
    choices: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class Sheet:
    """One sheet: key columns placing each row under its parent, then the entity's fields."""

    name: str
    keys: tuple[Column, ...]
    fields: tuple[Column, ...]

    @property
    def columns(self) -> tuple[Column, ...]:
        return self.keys + self.fields

    def column(self, header: str) -> Column:
        return next(c for c in self.columns if c.header == header)


LISTS_SHEET: Final = "lists"
"""The hidden sheet of drop-down lists no entity sheet holds (time zones, places)."""

_DATE_FIELDS = frozenset(
    {
        "start",
        "end",
        "available_from",
        "available_until",
        "due",
        "due_ex_works",
        "deadline",
        "release",
        "arrives",
        "date",
    }
)
_REFERENCE_LISTS: Final = {
    "plant": "plant_ids",
    "responsible_plant": "plant_ids",
    "from": "plant_ids",
    "to": "place_ids",
    "process": "process_ids",
    "region": "region_ids",
    "skill": "skill_ids",
    "trainer_skill": "skill_ids",
    "item": "item_ids",
    "parent": "item_ids",
    "material": "material_ids",
    "machine": "machine_ids",
    "timezone": "timezones",
}
_BOOLEAN_CHOICES = ("TRUE", "FALSE")


def _kind(name: str, annotation: object) -> Kind:
    if name in _DATE_FIELDS:
        return Kind.DATE
    if name == "first_shift_start":
        return Kind.CLOCK
    if name == "working_days":
        return Kind.WORDS
    if name == "efficiency":
        return Kind.PAIRS
    args = typing.get_args(annotation) if _is_union(annotation) else (annotation,)
    if bool in args:
        return Kind.BOOL
    if any(a is str or (isinstance(a, type) and issubclass(a, enum.Enum)) for a in args):
        return Kind.TEXT
    return Kind.NUMBER


def _is_union(annotation: object) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType)


def _choices(annotation: object, kind: Kind) -> tuple[str, ...]:
    if kind is Kind.BOOL:
        return _BOOLEAN_CHOICES
    args = typing.get_args(annotation) if _is_union(annotation) else (annotation,)
    for arg in args:
        if isinstance(arg, type) and issubclass(arg, enum.Enum):
            return tuple(str(member.value) for member in arg)
    return ()


def _fields(model: type[BaseModel], *, skip: tuple[str, ...] = ()) -> tuple[Column, ...]:
    """The model's scalar fields as columns, named as in the file (``from``, not ``from_``)."""
    columns = []
    for name, info in model.model_fields.items():
        header = info.alias or name
        if header in skip:
            continue
        kind = _kind(header, info.annotation)
        columns.append(
            Column(
                header=header,
                kind=kind,
                is_required=info.is_required(),
                ids=_REFERENCE_LISTS.get(header),
                choices=_choices(info.annotation, kind),
                note=info.description or "",
            )
        )
    return tuple(columns)


def _key(header: str, note: str, *, kind: Kind = Kind.TEXT, is_required: bool = True) -> Column:
    return Column(
        header=header,
        kind=kind,
        is_required=is_required,
        ids=_REFERENCE_LISTS.get(header),
        note=note,
    )


def _names(header: str, note: str) -> Sheet:
    return Sheet(
        name=f"{header}es" if header.endswith("s") else f"{header}s",
        keys=(),
        fields=(Column(header=header, is_required=True, note=note),),
    )


_ITEM_KEY = _key("item", "ID of the item this row belongs to (items sheet).")
_ROUTING_KEY = _key(
    "routing",
    "Routing ID; leave empty for an item with a single routing (its steps are then the "
    "item's operations, routing main).",
    is_required=False,
)
_STEP_KEY = _key("step", "Step number in the routing: 1, 2, 3 … in order.", kind=Kind.NUMBER)
_CALENDAR_KEYS = (
    _key(
        "plant",
        "Plant whose calendar this is; leave plant and machine empty for the network calendar.",
        is_required=False,
    ),
    _key("machine", "Machine group (of the plant) whose calendar this is.", is_required=False),
)

SHEETS: Final = (
    Sheet(name="network", keys=(), fields=_fields(NetworkSpec, skip=("calendar",))),
    _names("process", "A process kind machines and operations may name."),
    Sheet(
        name="gangs",
        keys=(),
        fields=(
            *_fields(ProcessGangSpec, skip=("min", "max", "efficiency", "floor_min")),
            *_fields(GangSpec),
        ),
    ),
    _names("region", "A customer region orders are delivered to."),
    _names("skill", "A skill staffing, secondments, trainings and crews may name."),
    Sheet(
        name="plants", keys=(), fields=_fields(PlantSpec, skip=("calendar", "machines", "floor"))
    ),
    Sheet(
        name="floors",
        keys=(_key("plant", "Plant whose floor bays these are (plants sheet)."),),
        fields=_fields(FloorSpec),
    ),
    Sheet(
        name="machines",
        keys=(_key("plant", "Plant the machine group belongs to (plants sheet)."),),
        fields=_fields(MachineSpec, skip=("calendar",)),
    ),
    Sheet(
        name="calendars",
        keys=_CALENDAR_KEYS,
        fields=(
            *_fields(CalendarSpec, skip=("holidays",)),
            Column(
                header="no_holidays",
                kind=Kind.BOOL,
                choices=_BOOLEAN_CHOICES,
                note="TRUE: this calendar has no holidays, not even those of the calendar "
                "above it. Holidays themselves are listed on the holidays sheet.",
            ),
        ),
    ),
    Sheet(
        name="holidays",
        keys=_CALENDAR_KEYS,
        fields=(
            Column(
                header="date",
                kind=Kind.DATE,
                is_required=True,
                note="A date with no work although its weekday is a working day; together "
                "they replace the holidays of the calendar above.",
            ),
        ),
    ),
    Sheet(
        name="items",
        keys=(),
        fields=_fields(ItemSpec, skip=("bom", "routings", "operations", "materials")),
    ),
    Sheet(
        name="bom",
        keys=(_key("parent", "ID of the item made from the component (items sheet)."),),
        fields=_fields(BomLineSpec),
    ),
    Sheet(name="material_lines", keys=(_ITEM_KEY,), fields=_fields(MaterialLineSpec)),
    Sheet(
        name="operations",
        keys=(_ITEM_KEY, _ROUTING_KEY, _STEP_KEY),
        fields=_fields(OperationSpec, skip=("machine_times", "crew", "gang")),
    ),
    Sheet(
        name="machine_times",
        keys=(_ITEM_KEY, _ROUTING_KEY, _STEP_KEY),
        fields=_fields(MachineTimeSpec),
    ),
    Sheet(name="crews", keys=(_ITEM_KEY, _ROUTING_KEY, _STEP_KEY), fields=_fields(CrewSpec)),
    Sheet(name="step_gangs", keys=(_ITEM_KEY, _ROUTING_KEY, _STEP_KEY), fields=_fields(GangSpec)),
    Sheet(name="orders", keys=(), fields=_fields(OrderSpec)),
    Sheet(name="lanes", keys=(), fields=_fields(LaneSpec)),
    Sheet(name="materials", keys=(), fields=_fields(MaterialSpec)),
    Sheet(name="stock", keys=(), fields=_fields(StockSpec)),
    Sheet(name="supplies", keys=(), fields=_fields(SupplySpec)),
    Sheet(name="staffing", keys=(), fields=_fields(StaffingSpec)),
    Sheet(name="secondments", keys=(), fields=_fields(SecondmentSpec)),
    Sheet(name="trainings", keys=(), fields=_fields(TrainingSpec)),
)
SHEET_BY_NAME: Final = {sheet.name: sheet for sheet in SHEETS}

ID_RANGES: Final = {
    "plant_ids": ("plants", "id"),
    "process_ids": ("processes", "process"),
    "region_ids": ("regions", "region"),
    "skill_ids": ("skills", "skill"),
    "item_ids": ("items", "id"),
    "material_ids": ("materials", "id"),
    "machine_ids": ("machines", "id"),
}
"""Defined names over an entity sheet's ID column: drop-downs that grow with the sheet."""
