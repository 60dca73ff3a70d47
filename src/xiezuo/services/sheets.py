"""Plant task sheets: what each plant does, day by day and shift by shift.

A plant manager reads one sheet per working day: for each shift, grouped by machine
group, the operations that start in it (order, item, quantity, step, hours, machine
unit), the crew each needs, whether its drawings are ready, and the material to draw
and from which warehouse; and for the whole day the parts and material coming in and
going out.

A *shift* is one of a calendar's shifts on a working day: shift ``k`` of day ``d``
runs from ``first_shift_start + k × shift_length`` on ``d`` for ``shift_length`` (a
night shift belongs to the day it starts on). Each operation lies on exactly one
sheet: the shift of its own calendar (its machine's, or its plant's for engineering
work) in which it starts. An operation a progress report started outside every shift
goes to its day's *outside shifts* section (``ShiftSheet.number`` 0), so nothing is
lost from the sheets.

Everything here is a pure function of a network and a plan; rendering (HTML, CSV,
labels in each language) lives in :mod:`xiezuo.web.sheets`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import TYPE_CHECKING

from xiezuo.domain import CrewNeed, explode_orders
from xiezuo.domain.explosion import design_gates
from xiezuo.errors import InputError, ModelError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from xiezuo.domain import Calendar, Network, Plan, ScheduledOperation

_DAY = timedelta(days=1)
_HOUR = timedelta(hours=1)
MAX_DAYS = 366
"""Most days one call puts on sheets: a year of daily pages is already a book."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Draw:
    """Material one operation takes from a warehouse when it starts.

    ``origin`` is the plant whose warehouse holds it; when that is another plant, the
    material leaves it at ``depart`` (an inter-plant transfer).
    """

    material_id: str
    quantity: int
    unit: str
    origin: str
    depart: datetime
    arrive: datetime
    is_transfer: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Drawings:
    """The design work (drawings, process documents) an operation waits for.

    ``ready_at`` is when the last of it has reached the operation's plant, ``None``
    when the plan does not make one of the designs; ``is_ready`` says whether that is
    no later than the operation's start. ``from_plants`` are the plants drawing them.
    """

    design_work_orders: tuple[str, ...]
    from_plants: tuple[str, ...]
    ready_at: datetime | None
    is_ready: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class OperationRow:
    """One operation on a shift's sheet; ``machine_id`` ``None`` is engineering work."""

    operation: ScheduledOperation
    order_id: str
    item_id: str
    quantity: int
    crew: tuple[CrewNeed, ...]
    drawings: Drawings | None
    draws: tuple[Draw, ...]

    @property
    def hours(self) -> float:
        return self.operation.work / _HOUR


@dataclass(frozen=True, slots=True, kw_only=True)
class MachineGroupSheet:
    """The operations of one machine group (or of the engineering staff) in a shift."""

    machine_id: str | None
    process: str | None
    rows: tuple[OperationRow, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ShiftSheet:
    """A shift of a day: ``number`` 1, 2, … in its calendar; 0 for work outside every shift.

    ``groups`` hold the operations starting in the shift; ``continuing`` those begun in
    an earlier shift of their calendar and still running when this one starts, so each
    shift's crew sees every machine that is busy.
    """

    number: int
    start: datetime
    end: datetime
    groups: tuple[MachineGroupSheet, ...]
    continuing: tuple[OperationRow, ...] = ()

    @property
    def rows(self) -> tuple[OperationRow, ...]:
        return tuple(row for group in self.groups for row in group.rows)


class MovementKind(StrEnum):
    PART_IN = "part_in"  # a component made at another plant arrives
    MATERIAL_IN = "material_in"  # material from another plant's warehouse arrives
    RECEIPT = "receipt"  # a supply (purchase, one-off stock) arrives
    PART_OUT = "part_out"  # a component leaves for the plant that builds its parent
    MATERIAL_OUT = "material_out"  # material leaves the warehouse for another plant
    DELIVERY = "delivery"  # an order's end product leaves for its customer region

    @property
    def is_incoming(self) -> bool:
        return self in (MovementKind.PART_IN, MovementKind.MATERIAL_IN, MovementKind.RECEIPT)


@dataclass(frozen=True, slots=True, kw_only=True)
class MovementRow:
    """Something arriving at or leaving a plant on a day.

    ``what`` is an item or a material; ``counterpart`` is the other plant, the
    customer region, or a supply's source. Incoming rows fall on the day they arrive,
    outgoing rows on the day they leave. ``unit`` is a material's unit (``None`` for
    parts, counted in pieces); ``due`` is a delivery's due date.
    """

    kind: MovementKind
    what: str
    order_id: str | None
    quantity: int
    unit: str | None
    counterpart: str
    depart: datetime | None
    arrive: datetime
    due: datetime | None = None

    @property
    def when(self) -> datetime:
        return self.arrive if self.kind.is_incoming or self.depart is None else self.depart


@dataclass(frozen=True, slots=True, kw_only=True)
class DaySheet:
    """One plant's page for one day."""

    plant_id: str
    day: date
    shifts: tuple[ShiftSheet, ...]
    incoming: tuple[MovementRow, ...]
    outgoing: tuple[MovementRow, ...]

    @property
    def rows(self) -> tuple[OperationRow, ...]:
        return tuple(row for shift in self.shifts for row in shift.rows)


@dataclass(frozen=True, slots=True, kw_only=True)
class PlantSheets:
    plant_id: str
    plant_name: str
    days: tuple[DaySheet, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Sheets:
    """Task sheets of one or every plant for the days ``first_day`` to ``last_day``.

    Days with neither work nor movements get no page; ``zone`` is the network's
    time zone, in which days and shifts are laid out.
    """

    network_name: str
    zone: tzinfo | None
    first_day: date
    last_day: date
    plants: tuple[PlantSheets, ...]


@dataclass(frozen=True, slots=True)
class _ShiftKey:
    day: date
    number: int
    start: datetime
    end: datetime


def task_sheets(
    network: Network,
    plan: Plan,
    *,
    plant_id: str | None = None,
    first_day: date | None = None,
    days: int | None = None,
) -> Sheets:
    """The task sheets of every plant (or of ``plant_id``) for a span of days.

    Parameters
    ----------
    network
        The plan's scenario.
    plan
        A plan for it; a plan without a schedule gives sheets without days.
    plant_id
        Only this plant's sheets.
    first_day, days
        The span, in the network's time zone: by default from the horizon start (a
        replan's status date) to the day of the plan's last operation or movement.

    Raises
    ------
    InputError
        An unknown plant, or a span that is empty or longer than :data:`MAX_DAYS`.
    ModelError
        The plan does not fit the network (an operation of an unassigned work order,
        or of an unknown plant, item, routing or step); every such operation is listed.
    """
    if plant_id is not None and plant_id not in network.plant_by_id:
        known = ", ".join(plant.id for plant in network.plants)
        raise InputError("plant", "", f"the scenario has no plant {plant_id!r}; it has {known}")
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise InputError("days", "", f"give 1 to {MAX_DAYS} days, not {days}")
    _check_plants(network, plan)
    zone = network.start.tzinfo
    plants = [p for p in network.plants if plant_id in (None, p.id)]
    builder = _Builder(network, plan, zone)
    rows_by_plant = {p.id: builder.operation_rows(p.id) for p in plants}
    moves_by_plant = {p.id: builder.movements(p.id) for p in plants}
    # A replan's work before its status date is history, not tasks; a night shift
    # begun the evening before the horizon start is the first day's.
    origin = plan.as_of or network.start
    days_ahead = [
        k.day
        for rows in rows_by_plant.values()
        for k, row, _ in rows
        if row.operation.start >= origin
    ] + [
        _local_day(m.when, zone)
        for moves in moves_by_plant.values()
        for m in moves
        if m.when >= origin
    ]
    start_day = first_day or min([_local_day(origin, zone), *days_ahead])
    if days is not None:
        end_day = start_day + (days - 1) * _DAY
    else:
        end_day = max([start_day, *days_ahead])
        if (end_day - start_day).days >= MAX_DAYS:
            raise InputError(
                "days",
                "",
                f"the plan runs from {start_day} to {end_day}, more than {MAX_DAYS} days; "
                "give a first day and a number of days",
            )
    return Sheets(
        network_name=network.name,
        zone=zone,
        first_day=start_day,
        last_day=end_day,
        plants=tuple(
            PlantSheets(
                plant_id=p.id,
                plant_name=p.name,
                days=_day_sheets(
                    p.id, rows_by_plant[p.id], moves_by_plant[p.id], zone, start_day, end_day
                ),
            )
            for p in plants
        ),
    )


def _day_sheets(
    plant_id: str,
    rows: list[tuple[_ShiftKey, OperationRow, Calendar]],
    moves: list[MovementRow],
    zone: tzinfo | None,
    first: date,
    last: date,
) -> tuple[DaySheet, ...]:
    rows_by_day: dict[date, dict[_ShiftKey, list[OperationRow]]] = defaultdict(
        lambda: defaultdict(list)
    )
    carried_by_day: dict[date, dict[_ShiftKey, list[OperationRow]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for key, row, calendar in rows:
        if first <= key.day <= last:
            rows_by_day[key.day][key].append(row)
        for later in _later_shifts(calendar, row.operation, key, zone, first, last):
            carried_by_day[later.day][later].append(row)
    moves_by_day: dict[date, list[MovementRow]] = defaultdict(list)
    for move in moves:
        day = _local_day(move.when, zone)
        if first <= day <= last:
            moves_by_day[day].append(move)
    sheets = []
    for day in sorted(rows_by_day.keys() | carried_by_day.keys() | moves_by_day.keys()):
        by_shift = rows_by_day.get(day, {})
        carried = carried_by_day.get(day, {})
        day_moves = sorted(moves_by_day.get(day, []), key=lambda m: (m.when, m.what))
        sheets.append(
            DaySheet(
                plant_id=plant_id,
                day=day,
                shifts=tuple(
                    ShiftSheet(
                        number=k.number,
                        start=k.start,
                        end=k.end,
                        groups=_groups(by_shift.get(k, [])),
                        continuing=tuple(sorted(carried.get(k, []), key=_by_machine)),
                    )
                    for k in sorted(
                        by_shift.keys() | carried.keys(),
                        key=lambda k: (k.number == 0, k.start, k.number),
                    )
                ),
                incoming=tuple(m for m in day_moves if m.kind.is_incoming),
                outgoing=tuple(m for m in day_moves if not m.kind.is_incoming),
            )
        )
    return tuple(sheets)


def _later_shifts(
    calendar: Calendar,
    op: ScheduledOperation,
    started_in: _ShiftKey,
    zone: tzinfo | None,
    first: date,
    last: date,
) -> Iterator[_ShiftKey]:
    """The calendar's shifts from ``first`` to ``last`` that start while ``op`` runs,
    after the shift it started in."""
    end = op.end.astimezone(zone)
    day = max(first, started_in.day)
    while day <= min(last, end.date()):
        for shift in _shifts(calendar, day, zone):
            if started_in.start < shift.start < end and shift.start > op.start:
                yield shift
        day += _DAY


def _by_machine(row: OperationRow) -> tuple[bool, str, int, datetime]:
    op = row.operation
    return (op.machine_id is not None, op.machine_id or "", op.unit, op.start)


def _groups(rows: list[OperationRow]) -> tuple[MachineGroupSheet, ...]:
    """Machine groups by the earliest start among their rows; engineering work first."""
    by_group: dict[str | None, list[OperationRow]] = defaultdict(list)
    for row in rows:
        by_group[row.operation.machine_id].append(row)
    ordered = sorted(
        by_group.items(),
        key=lambda kv: (kv[0] is not None, kv[0] or ""),
    )
    return tuple(
        MachineGroupSheet(
            machine_id=machine_id,
            process=group[0].operation.process,
            rows=tuple(
                sorted(
                    group,
                    key=lambda r: (r.operation.start, r.operation.unit, r.operation.work_order_id),
                )
            ),
        )
        for machine_id, group in ordered
    )


class _Builder:
    """Lookups over one network and plan, built once for every plant's rows."""

    def __init__(self, network: Network, plan: Plan, zone: tzinfo | None) -> None:
        self.network = network
        self.zone = zone
        self.schedule = plan.schedule
        self.work_orders = {wo.id: wo for wo in explode_orders(network)}
        self.gates = design_gates(tuple(self.work_orders.values()))
        schedule = plan.schedule
        self.assignments = (
            {} if schedule is None else {wa.work_order_id: wa for wa in schedule.work_orders}
        )
        self.finished = (
            {} if schedule is None else {fp.work_order_id: fp for fp in schedule.finished_parts}
        )
        self.draws: dict[tuple[str, int], list[Draw]] = defaultdict(list)
        self.units = {m.id: m.unit for m in network.materials}
        if schedule is not None:
            for draw in schedule.material_draws:
                self.draws[draw.work_order_id, draw.step].append(
                    Draw(
                        material_id=draw.material_id,
                        quantity=draw.quantity,
                        unit=self.units.get(draw.material_id, ""),
                        origin=draw.origin,
                        depart=draw.depart,
                        arrive=draw.arrive,
                        is_transfer=draw.is_transfer,
                    )
                )

    def operation_rows(self, plant_id: str) -> list[tuple[_ShiftKey, OperationRow, Calendar]]:
        if self.schedule is None:
            return []
        plant = self.network.plant_by_id[plant_id]
        rows = []
        problems = []
        for op in self.schedule.operations:
            if op.plant_id != plant_id:
                continue
            what = f"operation {op.step} of work order {op.work_order_id!r}"
            wa = self.assignments.get(op.work_order_id)
            item = None if wa is None else self.network.item_by_id.get(wa.item_id)
            routing = (
                None
                if wa is None or item is None
                else next((r for r in item.routings if r.id == wa.routing_id), None)
            )
            machine = next((m for m in plant.machines if m.id == op.machine_id), None)
            if wa is None:
                problems.append(f"{what}: the plan assigns no such work order")
            elif item is None:
                problems.append(f"{what}: the network has no item {wa.item_id!r}")
            elif routing is None:
                problems.append(f"{what}: item {wa.item_id!r} has no routing {wa.routing_id!r}")
            elif not 1 <= op.step <= len(routing.operations):
                problems.append(
                    f"{what}: routing {routing.id!r} has steps 1 to {len(routing.operations)}"
                )
            elif op.machine_id is not None and machine is None:
                problems.append(f"{what}: plant {plant_id!r} has no machine {op.machine_id!r}")
            else:
                calendar = (
                    self.network.machine_calendar(plant, machine)
                    if machine is not None
                    else plant.calendar or self.network.calendar
                )
                row = OperationRow(
                    operation=op,
                    order_id=wa.order_id,
                    item_id=wa.item_id,
                    quantity=wa.quantity,
                    crew=routing.operations[op.step - 1].crew,
                    drawings=self._drawings(op),
                    draws=tuple(
                        sorted(
                            self.draws.get((op.work_order_id, op.step), ()),
                            key=lambda d: (d.material_id, d.origin),
                        )
                    ),
                )
                rows.append((_shift_of(calendar, op.start, self.zone), row, calendar))
        if problems:
            raise ModelError(problems, source="the plan does not fit the scenario")
        return rows

    def _drawings(self, op: ScheduledOperation) -> Drawings | None:
        designs = self.gates.get(op.work_order_id, ())
        if not designs:
            return None
        arrivals: list[datetime | None] = []
        plants = []
        for design_id in designs:
            ready = self._ready(design_id)
            if ready is None:
                arrivals.append(None)
                continue
            plant, at = ready
            plants.append(plant)
            lead = self.network.lead_time(plant, op.plant_id)
            arrivals.append(None if lead is None else at + lead)
        known = [a for a in arrivals if a is not None]
        ready_at = max(known) if known and len(known) == len(arrivals) else None
        return Drawings(
            design_work_orders=designs,
            from_plants=tuple(sorted(set(plants))),
            ready_at=ready_at,
            is_ready=ready_at is not None and ready_at <= op.start,
        )

    def _ready(self, work_order_id: str) -> tuple[str, datetime] | None:
        """Where and when a work order's output is ready, if the plan makes or has it."""
        part = self.finished.get(work_order_id)
        if part is not None:
            return part.plant_id, part.ready
        wa = self.assignments.get(work_order_id)
        return None if wa is None else (wa.plant_id, wa.end)

    def _describe(self, work_order_id: str) -> tuple[str, str | None, int]:
        """Item, order and quantity of a work order, from the plan or the explosion."""
        wa = self.assignments.get(work_order_id)
        if wa is not None:
            return wa.item_id, wa.order_id, wa.quantity
        part = self.finished.get(work_order_id)
        wo = self.work_orders.get(work_order_id)
        if part is not None:
            return part.item_id, None if wo is None else wo.order_id, part.quantity
        if wo is not None:
            return wo.item_id, wo.order_id, wo.quantity
        return work_order_id, None, 0

    def movements(self, plant_id: str) -> list[MovementRow]:
        moves = [
            MovementRow(
                kind=MovementKind.RECEIPT,
                what=s.material_id,
                order_id=None,
                quantity=s.quantity,
                unit=self.units.get(s.material_id),
                counterpart=s.source,
                depart=None,
                arrive=s.arrives,
            )
            for s in self.network.supplies
            if s.plant_id == plant_id
        ]
        if self.schedule is None:
            return moves
        for ship in self.schedule.shipments:
            if ship.origin == ship.destination or plant_id not in (ship.origin, ship.destination):
                continue
            item_id, order_id, quantity = self._describe(ship.work_order_id)
            incoming = ship.destination == plant_id
            moves.append(
                MovementRow(
                    kind=MovementKind.PART_IN if incoming else MovementKind.PART_OUT,
                    what=item_id,
                    order_id=order_id,
                    quantity=quantity,
                    unit=None,
                    counterpart=ship.origin if incoming else ship.destination,
                    depart=ship.depart,
                    arrive=ship.arrive,
                )
            )
        for draw in self.schedule.material_draws:
            if not draw.is_transfer or plant_id not in (draw.origin, draw.destination):
                continue
            incoming = draw.destination == plant_id
            moves.append(
                MovementRow(
                    kind=MovementKind.MATERIAL_IN if incoming else MovementKind.MATERIAL_OUT,
                    what=draw.material_id,
                    order_id=self._describe(draw.work_order_id)[1],
                    quantity=draw.quantity,
                    unit=self.units.get(draw.material_id),
                    counterpart=draw.origin if incoming else draw.destination,
                    depart=draw.depart,
                    arrive=draw.arrive,
                )
            )
        due_by_order = {o.id: o.due for o in self.network.orders}
        item_by_order = {o.id: o.item_id for o in self.network.orders}
        quantity_by_order = {o.id: o.quantity for o in self.network.orders}
        moves.extend(
            MovementRow(
                kind=MovementKind.DELIVERY,
                what=item_by_order.get(d.order_id, d.order_id),
                order_id=d.order_id,
                quantity=quantity_by_order.get(d.order_id, 0),
                unit=None,
                counterpart=d.region,
                depart=d.finish,
                arrive=d.arrival,
                due=due_by_order.get(d.order_id, d.due),
            )
            for d in self.schedule.deliveries
            if d.plant_id == plant_id
        )
        return moves


def _check_plants(network: Network, plan: Plan) -> None:
    """Refuse a plan with work at plants the scenario lacks: its sheets would go missing."""
    if plan.schedule is None:
        return
    unknown = sorted({op.plant_id for op in plan.schedule.operations} - network.plant_by_id.keys())
    if unknown:
        raise ModelError(
            [
                f"the plan has work at plant {p!r}, which the scenario does not have"
                for p in unknown
            ],
            source="the plan does not fit the scenario",
        )


def _local_day(instant: datetime, zone: tzinfo | None) -> date:
    return instant.astimezone(zone).date()


def _shifts(calendar: Calendar, day: date, zone: tzinfo | None) -> Iterable[_ShiftKey]:
    if day.weekday() not in calendar.working_days or day in calendar.holidays:
        return
    first = datetime.combine(day, calendar.first_shift_start, tzinfo=zone)
    for k in range(calendar.shifts_per_day):
        start = first + k * calendar.shift_length
        yield _ShiftKey(day=day, number=k + 1, start=start, end=start + calendar.shift_length)


def _shift_of(calendar: Calendar, instant: datetime, zone: tzinfo | None) -> _ShiftKey:
    """The calendar's shift holding ``instant``, or its day's outside-shifts section."""
    local = instant.astimezone(zone)
    for day in (local.date() - _DAY, local.date()):
        for shift in _shifts(calendar, day, zone):
            if shift.start <= local < shift.end:
                return shift
    midnight = datetime.combine(local.date(), time(0), tzinfo=zone)
    return _ShiftKey(day=local.date(), number=0, start=midnight, end=midnight + _DAY)
