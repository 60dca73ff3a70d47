"""Gantt data and a self-contained Gantt page built from a :class:`Plan`.

:func:`gantt_bars` is the testable part: plain data, one bar per scheduled
operation. :func:`gantt_figure` and :func:`gantt_html` only draw those bars, so the
page can be checked through its data rather than its pixels. The page embeds
plotly.js because planners open it on shop-floor machines without a network.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

import plotly.graph_objects as go
import plotly.io as pio
from plotly.colors import qualitative

from xiezuo.web.page import LATE_COLOUR, html_page

if TYPE_CHECKING:
    from collections.abc import Sequence

    from xiezuo.domain import Delivery, Plan

# Colour-blind-safe and free of pure red, so the late outline never blends in.
ORDER_COLOURS: tuple[str, ...] = tuple(qualitative.Safe)

_ROW_HEIGHT_PX = 26
_HOUR = timedelta(hours=1)


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


def gantt_bars(plan: Plan) -> tuple[GanttBar, ...]:
    """One bar per scheduled operation, ready to draw.

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
        bars.append(
            GanttBar(
                row=(
                    f"{op.plant_id} · engineering"
                    if op.machine_id is None
                    else f"{op.plant_id} · {op.machine_id} #{op.unit + 1}"
                ),
                plant_id=op.plant_id,
                machine_id=op.machine_id,
                unit=op.unit,
                start=op.start,
                end=op.end,
                order_id=wo.order_id,
                item_id=wo.item_id,
                work_order_id=op.work_order_id,
                step=op.step,
                process=op.process or "engineering",
                is_late=is_late,
                hover="\n".join(
                    (
                        order_line,
                        f"Step {op.step}: {op.process or 'engineering'} ({op.work_order_id})",
                        _format_span(op.start, op.end),
                        f"Work {_hours(op.work)}",
                    )
                ),
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


def gantt_figure(plan: Plan, *, title: str = "xiezuo plan") -> go.Figure:
    """An interactive Gantt chart of ``plan``: one row per machine unit.

    One trace per order gives each order one colour and a legend entry that
    toggles it; late orders get a red outline and hatching so they stand out in
    any colour. Rows keep :func:`gantt_bars` order with a line between plants.
    Times are drawn in the time zone of the earliest operation, because plotly.js
    ignores offsets and a plan is normally in one zone anyway. Text is escaped
    because plotly.js reads labels as HTML-like markup.

    Parameters
    ----------
    plan
        Any plan; one without a schedule gives an empty chart.
    title
        Chart title.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    bars = gantt_bars(plan)
    rows = list(dict.fromkeys(bar.row for bar in bars))
    order_ids = sorted({bar.order_id for bar in bars})
    colour_by_order = {
        order_id: ORDER_COLOURS[idx % len(ORDER_COLOURS)] for idx, order_id in enumerate(order_ids)
    }
    zone = min(bars, key=lambda b: b.start).start.tzinfo if bars else None
    fig = go.Figure()
    for order_id in order_ids:
        order_bars = [bar for bar in bars if bar.order_id == order_id]
        is_late = order_bars[0].is_late
        fig.add_trace(
            go.Bar(
                name=html.escape(f"{order_id} (late)" if is_late else order_id),
                orientation="h",
                y=[html.escape(bar.row) for bar in order_bars],
                base=[_axis_time(bar.start, zone) for bar in order_bars],
                x=[(bar.end - bar.start) / timedelta(milliseconds=1) for bar in order_bars],
                hovertext=[_hover_html(bar.hover) for bar in order_bars],
                hovertemplate="%{hovertext}<extra></extra>",
                marker={
                    "color": colour_by_order[order_id],
                    "line": {
                        "color": LATE_COLOUR if is_late else "rgba(0, 0, 0, 0.4)",
                        "width": 3 if is_late else 1,
                    },
                    "pattern": {"shape": "/" if is_late else ""},
                },
            )
        )
    plant_by_row = {bar.row: bar.plant_id for bar in bars}
    fig.update_layout(
        title=html.escape(title),
        barmode="overlay",
        height=max(320, 160 + _ROW_HEIGHT_PX * len(rows)),
        legend_title_text="Order",
        shapes=[
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "yref": "y",
                "y0": row_idx - 0.5,
                "y1": row_idx - 0.5,
                "line": {"color": "#555", "width": 1},
            }
            for row_idx in range(1, len(rows))
            if plant_by_row[rows[row_idx]] != plant_by_row[rows[row_idx - 1]]
        ],
    )
    fig.update_xaxes(type="date")
    fig.update_yaxes(
        categoryorder="array",
        categoryarray=[html.escape(row) for row in rows],
        autorange="reversed",
        automargin=True,
    )
    return fig


def gantt_html(plan: Plan, *, title: str = "xiezuo plan", sections: Sequence[str] = ()) -> str:
    """A self-contained HTML page: plan summary, Gantt chart and deliveries.

    plotly.js is embedded rather than linked so the page opens offline; all plan
    text is escaped because IDs come from planners' files.

    Parameters
    ----------
    plan
        Any plan; one without a schedule gets its summary and a note instead of
        the chart and deliveries.
    title
        Page and chart title.
    sections
        HTML fragments built by xiezuo itself (such as the staff chart) to append
        after the deliveries; they may rely on the plotly.js the page embeds.

    Returns
    -------
    str
        A complete HTML document.
    """
    if plan.schedule is None:
        body = "<p>This plan has no schedule.</p>"
    else:
        chart = pio.to_html(
            gantt_figure(plan, title=title),
            include_plotlyjs=True,
            full_html=False,
            config={"displaylogo": False},
        )
        body = f"{chart}\n<h2>Deliveries</h2>\n{_deliveries_table(plan.schedule.deliveries)}"
        body += "".join(f"\n{section}" for section in sections)
    return html_page(title, f"{_summary(plan)}\n{body}")


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
        ("Unplanned orders", ", ".join(plan.unplanned_orders) or "none"),
    ]
    if plan.schedule is not None:
        late = sum(d.is_late for d in plan.schedule.deliveries)
        items.append(("Late orders", f"{late} of {len(plan.schedule.deliveries)}"))
    summary = "\n".join(
        f"<dt>{html.escape(label)}</dt><dd>{html.escape(value)}</dd>" for label, value in items
    )
    explanations = "\n".join(
        f"<li>{html.escape(e.subject)}: {html.escape(e.message)}</li>" for e in plan.explanations
    )
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


def _format_span(start: datetime, end: datetime) -> str:
    """``start–end``, leaving out the end's date when it is the start's."""
    end_format = "%H:%M" if end.date() == start.date() else "%Y-%m-%d %H:%M"
    return f"{start:%Y-%m-%d %H:%M}–{end.strftime(end_format)}"


def _axis_time(instant: datetime, zone: tzinfo | None) -> str:
    """``instant`` as a zone-less time in ``zone``; plotly.js would drop the offset."""
    return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def _hover_html(hover: str) -> str:
    return "<br>".join(html.escape(line) for line in hover.splitlines())
