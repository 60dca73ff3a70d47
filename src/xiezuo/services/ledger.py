"""The cooperation ledger: what the plants of a plan promise each other.

The coordinating office holds the network together by the promises between plants:
plant A ships part X of order O to plant B, which needs it on a given day. In a plan
each promise is a :class:`~xiezuo.domain.Shipment`; this module adds what the office
asks of it: when B needs the part (the first operation at B that uses it), how much
slack the promise has (in B's working hours and in calendar hours), who waits on
whom, how many hours each plant works for other plants' orders against the hours
others work for its own ("help given and received"), the promises on a late order's
critical chain, and, against a progress report, which promises are kept, late or at
risk. Everything here is pure: a network and a plan (and a progress) in, data out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

from xiezuo.domain import StepStatus
from xiezuo.errors import InputError, ModelError
from xiezuo.io.plan_file import read_plan
from xiezuo.io.progress import load_progress
from xiezuo.io.tables import Column, Kind, Table
from xiezuo.services.planning import check_plan_fits, load_network

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from pathlib import Path

    from xiezuo.domain import (
        Calendar,
        Network,
        Plan,
        Progress,
        Schedule,
        ScheduledOperation,
        WorkOrderAssignment,
    )

DEFAULT_RISK_SLACK: Final = timedelta(hours=16)
"""A promise not yet kept is at risk when it has less slack than this in the receiving
plant's working hours: one day of two shifts."""

_HOUR: Final = timedelta(hours=1)
_MISFIT = "the plan does not fit the scenario"


@dataclass(frozen=True, slots=True, kw_only=True)
class Promise:
    """Plant ``origin`` ships work order ``work_order_id`` to ``destination``.

    ``need`` is when the destination starts the first operation that uses the part:
    the first step of the parent work order, and for a design (drawings) also the
    first step of any work the design gates at that plant. ``working_slack`` is the
    destination's working time (its plant calendar) between arrival and need,
    negative when the part arrives after it is needed; :attr:`slack` is the same in
    calendar time.
    """

    work_order_id: str
    order_id: str
    item_id: str
    quantity: int
    is_design: bool
    parent_id: str
    origin: str
    destination: str
    depart: datetime
    arrive: datetime
    need: datetime
    working_slack: timedelta

    @property
    def slack(self) -> timedelta:
        """Calendar time from arrival to need; negative when the part comes too late."""
        return self.need - self.arrive

    @property
    def is_on_time(self) -> bool:
        return self.arrive <= self.need

    def record(self) -> dict[str, Any]:
        """The promise for machines: ISO 8601 instants, slack in hours."""
        return {
            "work_order": self.work_order_id,
            "order": self.order_id,
            "item": self.item_id,
            "quantity": self.quantity,
            "design": self.is_design,
            "origin": self.origin,
            "destination": self.destination,
            "parent": self.parent_id,
            "depart": self.depart.isoformat(),
            "arrive": self.arrive.isoformat(),
            "need": self.need.isoformat(),
            "slack_working_hours": round(self.working_slack / _HOUR, 2),
            "slack_calendar_hours": round(self.slack / _HOUR, 2),
            "on_time": self.is_on_time,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Wait:
    """Plant ``waiting`` waits on plant ``on``: the promises ``on`` makes it."""

    waiting: str
    on: str
    promises: int
    late: int
    tightest: Promise

    def record(self) -> dict[str, Any]:
        return {
            "waiting": self.waiting,
            "on": self.on,
            "promises": self.promises,
            "late": self.late,
            "tightest_work_order": self.tightest.work_order_id,
            "tightest_slack_working_hours": round(self.tightest.working_slack / _HOUR, 2),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class PlantHelp:
    """Hours of work at one plant, split by whose order it serves.

    ``given`` is the plant's work for orders another plant finishes; ``received`` the
    other plants' work for orders this plant finishes; ``own`` its work for its own
    orders. ``by_region`` splits all the plant's work by the orders' customer regions.
    ``lent`` is help of another kind: person-hours of the plant's people seconded to
    each region (the plant's working hours while they are away, within the plan).
    """

    plant_id: str
    own: timedelta
    given: timedelta
    received: timedelta
    by_region: tuple[tuple[str, timedelta], ...]
    lent: tuple[tuple[str, timedelta], ...] = ()

    @property
    def balance(self) -> timedelta:
        """Help given minus help received: positive for a plant that helps more."""
        return self.given - self.received

    def record(self) -> dict[str, Any]:
        return {
            "plant": self.plant_id,
            "own_hours": round(self.own / _HOUR, 2),
            "given_hours": round(self.given / _HOUR, 2),
            "received_hours": round(self.received / _HOUR, 2),
            "hours_by_region": {region: round(t / _HOUR, 2) for region, t in self.by_region},
            "lent_person_hours_by_region": {region: round(t / _HOUR, 2) for region, t in self.lent},
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class ChainLink:
    """One work order on an order's critical chain.

    ``ready`` is when its last input reached it (for the first link, the earliest the
    order could start); ``held`` its time from then to its end, at ``plant_id``.
    ``promise`` is the shipment that took its part on to the next link up, ``transit``
    the travel time to it (a design may also travel to a plant with no shipment).
    """

    work_order_id: str
    item_id: str
    plant_id: str
    ready: datetime
    start: datetime
    end: datetime
    transit: timedelta
    promise: Promise | None

    @property
    def held(self) -> timedelta:
        return self.end - self.ready


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderChain:
    """An order's critical chain, from its end product down to where its work began.

    Walking down from the end product, each link is the input that arrived last at
    the link above: the chain of work, waits and transport that set the order's
    finish. ``responsible_plant`` is the plant that took the order on (the scenario's
    ``responsible_plant``), which need not be where it is finished.
    """

    order_id: str
    item_id: str
    plant_id: str
    due: datetime | None
    arrival: datetime
    explanation: str | None
    links: tuple[ChainLink, ...]
    responsible_plant: str | None = None

    @property
    def lateness(self) -> timedelta | None:
        return None if self.due is None else self.arrival - self.due

    @property
    def is_late(self) -> bool:
        return self.due is not None and self.arrival > self.due

    @property
    def promises(self) -> tuple[Promise, ...]:
        """The promises between plants on the chain, from the end product down."""
        return tuple(link.promise for link in self.links if link.promise is not None)

    @property
    def responsible(self) -> tuple[tuple[str, timedelta], ...]:
        """Plants on the chain with the time the chain spent at each, longest first."""
        held: dict[str, timedelta] = defaultdict(timedelta)
        for link in self.links:
            held[link.plant_id] += link.held
        return tuple(sorted(held.items(), key=lambda pair: (-pair[1], pair[0])))

    @property
    def transport(self) -> timedelta:
        return sum((link.transit for link in self.links), timedelta(0))

    def record(self) -> dict[str, Any]:
        lateness = self.lateness
        return {
            "order": self.order_id,
            "item": self.item_id,
            "plant": self.plant_id,
            "responsible_plant": self.responsible_plant,
            "due": None if self.due is None else self.due.isoformat(),
            "arrival": self.arrival.isoformat(),
            "lateness_hours": None if lateness is None else round(lateness / _HOUR, 2),
            "explanation": self.explanation,
            "chain": [
                {
                    "work_order": link.work_order_id,
                    "item": link.item_id,
                    "plant": link.plant_id,
                    "ready": link.ready.isoformat(),
                    "start": link.start.isoformat(),
                    "end": link.end.isoformat(),
                    "held_hours": round(link.held / _HOUR, 2),
                    "transit_hours": round(link.transit / _HOUR, 2),
                    "promise": None if link.promise is None else link.promise.work_order_id,
                }
                for link in self.links
            ],
            "responsible": [
                {"plant": plant, "held_hours": round(held / _HOUR, 2)}
                for plant, held in self.responsible
            ],
            "transport_hours": round(self.transport / _HOUR, 2),
        }


class PromiseState(StrEnum):
    KEPT = "kept"  # the part was finished by the day it was to leave
    LATE = "late"  # finished after that day, or that day has passed without it
    AT_RISK = "at risk"  # not due yet, but short of slack or behind its plan
    ON_TRACK = "on track"  # not due yet, on plan and with slack to spare


@dataclass(frozen=True, slots=True, kw_only=True)
class PromiseCheck:
    """A promise held against a progress report; ``reason`` says why it is in its state."""

    promise: Promise
    state: PromiseState
    finished: datetime | None
    reason: str

    def record(self) -> dict[str, Any]:
        return {
            "work_order": self.promise.work_order_id,
            "state": self.state.value,
            "finished": None if self.finished is None else self.finished.isoformat(),
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Ledger:
    """Everything the coordinating office reads about a plan's promises.

    ``checks`` is ``None`` without a progress report; ``as_of`` is then ``None`` too.
    ``plant_id`` names the plant a ledger is narrowed to (:func:`ledger_for_plant`).
    """

    start: datetime
    promises: tuple[Promise, ...]
    waits: tuple[Wait, ...]
    help: tuple[PlantHelp, ...]
    late_orders: tuple[OrderChain, ...]
    checks: tuple[PromiseCheck, ...] | None = None
    as_of: datetime | None = None
    risk_slack: timedelta = DEFAULT_RISK_SLACK
    plant_id: str | None = None  # set when narrowed to one plant's promises

    def record(self) -> dict[str, Any]:
        """The whole ledger for machines: the API's body."""
        return {
            "promises": [p.record() for p in self.promises],
            "waits": [w.record() for w in self.waits],
            "help": [h.record() for h in self.help],
            "late_orders": [chain.record() for chain in self.late_orders],
            "as_of": None if self.as_of is None else self.as_of.isoformat(),
            "risk_slack_working_hours": round(self.risk_slack / _HOUR, 2),
            "checks": None if self.checks is None else [c.record() for c in self.checks],
            "plant": self.plant_id,
        }


@dataclass(frozen=True, slots=True)
class _Part:
    item_id: str
    quantity: int
    plant_id: str
    ready: datetime


class _PlanIndex:
    """The plan's work orders, operations and shipments looked up by work order ID."""

    def __init__(self, network: Network, schedule: Schedule) -> None:
        self.network = network
        self.schedule = schedule
        self.assignment = {wa.work_order_id: wa for wa in schedule.work_orders}
        self.finished_part = {fp.work_order_id: fp for fp in schedule.finished_parts}
        ops: dict[str, list[ScheduledOperation]] = defaultdict(list)
        for op in schedule.operations:
            ops[op.work_order_id].append(op)
        self.first_start = {wo_id: min(op.start for op in found) for wo_id, found in ops.items()}
        self.ops = ops
        self.order = {order.id: order for order in network.orders}
        self.shipment = {s.work_order_id: s for s in schedule.shipments}
        children: dict[str | None, list[str]] = defaultdict(list)
        for wo_id in (*self.assignment, *self.finished_part):
            wa = self.assignment.get(wo_id)
            children[wa.parent_id if wa is not None else _parent_id(wo_id)].append(wo_id)
        self.children_by_parent = children

    def start_of(self, wa: WorkOrderAssignment) -> datetime:
        return self.first_start.get(wa.work_order_id, wa.start)

    def children(self, wo_id: str) -> list[str]:
        return list(self.children_by_parent.get(wo_id, ()))

    def is_design(self, wo_id: str, parent: WorkOrderAssignment) -> bool:
        item = self.network.item_by_id.get(parent.item_id)
        child_item = self.item_of(wo_id)
        if item is None:
            return False
        return any(line.is_design and line.item_id == child_item for line in item.bom)

    def item_of(self, wo_id: str) -> str | None:
        part = self.part(wo_id)
        return None if part is None else part.item_id

    def part(self, wo_id: str) -> _Part | None:
        """What a work order makes, where and by when: planned, or held finished."""
        wa = self.assignment.get(wo_id)
        if wa is not None:
            return _Part(wa.item_id, wa.quantity, wa.plant_id, wa.end)
        fp = self.finished_part.get(wo_id)
        return None if fp is None else _Part(fp.item_id, fp.quantity, fp.plant_id, fp.ready)

    def below(self, wo_id: str, *, skip: str | None = None) -> list[str]:
        """Work orders below ``wo_id`` in the BOM, leaving out ``skip`` and all below it."""
        found, stack = [], [c for c in self.children(wo_id) if c != skip]
        while stack:
            child = stack.pop()
            found.append(child)
            stack.extend(c for c in self.children(child) if c != skip)
        return found

    def gated_by(self, design_id: str, parent_id: str) -> list[WorkOrderAssignment]:
        """Work below the design's parent, outside the design's own subtree."""
        return [
            self.assignment[wo_id]
            for wo_id in self.below(parent_id, skip=design_id)
            if wo_id in self.assignment
        ]

    def calendar_of(self, plant_id: str) -> Calendar:
        plant = self.network.plant_by_id[plant_id]
        return plant.calendar or self.network.calendar


def _parent_id(work_order_id: str) -> str | None:
    """Work order IDs are paths (``ORD:MILL/STAND``): the parent is the path above."""
    head, sep, _ = work_order_id.rpartition("/")
    return head if sep else None


def _is_below(work_order_id: str, ancestor_id: str) -> bool:
    return work_order_id.startswith(ancestor_id + "/")


def _working_slack(calendar: Calendar, arrive: datetime, need: datetime) -> timedelta:
    if arrive <= need:
        return calendar.working_time(arrive, need)
    return -calendar.working_time(need, arrive)


def promises(network: Network, plan: Plan) -> tuple[Promise, ...]:
    """Every promise between plants in ``plan``: one per shipment, by departure.

    Parameters
    ----------
    network
        The plan's network: it gives the plants' calendars and which BOM lines are
        designs.
    plan
        A plan for ``network``; a plan without a schedule has no promises.

    Returns
    -------
    tuple[Promise, ...]
        The plan's shipments, each with its need at the destination and its slack,
        ordered by departure, then work order.

    Raises
    ------
    ModelError
        The plan does not fit the network: a shipment of a work order the plan neither
        makes nor holds finished, to a parent it does not make, or from or to a plant
        the network lacks. Every such shipment is listed.
    """
    if plan.schedule is None:
        return ()
    return _promises(_PlanIndex(network, plan.schedule))


def _promises(index: _PlanIndex) -> tuple[Promise, ...]:
    found: list[Promise] = []
    problems: list[str] = []
    for shipment in index.schedule.shipments:
        what = f"shipment of {shipment.work_order_id!r}"
        wa = index.assignment.get(shipment.work_order_id)
        part = index.part(shipment.work_order_id)
        parent_id = wa.parent_id if wa is not None else _parent_id(shipment.work_order_id)
        parent = None if parent_id is None else index.assignment.get(parent_id)
        unknown = [
            p for p in (shipment.origin, shipment.destination) if p not in index.network.plant_by_id
        ]
        if part is None:
            problems.append(f"{what}: the plan neither makes nor holds that work order")
        elif parent is None or parent_id is None:
            problems.append(f"{what}: the plan makes no parent work order for it")
        elif unknown:
            problems.append(f"{what}: the network has no plant {unknown[0]!r}")
        else:
            is_design = index.is_design(shipment.work_order_id, parent)
            needs = [index.start_of(parent)]
            if is_design:
                needs.extend(
                    index.start_of(gated)
                    for gated in index.gated_by(shipment.work_order_id, parent_id)
                    if gated.plant_id == shipment.destination
                )
            need = min(needs)
            found.append(
                Promise(
                    work_order_id=shipment.work_order_id,
                    order_id=parent.order_id,
                    item_id=part.item_id,
                    quantity=part.quantity,
                    is_design=is_design,
                    parent_id=parent_id,
                    origin=shipment.origin,
                    destination=shipment.destination,
                    depart=shipment.depart,
                    arrive=shipment.arrive,
                    need=need,
                    working_slack=_working_slack(
                        index.calendar_of(shipment.destination), shipment.arrive, need
                    ),
                )
            )
    if problems:
        raise ModelError(problems, source=_MISFIT)
    return tuple(sorted(found, key=lambda p: (p.depart, p.work_order_id)))


def waits(found: Iterable[Promise]) -> tuple[Wait, ...]:
    """Who waits on whom: per (receiving plant, shipping plant), the count of promises,
    how many come too late, and the one with least working slack."""
    by_pair: dict[tuple[str, str], list[Promise]] = defaultdict(list)
    for promise in found:
        by_pair[promise.destination, promise.origin].append(promise)
    return tuple(
        Wait(
            waiting=waiting,
            on=on,
            promises=len(pair),
            late=sum(not p.is_on_time for p in pair),
            tightest=min(pair, key=lambda p: (p.working_slack, p.slack, p.work_order_id)),
        )
        for (waiting, on), pair in sorted(by_pair.items())
    )


def help_given_and_received(network: Network, plan: Plan) -> tuple[PlantHelp, ...]:
    """Per plant of the network, its hours of work for other plants' orders against
    other plants' hours for its own orders, all its hours by customer region, and the
    person-hours of its people seconded to regions while the plan runs.

    An order belongs to the plant that finishes its end product. Hours are the
    operations' working time (setup and run), once per machine unit a ganged step
    holds. Help given by all plants together
    equals help received by all together: each hour is one plant's help to another.

    Raises
    ------
    ModelError
        An operation belongs to a work order or order the plan or network lacks.
    """
    schedule = plan.schedule
    plant_ids = [plant.id for plant in network.plants]
    zero = timedelta(0)
    own = dict.fromkeys(plant_ids, zero)
    given = dict.fromkeys(plant_ids, zero)
    received = dict.fromkeys(plant_ids, zero)
    by_region: dict[str, dict[str, timedelta]] = {p: {} for p in plant_ids}
    if schedule is None:
        return tuple(
            PlantHelp(plant_id=p, own=zero, given=zero, received=zero, by_region=())
            for p in plant_ids
        )
    final_plant = {wa.order_id: wa.plant_id for wa in schedule.work_orders if wa.parent_id is None}
    final_plant.update({d.order_id: d.plant_id for d in schedule.deliveries})
    order_of = {wa.work_order_id: wa.order_id for wa in schedule.work_orders}
    region_of = {order.id: order.region for order in network.orders}
    problems: list[str] = []
    for op in schedule.operations:
        order_id = order_of.get(op.work_order_id)
        what = f"operation {op.step} of {op.work_order_id!r}"
        if order_id is None:
            problems.append(f"{what}: the plan assigns no such work order")
            continue
        owner = final_plant.get(order_id)
        region = region_of.get(order_id)
        if owner is None or region is None or op.plant_id not in own or owner not in own:
            problems.append(f"{what}: order {order_id!r} or its plants are unknown")
            continue
        work = op.work * op.gang  # a ganged step works every unit it holds
        if owner == op.plant_id:
            own[owner] += work
        else:
            given[op.plant_id] += work
            received[owner] += work
        regions = by_region[op.plant_id]
        regions[region] = regions.get(region, zero) + work
    if problems:
        raise ModelError(problems, source=_MISFIT)
    region_rank = {region: idx for idx, region in enumerate(network.regions)}

    def by_rank(hours: dict[str, timedelta]) -> tuple[tuple[str, timedelta], ...]:
        return tuple(sorted(hours.items(), key=lambda kv: (region_rank.get(kv[0], 1 << 30), kv[0])))

    lent = _lent(network, max((op.end for op in schedule.operations), default=network.start))
    return tuple(
        PlantHelp(
            plant_id=p,
            own=own[p],
            given=given[p],
            received=received[p],
            by_region=by_rank(by_region[p]),
            lent=by_rank(lent.get(p, {})),
        )
        for p in plant_ids
    )


def _lent(network: Network, until: datetime) -> dict[str, dict[str, timedelta]]:
    """Person-hours each plant's secondments take from it, by region, up to ``until``."""
    lent: dict[str, dict[str, timedelta]] = defaultdict(dict)
    for secondment in network.secondments:
        plant = network.plant_by_id.get(secondment.plant_id)
        if plant is None:
            continue
        start = max(secondment.start, network.start)
        end = min(secondment.end or until, until)
        if start >= end:
            continue
        calendar = plant.calendar or network.calendar
        hours = secondment.count * calendar.working_time(start, end)
        region = secondment.region or "(no region)"
        regions = lent[plant.id]
        regions[region] = regions.get(region, timedelta(0)) + hours
    return lent


def critical_chain(network: Network, plan: Plan, order_id: str) -> OrderChain:
    """The critical chain of a planned order and the promises on it.

    From the end product down, the chain follows at each work order the input
    (component, or design that gates it) that reached it last; the walk ends at a
    work order without inputs or at a part the plan holds finished. The plan's own
    explanation of the order, if it has one, comes with it.

    Raises
    ------
    InputError
        The plan does not deliver an order ``order_id``.
    ModelError
        The plan does not fit the network (see :func:`promises`).
    """
    schedule = plan.schedule
    delivery = None
    if schedule is not None:
        delivery = next((d for d in schedule.deliveries if d.order_id == order_id), None)
    if schedule is None or delivery is None:
        known = [] if schedule is None else sorted(d.order_id for d in schedule.deliveries)
        late = (
            [] if schedule is None else sorted(d.order_id for d in schedule.deliveries if d.is_late)
        )
        hint = f"its late orders: {', '.join(late)}" if late else "no order of it is late"
        raise InputError(
            "order",
            "",
            f"the plan delivers no order {order_id!r} ({len(known)} orders planned; {hint})",
        )
    index = _PlanIndex(network, schedule)
    by_id = {p.work_order_id: p for p in _promises(index)}
    return _chain(index, plan, by_id, order_id)


def _chain(
    index: _PlanIndex, plan: Plan, promise_by_wo: dict[str, Promise], order_id: str
) -> OrderChain:
    delivery = next(d for d in index.schedule.deliveries if d.order_id == order_id)
    order = index.order.get(order_id)
    root = next(
        (
            wa
            for wa in index.schedule.work_orders
            if wa.order_id == order_id and wa.parent_id is None
        ),
        None,
    )
    if order is None or root is None:
        raise ModelError(
            [f"order {order_id!r}: the network lacks it or the plan makes no end product"],
            source=_MISFIT,
        )
    earliest = max(t for t in (index.network.start, order.release, plan.as_of) if t is not None)
    links: list[ChainLink] = []
    current: WorkOrderAssignment | None = root
    transit, promise = timedelta(0), None
    while current is not None:
        inputs = _inputs(index, current)
        last = max(inputs, key=lambda kv: (kv[0], kv[1]), default=None)
        links.append(
            ChainLink(
                work_order_id=current.work_order_id,
                item_id=current.item_id,
                plant_id=current.plant_id,
                ready=min(earliest if last is None else last[0], index.start_of(current)),
                start=index.start_of(current),
                end=current.end,
                transit=transit,
                promise=promise,
            )
        )
        if last is None:
            break
        arrival, input_id = last
        upper_plant = current.plant_id
        current = index.assignment.get(input_id)
        if current is not None:
            transit = arrival - current.end
            # A design also reaches plants whose work it gates; only its trip to the
            # parent's plant is a shipment, so only that one is a promise.
            promise = promise_by_wo.get(input_id)
            if promise is not None and promise.destination != upper_plant:
                promise = None
    explanation = next(
        (e.message for e in plan.explanations if e.kind == "late" and e.subject == order_id),
        None,
    )
    return OrderChain(
        order_id=order_id,
        item_id=root.item_id,
        plant_id=delivery.plant_id,
        due=delivery.due,
        arrival=delivery.arrival,
        explanation=explanation,
        links=tuple(links),
        responsible_plant=order.responsible_plant,
    )


def _inputs(index: _PlanIndex, wa: WorkOrderAssignment) -> list[tuple[datetime, str]]:
    """When each input of a work order reached its plant: components, then designs."""
    found = []
    ids = index.children(wa.work_order_id)
    ancestor = wa.parent_id
    while ancestor is not None:
        parent = index.assignment.get(ancestor)
        if parent is None:
            break
        for sibling in index.children(ancestor):
            if (
                sibling not in ids
                and index.is_design(sibling, parent)
                and not _is_below(wa.work_order_id, sibling)
                and sibling != wa.work_order_id
            ):
                ids.append(sibling)
        ancestor = parent.parent_id
    for input_id in ids:
        shipment = index.shipment.get(input_id)
        if shipment is not None and shipment.destination == wa.plant_id:
            found.append((shipment.arrive, input_id))
            continue
        part = index.part(input_id)
        if part is not None:
            lead = index.network.lead_time(part.plant_id, wa.plant_id) or timedelta(0)
            found.append((part.ready + lead, input_id))
    return found


def late_order_chains(
    network: Network, plan: Plan, *, found: Sequence[Promise] | None = None
) -> tuple[OrderChain, ...]:
    """The critical chain of every late order, latest first; ``found`` are the plan's
    promises if already computed."""
    schedule = plan.schedule
    if schedule is None:
        return ()
    index = _PlanIndex(network, schedule)
    by_id = {p.work_order_id: p for p in (_promises(index) if found is None else found)}
    late = sorted(
        (d for d in schedule.deliveries if d.is_late),
        key=lambda d: (-(d.lateness or timedelta(0)), d.order_id),
    )
    return tuple(_chain(index, plan, by_id, d.order_id) for d in late)


def check_promises(
    network: Network,
    plan: Plan,
    progress: Progress,
    *,
    risk_slack: timedelta = DEFAULT_RISK_SLACK,
    found: Sequence[Promise] | None = None,
) -> tuple[PromiseCheck, ...]:
    """Hold each promise against what the plants reported by ``progress.as_of``.

    A part is finished when its work order, or one above it, is reported finished,
    when every step of its routing is reported done, or when the plan (a replan) holds
    it as a finished part, reported or covered by parts in stock. A finished part is
    kept if it was finished by its departure, else late; an unfinished one is late
    once its departure has passed; before that it is at risk when its working slack
    is below ``risk_slack`` or when it or any work order below it is behind the plan
    (a step planned to start before the status date is not reported at all, or one
    planned to end by then is not reported done); otherwise on track.

    Parameters
    ----------
    found
        The promises of ``plan`` if already computed, else they are computed here.
    """
    schedule = plan.schedule
    if schedule is None:
        return ()
    index = _PlanIndex(network, schedule)
    checked = _promises(index) if found is None else found
    as_of = progress.as_of
    finished_at = {f.work_order_id: f.finished for f in progress.finished}
    steps: dict[str, dict[int, StepStatus]] = defaultdict(dict)
    done_end: dict[str, list[datetime]] = defaultdict(list)
    for report in progress.steps:
        steps[report.work_order_id][report.step] = report.status
        if report.status is StepStatus.DONE and report.end is not None:
            done_end[report.work_order_id].append(report.end)

    def finished(wo_id: str) -> datetime | None:
        node: str | None = wo_id
        while node is not None:
            if node in finished_at:
                return finished_at[node]
            node = _parent_id(node)
        part = index.finished_part.get(wo_id)
        if part is not None:
            return part.ready
        wa = index.assignment.get(wo_id)
        routing_steps = _routing_length(network, wa) if wa is not None else None
        reported = steps.get(wo_id, {})
        if routing_steps and all(
            reported.get(step) is StepStatus.DONE for step in range(1, routing_steps + 1)
        ):
            return max(done_end[wo_id])
        return None

    def behind(wo_id: str) -> str | None:
        for op_wo in (wo_id, *index.below(wo_id)):
            if finished(op_wo) is not None:
                continue
            for op in sorted(index.ops.get(op_wo, ()), key=lambda o: o.start):
                status = steps.get(op_wo, {}).get(op.step)
                # The item names the work order: the rest of its ID is the promise's.
                step = f"{op_wo.rpartition('/')[2]} step {op.step}"
                if op.end <= as_of and status is not StepStatus.DONE:
                    return f"{step} not done, planned done {op.end:%Y-%m-%d %H:%M}"
                if op.start < as_of and status is None:
                    return f"{step} not started, planned {op.start:%Y-%m-%d %H:%M}"
        return None

    checks = []
    for promise in checked:
        done = finished(promise.work_order_id)
        due = f"{promise.depart:%Y-%m-%d %H:%M}"
        if done is not None:
            state = PromiseState.KEPT if done <= promise.depart else PromiseState.LATE
            reason = (
                f"finished {done:%Y-%m-%d %H:%M}, "
                + ("by" if state is PromiseState.KEPT else "after")
                + f" its date {due}"
            )
        elif as_of > promise.depart:
            state, reason = PromiseState.LATE, f"not reported finished; it was to leave {due}"
        elif (lag := behind(promise.work_order_id)) is not None:
            state, reason = PromiseState.AT_RISK, f"behind plan: {lag}"
        elif promise.working_slack < risk_slack:
            state = PromiseState.AT_RISK
            reason = (
                f"{promise.working_slack / _HOUR:.1f} working hours of slack at "
                f"{promise.destination}, under {risk_slack / _HOUR:.1f} h"
            )
        else:
            state, reason = PromiseState.ON_TRACK, f"on plan; to leave {due}"
        checks.append(PromiseCheck(promise=promise, state=state, finished=done, reason=reason))
    return tuple(checks)


def _routing_length(network: Network, wa: WorkOrderAssignment) -> int | None:
    item = network.item_by_id.get(wa.item_id)
    if item is None:
        return None
    routing = next((r for r in item.routings if r.id == wa.routing_id), None)
    return None if routing is None else len(routing.operations)


def build_ledger(
    network: Network,
    plan: Plan,
    progress: Progress | None = None,
    *,
    risk_slack: timedelta = DEFAULT_RISK_SLACK,
) -> Ledger:
    """The whole cooperation ledger of ``plan``; with ``progress``, each promise checked.

    Raises
    ------
    ModelError
        The plan does not fit the network.
    """
    found = promises(network, plan)
    return Ledger(
        start=network.start,
        promises=found,
        waits=waits(found),
        help=help_given_and_received(network, plan),
        late_orders=late_order_chains(network, plan, found=found),
        checks=None
        if progress is None
        else check_promises(network, plan, progress, risk_slack=risk_slack, found=found),
        as_of=None if progress is None else progress.as_of,
        risk_slack=risk_slack,
    )


def ledger_for_plant(ledger: Ledger, plant_id: str) -> Ledger:
    """The ledger narrowed to one plant: the promises it makes and those made to it,
    its rows of who waits on whom, and the late orders whose chain passes through it or
    that it took on (its ``responsible_plant`` orders).
    Help given and received stays network-wide, so the plant sees itself among the
    others.

    Raises
    ------
    InputError
        The network has no plant ``plant_id``.
    """
    plants = [h.plant_id for h in ledger.help]
    if plant_id not in plants:
        raise InputError(
            "plant", "", f"the network has no plant {plant_id!r}; its plants: {', '.join(plants)}"
        )

    def touches(promise: Promise) -> bool:
        return plant_id in (promise.origin, promise.destination)

    return replace(
        ledger,
        plant_id=plant_id,
        promises=tuple(p for p in ledger.promises if touches(p)),
        waits=tuple(w for w in ledger.waits if plant_id in (w.waiting, w.on)),
        late_orders=tuple(
            c
            for c in ledger.late_orders
            if c.responsible_plant == plant_id or any(link.plant_id == plant_id for link in c.links)
        ),
        checks=None
        if ledger.checks is None
        else tuple(c for c in ledger.checks if touches(c.promise)),
    )


def ledger_of_files(
    scenario: Path,
    plan_path: Path,
    progress_path: Path | None = None,
    *,
    risk_slack: timedelta = DEFAULT_RISK_SLACK,
) -> tuple[Network, Plan, Ledger]:
    """Read a scenario, a plan of it and optionally a progress file; build the ledger.

    Raises
    ------
    InputError
        A file is malformed, or the plan is mostly about orders the scenario lacks.
    ModelError
        The plan does not fit the scenario in some of its shipments or operations.
    """
    network = load_network(scenario)
    plan = read_plan(plan_path, near=network.start)
    check_plan_fits(network, plan, scenario, plan_path)
    progress = None if progress_path is None else load_progress(progress_path, network, plan)
    return network, plan, build_ledger(network, plan, progress, risk_slack=risk_slack)


def ledger_tables(ledger: Ledger) -> tuple[Table, ...]:
    """The ledger as spreadsheet tables: promises, waits, help, regions, people lent,
    chains and, with progress, checks. Instants are wall-clock times in the network's
    zone (that of its start), as a spreadsheet has no zones."""

    def local(value: datetime) -> datetime:
        return value.astimezone(ledger.start.tzinfo).replace(tzinfo=None)

    promise_columns = (
        Column("work_order"),
        Column("order"),
        Column("item"),
        Column("quantity", Kind.INT),
        Column("design"),
        Column("from"),
        Column("to"),
        Column("leaves", Kind.DATETIME),
        Column("arrives", Kind.DATETIME),
        Column("needed", Kind.DATETIME),
        Column("slack_working_hours", Kind.HOURS),
        Column("slack_calendar_hours", Kind.HOURS),
        Column("on_time"),
    )
    tables = [
        Table(
            name="promises",
            columns=promise_columns,
            rows=tuple(
                (
                    p.work_order_id,
                    p.order_id,
                    p.item_id,
                    p.quantity,
                    "yes" if p.is_design else "no",
                    p.origin,
                    p.destination,
                    local(p.depart),
                    local(p.arrive),
                    local(p.need),
                    p.working_slack / _HOUR,
                    p.slack / _HOUR,
                    "yes" if p.is_on_time else "no",
                )
                for p in ledger.promises
            ),
        ),
        Table(
            name="waits",
            columns=(
                Column("waiting"),
                Column("on"),
                Column("promises", Kind.INT),
                Column("late", Kind.INT),
                Column("tightest_work_order"),
                Column("least_slack_working_hours", Kind.HOURS),
            ),
            rows=tuple(
                (
                    w.waiting,
                    w.on,
                    w.promises,
                    w.late,
                    w.tightest.work_order_id,
                    w.tightest.working_slack / _HOUR,
                )
                for w in ledger.waits
            ),
        ),
        Table(
            name="help",
            columns=(
                Column("plant"),
                Column("own_hours", Kind.HOURS),
                Column("given_hours", Kind.HOURS),
                Column("received_hours", Kind.HOURS),
                Column("balance_hours", Kind.HOURS),
            ),
            rows=tuple(
                (h.plant_id, h.own / _HOUR, h.given / _HOUR, h.received / _HOUR, h.balance / _HOUR)
                for h in ledger.help
            ),
        ),
        Table(
            name="help_by_region",
            columns=(Column("plant"), Column("region"), Column("hours", Kind.HOURS)),
            rows=tuple(
                (h.plant_id, region, hours / _HOUR)
                for h in ledger.help
                for region, hours in h.by_region
            ),
        ),
        Table(
            name="people_lent",
            columns=(Column("plant"), Column("region"), Column("person_hours", Kind.HOURS)),
            rows=tuple(
                (h.plant_id, region, hours / _HOUR) for h in ledger.help for region, hours in h.lent
            ),
        ),
        Table(
            name="late_chains",
            columns=(
                Column("order"),
                Column("lateness_hours", Kind.HOURS),
                Column("position", Kind.INT),
                Column("work_order"),
                Column("item"),
                Column("plant"),
                Column("inputs_in", Kind.DATETIME),
                Column("start", Kind.DATETIME),
                Column("end", Kind.DATETIME),
                Column("held_hours", Kind.HOURS),
                Column("transit_hours", Kind.HOURS),
                Column("promise_to"),
            ),
            rows=tuple(
                (
                    chain.order_id,
                    None if chain.lateness is None else chain.lateness / _HOUR,
                    position,
                    link.work_order_id,
                    link.item_id,
                    link.plant_id,
                    local(link.ready),
                    local(link.start),
                    local(link.end),
                    link.held / _HOUR,
                    link.transit / _HOUR,
                    None if link.promise is None else link.promise.destination,
                )
                for chain in ledger.late_orders
                for position, link in enumerate(chain.links, start=1)
            ),
        ),
    ]
    if ledger.checks is not None:
        tables.append(
            Table(
                name="checks",
                columns=(
                    Column("work_order"),
                    Column("from"),
                    Column("to"),
                    Column("leaves", Kind.DATETIME),
                    Column("state"),
                    Column("finished", Kind.DATETIME),
                    Column("why"),
                ),
                rows=tuple(
                    (
                        c.promise.work_order_id,
                        c.promise.origin,
                        c.promise.destination,
                        local(c.promise.depart),
                        c.state.value,
                        None if c.finished is None else local(c.finished),
                        c.reason,
                    )
                    for c in ledger.checks
                ),
            )
        )
    return tuple(tables)
