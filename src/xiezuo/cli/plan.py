"""``xiezuo plan``: solve a scenario with a live progress line, then summarise the plan."""

from __future__ import annotations

import os
import threading
import time
from datetime import timedelta
from pathlib import Path  # noqa: TC003 (Typer reads the annotations at run time)
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from xiezuo.cli._shared import (
    EXIT_FINDINGS,
    FormatOption,
    ScenarioArg,
    SeedOption,
    TimeLimitOption,
    WorkersOption,
    check_writable,
    console,
    errors,
    guarded,
    hours,
    print_violations,
)
from xiezuo.planning.params import PlanParams, ProgressEvent
from xiezuo.services.planning import PlanRun, plan_scenario
from xiezuo.services.reports import order_lines, plant_lines


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
        check_writable(out)
    run = guarded(lambda: _plan_with_progress(scenario, params, out, fmt))
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
                    f"{phase}: {hours(objective)} (bound {hours(bound)})"
                    for phase, (objective, bound) in latest.items()
                )
            progress.update(task, completed=time.monotonic() - started, description=status)
    outcome = result["run"]
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


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
        f"{hours(plan.tardiness_hours)} (bound {hours(plan.tardiness_bound)}); makespan "
        f"{_span(plan.makespan)} (bound {_span(plan.makespan_bound)}); gap {gap}; "
        f"{plan.runtime_s:.1f} s",
        highlight=False,
    )
    print_violations(run.violations)


def _span(value: timedelta | None) -> str:
    """Days for plans of weeks, hours or minutes for short ones (benchmark instances)."""
    if value is None:
        return "–"
    if value >= timedelta(days=2):
        return f"{value / timedelta(days=1):.1f} d"
    if value >= timedelta(hours=2):
        return f"{value / timedelta(hours=1):.1f} h"
    return f"{value / timedelta(minutes=1):.0f} min"
