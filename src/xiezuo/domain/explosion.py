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
            )
            result.append(child)
            frontier.append(child)
    return tuple(result)


def explode_orders(network: Network) -> tuple[WorkOrder, ...]:
    """Work orders of every order in ``network``, order by order."""
    return tuple(wo for order in network.orders for wo in explode_order(network, order))
