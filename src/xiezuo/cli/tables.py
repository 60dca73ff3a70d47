"""``xiezuo tables``: a plan file as an Excel workbook and CSV files; ``plan`` and
``replan`` share its ``--xlsx`` and ``--csv-dir`` options."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from xiezuo.cli._shared import check_writable, console, fail, guarded, say, write_output
from xiezuo.io.plan_file import read_plan
from xiezuo.io.tables import write_csv_dir, write_xlsx
from xiezuo.services import display
from xiezuo.services.plan_tables import plan_tables
from xiezuo.services.planning import load_network

if TYPE_CHECKING:
    from rich.console import Console

    from xiezuo.domain import Network, Plan

XlsxOption = Annotated[
    Path | None,
    typer.Option(
        "--xlsx",
        help="Excel workbook to write the plan's tables to: orders, operations, weekly "
        "load, material draws, shipments, explanations.",
    ),
]
CsvDirOption = Annotated[
    Path | None,
    typer.Option(
        "--csv-dir",
        help="Folder (made if missing) to write each of those tables to as a CSV file "
        "(UTF-8 with BOM, which Excel reads correctly).",
    ),
]


def tables(
    plan_file: Annotated[
        Path,
        typer.Argument(help="Plan JSON written by `xiezuo plan --out`.", show_default=False),
    ],
    scenario: Annotated[
        Path,
        typer.Option(help="The plan's scenario file.", show_default=False),
    ],
    xlsx: XlsxOption = None,
    csv_dir: CsvDirOption = None,
) -> None:
    """Write a plan's tables for a spreadsheet: an Excel workbook, CSV files, or both.

    Sheets: orders (arrival against due date, lateness, why late or unplanned),
    operations, load (hours per machine group and ISO week against its working
    hours), material draws, shipments (parts between plants and deliveries to
    regions), explanations, and about (what the columns mean). Times are in the
    network's time zone. docs/excel-output.md describes every column.

    Exits 0, or 2 for bad input: a missing or malformed file, a plan of another
    scenario, or an output that cannot be written.
    """
    if xlsx is None and csv_dir is None:
        raise typer.BadParameter("give --xlsx FILE, --csv-dir FOLDER or both", param_hint="--xlsx")
    check_outputs(xlsx, csv_dir)
    network = guarded(lambda: load_network(scenario))
    plan = guarded(lambda: read_plan(plan_file, near=network.start))
    write_tables(network, plan, xlsx, csv_dir, console)


def check_outputs(xlsx: Path | None, csv_dir: Path | None) -> None:
    """Refuse unwritable outputs before any work is done (exit 2)."""
    if xlsx is not None:
        check_writable(xlsx, "workbook")
    if csv_dir is None:
        return
    if csv_dir.exists() and not csv_dir.is_dir():
        fail(f"{csv_dir}: cannot write the CSV tables there: it is not a folder")
    if not csv_dir.exists() and not csv_dir.parent.is_dir():
        fail(
            f"{csv_dir}: cannot make the folder for the CSV tables: {csv_dir.parent} does not exist"
        )


def write_tables(
    network: Network, plan: Plan, xlsx: Path | None, csv_dir: Path | None, out: Console
) -> None:
    """Write the plan's tables where asked and say what was written on ``out``.

    A plan that does not fit the network, or a file that cannot be written, ends
    the command with exit status 2.
    """
    if xlsx is None and csv_dir is None:
        return
    rows = guarded(lambda: plan_tables(network, plan))
    tables = rows.tables()
    rows_written = display.plural(sum(len(table.rows) for table in tables), "row")
    if xlsx is not None:
        write_output(xlsx, partial(write_xlsx, tables, xlsx), "workbook")
        say(
            "Workbook written to ",
            (str(xlsx), "bold"),
            f": {len(tables)} sheets, {rows_written}.",
            to=out,
        )
    if csv_dir is not None:
        folder = csv_dir

        def write_csv() -> None:
            write_csv_dir(tables, folder)

        write_output(csv_dir, write_csv, "CSV tables")
        say(
            "CSV tables written to ",
            (str(csv_dir), "bold"),
            f": {len(tables)} files, {rows_written}.",
            to=out,
        )
