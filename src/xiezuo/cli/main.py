"""The ``xiezuo`` command: one module per command group, assembled here.

Each command parses options, calls a service and renders with Rich; the exit status
table lives in :mod:`xiezuo.cli._shared`, and :func:`~xiezuo.cli._shared.reported`
holds every command to it.
"""

from __future__ import annotations

from importlib.metadata import version
from typing import Annotated

import typer

from xiezuo.cli import (
    advise,
    bench,
    check,
    compare,
    db,
    diff,
    gaps,
    generate,
    ledger,
    plan,
    replan,
    reports,
    serve,
    sheets,
    tables,
    users,
    workbook,
)
from xiezuo.cli._shared import reported

app = typer.Typer(
    name="xiezuo",
    help="Plan production across a network of factories.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _print_version(requested: bool) -> None:
    if requested:
        typer.echo(f"xiezuo {version('xiezuo')}")
        raise typer.Exit


@app.callback()
def _main(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print the installed version and exit.",
        ),
    ] = False,
) -> None:
    """Plan production across a network of factories."""


for command in (
    plan.plan,
    replan.replan,
    check.validate,
    check.verify,
    diff.diff,
    reports.gantt,
    reports.staff,
    reports.materials,
    ledger.ledger,
    sheets.sheets,
    bench.bench,
    generate.generate,
    compare.compare,
    advise.advise,
    gaps.gaps,
    serve.serve,
    tables.tables,
):
    app.command()(reported(command))
app.command(name="export")(reported(workbook.export))
app.command(name="import")(reported(workbook.import_workbook))
app.add_typer(db.app)
app.add_typer(users.app)
