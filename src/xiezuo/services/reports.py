"""Summaries a planner reads: per order when it arrives, per plant how loaded it is."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from datetime import datetime

    from xiezuo.domain import Delivery, Network, Plan

_HOUR = timedelta(hours=1)


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderLine:
    """An order with its delivery, or ``delivery=None`` when the plan leaves it out."""

    order_id: str
    item_id: str
    region: str
    due: datetime | None
    plants: tuple[str, ...]
    delivery: Delivery | None

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
    )
    """The keys of :meth:`record`, in order: the CSV header even with no lines."""

    @property
    def is_late(self) -> bool:
        return self.delivery is not None and self.delivery.is_late

    def record(self) -> dict[str, str | float | bool | list[str] | None]:
        """The line for machines (``plan --format csv|json``): ISO 8601 instants, hours.

        ``lateness_hours`` is positive when late, negative when early, ``None``
        without a due date or a delivery; ``planned`` is false for an order the plan
        leaves out.
        """
        delivery = self.delivery
        lateness = None if delivery is None else delivery.lateness
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
        )
        for order in network.orders
        if order.id in delivery_by_order or order.id in unplanned
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
    lines = []
    for plant in network.plants:
        loads = []
        for machine in plant.machines:
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
