"""Dashboard pages: Gantt data and charts built from a plan."""

from xiezuo.web.gantt import (
    PLOTLYJS_FILENAME,
    GanttBar,
    GanttLeg,
    GanttOrder,
    gantt_bars,
    gantt_figure,
    gantt_html,
    gantt_orders,
    gantt_range,
    gantt_shipments,
    order_colours,
    plotlyjs_bundle,
)

__all__ = [
    "PLOTLYJS_FILENAME",
    "GanttBar",
    "GanttLeg",
    "GanttOrder",
    "gantt_bars",
    "gantt_figure",
    "gantt_html",
    "gantt_orders",
    "gantt_range",
    "gantt_shipments",
    "order_colours",
    "plotlyjs_bundle",
]
