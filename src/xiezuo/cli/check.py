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
    plan_file: Annotated[Path, typer.Argument(help="Plan JSON written by `xiezuo plan --out`.")],
    fmt: FormatOption = None,
) -> None:
    """Check a plan against its scenario with the independent validator."""
    plan_obj, violations = guarded(lambda: verify_plan_file(scenario, plan_file, fmt))
    if plan_obj.schedule is None:
        say(f"The plan has no schedule (status: {plan_obj.status.value}).")
        if violations:
            print_violations(violations)
        raise typer.Exit(EXIT_FINDINGS)
    print_violations(violations)
    if violations:
        raise typer.Exit(EXIT_FINDINGS)
