"""``xiezuo replan``: plan what remains after the reported progress, keeping what can stay."""

from __future__ import annotations

import os
import textwrap
from datetime import timedelta
from functools import partial
from pathlib import Path  # noqa: TC003 (Typer reads the annotations at run time)
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from xiezuo.cli._shared import (
    BudgetOption,
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
from xiezuo.cli.plan import (
    OutputFormat,
    exit_status,
    print_plan,
    solve_with_progress,
)
from xiezuo.cli.tables import CsvDirOption, XlsxOption, check_outputs, write_tables
from xiezuo.io.plan_file import write_plan
from xiezuo.planning.params import PlanParams
from xiezuo.services import display
from xiezuo.services.diff import UNFROZEN
from xiezuo.services.planning import replan_scenario
from xiezuo.services.replan_summary import summarise_replan

if TYPE_CHECKING:
    from datetime import tzinfo

    from rich.console import Console

    from xiezuo.domain import Explanation
    from xiezuo.services.replan_summary import FrozenWindowSummary, ReplanHeadline

SUBJECTS_SHOWN = 3
"""How many steps each reason for leaving the frozen window names; the plan file has all."""


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
        str,
        typer.Option(
            metavar="after-tardiness|HOURS",
            help="How much the plan keeps still. 'after-tardiness': as few steps of the "
            "previous plan move as the best weighted tardiness allows; HOURS: each moved step "
            "costs that many hours of weighted tardiness instead; 0: steps move freely.",
        ),
    ] = "after-tardiness",
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
    xlsx: XlsxOption = None,
    csv_dir: CsvDirOption = None,
    budget: BudgetOption = None,
) -> None:
    """Replan a scenario from the reported progress: done work stays as reported,
    started work continues on its unit, nothing new starts before the status date.

    First a headline: the status date, what was reported, and (with --previous)
    how many operations moved and how the weighted tardiness changed. Then the new
    plan like `xiezuo plan`, checked by the independent validator against the same
    progress, with the frozen window summed up by reason (the plan file names every
    step); `xiezuo diff OLD NEW` shows what changed. The scenario file is never
    changed.

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
        stability=_stability_weight(stability),
        stability_tolerance_h=tolerance_hours,
    )
    if out is not None:
        check_writable(out)
    check_outputs(xlsx, csv_dir)
    run = guarded(
        lambda: solve_with_progress(
            params,
            lambda on_progress: replan_scenario(
                scenario,
                progress,
                params,
                previous_path=previous,
                on_progress=on_progress,
                budget=budget,
            ),
        )
    )
    assert run.progress is not None  # a replan always has its progress
    headline = summarise_replan(
        run.network,
        run.plan,
        run.progress,
        run.previous,
        frozen_days=frozen_days,
        tolerance=timedelta(hours=tolerance_hours),
    )
    zone = run.network.start.tzinfo
    lead = f"Replan as of {display.instant(headline.as_of, zone)}"
    _wrapped(f"{lead}: {_facts(headline)}", console, bold=len(lead))

    def explain(notes: tuple[Explanation, ...], to: Console) -> None:
        """The frozen window summed up; every other note wrapped, one per paragraph."""
        if headline.frozen is not None:
            _print_frozen(headline.frozen, zone, out, to)
        for note in notes:
            if headline.frozen is None or note.kind != UNFROZEN:
                text = f"{note.kind} {note.subject}: {note.message}"
                _wrapped(text, to, bold=len(note.kind), indent="  ")

    print_plan(run, console, records=OutputFormat.TABLE, explain=explain)
    if out is not None:
        write_output(out, partial(write_plan, run.plan, out), "plan")
        say("Plan written to ", (str(out), "bold"), ".")
    write_tables(run.network, run.plan, xlsx, csv_dir, console)
    raise typer.Exit(exit_status(run))


def _facts(headline: ReplanHeadline) -> str:
    """What was reported (kinds with nothing reported left out) and, with a previous
    plan, what moved and how the weighted tardiness changed."""
    plural = display.plural
    facts = []
    if headline.steps_done or headline.steps_started:
        facts.append(
            f"{plural(headline.steps_done, 'step')} reported done, {headline.steps_started} started"
        )
    if headline.finished_reported or headline.finished_from_stock:
        facts.append(
            f"{plural(headline.finished_reported, 'work order')} finished, "
            f"{headline.finished_from_stock} from stock"
        )
    if headline.machines_down:
        facts.append(
            f"{plural(len(headline.machines_down), 'machine group')} down "
            f"({_first_few(headline.machines_down)})"
        )
    text = "; ".join(facts) or "no steps, work orders or machine downtime reported"
    if headline.compared_operations is not None:
        old, new = headline.old_tardiness_hours, headline.new_tardiness_hours
        if old is not None and new is not None and old == new:
            tardiness = f"unchanged at {display.hours(new)}"
        else:
            change = "" if old is None or new is None else f" ({new - old:+,.1f} h)"
            tardiness = f"{display.hours(old)} → {display.hours(new)}{change}"
        text += (
            f"; against the previous plan {headline.moved_operations} of "
            f"{plural(headline.compared_operations, 'operation')} moved, weighted "
            f"tardiness {tardiness}"
        )
    return f"{text}."


def _print_frozen(
    frozen: FrozenWindowSummary, zone: tzinfo | None, out: Path | None, to: Console
) -> None:
    """How much of the frozen window held, and why steps left it, a few named per reason."""
    kept = (
        f"{display.plural(frozen.kept, 'step')} kept {'its' if frozen.kept == 1 else 'their'} place"
    )
    left = f"{frozen.left} left it" if frozen.left else "none left it"
    not_needed = (
        f", {frozen.not_needed} are no longer needed (finished or from stock)"
        if frozen.not_needed
        else ""
    )
    days = f"{frozen.days:g} working {'day' if frozen.days == 1 else 'days'}"
    lead = f"Frozen window ({days}, to {display.instant(frozen.end, zone)})"
    _wrapped(f"{lead}: {kept}{not_needed}, {left}{':' if frozen.left else '.'}", to, bold=len(lead))
    for group in frozen.groups:
        _wrapped(
            f"{len(group.subjects)}: {group.reason} ({_first_few(group.subjects)})",
            to,
            first="- ",
        )
    if frozen.left:
        where = f"The plan file {out}" if out is not None else "The plan file (--out)"
        _wrapped(f"{where} names every step that left and why ('unfrozen' explanations).", to)


def _first_few(names: tuple[str, ...]) -> str:
    more = len(names) - SUBJECTS_SHOWN
    return ", ".join(names[:SUBJECTS_SHOWN]) + (f", … {more} more" if more > 0 else "")


def _wrapped(
    text: str, to: Console, *, first: str = "", indent: str | None = None, bold: int = 0
) -> None:
    """``text`` filled to the console width after ``first``, further lines indented by
    ``indent`` (as deep as ``first`` by default), its first ``bold`` characters in bold.

    Filled here rather than by Rich, so a log file gets no trailing blanks, and long
    work-order IDs are never split.
    """
    filled = textwrap.fill(
        text,
        width=to.width,
        initial_indent=first,
        subsequent_indent=" " * len(first) if indent is None else indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    line = Text(filled)
    line.stylize("bold", len(first), len(first) + bold)
    to.print(line, highlight=False, soft_wrap=True)


def _stability_weight(text: str) -> float | None:
    """``None`` for moves after tardiness, else hours of weighted tardiness per move."""
    if text.strip().lower() in ("after-tardiness", "lexicographic", "lex"):
        return None
    try:
        weight = float(text)
    except ValueError:
        weight = -1.0
    if not 0 <= weight <= 10_000:
        raise typer.BadParameter(
            f"{text!r} is neither 'after-tardiness' nor hours from 0 to 10000",
            param_hint="--stability",
        )
    return weight
