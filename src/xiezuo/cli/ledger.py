"""``xiezuo ledger``: the promises between plants, for the coordinating office."""

from __future__ import annotations

import textwrap
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from xiezuo.cli._shared import check_writable, console, fail, guarded, say, write_output
from xiezuo.cli._tables import Column, print_table
from xiezuo.io.tables import write_csv_dir, write_file, write_xlsx
from xiezuo.services import display
from xiezuo.services.ledger import (
    DEFAULT_RISK_SLACK,
    critical_chain,
    ledger_for_plant,
    ledger_of_files,
    ledger_tables,
)
from xiezuo.web.ledger_page import (
    CHAIN_COLUMNS,
    CHAIN_NOTE,
    CHECK_COLUMNS,
    HELP_COLUMNS,
    HELP_NOTE,
    LENT_COLUMNS,
    LENT_NOTE,
    PROMISE_COLUMNS,
    REGION_NOTE,
    SLACK_NOTE,
    WAIT_COLUMNS,
    WAIT_LIST_NOTE,
    WAITS_NOTE,
    chain_headline,
    chain_responsible,
    chain_rows,
    check_cells,
    help_rows,
    ledger_page_html,
    lent_rows,
    promise_cells,
    region_table,
    state_counts,
    summary,
    tightest,
    wait_rows,
    wait_table,
    worrying,
)

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import tzinfo

    from xiezuo.services.ledger import Ledger, OrderChain

PROMISES_SHOWN = 12
"""Promises listed in the terminal, least slack first; ``--html`` and ``--csv-dir`` have all."""
CHECKS_SHOWN = 20
"""Late and at-risk promises listed in the terminal."""

# Which promise columns give way first at 80 columns.
_PROMISE_DROP_RANK = {"leaves": 1, "qty": 2, "calendar slack": 3, "arrives": 4, "order": 5}
_PROMISE_COLUMNS = tuple(
    Column(
        header,
        justify="right" if header in ("qty", "working slack", "calendar slack") else "left",
        drop_rank=_PROMISE_DROP_RANK.get(header),
    )
    for header in PROMISE_COLUMNS
)
_CHAIN_DROP_RANK = {"start": 1, "inputs in": 2}
_CHAIN_COLUMNS = tuple(
    Column(
        header,
        justify="right" if header == "held" else "left",
        drop_rank=_CHAIN_DROP_RANK.get(header),
    )
    for header in CHAIN_COLUMNS
)
_CHECK_COLUMNS = tuple(
    Column(header, drop_rank={"leaves": 1, "order": 2}.get(header), wraps=header == "why")
    for header in CHECK_COLUMNS
)


PlanFileArg = Annotated[
    Path, typer.Argument(help="Plan JSON written by `xiezuo plan --out`.", show_default=False)
]
ScenarioOption = Annotated[
    Path,
    typer.Option(
        help="The plan's scenario: its plants' calendars, BOMs and orders.", show_default=False
    ),
]


def ledger(
    plan_file: PlanFileArg,
    scenario: ScenarioOption,
    progress: Annotated[
        Path | None,
        typer.Option(help="A progress file: check each promise (kept, late, at risk)."),
    ] = None,
    order: Annotated[
        str | None,
        typer.Option(help="Show this order's critical chain and the promises on it."),
    ] = None,
    plant: Annotated[
        str | None,
        typer.Option(
            help="Only the promises this plant makes or is made, and late orders through it "
            "(help given and received stays network-wide)."
        ),
    ] = None,
    risk_hours: Annotated[
        float,
        typer.Option(
            min=0,
            max=1e5,
            help="A promise not yet kept is at risk with less working slack than this.",
        ),
    ] = DEFAULT_RISK_SLACK / timedelta(hours=1),
    html: Annotated[
        Path | None, typer.Option(help="Also write the whole ledger as a self-contained HTML page.")
    ] = None,
    csv_dir: Annotated[
        Path | None,
        typer.Option(help="Also write every table of the ledger as CSV files into this folder."),
    ] = None,
    xlsx: Annotated[
        Path | None,
        typer.Option(
            help="Also write every table of the ledger as a sheet of this Excel workbook."
        ),
    ] = None,
) -> None:
    """Every promise between plants in a plan: who ships what to whom by when, how much
    slack it has, who waits on whom, and each plant's help given and received.

    Late orders come with their critical chains and the plants responsible; with
    --progress each promise is checked. docs/ledger.md explains every figure. Exits 0
    when it ran (the ledger is a report), 2 on bad input.
    """
    if html is not None:
        check_writable(html, "ledger page")
    if xlsx is not None:
        check_writable(xlsx, "workbook")
    if csv_dir is not None and csv_dir.exists() and not csv_dir.is_dir():
        fail(f"{csv_dir}: cannot write the CSV files there: it is a file, not a folder")
    network, plan, book = guarded(
        lambda: ledger_of_files(
            scenario, plan_file, progress, risk_slack=timedelta(hours=risk_hours)
        )
    )
    if plant is not None:
        book = guarded(lambda: ledger_for_plant(book, plant))
    focus = None if order is None else guarded(lambda: critical_chain(network, plan, order))
    zone = network.start.tzinfo
    if plan.schedule is None:
        say(f"The plan has no schedule (status: {plan.status.value}): there are no promises.")
    else:
        _print_ledger(book, zone, focus)
    if html is not None:
        page = ledger_page_html(
            book, title=f"xiezuo ledger: {network.name or scenario.name}", zone=zone, focus=focus
        )

        def write_page() -> None:
            write_file(html, page.encode("utf-8"))

        write_output(html, write_page, "ledger page")
        say("Ledger page written to ", (str(html), "bold"), ".")
    tables = ledger_tables(book)
    if xlsx is not None:

        def write_workbook() -> None:
            write_xlsx(tables, xlsx)

        write_output(xlsx, write_workbook, "workbook")
        say("Ledger workbook written to ", (str(xlsx), "bold"), ".")
    if csv_dir is not None:

        def write_tables() -> None:
            write_csv_dir(tables, csv_dir)

        write_output(csv_dir, write_tables, "CSV files")
        say(
            f"{display.plural(len(tables), 'table')} written as CSV to ",
            (str(csv_dir), "bold"),
            f". {display.zone_note(zone, network.start)}",
        )


def _print_ledger(book: Ledger, zone: tzinfo | None, focus: OrderChain | None) -> None:
    _wrapped(summary(book))
    if book.checks is not None and book.as_of is not None:
        shown = worrying(book.checks)
        say(
            ("Against progress", "bold"),
            f" as of {display.instant(book.as_of, zone)}: {state_counts(book.checks)}.",
        )
        if shown:
            print_table(
                console,
                "Late and at-risk promises",
                _CHECK_COLUMNS,
                [check_cells(c, zone) for c in shown[:CHECKS_SHOWN]],
            )
            _more(len(shown) - CHECKS_SHOWN, "promise")
    if focus is not None:
        _print_chain(focus, zone)
    header, rows = wait_table(book)
    matrix = [Column(header[0]), *(Column(h, justify="right") for h in header[1:])]
    if rows and _fits(matrix, rows):
        print_table(console, "Who waits on whom", matrix, rows, caption=WAITS_NOTE)
    elif rows:
        print_table(
            console,
            "Who waits on whom",
            [
                Column(h, justify="right" if h in ("promises", "late", "least slack") else "left")
                for h in WAIT_COLUMNS
            ],
            wait_rows(book),
            caption=WAIT_LIST_NOTE,
        )
    print_table(
        console,
        "Help given and received",
        [Column(HELP_COLUMNS[0]), *(Column(h, justify="right") for h in HELP_COLUMNS[1:])],
        help_rows(book),
        caption=HELP_NOTE,
    )
    region_header, region_rows = region_table(book)
    print_table(
        console,
        "Work by customer region",
        [Column(region_header[0]), *(Column(h, justify="right") for h in region_header[1:])],
        region_rows,
        caption=REGION_NOTE,
    )
    if lent := lent_rows(book):
        print_table(
            console,
            "People lent to regions",
            [Column(LENT_COLUMNS[0]), Column(LENT_COLUMNS[1]), Column(LENT_COLUMNS[2], "right")],
            lent,
            caption=LENT_NOTE,
        )
    if book.promises:
        print_table(
            console,
            "Tightest promises",
            _PROMISE_COLUMNS,
            [promise_cells(p, zone) for p in tightest(book.promises, PROMISES_SHOWN)],
            caption=SLACK_NOTE,
            dropped_hint=" --html or --csv-dir has every column.",
        )
        _more(len(book.promises) - PROMISES_SHOWN, "promise")
    if focus is None and book.late_orders:
        for chain in book.late_orders:
            _print_chain(chain, zone)
        console.print(Text(CHAIN_NOTE, style="dim"))
    elif focus is None:
        say("No order is late.")
    console.print(Text(display.zone_note(zone, book.start), style="dim"))


def _fits(columns: Sequence[Column], rows: Sequence[Sequence[str]]) -> bool:
    """Whether a table fits the console with every column, one space and padding apart."""
    widths = [
        max(len(column.header), *(len(row[idx]) for row in rows))
        for idx, column in enumerate(columns)
    ]
    return sum(widths) + 3 * (len(widths) - 1) <= console.width


def _print_chain(chain: OrderChain, zone: tzinfo | None) -> None:
    console.print(Text(chain_headline(chain), style="bold red" if chain.is_late else "bold"))
    if chain.explanation is not None:
        _wrapped(chain.explanation)
    _wrapped(chain_responsible(chain))
    print_table(console, "Critical chain", _CHAIN_COLUMNS, chain_rows(chain, zone))


def _wrapped(text: str) -> None:
    say(
        textwrap.fill(
            text,
            width=console.width,
            break_long_words=False,
            break_on_hyphens=False,
        )
    )


def _more(count: int, noun: str) -> None:
    if count > 0:
        say(
            (
                f"… {display.plural(count, f'more {noun}', f'more {noun}s')}: "
                "--html or --csv-dir lists them all.",
                "dim",
            )
        )
