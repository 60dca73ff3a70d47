"""Summaries a planner reads: per order when it arrives, per plant how loaded it is."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from xiezuo.domain import Delivery, Network, Plan

_HOUR = timedelta(hours=1)


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderLine:
    """An order with its delivery, or ``delivery=None`` when the plan leaves it out.

    ``group_lateness`` is the lateness of the order's group (that of its latest order,
    which is what the objective counts); ``responsible_plant`` is the plant answerable
    for the order, whatever plant makes it.
    """

    order_id: str
    item_id: str
    region: str
    due: datetime | None
    plants: tuple[str, ...]
    delivery: Delivery | None
    due_ex_works: datetime | None = None
    deadline: datetime | None = None
    group: str | None = None
    group_lateness: timedelta | None = None
    responsible_plant: str | None = None

    RECORD_FIELDS: ClassVar[tuple[str, ...]] = (
        "order",
        "item",
        "region",
        "plants",
        "planned",
        "finish",
        "arrival",
        "due",
        "lateness_hours",
        "late",
        "due_ex_works",
        "ex_works_lateness_hours",
        "deadline",
        "group",
        "group_lateness_hours",
        "responsible_plant",
    )
    """The keys of :meth:`record`, in order: the CSV header even with no lines."""

    @property
    def ex_works_lateness(self) -> timedelta | None:
        """Leaving the plant minus the ex-works due date (+ late, - early)."""
        if self.delivery is None or self.due_ex_works is None:
            return None
        return self.delivery.finish - self.due_ex_works

    @property
    def is_late(self) -> bool:
        """Late at the customer or leaving the plant (as the objective counts it)."""
        ex_works = self.ex_works_lateness
        return self.delivery is not None and (
            self.delivery.is_late or (ex_works is not None and ex_works > timedelta(0))
        )

    def record(self) -> dict[str, str | float | bool | list[str] | None]:
        """The line for machines (``plan --format csv|json``): ISO 8601 instants, hours.

        ``lateness_hours`` is positive when late, negative when early, ``None``
        without a due date or a delivery; ``planned`` is false for an order the plan
        leaves out.
        """
        delivery = self.delivery
        lateness = None if delivery is None else delivery.lateness
        ex_works = self.ex_works_lateness
        return {
            "order": self.order_id,
            "item": self.item_id,
            "region": self.region,
            "plants": list(self.plants),
            "planned": delivery is not None,
            "finish": None if delivery is None else delivery.finish.isoformat(),
            "arrival": None if delivery is None else delivery.arrival.isoformat(),
            "due": None if self.due is None else self.due.isoformat(),
            "lateness_hours": None if lateness is None else round(lateness / _HOUR, 2),
            "late": self.is_late,
            "due_ex_works": None if self.due_ex_works is None else self.due_ex_works.isoformat(),
            "ex_works_lateness_hours": None if ex_works is None else round(ex_works / _HOUR, 2),
            "deadline": None if self.deadline is None else self.deadline.isoformat(),
            "group": self.group,
            "group_lateness_hours": None
            if self.group_lateness is None
            else round(self.group_lateness / _HOUR, 2),
            "responsible_plant": self.responsible_plant,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class MachineLoad:
    plant_id: str
    machine_id: str
    work_hours: float
    capacity_hours: float

    @property
    def utilisation(self) -> float:
        return self.work_hours / self.capacity_hours if self.capacity_hours else 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class PlantLine:
    plant_id: str
    work_hours: float
    capacity_hours: float
    busiest: MachineLoad | None

    @property
    def utilisation(self) -> float:
        return self.work_hours / self.capacity_hours if self.capacity_hours else 0.0


def order_lines(network: Network, plan: Plan) -> tuple[OrderLine, ...]:
    """One line per order of the plan, planned or left out, by due date.

    Orders without a due date come last, by arrival; a plan without a schedule has
    no lines, since it says nothing about any order.
    """
    if plan.schedule is None:
        return ()
    plants_by_order: dict[str, set[str]] = defaultdict(set)
    for wo in plan.schedule.work_orders:
        plants_by_order[wo.order_id].add(wo.plant_id)
    delivery_by_order = {d.order_id: d for d in plan.schedule.deliveries}
    unplanned = set(plan.unplanned_orders)
    lines = [
        OrderLine(
            order_id=order.id,
            item_id=order.item_id,
            region=order.region,
            due=order.due,
            plants=tuple(sorted(plants_by_order[order.id])),
            delivery=delivery_by_order.get(order.id),
            due_ex_works=order.due_ex_works,
            deadline=order.deadline,
            group=order.group,
            responsible_plant=order.responsible_plant,
        )
        for order in network.orders
        if order.id in delivery_by_order or order.id in unplanned
    ]
    lateness = group_lateness(lines)
    lines = [
        replace(line, group_lateness=lateness.get(line.group)) if line.group else line
        for line in lines
    ]
    return tuple(
        sorted(
            lines,
            key=lambda line: (
                line.due is None,
                line.due or (line.delivery.arrival if line.delivery else network.start),
                line.order_id,
            ),
        )
    )


def group_lateness(lines: Iterable[OrderLine]) -> dict[str, timedelta]:
    """Each order group's lateness: its latest order's, the later of the misses at the
    customer and ex works (+ late, - early); groups with no due date or no delivery
    are left out."""
    result: dict[str, timedelta] = {}
    for line in lines:
        misses = [
            m
            for m in (
                None if line.delivery is None else line.delivery.lateness,
                line.ex_works_lateness,
            )
            if m is not None
        ]
        if line.group is not None and misses:
            result[line.group] = max(result.get(line.group, max(misses)), max(misses))
    return result


def plant_lines(network: Network, plan: Plan) -> tuple[PlantLine, ...]:
    """Load of each plant and its busiest machine over the plan's span.

    Capacity is every unit's working time from the horizon start to the last
    operation's end, so utilisation compares like with like across plants.
    """
    if plan.schedule is None or not plan.schedule.operations:
        return ()
    end = max(op.end for op in plan.schedule.operations)
    work: dict[tuple[str, str], timedelta] = defaultdict(timedelta)
    for op in plan.schedule.operations:
        if op.machine_id is not None:  # engineering work loads people, not machines
            work[op.plant_id, op.machine_id] += op.work * op.gang  # a gang loads each unit
    pulled = {lever.id for lever in plan.schedule.levers}
    lines = []
    for plant in network.plants:
        loads = []
        for machine in plant.machines:
            if machine.lever is not None and machine.lever not in pulled:
                continue  # a shed or loan the plan did not take has no capacity
            windows = network.machine_windows(plant, machine, network.start, end)
            capacity = sum((b - a for a, b in windows), timedelta(0)) * machine.units
            loads.append(
                MachineLoad(
                    plant_id=plant.id,
                    machine_id=machine.id,
                    work_hours=work[plant.id, machine.id] / _HOUR,
                    capacity_hours=capacity / _HOUR,
                )
            )
        lines.append(
            PlantLine(
                plant_id=plant.id,
                work_hours=sum(m.work_hours for m in loads),
                capacity_hours=sum(m.capacity_hours for m in loads),
                busiest=max(loads, key=lambda m: m.utilisation, default=None),
            )
        )
    return tuple(lines)
