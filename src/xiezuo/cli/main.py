"""The ``xiezuo`` command: one module per command group, assembled here.

Each command parses options, calls a service and renders with Rich; the exit status
table lives in :mod:`xiezuo.cli._shared`.
"""

from __future__ import annotations

import typer

from xiezuo.cli import bench, check, plan, reports

app = typer.Typer(
    name="xiezuo",
    help="Plan production across a network of factories.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

app.command()(plan.plan)
app.command()(check.validate)
app.command()(check.verify)
app.command()(reports.gantt)
app.command()(reports.staff)
app.command()(reports.materials)
app.command()(bench.bench)
