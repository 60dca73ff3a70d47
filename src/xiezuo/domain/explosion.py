"""BOM explosion: every order becomes a tree of work orders, one per BOM node.

A work order makes ``quantity`` units of one item for one order in one batch. Its ID
is the order ID followed by the item path, ``ORD-1:MILL/STAND/HOUSING``, which is
unique because a component appears at most once in each BOM.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xiezuo.domain.network import Network, Order


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
