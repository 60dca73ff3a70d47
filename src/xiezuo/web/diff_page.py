"""The plan diff as text cells and as a self-contained HTML page.

The cell functions give the terminal (``xiezuo diff``) and the page the same headers
and the same wording; :func:`diff_page_html` lays them out as one page that needs no
network, with an order table that sorts by any column on a click.
"""

from __future__ import annotations

import html
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from xiezuo.services import display
from xiezuo.services.diff import OrderChangeKind, PlantChangeKind
from xiezuo.web.page import html_page

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from xiezuo.domain import ScheduledOperation
    from xiezuo.services.diff import (
        DrawChange,
        OperationChange,
        OrderChange,
        PlanDiff,
        PlantDiff,
        WorkOrderChange,
    )

ROWS_PER_PAGE_TABLE = 2000
"""Rows each detail table of the page shows; the ``--out`` JSON has them all."""

HEADLINE_COLUMNS = ("figure", "old plan", "new plan")
ORDER_COLUMNS = ("order", "item", "change", "was", "now", "shift", "due", "lateness", "priority")
PLANT_COLUMNS = ("plant", *(kind.value for kind in PlantChangeKind), "total")
PLANT_CHANGE_COLUMNS = ("change", "operation", "was", "now")
WORK_ORDER_COLUMNS = ("work order", "item", "plant", "routing")
OPERATION_COLUMNS = ("operation", "change", "was", "now", "shift")
DRAW_COLUMNS = ("step", "material", "plant", "was", "now")
UNFROZEN_COLUMNS = ("operation", "why it moved")
UNFROZEN_TITLE = "Operations of the frozen window that had to move"

_ORDER_CHANGE = {
    OrderChangeKind.UNPLANNED: "newly unplanned",
    OrderChangeKind.PLANNED: "newly planned",
    OrderChangeKind.ADDED: "added",
    OrderChangeKind.CANCELLED: "cancelled",
}


def diff_zone(diff: PlanDiff, zone: tzinfo | None = None) -> tzinfo | None:
    """The zone to show instants in: ``zone`` (the network's) if given, else the plans'."""
    if zone is not None or diff.window_start is None:
        return zone
    return diff.window_start.tzinfo


def nothing_changed(diff: PlanDiff) -> str:
    """What an empty diff means, for the whole network or the plant it is narrowed to."""
    if diff.plant_id is None:
        return "The plans are the same: nothing moved."
    return f"Nothing that touches {diff.plant_id} changed."


def narrowed_note(plant_id: str) -> str:
    """Said once at the top of a diff narrowed to one plant."""
    return (
        f"Only changes that touch {plant_id} are listed; the headline and the orders "
        "cover the whole network."
    )


def headline_rows(diff: PlanDiff, zone: tzinfo | None) -> list[tuple[str, str, str]]:
    """The figures that have an old and a new value, under :data:`HEADLINE_COLUMNS`;
    the status date only for a replan."""
    head = diff.headline
    rows = [("status", head.old_status.value, head.new_status.value)]
    if diff.old_as_of is not None or diff.new_as_of is not None:
        rows.append(
            (
                "status date",
                display.instant(diff.old_as_of, zone),
                display.instant(diff.new_as_of, zone),
            )
        )
    return [
        *rows,
        (
            "weighted tardiness",
            display.hours(head.old_tardiness_hours),
            display.hours(head.new_tardiness_hours),
        ),
        ("makespan", display.span(head.old_makespan), display.span(head.new_makespan)),
        ("late orders", f"{head.old_late_orders:,}", f"{head.new_late_orders:,}"),
    ]


def headline_sentences(diff: PlanDiff) -> list[str]:
    """What changed, in counts: orders, operations, work orders and material."""
    head = diff.headline
    tolerance = display.span(diff.tolerance)
    orders = (
        f"Orders: {head.orders_later:,} arrive later and {head.orders_earlier:,} earlier "
        f"({head.orders_now_late:,} now late, {head.orders_no_longer_late:,} no longer late)"
    )
    others = [
        display.plural(count, "order") + " " + what
        for count, what in (
            (head.orders_added, "added"),
            (head.orders_cancelled, "cancelled"),
            (head.orders_unplanned, "newly unplanned"),
            (head.orders_planned, "newly planned"),
        )
        if count
    ]
    return [
        orders + ("; " + ", ".join(others) if others else "") + ".",
        f"Operations: {head.moved_operations:,} of {head.compared_operations:,} in both plans "
        f"moved (to another plant, routing or machine group, or starting more than {tolerance} "
        f"earlier or later); {head.added_operations:,} added, "
        f"{head.removed_operations:,} removed.",
        f"Work orders: {head.changed_plants:,} at another plant, "
        f"{head.changed_routings:,} by another routing.",
        f"Material draws: {head.changed_draws:,} from other warehouses or in other quantities.",
    ]


def order_rows(orders: Sequence[OrderChange], zone: tzinfo | None) -> list[tuple[str, ...]]:
    """One row per changed order under :data:`ORDER_COLUMNS`."""
    was = display.instants([o.old_arrival for o in orders], zone)
    now = display.instants([o.new_arrival for o in orders], zone)
    due = display.instants([o.due for o in orders], zone, end_of_day=True)
    return [
        (
            order.order_id,
            order.item_id or display.NONE,
            order_change(order),
            was_cell,
            now_cell,
            signed_span(order.shift),
            due_cell,
            _lateness(order),
            display.NONE if order.priority is None else str(order.priority),
        )
        for order, was_cell, now_cell, due_cell in zip(orders, was, now, due, strict=True)
    ]


def order_change(order: OrderChange) -> str:
    """``later``, ``earlier``, ``newly unplanned``, ``added``, ...: the order's change."""
    if order.kind is OrderChangeKind.MOVED:
        return "later" if (order.shift or timedelta(0)) > timedelta(0) else "earlier"
    return _ORDER_CHANGE[order.kind]


def plant_rows(diff: PlanDiff) -> list[tuple[str, ...]]:
    """Per plant, how many operations of each kind of change, under :data:`PLANT_COLUMNS`."""
    return [
        (
            plant.plant_id,
            *(_count(plant.count(kind)) for kind in PlantChangeKind),
            f"{len(plant.changes):,}",
        )
        for plant in diff.plants
    ]


def window_text(diff: PlanDiff, zone: tzinfo | None) -> str:
    """``from 1958-07-01 00:00 to 1958-07-15 00:00 (14 days)``: the per-plant window."""
    return (
        f"from {display.instant(diff.window_start, zone)} to "
        f"{display.instant(diff.window_end, zone)} ({display.plural(diff.days, 'day')})"
    )


def plant_caption(diff: PlanDiff, zone: tzinfo | None) -> str:
    """What the per-plant counts cover: the window and each kind of change."""
    return (
        f"Operations each plant handles differently {window_text(diff, zone)}: "
        "added or removed (also to or from another plant), moved in or out of that "
        "window, on another machine (group or unit), or retimed by more than "
        f"{display.span(diff.tolerance)}; reported work is left out."
    )


def plant_change_rows(
    plant: PlantDiff, zone: tzinfo | None, *, two_lines: bool = False
) -> list[tuple[str, ...]]:
    """A plant's changed operations under :data:`PLANT_CHANGE_COLUMNS`; with
    ``two_lines`` the time goes under the machine rather than beside it."""
    rows: list[tuple[str, ...]] = []
    for change in plant.changes:
        kind = change.kind.value
        if change.other_plant is not None:
            preposition = "from" if change.kind is PlantChangeKind.ADDED else "to"
            kind = f"{kind} ({preposition} {change.other_plant})"
        rows.append(
            (
                kind,
                operation_label(change.work_order_id, change.step),
                _where_when(change.old, zone, two_lines),
                _where_when(change.new, zone, two_lines),
            )
        )
    return rows


def work_order_rows(work_orders: Sequence[WorkOrderChange]) -> list[tuple[str, ...]]:
    """Work orders made elsewhere or otherwise, under :data:`WORK_ORDER_COLUMNS`."""
    return [
        (
            change.work_order_id,
            change.item_id,
            _arrow(change.old_plant, change.new_plant),
            _arrow(change.old_routing, change.new_routing),
        )
        for change in work_orders
    ]


def operation_rows(
    operations: Sequence[OperationChange], zone: tzinfo | None, *, two_lines: bool = False
) -> list[tuple[str, ...]]:
    """Changed operations under :data:`OPERATION_COLUMNS`; ``two_lines`` as in
    :func:`plant_change_rows`."""
    return [
        (
            operation_label(change.work_order_id, change.step),
            operation_change(change),
            _where_when(change.old, zone, two_lines),
            _where_when(change.new, zone, two_lines),
            signed_span(change.shift),
        )
        for change in operations
    ]


def operation_change(change: OperationChange) -> str:
    """``plant, start``, ``added``, ``removed``; ``(reported)`` marks history."""
    if change.old is None:
        words = "added"
    elif change.new is None:
        words = "removed"
    else:
        words = ", ".join(aspect.value for aspect in change.changes)
    return f"{words} (reported)" if change.is_history else words


def draw_rows(
    draws: Sequence[DrawChange],
    unit_by_material: Mapping[str, str] | None = None,
    *,
    two_lines: bool = False,
) -> list[tuple[str, ...]]:
    """Changed material draws under :data:`DRAW_COLUMNS`; quantities with their unit
    when ``unit_by_material`` (from the network) has it, and one warehouse a line
    with ``two_lines``."""
    units = unit_by_material or {}
    between = "\n" if two_lines else ", "

    def sources(pairs: tuple[tuple[str, int], ...], material_id: str) -> str:
        unit = units.get(material_id)
        return (
            between.join(
                f"{display.quantity(quantity, unit) if unit else f'{quantity:,}'} from {origin}"
                for origin, quantity in pairs
            )
            or display.NONE
        )

    return [
        (
            operation_label(change.work_order_id, change.step)
            + (" (reported)" if change.is_history else ""),
            change.material_id,
            change.plant_id,
            sources(change.old_sources, change.material_id),
            sources(change.new_sources, change.material_id),
        )
        for change in draws
    ]


def operation_label(work_order_id: str, step: int) -> str:
    """``ORD-1:PRESS/FRAME #2``: a work order's step."""
    return f"{work_order_id} #{step}"


def signed_span(value: timedelta | None) -> str:
    """``+1.5 d``, ``-3.0 h``: a shift in the unit that suits it, with its sign."""
    if value is None:
        return display.NONE
    if not value:
        return display.span(value)
    sign = "-" if value < timedelta(0) else "+"
    return sign + display.span(abs(value))


def diff_page_html(
    diff: PlanDiff,
    *,
    title: str,
    old_name: str,
    new_name: str,
    zone: tzinfo | None = None,
    unit_by_material: Mapping[str, str] | None = None,
) -> str:
    """A self-contained page with the whole diff, for ``xiezuo diff --html``.

    Parameters
    ----------
    diff
        The diff to show.
    title
        Page title and heading.
    old_name, new_name
        How to name the two plans (their file names).
    zone
        Time zone of the instants (the network's); default: the plans' own offset.
    unit_by_material
        Material units, from the network, for the draw quantities.

    Returns
    -------
    str
        A complete HTML document; every text from the plans is escaped.
    """
    zone = diff_zone(diff, zone)
    when = diff.window_start or diff.new_as_of
    intro = (
        f"<p>Old plan: <b>{html.escape(old_name)}</b> · new plan: "
        f"<b>{html.escape(new_name)}</b>."
        + (f" {html.escape(display.zone_note(zone, when))}" if when is not None else "")
        + "</p>"
    )
    if diff.plant_id is not None:
        intro += f"\n<p>{html.escape(narrowed_note(diff.plant_id))}</p>"
    if diff.is_empty:
        intro += f"\n<p><b>{html.escape(nothing_changed(diff))}</b></p>"
    sections = [
        intro,
        _section(
            "Headline",
            _table(HEADLINE_COLUMNS, headline_rows(diff, zone))
            + "\n<ul>\n"
            + "\n".join(f"<li>{html.escape(s)}</li>" for s in headline_sentences(diff))
            + "\n</ul>",
        ),
        _section("Orders whose arrival changed", _orders_table(diff.orders, zone)),
        _section("What each plant does differently", _plants_html(diff, zone)),
        _section(
            "Work orders at another plant or by another routing",
            _table(WORK_ORDER_COLUMNS, work_order_rows(diff.work_orders)),
        ),
        _section(
            "Operations that changed",
            _table(
                OPERATION_COLUMNS,
                operation_rows(diff.operations, zone, two_lines=True),
                numeric=frozenset({"shift"}),
            ),
        ),
        _section(
            "Material draws that changed",
            _table(DRAW_COLUMNS, draw_rows(diff.draws, unit_by_material, two_lines=True)),
        ),
    ]
    if diff.unfrozen:
        rows = [(e.subject, e.message) for e in diff.unfrozen]
        sections.append(_section(UNFROZEN_TITLE, _table(UNFROZEN_COLUMNS, rows)))
    return html_page(
        title,
        "\n".join(sections) + f"\n<script>{_SORT_SCRIPT}</script>",
        head=f"\n<style>{_STYLE}</style>",
    )


def _section(heading: str, body: str) -> str:
    return f"<section>\n<h2>{html.escape(heading)}</h2>\n{body}\n</section>"


def _cell(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def _table(
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    numeric: frozenset[str] = frozenset(),
) -> str:
    if not rows:
        return "<p>None.</p>"
    shown = rows[:ROWS_PER_PAGE_TABLE]
    header = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "\n".join(
        "<tr>"
        + "".join(
            f'<td class="number">{_cell(cell)}</td>'
            if column in numeric
            else f"<td>{_cell(cell)}</td>"
            for column, cell in zip(columns, row, strict=True)
        )
        + "</tr>"
        for row in shown
    )
    more = (
        f"\n<p>{len(rows) - len(shown):,} more in the diff's JSON (--out).</p>"
        if len(rows) > len(shown)
        else ""
    )
    return f"<table>\n<tr>{header}</tr>\n{body}\n</table>{more}"


def _orders_table(orders: Sequence[OrderChange], zone: tzinfo | None) -> str:
    """The order table, sortable: each cell carries a sort key the script compares."""
    if not orders:
        return "<p>No order arrives at another time, and none is added or left out.</p>"
    numeric = {"shift", "lateness", "priority"}
    header = "".join(
        f'<th data-column="{idx}" title="Click to sort">{html.escape(c)}</th>'
        for idx, c in enumerate(ORDER_COLUMNS)
    )
    lines = []
    for order, cells in zip(orders, order_rows(orders, zone), strict=True):
        keys = (
            order.order_id,
            order.item_id or "",
            order_change(order),
            _instant_key(order.old_arrival),
            _instant_key(order.new_arrival),
            _hours_key(order.shift),
            _instant_key(order.due),
            _hours_key(order.new_lateness),
            "" if order.priority is None else str(order.priority),
        )
        tds = "".join(
            f'<td data-sort="{html.escape(key)}"'
            + (' class="number"' if column in numeric else "")
            + f">{_cell(cell)}</td>"
            for column, cell, key in zip(ORDER_COLUMNS, cells, keys, strict=True)
        )
        late = ' class="late"' if order.is_late else ""
        lines.append(f"<tr{late}>{tds}</tr>")
    rows = "\n".join(lines)
    return (
        f'<table class="sortable" id="diff-orders">\n<thead><tr>{header}</tr></thead>\n'
        f"<tbody>\n{rows}\n</tbody>\n</table>\n"
        '<p class="notes">Moved orders first, furthest first; click a header to sort. '
        "shift: new arrival minus old; lateness: arrival minus due, old → new; late "
        "orders in red.</p>"
    )


def _plants_html(diff: PlanDiff, zone: tzinfo | None) -> str:
    caption = f'<p class="notes">{html.escape(plant_caption(diff, zone))}</p>'
    if not diff.plants:
        nothing = f"No plant has anything to do differently {window_text(diff, zone)}."
        return f"<p>{html.escape(nothing)}</p>"
    counts = _table(
        PLANT_COLUMNS,
        plant_rows(diff),
        numeric=frozenset(PLANT_COLUMNS[1:]),
    )
    details = "\n".join(
        f"<details><summary>{html.escape(plant.plant_id)}: "
        f"{html.escape(display.plural(len(plant.changes), 'operation'))}</summary>\n"
        + _table(PLANT_CHANGE_COLUMNS, plant_change_rows(plant, zone, two_lines=True))
        + "\n</details>"
        for plant in diff.plants
    )
    return f"{counts}\n{caption}\n{details}"


def _where_when(op: ScheduledOperation | None, zone: tzinfo | None, two_lines: bool) -> str:
    if op is None:
        return display.NONE
    machine = "engineering" if op.machine_id is None else f"{op.machine_id} #{op.unit + 1}"
    between = "\n" if two_lines else " · "
    return f"{op.plant_id} · {machine}{between}{display.instant(op.start, zone)}"


def _arrow(old: str, new: str) -> str:
    return old if old == new else f"{old} → {new}"


def _lateness(order: OrderChange) -> str:
    old, new = order.old_lateness, order.new_lateness
    if old is None and new is None:
        return display.NONE
    return f"{signed_span(old)} → {signed_span(new)}"


def _count(count: int) -> str:
    return f"{count:,}" if count else "·"


def _instant_key(value: datetime | None) -> str:
    return "" if value is None else f"{value.timestamp():.0f}"


def _hours_key(value: timedelta | None) -> str:
    return "" if value is None else f"{value / timedelta(hours=1):.4f}"


_STYLE = """
section { margin-bottom: 1.5rem; overflow-x: auto; }
section td { white-space: nowrap; }
p.notes { color: #555; font-size: 0.85rem; max-width: 60rem; }
table.sortable th { cursor: pointer; user-select: none; }
table.sortable th[aria-sort="ascending"]::after { content: " ▲"; }
table.sortable th[aria-sort="descending"]::after { content: " ▼"; }
details { margin: 0.3rem 0; }
summary { cursor: pointer; font-weight: bold; }
"""

# Sorts a table.sortable by the clicked column: numbers by value, empty keys last.
_SORT_SCRIPT = """
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("th").forEach(function (th) {
    th.addEventListener("click", function () {
      var column = Number(th.dataset.column);
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("th").forEach(function (other) {
        other.removeAttribute("aria-sort");
      });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[column].dataset.sort, y = b.cells[column].dataset.sort;
        if (x === "" || y === "") { return (x === "") - (y === ""); }
        var order = (!isNaN(x) && !isNaN(y)) ? Number(x) - Number(y) : x.localeCompare(y);
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
"""
