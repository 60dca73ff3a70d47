"""``xiezuo replan``: plan what remains after the reported progress, keeping what can stay."""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path  # noqa: TC003 (Typer reads the annotations at run time)
from typing import Annotated

import typer

from xiezuo.cli._shared import (
    ScenarioArg,
    SeedOption,
    TimeLimitOption,
    WorkersOption,
    check_writable,
    console,
    guarded,
    say,
    write_output,
)
from xiezuo.cli.plan import OutputFormat, exit_status, print_plan, solve_with_progress
from xiezuo.io.plan_file import write_plan
from xiezuo.planning.params import PlanParams
from xiezuo.services.planning import replan_scenario


def replan(
    scenario: ScenarioArg,
    progress: Annotated[
        Path,
        typer.Argument(
            help="Progress file (YAML or JSON, docs/progress-format.md): the status date "
            "and what was done, started, counted or broke down by then.",
            show_default=False,
        ),
    ],
    previous: Annotated[
        Path | None,
        typer.Option(
            help="The plan being replaced: the replan starts from it, keeps its frozen "
            "window and moves as little of it as it can."
        ),
    ] = None,
    frozen_days: Annotated[
        float,
        typer.Option(
            min=0,
            max=366,
            help="Working days after the status date in which the previous plan's steps "
            "keep their plant, machine, unit and start (needs --previous).",
        ),
    ] = 0.0,
    stability: Annotated[
        float,
        typer.Option(
            min=0,
            max=10_000,
            help="What moving one step of the previous plan costs, in hours of weighted "
            "tardiness (0: moving is free).",
        ),
    ] = 1.0,
    tolerance_hours: Annotated[
        float,
        typer.Option(
            min=0, max=8784, help="A step that starts this close to its old start has not moved."
        ),
    ] = 8.0,
    time_limit: TimeLimitOption = 60.0,
    workers: WorkersOption = 0,
    seed: SeedOption = 0,
    out: Annotated[
        Path | None, typer.Option(help="Also write the whole new plan as JSON to this file.")
    ] = None,
) -> None:
    """Replan a scenario from the reported progress: done work stays as reported,
    started work continues on its unit, nothing new starts before the status date.

    Prints the new plan like `xiezuo plan`, checked by the independent validator
    against the same progress; `xiezuo diff OLD NEW` shows what changed. The scenario
    file is never changed.

    Exit status as for `xiezuo plan`: 0 for a plan the validator accepts, 1 for
    findings, 2 for bad input (scenario, progress or previous plan), 3 for a bug.
    """
    if frozen_days and previous is None:
        raise typer.BadParameter("a frozen window needs --previous", param_hint="--frozen-days")
    params = PlanParams(
        time_limit_s=time_limit,
        workers=workers or os.cpu_count() or 1,
        seed=seed,
        frozen_days=frozen_days,
        stability=stability,
        stability_tolerance_h=tolerance_hours,
    )
    if out is not None:
        check_writable(out)
    run = guarded(
        lambda: solve_with_progress(
            params,
            lambda on_progress: replan_scenario(
                scenario, progress, params, previous_path=previous, on_progress=on_progress
            ),
        )
    )
    print_plan(run, console, records=OutputFormat.TABLE)
    if out is not None:
        write_output(out, partial(write_plan, run.plan, out), "plan")
        say("Plan written to ", (str(out), "bold"), ".")
    raise typer.Exit(exit_status(run))
