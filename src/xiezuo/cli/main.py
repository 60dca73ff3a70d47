"""The ``xiezuo`` command: parse options, call a service, render with Rich."""

from __future__ import annotations

import os
import threading
import time
from datetime import timedelta
from functools import partial
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from xiezuo.errors import XiezuoError
from xiezuo.io import BENCHMARK_FORMATS
from xiezuo.io.plan_file import read_plan
from xiezuo.planning.params import PlanParams, ProgressEvent
from xiezuo.services.bench import (
    BenchRow,
    bks_for,
    find_instances,
    mean_gaps,
    read_bks,
    run_instance,
    write_csv,
)
from xiezuo.services.materials import material_report
from xiezuo.services.planning import (
    PlanRun,
    check_scenario,
    load_network,
    plan_scenario,
    verify_plan_file,
)
from xiezuo.services.reports import order_lines, plant_lines
from xiezuo.services.staff import staff_report
from xiezuo.web.gantt import gantt_html
from xiezuo.web.staff import staff_page_html, staff_section_html

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from xiezuo.planning.netting import Netting, Peg
    from xiezuo.planning.validate import Violation

app = typer.Typer(
    name="xiezuo",
    help="Plan production across a network of factories.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console()
errors = Console(stderr=True)

T = TypeVar("T")

EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2

ScenarioArg = Annotated[
    Path,
    typer.Argument(
        help="Scenario file (.yaml, .yml, .json) or benchmark instance (.txt, .fjs).",
        show_default=False,
    ),
]
FormatOption = Annotated[
    str | None,
    typer.Option(
        "--format",
        help=f"Benchmark instance format ({', '.join(BENCHMARK_FORMATS)}); "
        "default: from the file name and content.",
    ),
]
TimeLimitOption = Annotated[float, typer.Option(min=0.1, help="Solver time limit in seconds.")]
WorkersOption = Annotated[
    int, typer.Option(min=0, help="Solver worker threads (default: CPU count).")
]
SeedOption = Annotated[int, typer.Option(help="Random seed of the solver.")]


def _guarded(action: Callable[[], T]) -> T:
    """Run ``action``; bad input ends the command with its message and status 2."""
    try:
        return action()
    except XiezuoError as exc:
        errors.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def _check_writable(path: Path) -> None:
    """Refuse an output path up front, before minutes of solving are lost on it."""
    if not path.parent.is_dir():
        errors.print(
            f"[bold red]error:[/] {path}: cannot write there: the folder {path.parent} "
            "does not exist",
            highlight=False,
        )
        raise typer.Exit(EXIT_BAD_INPUT)


@app.command()
def plan(
    scenario: ScenarioArg,
    time_limit: TimeLimitOption = 60.0,
    workers: WorkersOption = 0,
    seed: SeedOption = 0,
    out: Annotated[Path | None, typer.Option(help="Write the plan as JSON here.")] = None,
    fmt: FormatOption = None,
) -> None:
    """Plan every order of a scenario, then summarise who makes what and when."""
    params = PlanParams(time_limit_s=time_limit, workers=workers or os.cpu_count() or 1, seed=seed)
    if out is not None:
        _check_writable(out)
    run = _guarded(lambda: _plan_with_progress(scenario, params, out, fmt))
    _print_plan(run)
    if out is not None:
        console.print(f"Plan written to [bold]{out}[/].")
    if run.violations:
        raise typer.Exit(EXIT_FINDINGS)


def _plan_with_progress(
    scenario: Path, params: PlanParams, out: Path | None, fmt: str | None
) -> PlanRun:
    # Phase -> [best objective, best bound]; events carry one or the other.
    latest: dict[str, list[float | None]] = {}
    lock = threading.Lock()

    def on_progress(event: ProgressEvent) -> None:
        with lock:
            values = latest.setdefault(event.phase, [None, None])
            if event.objective is not None:
                values[0] = event.objective
            if event.bound is not None:
                values[1] = event.bound

    result: dict[str, PlanRun | BaseException] = {}

    def work() -> None:
        try:
            result["run"] = plan_scenario(
                scenario, params, fmt=fmt, out=out, on_progress=on_progress
            )
        except BaseException as exc:  # handed to the main thread, which re-raises it
            result["run"] = exc

    worker = threading.Thread(target=work, daemon=True)
    with Progress(
        TextColumn("[bold]solving[/]"),
        BarColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=errors,
        transient=True,
    ) as progress:
        task = progress.add_task("", total=params.time_limit_s)
        started = time.monotonic()
        worker.start()
        while worker.is_alive():
            worker.join(0.2)
            with lock:
                status = "  ".join(
                    f"{phase}: {_hours(objective)} (bound {_hours(bound)})"
                    for phase, (objective, bound) in latest.items()
                )
            progress.update(task, completed=time.monotonic() - started, description=status)
    outcome = result["run"]
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def _hours(value: float | None) -> str:
    return "–" if value is None else f"{value:,.1f} h"


def _print_plan(run: PlanRun) -> None:
    network, plan = run.network, run.plan
    for finding in run.findings:
        console.print(f"[yellow]finding:[/] {finding.message}", highlight=False)
    orders = Table(title="Orders", title_justify="left")
    for column in ("order", "item", "region", "plants", "finish", "arrival", "due", "lateness"):
        orders.add_column(column, justify="right" if column == "lateness" else "left")
    for line in order_lines(network, plan):
        delivery = line.delivery
        if delivery.lateness is None:
            late = "–"
        else:
            days = delivery.lateness.total_seconds() / 86400
            late = f"[red]+{days:.1f} d[/]" if delivery.is_late else f"[green]{days:.1f} d[/]"
        orders.add_row(
            delivery.order_id,
            line.item_id,
            delivery.region,
            ", ".join(line.plants),
            f"{delivery.finish:%y-%m-%d %H:%M}",
            f"{delivery.arrival:%y-%m-%d %H:%M}",
            "–" if delivery.due is None else f"{delivery.due:%y-%m-%d %H:%M}",
            late,
        )
    console.print(orders)
    plants = Table(title="Plants", title_justify="left")
    for column in ("plant", "work h", "load", "busiest machine", "its load"):
        plants.add_column(
            column, justify="left" if "plant" in column or "machine" in column else "right"
        )
    for plant_line in plant_lines(network, plan):
        busiest = plant_line.busiest
        plants.add_row(
            plant_line.plant_id,
            f"{plant_line.work_hours:,.0f}",
            f"{plant_line.utilisation:.0%}",
            busiest.machine_id if busiest else "–",
            f"{busiest.utilisation:.0%}" if busiest else "–",
        )
    console.print(plants)
    for note in plan.explanations:
        console.print(f"[bold]{note.kind}[/] {note.subject}: {note.message}", highlight=False)
    lines = order_lines(network, plan)
    late_count = sum(1 for line in lines if line.delivery.is_late)
    gap = "–" if plan.gap is None else f"{plan.gap:.1%}"
    console.print(
        f"[bold]{plan.status.value}[/]: {len(lines) - late_count} orders on time, "
        f"{late_count} late, "
        f"{len(plan.unplanned_orders)} unplanned; weighted tardiness "
        f"{_hours(plan.tardiness_hours)} (bound {_hours(plan.tardiness_bound)}); makespan "
        f"{_span(plan.makespan)} (bound {_span(plan.makespan_bound)}); gap {gap}; "
        f"{plan.runtime_s:.1f} s",
        highlight=False,
    )
    _print_violations(run.violations)


def _span(value: timedelta | None) -> str:
    """Days for plans of weeks, hours or minutes for short ones (benchmark instances)."""
    if value is None:
        return "–"
    if value >= timedelta(days=2):
        return f"{value / timedelta(days=1):.1f} d"
    if value >= timedelta(hours=2):
        return f"{value / timedelta(hours=1):.1f} h"
    return f"{value / timedelta(minutes=1):.0f} min"


def _print_violations(violations: tuple[Violation, ...]) -> None:
    if not violations:
        console.print("[green]The independent validator accepts the plan.[/]")
        return
    console.print(f"[bold red]{len(violations)} violations:[/]")
    for v in violations:
        console.print(f"  [red]{v.rule}[/] {v.subject}: {v.message}", highlight=False)


@app.command()
def validate(scenario: ScenarioArg, fmt: FormatOption = None) -> None:
    """Check a scenario file and report what the network cannot do."""
    network, findings = _guarded(lambda: check_scenario(scenario, fmt))
    console.print(
        f"{scenario}: {len(network.plants)} plants, "
        f"{sum(len(p.machines) for p in network.plants)} machine groups, "
        f"{len(network.items)} items, {len(network.orders)} orders."
    )
    if not findings:
        console.print("[green]No findings: every order can be made.[/]")
        return
    for finding in findings:
        console.print(f"[yellow]finding:[/] {finding.message}", highlight=False)
    raise typer.Exit(EXIT_FINDINGS)


@app.command()
def verify(
    scenario: ScenarioArg,
    plan_file: Annotated[Path, typer.Argument(help="Plan JSON written by `xiezuo plan --out`.")],
    fmt: FormatOption = None,
) -> None:
    """Check a plan against its scenario with the independent validator."""
    plan_obj, violations = _guarded(lambda: verify_plan_file(scenario, plan_file, fmt))
    if plan_obj.schedule is None:
        console.print(f"The plan has no schedule (status: {plan_obj.status.value}).")
        raise typer.Exit(EXIT_FINDINGS)
    _print_violations(violations)
    if violations:
        raise typer.Exit(EXIT_FINDINGS)


@app.command()
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
    plan_obj = _guarded(lambda: read_plan(plan_file))
    _check_writable(out)
    sections = []
    if scenario is not None:
        network = _guarded(lambda: load_network(scenario, fmt))
        report = _guarded(lambda: staff_report(network, plan_obj))
        if report.lines:
            sections.append(staff_section_html(report))
    page = gantt_html(plan_obj, title=f"xiezuo plan: {plan_file.name}", sections=sections)
    out.write_text(page, encoding="utf-8")
    console.print(f"Gantt chart written to [bold]{out}[/].")


@app.command()
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
        _check_writable(html)
    network = _guarded(lambda: load_network(scenario, fmt))
    plan_obj = _guarded(lambda: read_plan(plan_file)) if plan_file is not None else None
    report = _guarded(lambda: staff_report(network, plan_obj))
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


@app.command()
def bench(
    paths: Annotated[
        list[Path], typer.Argument(help="Instance files or folders of them.", show_default=False)
    ],
    time_limit: TimeLimitOption = 60.0,
    workers: WorkersOption = 0,
    seed: SeedOption = 0,
    bks: Annotated[
        Path | None,
        typer.Option(help="Best-known results (bks.csv); default: bks.csv beside each file."),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Write the results as CSV here.")] = None,
) -> None:
    """Plan standard benchmark instances and compare with best-known makespans."""
    params = PlanParams(time_limit_s=time_limit, workers=workers or os.cpu_count() or 1, seed=seed)
    if out is not None:
        _check_writable(out)
    instances = _guarded(lambda: find_instances(paths))
    explicit = _guarded(lambda: read_bks(bks)) if bks is not None else None
    rows: list[BenchRow] = []
    with Progress(
        TextColumn("[bold]bench[/]"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=errors,
        transient=True,
    ) as progress:
        task = progress.add_task("", total=len(instances))
        for path in instances:
            progress.update(task, description=path.name)
            rows.append(_guarded(partial(_bench_one, path, params, explicit)))
            progress.advance(task)
    _print_bench(rows)
    if out is not None:
        write_csv(rows, out)
        console.print(f"Results written to [bold]{out}[/].")


def _bench_one(path: Path, params: PlanParams, explicit: dict[str, int] | None) -> BenchRow:
    return run_instance(path, params, bks_for(path, explicit))


def _print_bench(rows: list[BenchRow]) -> None:
    table = Table(title="Benchmark", title_justify="left")
    columns = (
        "instance",
        "makespan",
        "bound",
        "best known",
        "gap bks",
        "gap bound",
        "to best",
        "status",
    )
    for column in columns:
        table.add_column(column, justify="left" if column in ("instance", "status") else "right")
    for row in rows:
        table.add_row(
            row.instance,
            _number(row.makespan),
            _number(row.lower_bound),
            _number(row.bks),
            _percent(row.gap_bks_pct),
            _percent(row.gap_bound_pct),
            "–" if row.time_to_best_s is None else f"{row.time_to_best_s:.1f} s",
            row.status,
        )
    console.print(table)
    to_bks, to_bound = mean_gaps(rows)
    console.print(
        f"{len(rows)} instances; mean gap to best known {_percent(to_bks)}, "
        f"to own bound {_percent(to_bound)}"
    )


def _number(value: int | None) -> str:
    return "–" if value is None else str(value)


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}%"


@app.command()
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
    netting = _guarded(lambda: material_report(scenario, fmt))
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
