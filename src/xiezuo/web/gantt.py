"""Gantt data and a Gantt page built from a :class:`Plan`, for a planner to read at a glance.

:func:`gantt_bars` (operations on machine units), :func:`gantt_orders` (each order's
work span, delivery, due date and arrival) and :func:`gantt_shipments` (components
travelling between plants) are the testable part: plain data. :func:`gantt_figure`
and :func:`gantt_html` only draw them, so the page is checked through its data, and
in a headless browser for what only a browser can show.

The chart has three sections on one time axis: one row per order (sorted by due
date), one row per machine unit (grouped by plant), and one row per transport lane
track. Each order has one colour from a palette of 50, listed with its id in the
page's order list. With many orders colour alone cannot tell them apart; the page's
search box (or a click on a bar or on the list) highlights one order's work across
every plant, dims the rest and draws its due date and arrival across the chart. The
date axis sits in a sticky header, so it stays visible in a tall chart.

plotly.js (4.8 MB) is never fetched from a network, because planners open the page on
shop-floor machines without one. By default it is inlined, so the page is a single
file; a caller that writes several pages into one folder passes ``plotlyjs_src`` and
writes :func:`plotlyjs_bundle` once beside them as :data:`PLOTLYJS_FILENAME`, which
makes the example's page 0.4 MB instead of 5.2 MB. The file name carries the plotly.js
version, so pages written by another xiezuo never pick up a bundle they do not match.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

import plotly.graph_objects as go
import plotly.io as pio
from plotly.colors import qualitative
from plotly.offline import get_plotlyjs, get_plotlyjs_version

from xiezuo.services.replan_summary import group_unfrozen
from xiezuo.web.page import LATE_COLOUR, html_page

if TYPE_CHECKING:
    from collections.abc import Sequence

    from xiezuo.domain import Delivery, Network, Plan, Schedule

# Left out of plotly's 24-colour sets: pure reds, which the late outline would blend
# into, pastels too pale on white, and near-duplicates of colours kept.
_LEFT_OUT = {"#FB0D0D", "#FD3216"} | {"#FED4C4", "#C9FBE5", "#E3EE9E"}
_LEFT_OUT |= {"#FE00CE", "#FF0092", "#D626FF", "#B68E00"}
ORDER_COLOURS: tuple[str, ...] = tuple(
    colour
    # Colour-blind-safe colours first: enough for small plans.
    for colour in (*qualitative.Safe, *qualitative.Dark24, *qualitative.Light24)
    if colour not in _LEFT_OUT
)
PLOTLYJS_FILENAME = f"plotly-{get_plotlyjs_version()}.min.js"
"""Name of the plotly.js bundle a page loads when it does not inline it."""

ON_TIME_COLOUR = "#2ca02c"
DIMMED_OPACITY = 0.12

_ROW_HEIGHT_PX = 22
_MARGIN_TOP_PX = 6
_MARGIN_BOTTOM_PX = 40
_RIGHT_MARGIN_PX = 24
_AXIS_HEIGHT_PX = 44
_LABEL_CHAR_PX = 6.6
_TICKS = 24  # weekly ticks over a few months' horizon
_HOUR = timedelta(hours=1)
_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True, kw_only=True)
class GanttBar:
    """One scheduled operation as a bar on its machine unit's row.

    ``row`` reads "plant · machine #n" with units numbered from 1 for planners,
    while ``unit`` keeps the schedule's 0-based index. ``hover`` is plain text with
    one fact per line; renderers choose their own line breaks and escaping.
    """

    row: str
    plant_id: str
    machine_id: str | None  # None for engineering work
    unit: int
    start: datetime
    end: datetime
    order_id: str
    item_id: str
    work_order_id: str
    step: int
    process: str
    is_late: bool
    hover: str


@dataclass(frozen=True, slots=True, kw_only=True)
class GanttOrder:
    """One order's row: its work span, its delivery leg, its due date and arrival.

    ``work_start`` is the start of the order's first operation at any plant (``None``
    when nothing is made for it); the delivery leg runs from ``finish`` at
    ``plant_id`` to ``arrival`` in ``region``. ``summary`` is one line for the page's
    search box, ``hover`` one fact per line.
    """

    row: str
    order_id: str
    item_id: str
    plant_ids: tuple[str, ...]  # every plant that works for the order
    plant_id: str  # the plant that delivers
    region: str
    work_start: datetime | None
    finish: datetime
    arrival: datetime
    due: datetime | None
    is_late: bool
    summary: str
    hover: str


@dataclass(frozen=True, slots=True, kw_only=True)
class GanttLeg:
    """A component shipped between plants, on a track of its lane's rows.

    Shipments on one lane that overlap in time go on separate tracks (0-based), so
    none hides another.
    """

    row: str
    origin: str
    destination: str
    track: int
    depart: datetime
    arrive: datetime
    order_id: str
    item_id: str
    work_order_id: str
    hover: str


def gantt_bars(plan: Plan) -> tuple[GanttBar, ...]:
    """One bar per scheduled operation and unit it holds (a gang has one on each of
    its units), ready to draw.

    Parameters
    ----------
    plan
        Any plan; one without a schedule (infeasible, out of time) has no bars.

    Returns
    -------
    tuple[GanttBar, ...]
        Sorted by plant, machine and unit, then by start, so rows come out grouped
        by plant and each row reads left to right.

    Raises
    ------
    KeyError
        If an operation names a work order the schedule does not assign, which
        only a corrupted plan can do.
    """
    schedule = plan.schedule
    if schedule is None:
        return ()
    work_orders = {wo.work_order_id: wo for wo in schedule.work_orders}
    late_orders = {d.order_id for d in schedule.deliveries if d.is_late}
    bars = []
    for op in schedule.operations:
        wo = work_orders[op.work_order_id]
        is_late = wo.order_id in late_orders
        order_line = f"Order {wo.order_id} · item {wo.item_id}" + (" · LATE" if is_late else "")
        lines = [
            order_line,
            f"Step {op.step}: {op.process or 'engineering'} ({op.work_order_id})",
            _format_span(op.start, op.end),
            f"Work {_hours(op.work)}",
        ]
        if op.gang > 1:
            numbers = ", ".join(f"#{u + 1}" for u in op.held_units)
            lines.append(f"Ganged: {op.gang} units together ({numbers})")
        if op.on_floor:
            lines.append("Part on a floor bay, machines brought to it")
        # A ganged operation shows on every unit it holds.
        for unit in op.held_units:
            bars.append(
                GanttBar(
                    row=(
                        f"{op.plant_id} · engineering"
                        if op.machine_id is None
                        else f"{op.plant_id} · {op.machine_id} #{unit + 1}"
                    ),
                    plant_id=op.plant_id,
                    machine_id=op.machine_id,
                    unit=unit,
                    start=op.start,
                    end=op.end,
                    order_id=wo.order_id,
                    item_id=wo.item_id,
                    work_order_id=op.work_order_id,
                    step=op.step,
                    process=op.process or "engineering",
                    is_late=is_late,
                    hover="\n".join(lines),
                )
            )
    return tuple(
        sorted(
            bars,
            key=lambda b: (
                b.plant_id,
                b.machine_id or "",
                b.unit,
                b.start,
                b.work_order_id,
                b.step,
            ),
        )
    )


def gantt_orders(plan: Plan) -> tuple[GanttOrder, ...]:
    """One row per delivered order: when its work runs, when it leaves and arrives, when due.

    Parameters
    ----------
    plan
        Any plan; one without a schedule has no order rows. Unplanned orders have no
        delivery and so no row; the page's summary lists them.

    Returns
    -------
    tuple[GanttOrder, ...]
        Sorted by due date (orders without one last), then by order id, the order a
        planner works through them in.
    """
    schedule = plan.schedule
    if schedule is None:
        return ()
    item_by_order = {wo.order_id: wo.item_id for wo in schedule.work_orders if wo.parent_id is None}
    order_by_work_order = {wo.work_order_id: wo.order_id for wo in schedule.work_orders}
    starts: dict[str, datetime] = {}
    plants: dict[str, set[str]] = {}
    for op in schedule.operations:
        order_id = order_by_work_order[op.work_order_id]
        starts[order_id] = min(op.start, starts.get(order_id, op.start))
        plants.setdefault(order_id, set()).add(op.plant_id)
    orders = [
        _gantt_order(
            delivery,
            item_id=item_by_order.get(delivery.order_id, ""),
            plant_ids=tuple(sorted(plants.get(delivery.order_id, ()))),
            work_start=starts.get(delivery.order_id),
        )
        for delivery in schedule.deliveries
    ]
    return tuple(sorted(orders, key=lambda o: (o.due is None, o.due or o.arrival, o.order_id)))


def gantt_shipments(plan: Plan) -> tuple[GanttLeg, ...]:
    """One leg per shipment between plants, packed onto as few tracks per lane as fit.

    Parameters
    ----------
    plan
        Any plan; one without a schedule has no legs.

    Returns
    -------
    tuple[GanttLeg, ...]
        Sorted by lane (origin, destination), track and departure; rows read
        "origin → destination".

    Raises
    ------
    KeyError
        If a shipment names a work order the schedule does not assign.
    """
    schedule = plan.schedule
    if schedule is None:
        return ()
    work_orders = {wo.work_order_id: wo for wo in schedule.work_orders}
    track_ends: dict[tuple[str, str], list[datetime]] = {}
    legs = []
    for shipment in sorted(
        schedule.shipments,
        key=lambda s: (s.origin, s.destination, s.depart, s.arrive, s.work_order_id),
    ):
        wo = work_orders[shipment.work_order_id]
        ends = track_ends.setdefault((shipment.origin, shipment.destination), [])
        track = next((idx for idx, end in enumerate(ends) if end <= shipment.depart), len(ends))
        if track == len(ends):
            ends.append(shipment.arrive)
        else:
            ends[track] = shipment.arrive
        legs.append(
            GanttLeg(
                row=f"{shipment.origin} → {shipment.destination}",
                origin=shipment.origin,
                destination=shipment.destination,
                track=track,
                depart=shipment.depart,
                arrive=shipment.arrive,
                order_id=wo.order_id,
                item_id=wo.item_id,
                work_order_id=wo.work_order_id,
                hover="\n".join(
                    (
                        f"Order {wo.order_id} · item {wo.item_id} ({wo.work_order_id})",
                        f"Shipped {shipment.origin} → {shipment.destination}",
                        _format_span(shipment.depart, shipment.arrive),
                    )
                ),
            )
        )
    return tuple(sorted(legs, key=lambda leg: (leg.origin, leg.destination, leg.track)))


def gantt_range(plan: Plan, *, start: datetime | None = None) -> tuple[datetime, datetime] | None:
    """The time span the chart shows: the whole horizon, markers included.

    Parameters
    ----------
    plan
        Any plan.
    start
        The network's start; without it the chart starts at the plan's first event.

    Returns
    -------
    tuple[datetime, datetime] | None
        From ``start`` through the latest of every operation end, shipment arrival,
        order arrival and due date, plus 2 % (at least half a day) so the last
        marker is not cut in half; ``None`` for a plan without a schedule.
    """
    schedule = plan.schedule
    if schedule is None:
        return None
    instants = _instants(schedule)
    if not instants:
        return None
    first = min(instants) if start is None else start
    last = max(instants)
    return first, last + max((last - first) * 0.02, _DAY / 2)


def gantt_figure(
    plan: Plan, *, network: Network | None = None, title: str | None = None
) -> go.Figure:
    """An interactive Gantt chart of ``plan``: order rows, machine rows, transport rows.

    Every order has one colour (:func:`order_colours`) and its own traces, tied by
    ``legendgroup`` = order id, which the page's search dims or lights as a whole:
    a trace's opacity changes quickly, where restyling each of thousands of points
    took plotly.js seconds. The legend is hidden; the page lists the orders with
    their colours instead. Late orders get a red outline and hatching so they stand
    out in any colour; an order row shows the work span pale, the delivery leg solid, the
    due date as a diamond and the arrival as a dot, red with a red lateness line
    when late. Rows are numbered top down (y = row index) and labelled by ticks,
    with a line between plants and a heavier one between sections. Times are drawn
    in the network's time zone (else the earliest operation's), because plotly.js
    ignores offsets. Text is escaped because plotly.js reads labels as HTML-like
    markup. Margins are fixed, so a second figure with the same margins and width
    (the page's sticky date axis) lines up with this one.

    Parameters
    ----------
    plan
        Any plan; one without a schedule gives an empty chart.
    network
        The plan's network, if known: its start opens the time axis and its time
        zone is used for all times.
    title
        Chart title; the page leaves it out, as its heading names the plan.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    bars = gantt_bars(plan)
    orders = gantt_orders(plan)
    legs = gantt_shipments(plan)
    zone = _zone(plan, network)
    labels, y_order, y_machine, y_leg, shapes = _rows(orders, bars, legs)
    bars_by_order: dict[str, list[GanttBar]] = {}
    for bar in bars:
        bars_by_order.setdefault(bar.order_id, []).append(bar)
    legs_by_order: dict[str, list[GanttLeg]] = {}
    for leg in legs:
        legs_by_order.setdefault(leg.order_id, []).append(leg)
    order_by_id = {order.order_id: order for order in orders}
    late_rows = {y_order[order.order_id] for order in orders if order.is_late}
    traces = []
    for order_id, colour in order_colours(plan).items():
        order_bars = bars_by_order.get(order_id, [])
        order = order_by_id.get(order_id)
        order_legs = legs_by_order.get(order_id, [])
        is_late = order.is_late if order is not None else any(b.is_late for b in order_bars)
        order_traces = []
        if order_bars:
            order_traces.append(
                _bar_trace(
                    [y_machine[bar.row] for bar in order_bars],
                    [(bar.start, bar.end) for bar in order_bars],
                    [bar.hover for bar in order_bars],
                    colour,
                    zone,
                    is_late=is_late,
                    text=order_id,
                )
            )
        if order is not None:
            order_traces.extend(_order_traces(order, y_order[order_id], colour, zone))
        if order_legs:
            order_traces.append(
                _bar_trace(
                    [y_leg[(leg.row, leg.track)] for leg in order_legs],
                    [(leg.depart, leg.arrive) for leg in order_legs],
                    [leg.hover for leg in order_legs],
                    colour,
                    zone,
                    is_late=is_late,
                    width=0.5,
                )
            )
        for trace in order_traces:
            trace.update(legendgroup=order_id, name=html.escape(order_id))
        traces += order_traces
    fig = go.Figure(traces)
    x_range = gantt_range(plan, start=None if network is None else network.start)
    margin = _margin(labels)
    fig.update_layout(
        title=None if title is None else html.escape(title),
        barmode="overlay",
        height=_ROW_HEIGHT_PX * max(len(labels), 4) + margin["t"] + margin["b"],
        margin=margin,
        showlegend=False,
        hovermode="closest",
        dragmode="zoom",
        uniformtext={"minsize": 8, "mode": "hide"},
        plot_bgcolor="#f7f7f7",
        shapes=shapes + _status_date(plan, zone),
    )
    if plan.as_of is not None:
        # A replan: work left of this line is history as the plants reported it.
        fig.add_annotation(
            x=_axis_time(plan.as_of, zone),
            xref="x",
            y=1,
            yref="paper",
            yanchor="bottom",
            text="status date",
            showarrow=False,
            font={"size": 11, "color": "#b00"},
        )
    fig.update_xaxes(
        type="date",
        range=None if x_range is None else [_axis_time(t, zone) for t in x_range],
        nticks=_TICKS,
        showline=True,
        mirror="ticks",
        ticks="outside",
        gridcolor="#ddd",
    )
    fig.update_yaxes(
        tickmode="array",
        tickvals=list(range(len(labels))),
        ticktext=[
            f'<span style="color:{LATE_COLOUR}"><b>{html.escape(label)}</b></span>'
            if label_idx in late_rows
            else html.escape(label)
            for label_idx, label in enumerate(labels)
        ],
        range=[len(labels) - 0.5, -0.5],
        fixedrange=True,
        showgrid=False,
        zeroline=False,
    )
    return fig


def order_colours(plan: Plan) -> dict[str, str]:
    """A colour per order, in order-row order (by due date), so neighbouring rows differ.

    Orders worked on but not delivered (only a partial plan has them) come last.
    Beyond ``len(ORDER_COLOURS)`` orders colours repeat; the page's search then
    tells orders apart.
    """
    order_ids = [order.order_id for order in gantt_orders(plan)]
    worked = {bar.order_id for bar in gantt_bars(plan)}
    worked |= {leg.order_id for leg in gantt_shipments(plan)}
    return {
        order_id: ORDER_COLOURS[idx % len(ORDER_COLOURS)]
        for idx, order_id in enumerate(order_ids + sorted(worked - set(order_ids)))
    }


def gantt_axis_figure(figure: go.Figure) -> go.Figure:
    """A strip with only ``figure``'s date axis, for the page's sticky header.

    Same margins and time range as ``figure``, so at the same width its ticks sit
    over ``figure``'s gridlines; the page keeps the ranges in step when zooming.
    """
    axis = go.Figure()
    axis.update_layout(
        height=_AXIS_HEIGHT_PX,
        margin={**figure.layout.margin.to_plotly_json(), "t": 2, "b": _AXIS_HEIGHT_PX - 8},
        showlegend=False,
        plot_bgcolor="rgba(0, 0, 0, 0)",
        paper_bgcolor="rgba(0, 0, 0, 0)",
    )
    axis.update_xaxes(type="date", range=figure.layout.xaxis.range, nticks=_TICKS, ticks="outside")
    axis.update_yaxes(visible=False, fixedrange=True)
    return axis


def plotlyjs_bundle() -> str:
    """plotly.js, minified, to write beside pages as :data:`PLOTLYJS_FILENAME`."""
    return str(get_plotlyjs())


def _status_date(plan: Plan, zone: tzinfo | None) -> list[dict[str, object]]:
    """A replan's status date as a vertical line across every row."""
    if plan.as_of is None:
        return []
    x = _axis_time(plan.as_of, zone)
    return [
        {
            "type": "line",
            "xref": "x",
            "x0": x,
            "x1": x,
            "yref": "paper",
            "y0": 0,
            "y1": 1,
            "line": {"color": "#b00", "width": 2, "dash": "dash"},
        }
    ]


def gantt_html(
    plan: Plan,
    *,
    network: Network | None = None,
    title: str = "xiezuo plan",
    sections: Sequence[str] = (),
    plotlyjs_src: str | None = None,
) -> str:
    """An HTML page: plan summary, Gantt chart with order search, and deliveries.

    All plan text is escaped because IDs come from planners' files.

    Parameters
    ----------
    plan
        Any plan; one without a schedule gets its summary and a note instead of
        the chart and deliveries (and no plotly.js).
    network
        The plan's network, if known: its name heads the page and its start opens
        the time axis.
    title
        What the page shows, such as the plan file; the page is titled
        "network name — title" when the network has a name.
    sections
        HTML fragments built by xiezuo itself (such as the staff chart) to append
        after the deliveries; they may rely on the plotly.js the page loads.
    plotlyjs_src
        ``None`` inlines plotly.js, so the page is one self-contained file (5 MB).
        Otherwise the relative URL of a copy of :func:`plotlyjs_bundle` that the
        caller writes beside the page, normally :data:`PLOTLYJS_FILENAME`; if that
        file goes missing, the page says so where the chart would be.

    Returns
    -------
    str
        A complete HTML document.
    """
    page_title = f"{network.name} — {title}" if network is not None and network.name else title
    if plan.schedule is None:
        body = "<p>This plan has no schedule.</p>"
        return html_page(page_title, f"{_summary(plan)}\n{body}")
    figure = gantt_figure(plan, network=network)
    body = (
        f"{_chart_section(plan, figure, network, plotlyjs_src)}\n"
        f"<h2>Deliveries</h2>\n{_deliveries_table(plan.schedule.deliveries)}"
    )
    body += "".join(f"\n{section}" for section in sections)
    if plotlyjs_src is None:
        head = f"\n<script>{plotlyjs_bundle()}</script>"
    else:
        head = f'\n<script src="{html.escape(plotlyjs_src)}"></script>'
    return html_page(page_title, f"{_summary(plan)}\n{body}", head=head)


_KEY = (
    "Order rows: pale bar = work at the plants, solid bar = delivery to the region, "
    "◇ due date, ● arrival (green on time, red late, with a red line for the lateness). "
    "Red outlined, red hatched bars are the work and shipments of late orders."
)
_HELP = (
    "Type an order, item or region, click a bar or pick an order from the list to highlight "
    "its work across every plant; drag to zoom in time, double-click to see the whole horizon."
)

# The page's behaviour: plot the chart and its sticky axis, keep their time ranges
# in step, and highlight the orders matching the search box (exactly one: also draw
# its due date and arrival across the chart, and put it in the address as #order=,
# so the view can be linked). Each order's traces share its id as legendgroup, so
# highlighting sets trace opacities. __GANTT__ is replaced by the data.
_SCRIPT = """
(function () {
  "use strict";
  var chart = document.getElementById("gantt-chart");
  var axis = document.getElementById("gantt-axis");
  if (typeof Plotly === "undefined") {
    chart.innerHTML = '<p class="gantt-missing">The chart needs plotly.js, which did not ' +
      "load: keep " + __SRC__ + " beside this page, or write the page with plotly.js inlined.</p>";
    return;
  }
  var G = __GANTT__;
  var search = document.getElementById("gantt-search");
  var status = document.getElementById("gantt-status");
  var ids = Object.keys(G.orders);
  var baseShapes = G.chart.layout.shapes || [];

  function matches(text) {
    var q = text.trim().toLowerCase();
    if (!q) { return null; }
    var exact = ids.filter(function (id) { return id.toLowerCase() === q; });
    if (exact.length) { return exact; }
    return ids.filter(function (id) { return G.orders[id].search.indexOf(q) >= 0; });
  }

  function marker(x, colour, dash) {
    return {type: "line", xref: "x", x0: x, x1: x, yref: "paper", y0: 0, y1: 1,
            line: {color: colour, width: 2, dash: dash}};
  }

  function show() {
    var found = matches(search.value);
    var opacity = chart.data.map(function (trace) {
      return !found || found.indexOf(trace.legendgroup) >= 0 ? 1 : __DIMMED__;
    });
    var shapes = baseShapes.slice();
    status.className = "";
    if (!found) {
      status.textContent = ids.length + " orders: type one to highlight its work.";
    } else if (found.length === 1) {
      var order = G.orders[found[0]];
      if (order.due) { shapes.push(marker(order.due, "#000", "dash")); }
      shapes.push(marker(order.arrival, order.late ? "__LATE__" : "__ON_TIME__", "dot"));
      status.textContent = order.summary;
      status.className = order.late ? "late" : "";
    } else if (found.length) {
      status.textContent = found.length + " orders match: " + found.join(", ");
    } else {
      status.textContent = "No order matches.";
    }
    Plotly.update(chart, {opacity: opacity}, {shapes: shapes});
    var link = window.location.pathname + window.location.search;
    if (found && found.length === 1) { link += "#order=" + encodeURIComponent(found[0]); }
    window.history.replaceState(null, "", link);
  }

  function pick(id) {
    search.value = id;
    show();
  }

  Plotly.newPlot(axis, G.axis.data, G.axis.layout, {staticPlot: true, responsive: true});
  Plotly.newPlot(chart, G.chart.data, G.chart.layout, {
    displaylogo: false,
    responsive: true,
    modeBarButtonsToRemove: ["select2d", "lasso2d", "zoomIn2d", "zoomOut2d", "autoScale2d"]
  }).then(function () {
    chart.on("plotly_relayout", function () {
      Plotly.relayout(axis, {"xaxis.range": chart.layout.xaxis.range.slice()});
    });
    chart.on("plotly_click", function (event) {
      if (event.points.length) { pick(event.points[0].data.legendgroup); }
    });
    search.addEventListener("input", show);
    document.getElementById("gantt-clear").addEventListener("click", function () { pick(""); });
    document.querySelectorAll(".gantt-orders button").forEach(function (button) {
      button.addEventListener("click", function () { pick(button.dataset.order); });
    });
    var hash = decodeURIComponent(window.location.hash.slice(1));
    if (hash.indexOf("order=") === 0) { search.value = hash.slice(6); }
    show();
  });
})();
"""


def _chart_section(
    plan: Plan, figure: go.Figure, network: Network | None, plotlyjs_src: str | None
) -> str:
    zone = _zone(plan, network)
    order_rows = gantt_orders(plan)
    orders = {
        order.order_id: {
            "summary": order.summary,
            "search": " ".join((order.order_id, order.item_id, order.region)).lower(),
            "due": None if order.due is None else _axis_time(order.due, zone),
            "arrival": _axis_time(order.arrival, zone),
            "late": order.is_late,
        }
        for order in order_rows
    }
    data = (
        f'{{"chart": {pio.to_json(figure, validate=False)}, '
        f'"axis": {pio.to_json(gantt_axis_figure(figure), validate=False)}, '
        f'"orders": {json.dumps(orders)}}}'
    )
    script = (
        _SCRIPT.replace("__SRC__", json.dumps(plotlyjs_src or "plotly.js"))
        .replace("__DIMMED__", str(DIMMED_OPACITY))
        .replace("__LATE__", LATE_COLOUR)
        .replace("__ON_TIME__", ON_TIME_COLOUR)
        .replace("__GANTT__", data)  # last, so plan text is never taken for a placeholder
        # Plan text inside the script must never close it.
        .replace("</", "<\\/")
    )
    options = "".join(f'<option value="{html.escape(order_id)}">' for order_id in orders)
    colour_by_order = order_colours(plan)
    chips = "\n".join(
        f'<button type="button" data-order="{html.escape(order.order_id)}"'
        + (' class="late">' if order.is_late else ">")
        + f'<span class="chip" style="background:{colour_by_order[order.order_id]}"></span>'
        f"{html.escape(order.order_id)}</button>"
        for order in order_rows
    )
    return f"""<section class="gantt">
<div class="gantt-header">
<div class="gantt-toolbar">
<label for="gantt-search">Order</label>
<input id="gantt-search" list="gantt-orders" placeholder="order id, item or region"
 autocomplete="off">
<datalist id="gantt-orders">{options}</datalist>
<button id="gantt-clear" type="button">Show all</button>
<span id="gantt-status"></span>
</div>
<details class="gantt-orders"><summary>Orders and their colours (late in red)</summary>
{chips}
</details>
<p class="gantt-key">{html.escape(_KEY)}</p>
<div id="gantt-axis"></div>
</div>
<div id="gantt-chart"></div>
<p class="gantt-key">{html.escape(_HELP)}</p>
</section>
<script>{script}</script>"""


def _gantt_order(
    delivery: Delivery,
    *,
    item_id: str,
    plant_ids: tuple[str, ...],
    work_start: datetime | None,
) -> GanttOrder:
    made_at = f"made at {', '.join(plant_ids)} · " if plant_ids else ""
    due = "no due date" if delivery.due is None else f"due {delivery.due:%Y-%m-%d %H:%M}"
    lateness = delivery.lateness
    verdict = ""
    if lateness is not None:
        verdict = f"late by {_span(lateness)}" if delivery.is_late else f"{_span(-lateness)} early"
    summary = (
        f"{delivery.order_id} · item {item_id or '—'} · {made_at}"
        f"delivered {delivery.plant_id} → {delivery.region}, "
        f"arrives {delivery.arrival:%Y-%m-%d %H:%M}"
        f" · {due}" + (f" · {verdict}" if verdict else "")
    )
    late_mark = " · LATE" if delivery.is_late else ""
    hover = [f"Order {delivery.order_id} · item {item_id or '—'}{late_mark}"]
    if work_start is not None:
        hover.append(f"Work at {', '.join(plant_ids)}: {_format_span(work_start, delivery.finish)}")
    hover.append(
        f"Delivery {delivery.plant_id} → {delivery.region}: "
        f"{_format_span(delivery.finish, delivery.arrival)}"
    )
    hover.append(due[0].upper() + due[1:] + (f" ({verdict})" if verdict else ""))
    return GanttOrder(
        row=f"{delivery.order_id} → {delivery.region}",
        order_id=delivery.order_id,
        item_id=item_id,
        plant_ids=plant_ids,
        plant_id=delivery.plant_id,
        region=delivery.region,
        work_start=work_start,
        finish=delivery.finish,
        arrival=delivery.arrival,
        due=delivery.due,
        is_late=delivery.is_late,
        summary=summary,
        hover="\n".join(hover),
    )


def _rows(
    orders: tuple[GanttOrder, ...], bars: tuple[GanttBar, ...], legs: tuple[GanttLeg, ...]
) -> tuple[
    list[str],
    dict[str, int],
    dict[str, int],
    dict[tuple[str, int], int],
    list[dict[str, Any]],
]:
    """Row labels top down, the row index of each order, machine unit and lane track,
    and the separator lines: heavy between sections, light between plants."""
    labels = [order.row for order in orders]
    y_order = {order.order_id: idx for idx, order in enumerate(orders)}
    separators: list[tuple[int, bool]] = []
    y_machine: dict[str, int] = {}
    plant = None
    for bar in bars:
        if bar.row in y_machine:
            continue
        if labels and (plant is None or bar.plant_id != plant):
            separators.append((len(labels), plant is None))
        plant = bar.plant_id
        y_machine[bar.row] = len(labels)
        labels.append(bar.row)
    y_leg: dict[tuple[str, int], int] = {}
    for leg_idx, leg in enumerate(legs):
        if (leg.row, leg.track) in y_leg:
            continue
        if labels and leg_idx == 0:
            separators.append((len(labels), True))
        y_leg[(leg.row, leg.track)] = len(labels)
        labels.append(leg.row)
    shapes = [
        {
            "type": "line",
            "xref": "paper",
            "x0": 0,
            "x1": 1,
            "yref": "y",
            "y0": row_idx - 0.5,
            "y1": row_idx - 0.5,
            "line": {"color": "#333" if is_section else "#999", "width": 2 if is_section else 1},
        }
        for row_idx, is_section in separators
    ]
    return labels, y_order, y_machine, y_leg, shapes


def _bar_trace(
    y: list[int],
    spans: list[tuple[datetime, datetime]],
    hovers: list[str],
    colour: str,
    zone: tzinfo | None,
    *,
    is_late: bool,
    text: str = "",
    width: float = 0.8,
) -> go.Bar:
    return go.Bar(
        orientation="h",
        y=y,
        base=[_axis_time(start, zone) for start, _ in spans],
        x=[(end - start) / timedelta(milliseconds=1) for start, end in spans],
        width=width,
        text=[html.escape(text)] * len(y) if text else None,
        textposition="inside",
        insidetextanchor="middle",
        hovertext=[_hover_html(hover) for hover in hovers],
        hovertemplate="%{hovertext}<extra></extra>",
        marker={
            "color": colour,
            "line": {
                "color": LATE_COLOUR if is_late else "rgba(0, 0, 0, 0.4)",
                "width": 2 if is_late else 1,
            },
            "pattern": {"shape": "/", "fgcolor": LATE_COLOUR, "solidity": 0.4}
            if is_late
            else {"shape": ""},
        },
    )


def _order_traces(
    order: GanttOrder, y: int, colour: str, zone: tzinfo | None
) -> list[go.Bar | go.Scatter]:
    """The order row: pale work span and solid delivery leg, then due and arrival marks."""
    spans = [(order.work_start, order.finish)] if order.work_start is not None else []
    spans.append((order.finish, order.arrival))
    hover = _hover_html(order.hover)
    traces: list[go.Bar | go.Scatter] = [
        go.Bar(
            orientation="h",
            y=[y] * len(spans),
            base=[_axis_time(start, zone) for start, _ in spans],
            x=[(end - start) / timedelta(milliseconds=1) for start, end in spans],
            width=[0.45] * (len(spans) - 1) + [0.8],
            hovertext=[hover] * len(spans),
            hovertemplate="%{hovertext}<extra></extra>",
            marker={
                "color": [_translucent(colour)] * (len(spans) - 1) + [colour],
                "line": {"color": "rgba(0, 0, 0, 0.4)", "width": 1},
            },
        )
    ]
    arrival_colour = LATE_COLOUR if order.is_late else ON_TIME_COLOUR
    if order.is_late and order.due is not None:
        traces.append(
            go.Scatter(
                mode="lines",
                x=[_axis_time(order.due, zone), _axis_time(order.arrival, zone)],
                y=[y, y],
                line={"color": LATE_COLOUR, "width": 4},
                hoverinfo="skip",
            )
        )
    marks = [(order.arrival, "circle", arrival_colour, "Arrives")]
    if order.due is not None:
        marks.insert(0, (order.due, "diamond", "#fff", "Due"))
    traces.append(
        go.Scatter(
            mode="markers",
            x=[_axis_time(at, zone) for at, _, _, _ in marks],
            y=[y] * len(marks),
            marker={
                "symbol": [symbol for _, symbol, _, _ in marks],
                "color": [fill for _, _, fill, _ in marks],
                "size": 11,
                "line": {"color": "#000", "width": 1.5},
            },
            hovertext=[
                f"{html.escape(order.order_id)}: {label} {at:%Y-%m-%d %H:%M}"
                for at, _, _, label in marks
            ],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    return traces


def _instants(schedule: Schedule) -> list[datetime]:
    instants = [op.start for op in schedule.operations]
    instants += [op.end for op in schedule.operations]
    instants += [s.depart for s in schedule.shipments] + [s.arrive for s in schedule.shipments]
    instants += [d.finish for d in schedule.deliveries] + [d.arrival for d in schedule.deliveries]
    instants += [d.due for d in schedule.deliveries if d.due is not None]
    return instants


def _zone(plan: Plan, network: Network | None) -> tzinfo | None:
    if network is not None:
        return network.start.tzinfo
    if plan.schedule is None or not plan.schedule.operations:
        return None
    return min(plan.schedule.operations, key=lambda op: op.start).start.tzinfo


def _margin(labels: list[str]) -> dict[str, Any]:
    """Fixed margins wide enough for the row labels.

    ``autoexpand`` is off so the sticky axis strip, with the same margins, lines up.
    """
    longest = max((len(label) for label in labels), default=0)
    return {
        "l": int(16 + _LABEL_CHAR_PX * longest),
        "r": _RIGHT_MARGIN_PX,
        "t": _MARGIN_TOP_PX,
        "b": _MARGIN_BOTTOM_PX,
        "autoexpand": False,
    }


def _translucent(colour: str) -> str:
    """``colour`` at 35 % opacity."""
    red, green, blue = _rgb(colour)
    return f"rgba({red}, {green}, {blue}, 0.35)"


def _rgb(colour: str) -> tuple[int, int, int]:
    """The channels of ``#rrggbb`` or ``rgb(r, g, b)``, the forms ORDER_COLOURS uses."""
    if colour.startswith("#"):
        red, green, blue = (int(colour[idx : idx + 2], 16) for idx in (1, 3, 5))
    else:
        red, green, blue = (int(part) for part in colour[colour.index("(") + 1 : -1].split(","))
    return red, green, blue


def _summary(plan: Plan) -> str:
    items = [
        ("Status", plan.status.value),
        ("Weighted tardiness", _with_bound(plan.tardiness_hours, plan.tardiness_bound)),
        (
            "Makespan",
            _with_bound(
                None if plan.makespan is None else plan.makespan / _HOUR,
                None if plan.makespan_bound is None else plan.makespan_bound / _HOUR,
            ),
        ),
        ("Gap", "—" if plan.gap is None else f"{plan.gap:.1%}"),
        ("Runtime", f"{plan.runtime_s:.1f} s"),
        *(
            []
            if plan.as_of is None
            else [("Status date", f"{plan.as_of:%Y-%m-%d %H:%M} (a replan: before it, history)")]
        ),
        ("Unplanned orders", ", ".join(plan.unplanned_orders) or "none"),
    ]
    if plan.schedule is not None:
        late = sum(d.is_late for d in plan.schedule.deliveries)
        items.append(("Late orders", f"{late} of {len(plan.schedule.deliveries)}"))
    summary = "\n".join(
        f"<dt>{html.escape(label)}</dt><dd>{html.escape(value)}</dd>" for label, value in items
    )
    notes = [
        f"<li>{html.escape(e.subject)}: {html.escape(e.message)}</li>"
        for e in plan.explanations
        if e.kind != "unfrozen"
    ]
    # A replan's frozen-window notes, one line per cause rather than one per step.
    work_orders = {op.work_order_id for op in plan.schedule.operations} if plan.schedule else set()
    unfrozen = (e for e in plan.explanations if e.kind == "unfrozen")
    for group in group_unfrozen(unfrozen, work_orders):
        shown = ", ".join(group.subjects[:3])
        more = f" and {len(group.subjects) - 3} more" if len(group.subjects) > 3 else ""
        steps = "frozen step" if len(group.subjects) == 1 else "frozen steps"
        notes.append(
            f"<li>{len(group.subjects)} {steps} moved: {html.escape(group.reason)} "
            f"({html.escape(shown)}{more})</li>"
        )
    explanations = "\n".join(notes)
    return f"<dl>\n{summary}\n</dl>" + (f"\n<ul>\n{explanations}\n</ul>" if explanations else "")


def _deliveries_table(deliveries: tuple[Delivery, ...]) -> str:
    rows = "\n".join(
        "<tr{cls}>{cells}</tr>".format(
            cls=' class="late"' if d.is_late else "",
            cells="".join(
                f"<td>{html.escape(cell)}</td>"
                for cell in (
                    d.order_id,
                    d.plant_id,
                    d.region,
                    f"{d.arrival:%Y-%m-%d %H:%M}",
                    "—" if d.due is None else f"{d.due:%Y-%m-%d %H:%M}",
                    "—" if d.lateness is None else _hours(d.lateness),
                )
            ),
        )
        for d in sorted(deliveries, key=lambda d: (d.due is None, d.due or d.arrival, d.order_id))
    )
    header = "".join(
        f"<th>{h}</th>" for h in ("Order", "Plant", "Region", "Arrival", "Due", "Lateness")
    )
    return f"<table>\n<tr>{header}</tr>\n{rows}\n</table>"


def _with_bound(value: float | None, bound: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f} h" + ("" if bound is None else f" (bound {bound:.1f} h)")


def _hours(span: timedelta) -> str:
    return f"{span / _HOUR:.1f} h"


def _span(span: timedelta) -> str:
    """Days from two days up, hours below, so lateness reads at the right scale."""
    return f"{span / _DAY:.1f} d" if span >= 2 * _DAY else _hours(span)


def _format_span(start: datetime, end: datetime) -> str:
    """``start–end``, leaving out the end's date when it is the start's."""
    end_format = "%H:%M" if end.date() == start.date() else "%Y-%m-%d %H:%M"
    return f"{start:%Y-%m-%d %H:%M}–{end.strftime(end_format)}"


def _axis_time(instant: datetime, zone: tzinfo | None) -> str:
    """``instant`` as a zone-less time in ``zone``; plotly.js would drop the offset."""
    return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def _hover_html(hover: str) -> str:
    return "<br>".join(html.escape(line) for line in hover.splitlines())
