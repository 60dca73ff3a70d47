"""The scenario file format as pydantic models: what a YAML or JSON scenario may say.

These models check the file's shape, types and units only. Turning them into domain
objects, and every rule that spans objects, lives in :mod:`xiezuo.io.scenario`.
Field docstrings become the descriptions of the published JSON Schema.

Every number has a documented range (the ``MAX_*`` constants and the bounds below, listed
under "Limits" in ``docs/scenario-format.md``), so the engine never meets a value it
cannot hold; booleans are ``true``/``false`` only and whole numbers are never text or
booleans.

After changing a model, rewrite the committed schema with
``python -m xiezuo.io.export_schema docs/scenario.schema.json``; a test fails while
the two differ.
"""

from __future__ import annotations

import re
import reprlib
from datetime import date, datetime, time
from typing import Annotated, Any, Final, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    StrictBool,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from xiezuo.domain import ItemKind

FIRST_YEAR: Final = 1900
LAST_YEAR: Final = 2199
"""Every date lies in these years, so date arithmetic never leaves the calendar."""
MAX_HOURS: Final = 10_000
"""Largest setup or run time per unit, in hours (over a year around the clock)."""
MIN_SHIFT_HOURS: Final = 0.25
MAX_LEAD_DAYS: Final = 365
MAX_TRAINING_DAYS: Final = 3650
MAX_TONNES: Final = 100_000
MAX_GRADE: Final = 18
"""ISO 286 tolerance grades run from IT0 (finest) to IT18."""
MAX_UNITS: Final = 1_000
"""Machines in one machine group."""
MAX_ORDER_QUANTITY: Final = 1_000_000
MAX_BOM_QUANTITY: Final = 10_000
MAX_MATERIAL_PER_UNIT: Final = 1_000_000
MAX_STOCK: Final = 10**12
MAX_PRIORITY: Final = 10_000
MAX_PEOPLE: Final = 100_000
"""Headcount, crew size, secondment, training and trainer counts."""
MAX_STEP: Final = 1_000

_DAY_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
# The years FIRST_YEAR to LAST_YEAR, for the JSON Schema (the parser checks them exactly).
_YEARS = "^(19|20|21)[0-9]{2}-"
_CLOCK_PATTERN = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


def _in_range(value: date) -> date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(
            f"{value.isoformat()} is outside the years {FIRST_YEAR} to {LAST_YEAR} "
            "a scenario may use"
        )
    return value


def _parse_day(value: object) -> date:
    if isinstance(value, str) and _DAY_PATTERN.fullmatch(value):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a calendar date") from None
        return _in_range(day)
    raise ValueError(f"expected a date like 1958-07-01, not {reprlib.repr(value)}")


def _parse_when(value: object) -> date | datetime:
    # Dates and datetimes stay apart: a date-only due date means the end of that day.
    if isinstance(value, str):
        if _DAY_PATTERN.fullmatch(value):
            return _parse_day(value)
        try:
            when = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            return _in_range(when)
    raise ValueError(
        "expected a date like 1958-07-01 or a date and time like 1958-07-01T06:00, "
        f"not {reprlib.repr(value)}"
    )


def _parse_clock(value: object) -> time:
    match = _CLOCK_PATTERN.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f'expected a clock time like "06:00", not {reprlib.repr(value)}')
    return time(int(match[1]), int(match[2]))


Day = Annotated[
    date,
    PlainValidator(_parse_day),
    WithJsonSchema({"type": "string", "format": "date", "pattern": _YEARS}),
]
When = Annotated[
    date | datetime,
    PlainValidator(_parse_when),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "format": "date", "pattern": _YEARS},
                {"type": "string", "format": "date-time", "pattern": _YEARS},
            ]
        }
    ),
]
ClockTime = Annotated[
    time,
    PlainValidator(_parse_clock),
    WithJsonSchema({"type": "string", "pattern": "^([01]?[0-9]|2[0-3]):[0-5][0-9]$"}),
]


def _plain_number(value: object) -> object:
    # pydantic's lax mode reads true as 1 and "5" as 5; the format promises numbers.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a number, not {reprlib.repr(value)}")
    return value


def _whole_number(value: object) -> object:
    # 2.0 stays accepted (some writers emit every number as a float); 2.5 is refused.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a whole number, not {reprlib.repr(value)}")
    return value


def _whole_number_key(value: object) -> object:
    # Keys of a JSON object are always text: "2" names the gang of two, as 2 does in YAML.
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return _whole_number(value)


Number = Annotated[float, BeforeValidator(_plain_number)]
Whole = Annotated[int, BeforeValidator(_whole_number)]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Hours = Annotated[Number, Field(ge=0, le=MAX_HOURS)]
PositiveHours = Annotated[Number, Field(gt=0, le=MAX_HOURS)]
Tonnes = Annotated[Number, Field(gt=0, le=MAX_TONNES)]
Grade = Annotated[Whole, Field(ge=0, le=MAX_GRADE)]
People = Annotated[Whole, Field(ge=1, le=MAX_PEOPLE)]


class _Spec(BaseModel):
    # Unknown fields are errors: a misspelt key must not silently fall back to a default.
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        allow_inf_nan=False,
        coerce_numbers_to_str=True,
        use_attribute_docstrings=True,
    )


class CalendarSpec(_Spec):
    """A weekly working pattern, or a partial override of the calendar above it.

    Fields left out are taken from the calendar one level up (machine, plant,
    network, then the built-in default); a field given replaces that field whole.
    """

    working_days: list[Weekday] | None = Field(default=None, min_length=1)
    """Weekdays with shifts, ``mon`` to ``sun``. Default: mon to sat."""
    shifts_per_day: Annotated[Whole, Field(ge=1, le=24)] | None = None
    """Consecutive shifts worked each working day. Default: 2."""
    shift_hours: Annotated[Number, Field(ge=MIN_SHIFT_HOURS, le=24)] | None = None
    """Length of one shift in hours, at least a quarter of an hour. Default: 8."""
    first_shift_start: ClockTime | None = None
    """Local clock time the first shift starts, ``"HH:MM"``. Default: ``"06:00"``."""
    holidays: list[Day] | None = None
    """Dates with no work although their weekday is a working day. Default: none."""


class NetworkSpec(_Spec):
    """The horizon and the defaults every plant shares."""

    name: str = ""
    """A title for the scenario."""
    start: When
    """Horizon start; a date alone means 00:00 that day."""
    timezone: str = "UTC"
    """IANA time-zone name that dates and clock times are read in."""
    calendar: CalendarSpec | None = None
    """The network-wide calendar, over the built-in default."""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError(
                f"unknown time zone {reprlib.repr(value)}; use an IANA name such as Asia/Shanghai"
            ) from None
        return value


class MachineSpec(_Spec):
    """A machine group: ``units`` identical machines of one process."""

    id: str
    """Unique within the plant."""
    process: str
    """One of the declared processes."""
    units: Whole = Field(default=1, ge=1, le=MAX_UNITS)
    """Identical machines in the group; each runs one operation at a time."""
    max_weight_t: Tonnes
    """Heaviest part, in tonnes, the machine can take."""
    precision_grade: Grade
    """Finest ISO IT tolerance grade the machine holds (lower is finer)."""
    calendar: CalendarSpec | None = None
    """Partial override of the plant calendar."""
    available_from: When | None = None
    """First instant the group works (a date alone means 00:00 that day)."""
    available_until: When | None = None
    """Instant the group stops working (a date alone means the end of that day)."""


class FloorSpec(_Spec):
    """Floor bays where a part too heavy for any machine lies while portable machines
    are brought to it."""

    bays: Whole = Field(default=1, ge=1, le=MAX_UNITS)
    """Parts that can lie on the floor at once, one per bay."""
    max_weight_t: Tonnes
    """Heaviest part, in tonnes, a bay takes."""


class PlantSpec(_Spec):
    """A factory and its machine groups."""

    id: str
    """Unique plant code, used by lanes and pinned orders."""
    name: str = ""
    """Full name."""
    calendar: CalendarSpec | None = None
    """Partial override of the network calendar."""
    machines: list[MachineSpec] = []
    """Machine groups of the plant."""
    floor: FloorSpec | None = None
    """Floor bays for parts worked by portable machines (see ``gang.floor_min``)."""


class MachineTimeSpec(_Spec):
    """Run time of a step on one machine group, overriding the step's own."""

    machine: str
    """Machine group ID."""
    plant: str | None = None
    """Plant of the machine group; omit to mean that machine ID in any plant."""
    run_hours_per_unit: PositiveHours
    """Working hours per unit made on that machine group; must be positive."""


class CrewSpec(_Spec):
    """People of one skill an operation needs for as long as it runs."""

    skill: str
    """One of the declared skills."""
    size: People
    """People of that skill, from the plant's headcount per shift."""


GangSize = Annotated[Whole, Field(ge=1, le=MAX_UNITS)]
GangSizeKey = Annotated[int, BeforeValidator(_whole_number_key), Field(ge=1, le=MAX_UNITS)]
Share = Annotated[Number, Field(gt=0, le=1)]


class GangSpec(_Spec):
    """Several units of one machine group working one step together; the engine picks
    how many."""

    min: GangSize = 1
    """Fewest units that may work the step together."""
    max: GangSize
    """Most units that may work the step together; no more than the largest machine
    group of the process has."""
    efficiency: dict[GangSizeKey, Share] = {}
    """Share of full speed by gang size, e.g. ``{2: 0.9, 4: 0.75}``: k units run the step
    in run / (k × share). Sizes between are interpolated, beyond the last the last share
    holds; one unit is 1.0 unless given."""
    floor_min: GangSize | None = None
    """The machines are portable: at least this many may be brought to a part too heavy
    for them, lying in one of the plant's floor bays. Omit for fixed machines."""

    @model_validator(mode="after")
    def _min_not_above_max(self) -> GangSpec:
        if self.min > self.max:
            raise ValueError(f"gang min ({self.min}) must not be above gang max ({self.max})")
        return self


class ProcessGangSpec(GangSpec):
    """The gang every step of a process may form, unless the step says otherwise."""

    process: str
    """One of the declared processes."""


class OperationSpec(_Spec):
    """One routing step on one machine group, or engineering work done by people."""

    process: str | None = None
    """One of the declared processes; omit it for engineering work (drawing, process
    design), which needs only its crew and runs in the plant's working time."""
    setup_hours: Hours = 0
    """Working hours to set up once per work order."""
    run_hours_per_unit: PositiveHours | None = None
    """Working hours per unit made on any capable machine of the process; must be positive.
    Omit it only with ``machine_times``, which then lists every machine allowed."""
    machine_times: list[MachineTimeSpec] = []
    """Run times on particular machine groups (they may differ by machine, as in a
    flexible job shop)."""
    min_weight_t: Annotated[Number, Field(ge=0, le=MAX_TONNES)] | None = None
    """Machine capacity the step needs, in tonnes, if not the item's weight."""
    precision_grade: Grade | None = None
    """IT grade the step needs, if not the item's grade."""
    crew: list[CrewSpec] = []
    """People the step needs while it runs, besides its machine; each skill once. A
    gang of k units needs k such crews."""
    gang: GangSpec | None = None
    """Lets several units of one machine group work the step together; overrides the
    process's entry under ``gangs``."""


class RoutingSpec(_Spec):
    """One way to make an item: operations in order."""

    id: str
    """Unique within the item, e.g. ``cast`` or ``forged``."""
    operations: list[OperationSpec] = Field(min_length=1)
    """Steps in the order they run."""


class BomLineSpec(_Spec):
    """A component of an item."""

    item: str
    """ID of the component item."""
    quantity: Whole = Field(default=1, ge=1, le=MAX_BOM_QUANTITY)
    """Units of the component per unit of the parent."""
    design: StrictBool = False
    """The component is the parent's design work (drawings, process documents): no
    other work on the parent or below it starts before it is done and has arrived."""


class MaterialLineSpec(_Spec):
    """Raw material an item uses."""

    material: str
    """ID of a declared material."""
    quantity: Whole = Field(ge=1, le=MAX_MATERIAL_PER_UNIT)
    """Whole units of the material (in its declared unit) per unit of the item."""
    step: Whole | None = Field(default=None, ge=1, le=MAX_STEP)
    """1-based routing step at whose start the material is taken; omit to take it at
    the start of the work order. Every routing of the item must have this step."""


class ItemSpec(_Spec):
    """An end product, assembly or part, with its BOM and routings."""

    id: str
    """Unique item code."""
    name: str = ""
    """Full name."""
    kind: ItemKind = ItemKind.PART
    """``product``, ``assembly`` or ``part``."""
    weight_t: Tonnes
    """Weight of one unit in tonnes; a machine must take at least this much."""
    precision_grade: Grade
    """ISO IT grade required (lower is finer); a machine's grade must be this or finer."""
    bom: list[BomLineSpec] = []
    """Components made before this item, each appearing once."""
    routings: list[RoutingSpec] | None = Field(default=None, min_length=1)
    """Alternative routings; a plan uses one of them per work order."""
    operations: list[OperationSpec] | None = Field(default=None, min_length=1)
    """Shorthand for a single routing with ID ``main``."""
    materials: list[MaterialLineSpec] = []
    """Raw material taken from the making plant's warehouse per unit made."""

    @model_validator(mode="after")
    def _one_way_to_route(self) -> ItemSpec:
        if (self.routings is None) == (self.operations is None):
            raise ValueError(
                "give either routings or operations (the shorthand for a single routing)"
            )
        return self


class OrderSpec(_Spec):
    """A customer order, or a plant's own planned production when pinned."""

    id: str
    """Unique order number."""
    region: str
    """Declared region the order is delivered to."""
    item: str
    """ID of the item ordered."""
    quantity: Whole = Field(default=1, ge=1, le=MAX_ORDER_QUANTITY)
    """Units ordered, made as one batch."""
    due: When | None = None
    """Delivery due in the region; a date alone means by the end of that day. Without
    one, the order counts only towards the makespan."""
    priority: Whole = Field(default=1, ge=1, le=MAX_PRIORITY)
    """Weight of lateness against other orders; higher matters more."""
    release: When | None = None
    """Earliest start of work; a date alone means 00:00 that day. Default: horizon start."""
    plant: str | None = None
    """Pins the end product to this plant (an existing commitment)."""


class LaneSpec(_Spec):
    """Transport between two plants, or from a plant to a region."""

    from_: str = Field(alias="from")
    """Plant the goods leave."""
    to: str
    """Plant or region the goods reach."""
    lead_days: Annotated[Number, Field(ge=0, le=MAX_LEAD_DAYS)]
    """Days in transit (may be fractional)."""
    one_way: StrictBool = False
    """Between plants, a lane runs both ways unless this is true."""


class MaterialSpec(_Spec):
    """A raw material, counted in whole units of ``unit``."""

    id: str
    """Unique material code, e.g. ``copper``."""
    name: str = ""
    """Full name."""
    unit: str = Field(min_length=1)
    """Unit every quantity of this material is counted in: ``t``, ``kg``, ``piece``."""


class StockSpec(_Spec):
    """What a plant's warehouse holds of a material at the horizon start."""

    plant: str
    """Plant whose warehouse holds the stock."""
    material: str
    """ID of a declared material."""
    quantity: Whole = Field(ge=0, le=MAX_STOCK)
    """Whole units of the material, in its declared unit."""


class SupplySpec(_Spec):
    """Material arriving at a plant's warehouse: a scheduled receipt or one-off stock."""

    plant: str
    """Plant whose warehouse receives the material."""
    material: str
    """ID of a declared material."""
    quantity: Whole = Field(ge=1, le=MAX_STOCK)
    """Whole units of the material, in its declared unit."""
    arrives: When
    """When it can be used; a date alone means 00:00 that day."""
    source: str = Field(default="receipt", min_length=1)
    """Where it comes from, in the planners' words: ``receipt`` (the default), ``found
    when the warehouse was cleared``, ``donated scrap copper``."""


class StaffingSpec(_Spec):
    """People of one skill a plant has at the horizon start."""

    plant: str
    """Plant the people work at."""
    skill: str
    """One of the declared skills."""
    headcount: Whole = Field(ge=0, le=MAX_PEOPLE)
    """People per shift (each shift of the plant has this many)."""


class SecondmentSpec(_Spec):
    """People of a plant's skill sent away for a while or for good."""

    plant: str
    """Plant the people leave."""
    skill: str
    """One of the declared skills."""
    count: People
    """People per shift who leave."""
    start: When
    """First instant they are away; a date alone means 00:00 that day."""
    end: When | None = None
    """Instant they are back; a date alone means the end of that day. Omit for good."""
    region: str | None = None
    """Declared region they go to, for the record."""


class TrainingSpec(_Spec):
    """Trainees who join a plant's headcount in a skill once their training ends."""

    plant: str
    """Plant that trains them."""
    skill: str
    """Skill the trainees learn; one of the declared skills."""
    count: People
    """Trainees, who add this many people per shift when the training ends."""
    start: When
    """Start of the training; a date alone means 00:00 that day."""
    duration_days: Number = Field(le=MAX_TRAINING_DAYS, json_schema_extra={"exclusiveMinimum": 0})
    """Calendar days from start to the end of the training (may be fractional)."""
    trainers: Whole = Field(default=0, ge=0, le=MAX_PEOPLE)
    """People per shift who teach, and are busy, for the whole training."""
    trainer_skill: str | None = None
    """Skill of the trainers. Default: the skill taught."""

    @field_validator("duration_days")
    @classmethod
    def _ends_after_start(cls, value: float) -> float:
        if not value > 0:
            raise ValueError(
                f"a training must end after it starts: duration_days must be more than 0, "
                f"not {value:g}"
            )
        return value


MAX_COST: Final = 10**12


class ShedMachineSpec(_Spec):
    """The machine group a shed adds; it works from the shed's decision plus build days."""

    id: str
    """Unique within the plant, beside its own machine groups."""
    process: str
    """One of the declared processes (one the plant can already do: a shed adds capacity)."""
    units: Whole = Field(default=1, ge=1, le=MAX_UNITS)
    """Identical machines in the shed."""
    max_weight_t: Tonnes
    """Heaviest part, in tonnes, the shed's machines take."""
    precision_grade: Grade
    """Finest ISO IT tolerance grade the shed's machines hold (lower is finer)."""
    calendar: CalendarSpec | None = None
    """Partial override of the plant calendar."""


class ShedSpec(_Spec):
    """A temporary shed the engine may have built: more machines of a process at a plant."""

    id: str
    """Unique among the levers; the plan lists the levers it pulls by it."""
    plant: str
    """Plant that puts up the shed."""
    cost: Annotated[Number, Field(ge=0, le=MAX_COST)]
    """What the shed costs, in the scenario's money (any unit, the same for every lever)."""
    build_days: Annotated[Number, Field(ge=0, le=MAX_LEAD_DAYS)] = 0
    """Calendar days from the decision until the shed works."""
    decide_by: When | None = None
    """When the decision is taken. Default: the network start."""
    machine: ShedMachineSpec
    """The machine group in the shed."""


class MachineLoanSpec(_Spec):
    """Machines one plant may lend another for a while: the lender works without them
    from ``depart`` until ``until``; the borrower has them in between, but for the moves."""

    id: str
    """Unique among the levers; the plan lists the levers it pulls by it."""
    from_: str = Field(alias="from")
    """Plant that lends the machines."""
    to: str
    """Plant that borrows them; they work to its calendar, as its machine group
    ``MACHINE-from-FROM``."""
    machine: str
    """The lender's machine group."""
    units: Whole = Field(default=1, ge=1, le=MAX_UNITS)
    """Units lent; at most the group's."""
    depart: When
    """When the machines leave the lender (a date alone means 00:00 that day)."""
    until: When
    """When they are back at the lender (a date alone means the end of that day)."""
    move_days: Annotated[Number, Field(ge=0, le=MAX_LEAD_DAYS)] = 0
    """Calendar days each move takes (dismantling, transport, setting up)."""
    cost: Annotated[Number, Field(ge=0, le=MAX_COST)]
    """What the loan costs, in the scenario's money."""


class PeopleLoanSpec(_Spec):
    """People of a skill one plant may lend another for a while: the lender works
    without them from ``depart`` until ``until``; the borrower has them in between, but
    for the journeys."""

    id: str
    """Unique among the levers; the plan lists the levers it pulls by it."""
    from_: str = Field(alias="from")
    """Plant that lends the people."""
    to: str
    """Plant that borrows them."""
    skill: str
    """One of the declared skills."""
    count: People
    """People per shift lent; at most the lender ever has."""
    depart: When
    """When they leave the lender (a date alone means 00:00 that day)."""
    until: When
    """When they are back at the lender (a date alone means the end of that day)."""
    travel_days: Annotated[Number, Field(ge=0, le=MAX_LEAD_DAYS)] = 0
    """Calendar days each journey takes."""
    cost: Annotated[Number, Field(ge=0, le=MAX_COST)]
    """What the loan costs, in the scenario's money."""


class LeversSpec(_Spec):
    """Capacity the engine may add, each lever at a cost, within a budget."""

    budget: Annotated[Number, Field(ge=0, le=MAX_COST)] | None = None
    """Most the levers pulled may cost together. Default: no limit (the engine still
    pulls the cheapest set that makes orders as punctual)."""
    sheds: list[ShedSpec] = []
    """Temporary sheds."""
    machine_loans: list[MachineLoanSpec] = []
    """Machines lent between plants."""
    people_loans: list[PeopleLoanSpec] = []
    """People of a skill lent between plants."""


class ScenarioSpec(_Spec):
    """A xiezuo scenario: a network of plants, the items they make and the orders to plan."""

    model_config = ConfigDict(title="xiezuo scenario")

    network: NetworkSpec
    """Horizon start, time zone and network calendar."""
    processes: list[str] = Field(min_length=1)
    """Every process kind machines and operations may name."""
    gangs: list[ProcessGangSpec] = []
    """Gangs by process: every machine step of the process may be ganged so, unless its
    own ``gang`` says otherwise."""
    regions: list[str] = []
    """Customer regions orders are delivered to."""
    plants: list[PlantSpec] = Field(min_length=1)
    """The plants of the network."""
    items: list[ItemSpec] = Field(min_length=1)
    """Everything made in the network."""
    orders: list[OrderSpec] = []
    """Orders to plan."""
    lanes: list[LaneSpec] = []
    """Transport lanes with their lead times; material moves between plants on them too."""
    materials: list[MaterialSpec] = []
    """Raw materials items use."""
    stock: list[StockSpec] = []
    """Warehouse stock per plant and material at the horizon start."""
    supplies: list[SupplySpec] = []
    """Material arriving at plants during the horizon."""
    skills: list[str] = []
    """Every skill staffing, secondments, trainings and crews may name."""
    staffing: list[StaffingSpec] = []
    """People per shift at each plant and skill at the horizon start."""
    secondments: list[SecondmentSpec] = []
    """People sent away from a plant."""
    trainings: list[TrainingSpec] = []
    """Trainees joining a plant, and the trainers they keep busy."""
    levers: LeversSpec | None = None
    """Levers the engine may pull: sheds, machine and people loans, within a budget."""


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario file, for editors and for other tools that write one.

    Returns
    -------
    dict
        A JSON Schema (draft 2020-12) generated from the pydantic models, so it cannot
        drift from what :func:`xiezuo.io.load_scenario` accepts.
    """
    schema = ScenarioSpec.model_json_schema(by_alias=True)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
