"""What-if variants: a few typed changes laid over a base scenario file.

A variant file (YAML or JSON, ``docs/variants.md``) names its ``base`` scenario, relative
to the variant file, and lists ``changes``: set an order's due date, cancel an order, put
off a machine group, move a supply, and so on. The changes edit the base's *file data*
(:class:`~xiezuo.io.scenario_schema.ScenarioSpec`) before it becomes a domain network,
so the merged scenario passes every check a scenario file passes.

Errors name the file to fix: the base's own errors name the base file; a change that
names nothing known, or a value the format refuses, names the variant file and the
change (``changes[2].order (line 14)``); a merged scenario that breaks a rule names the
change that touched the entity at fault where one did. A variant may build on another
variant, at most :data:`MAX_BASE_DEPTH` levels deep and never in a cycle.
"""

from __future__ import annotations

import difflib
import json
import os
import reprlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Final, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from xiezuo.errors import InputError, ModelError
from xiezuo.io.documents import Locator
from xiezuo.io.scenario import load_scenario_spec, network_from_spec, read_input_data
from xiezuo.io.scenario_schema import (
    FIRST_YEAR,
    LAST_YEAR,
    MAX_LEAD_DAYS,
    MAX_ORDER_QUANTITY,
    MAX_PRIORITY,
    MAX_STOCK,
    MAX_TRAINING_DAYS,
    MAX_UNITS,
    CalendarSpec,
    MachineSpec,
    Number,
    OrderSpec,
    People,
    PlantSpec,
    ProcessGangSpec,
    ScenarioSpec,
    SecondmentSpec,
    SupplySpec,
    TrainingSpec,
    When,
    Whole,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from pydantic_core import ErrorDetails

    from xiezuo.domain import Network

    _Locator = Callable[[Sequence[str | int]], str]

MAX_BASE_DEPTH: Final = 4
"""Variants stacked on variants, at most: deep enough for "this variant, plus one more
change", shallow enough that a reader can follow where a value comes from."""
MAX_SHIFT_DAYS: Final = 3653
"""Largest move of a date in days (ten years, the span a scenario may cover)."""

_Path = tuple[str | int, ...]
ShiftDays = Annotated[Whole, Field(ge=-MAX_SHIFT_DAYS, le=MAX_SHIFT_DAYS)]


class _Spec(BaseModel):
    # As the scenario format: unknown fields are errors, numbers never stand for text.
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        allow_inf_nan=False,
        coerce_numbers_to_str=True,
        use_attribute_docstrings=True,
    )


def _given(spec: BaseModel, *names: str) -> list[str]:
    return [name for name in names if getattr(spec, name) is not None]


def _one_of(spec: BaseModel, *names: str) -> None:
    if not _given(spec, *names):
        raise ValueError(f"give at least one of {', '.join(names)}")


def _not_both(spec: BaseModel, first: str, others: Sequence[str]) -> None:
    if getattr(spec, first) is not None and _given(spec, *others):
        raise ValueError(f"{first} moves by days; give it or {' and '.join(others)}, not both")


_ORDER_FIELDS = ("due", "priority", "quantity", "release", "due_ex_works", "deadline", "group")


class SetOrder(_Spec):
    """Change an order's due date, priority, quantity or release, its ex-works due date,
    deadline or group."""

    change: Literal["set_order"]
    order: str
    """ID of the order."""
    due: When | None = None
    """New due date; a date alone means by the end of that day."""
    priority: Annotated[Whole, Field(ge=1, le=MAX_PRIORITY)] | None = None
    """New weight of lateness."""
    quantity: Annotated[Whole, Field(ge=1, le=MAX_ORDER_QUANTITY)] | None = None
    """New number of units."""
    release: When | None = None
    """New earliest start of work."""
    due_ex_works: When | None = None
    """New date the end product must leave its plant."""
    deadline: When | None = None
    """New hard limit on the arrival."""
    group: str | None = None
    """New group of orders that must arrive together."""

    @model_validator(mode="after")
    def _changes_something(self) -> SetOrder:
        _one_of(self, *_ORDER_FIELDS)
        return self


class AddOrder(_Spec):
    """Add an order, written as in the scenario's ``orders``."""

    change: Literal["add_order"]
    order: OrderSpec
    """The new order; its ID must be new."""


class CancelOrder(_Spec):
    """Drop an order from the plan."""

    change: Literal["cancel_order"]
    order: str
    """ID of the order."""


class AddMachine(_Spec):
    """Add a machine group to a plant, e.g. a shed that works from ``available_from``."""

    change: Literal["add_machine"]
    plant: str
    """ID of the plant."""
    machine: MachineSpec
    """The new machine group, written as in the scenario; its ID must be new to the plant."""


class AddUnits(_Spec):
    """Add identical machines to an existing machine group."""

    change: Literal["add_units"]
    plant: str
    """ID of the plant."""
    machine: str
    """ID of the machine group."""
    units: Annotated[Whole, Field(ge=1, le=MAX_UNITS)]
    """Machines added to the group."""


class SetMachine(_Spec):
    """Set a machine group's units or the dates it works between (``available_until``
    closes it from that date)."""

    change: Literal["set_machine"]
    plant: str
    """ID of the plant."""
    machine: str
    """ID of the machine group."""
    units: Annotated[Whole, Field(ge=1, le=MAX_UNITS)] | None = None
    """New number of identical machines."""
    available_from: When | None = None
    """First instant the group works; a date alone means 00:00 that day."""
    available_until: When | None = None
    """Instant the group stops working; a date alone means the end of that day."""

    @model_validator(mode="after")
    def _changes_something(self) -> SetMachine:
        _one_of(self, "units", "available_from", "available_until")
        return self


class DelayMachine(_Spec):
    """Move the day a machine group comes into service by ``days`` (later if positive).

    A group that works from the horizon start comes into service ``days`` after it.
    """

    change: Literal["delay_machine"]
    plant: str
    """ID of the plant."""
    machine: str
    """ID of the machine group."""
    days: ShiftDays
    """Whole days to move ``available_from`` by; negative brings it forward."""


class RemoveMachine(_Spec):
    """Remove a machine group from a plant."""

    change: Literal["remove_machine"]
    plant: str
    """ID of the plant."""
    machine: str
    """ID of the machine group."""


class ChangeSupply(_Spec):
    """Move a supply's arrival or change its quantity.

    Name the supply by ``index`` (its position in ``supplies``, from 0, as error
    messages give it: ``supplies[3]``), or by ``plant`` and ``material``, adding its
    current ``arrives`` when the plant receives that material more than once.
    """

    change: Literal["change_supply"]
    index: Annotated[Whole, Field(ge=0)] | None = None
    """Position of the supply in the base's ``supplies``, from 0."""
    plant: str | None = None
    """Plant receiving the supply."""
    material: str | None = None
    """Material supplied."""
    arrives: When | None = None
    """The supply's current arrival, as the base gives it."""
    new_arrives: When | None = None
    """New arrival; a date alone means 00:00 that day."""
    delay_days: ShiftDays | None = None
    """Whole days to move the arrival by; negative brings it forward."""
    quantity: Annotated[Whole, Field(ge=1, le=MAX_STOCK)] | None = None
    """New quantity, in the material's unit."""

    @model_validator(mode="after")
    def _names_and_changes(self) -> ChangeSupply:
        _names_one(self, "index", ("plant", "material"), "arrives")
        _one_of(self, "new_arrives", "delay_days", "quantity")
        _not_both(self, "delay_days", ["new_arrives"])
        return self


class AddSecondment(_Spec):
    """Send people away, written as in the scenario's ``secondments``."""

    change: Literal["add_secondment"]
    secondment: SecondmentSpec
    """The new secondment."""


class CancelSecondment(_Spec):
    """Keep people a secondment would have sent away.

    Name it by ``index`` (its position in ``secondments``, from 0) or by ``plant`` and
    ``skill``, adding its ``start`` when there are several.
    """

    change: Literal["cancel_secondment"]
    index: Annotated[Whole, Field(ge=0)] | None = None
    """Position of the secondment in the base's ``secondments``, from 0."""
    plant: str | None = None
    """Plant the people leave."""
    skill: str | None = None
    """Their skill."""
    start: When | None = None
    """The secondment's current start, as the base gives it."""

    @model_validator(mode="after")
    def _names_one(self) -> CancelSecondment:
        _names_one(self, "index", ("plant", "skill"), "start")
        return self


class MoveSecondment(_Spec):
    """Move a secondment's start or end, or both by ``delay_days``.

    Name it as for ``cancel_secondment``.
    """

    change: Literal["move_secondment"]
    index: Annotated[Whole, Field(ge=0)] | None = None
    """Position of the secondment in the base's ``secondments``, from 0."""
    plant: str | None = None
    """Plant the people leave."""
    skill: str | None = None
    """Their skill."""
    start: When | None = None
    """The secondment's current start, as the base gives it."""
    new_start: When | None = None
    """New first instant away; a date alone means 00:00 that day."""
    new_end: When | None = None
    """New instant they are back; a date alone means the end of that day."""
    delay_days: ShiftDays | None = None
    """Whole days to move both start and end by; negative brings them forward."""

    @model_validator(mode="after")
    def _names_and_changes(self) -> MoveSecondment:
        _names_one(self, "index", ("plant", "skill"), "start")
        _one_of(self, "new_start", "new_end", "delay_days")
        _not_both(self, "delay_days", ["new_start", "new_end"])
        return self


class SetLane(_Spec):
    """Change a lane's lead time; a lane between plants changes in both directions
    unless it is one-way."""

    change: Literal["set_lane"]
    from_: str = Field(alias="from")
    """Plant the goods leave."""
    to: str
    """Plant or region the goods reach."""
    lead_days: Annotated[Number, Field(ge=0, le=MAX_LEAD_DAYS)]
    """New days in transit (may be fractional)."""


class SetCalendar(_Spec):
    """Change the working time of a plant or of one machine group: another shift,
    Sunday work. The fields given replace those of the plant's (or group's) own
    calendar; the others are kept."""

    change: Literal["set_calendar"]
    plant: str
    """ID of the plant."""
    machine: str | None = None
    """ID of one machine group of the plant; without it, the whole plant."""
    calendar: CalendarSpec
    """The calendar fields to set, as in a scenario's calendars."""

    @model_validator(mode="after")
    def _changes_something(self) -> SetCalendar:
        if not self.calendar.model_dump(exclude_none=True):
            raise ValueError(
                "give at least one calendar field: working_days, shifts_per_day, "
                "shift_hours, first_shift_start or holidays"
            )
        return self


class SetGang(_Spec):
    """Let the steps of a process run on several units at once: sets the process's
    entry under ``gangs`` (steps with their own ``gang`` keep it)."""

    change: Literal["set_gang"]
    gang: ProcessGangSpec
    """The gang, written as under the scenario's ``gangs``."""


class LendPeople(_Spec):
    """Lend people of a skill from one plant to another for the rest of the horizon.

    They leave ``from`` at ``start`` and count at ``to`` once ``travel_days`` have
    passed. In the merged scenario this is a secondment from ``from`` and, at ``to``,
    people who join after ``travel_days`` (a training without trainers: the format's
    way of adding people from a date).
    """

    change: Literal["lend_people"]
    from_: str = Field(alias="from")
    """Plant the people leave."""
    to: str
    """Plant they join."""
    skill: str
    """Their skill."""
    count: People
    """People per shift lent."""
    start: When
    """First instant they are away; a date alone means 00:00 that day."""
    travel_days: Number = Field(le=MAX_TRAINING_DAYS, json_schema_extra={"exclusiveMinimum": 0})
    """Calendar days on the way (may be fractional; more than 0)."""

    @model_validator(mode="after")
    def _between_two_plants(self) -> LendPeople:
        if not self.travel_days > 0:
            raise ValueError(f"travel_days must be more than 0, not {self.travel_days:g}")
        if self.from_ == self.to:
            raise ValueError(f"a plant cannot lend people to itself ({self.to!r})")
        return self


class PullLever(_Spec):
    """Pull a lever of the scenario's ``levers`` for certain, whatever the budget: a
    shed becomes a machine group of its plant from its decision plus build days, and
    the engine no longer chooses it."""

    change: Literal["pull_lever"]
    lever: str
    """ID of the lever (a shed under ``levers.sheds``)."""


def _names_one(spec: BaseModel, index: str, key: tuple[str, str], when: str) -> None:
    has_index = getattr(spec, index) is not None
    has_key = _given(spec, *key)
    if has_index == bool(has_key) or (has_key and len(has_key) < len(key)):
        raise ValueError(
            f"name it by {index}, or by {' and '.join(key)} (with {when} if there are several)"
        )
    if has_index and getattr(spec, when) is not None:
        raise ValueError(f"{when} names it with {' and '.join(key)}, not with {index}")


Change = Annotated[
    SetOrder
    | AddOrder
    | CancelOrder
    | AddMachine
    | AddUnits
    | SetMachine
    | DelayMachine
    | RemoveMachine
    | ChangeSupply
    | AddSecondment
    | CancelSecondment
    | MoveSecondment
    | SetLane
    | SetCalendar
    | SetGang
    | LendPeople
    | PullLever,
    Field(discriminator="change"),
]
_MODEL_BY_KIND: Final[dict[str, type[_Spec]]] = {
    get_args(model.model_fields["change"].annotation)[0]: model
    for model in (
        SetOrder,
        AddOrder,
        CancelOrder,
        AddMachine,
        AddUnits,
        SetMachine,
        DelayMachine,
        RemoveMachine,
        ChangeSupply,
        AddSecondment,
        CancelSecondment,
        MoveSecondment,
        SetLane,
        SetCalendar,
        SetGang,
        LendPeople,
        PullLever,
    )
}


class VariantSpec(_Spec):
    """A xiezuo what-if variant: a base scenario and the changes laid over it."""

    model_config = ConfigDict(title="xiezuo variant")

    base: str = Field(min_length=1)
    """The base scenario (or variant) file, relative to this file."""
    name: str = ""
    """A short name for tables; default: the file name without its suffix."""
    description: str = ""
    """What the variant asks, in a sentence."""
    changes: list[Change] = Field(min_length=1)
    """The changes, applied in order."""


def variant_json_schema() -> dict[str, Any]:
    """The JSON Schema of a variant file (draft 2020-12), generated from the models."""
    schema = TypeAdapter(VariantSpec).json_schema(by_alias=True)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def render_variant_json_schema() -> str:
    """The schema as the text committed in ``docs/variant.schema.json``; rewrite it with
    ``python -c "from xiezuo.io.variant import render_variant_json_schema as r;
    print(r(), end='')" > docs/variant.schema.json``."""
    return json.dumps(variant_json_schema(), indent=2, ensure_ascii=False) + "\n"


@dataclass(frozen=True, slots=True, kw_only=True)
class VariantInfo:
    """What a variant file says about itself, for tables and reports.

    ``base`` is the base file as resolved (a path to the file, not as written);
    ``changes`` has one line per change, in the planners' words.
    """

    path: Path
    name: str
    description: str
    base: Path
    changes: tuple[str, ...]


def is_variant_file(path: str | Path) -> bool:
    """Whether ``path`` is a variant file (it has a ``base``) rather than a scenario.

    Raises
    ------
    InputError
        The file cannot be read or does not parse.
    """
    data, _ = read_input_data(path, "scenario or variant")
    return isinstance(data, dict) and "base" in data


def load_variant(path: str | Path) -> tuple[Network, VariantInfo]:
    """Read a variant file, apply its changes to its base and return the network.

    Parameters
    ----------
    path:
        A ``.yaml``, ``.yml`` or ``.json`` variant file (``docs/variants.md``).

    Returns
    -------
    tuple[Network, VariantInfo]
        The validated network of the base with the changes applied, and the variant's
        name, description, base and changes.

    Raises
    ------
    InputError
        The variant or its base cannot be read or does not fit its format, a change
        names something the base lacks or gives a bad value (located at the change),
        or the bases form a cycle or a chain deeper than :data:`MAX_BASE_DEPTH`.
    ModelError
        The merged scenario breaks a network-wide rule; each problem names the change
        that touched the entity at fault, where one did.
    """
    network, info, _ = _load(Path(path), ())
    return network, info


def load_variant_spec(path: str | Path) -> tuple[ScenarioSpec, VariantInfo]:
    """A variant's merged file data, for changes laid over it in turn (levers over a
    what-if). Checked and raising as :func:`load_variant`."""
    _, info, spec = _load(Path(path), ())
    return spec, info


def apply_changes(
    spec: ScenarioSpec, changes: Sequence[Change], source: str
) -> tuple[Network, tuple[str, ...]]:
    """Lay ``changes`` over a scenario's file data in memory, as a variant file would.

    For variants built by a program (``xiezuo advise``'s levers) rather than read
    from a file: the same checks run, and errors name ``source`` and the change
    (``changes[1].machine``), without lines.

    Returns
    -------
    tuple[Network, tuple[str, ...]]
        The merged, validated network and one line per change, in the planners' words.

    Raises
    ------
    InputError, ModelError
        As :func:`load_variant`, for a change or a merged scenario that is wrong.
    """
    overlay = _Overlay(spec, source, Locator(None))
    lines = tuple(overlay.apply(idx, change) for idx, change in enumerate(changes))
    return overlay.convert(overlay.merged()), lines


def change_data(change: Change) -> dict[str, Any]:
    """A change as a variant file writes it: plain data, dates as ``1958-07-15``, clock
    times as ``"06:00"``, fields left out when not given."""
    data = change.model_dump(by_alias=True, exclude_none=True)
    return {key: _plain(value) for key, value in data.items()}


def _plain(value: object) -> object:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return value


def _load(path: Path, chain: tuple[Path, ...]) -> tuple[Network, VariantInfo, ScenarioSpec]:
    source = str(path)
    data, locate = read_input_data(path, "variant")
    try:
        variant = VariantSpec.model_validate(data)
    except ValidationError as exc:
        raise _input_error(exc, source, locate) from None
    base = _base_path(path, variant.base, chain, source, locate)
    if is_variant_file(base):
        if len(chain) + 1 >= MAX_BASE_DEPTH:
            raise InputError(
                source,
                locate(("base",)),
                f"variants are stacked more than {MAX_BASE_DEPTH} deep, the limit; base this "
                "variant on a scenario or a shallower variant",
            )
        _, _, base_spec = _load(base, (*chain, path.resolve()))
    else:
        base_spec = load_scenario_spec(base)
    overlay = _Overlay(base_spec, source, locate)
    lines = tuple(overlay.apply(idx, change) for idx, change in enumerate(variant.changes))
    merged = overlay.merged()
    network = overlay.convert(merged)
    info = VariantInfo(
        path=path,
        name=variant.name or path.stem,
        description=variant.description,
        base=base,
        changes=lines,
    )
    return network, info, merged


def _base_path(
    path: Path, written: str, chain: tuple[Path, ...], source: str, locate: _Locator
) -> Path:
    base = Path(os.path.normpath(path.parent / written))
    where = locate(("base",))
    if not base.is_file():
        problem = "does not exist" if not base.exists() else "is not a file"
        raise InputError(source, where, f"the base scenario {written!r} {problem} ({base})")
    seen = (*chain, path.resolve())
    if base.resolve() in seen:
        cycle = " -> ".join(str(p) for p in (*seen, base.resolve()))
        raise InputError(source, where, f"the bases form a cycle: {cycle}")
    return base


class _Overlay:
    """The base's file data as lists that changes edit, and who touched what.

    ``touched`` maps an entity the changes created or edited (by identity, so later
    removals that shift positions do not matter) to the last change that did.
    """

    def __init__(self, spec: ScenarioSpec, source: str, locate: Callable[..., str]) -> None:
        self.spec = spec
        self.source = source
        self.locate = locate
        self.orders = list(spec.orders)
        self.plants = list(spec.plants)
        self.supplies = list(spec.supplies)
        self.secondments = list(spec.secondments)
        self.lanes = list(spec.lanes)
        self.gangs = list(spec.gangs)
        self.trainings = list(spec.trainings)
        self.levers = spec.levers
        self.touched: dict[int, tuple[int, BaseModel]] = {}

    def error(self, path: _Path, problem: str) -> InputError:
        return InputError(self.source, self.locate(path), problem)

    def touch(self, idx: int, entity: BaseModel) -> None:
        self.touched[id(entity)] = (idx, entity)

    def apply(self, idx: int, change: Change) -> str:
        """Apply change ``idx`` and describe it in one line."""
        at: _Path = ("changes", idx)
        match change:
            case SetOrder():
                return self.set_order(at, idx, change)
            case AddOrder():
                return self.add_order(at, idx, change)
            case CancelOrder():
                return self.cancel_order(at, change)
            case AddMachine():
                return self.add_machine(at, idx, change)
            case AddUnits():
                return self.add_units(at, idx, change)
            case SetMachine():
                return self.set_machine(at, idx, change)
            case DelayMachine():
                return self.delay_machine(at, idx, change)
            case RemoveMachine():
                return self.remove_machine(at, change)
            case ChangeSupply():
                return self.change_supply(at, idx, change)
            case AddSecondment():
                return self.add_secondment(idx, change)
            case CancelSecondment():
                return self.cancel_secondment(at, change)
            case MoveSecondment():
                return self.move_secondment(at, idx, change)
            case SetLane():
                return self.set_lane(at, idx, change)
            case SetCalendar():
                return self.set_calendar(at, idx, change)
            case SetGang():
                return self.set_gang(at, idx, change)
            case LendPeople():
                return self.lend_people(at, idx, change)
            case PullLever():
                return self.pull_lever(at, idx, change)

    # -- orders --

    def order_idx(self, path: _Path, order_id: str) -> int:
        for o_idx, order in enumerate(self.orders):
            if order.id == order_id:
                return o_idx
        raise self.error(path, _unknown("order", order_id, [o.id for o in self.orders]))

    def set_order(self, at: _Path, idx: int, change: SetOrder) -> str:
        o_idx = self.order_idx((*at, "order"), change.order)
        fields = {name: getattr(change, name) for name in _given(change, *_ORDER_FIELDS)}
        order = self.orders[o_idx].model_copy(update=fields)
        self.orders[o_idx] = order
        self.touch(idx, order)
        return f"order {change.order}: " + ", ".join(
            f"{name} {_show(value)}" for name, value in fields.items()
        )

    def add_order(self, at: _Path, idx: int, change: AddOrder) -> str:
        if any(order.id == change.order.id for order in self.orders):
            raise self.error(
                (*at, "order", "id"), f"order {change.order.id!r} is already in the base"
            )
        self.orders.append(change.order)
        self.touch(idx, change.order)
        due = "" if change.order.due is None else f", due {_show(change.order.due)}"
        return f"order {change.order.id} added ({change.order.item}{due})"

    def cancel_order(self, at: _Path, change: CancelOrder) -> str:
        del self.orders[self.order_idx((*at, "order"), change.order)]
        return f"order {change.order} cancelled"

    # -- machines --

    def plant_idx(self, path: _Path, plant_id: str) -> int:
        for p_idx, plant in enumerate(self.plants):
            if plant.id == plant_id:
                return p_idx
        raise self.error(path, _unknown("plant", plant_id, [p.id for p in self.plants]))

    def machine_idx(self, at: _Path, plant_id: str, machine_id: str) -> tuple[int, int]:
        p_idx = self.plant_idx((*at, "plant"), plant_id)
        machines = self.plants[p_idx].machines
        for m_idx, machine in enumerate(machines):
            if machine.id == machine_id:
                return p_idx, m_idx
        known = [m.id for m in machines]
        raise self.error(
            (*at, "machine"), _unknown(f"machine group at {plant_id}", machine_id, known)
        )

    def set_machines(self, p_idx: int, machines: list[MachineSpec]) -> None:
        plant: PlantSpec = self.plants[p_idx]
        self.plants[p_idx] = plant.model_copy(update={"machines": machines})

    def edit_machine(self, idx: int, p_idx: int, m_idx: int, **fields: object) -> None:
        machines = list(self.plants[p_idx].machines)
        machines[m_idx] = machines[m_idx].model_copy(update=fields)
        self.touch(idx, machines[m_idx])
        self.set_machines(p_idx, machines)

    def add_machine(self, at: _Path, idx: int, change: AddMachine) -> str:
        p_idx = self.plant_idx((*at, "plant"), change.plant)
        machines = list(self.plants[p_idx].machines)
        if any(m.id == change.machine.id for m in machines):
            raise self.error(
                (*at, "machine", "id"),
                f"machine group {change.machine.id!r} is already at plant {change.plant!r}",
            )
        machines.append(change.machine)
        self.touch(idx, change.machine)
        self.set_machines(p_idx, machines)
        since = change.machine.available_from
        when = "" if since is None else f" from {_show(since)}"
        units = change.machine.units
        return f"{change.plant} {change.machine.id} added ({units} {change.machine.process}{when})"

    def add_units(self, at: _Path, idx: int, change: AddUnits) -> str:
        p_idx, m_idx = self.machine_idx(at, change.plant, change.machine)
        units = self.plants[p_idx].machines[m_idx].units + change.units
        if units > MAX_UNITS:
            raise self.error(
                (*at, "units"),
                f"the group would have {units} machines, more than {MAX_UNITS}, the limit",
            )
        self.edit_machine(idx, p_idx, m_idx, units=units)
        return f"{change.plant} {change.machine}: {change.units} more, {units} in all"

    def set_machine(self, at: _Path, idx: int, change: SetMachine) -> str:
        p_idx, m_idx = self.machine_idx(at, change.plant, change.machine)
        fields = {
            name: getattr(change, name)
            for name in _given(change, "units", "available_from", "available_until")
        }
        self.edit_machine(idx, p_idx, m_idx, **fields)
        return f"{change.plant} {change.machine}: " + ", ".join(
            f"{name} {_show(value)}" for name, value in fields.items()
        )

    def delay_machine(self, at: _Path, idx: int, change: DelayMachine) -> str:
        p_idx, m_idx = self.machine_idx(at, change.plant, change.machine)
        since = self.plants[p_idx].machines[m_idx].available_from
        moved = self.shifted((*at, "days"), since or self.spec.network.start, change.days)
        self.edit_machine(idx, p_idx, m_idx, available_from=moved)
        was = "the horizon start" if since is None else _show(since)
        return f"{change.plant} {change.machine}: in service from {_show(moved)} (was {was})"

    def remove_machine(self, at: _Path, change: RemoveMachine) -> str:
        p_idx, m_idx = self.machine_idx(at, change.plant, change.machine)
        machines = list(self.plants[p_idx].machines)
        del machines[m_idx]
        self.set_machines(p_idx, machines)
        return f"{change.plant} {change.machine} removed"

    # -- supplies and secondments --

    def find(
        self,
        at: _Path,
        what: str,
        entries: Sequence[Any],
        change: Any,
        key: tuple[str, str],
        when: str,
    ) -> int:
        """Position of the entry ``change`` names by index or by key (and its date)."""
        section = f"{what}s" if what != "supply" else "supplies"
        if change.index is not None:
            if change.index >= len(entries):
                raise self.error(
                    (*at, "index"),
                    f"there is no {what} {change.index}: the base has "
                    f"{len(entries)} {section}, numbered from 0",
                )
            return int(change.index)
        wanted = {name: getattr(change, name) for name in key}
        matches = [
            e_idx
            for e_idx, entry in enumerate(entries)
            if all(getattr(entry, name) == value for name, value in wanted.items())
        ]
        label = " ".join(f"{name} {value!r}" for name, value in wanted.items())
        if not matches:
            raise self.error(at, f"no {what} in the base has {label}")
        on = getattr(change, when)
        if on is not None:
            matches = [e_idx for e_idx in matches if _same_when(getattr(entries[e_idx], when), on)]
            if not matches:
                raise self.error((*at, when), f"no {what} with {label} has {when} {_show(on)}")
        if len(matches) > 1:
            dates = ", ".join(_show(getattr(entries[e_idx], when)) for e_idx in matches)
            raise self.error(
                at, f"{len(matches)} {section} have {label} ({when} {dates}); give {when}"
            )
        return matches[0]

    def change_supply(self, at: _Path, idx: int, change: ChangeSupply) -> str:
        s_idx = self.find(at, "supply", self.supplies, change, ("plant", "material"), "arrives")
        supply: SupplySpec = self.supplies[s_idx]
        fields: dict[str, object] = {}
        if change.new_arrives is not None:
            fields["arrives"] = change.new_arrives
        if change.delay_days is not None:
            fields["arrives"] = self.shifted((*at, "delay_days"), supply.arrives, change.delay_days)
        if change.quantity is not None:
            fields["quantity"] = change.quantity
        self.supplies[s_idx] = supply.model_copy(update=fields)
        self.touch(idx, self.supplies[s_idx])
        unit = next((m.unit for m in self.spec.materials if m.id == supply.material), "")
        was = (
            f"{supply.quantity:,} {unit} {supply.material} to {supply.plant} "
            f"on {_show(supply.arrives)}"
        )
        return f"supply of {was}: " + ", ".join(
            f"{name} {_show(value)}" for name, value in fields.items()
        )

    def add_secondment(self, idx: int, change: AddSecondment) -> str:
        self.secondments.append(change.secondment)
        self.touch(idx, change.secondment)
        s = change.secondment
        return f"{_people(s)} sent away from {s.plant} from {_show(s.start)}"

    def cancel_secondment(self, at: _Path, change: CancelSecondment) -> str:
        s_idx = self.find(at, "secondment", self.secondments, change, ("plant", "skill"), "start")
        s = self.secondments.pop(s_idx)
        return f"secondment of {_people(s)} from {s.plant} on {_show(s.start)} cancelled"

    def move_secondment(self, at: _Path, idx: int, change: MoveSecondment) -> str:
        s_idx = self.find(at, "secondment", self.secondments, change, ("plant", "skill"), "start")
        s: SecondmentSpec = self.secondments[s_idx]
        fields: dict[str, object] = {}
        if change.delay_days is not None:
            path = (*at, "delay_days")
            fields["start"] = self.shifted(path, s.start, change.delay_days)
            if s.end is not None:
                fields["end"] = self.shifted(path, s.end, change.delay_days)
        if change.new_start is not None:
            fields["start"] = change.new_start
        if change.new_end is not None:
            fields["end"] = change.new_end
        self.secondments[s_idx] = s.model_copy(update=fields)
        self.touch(idx, self.secondments[s_idx])
        return f"secondment of {_people(s)} from {s.plant}: " + ", ".join(
            f"{name} {_show(value)}" for name, value in fields.items()
        )

    # -- lanes --

    def set_lane(self, at: _Path, idx: int, change: SetLane) -> str:
        plants = {p.id for p in self.plants}
        for l_idx, lane in enumerate(self.lanes):
            forward = (lane.from_, lane.to) == (change.from_, change.to)
            backward = (lane.to, lane.from_) == (change.from_, change.to)
            if forward or (backward and not lane.one_way and lane.to in plants):
                self.lanes[l_idx] = lane.model_copy(update={"lead_days": change.lead_days})
                self.touch(idx, self.lanes[l_idx])
                return (
                    f"lane {change.from_} -> {change.to}: {change.lead_days:g} days "
                    f"(was {lane.lead_days:g})"
                )
        raise self.error(at, f"the base has no lane from {change.from_!r} to {change.to!r}")

    # -- working time, gangs and people --

    def set_calendar(self, at: _Path, idx: int, change: SetCalendar) -> str:
        fields = change.calendar.model_dump(exclude_none=True)
        shown = ", ".join(f"{name} {_show_field(value)}" for name, value in fields.items())
        if change.machine is None:
            p_idx = self.plant_idx((*at, "plant"), change.plant)
            plant: PlantSpec = self.plants[p_idx]
            calendar = (plant.calendar or CalendarSpec()).model_copy(update=fields)
            self.plants[p_idx] = plant.model_copy(update={"calendar": calendar})
            self.touch(idx, self.plants[p_idx])
            return f"{change.plant} works {shown}"
        p_idx, m_idx = self.machine_idx(at, change.plant, change.machine)
        machine = self.plants[p_idx].machines[m_idx]
        calendar = (machine.calendar or CalendarSpec()).model_copy(update=fields)
        self.edit_machine(idx, p_idx, m_idx, calendar=calendar)
        return f"{change.plant} {change.machine} works {shown}"

    def set_gang(self, at: _Path, idx: int, change: SetGang) -> str:
        gang = change.gang
        if gang.process not in self.spec.processes:
            raise self.error(
                (*at, "gang", "process"),
                _unknown("process", gang.process, self.spec.processes),
            )
        kept = [g for g in self.gangs if g.process != gang.process]
        was = "" if len(kept) == len(self.gangs) else " (replacing its gang)"
        self.gangs = [*kept, gang]
        self.touch(idx, gang)
        return f"process {gang.process}: {gang.min} to {gang.max} units may work a step{was}"

    def lend_people(self, at: _Path, idx: int, change: LendPeople) -> str:
        self.plant_idx((*at, "from"), change.from_)
        self.plant_idx((*at, "to"), change.to)
        # Built from values the change already checked (the models parse file text).
        away = SecondmentSpec.model_construct(
            plant=change.from_, skill=change.skill, count=change.count, start=change.start
        )
        joined = TrainingSpec.model_construct(
            plant=change.to,
            skill=change.skill,
            count=change.count,
            start=change.start,
            duration_days=change.travel_days,
        )
        self.secondments.append(away)
        self.trainings.append(joined)
        self.touch(idx, away)
        self.touch(idx, joined)
        people = _people(away)
        return (
            f"{people} lent by {change.from_} to {change.to} from {_show(change.start)}, "
            f"{change.travel_days:g} day{'' if change.travel_days == 1 else 's'} on the way"
        )

    def pull_lever(self, at: _Path, idx: int, change: PullLever) -> str:
        sheds = [] if self.levers is None else self.levers.sheds
        found = [shed for shed in sheds if shed.id == change.lever]
        if not found or self.levers is None:
            raise self.error((*at, "lever"), _unknown("lever", change.lever, [s.id for s in sheds]))
        shed = found[0]
        p_idx = self.plant_idx((*at, "lever"), shed.plant)
        decided = shed.decide_by or self.spec.network.start
        if not isinstance(decided, datetime):
            decided = datetime.combine(decided, time())
        since = decided + timedelta(days=shed.build_days)
        group = shed.machine
        # Built from the shed's checked values (the models parse file text).
        machine = MachineSpec.model_construct(
            id=group.id,
            process=group.process,
            units=group.units,
            max_weight_t=group.max_weight_t,
            precision_grade=group.precision_grade,
            calendar=group.calendar,
            available_from=since,
            available_until=None,
        )
        self.set_machines(p_idx, [*self.plants[p_idx].machines, machine])
        self.touch(idx, machine)
        self.levers = self.levers.model_copy(
            update={"sheds": [s for s in sheds if s.id != shed.id]}
        )
        return (
            f"shed {shed.id} at {shed.plant} pulled: {group.units} {group.process} from "
            f"{_show(since)}, cost {shed.cost:,g}"
        )

    # -- dates --

    def shifted(self, path: _Path, when: date, days: int) -> date:
        """``when`` moved by whole ``days``, kept within the years a scenario may use."""
        try:
            moved = when + timedelta(days=days)
        except OverflowError:
            moved = None
        if moved is None or not FIRST_YEAR <= moved.year <= LAST_YEAR:
            raise self.error(
                path,
                f"{_show(when)} moved by {days:+,} days leaves the years {FIRST_YEAR} to "
                f"{LAST_YEAR} a scenario may use",
            )
        return moved

    # -- the merged scenario --

    def merged(self) -> ScenarioSpec:
        return self.spec.model_copy(
            update={
                "orders": self.orders,
                "plants": self.plants,
                "supplies": self.supplies,
                "secondments": self.secondments,
                "lanes": self.lanes,
                "gangs": self.gangs,
                "trainings": self.trainings,
                "levers": self.levers,
            }
        )

    def blame(self) -> dict[str, int]:
        """Entity path (``orders[3]``) of everything a change touched, to its change."""
        found: dict[str, int] = {}
        sections: list[tuple[str, Sequence[BaseModel]]] = [
            ("orders", self.orders),
            ("supplies", self.supplies),
            ("secondments", self.secondments),
            ("lanes", self.lanes),
            ("gangs", self.gangs),
            ("trainings", self.trainings),
        ]
        for section, entries in sections:
            for e_idx, entry in enumerate(entries):
                if id(entry) in self.touched:
                    found[f"{section}[{e_idx}]"] = self.touched[id(entry)][0]
        for p_idx, plant in enumerate(self.plants):
            for m_idx, machine in enumerate(plant.machines):
                if id(machine) in self.touched:
                    found[f"plants[{p_idx}].machines[{m_idx}]"] = self.touched[id(machine)][0]
        # A plant's own fields (its calendar) after its machines: the narrower blame first.
        for p_idx, plant in enumerate(self.plants):
            if id(plant) in self.touched:
                found[f"plants[{p_idx}]"] = self.touched[id(plant)][0]
        return found

    def culprit(self, location: str) -> tuple[str, str] | None:
        """The change that touched the entity at ``location``, and the entity's path."""
        for path, idx in self.blame().items():
            if location == path or location.startswith((f"{path}.", f"{path}[", f"{path} ")):
                return self.locate(("changes", idx)), path
        return None

    def convert(self, merged: ScenarioSpec) -> Network:
        """The merged scenario's network; its errors name the change at fault, if any."""
        try:
            return network_from_spec(merged, self.source)
        except InputError as exc:
            found = self.culprit(exc.location)
            if found is None:
                raise InputError(
                    self.source,
                    "changes",
                    f"with the changes applied, the scenario is invalid at {exc.location}: "
                    f"{exc.problem}",
                ) from exc
            raise InputError(
                self.source,
                found[0],
                f"{exc.problem} (with this change, at {exc.location} of the merged scenario)",
            ) from exc
        except ModelError as exc:
            raise ModelError(list(self.blamed(exc.problems)), source=self.source) from exc

    def blamed(self, problems: Sequence[str]) -> Iterator[str]:
        for problem in problems:
            found = self.culprit(problem.partition(":")[0])
            if found is None:
                yield f"with the changes applied, {problem}"
            else:
                yield f"{found[0]}: with this change, {problem}"


def _people(secondment: SecondmentSpec) -> str:
    count = secondment.count
    return f"{count} {'person' if count == 1 else 'people'} of skill {secondment.skill}"


def _show_field(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_show(item) for item in value) + "]"
    return _show(value)


def _same_when(value: date, wanted: date) -> bool:
    """Equal, or on the day ``wanted`` names when it is a date alone."""
    if value == wanted:
        return True
    if isinstance(wanted, datetime):
        return False
    day = value.date() if isinstance(value, datetime) else value
    return day == wanted


def _show(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _unknown(what: str, value: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(value, list(known), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"the base has no {what} {value!r}{hint}"


def _input_error(
    exc: ValidationError, source: str, locate: Callable[[Sequence[str | int]], str]
) -> InputError:
    errors = exc.errors(include_url=False)
    # A misspelt field is also a missing one; the misspelling is the cause to report.
    unknown = [e for e in errors if e["type"] == "extra_forbidden"]
    first = unknown[0] if unknown else errors[0]
    path = _data_path(first["loc"])
    problem = _describe(first, path)
    if len(errors) > 1:
        more = len(errors) - 1
        problem += f" (and {more} more problem{'s' if more > 1 else ''} after this one)"
    return InputError(source, locate(path), problem)


def _data_path(loc: Sequence[str | int]) -> _Path:
    """The error's path in the file: pydantic puts the change kind after ``changes[i]``."""
    if len(loc) > 2 and loc[0] == "changes" and loc[2] in _MODEL_BY_KIND:
        return (*loc[:2], *loc[3:])
    return tuple(loc)


def _describe(error: ErrorDetails, path: _Path) -> str:
    kind = error["type"]
    kinds = ", ".join(_MODEL_BY_KIND)
    if kind == "union_tag_invalid":
        tag = str(error.get("ctx", {}).get("tag", ""))
        close = difflib.get_close_matches(tag, list(_MODEL_BY_KIND), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"unknown change {tag!r}{hint} (expected one of: {kinds})"
    if kind == "union_tag_not_found":
        return f"the required field 'change' is missing; it is one of: {kinds}"
    if kind == "extra_forbidden":
        allowed = _fields_at(error["loc"][:-1])
        close = difflib.get_close_matches(str(path[-1]), allowed, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"unknown field {path[-1]!r}{hint} (expected one of: {', '.join(allowed)})"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"expected a mapping, not {reprlib.repr(error['input'])}"
    if kind == "missing":
        return f"the required field {path[-1]!r} is missing"
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error", error["msg"]))
    return f"{error['msg']} (got {reprlib.repr(error['input'])})"


def _fields_at(loc: Sequence[str | int]) -> list[str]:
    """Field names (by alias) of the model that pydantic's ``loc`` leads to."""
    model: type[BaseModel] | None = VariantSpec
    for step in loc:
        if isinstance(step, int) or model is None:
            continue
        if step in _MODEL_BY_KIND:
            model = _MODEL_BY_KIND[step]
            continue
        info = model.model_fields.get(step)
        model = None if info is None else next(_models_in(info.annotation), None)
    fields = {} if model is None else model.model_fields
    return [info.alias or name for name, info in fields.items()]


def _models_in(annotation: object) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in getattr(annotation, "__args__", ()):
        yield from _models_in(arg)
