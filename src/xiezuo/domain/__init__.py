"""Plain, typed, immutable domain data that checks itself."""

from xiezuo.domain.calendar import WEEKDAY_NAMES, Calendar
from xiezuo.domain.explosion import WorkOrder, explode_order, explode_orders
from xiezuo.domain.network import (
    BomLine,
    Item,
    ItemKind,
    Lane,
    Machine,
    Network,
    Operation,
    Order,
    Plant,
    Routing,
)
from xiezuo.domain.plan import (
    Delivery,
    Explanation,
    Plan,
    PlanStatus,
    Schedule,
    ScheduledOperation,
    Shipment,
    WorkOrderAssignment,
)
from xiezuo.domain.rules import (
    Finding,
    capable_machines,
    capable_plants,
    capable_routings,
    find_issues,
    unmakeable_items,
    validate_network,
)

__all__ = [
    "WEEKDAY_NAMES",
    "BomLine",
    "Calendar",
    "Delivery",
    "Explanation",
    "Finding",
    "Item",
    "ItemKind",
    "Lane",
    "Machine",
    "Network",
    "Operation",
    "Order",
    "Plan",
    "PlanStatus",
    "Plant",
    "Routing",
    "Schedule",
    "ScheduledOperation",
    "Shipment",
    "WorkOrder",
    "WorkOrderAssignment",
    "capable_machines",
    "capable_plants",
    "capable_routings",
    "explode_order",
    "explode_orders",
    "find_issues",
    "unmakeable_items",
    "validate_network",
]
