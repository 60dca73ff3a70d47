"""Summaries a planner reads: per order when it arrives, per plant how loaded it is."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xiezuo.domain import Delivery, Network, Plan

_HOUR = timedelta(hours=1)


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderLine:
    """An order's delivery with what a planner reads beside it."""

    delivery: Delivery
    item_id: str
    plants: tuple[str, ...]


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
    """One line per planned order: plants involved, finish, arrival, due date."""
    if plan.schedule is None:
        return ()
    plants_by_order: dict[str, set[str]] = defaultdict(set)
    for wo in plan.schedule.work_orders:
        plants_by_order[wo.order_id].add(wo.plant_id)
    order_by_id = {o.id: o for o in network.orders}
    return tuple(
        OrderLine(
            delivery=d,
            item_id=order_by_id[d.order_id].item_id,
            plants=tuple(sorted(plants_by_order[d.order_id])),
        )
        for d in sorted(
            plan.schedule.deliveries,
            key=lambda d: (d.due is None, d.due or d.arrival, d.order_id),
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
            work[op.plant_id, op.machine_id] += op.work
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
