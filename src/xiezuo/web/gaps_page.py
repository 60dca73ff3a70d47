"""Capability gaps as text cells and as a self-contained HTML page.

The cell functions give the terminal (``xiezuo gaps``) and the page the same headers
and wording; :func:`gaps_page_html` adds the whole rough-cut load grid, which is too
wide for a terminal.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from xiezuo.services import display
from xiezuo.services.gaps import (
    lever_text,
    missing_fix,
    month_label,
    overload_fix,
    reach_brief,
    single_fix,
    summary,
    units_short,
)
from xiezuo.web.page import LATE_COLOUR, html_page

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import tzinfo

    from xiezuo.domain import Network
    from xiezuo.planning.analysis.gaps import (
        Gaps,
        MissingItem,
        MonthLoad,
        PlantReach,
        SinglePlantItem,
    )

MISSING_COLUMNS = ("item", "orders", "nearest plant lacks")
SINGLE_COLUMNS = ("item", "plant", "work", "of all", "of plant", "nearest other lacks")
OVER_COLUMNS = ("class", "month", "load", "capacity", "over", "units short")
ORDERS_SHOWN = 3
"""Order IDs named per item before the rest are counted."""

MISSING_NOTE = (
    "No plant has a capable machine for every machine step of any routing of these "
    "items; the orders listed cannot be made. Smallest fix: a plant able to make the "
    "item; the nearest plant lacks the fewest steps (the first shown, +N more)."
)
SINGLE_NOTE = (
    "Only one plant can make these items, in the orders' BOMs: if it stops, so do they. "
    "Work: unit-hours of the item's machine work in all orders; of all: share of all "
    "orders' machine work; of plant: share of that plant's machine capacity over the "
    "horizon. Smallest fix: a second plant able to make the item; the nearest other "
    "plant lacks the fewest steps (the first shown, +N more)."
)
OVER_NOTE = (
    "Rough-cut, network-wide: a class is the machine groups of a process that hold at "
    "least its weight; its load is the work only they can do, spread evenly from each "
    "work order's earliest start to its latest on-time end; capacity is units times "
    "working hours by calendar (holidays, arrivals and departures included). Units "
    "short: one more unit of the class working the month by its calendar."
)
NOT_COUNTED_NOTE = "Orders the engine would set aside add no load."


def _orders(order_ids: Sequence[str]) -> str:
    shown = ", ".join(order_ids[:ORDERS_SHOWN])
    rest = len(order_ids) - ORDERS_SHOWN
    return f"{shown} +{rest}" if rest > 0 else shown or display.NONE


def missing_cells(missing: MissingItem) -> list[str]:
    return [missing.item_id, _orders(missing.order_ids), _nearest(missing.closest)]


def single_cells(single: SinglePlantItem) -> list[str]:
    return [
        single.item_id,
        single.plant_id,
        display.hours(single.work_h),
        display.percent(single.network_share),
        display.percent(single.plant_share),
        _nearest(single.closest),
    ]


def _nearest(closest: Sequence[PlantReach]) -> str:
    return reach_brief(closest[0]) if closest else "no other plant"


def over_cells(load: MonthLoad) -> list[str]:
    return [
        load.weight_class.label,
        month_label(load.month),
        display.hours(load.load_h),
        display.hours(load.capacity_h),
        display.hours(load.over_h),
        units_short(load.units_short),
    ]


LEVERS_NOTE = (
    "A shed on offer in the scenario's levers is capacity only once a plan pulls it: "
    "for each gap, the cheapest shed that closes it alone (a class-month: enough hours "
    "of a heavy enough group of the process in that month; an item: a group that lets "
    "its plant make it)."
)


def lever_lines(gaps: Gaps, zone: tzinfo | None) -> list[str]:
    """``machining ≥ 20 t in 2030-07: shed ...`` for every gap a lever closes."""
    lines = [
        f"{m.item_id} (nobody can make): {lever_text(m.lever, zone)}"
        for m in gaps.missing
        if m.lever is not None
    ]
    lines += [
        f"{s.item_id} (only {s.plant_id}): {lever_text(s.lever, zone)}"
        for s in gaps.single_plant
        if s.lever is not None
    ]
    lines += [
        f"{load.weight_class.label} in {month_label(load.month)}: {lever_text(load.lever, zone)}"
        for load in gaps.overloads
        if load.lever is not None
    ]
    return lines


def gaps_page_html(network: Network, gaps: Gaps, *, title: str) -> str:
    """A self-contained page with every gap and the whole load grid, for ``--html``.

    Every text from the scenario is escaped.
    """
    parts = [f"<p>{_e(summary(network, gaps))}</p>"]
    parts.append(
        _section(
            "Items nobody can make",
            _table(
                (*MISSING_COLUMNS[:-1], "smallest fix"),
                [[*missing_cells(m)[:-1], missing_fix(m)] for m in gaps.missing],
            )
            if gaps.missing
            else "<p>None: every item has a plant able to make it.</p>",
            MISSING_NOTE,
        )
    )
    parts.append(
        _section(
            "Items only one plant can make",
            _table(
                (*SINGLE_COLUMNS[:-1], "smallest fix"),
                [[*single_cells(s)[:-1], single_fix(s)] for s in gaps.single_plant],
                numbers=(2, 3, 4),
            )
            if gaps.single_plant
            else "<p>None: every item in the orders has two plants or more.</p>",
            SINGLE_NOTE,
        )
    )
    over = gaps.overloads
    parts.append(
        _section(
            "Months over capacity",
            _table(
                (*OVER_COLUMNS, "smallest fix"),
                [[*over_cells(load), overload_fix(load)] for load in over],
                numbers=(2, 3, 4, 5),
            )
            if over
            else "<p>None: every class has the capacity for its load in every month.</p>",
            OVER_NOTE,
        )
    )
    if network.levers:
        lines = lever_lines(gaps, network.start.tzinfo)
        body = (
            "<ul>" + "".join(f"<li>{_e(line)}</li>" for line in lines) + "</ul>"
            if lines
            else "<p>No lever on offer closes a gap alone.</p>"
        )
        parts.append(_section("Cheapest lever for each gap", body, LEVERS_NOTE))
    parts.append(_section("Load against capacity by month", _grid(gaps), _GRID_NOTE))
    if gaps.not_counted:
        items = "".join(f"<li>{_e(u.order_id)}: {_e(u.message)}</li>" for u in gaps.not_counted)
        parts.append(_section("Not counted", f"<ul>{items}</ul>", NOT_COUNTED_NOTE))
    return html_page(title, "\n".join(parts), head=_STYLE)


_GRID_NOTE = (
    "Cell: load as a share of capacity; hover for the hours. Red: over capacity. A "
    "class includes the heavier classes below it in the table."
)


def _grid(gaps: Gaps) -> str:
    by_class: dict[str, dict[str, MonthLoad]] = {}
    for load in gaps.loads:
        by_class.setdefault(load.weight_class.label, {})[month_label(load.month)] = load
    months = [month_label(m) for m in gaps.months]
    rows = []
    for label, loads in by_class.items():
        cells = [f"<th>{_e(label)}</th>"]
        for month in months:
            load = loads[month]
            share = load.utilisation
            if share is not None:
                text = display.percent(share)
            else:
                text = "no capacity" if load.load_h > 0 else display.NONE
            css = "number over" if load.over_h > 0 else "number"
            tip = f"{display.hours(load.load_h)} of {display.hours(load.capacity_h)}"
            cells.append(f'<td class="{css}" title="{_e(tip)}">{_e(text)}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    header = "<tr><th>class</th>" + "".join(f"<th>{_e(m)}</th>" for m in months) + "</tr>"
    body = "\n".join(rows)
    return (
        f'<div class="wide"><table><thead>{header}</thead><tbody>\n{body}\n</tbody></table></div>'
    )


_STYLE = f"""
<style>
section {{ margin-bottom: 2rem; }}
p.note {{ color: #555; font-size: 0.85rem; max-width: 60rem; }}
td.number {{ white-space: nowrap; }}
td.over {{ color: {LATE_COLOUR}; font-weight: bold; background: #fde8e8; }}
div.wide {{ overflow-x: auto; max-width: 100%; }}
</style>"""


def _section(title: str, body: str, note: str | None) -> str:
    note_html = f'\n<p class="note">{_e(note)}</p>' if note else ""
    return f"<section>\n<h2>{_e(title)}</h2>\n{body}{note_html}\n</section>"


def _table(
    columns: Sequence[str], rows: Sequence[Sequence[str]], *, numbers: tuple[int, ...] = ()
) -> str:
    head = "<tr>" + "".join(f"<th>{_e(c)}</th>" for c in columns) + "</tr>"

    def cell(idx: int, text: str) -> str:
        css = ' class="number"' if idx in numbers else ""
        return f"<td{css}>{_e(text)}</td>"

    body = "\n".join(
        "<tr>" + "".join(cell(idx, text) for idx, text in enumerate(row)) + "</tr>" for row in rows
    )
    return f"<table><thead>{head}</thead><tbody>\n{body}\n</tbody></table>"


def _e(text: str) -> str:
    return html.escape(text)
