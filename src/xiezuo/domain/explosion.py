"""BOM explosion: every order becomes a tree of work orders, one per BOM node.

A work order makes ``quantity`` units of one item for one order in one batch. Its ID
is the order ID followed by the item path, ``ORD-1:MILL/STAND/HOUSING``, which is
unique because a component appears at most once in each BOM.

A BOM that reuses a component at every level doubles the work orders with each level,
so the size of an explosion is counted arithmetically first (:func:`explosion_problems`)
and held to the ``MAX_*`` limits below before anything is built.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Iterator

    from xiezuo.domain.network import Network, Operation, Order

MAX_WORK_ORDERS: Final = 200_000
"""Work orders of all orders together (one per BOM node of each order)."""
MAX_OPERATIONS: Final = 1_000_000
"""Routing steps of all those work orders together, by each item's longest routing."""
MAX_BATCH_UNITS: Final = 10**9
"""Units one work order makes: the order quantity times the BOM quantities above it."""
MAX_STEP_TIME: Final = timedelta(hours=100_000)
"""Working time of one step of one work order (about eleven years around the clock)."""
MAX_MATERIAL_DRAW: Final = 10**12
"""Units of a material one work order takes."""
MAX_SEQUENTIAL_YEARS: Final = 1_000
"""All work, one step after another in the sparsest machine calendar, in years: the
engine lays out working windows that far, so it must stay within the calendar."""
_HOUR: Final = timedelta(hours=1)


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkOrder:
    """One BOM node of one order; ``parent_id`` is ``None`` for the end product."""

    id: str
    order_id: str
    item_id: str
    quantity: int
    parent_id: str | None
    depth: int
    is_design: bool = False


def explode_order(network: Network, order: Order) -> tuple[WorkOrder, ...]:
    """Work orders for ``order``, parents before their components."""
    root = WorkOrder(
        id=f"{order.id}:{order.item_id}",
        order_id=order.id,
        item_id=order.item_id,
        quantity=order.quantity,
        parent_id=None,
        depth=0,
    )
    result = [root]
    frontier = [root]
    while frontier:
        parent = frontier.pop()
        for line in network.item_by_id[parent.item_id].bom:
            child = WorkOrder(
                id=f"{parent.id}/{line.item_id}",
                order_id=order.id,
                item_id=line.item_id,
                quantity=parent.quantity * line.quantity,
                parent_id=parent.id,
                depth=parent.depth + 1,
                is_design=line.is_design,
            )
            result.append(child)
            frontier.append(child)
    return tuple(result)


def explode_orders(network: Network) -> tuple[WorkOrder, ...]:
    """Work orders of every order in ``network``, order by order."""
    return tuple(wo for order in network.orders for wo in explode_order(network, order))


def design_gates(work_orders: tuple[WorkOrder, ...]) -> dict[str, tuple[str, ...]]:
    """For each work order, the design work orders that must finish before it starts.

    A design line gates every other work order below its parent (the parent itself
    already waits for it as a component).
    """
    by_parent: dict[str | None, list[WorkOrder]] = {}
    for wo in work_orders:
        by_parent.setdefault(wo.parent_id, []).append(wo)
    gates: dict[str, list[str]] = {wo.id: [] for wo in work_orders}

    def below(wo_id: str) -> list[WorkOrder]:
        found, stack = [], list(by_parent.get(wo_id, ()))
        while stack:
            wo = stack.pop()
            found.append(wo)
            stack.extend(by_parent.get(wo.id, ()))
        return found

    for design in work_orders:
        if not design.is_design or design.parent_id is None:
            continue
        design_subtree = {wo.id for wo in below(design.id)} | {design.id}
        for wo in below(design.parent_id):
            if wo.id not in design_subtree:
                gates[wo.id].append(design.id)
    return {wo_id: tuple(ids) for wo_id, ids in gates.items()}


def explosion_problems(network: Network) -> Iterator[str]:
    """What would make exploding the orders of ``network`` too big; its BOMs are acyclic.

    Counts per item, never per work order, so a BOM that doubles at every level costs
    one pass over the items whatever the count it reports.
    """
    wo_count: dict[str, int] = {}
    op_count: dict[str, int] = {}
    for item_id in _bottom_up(network, [item.id for item in network.items]):
        item = network.item_by_id[item_id]
        wo_count[item_id] = 1 + sum(wo_count[line.item_id] for line in item.bom)
        op_count[item_id] = max(len(r.operations) for r in item.routings) + sum(
            op_count[line.item_id] for line in item.bom
        )
    orders = network.orders
    total_wo = sum(wo_count[o.item_id] for o in orders)
    total_ops = sum(op_count[o.item_id] for o in orders)
    for what, total, limit, count in (
        ("work orders (one per BOM node)", total_wo, MAX_WORK_ORDERS, wo_count),
        ("operations", total_ops, MAX_OPERATIONS, op_count),
    ):
        if total > limit:
            biggest = max(orders, key=lambda o: count[o.item_id])
            yield (
                f"order {biggest.id!r} explodes into {count[biggest.item_id]:,} of the "
                f"{total:,} {what} all orders need, more than the limit of {limit:,}"
            )
            return
    yield from _sequential_problems(network)
    by_root = {o.item_id: _largest_multiples(network, o.item_id) for o in orders}
    for order in orders:
        for item_id, multiple in by_root[order.item_id].items():
            problem = _batch_problem(network, item_id, order.quantity * multiple)
            if problem:
                yield f"order {order.id!r}: {problem}"
                break


def _sequential_problems(network: Network) -> Iterator[str]:
    # Hours of an item's work orders for q units are at most fixed + per_unit * q, summed
    # bottom-up over its BOM; exact when each item has one routing.
    fixed: dict[str, float] = {}
    per_unit: dict[str, float] = {}
    for item_id in _bottom_up(network, [item.id for item in network.items]):
        item = network.item_by_id[item_id]
        fixed[item_id] = max(
            sum(op.setup / _HOUR for op in r.operations) for r in item.routings
        ) + sum(fixed[line.item_id] for line in item.bom)
        per_unit[item_id] = max(
            sum(_longest_run(op) / _HOUR for op in r.operations) for r in item.routings
        ) + sum(line.quantity * per_unit[line.item_id] for line in item.bom)
    hours = sum(fixed[o.item_id] + per_unit[o.item_id] * o.quantity for o in network.orders)
    calendars = [network.machine_calendar(p, m) for p, m in network.iter_machines()]
    weekly = min((len(c.working_days) * c.daily_hours for c in calendars), default=168.0)
    years = hours * 168 / weekly / (24 * 365.25)
    if years > MAX_SEQUENTIAL_YEARS:
        yield (
            f"the orders need {hours:,.0f} working hours, which one step after another in the "
            f"sparsest machine calendar ({weekly:g} hours a week) take {years:,.0f} years, "
            f"more than the limit of {MAX_SEQUENTIAL_YEARS:,}"
        )


def _longest_run(op: Operation) -> timedelta:
    runs = [op.run_per_unit, *(t.run_per_unit for t in op.machine_times)]
    return max(run for run in runs if run is not None)


def _bottom_up(network: Network, roots: list[str]) -> list[str]:
    """Items reachable from ``roots``, every component before the items that use it."""
    done: set[str] = set()
    result: list[str] = []
    for root in roots:
        stack = [(root, False)]
        while stack:
            item_id, expanded = stack.pop()
            if expanded:
                result.append(item_id)
                continue
            if item_id in done:
                continue
            done.add(item_id)
            stack.append((item_id, True))
            stack.extend((line.item_id, False) for line in network.item_by_id[item_id].bom)
    return result


def _largest_multiples(network: Network, root: str) -> dict[str, int]:
    """For each item below ``root``, the most units it is made in per unit of ``root``."""
    multiple = {root: 1}
    for item_id in reversed(_bottom_up(network, [root])):
        for line in network.item_by_id[item_id].bom:
            multiple[line.item_id] = max(
                multiple.get(line.item_id, 0), multiple[item_id] * line.quantity
            )
    return multiple


def _batch_problem(network: Network, item_id: str, units: int) -> str | None:
    if units > MAX_BATCH_UNITS:
        return (
            f"item {item_id!r} would be made in a batch of {units:,} units, more than the "
            f"limit of {MAX_BATCH_UNITS:,}"
        )
    item = network.item_by_id[item_id]
    for line in item.materials:
        if line.quantity * units > MAX_MATERIAL_DRAW:
            return (
                f"item {item_id!r} would take {line.quantity * units:,} units of material "
                f"{line.material_id!r} at once, more than the limit of {MAX_MATERIAL_DRAW:,}"
            )
    for routing in item.routings:
        for step, op in enumerate(routing.operations, start=1):
            # In float hours: a timedelta of a billion long runs would overflow.
            hours = op.setup / _HOUR + _longest_run(op) / _HOUR * units
            if hours > MAX_STEP_TIME / _HOUR:
                return (
                    f"item {item_id!r} routing {routing.id!r} step {step} would take "
                    f"{hours:,.0f} working hours for {units:,} units, more than the limit of "
                    f"{MAX_STEP_TIME / _HOUR:,.0f} hours"
                )
    return None
