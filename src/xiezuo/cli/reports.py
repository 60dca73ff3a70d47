"""Reports on a scenario or plan: ``gantt``, ``staff`` and ``materials``."""

from __future__ import annotations

from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from xiezuo.cli._shared import (
    FormatOption,
    check_writable,
    console,
    guarded,
    say,
    write_output,
)
from xiezuo.cli._tables import Column, print_table
from xiezuo.io.plan_file import read_plan
from xiezuo.services import display
from xiezuo.services.materials import MaterialReport, material_report
from xiezuo.services.planning import load_network
from xiezuo.services.staff import staff_report
from xiezuo.web.gantt import PLOTLYJS_FILENAME, gantt_html, plotlyjs_bundle
from xiezuo.web.staff import (
    NO_STAFF,
    STAFF_COLUMNS,
    staff_cells,
    staff_notes,
    staff_page_html,
    staff_section_html,
)

if TYPE_CHECKING:
    from xiezuo.planning.analysis.netting import Peg

ScenarioFileArg = Annotated[
    Path, typer.Argument(help="Scenario file (.yaml, .yml, .json).", show_default=False)
]


def gantt(
    plan_file: Annotated[Path, typer.Argument(help="Plan JSON written by `xiezuo plan --out`.")],
    out: Annotated[Path, typer.Option(help="HTML file to write.")] = Path("plan.html"),
    scenario: Annotated[
        Path | None,
        typer.Option(
            help="The plan's scenario: names the network, starts the time axis at its "
            "start and adds skill load against capacity."
        ),
    ] = None,
    self_contained: Annotated[
        bool,
        typer.Option(
            "--self-contained",
            help="Put plotly.js inside the page (5 MB) instead of in a file beside it.",
        ),
    ] = False,
    fmt: FormatOption = None,
) -> None:
    """Write an interactive Gantt chart: orders, machines and transport on one time axis.

    The page needs no network connection. By default plotly.js is written once beside
    it (plotly-VERSION.min.js), so several pages in one folder share it; --self-contained
    makes one file to mail around. docs/gantt.md explains how to read the chart.
    Exits 0, or 2 on bad input.
    """
    check_writable(out)
    network = guarded(lambda: load_network(scenario, fmt)) if scenario is not None else None
    near = None if network is None else network.start
    plan_obj = guarded(lambda: read_plan(plan_file, near=near))
    sections = []
    if network is not None:
        report = guarded(lambda: staff_report(network, plan_obj))
        if report.lines:
            sections.append(staff_section_html(report))
    bundle = out.parent / PLOTLYJS_FILENAME
    page = gantt_html(
        plan_obj,
        network=network,
        title=plan_file.name if network is not None else f"xiezuo plan: {plan_file.name}",
        sections=sections,
        plotlyjs_src=None if self_contained else PLOTLYJS_FILENAME,
    )

    def write() -> None:
        if not self_contained and not bundle.is_file():
            bundle.write_text(plotlyjs_bundle(), encoding="utf-8")
        out.write_text(page, encoding="utf-8")

    write_output(out, write, "Gantt chart")
    say("Gantt chart written to ", (str(out), "bold"), ".")
    if not self_contained:
        say(f"It loads plotly.js from {bundle} beside it; keep the two together.")


def staff(
    scenario: ScenarioFileArg,
    plan_file: Annotated[
        Path | None,
        typer.Argument(
            help="Plan JSON written by `xiezuo plan --out`; without it, only the people "
            "on staff and their changes.",
            show_default=False,
        ),
    ] = None,
    html: Annotated[
        Path | None, typer.Option(help="Also write the report and its chart as HTML here.")
    ] = None,
) -> None:
    """Skilled people per plant: on staff against at work, peaks, and days limited by people.

    The notes under the table say what each column means. Exits 0; a plan that does
    not fit the scenario is bad input (2).
    """
    if html is not None:
        check_writable(html)
    network = guarded(lambda: load_network(scenario))
    plan_obj = (
        guarded(lambda: read_plan(plan_file, near=network.start)) if plan_file is not None else None
    )
    report = guarded(lambda: staff_report(network, plan_obj))
    if not report.lines:
        say(NO_STAFF)
    else:
        width = len(STAFF_COLUMNS) if report.has_plan else 3
        columns = (
            Column("plant"),
            Column("skill", wraps=True),
            Column("on staff", justify="right", drop_rank=3),
            Column("peak at work", drop_rank=1),
            Column("tightest"),
            Column("booked", justify="right"),
            Column("person-hours", justify="right", drop_rank=2),
            Column("days held up by people", justify="right", drop_rank=4),
        )[:width]
        print_table(
            console,
            "Skilled people",
            columns,
            [staff_cells(report, line) for line in report.lines],
            caption="\n".join(staff_notes(report)),
        )
        if plan_obj is None:
            say("No plan given: people on staff and their changes only.")
        elif not report.has_plan:
            say(
                f"The plan has no schedule (status: {plan_obj.status.value}): people on "
                "staff and their changes only."
            )
        events = report.events
        if events:
            print_table(
                console,
                "Staff changes",
                (Column("date"), Column("plant"), Column("change", wraps=True)),
                [
                    (display.day(event.day), plant_id, event.description)
                    for plant_id, event in events
                ],
            )
    if html is not None:
        page = staff_page_html(report, f"xiezuo staff: {network.name or scenario.name}")

        def write_page() -> None:
            html.write_text(page, encoding="utf-8")

        write_output(html, write_page, "staff report")
        say("Staff report written to ", (str(html), "bold"), ".")


def materials(
    scenario: ScenarioFileArg,
    pegging: Annotated[
        bool, typer.Option(help="Show which stock and supplies cover each order.")
    ] = True,
) -> None:
    """Net every order's material need against stock and supplies, and peg it to them.

    Need dates come from a rough backward schedule from each due date, and stock and
    supplies are pooled across the network (docs/output.md). Findings are
    information for the planner: the command exits 0 even when material runs short.
    """
    report = guarded(lambda: material_report(scenario))
    if not report.has_materials:
        say("The scenario has no materials section: there is nothing to net.")
        return
    _print_balances(report)
    if pegging:
        _print_pegs(report)
    console.print(Text(display.zone_note(report.start.tzinfo, report.start), style="dim"))
    _print_verdict(report)


_BALANCE_COLUMNS = (
    Column("gross need", justify="right"),
    Column("on hand", justify="right", drop_rank=2),
    Column("incoming", justify="right", drop_rank=1),
    Column("net shortage", justify="right"),
    Column("first runs out"),
)


def _print_balances(report: MaterialReport) -> None:
    balances = report.netting.balances
    runs_out = display.instants([b.first_short for b in balances], report.start.tzinfo)
    print_table(
        console,
        "Materials, stock and supplies pooled across the network",
        (Column("material"), *_BALANCE_COLUMNS),
        [
            (
                b.material_id,
                display.quantity(b.gross_need, b.unit),
                display.quantity(b.on_hand, b.unit),
                display.quantity(b.incoming, b.unit),
                _short(b.net_shortage, b.unit),
                Text(when, style="red" if b.first_short else ""),
            )
            for b, when in zip(balances, runs_out, strict=True)
        ],
        caption="net shortage: gross need minus on hand minus incoming, if more; first "
        "runs out: the first need date that stock and supplies arrived by then fall short of.",
    )
    pinned = [(b, p) for b in balances for p in b.by_plant if p.gross_need]
    if not pinned:
        return
    pinned_runs_out = display.instants([p.first_short for _, p in pinned], report.start.tzinfo)
    print_table(
        console,
        "Orders pinned to a plant, against that plant's own stock and supplies",
        (Column("material"), Column("plant"), *_BALANCE_COLUMNS),
        [
            (
                b.material_id,
                p.plant_id,
                display.quantity(p.gross_need, b.unit),
                display.quantity(p.on_hand, b.unit),
                display.quantity(p.incoming, b.unit),
                _short(p.net_shortage, b.unit),
                Text(when, style="red" if p.first_short else ""),
            )
            for (b, p), when in zip(pinned, pinned_runs_out, strict=True)
        ],
    )


def _short(quantity: int, unit: str) -> Text:
    return Text(display.quantity(quantity, unit), style="red" if quantity else "")


def _print_pegs(report: MaterialReport) -> None:
    unit_by_material = report.unit_by_material
    groups = [
        list(group)
        for _, group in groupby(report.netting.pegs, key=lambda p: (p.order_id, p.material_id))
    ]
    if not groups:
        return
    needed = display.instants([group[0].need_date for group in groups], report.start.tzinfo)
    rows = []
    for group, when in zip(groups, needed, strict=True):
        unit = unit_by_material[group[0].material_id]
        rows.append(
            (
                group[0].order_id,
                group[0].material_id,
                when,
                display.quantity(sum(p.quantity for p in group), unit),
                _sources(group, unit),
            )
        )
    print_table(
        console,
        "Pegging: what covers each order's need",
        (
            Column("order"),
            Column("material"),
            Column("needed"),
            Column("quantity", justify="right"),
            Column("covered by", wraps=True),
        ),
        rows,
    )


def _sources(pegs: list[Peg], unit: str) -> Text:
    text = Text()
    for idx, peg in enumerate(pegs):
        if idx:
            text.append("\n")
        amount = display.quantity(peg.quantity, unit)
        if peg.source_kind == "uncovered":
            text.append(f"{amount} not covered", style="red")
        elif peg.covered_late:
            text.append(f"{amount} {peg.source_label} (late)", style="yellow")
        else:
            text.append(f"{amount} {peg.source_label}")
    return text


def _print_verdict(report: MaterialReport) -> None:
    netting = report.netting
    if netting.late_covered_orders:
        count = len(netting.late_covered_orders)
        console.print(
            Text.assemble(
                (f"{display.plural(count, 'order')} covered late", "yellow"),
                " (by supplies arriving after the need date): ",
                ", ".join(netting.late_covered_orders),
            )
        )
    if netting.uncovered_orders:
        count = len(netting.uncovered_orders)
        console.print(
            Text.assemble(
                (f"{display.plural(count, 'order')} not covered", "bold red"),
                ": ",
                ", ".join(netting.uncovered_orders),
            )
        )
        return
    if not netting.pegs:
        say("No order needs material.")
        return
    pinned_short = report.pinned_short
    if not pinned_short:
        say(("Stock and supplies cover every order's need.", "green"))
        return
    plants = sorted({plant for plant, _ in pinned_short})
    console.print(
        Text.assemble(
            ("No order is left uncovered", "green"),
            " with stock and supplies pooled across the network, but orders pinned to "
            f"{', '.join(plants)} need more than their own plant has "
            f"({'; '.join(f'{m} at {p}' for p, m in pinned_short)}): "
            "the material must be moved there in time.",
        )
    )
