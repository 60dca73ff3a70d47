"""A replan's schedule made whole: what happened before the status date, and what the
engine planned after it, in one schedule the validator and the charts read.

The engine plans only what remains (see :mod:`xiezuo.planning.replan.situation`); this module
puts back the fixed steps (done, started, frozen), the work orders already made, the
finished parts and their shipments, and the deliveries of orders already made.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from xiezuo.domain import (
    Delivery,
    Explanation,
    PulledLever,
    Schedule,
    ScheduledOperation,
    Shipment,
    WorkOrderAssignment,
    explode_order,
    levers_used,
)
from xiezuo.planning.replan.situation import FixedKind, below_finished

if TYPE_CHECKING:
    from xiezuo.domain import Network, WorkOrder
    from xiezuo.planning.replan.situation import FixedPrefix, Situation


@dataclass(frozen=True, slots=True)
class SettledFigures:
    """What orders already made add to the plan's figures (minutes from the start), and
    why those that are late are late."""

    weighted_tardiness: int
    last_arrival: int
    late: tuple[Explanation, ...] = ()


def with_history(network: Network, situation: Situation, schedule: Schedule) -> Schedule:
    """``schedule`` (the remaining work) with the history of ``situation`` put back."""
    planned = {a.work_order_id: a for a in schedule.work_orders}
    tree = {wo.id: wo for order in network.orders for wo in explode_order(network, order)}
    # Orders the plan makes or has made; of an order left out, only the reported steps
    # stand (facts), with no work order, part or shipment of it.
    kept = {d.order_id for d in schedule.deliveries} | {
        o.id for o in network.orders if situation.ready(f"{o.id}:{o.item_id}") is not None
    }
    assignments: list[WorkOrderAssignment] = []
    operations = list(schedule.operations)
    for wo_id, prefix in situation.prefixes.items():
        if wo_id not in tree:
            continue
        if tree[wo_id].order_id not in kept:
            # A frozen step of an order left out is no fact: only reported steps stand.
            reported = tuple(st for st in prefix.steps if st.kind is not FixedKind.FROZEN)
            operations.extend(_operations(network, tree[wo_id], replace(prefix, steps=reported)))
            continue
        operations.extend(_operations(network, tree[wo_id], prefix))
        if wo_id in planned:
            planned[wo_id] = replace(planned[wo_id], start=prefix.steps[0].start)
        elif prefix.is_complete:
            assignments.append(_assignment(tree[wo_id], prefix))
    made_at = {a.work_order_id: a.plant_id for a in (*planned.values(), *assignments)}
    made_at.update(
        {
            wo_id: p.plant_id
            for wo_id, p in situation.finished.items()
            if wo_id in tree and tree[wo_id].order_id in kept
        }
    )
    shipments = list(schedule.shipments)
    for wo_id, (plant_id, ready) in _ready_outside_engine(situation, planned).items():
        wo = tree.get(wo_id)
        if wo is None or wo.parent_id is None or wo.parent_id not in made_at:
            continue
        if wo.order_id not in kept or below_finished(tree, wo.id, situation.finished):
            continue
        destination = made_at[wo.parent_id]
        lead = network.lead_time(plant_id, destination)
        if destination != plant_id and lead is not None:
            shipments.append(
                Shipment(
                    work_order_id=wo_id,
                    origin=plant_id,
                    destination=destination,
                    depart=ready,
                    arrive=ready + lead,
                )
            )
    deliveries = list(schedule.deliveries)
    for order in network.orders:
        root = f"{order.id}:{order.item_id}"
        made = situation.ready(root)
        if made is None or root in planned:
            continue
        lead = network.lead_time(made[0], order.region) or timedelta(0)
        deliveries.append(
            Delivery(
                order_id=order.id,
                plant_id=made[0],
                region=order.region,
                finish=made[1],
                arrival=made[1] + lead,
                due=order.due,
            )
        )
    parts = tuple(
        p
        for wo_id, p in situation.finished.items()
        if wo_id in tree and tree[wo_id].order_id in kept
    )
    ordered = tuple(sorted(operations, key=lambda op: (op.start, op.work_order_id, op.step)))
    return Schedule(
        work_orders=(*planned.values(), *assignments),
        operations=ordered,
        shipments=tuple(shipments),
        deliveries=tuple(deliveries),
        material_draws=(
            *(d for d in situation.frozen_draws if tree[d.work_order_id].order_id in kept),
            *schedule.material_draws,
        ),
        finished_parts=parts,
        # The engine's levers, and those the work already done or frozen used.
        levers=tuple(
            lever
            for lever in (PulledLever.of(lever) for lever in network.levers)
            if lever in schedule.levers or lever in levers_used(network, ordered)
        ),
    )


def settled_figures(
    network: Network, schedule: Schedule, planned_orders: set[str]
) -> SettledFigures:
    """Weighted tardiness and last arrival of the deliveries the engine did not plan."""
    weight = {o.id: o.priority for o in network.orders}
    tardiness, last = 0, 0
    notes = []
    for d in schedule.deliveries:
        if d.order_id in planned_orders:
            continue
        late = max(timedelta(0), d.arrival - d.due) if d.due is not None else timedelta(0)
        tardiness += weight[d.order_id] * _minutes(late)
        last = max(last, _minutes(d.arrival - network.start))
        if late:
            notes.append(
                Explanation(
                    kind="late",
                    subject=d.order_id,
                    message=f"arrives {late / timedelta(days=1):.1f} d late; its end product "
                    "is already made, or all its work is reported or frozen, so the replan "
                    "cannot bring it forward",
                )
            )
    return SettledFigures(tardiness, last, tuple(notes))


def _minutes(delta: timedelta) -> int:
    return -(-delta // timedelta(minutes=1))


def _ready_outside_engine(
    situation: Situation, planned: dict[str, WorkOrderAssignment]
) -> dict[str, tuple[str, datetime]]:
    """Work orders the engine did not plan, with where and when they stand ready."""
    ready = {}
    for wo_id in (*situation.prefixes, *situation.finished):
        if wo_id in planned:
            continue
        found = situation.ready(wo_id)
        if found is not None:
            ready[wo_id] = found
    return ready


def _operations(network: Network, wo: WorkOrder, prefix: FixedPrefix) -> list[ScheduledOperation]:
    item = network.item_by_id[wo.item_id]
    routing = next(r for r in item.routings if r.id == prefix.routing_id)
    return [
        ScheduledOperation(
            work_order_id=wo.id,
            step=s.step,
            process=routing.operations[s.step - 1].process,
            plant_id=prefix.plant_id,
            machine_id=s.machine_id,
            unit=s.unit,
            start=s.start,
            end=s.end,
            work=s.work,
        )
        for s in prefix.steps
    ]


def _assignment(wo: WorkOrder, prefix: FixedPrefix) -> WorkOrderAssignment:
    return WorkOrderAssignment(
        work_order_id=wo.id,
        order_id=wo.order_id,
        item_id=wo.item_id,
        quantity=wo.quantity,
        parent_id=wo.parent_id,
        plant_id=prefix.plant_id,
        routing_id=prefix.routing_id,
        start=prefix.steps[0].start,
        end=prefix.end,
    )
