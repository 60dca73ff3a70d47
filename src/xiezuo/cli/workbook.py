"""``xiezuo export`` and ``xiezuo import``: a scenario as an Excel workbook, and back."""

from __future__ import annotations

from pathlib import Path  # noqa: TC003 (Typer reads the annotations at run time)
from typing import Annotated

import typer

from xiezuo.cli._shared import check_writable, fail, guarded, say, write_output
from xiezuo.io.scenario import load_scenario_spec
from xiezuo.io.workbook import load_workbook_scenario, write_scenario_file, write_workbook
from xiezuo.io.workbook_layout import SHEETS
from xiezuo.services.display import plural


def export(
    scenario: Annotated[
        Path, typer.Argument(help="Scenario file (.yaml, .yml, .json).", show_default=False)
    ],
    xlsx: Annotated[
        Path,
        typer.Option(
            "--xlsx",
            help="Excel workbook to write: one sheet per kind of entity, ready to edit "
            "and read back with `xiezuo import`.",
            show_default=False,
        ),
    ],
) -> None:
    """Write a scenario as an Excel workbook (plants, machines, items, orders … one sheet each).

    The scenario is checked first, as `xiezuo validate` checks it; nothing is written
    for a scenario with errors (exit 2).
    """
    if xlsx.suffix.lower() != ".xlsx":
        fail(f"{xlsx}: the workbook's name must end in .xlsx")
    check_writable(xlsx, "workbook")
    spec = guarded(lambda: load_scenario_spec(scenario))
    write_output(xlsx, lambda: write_workbook(spec, xlsx), "workbook")
    say(
        f"{scenario} → {xlsx}: {len(SHEETS)} sheets, "
        f"{plural(len(spec.plants), 'plant')}, {plural(len(spec.items), 'item')}, "
        f"{plural(len(spec.orders), 'order')}."
    )


def import_workbook(
    workbook: Annotated[
        Path,
        typer.Argument(
            help="Excel workbook (.xlsx) as `xiezuo export --xlsx` writes one.",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(help="Scenario file to write (.yaml, .yml or .json).", show_default=False),
    ],
) -> None:
    """Read a scenario workbook, check it as a scenario file, and write it as YAML or JSON.

    Errors name the sheet and cell (orders!C7: unknown item 'MILL-10'); with any
    error, nothing is written (exit 2).
    """
    if out.suffix.lower() not in (".yaml", ".yml", ".json"):
        fail(f"{out}: the scenario file's name must end in .yaml, .yml or .json")
    check_writable(out, "scenario")
    data, network = guarded(lambda: load_workbook_scenario(workbook))
    write_output(out, lambda: write_scenario_file(data, out), "scenario")
    say(
        f"{workbook} → {out}: {plural(len(network.plants), 'plant')}, "
        f"{plural(sum(len(p.machines) for p in network.plants), 'machine group')}, "
        f"{plural(len(network.items), 'item')}, {plural(len(network.orders), 'order')}."
    )
