"""``xiezuo validate`` and ``xiezuo verify``: check a scenario, or a plan against it."""

from __future__ import annotations

from pathlib import Path  # noqa: TC003 (Typer reads the annotations at run time)
from typing import Annotated

import typer

from xiezuo.cli._shared import (
    EXIT_FINDINGS,
    FormatOption,
    ScenarioArg,
    guarded,
    print_violations,
    say,
)
from xiezuo.services.display import plural
from xiezuo.services.planning import check_scenario, verify_plan_file


def validate(scenario: ScenarioArg, fmt: FormatOption = None) -> None:
    """Check a scenario file and report what the network cannot do."""
    network, findings = guarded(lambda: check_scenario(scenario, fmt))
    say(
        f"{scenario}: {plural(len(network.plants), 'plant')}, "
        f"{plural(sum(len(p.machines) for p in network.plants), 'machine group')}, "
        f"{plural(len(network.items), 'item')}, {plural(len(network.orders), 'order')}."
    )
    if not findings:
        say(("No findings: every order can be made.", "green"))
        return
    for finding in findings:
        say(("finding: ", "yellow"), finding.message)
    raise typer.Exit(EXIT_FINDINGS)


def verify(
    scenario: ScenarioArg,
    plan_file: Annotated[
        Path,
        typer.Argument(help="Plan JSON written by `xiezuo plan --out` or `xiezuo replan --out`."),
    ],
    progress: Annotated[
        Path | None,
        typer.Option(
            help="For a replan: the progress file it was made from. Needed for a plan "
            "with a status date; with a fresh plan it is a finding (status_date)."
        ),
    ] = None,
    previous: Annotated[
        Path | None,
        typer.Option(
            help="For a replan: the plan it replaced, to check its frozen window "
            "(needs --progress)."
        ),
    ] = None,
    frozen_days: Annotated[
        float,
        typer.Option(
            min=0,
            max=366,
            help="The replan's frozen window in working days: the previous plan's steps "
            "in it must keep their place or be explained (needs --previous).",
        ),
    ] = 0.0,
    fmt: FormatOption = None,
) -> None:
    """Check a plan against its scenario with the independent validator.

    A replan (a plan file with a status date, as_of) is checked against the same
    facts `xiezuo replan` used: --progress, and --previous with --frozen-days for
    its frozen window. Without --progress a replan is refused (exit 2), not judged
    as a fresh plan: that would let its reported work, the steps repeated from the
    progress file, pass unchecked, and a planner asking "is this replan right?"
    would get a yes that does not mean it.

    Exit status: 0 when the validator accepts the plan, 1 for violations or a plan
    without a schedule, 2 for bad input.
    """
    if previous is not None and progress is None:
        raise typer.BadParameter("the previous plan needs --progress", param_hint="--previous")
    if frozen_days and previous is None:
        raise typer.BadParameter("a frozen window needs --previous", param_hint="--frozen-days")
    plan_obj, violations = guarded(
        lambda: verify_plan_file(
            scenario,
            plan_file,
            fmt,
            progress_path=progress,
            previous_path=previous,
            frozen_days=frozen_days,
        )
    )
    if progress is not None:
        against = f"Checked against the progress {progress}"
        if previous is not None:
            against += f" and the previous plan {previous}"
            if frozen_days:
                unit = "day" if frozen_days == 1 else "days"
                against += f", frozen for {frozen_days:g} working {unit}"
        say(f"{against}.")
    if plan_obj.schedule is None:
        say(f"The plan has no schedule (status: {plan_obj.status.value}).")
        if violations:
            print_violations(violations)
        raise typer.Exit(EXIT_FINDINGS)
    print_violations(violations)
    if violations:
        raise typer.Exit(EXIT_FINDINGS)
