"""Reports on a scenario or plan: ``gantt``, ``staff`` and ``materials``."""

from __future__ import annotations

from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from xiezuo.cli._shared import (
    FormatOption,
    ScenarioArg,
    check_writable,
    console,
    guarded,
)
from xiezuo.io.plan_file import read_plan
from xiezuo.services.materials import material_report
from xiezuo.services.planning import load_network
from xiezuo.services.staff import staff_report
from xiezuo.web.gantt import gantt_html
from xiezuo.web.staff import staff_page_html, staff_section_html

if TYPE_CHECKING:
    from datetime import datetime

    from xiezuo.planning.netting import Netting, Peg


def gantt(
    plan_file: Annotated[Path, typer.Argument(help="Plan JSON written by `xiezuo plan --out`.")],
    out: Annotated[Path, typer.Option(help="HTML file to write.")] = Path("plan.html"),
    scenario: Annotated[
        Path | None,
        typer.Option(help="The plan's scenario: adds skill load against capacity."),
    ] = None,
    fmt: FormatOption = None,
) -> None:
    """Write an interactive Gantt chart by plant and machine (self-contained HTML)."""
    plan_obj = guarded(lambda: read_plan(plan_file))
    check_writable(out)
    sections = []
    if scenario is not None:
        network = guarded(lambda: load_network(scenario, fmt))
        report = guarded(lambda: staff_report(network, plan_obj))
        if report.lines:
            sections.append(staff_section_html(report))
    page = gantt_html(plan_obj, title=f"xiezuo plan: {plan_file.name}", sections=sections)
    out.write_text(page, encoding="utf-8")
    console.print(f"Gantt chart written to [bold]{out}[/].")


def staff(
    scenario: ScenarioArg,
    plan_file: Annotated[
        Path | None, typer.Argument(help="Plan JSON to measure the load of (optional).")
    ] = None,
    html: Annotated[Path | None, typer.Option(help="Also write the chart as HTML here.")] = None,
    fmt: FormatOption = None,
) -> None:
    """Skill load against capacity per plant: peaks, and days limited by people."""
    if html is not None:
        check_writable(html)
    network = guarded(lambda: load_network(scenario, fmt))
    plan_obj = guarded(lambda: read_plan(plan_file)) if plan_file is not None else None
    report = guarded(lambda: staff_report(network, plan_obj))
    table = Table(title="Skilled people", title_justify="left")
    for column in ("plant", "skill", "people", "peak load", "peak use", "booked", "people-limited"):
        table.add_column(column, justify="left" if column in ("plant", "skill") else "right")
    for line in report.lines:
        first, last = line.capacity[0][1], line.capacity[-1][1]
        table.add_row(
            line.plant_id,
            line.skill,
            f"{first}" if first == last else f"{first} → {last}",
            "–" if line.peak_at is None else f"{line.peak_load} ({line.peak_at:%y-%m-%d})",
            "–" if line.peak_utilisation is None else f"{line.peak_utilisation:.0%}",
            "–" if line.utilisation is None else f"{line.utilisation:.0%}",
            f"{len(line.people_limited_days)} d" if report.has_plan else "–",
        )
    console.print(table)
    for line in report.lines:
        for event in line.events:
            console.print(f"{event.when:%Y-%m-%d} {line.plant_id}: {event.description}")
    if html is not None:
        html.write_text(staff_page_html(report), encoding="utf-8")
        console.print(f"Staff chart written to [bold]{html}[/].")


def materials(
    scenario: ScenarioArg,
    fmt: FormatOption = None,
    pegging: Annotated[
        bool, typer.Option(help="Show which stock and supplies cover each order.")
    ] = True,
) -> None:
    """Net every order's material need against stock and supplies, and peg it to them.

    Findings are information for the planner: the command exits 0 even when material
    runs short.
    """
    netting = guarded(lambda: material_report(scenario, fmt))
    _print_balances(netting)
    if pegging:
        _print_pegs(netting.pegs)
    if netting.late_covered_orders:
        console.print(
            f"[yellow]Covered late ({len(netting.late_covered_orders)}):[/] "
            + ", ".join(netting.late_covered_orders),
            highlight=False,
        )
    if netting.uncovered_orders:
        console.print(
            f"[bold red]Uncovered orders ({len(netting.uncovered_orders)}):[/] "
            + ", ".join(netting.uncovered_orders),
            highlight=False,
        )
    elif netting.pegs:
        console.print("[green]No order is left uncovered.[/]")


def _when(value: datetime | None) -> str:
    return "–" if value is None else f"{value:%y-%m-%d %H:%M}"


def _print_balances(netting: Netting) -> None:
    table = Table(title="Materials", title_justify="left")
    columns = ("material", "unit", "gross need", "on hand", "incoming", "net shortage")
    for column in (*columns, "first runs out"):
        table.add_column(column, justify="left" if column in ("material", "unit") else "right")
    pinned = Table(title="Orders pinned to a plant, against its own stock", title_justify="left")
    for column in ("material", "plant", *columns[2:], "first runs out"):
        pinned.add_column(column, justify="left" if column in ("material", "plant") else "right")
    for balance in netting.balances:
        short = f"[red]{balance.net_shortage:,}[/]" if balance.net_shortage else "0"
        runs_out = _when(balance.first_short)
        table.add_row(
            balance.material_id,
            balance.unit,
            f"{balance.gross_need:,}",
            f"{balance.on_hand:,}",
            f"{balance.incoming:,}",
            short,
            f"[red]{runs_out}[/]" if balance.first_short else runs_out,
        )
        for plant in balance.by_plant:
            if plant.gross_need:
                pinned.add_row(
                    balance.material_id,
                    plant.plant_id,
                    f"{plant.gross_need:,}",
                    f"{plant.on_hand:,}",
                    f"{plant.incoming:,}",
                    f"[red]{plant.net_shortage:,}[/]" if plant.net_shortage else "0",
                    _when(plant.first_short),
                )
    console.print(table)
    if pinned.row_count:
        console.print(pinned)


def _print_pegs(pegs: tuple[Peg, ...]) -> None:
    table = Table(title="Pegging", title_justify="left")
    for column in ("order", "material", "needed", "quantity", "covered by"):
        table.add_column(column, justify="right" if column == "quantity" else "left")
    for (order_id, material_id), group in groupby(pegs, key=lambda p: (p.order_id, p.material_id)):
        order_pegs = list(group)
        sources = []
        for peg in order_pegs:
            if peg.source_kind == "uncovered":
                sources.append(f"[red]{peg.quantity:,} not covered[/]")
            elif peg.covered_late:
                sources.append(f"[yellow]{peg.quantity:,} {peg.source_label} (late)[/]")
            else:
                sources.append(f"{peg.quantity:,} {peg.source_label}")
        table.add_row(
            order_id,
            material_id,
            _when(order_pegs[0].need_date),
            f"{sum(p.quantity for p in order_pegs):,}",
            "; ".join(sources),
        )
    if table.row_count:
        console.print(table)
