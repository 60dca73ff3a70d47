"""``xiezuo gaps``: what capability the whole network is missing, without solving."""

from __future__ import annotations

import json
import textwrap
from functools import partial
from pathlib import Path  # noqa: TC003 (Typer reads the annotations at run time)
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from xiezuo.cli._shared import (
    EXIT_FINDINGS,
    FormatOption,
    ScenarioArg,
    check_writable,
    console,
    guarded,
    say,
    write_output,
)
from xiezuo.cli._tables import Column, print_table
from xiezuo.io.tables import write_file
from xiezuo.services import display
from xiezuo.services.gaps import gaps_of_file, gaps_record, summary
from xiezuo.web.gaps_page import (
    LEVERS_NOTE,
    MISSING_COLUMNS,
    MISSING_NOTE,
    NOT_COUNTED_NOTE,
    OVER_COLUMNS,
    OVER_NOTE,
    SINGLE_COLUMNS,
    SINGLE_NOTE,
    gaps_page_html,
    lever_lines,
    missing_cells,
    over_cells,
    single_cells,
)

if TYPE_CHECKING:
    from xiezuo.planning.analysis.gaps import Gaps

ROWS_SHOWN = 10
"""Rows of each table in the terminal; ``--html`` and ``--json`` have them all."""

_MISSING = tuple(Column(h, wraps=h == "orders") for h in MISSING_COLUMNS)
_SINGLE = tuple(
    Column(
        h,
        justify="right" if h in ("work", "of all", "of plant") else "left",
        drop_rank={"of plant": 1, SINGLE_COLUMNS[-1]: 2}.get(h),
    )
    for h in SINGLE_COLUMNS
)
_OVER = tuple(
    Column(h, justify="left" if h in ("class", "month") else "right") for h in OVER_COLUMNS
)


def gaps(
    scenario: ScenarioArg,
    fmt: FormatOption = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write every gap and load as JSON.")
    ] = None,
    html: Annotated[
        Path | None,
        typer.Option(help="Also write a self-contained HTML page with the whole load grid."),
    ] = None,
) -> None:
    """What the network cannot do as it stands, found without solving: items nobody can
    make, items only one plant can make (with their share of the work), and the
    processes and weight classes whose load exceeds their capacity by month, each with
    the smallest fix in numbers.

    docs/gaps.md explains every figure. Exits 1 when an item cannot be made or a month
    is over capacity, 0 when neither, 2 on bad input.
    """
    if json_out is not None:
        check_writable(json_out, "gaps")
    if html is not None:
        check_writable(html, "gaps page")
    network, found = guarded(lambda: gaps_of_file(scenario, fmt))
    _print_gaps(summary(network, found), found)
    if network.levers:
        _print_levers(lever_lines(found, network.start.tzinfo))
    if json_out is not None:
        text = json.dumps(gaps_record(network, found), indent=2, ensure_ascii=False) + "\n"
        write_output(json_out, partial(write_file, json_out, text.encode("utf-8")), "gaps")
        say("Gaps written to ", (str(json_out), "bold"), ".")
    if html is not None:
        page = gaps_page_html(network, found, title=f"xiezuo gaps: {network.name or scenario.name}")
        write_output(html, partial(write_file, html, page.encode("utf-8")), "gaps page")
        say("Gaps page written to ", (str(html), "bold"), ".")
    if found.has_gaps:
        raise typer.Exit(EXIT_FINDINGS)


def _print_gaps(headline: str, found: Gaps) -> None:
    say(textwrap.fill(headline, width=console.width, break_on_hyphens=False))
    if found.missing:
        print_table(
            console,
            "Items nobody can make",
            _MISSING,
            [missing_cells(m) for m in found.missing[:ROWS_SHOWN]],
            caption=MISSING_NOTE,
        )
        _more(len(found.missing), "item")
    if found.single_plant:
        print_table(
            console,
            "Items only one plant can make",
            _SINGLE,
            [single_cells(s) for s in found.single_plant[:ROWS_SHOWN]],
            caption=SINGLE_NOTE,
            dropped_hint=" --html has every column.",
        )
        _more(len(found.single_plant), "item")
    over = found.overloads
    if over:
        print_table(
            console,
            "Months over capacity, the largest first",
            _OVER,
            [over_cells(load) for load in over[:ROWS_SHOWN]],
            caption=OVER_NOTE,
        )
        _more(len(over), "class-month")
    else:
        say(("Every weight class has the capacity for its load in every month.", "green"))
    for unplanned in found.not_counted:
        say(("not counted: ", "yellow"), f"{unplanned.order_id}: {unplanned.message}")
    if found.not_counted:
        console.print(Text(NOT_COUNTED_NOTE, style="dim"))


def _print_levers(lines: list[str]) -> None:
    say(("Cheapest lever for each gap", "bold"))
    for line in lines[:ROWS_SHOWN]:
        say(textwrap.fill(line, width=console.width, initial_indent="- ", subsequent_indent="  "))
    if not lines:
        say("No lever on offer closes a gap alone.")
    _more(len(lines), "lever")
    console.print(Text(LEVERS_NOTE, style="dim"))


def _more(count: int, noun: str) -> None:
    if count > ROWS_SHOWN:
        rest = display.plural(count - ROWS_SHOWN, f"more {noun}", f"more {noun}s")
        say((f"… {rest}: --html or --json lists them all.", "dim"))
