"""``xiezuo bench``: plan standard instances and compare with best-known results."""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path  # noqa: TC003 (Typer reads the annotations at run time)
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from xiezuo.cli._shared import (
    EXIT_FINDINGS,
    EXIT_INTERNAL,
    SeedOption,
    TimeLimitOption,
    WorkersOption,
    check_writable,
    console,
    errors,
    guarded,
    say,
    write_output,
)
from xiezuo.cli._tables import Column, print_table
from xiezuo.domain import PlanStatus
from xiezuo.io import read_instance
from xiezuo.planning.params import PlanParams
from xiezuo.services.bench import (
    INVALID_PLAN,
    BenchRow,
    bks_for,
    find_instances,
    mean_gaps,
    read_bks,
    run_instance,
    write_csv,
)
from xiezuo.services.display import plural


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
    """Plan standard benchmark instances and compare with best-known makespans.

    Every instance and best-known table is read before the first solve, so a bad file
    fails at once (exit 2) rather than after the others have been solved. Exit status
    1 when an instance ends without a plan the validator accepts.
    """
    params = PlanParams(time_limit_s=time_limit, workers=workers or os.cpu_count() or 1, seed=seed)
    if out is not None:
        check_writable(out, "results")
    explicit = guarded(lambda: read_bks(bks)) if bks is not None else None
    runs = [
        (path, guarded(partial(read_instance, path)), guarded(partial(bks_for, path, explicit)))
        for path in guarded(lambda: find_instances(paths))
    ]
    rows: list[BenchRow] = []
    with Progress(
        TextColumn("[bold]bench[/]"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        TextColumn("{task.description}", markup=False),
        console=errors,
        transient=True,
    ) as progress:
        task = progress.add_task("", total=len(runs))
        for path, network, known in runs:
            progress.update(task, description=path.name)
            rows.append(guarded(partial(run_instance, path, params, known, network=network)))
            progress.advance(task)
    _print_bench(rows)
    if out is not None:
        write_output(out, partial(write_csv, rows, out), "results")
        say("Results written to ", (str(out), "bold"), ".")
    raise typer.Exit(_exit_status(rows))


def _exit_status(rows: list[BenchRow]) -> int:
    """3 when the engine built an invalid model; 1 when an instance has no valid plan."""
    if any(row.status == PlanStatus.MODEL_INVALID.value for row in rows):
        return EXIT_INTERNAL
    if any(row.makespan is None or row.status == INVALID_PLAN for row in rows):
        return EXIT_FINDINGS
    return 0


def _print_bench(rows: list[BenchRow]) -> None:
    columns = (
        Column("instance"),
        Column("makespan", justify="right"),
        Column("bound", justify="right", drop_rank=4),
        Column("best known", justify="right", drop_rank=3),
        Column("gap bks", justify="right"),
        Column("gap bound", justify="right", drop_rank=2),
        Column("to best", justify="right", drop_rank=1),
        Column("status"),
    )
    print_table(
        console,
        "Benchmark",
        columns,
        [
            (
                row.instance,
                _number(row.makespan),
                _number(row.lower_bound),
                _number(row.bks),
                _percent(row.gap_bks_pct),
                _percent(row.gap_bound_pct),
                "–" if row.time_to_best_s is None else f"{row.time_to_best_s:.1f} s",
                row.status,
            )
            for row in rows
        ],
        dropped_hint=" --out writes every column as CSV.",
    )
    to_bks, to_bound = mean_gaps(rows)
    say(
        f"{plural(len(rows), 'instance')}; mean gap to best known {_percent(to_bks)}, "
        f"to own bound {_percent(to_bound)}"
    )


def _number(value: int | None) -> str:
    return "–" if value is None else str(value)


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}%"
