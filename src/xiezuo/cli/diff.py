"""``xiezuo diff``: what changed from one plan to the next."""

from __future__ import annotations

import json
import textwrap
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from xiezuo.cli._shared import check_writable, console, guarded, say, write_output
from xiezuo.cli._tables import Column, print_table
from xiezuo.io.plan_file import read_plan
from xiezuo.services import display
from xiezuo.services.diff import DEFAULT_DAYS, DEFAULT_TOLERANCE, diff_for_plant, diff_plans
from xiezuo.services.planning import load_network
from xiezuo.web.diff_page import (
    DRAW_COLUMNS,
    HEADLINE_COLUMNS,
    OPERATION_COLUMNS,
    ORDER_COLUMNS,
    PLANT_CHANGE_COLUMNS,
    PLANT_COLUMNS,
    UNFROZEN_TITLE,
    WORK_ORDER_COLUMNS,
    diff_page_html,
    diff_zone,
    draw_rows,
    headline_rows,
    headline_sentences,
    narrowed_note,
    nothing_changed,
    operation_rows,
    order_rows,
    plant_caption,
    plant_change_rows,
    plant_rows,
    window_text,
    work_order_rows,
)

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import tzinfo

    from xiezuo.services.diff import OrderChange, PlanDiff

ORDERS_SHOWN = 20
"""Orders listed in the terminal, those that moved furthest first."""
DETAILS_SHOWN = 10
"""Rows of each detail table in the terminal; ``--out`` and ``--html`` have them all."""

PlanFileArg = Annotated[
    Path, typer.Argument(help="Plan JSON written by `xiezuo plan --out`.", show_default=False)
]

# How the shared headers print at 80 columns: which give way first, which stay.
_ORDER_DROP_RANK = {"priority": 1, "item": 2, "due": 3, "was": 4, "lateness": 5}
_ORDER_COLUMNS = tuple(
    Column(
        header,
        justify="right" if header in ("shift", "priority") else "left",
        drop_rank=_ORDER_DROP_RANK.get(header),
    )
    for header in ORDER_COLUMNS
)
_PLANT_COLUMNS = (
    Column(PLANT_COLUMNS[0]),
    *(Column(header, justify="right") for header in PLANT_COLUMNS[1:]),
)


def diff(
    old_file: PlanFileArg,
    new_file: PlanFileArg,
    scenario: Annotated[
        Path | None,
        typer.Option(
            help="The plans' scenario: gives orders their due dates and priority "
            "weights, material its units, and times its zone."
        ),
    ] = None,
    tolerance_hours: Annotated[
        float,
        typer.Option(
            min=0,
            max=1e6,
            help="An operation that starts at most this many hours earlier or later has not moved.",
        ),
    ] = DEFAULT_TOLERANCE / timedelta(hours=1),
    days: Annotated[
        int,
        typer.Option(
            min=1,
            max=3660,
            help="Days ahead that the per-plant changes cover, from the new plan's status "
            "date (else the old plan's first operation).",
        ),
    ] = DEFAULT_DAYS,
    plant: Annotated[
        str | None,
        typer.Option(help="Show only the changes that touch this plant (not in --out)."),
    ] = None,
    html: Annotated[
        Path | None, typer.Option(help="Also write the diff as a self-contained HTML page.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Write the whole diff as JSON (docs/diff.md).")
    ] = None,
) -> None:
    """Compare two plans: orders arriving at other times, what each plant does differently,
    and which work orders, operations and material draws changed.

    OLD and NEW are usually a plan and its replan. docs/diff.md explains every figure;
    moved operations is the stability measure of replanning. Exits 0 when it ran (a
    diff is a report, not a finding), 2 on bad input.
    """
    for path, what in ((html, "diff page"), (out, "diff")):
        if path is not None:
            check_writable(path, what)
    network = guarded(lambda: load_network(scenario)) if scenario is not None else None
    near = None if network is None else network.start
    old_plan = guarded(lambda: read_plan(old_file, near=near))
    new_plan = guarded(lambda: read_plan(new_file, near=near))
    whole = guarded(
        lambda: diff_plans(
            old_plan,
            new_plan,
            network=network,
            tolerance=timedelta(hours=tolerance_hours),
            days=days,
        )
    )
    shown = whole if plant is None else guarded(lambda: diff_for_plant(whole, plant))
    zone = diff_zone(whole, None if network is None else network.start.tzinfo)
    units = None if network is None else {m.id: m.unit for m in network.materials}
    more = f"see {out}" if out is not None else "see --out"
    _print_diff(shown, old_file, new_file, zone, more, units)
    if out is not None:
        record = json.dumps(whole.record(), indent=2, ensure_ascii=False) + "\n"

        def write_record() -> None:
            out.write_text(record, encoding="utf-8")

        write_output(out, write_record, "diff")
        say("Diff written to ", (str(out), "bold"), ".")
    if html is not None:
        page = diff_page_html(
            shown,
            title=f"xiezuo diff: {old_file.name} → {new_file.name}",
            old_name=str(old_file),
            new_name=str(new_file),
            zone=zone,
            unit_by_material=units,
        )

        def write_page() -> None:
            html.write_text(page, encoding="utf-8")

        write_output(html, write_page, "diff page")
        say("Diff page written to ", (str(html), "bold"), ".")


def _print_diff(
    diff: PlanDiff,
    old_file: Path,
    new_file: Path,
    zone: tzinfo | None,
    more: str,
    units: dict[str, str] | None,
) -> None:
    say(("Old plan: ", "bold"), str(old_file))
    say(("New plan: ", "bold"), str(new_file))
    if diff.plant_id is not None:
        say(narrowed_note(diff.plant_id))
    print_table(
        console, "Headline", [Column(h) for h in HEADLINE_COLUMNS], headline_rows(diff, zone)
    )
    for sentence in headline_sentences(diff):
        # Wrapped at the width (80 in a log file), unlike say(), as these run long.
        console.print(Text(sentence), highlight=False)
    if diff.is_empty:
        say((nothing_changed(diff), "green"))
    _print_orders(diff.orders, zone, more)
    if diff.plants:
        print_table(
            console,
            "What each plant does differently",
            _PLANT_COLUMNS,
            plant_rows(diff),
            caption=plant_caption(diff, zone),
        )
        if len(diff.plants) > 1:
            say("--plant PLANT lists the operations of one plant.", to=console)
        else:
            (only,) = diff.plants
            _print_capped(
                f"{only.plant_id}: operations to handle differently",
                [Column(h) for h in PLANT_CHANGE_COLUMNS],
                plant_change_rows(only, zone),
                more,
            )
    elif diff.window_start is not None:
        say(f"No plant has anything to do differently {window_text(diff, zone)}.")
    _print_capped(
        "Work orders at another plant or by another routing",
        [Column(h) for h in WORK_ORDER_COLUMNS],
        work_order_rows(diff.work_orders),
        more,
    )
    _print_capped(
        "Operations that changed, moved furthest first",
        [Column(h, justify="right" if h == "shift" else "left") for h in OPERATION_COLUMNS],
        operation_rows(diff.operations, zone),
        more,
    )
    _print_capped(
        "Material draws that changed",
        [Column(h) for h in DRAW_COLUMNS],
        draw_rows(diff.draws, units),
        more,
    )
    if diff.unfrozen:
        # The engine's message names the step, so a list reads better than a table.
        console.print(Text(UNFROZEN_TITLE, style="bold"))
        for explanation in diff.unfrozen[:DETAILS_SHOWN]:
            say(
                textwrap.fill(
                    explanation.message,
                    width=console.width,
                    initial_indent="- ",
                    subsequent_indent="  ",
                    break_long_words=False,
                    break_on_hyphens=False,
                )
            )
        _say_more(len(diff.unfrozen) - DETAILS_SHOWN, "operation", more)
    when = diff.window_start or diff.new_as_of
    if when is not None:
        console.print(Text(display.zone_note(zone, when), style="dim"))


def _print_orders(orders: Sequence[OrderChange], zone: tzinfo | None, more: str) -> None:
    if not orders:
        return
    shown = orders[:ORDERS_SHOWN]
    rows = []
    for order, cells in zip(shown, order_rows(shown, zone), strict=True):
        style = "red" if order.is_late else "green" if order.was_late else ""
        rows.append(
            [Text(cell, style=style) if idx in (4, 7) else cell for idx, cell in enumerate(cells)]
        )
    print_table(
        console,
        "Orders whose arrival changed, furthest first",
        _ORDER_COLUMNS,
        rows,
        caption="shift: new arrival minus old; lateness: arrival minus due, old → new; "
        "red: late in the new plan, green: no longer late.",
        dropped_hint=f" {more.capitalize()}.",
    )
    _say_more(len(orders) - len(shown), "order", more)


def _print_capped(
    title: str, columns: Sequence[Column], rows: Sequence[Sequence[str]], more: str
) -> None:
    if not rows:
        return
    print_table(console, title, columns, rows[:DETAILS_SHOWN])
    _say_more(len(rows) - DETAILS_SHOWN, "row", more)


def _say_more(count: int, noun: str, more: str) -> None:
    if count > 0:
        say((f"… {display.plural(count, f'more {noun}', f'more {noun}s')}, {more}", "dim"))
