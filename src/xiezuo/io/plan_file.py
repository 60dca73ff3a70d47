"""The plan JSON file: a :class:`~xiezuo.domain.Plan` written to disk and read back unchanged.

The format is documented in ``docs/plan-format.md``. Version 5 added the levers a plan
pulls (``schedule.levers``: a shed built, with its date and cost). Version 4 added ganged
operations (``units``, every unit held, and ``on_floor``, written only where they say
something); version 3 added a replan's status date (``as_of``) and its finished parts;
version 2 to 4 files, which lack what came after them, are still read. Instants are
ISO 8601 text with a UTC offset; durations are hours as JSON numbers, in fields whose names end in
``_hours``. A float holds any whole-microsecond duration up to about a century
exactly enough that ``timedelta(hours=h)`` rounds back to it, so a round trip returns
an equal plan. Reading keeps the offsets but not the zone names (``Asia/Shanghai``
comes back as ``+08:00``): the instants, and so equality, are unchanged.

Every number is finite and within a sane range, and every instant lies between the
years 1800 and 2400, so a damaged or hostile file is refused here with its JSON path
rather than overflowing later in the validator or a chart.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Final, Literal, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    field_validator,
)

from xiezuo.domain import (
    PLAN_SPAN_LIMIT,
    Delivery,
    Explanation,
    FinishedPart,
    LeverKind,
    MaterialDraw,
    PartSource,
    Plan,
    PlanStatus,
    PulledLever,
    Schedule,
    ScheduledOperation,
    Shipment,
    UnplannedOrder,
    UnplannedReason,
    WorkOrderAssignment,
)
from xiezuo.errors import InputError
from xiezuo.io.files import read_text_file

FORMAT: Final = "xiezuo-plan"
VERSION: Final = 5
_HOUR = timedelta(hours=1)
# Durations up to a century; instants in years that leave room for adding them.
MAX_HOURS: Final = 36_600 * 24
FIRST_YEAR: Final = 1800
LAST_YEAR: Final = 2400
MAX_COUNT: Final = 10**12  # quantities, steps and units
MAX_UNITS_HELD: Final = 1_000  # units one ganged operation holds: a machine group's most
MAX_FILE_BYTES: Final = 64 * 2**20


def _parse_instant(value: object) -> datetime:
    if isinstance(value, datetime):
        instant = value
    elif isinstance(value, str):
        try:
            instant = datetime.fromisoformat(value)
        except ValueError:
            instant = None
    else:
        instant = None
    if instant is None or instant.tzinfo is None:
        raise ValueError(
            "expected an ISO 8601 date and time with a UTC offset, such as "
            f"'1958-07-01T08:00:00+08:00', not {value!r}"
        )
    if not FIRST_YEAR <= instant.year <= LAST_YEAR:
        raise ValueError(
            f"expected an instant in the years {FIRST_YEAR} to {LAST_YEAR}, not {value!r}"
        )
    return instant


def _hours(duration: timedelta) -> float:
    return duration / _HOUR


def _duration(hours: float) -> timedelta:
    return timedelta(hours=hours)


def _optional_hours(duration: timedelta | None) -> float | None:
    return None if duration is None else _hours(duration)


def _optional_duration(hours: float | None) -> timedelta | None:
    return None if hours is None else _duration(hours)


Instant = Annotated[
    datetime,
    BeforeValidator(_parse_instant),
    PlainSerializer(datetime.isoformat, return_type=str, when_used="json"),
]
Hours = Annotated[float, Field(ge=0, le=MAX_HOURS)]
WeightedHours = Annotated[float, Field(ge=0, le=MAX_HOURS * 10**6)]
Step = Annotated[int, Field(ge=1, le=MAX_COUNT)]
Unit = Annotated[int, Field(ge=0, le=MAX_COUNT)]
Quantity = Annotated[int, Field(ge=1, le=MAX_COUNT)]


class _Record(BaseModel):
    # Strict, so a quantity of 2.0 or "2" is an error rather than a guess; NaN and
    # infinities are refused, as no plan figure can hold them.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)

    @field_validator("*")
    @classmethod
    def _whole_characters(cls, value: object) -> object:
        # JSON may escape half a surrogate pair ("\ud800"), which no file or terminal
        # can show, so every later write or print of it would fail.
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as error:
                raise ValueError(
                    f"text may not hold a lone surrogate ({value[error.start]!r})"
                ) from error
        return value


class _Mirror(_Record):
    """A record whose fields are exactly those of its domain class."""

    @classmethod
    def of(cls, entity: object) -> Self:
        return cls(**{name: getattr(entity, name) for name in cls.model_fields})


class _OperationRecord(_Record):
    work_order_id: str
    step: Step
    process: str | None
    plant_id: str
    machine_id: str | None
    unit: Unit
    start: Instant
    end: Instant
    work_hours: Hours
    # Version 4 on, written only for a gang (several units) or a part on the floor.
    units: list[Unit] = Field(default=[], max_length=MAX_UNITS_HELD)
    on_floor: bool = False

    @classmethod
    def of(cls, op: ScheduledOperation) -> _OperationRecord:
        return cls(
            work_order_id=op.work_order_id,
            step=op.step,
            process=op.process,
            plant_id=op.plant_id,
            machine_id=op.machine_id,
            unit=op.unit,
            start=op.start,
            end=op.end,
            work_hours=_hours(op.work),
            units=list(op.units),
            on_floor=op.on_floor,
        )

    def to_domain(self) -> ScheduledOperation:
        return ScheduledOperation(
            work_order_id=self.work_order_id,
            step=self.step,
            process=self.process,
            plant_id=self.plant_id,
            machine_id=self.machine_id,
            unit=self.unit,
            start=self.start,
            end=self.end,
            work=_duration(self.work_hours),
            units=tuple(self.units),
            on_floor=self.on_floor,
        )


class _WorkOrderRecord(_Mirror):
    work_order_id: str
    order_id: str
    item_id: str
    quantity: Quantity
    parent_id: str | None
    plant_id: str
    routing_id: str
    start: Instant
    end: Instant

    def to_domain(self) -> WorkOrderAssignment:
        return WorkOrderAssignment(**self.model_dump())


class _ShipmentRecord(_Mirror):
    work_order_id: str
    origin: str
    destination: str
    depart: Instant
    arrive: Instant

    def to_domain(self) -> Shipment:
        return Shipment(**self.model_dump())


class _MaterialDrawRecord(_Mirror):
    work_order_id: str
    step: Step
    material_id: str
    quantity: Quantity
    origin: str
    destination: str
    depart: Instant
    arrive: Instant

    def to_domain(self) -> MaterialDraw:
        return MaterialDraw(**self.model_dump())


class _DeliveryRecord(_Mirror):
    order_id: str
    plant_id: str
    region: str
    finish: Instant
    arrival: Instant
    due: Instant | None

    def to_domain(self) -> Delivery:
        return Delivery(**self.model_dump())


class _FinishedPartRecord(_Mirror):
    work_order_id: str
    item_id: str
    quantity: Quantity
    plant_id: str
    ready: Instant
    # Lax, so the source may be written as its text ("stock").
    source: Annotated[PartSource, Field(strict=False)]

    def to_domain(self) -> FinishedPart:
        return FinishedPart(**self.model_dump())


class _LeverRecord(_Mirror):
    id: str
    # Lax, so the kind may be written as its text ("shed").
    kind: Annotated[LeverKind, Field(strict=False)]
    plant_id: str
    usable_from: Instant
    cost: Annotated[float, Field(ge=0, le=10**15, strict=False)]
    # A machine loan: when the machines leave the borrower; written only for a loan.
    usable_until: Instant | None = None

    def to_domain(self) -> PulledLever:
        return PulledLever(**self.model_dump())


class _ScheduleRecord(_Record):
    work_orders: list[_WorkOrderRecord]
    operations: list[_OperationRecord]
    shipments: list[_ShipmentRecord]
    deliveries: list[_DeliveryRecord]
    material_draws: list[_MaterialDrawRecord] = []
    finished_parts: list[_FinishedPartRecord] = []
    # Version 5 on, written only when the plan pulls a lever.
    levers: list[_LeverRecord] = []

    @classmethod
    def of(cls, schedule: Schedule) -> _ScheduleRecord:
        return cls(
            work_orders=[_WorkOrderRecord.of(wa) for wa in schedule.work_orders],
            operations=[_OperationRecord.of(op) for op in schedule.operations],
            shipments=[_ShipmentRecord.of(s) for s in schedule.shipments],
            deliveries=[_DeliveryRecord.of(d) for d in schedule.deliveries],
            material_draws=[_MaterialDrawRecord.of(d) for d in schedule.material_draws],
            finished_parts=[_FinishedPartRecord.of(p) for p in schedule.finished_parts],
            levers=[_LeverRecord.of(lever) for lever in schedule.levers],
        )

    def to_domain(self) -> Schedule:
        return Schedule(
            work_orders=tuple(r.to_domain() for r in self.work_orders),
            operations=tuple(r.to_domain() for r in self.operations),
            shipments=tuple(r.to_domain() for r in self.shipments),
            deliveries=tuple(r.to_domain() for r in self.deliveries),
            material_draws=tuple(r.to_domain() for r in self.material_draws),
            finished_parts=tuple(r.to_domain() for r in self.finished_parts),
            levers=tuple(r.to_domain() for r in self.levers),
        )


class _ExplanationRecord(_Record):
    kind: str
    subject: str
    message: str


class _UnplannedRecord(_Mirror):
    order_id: str
    # Lax, so the reason may be written as its text ("short_of_material").
    reason: Annotated[UnplannedReason, Field(strict=False)]
    message: str

    def to_domain(self) -> UnplannedOrder:
        return UnplannedOrder(**self.model_dump())


class _PlanRecord(_Record):
    format: Literal["xiezuo-plan"]
    version: Literal[2, 3, 4, 5]
    # Lax, so the status may be written as its text ("optimal").
    status: Annotated[PlanStatus, Field(strict=False)]
    # Required from version 3 on (null for a first plan); version 2 files lack it.
    as_of: Instant | None = None
    tardiness_hours: WeightedHours | None
    tardiness_bound: WeightedHours | None
    makespan_hours: Hours | None
    makespan_bound_hours: Hours | None
    # Derived from the objectives: written for readers, ignored on reading.
    gap: float | None
    runtime_s: Annotated[float, Field(ge=0, le=MAX_HOURS * 3600)]
    unplanned: list[_UnplannedRecord]
    explanations: list[_ExplanationRecord]
    schedule: _ScheduleRecord | None

    @classmethod
    def of(cls, plan: Plan) -> _PlanRecord:
        return cls(
            format=FORMAT,
            version=VERSION,
            status=plan.status,
            as_of=plan.as_of,
            tardiness_hours=plan.tardiness_hours,
            tardiness_bound=plan.tardiness_bound,
            makespan_hours=_optional_hours(plan.makespan),
            makespan_bound_hours=_optional_hours(plan.makespan_bound),
            gap=plan.gap,
            runtime_s=plan.runtime_s,
            unplanned=[_UnplannedRecord.of(u) for u in plan.unplanned],
            explanations=[
                _ExplanationRecord(kind=e.kind, subject=e.subject, message=e.message)
                for e in plan.explanations
            ],
            schedule=None if plan.schedule is None else _ScheduleRecord.of(plan.schedule),
        )

    def to_domain(self) -> Plan:
        return Plan(
            status=self.status,
            schedule=None if self.schedule is None else self.schedule.to_domain(),
            tardiness_hours=self.tardiness_hours,
            tardiness_bound=self.tardiness_bound,
            makespan=_optional_duration(self.makespan_hours),
            makespan_bound=_optional_duration(self.makespan_bound_hours),
            runtime_s=self.runtime_s,
            unplanned=tuple(u.to_domain() for u in self.unplanned),
            explanations=tuple(Explanation(**e.model_dump()) for e in self.explanations),
            as_of=self.as_of,
        )


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The JSON-ready form of ``plan``: only dicts, lists, strings, numbers and ``None``."""
    data = _PlanRecord.of(plan).model_dump(mode="json")
    if data["schedule"] is not None and not data["schedule"]["levers"]:
        del data["schedule"]["levers"]  # written only when the plan pulls a lever
    for lever in [] if data["schedule"] is None else data["schedule"].get("levers", []):
        if lever["usable_until"] is None:
            del lever["usable_until"]
    for op in [] if data["schedule"] is None else data["schedule"]["operations"]:
        for name, unsaid in (("units", []), ("on_floor", False)):
            if op[name] == unsaid:
                del op[name]
    return data


def write_plan(plan: Plan, path: str | Path) -> None:
    """Write ``plan`` to ``path`` as UTF-8 JSON, readable again by :func:`read_plan`."""
    text = json.dumps(plan_to_dict(plan), indent=2, ensure_ascii=False)
    Path(path).write_text(text + "\n", encoding="utf-8")


def plan_from_dict(data: object, source: str, *, near: datetime | None = None) -> Plan:
    """Build a plan from parsed JSON.

    Parameters
    ----------
    data:
        What ``json.load`` returned for a plan file.
    source:
        Names the input in error messages, usually the file name.
    near:
        The start of the network the plan is for, if known: every instant of the
        schedule must then lie within ``PLAN_SPAN_LIMIT`` (20 years) of it.

    Raises
    ------
    InputError
        On the first malformed value, with its JSON path (``schedule.operations[12].start``)
        and what was expected.
    """
    if isinstance(data, dict) and data.get("version") == 1:
        raise InputError(
            source,
            "version",
            "this is a version 1 plan file, which does not say why orders are unplanned; "
            f"plan the scenario again to write version {VERSION}",
        )
    try:
        record = _PlanRecord.model_validate(data)
    except ValidationError as error:
        raise _input_error(error, source) from error
    _check_version_fields(record, source)
    if near is not None:
        _check_span(record, near, source)
    return record.to_domain()


def _check_version_fields(record: _PlanRecord, source: str) -> None:
    """Version 3 on states the status date (null for a first plan); version 2 knew
    neither it nor finished parts, versions before 4 knew no gangs and before 5 no
    levers, so an older file holding them is a mislabelled one."""
    if record.version >= 3 and "as_of" not in record.model_fields_set:
        raise InputError(source, "as_of", "this required field is missing")
    if record.version == VERSION:
        return
    if record.schedule is not None and record.schedule.levers:
        location, what, came = "schedule.levers", "levers pulled", 5
        raise InputError(
            source,
            location,
            f"{what} came with version {came} of the plan format, and a version "
            f"{record.version} file has none: set the version to {came}",
        )
    if record.version == 4:
        return
    ganged = next(
        (
            i
            for i, op in enumerate([] if record.schedule is None else record.schedule.operations)
            if op.model_fields_set & {"units", "on_floor"}
        ),
        None,
    )
    if ganged is not None:
        location, what, came = f"schedule.operations[{ganged}]", "ganged operations", 4
    elif record.version == 3:
        return
    elif "as_of" in record.model_fields_set:
        location, what, came = "as_of", "the status date", 3
    elif record.schedule is not None and "finished_parts" in record.schedule.model_fields_set:
        location, what, came = "schedule.finished_parts", "finished parts", 3
    else:
        return
    raise InputError(
        source,
        location,
        f"{what} came with version {came} of the plan format, and a version "
        f"{record.version} file has none: set the version to {came}",
    )


def _check_span(record: _PlanRecord, near: datetime, source: str) -> None:
    if record.as_of is not None and abs(record.as_of - near) > PLAN_SPAN_LIMIT:
        raise _far(source, "as_of", record.as_of, near)
    schedule = record.schedule
    if schedule is None:
        return
    for name in _ScheduleRecord.model_fields:
        entries: list[BaseModel] = getattr(schedule, name)
        for idx, entry in enumerate(entries):
            for field in type(entry).model_fields:
                value = getattr(entry, field)
                if isinstance(value, datetime) and abs(value - near) > PLAN_SPAN_LIMIT:
                    raise _far(source, f"schedule.{name}[{idx}].{field}", value, near)


def _far(source: str, location: str, value: datetime, near: datetime) -> InputError:
    return InputError(
        source,
        location,
        f"{value.isoformat()} is more than {PLAN_SPAN_LIMIT.days} days from "
        f"the network start at {near.isoformat()}, further than any plan reaches",
    )


def read_plan(path: str | Path, *, near: datetime | None = None) -> Plan:
    """Read a plan file written by :func:`write_plan`; ``near`` as in :func:`plan_from_dict`.

    Raises
    ------
    InputError
        When the file cannot be read, is not JSON (with line and column) or is not a
        plan (with the JSON path of the first bad value).
    """
    source = str(path)
    text = read_text_file(path, source, MAX_FILE_BYTES, "plan")
    try:
        data = json.loads(text, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as error:
        raise InputError(
            source,
            f"line {error.lineno}, column {error.colno}",
            f"the file is not valid JSON: {error.msg}",
        ) from error
    except (ValueError, RecursionError) as error:
        # A key given twice, integers of thousands of digits, lists nested thousands deep.
        raise InputError(source, "", f"the file is not a usable JSON document: {error}") from error
    return plan_from_dict(data, source, near=near)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object's fields; a key given twice would silently lose one of its values."""
    fields: dict[str, Any] = {}
    for key, value in pairs:
        if key in fields:
            raise ValueError(f"the key {key!r} appears twice in one object")
        fields[key] = value
    return fields


def _input_error(error: ValidationError, source: str) -> InputError:
    """Name the first problem; the rest are often its echoes (a missing list, ...)."""
    details = error.errors()
    first = details[0]
    location = "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" for part in first["loc"]
    ).lstrip(".")
    if first["type"] == "missing":
        problem = "this required field is missing"
    elif first["type"] == "extra_forbidden":
        problem = "this field is not part of the plan format; remove it or fix its spelling"
    else:
        message = first["msg"].removeprefix("Value error, ")
        problem = f"{message[:1].lower()}{message[1:]}"
        if first["type"] != "value_error":
            problem += f", not {_brief(first['input'])}"
    others = len(details) - 1
    if others:
        problem += f" (and {others} more problem{'s' if others > 1 else ''})"
    return InputError(source, location or "the whole file", problem)


def _brief(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."
