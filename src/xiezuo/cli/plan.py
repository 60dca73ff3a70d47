"""``xiezuo plan``: solve a scenario with a live progress line, then summarise the plan."""

from __future__ import annotations

import csv
import json
import os
import sys
import threading
import time
from datetime import timedelta
from enum import StrEnum
from functools import partial
from pathlib import Path  # noqa: TC003 (Typer reads the annotations at run time)
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Column as RichColumn
from rich.text import Text

from xiezuo.cli._shared import (
    EXIT_FINDINGS,
    EXIT_INTERNAL,
    BudgetOption,
    FormatOption,
    ScenarioArg,
    SeedOption,
    TimeLimitOption,
    WorkersOption,
    check_writable,
    console,
    errors,
    guarded,
    print_violations,
    say,
    write_output,
)
from xiezuo.cli._tables import Column, print_table
from xiezuo.cli.tables import CsvDirOption, XlsxOption, check_outputs, write_tables
from xiezuo.domain import PlanStatus
from xiezuo.io.plan_file import write_plan
from xiezuo.planning.params import PlanParams, ProgressCallback, ProgressEvent
from xiezuo.services import display
from xiezuo.services.planning import PlanRun, plan_scenario
from xiezuo.services.reports import OrderLine, order_lines, plant_lines

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime, tzinfo

    from rich.console import Console

    from xiezuo.domain import Explanation


class OutputFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


def plan(
    scenario: ScenarioArg,
    time_limit: TimeLimitOption = 60.0,
    workers: WorkersOption = 0,
    seed: SeedOption = 0,
    out: Annotated[
        Path | None, typer.Option(help="Also write the whole plan as JSON to this file.")
    ] = None,
    output_format: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            help="How to print the orders: a table for people, or csv or json (one "
            "record per order) on stdout for programs, with everything else on stderr.",
        ),
    ] = OutputFormat.TABLE,
    instance_format: FormatOption = None,
    xlsx: XlsxOption = None,
    csv_dir: CsvDirOption = None,
    budget: BudgetOption = None,
) -> None:
    """Plan every order of a scenario, then summarise who makes what and when.

    Prints each order's plants, finish, arrival at its region, due date and
    lateness, each plant's load, the levers pulled (sheds the scenario offers, within
    the budget), why late orders are late, and the plan's status,
    weighted tardiness, makespan and gap; the independent validator checks the plan.

    Exit status: 0 for a plan of every order that the validator accepts (late
    orders included); 1 when orders are left unplanned, the solver found no plan or
    the validator finds violations; 2 for bad input; 3 when the solver reports an
    invalid model (a bug in xiezuo).
    """
    params = PlanParams(time_limit_s=time_limit, workers=workers or os.cpu_count() or 1, seed=seed)
    if out is not None:
        check_writable(out)
    check_outputs(xlsx, csv_dir)
    run = guarded(
        lambda: solve_with_progress(
            params,
            lambda on_progress: plan_scenario(
                scenario, params, fmt=instance_format, on_progress=on_progress, budget=budget
            ),
        )
    )
    # Machine-readable order lines leave stdout to themselves; people read the rest.
    human = console if output_format is OutputFormat.TABLE else errors
    print_plan(run, human, records=output_format)
    if out is not None:
        # Written after the summary is printed: a full disk loses the file, not the plan.
        write_output(out, partial(write_plan, run.plan, out), "plan")
        say("Plan written to ", (str(out), "bold"), ".", to=human)
    write_tables(run.network, run.plan, xlsx, csv_dir, human)
    raise typer.Exit(exit_status(run))


def exit_status(run: PlanRun) -> int:
    if run.plan.status is PlanStatus.MODEL_INVALID:
        return EXIT_INTERNAL
    if run.plan.schedule is None or run.plan.unplanned_orders or run.violations:
        return EXIT_FINDINGS
    return 0


_LOG_EVERY_S = 5.0  # seconds between progress lines when stderr is no terminal


def solve_with_progress(
    params: PlanParams, solve: Callable[[ProgressCallback], PlanRun]
) -> PlanRun:
    """Run ``solve`` in a worker thread while stderr shows where the solve stands: a live
    line on a terminal, or (a log file, CI) a plain line every ``_LOG_EVERY_S`` seconds."""
    latest: list[ProgressEvent] = []
    lock = threading.Lock()

    def on_progress(event: ProgressEvent) -> None:
        with lock:
            latest[:] = [event]

    def status() -> str:
        with lock:
            if not latest:
                return "reading the scenario"
            event = latest[0]
        if event.phase in ("moves", "levers"):
            objective = display.NONE if event.objective is None else f"{event.objective:,.0f}"
            bound = display.NONE if event.bound is None else f"{event.bound:,.0f}"
        elif event.phase == "makespan":
            objective = display.span(
                None if event.objective is None else timedelta(hours=event.objective)
            )
            bound = display.span(None if event.bound is None else timedelta(hours=event.bound))
        else:
            objective, bound = display.hours(event.objective), display.hours(event.bound)
        # Figures first: a narrow terminal cuts the end of the line.
        return (
            f"{objective} (bound {bound}, gap {display.percent(event.gap)}); "
            f"{event.phase}, {event.search}"
        )

    result: dict[str, PlanRun | BaseException] = {}

    def work() -> None:
        try:
            result["run"] = solve(on_progress)
        except BaseException as exc:  # handed to the main thread, which re-raises it
            result["run"] = exc

    worker = threading.Thread(target=work, daemon=True)
    started = time.monotonic()
    worker.start()
    if errors.is_terminal:
        with Progress(
            TextColumn("[bold]solving[/]", table_column=RichColumn(min_width=7)),
            BarColumn(bar_width=10, table_column=RichColumn(min_width=10)),
            TimeElapsedColumn(table_column=RichColumn(min_width=7)),
            TextColumn(
                "{task.description}",
                markup=False,
                table_column=RichColumn(no_wrap=True, overflow="ellipsis", ratio=1),
            ),
            console=errors,
            transient=True,
        ) as progress:
            task = progress.add_task("", total=params.time_limit_s)
            while worker.is_alive():
                worker.join(0.2)
                progress.update(task, completed=time.monotonic() - started, description=status())
    else:
        logged = started
        while worker.is_alive():
            worker.join(0.2)
            if worker.is_alive() and time.monotonic() - logged >= _LOG_EVERY_S:
                logged = time.monotonic()
                errors.print(
                    f"solving, {logged - started:.0f} s: {status()}",
                    markup=False,
                    highlight=False,
                    soft_wrap=True,
                )
    outcome = result["run"]
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def print_plan(
    run: PlanRun,
    out: Console,
    *,
    records: OutputFormat,
    explain: Callable[[tuple[Explanation, ...], Console], None] | None = None,
) -> None:
    """The summary on ``out``; csv or json ``records`` put the order lines on stdout.

    ``explain`` prints the plan's explanations (default: :func:`print_explanations`),
    so ``replan`` can sum up its many frozen-window notes.
    """
    network, plan = run.network, run.plan
    zone = network.start.tzinfo
    for finding in run.findings:
        say(("finding: ", "yellow"), finding.message, to=out)
    lines = order_lines(network, plan)
    if records is OutputFormat.CSV:
        _write_csv(lines)
    elif records is OutputFormat.JSON:
        sys.stdout.write(json.dumps([line.record() for line in lines], indent=2) + "\n")
    elif lines:
        _print_orders(out, lines, zone, network.start)
    plants = plant_lines(network, plan)
    if plants:
        print_table(
            out,
            "Plants",
            _PLANT_COLUMNS,
            [
                (
                    line.plant_id,
                    display.hours(line.work_hours),
                    display.percent(line.utilisation),
                    line.busiest.machine_id if line.busiest else display.NONE,
                    display.percent(line.busiest.utilisation) if line.busiest else display.NONE,
                )
                for line in plants
            ],
            caption="load: hours of work over the machine units' working hours from the "
            "horizon start to the plan's last operation.",
        )
    _print_levers(run, out)
    (explain or print_explanations)(plan.explanations, out)
    out.print(_summary(run, lines))
    print_violations(run.violations, to=out)


def _print_levers(run: PlanRun, out: Console) -> None:
    """The levers the plan pulls, when the scenario offers any: what, where it works,
    from and (a loan) until when, at what cost, and the total against the budget."""
    network, schedule = run.network, run.plan.schedule
    if not network.levers or schedule is None:
        return
    pulled = schedule.levers
    total = sum(lever.cost for lever in pulled)
    budget = network.lever_budget
    caption = (
        f"{display.plural(len(pulled), 'lever')} of {len(network.levers)} pulled, costing "
        f"{total:,.0f}" + ("" if budget is None else f" of a budget of {budget:,.0f}") + "."
    )
    if not pulled:
        say("Levers: ", caption.replace("0 levers", "none"), to=out)
        return
    print_table(
        out,
        "Levers pulled",
        _LEVER_COLUMNS,
        [
            (
                lever.id,
                lever.kind.value,
                lever.plant_id,
                display.instant(lever.usable_from, network.start.tzinfo),
                display.instant(lever.usable_until, network.start.tzinfo)
                if lever.usable_until is not None
                else display.NONE,
                f"{lever.cost:,.0f}",
            )
            for lever in pulled
        ],
        caption=caption,
    )


def print_explanations(notes: tuple[Explanation, ...], out: Console) -> None:
    """Each explanation on its own line: kind, subject and message."""
    for note in notes:
        say((note.kind, "bold"), f" {note.subject}: {note.message}", to=out)


_ORDER_COLUMNS = (
    Column("order"),
    Column("item", drop_rank=4),
    Column("region", drop_rank=1),
    Column("plants", drop_rank=3, wraps=True),
    Column("finish", drop_rank=2),
    Column("arrival"),
    Column("due"),
    Column("lateness", justify="right"),
)
_LEVER_COLUMNS = (
    Column("lever"),
    Column("kind", drop_rank=1),
    Column("plant"),
    Column("works from"),
    Column("until", drop_rank=2),
    Column("cost", justify="right"),
)
_PLANT_COLUMNS = (
    Column("plant"),
    Column("work", justify="right"),
    Column("load", justify="right"),
    Column("busiest machine", drop_rank=2),
    Column("its load", justify="right", drop_rank=1),
)


def _print_orders(
    out: Console, lines: tuple[OrderLine, ...], zone: tzinfo | None, start: datetime
) -> None:
    deliveries = [line.delivery for line in lines]
    finishes = display.instants([d.finish if d else None for d in deliveries], zone)
    arrivals = display.instants([d.arrival if d else None for d in deliveries], zone)
    dues = display.instants([line.due for line in lines], zone, end_of_day=True)
    rows = []
    for line, finish, arrival, due in zip(lines, finishes, arrivals, dues, strict=True):
        delivery = line.delivery
        if delivery is None:
            arrival_cell = Text("unplanned", style="bold red")
            lateness = Text(display.NONE)
        else:
            arrival_cell = Text(arrival)
            style = "red" if delivery.is_late else "green"
            lateness = Text(display.days(delivery.lateness, signed=True), style=style)
        rows.append(
            (
                line.order_id,
                line.item_id,
                line.region,
                ", ".join(line.plants) or display.NONE,
                finish,
                arrival_cell,
                due,
                lateness,
            )
        )
    notes = [display.zone_note(zone, start)]
    if any(line.due for line in lines):
        notes[:0] = [
            "due: a date is the end of that day.",
            "lateness: arrival at the region minus due (+ late, - early).",
        ]
    print_table(
        out,
        "Orders by due date",
        _ORDER_COLUMNS,
        rows,
        caption=" ".join(notes),
        dropped_hint=" --format csv prints every column.",
    )


def _write_csv(lines: tuple[OrderLine, ...]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(OrderLine.RECORD_FIELDS)
    for line in lines:
        writer.writerow(_csv_value(value) for value in line.record().values())


def _csv_value(value: str | float | bool | list[str] | None) -> str | float:
    """Booleans as in JSON, plant lists joined by ``;``, no value as an empty field."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(value)
    return "" if value is None else value


_WITHOUT_PLAN = {
    PlanStatus.INFEASIBLE: "no plan satisfies the scenario's rules",
    PlanStatus.NO_SOLUTION: "the solver found no plan within the time limit; a longer "
    "--time-limit may find one",
    PlanStatus.MODEL_INVALID: "the solver rejected the model built from this scenario; "
    "this is a bug in xiezuo, please report it with the scenario",
}


def _summary(run: PlanRun, lines: tuple[OrderLine, ...]) -> Text:
    plan = run.plan
    if plan.schedule is None:
        reason = _WITHOUT_PLAN.get(plan.status, "there is no plan")
        return Text.assemble((plan.status.value, "bold red"), f": {reason}; {plan.runtime_s:.1f} s")
    unplanned = len(plan.unplanned_orders)
    late = sum(1 for line in lines if line.is_late)
    on_time = len(lines) - late - unplanned
    gap = display.NONE if plan.gap is None else f"{plan.gap:.1%}".replace("%", " %")
    return Text.assemble(
        (plan.status.value, "bold"),
        f": {display.plural(on_time, 'order')} on time, {late} late, {unplanned} unplanned; "
        f"weighted tardiness {display.hours(plan.tardiness_hours)} "
        f"(bound {display.hours(plan.tardiness_bound)}); "
        f"makespan {display.span(plan.makespan)} (bound {display.span(plan.makespan_bound)}); "
        f"gap {gap}; {plan.runtime_s:.1f} s",
    )
