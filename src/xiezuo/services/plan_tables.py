"""A plan as the tables a planner opens in Excel: orders, operations, weekly load,
material draws, shipments and explanations.

:func:`plan_tables` builds typed rows from a network and its plan (instants stay
zone-aware, durations stay ``timedelta``), so the server and other reports can use
them as they are; :meth:`PlanTables.tables` turns them into :class:`~xiezuo.io.tables.Table`\\ s
in the network's time zone for :func:`~xiezuo.io.tables.write_xlsx` and
:func:`~xiezuo.io.tables.write_csv_dir`. ``docs/excel-output.md`` describes every column.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Final

from xiezuo.domain import explode_orders
from xiezuo.errors import ModelError
from xiezuo.io.tables import Column, Kind, Table, Value
from xiezuo.services import display
from xiezuo.services.reports import order_lines

if TYPE_CHECKING:
    from collections.abc import Iterator
    from datetime import tzinfo

    from xiezuo.domain import Delivery, Network, Order, Plan, Schedule

_HOUR: Final = timedelta(hours=1)
_DAY: Final = timedelta(days=1)
_WEEK: Final = timedelta(days=7)
ENGINEERING: Final = "engineering"
"""The process shown for work done by people alone (drawings, process design)."""
MISFIT: Final = "the plan does not fit the scenario"
_PROBLEMS_LISTED: Final = 10


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderRow:
    """An order of the plan: when it reaches its customer against its due date.

    ``status`` is ``late``, ``on time``, ``no due date`` or ``unplanned``;
    ``notes`` holds why it is unplanned, or the plan's explanations about it.
    """

    order_id: str
    item_id: str
    quantity: int
    region: str
    weight: int
    made_at: tuple[str, ...]
    ships_from: str | None
    finish: datetime | None
    arrival: datetime | None
    due: datetime | None
    lateness: timedelta | None
    status: str
    notes: str


@dataclass(frozen=True, slots=True, kw_only=True)
class OperationRow:
    """One scheduled operation with the order and item it is for.

    ``units`` are the machine group's units it holds, numbered from 0 as in the plan
    (several for a gang, which holds ``work * gang`` unit-hours); engineering work
    needs people only, so it has no ``machine_id`` and no ``units``.
    """

    order_id: str
    work_order_id: str
    item_id: str
    quantity: int
    step: int
    process: str
    plant_id: str
    machine_id: str | None
    units: tuple[int, ...]
    start: datetime
    end: datetime
    work: timedelta

    @property
    def gang(self) -> int | None:
        """Units working the step together; ``None`` for engineering work."""
        return len(self.units) or None


@dataclass(frozen=True, slots=True, kw_only=True)
class LoadRow:
    """Unit-hours of work on a machine group in one ISO week against its units'
    working hours.

    An operation's work is counted in the weeks whose working time it runs in, once
    for every unit it holds (a gang of three holds three units).
    ``machine_id`` ``None`` is the plant's engineering work: it loads people, not a
    machine, so it has no ``available`` hours.
    """

    plant_id: str
    machine_id: str | None
    process: str
    units: int | None
    week: str
    week_start: date
    work: timedelta
    available: timedelta | None

    @property
    def utilisation(self) -> float | None:
        if not self.available:
            return None
        return self.work / self.available


@dataclass(frozen=True, slots=True, kw_only=True)
class DrawRow:
    """Material taken from a warehouse for one step; a transfer when it leaves
    another plant."""

    order_id: str
    work_order_id: str
    item_id: str
    step: int
    material_id: str
    quantity: int
    unit: str
    origin: str
    destination: str
    depart: datetime
    arrive: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ShipmentRow:
    """A part going to the plant that builds its parent (``kind`` ``part``), or an
    order's end product going to its customer region (``kind`` ``delivery``)."""

    kind: str
    order_id: str
    work_order_id: str | None  # None: a replan's end product that is a finished part
    item_id: str
    quantity: int
    origin: str
    destination: str
    depart: datetime
    arrive: datetime


PART: Final = "part"
DELIVERY: Final = "delivery"


@dataclass(frozen=True, slots=True, kw_only=True)
class ExplanationRow:
    kind: str
    subject: str
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanTables:
    """Every table of a plan, as typed rows; :meth:`tables` shapes them for files."""

    network_name: str
    status: str
    as_of: datetime | None
    tardiness_hours: float | None
    makespan: timedelta | None
    zone: tzinfo | None
    start: datetime
    orders: tuple[OrderRow, ...]
    operations: tuple[OperationRow, ...]
    load: tuple[LoadRow, ...]
    draws: tuple[DrawRow, ...]
    shipments: tuple[ShipmentRow, ...]
    explanations: tuple[ExplanationRow, ...]

    def tables(self) -> tuple[Table, ...]:
        """The tables in reading order, instants as wall-clock times in the network's
        zone (named in the ``about`` table), durations as hours or days."""
        return (
            self._orders_table(),
            self._operations_table(),
            self._load_table(),
            self._draws_table(),
            self._shipments_table(),
            Table(
                name="explanations",
                columns=(Column("kind"), Column("subject"), Column("message")),
                rows=tuple((e.kind, e.subject, e.message) for e in self.explanations),
            ),
            self._about_table(),
        )

    def _local(self, instant: datetime | None) -> datetime | None:
        return None if instant is None else instant.astimezone(self.zone).replace(tzinfo=None)

    def _due_column(self) -> tuple[Column, list[Value]]:
        """Dues as days when every one is a midnight (a scenario's ``due: 1958-07-31``
        is 00:00 on 1 August, the end of the 31st), else as times."""
        local = [self._local(row.due) for row in self.orders]
        if all(due is None or due.time() == time(0) for due in local):
            days: list[Value] = [None if due is None else (due - _DAY).date() for due in local]
            return Column("due", Kind.DATE), days
        return Column("due", Kind.DATETIME), list(local)

    def _orders_table(self) -> Table:
        due_column, dues = self._due_column()
        columns = (
            Column("order"),
            Column("item"),
            Column("quantity", Kind.INT),
            Column("region"),
            Column("weight", Kind.INT),
            Column("made at"),
            Column("ships from"),
            Column("finish", Kind.DATETIME),
            Column("arrival", Kind.DATETIME),
            due_column,
            Column("lateness (days)", Kind.DAYS),
            Column("lateness (hours)", Kind.HOURS),
            Column("status"),
            Column("notes"),
        )
        rows = tuple(
            (
                row.order_id,
                row.item_id,
                row.quantity,
                row.region,
                row.weight,
                ", ".join(row.made_at) or None,
                row.ships_from,
                self._local(row.finish),
                self._local(row.arrival),
                due,
                None if row.lateness is None else row.lateness / _DAY,
                None if row.lateness is None else row.lateness / _HOUR,
                row.status,
                row.notes or None,
            )
            for row, due in zip(self.orders, dues, strict=True)
        )
        return Table(name="orders", columns=columns, rows=rows)

    def _operations_table(self) -> Table:
        columns = (
            Column("order"),
            Column("work order"),
            Column("item"),
            Column("quantity", Kind.INT),
            Column("step", Kind.INT),
            Column("process"),
            Column("plant"),
            Column("machine group"),
            Column("units"),
            Column("gang", Kind.INT),
            Column("start", Kind.DATETIME),
            Column("end", Kind.DATETIME),
            Column("hours", Kind.HOURS),
        )
        rows = tuple(
            (
                op.order_id,
                op.work_order_id,
                op.item_id,
                op.quantity,
                op.step,
                op.process,
                op.plant_id,
                op.machine_id,
                # Numbered from 1 as on the Gantt chart and the task sheets.
                ", ".join(str(unit + 1) for unit in op.units) or None,
                op.gang,
                self._local(op.start),
                self._local(op.end),
                op.work / _HOUR,
            )
            for op in self.operations
        )
        return Table(name="operations", columns=columns, rows=rows)

    def _load_table(self) -> Table:
        columns = (
            Column("plant"),
            Column("machine group"),
            Column("process"),
            Column("units", Kind.INT),
            Column("week"),
            Column("week start", Kind.DATE),
            Column("work hours", Kind.HOURS),
            Column("available hours", Kind.HOURS),
            Column("utilisation", Kind.PERCENT),
        )
        rows = tuple(
            (
                row.plant_id,
                row.machine_id,
                row.process,
                row.units,
                row.week,
                row.week_start,
                row.work / _HOUR,
                None if row.available is None else row.available / _HOUR,
                row.utilisation,
            )
            for row in self.load
        )
        return Table(name="load", columns=columns, rows=rows)

    def _draws_table(self) -> Table:
        columns = (
            Column("order"),
            Column("work order"),
            Column("item"),
            Column("step", Kind.INT),
            Column("material"),
            Column("quantity", Kind.INT),
            Column("unit"),
            Column("from warehouse"),
            Column("to plant"),
            Column("transfer"),
            Column("depart", Kind.DATETIME),
            Column("arrive", Kind.DATETIME),
        )
        rows = tuple(
            (
                draw.order_id,
                draw.work_order_id,
                draw.item_id,
                draw.step,
                draw.material_id,
                draw.quantity,
                draw.unit,
                draw.origin,
                draw.destination,
                "yes" if draw.origin != draw.destination else "no",
                self._local(draw.depart),
                self._local(draw.arrive),
            )
            for draw in self.draws
        )
        return Table(name="material-draws", columns=columns, rows=rows)

    def _shipments_table(self) -> Table:
        columns = (
            Column("kind"),
            Column("order"),
            Column("work order"),
            Column("item"),
            Column("quantity", Kind.INT),
            Column("from"),
            Column("to"),
            Column("depart", Kind.DATETIME),
            Column("arrive", Kind.DATETIME),
            Column("transit hours", Kind.HOURS),
        )
        rows = tuple(
            (
                row.kind,
                row.order_id,
                row.work_order_id,
                row.item_id,
                row.quantity,
                row.origin,
                row.destination,
                self._local(row.depart),
                self._local(row.arrive),
                (row.arrive - row.depart) / _HOUR,
            )
            for row in self.shipments
        )
        return Table(name="shipments", columns=columns, rows=rows)

    def _about_table(self) -> Table:
        notes = [
            ("network", self.network_name or display.NONE),
            ("plan status", self.status),
        ]
        if self.as_of is not None:
            notes.append(("replanned as of", display.instant(self.as_of, self.zone)))
        notes += [
            ("weighted tardiness", display.hours(self.tardiness_hours)),
            ("makespan", display.span(self.makespan)),
            ("times", display.zone_note(self.zone, self.start)),
        ]
        if self._due_column()[0].kind is Kind.DATE:
            notes.append(("due", "A date is the end of that day."))
        notes += [
            (
                "lateness",
                "Arrival at the customer region minus the due date: positive is late, "
                "negative early.",
            ),
            (
                "load",
                "Unit-hours of work per machine group and ISO week (Monday to Sunday), "
                "each operation counted once for every unit it holds, in the working "
                "hours it runs in; against its units' working hours that week from the "
                "horizon start. Engineering work needs people, not machines, so it has "
                "no available hours.",
            ),
            (
                "shipments",
                "part: a finished part travelling to the plant that builds its parent; "
                "delivery: an order's end product travelling to its customer region.",
            ),
        ]
        return Table(name="about", columns=(Column("topic"), Column("note")), rows=tuple(notes))


def plan_tables(network: Network, plan: Plan) -> PlanTables:
    """The plan's tables; a plan without a schedule has only its unplanned orders
    and explanations.

    Raises
    ------
    ModelError
        The plan does not fit the network: it names work orders, plants, machine
        groups, materials or orders the network lacks (the first ten are listed).
    """
    schedule = plan.schedule
    if schedule is None:
        orders = _unplanned_rows(network, plan)
        operations: tuple[OperationRow, ...] = ()
        load: tuple[LoadRow, ...] = ()
        draws: tuple[DrawRow, ...] = ()
        shipments: tuple[ShipmentRow, ...] = ()
    else:
        problems: list[str] = []
        work_orders = _work_orders(network, schedule, problems)
        _check_places(network, schedule, problems)
        if problems:
            shown = problems[:_PROBLEMS_LISTED]
            if len(problems) > _PROBLEMS_LISTED:
                shown.append(f"… and {len(problems) - _PROBLEMS_LISTED} more")
            raise ModelError(shown, source=MISFIT)
        orders = _order_rows(network, plan)
        operations = _operation_rows(schedule, work_orders)
        load = _load_rows(network, schedule)
        draws = _draw_rows(network, schedule, work_orders)
        shipments = _shipment_rows(network, schedule, work_orders)
    return PlanTables(
        network_name=network.name,
        status=plan.status.value,
        as_of=plan.as_of,
        tardiness_hours=plan.tardiness_hours,
        makespan=plan.makespan,
        zone=network.start.tzinfo,
        start=network.start,
        orders=orders,
        operations=operations,
        load=load,
        draws=draws,
        shipments=shipments,
        explanations=tuple(
            ExplanationRow(kind=e.kind, subject=e.subject, message=e.message)
            for e in plan.explanations
        ),
    )


@dataclass(frozen=True, slots=True)
class _WorkOrderFacts:
    order_id: str
    item_id: str
    quantity: int


def _work_orders(
    network: Network, schedule: Schedule, problems: list[str]
) -> dict[str, _WorkOrderFacts]:
    """Order, item and quantity of every work order the schedule mentions.

    A replan has work orders it does not assign: finished parts, and the reported
    steps of an order it leaves out. The BOM explosion knows those.
    """
    facts = {
        wo.work_order_id: _WorkOrderFacts(wo.order_id, wo.item_id, wo.quantity)
        for wo in schedule.work_orders
    }
    mentioned = dict.fromkeys(
        [part.work_order_id for part in schedule.finished_parts]
        + [op.work_order_id for op in schedule.operations]
        + [draw.work_order_id for draw in schedule.material_draws]
        + [shipment.work_order_id for shipment in schedule.shipments]
    )
    unassigned = [work_order_id for work_order_id in mentioned if work_order_id not in facts]
    if unassigned:
        exploded = {wo.id: wo for wo in explode_orders(network)}
        for work_order_id in unassigned:
            node = exploded.get(work_order_id)
            if node is None:
                problems.append(f"work order {work_order_id!r} belongs to none of its orders")
            else:
                facts[work_order_id] = _WorkOrderFacts(node.order_id, node.item_id, node.quantity)
    return facts


def _check_places(network: Network, schedule: Schedule, problems: list[str]) -> None:
    materials = {material.id for material in network.materials}
    for op in schedule.operations:
        plant = network.plant_by_id.get(op.plant_id)
        if plant is None:
            problems.append(
                f"operation {op.work_order_id} step {op.step}: no plant {op.plant_id!r}"
            )
        elif op.machine_id is not None and op.machine_id not in {m.id for m in plant.machines}:
            problems.append(
                f"operation {op.work_order_id} step {op.step}: plant {op.plant_id!r} has no "
                f"machine group {op.machine_id!r}"
            )
    for draw in schedule.material_draws:
        if draw.material_id not in materials:
            problems.append(f"draw for {draw.work_order_id}: no material {draw.material_id!r}")
    orders = {order.id for order in network.orders}
    for delivery in schedule.deliveries:
        if delivery.order_id not in orders:
            problems.append(f"delivery of order {delivery.order_id!r}: no such order")


def _unplanned_rows(network: Network, plan: Plan) -> tuple[OrderRow, ...]:
    order_by_id = {order.id: order for order in network.orders}
    rows = []
    for unplanned in plan.unplanned:
        order = order_by_id.get(unplanned.order_id)
        if order is not None:
            rows.append(_order_row(order, (), None, "unplanned", unplanned.message))
    return tuple(rows)


def _order_rows(network: Network, plan: Plan) -> tuple[OrderRow, ...]:
    order_by_id = {order.id: order for order in network.orders}
    reason_by_order = {u.order_id: u.message for u in plan.unplanned}
    notes_by_subject: dict[str, list[str]] = defaultdict(list)
    for note in plan.explanations:
        notes_by_subject[note.subject].append(f"{note.kind}: {note.message}")
    rows = []
    for line in order_lines(network, plan):
        delivery = line.delivery
        if delivery is None:
            status = "unplanned"
            notes = reason_by_order.get(line.order_id, "")
        else:
            # Late at the customer or ex works, as the objective counts it.
            status = (
                "late"
                if line.is_late
                else "no due date"
                if delivery.due is None and line.due_ex_works is None
                else "on time"
            )
            notes = "; ".join(notes_by_subject.get(line.order_id, ()))
        rows.append(_order_row(order_by_id[line.order_id], line.plants, delivery, status, notes))
    return tuple(rows)


def _order_row(
    order: Order, made_at: tuple[str, ...], delivery: Delivery | None, status: str, notes: str
) -> OrderRow:
    return OrderRow(
        order_id=order.id,
        item_id=order.item_id,
        quantity=order.quantity,
        region=order.region,
        weight=order.priority,
        made_at=made_at,
        ships_from=None if delivery is None else delivery.plant_id,
        finish=None if delivery is None else delivery.finish,
        arrival=None if delivery is None else delivery.arrival,
        due=order.due,
        lateness=None if delivery is None else delivery.lateness,
        status=status,
        notes=notes,
    )


def _operation_rows(
    schedule: Schedule, work_orders: dict[str, _WorkOrderFacts]
) -> tuple[OperationRow, ...]:
    """By plant, then start, machine group and unit: how a plant reads its work."""
    rows = [
        OperationRow(
            order_id=work_orders[op.work_order_id].order_id,
            work_order_id=op.work_order_id,
            item_id=work_orders[op.work_order_id].item_id,
            quantity=work_orders[op.work_order_id].quantity,
            step=op.step,
            process=op.process or ENGINEERING,
            plant_id=op.plant_id,
            machine_id=op.machine_id,
            units=() if op.machine_id is None else op.held_units,
            start=op.start,
            end=op.end,
            work=op.work,
        )
        for op in schedule.operations
    ]
    rows.sort(key=lambda r: (r.plant_id, r.start, r.machine_id or "", r.units, r.work_order_id))
    return tuple(rows)


def _load_rows(network: Network, schedule: Schedule) -> tuple[LoadRow, ...]:
    """Every machine group in every week from the horizon start to the last operation's
    end, and each plant's engineering work in the weeks it has any."""
    if not schedule.operations:
        return ()
    zone = network.start.tzinfo
    first = min(network.start, *(op.start for op in schedule.operations))
    last = max(op.end for op in schedule.operations)
    first_day = first.astimezone(zone).date()
    monday = first_day - timedelta(days=first_day.weekday())
    weeks: list[date] = []
    while datetime.combine(monday, time(), tzinfo=zone) < last:
        weeks.append(monday)
        monday += _WEEK
    bounds = [datetime.combine(day, time(), tzinfo=zone) for day in weeks]
    bounds.append(datetime.combine(monday, time(), tzinfo=zone))

    def split(window_start: datetime, window_end: datetime) -> Iterator[tuple[int, timedelta]]:
        """A span cut at week boundaries: (week index, time in that week)."""
        while window_start < window_end:
            idx = (window_start.astimezone(zone).date() - weeks[0]).days // 7
            piece_end = min(window_end, bounds[idx + 1])
            yield idx, piece_end - window_start
            window_start = piece_end

    work: dict[tuple[str, str | None, int], timedelta] = defaultdict(timedelta)
    for op in schedule.operations:
        plant = network.plant_by_id[op.plant_id]
        if op.machine_id is None:
            calendar = plant.calendar or network.calendar
            windows = calendar.windows(op.start, op.end) if op.start < op.end else iter(())
        else:
            windows = network.machine_windows(plant, plant.machine(op.machine_id), op.start, op.end)
        # Work fills the working time from the start: what the windows cannot hold
        # (reported history off the calendar) counts in the week the operation ends.
        remaining = op.work
        for window_start, window_end in windows:
            for idx, length in split(window_start, window_end):
                taken = min(length, remaining)
                if taken > timedelta(0):
                    work[op.plant_id, op.machine_id, idx] += taken * op.gang
                remaining -= taken
            if remaining <= timedelta(0):
                break
        if remaining > timedelta(0):
            end_idx = next(i for i in range(len(weeks)) if op.end <= bounds[i + 1])
            work[op.plant_id, op.machine_id, end_idx] += remaining * op.gang

    pulled = {lever.id for lever in schedule.levers}
    rows = []
    for plant in network.plants:
        for machine in plant.machines:
            if machine.lever is not None and machine.lever not in pulled:
                continue  # a shed or loan the plan did not take has no capacity
            available: dict[int, timedelta] = defaultdict(timedelta)
            for window in network.machine_windows(plant, machine, network.start, bounds[-1]):
                for idx, length in split(*window):
                    available[idx] += length * machine.units
            rows += [
                LoadRow(
                    plant_id=plant.id,
                    machine_id=machine.id,
                    process=machine.process,
                    units=machine.units,
                    week=_iso_week(day),
                    week_start=day,
                    work=work.get((plant.id, machine.id, idx), timedelta(0)),
                    available=available[idx],
                )
                for idx, day in enumerate(weeks)
            ]
        rows += [
            LoadRow(
                plant_id=plant.id,
                machine_id=None,
                process=ENGINEERING,
                units=None,
                week=_iso_week(day),
                week_start=day,
                work=work[plant.id, None, idx],
                available=None,
            )
            for idx, day in enumerate(weeks)
            if (plant.id, None, idx) in work
        ]
    return tuple(rows)


def _iso_week(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def _draw_rows(
    network: Network, schedule: Schedule, work_orders: dict[str, _WorkOrderFacts]
) -> tuple[DrawRow, ...]:
    unit_by_material = {material.id: material.unit for material in network.materials}
    rows = [
        DrawRow(
            order_id=work_orders[draw.work_order_id].order_id,
            work_order_id=draw.work_order_id,
            item_id=work_orders[draw.work_order_id].item_id,
            step=draw.step,
            material_id=draw.material_id,
            quantity=draw.quantity,
            unit=unit_by_material[draw.material_id],
            origin=draw.origin,
            destination=draw.destination,
            depart=draw.depart,
            arrive=draw.arrive,
        )
        for draw in schedule.material_draws
    ]
    rows.sort(key=lambda r: (r.depart, r.origin, r.work_order_id, r.step, r.material_id))
    return tuple(rows)


def _shipment_rows(
    network: Network, schedule: Schedule, work_orders: dict[str, _WorkOrderFacts]
) -> tuple[ShipmentRow, ...]:
    """Parts between plants as the schedule has them, then each order's delivery."""
    rows = [
        ShipmentRow(
            kind=PART,
            order_id=work_orders[s.work_order_id].order_id,
            work_order_id=s.work_order_id,
            item_id=work_orders[s.work_order_id].item_id,
            quantity=work_orders[s.work_order_id].quantity,
            origin=s.origin,
            destination=s.destination,
            depart=s.depart,
            arrive=s.arrive,
        )
        for s in schedule.shipments
    ]
    order_by_id = {order.id: order for order in network.orders}
    root_by_order = {
        wo.order_id: wo.work_order_id for wo in schedule.work_orders if wo.parent_id is None
    }
    for delivery in schedule.deliveries:
        order = order_by_id[delivery.order_id]
        rows.append(
            ShipmentRow(
                kind=DELIVERY,
                order_id=order.id,
                work_order_id=root_by_order.get(order.id),
                item_id=order.item_id,
                quantity=order.quantity,
                origin=delivery.plant_id,
                destination=delivery.region,
                depart=delivery.finish,
                arrive=delivery.arrival,
            )
        )
    return tuple(rows)
