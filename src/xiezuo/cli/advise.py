"""``xiezuo advise``: which lever fixes which late order, measured by re-solving."""

from __future__ import annotations

import json
import os
import textwrap
from datetime import timedelta
from functools import partial
from pathlib import Path  # noqa: TC003 (Typer reads the annotations at run time)
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from xiezuo.cli._shared import (
    EXIT_INTERNAL,
    SeedOption,
    TimeLimitOption,
    check_writable,
    console,
    guarded,
    say,
    solve_lines,
    write_output,
)
from xiezuo.cli._tables import Column, print_table
from xiezuo.domain import PlanStatus
from xiezuo.io.tables import write_file
from xiezuo.planning.params import PlanParams
from xiezuo.scenarios.advise import DEFAULT_MAX_LEVERS, advice_record
from xiezuo.scenarios.executor import ExecutorSpec
from xiezuo.scenarios.significance import Significance
from xiezuo.services import display
from xiezuo.services.advise import advise_scenario

if TYPE_CHECKING:
    from xiezuo.scenarios.advise import Advice, LeverOutcome

CLUSTER_VARIABLE = "XIEZUO_CLUSTER"
"""The environment variable naming the Dask scheduler when --cluster is not given."""

_VERDICT = {
    Significance.SIGNIFICANT: "yes",
    Significance.NOT_SIGNIFICANT: "no, in gap",
    Significance.NONE: "no change",
    Significance.UNKNOWN: "unknown",
}


def advise(
    scenario: Annotated[
        Path,
        typer.Argument(
            help="Scenario file (.yaml, .yml, .json), or a what-if variant of one.",
            show_default=False,
        ),
    ],
    plan_file: Annotated[
        Path | None,
        typer.Argument(
            help="A plan of the scenario (`xiezuo plan --out`); default: solve one first "
            "with the settings below.",
            show_default=False,
        ),
    ] = None,
    time_limit: TimeLimitOption = 30.0,
    workers: Annotated[
        int | None,
        typer.Option(
            min=0,
            max=1024,
            help="Solver worker threads per solve; 0 uses one per CPU. Default: 1 when "
            "several solves run at once, else one per CPU.",
            show_default=False,
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=256,
            help="Solves run at once, each in its own process (1: one after the other "
            "in this process). Default: one per CPU.",
            show_default=False,
        ),
    ] = None,
    cluster: Annotated[
        str | None,
        typer.Option(
            envvar=CLUSTER_VARIABLE,
            help="Solve on the Dask cluster whose scheduler is at this address "
            "(tcp://HOST:8786); --jobs is then ignored (docs/cluster.md).",
            show_default=False,
        ),
    ] = None,
    seed: SeedOption = 0,
    max_candidates: Annotated[
        int,
        typer.Option(min=1, max=100, help="Most levers generated and measured."),
    ] = DEFAULT_MAX_LEVERS,
    json_out: Annotated[
        Path | None,
        typer.Option("--json", help="Also write the advice as JSON to this file."),
    ] = None,
) -> None:
    """Which lever fixes which late order: each lever measured by solving again.

    Finds the machine groups and crews the late orders waited for (their
    explanations) and measures levers there: a shed with one more unit, an
    extra shift or Sunday work, ganging, a unit or people lent by the plant
    with the most to spare. Every lever is a what-if variant solved with the
    same seed, time limit and workers, in parallel; a gain within the
    solvers' gap is marked as such (docs/advise.md).

    Exit status: 0 when the advice was made; 2 for bad input (a plan of
    another scenario, a cluster that cannot be reached); 3 when a solve
    fails or reports an invalid model.
    """
    jobs = jobs or os.cpu_count() or 1
    if workers is None:
        workers = 1 if jobs > 1 or cluster is not None else os.cpu_count() or 1
    params = PlanParams(time_limit_s=time_limit, workers=workers or os.cpu_count() or 1, seed=seed)
    executor = guarded(lambda: ExecutorSpec(jobs=jobs, cluster=cluster or None))
    if json_out is not None:
        check_writable(json_out, "advice")
    advice = guarded(
        lambda: _advise_with_progress(scenario, plan_file, params, executor, max_candidates)
    )
    print_advice(advice)
    if json_out is not None:
        text = json.dumps(advice_record(advice), indent=2, ensure_ascii=False) + "\n"
        write_output(json_out, partial(write_file, json_out, text.encode("utf-8")), "advice")
        say("Advice written to ", (str(json_out), "bold"), ".")
    plans = [advice.base, *(o.plan for o in advice.outcomes if o.plan is not None)]
    if any(p.status is PlanStatus.MODEL_INVALID for p in plans) or any(
        o.plan is None and not o.is_refused for o in advice.outcomes
    ):
        raise typer.Exit(EXIT_INTERNAL)


def _advise_with_progress(
    scenario: Path,
    plan_file: Path | None,
    params: PlanParams,
    executor: ExecutorSpec,
    max_levers: int,
) -> Advice:
    """Advise with one live line per solve on a terminal, one log line per solve else."""
    with solve_lines(
        params.time_limit_s,
        finished="solved",
        describe=lambda event: f"{event.phase} {display.hours(event.objective)}",
    ) as on_progress:
        return advise_scenario(
            scenario, plan_file, params, executor, max_levers=max_levers, on_progress=on_progress
        )


# ---- the terminal report -------------------------------------------------------------


def print_advice(advice: Advice) -> None:
    """The base plan, its bottlenecks, every lever measured and the late orders' levers."""
    base = advice.base
    late = advice.late
    _wrapped(
        ("Base plan: ", "bold"),
        f"{display.plural(len(late), 'order')} late, weighted tardiness "
        f"{display.hours(base.tardiness_hours)} (bound {display.hours(base.tardiness_bound)}); "
        f"{base.status.value}.",
    )
    if advice.bottlenecks:
        shown = ", ".join(
            f"{b.label} ({_wait(b.wait_hours)}, {display.plural(len(b.orders), 'late order')})"
            for b in advice.bottlenecks[:3]
        )
        _wrapped(("Waited for: ", "bold"), shown)
    if advice.crews:
        shown = ", ".join(f"{c.label} ({_wait(c.wait_hours)})" for c in advice.crews[:3])
        _wrapped(("Crews waited for: ", "bold"), shown)
    if advice.outcomes:
        console.print()
        _print_levers(advice)
    if late and advice.outcomes:
        console.print()
        _print_orders(advice)
    console.print()
    say(("Summary", "bold"))
    for sentence in advice.summary():
        _bullet(sentence)


def _wrapped(*parts: str | tuple[str, str]) -> None:
    """Like :func:`say`, but wrapped between words at the console's width."""
    console.print(Text.assemble(*parts), highlight=False)


def _bullet(text: str, style: str = "") -> None:
    """``- text``, its further lines indented under the text."""
    lines = textwrap.wrap(
        text, width=max(console.width, 20), initial_indent="- ", subsequent_indent="  "
    )
    console.print(Text("\n".join(lines), style=style), highlight=False, soft_wrap=True)


def _wait(hours: float) -> str:
    if hours == 0:
        return "most loaded"
    return f"{hours / 24:,.1f} d weighted wait"


def _print_levers(advice: Advice) -> None:
    params = advice.params
    costed = any(outcome.lever.cost is not None for outcome in advice.outcomes)
    rows = [
        [
            outcome.lever.name,
            *([_cost(outcome)] if costed else []),
            display.hours(outcome.tardiness_after) if outcome.plan else "-",
            _delta(outcome),
            _VERDICT[outcome.significance] if outcome.plan else _failed(outcome),
            f"{sum(1 for g in outcome.gains if g.is_on_time_now):,}" if outcome.plan else "-",
        ]
        for outcome in advice.outcomes
    ]
    print_table(
        console,
        "Levers measured",
        [
            Column("lever", wraps=True),
            *([Column("cost", justify="right", drop_rank=1)] if costed else []),
            Column("tardiness", justify="right"),
            Column("vs base", justify="right"),
            Column("significant?"),
            Column("on time now", justify="right", drop_rank=2),
        ],
        rows,
        caption=f"Each lever solved with seed {params.seed}, {params.time_limit_s:g} s and "
        f"{display.plural(params.workers, 'worker')}, like the base. significant: the "
        "tardiness difference exceeds the wider solver gap of the two plans. on time now: "
        "late orders the lever puts on time." + ("" if costed else " No lever has a cost given."),
    )
    for outcome in advice.outcomes:
        why = f" ({_failed(outcome)}: {outcome.failure})" if outcome.failure else ""
        _bullet(f"{outcome.lever.name}: {outcome.lever.summary}{why}", style="dim")


def _cost(outcome: LeverOutcome) -> str:
    return "not given" if outcome.lever.cost is None else f"{outcome.lever.cost:,.0f}"


def _delta(outcome: LeverOutcome) -> str:
    if outcome.tardiness_delta is None:
        return "-"
    return f"{outcome.tardiness_delta:+,.1f} h"


def _failed(outcome: LeverOutcome) -> str:
    return "refused" if outcome.is_refused else "failed"


def _print_orders(advice: Advice) -> None:
    rows: list[list[str | Text]] = []
    dimmed = False
    for lateness in advice.late:
        found = advice.levers_for(lateness.order_id)
        before = "unplanned" if lateness.late_by is None else display.days(lateness.late_by)
        if not found:
            rows.append([lateness.order_id, before, Text("no lever cuts it", style="dim"), "", ""])
            continue
        for idx, (outcome, gain) in enumerate(found):
            style = "" if outcome.is_significant_gain else "dim"
            dimmed = dimmed or bool(style)
            after = gain.after.late_by or timedelta(0)
            rows.append(
                [
                    lateness.order_id if idx == 0 else "",
                    before if idx == 0 else "",
                    Text(outcome.lever.name, style=style),
                    Text("on time" if gain.is_on_time_now else display.days(after), style=style),
                    Text(
                        "planned" if gain.is_now_planned else display.days(gain.saved),
                        style=style,
                    ),
                ]
            )
    print_table(
        console,
        "Late orders and the levers that cut their lateness",
        [
            Column("order"),
            Column("late", justify="right"),
            Column("lever", wraps=True),
            Column("with it", justify="right"),
            Column("saved", justify="right"),
        ],
        rows,
        caption="Dimmed: the lever's gain for the whole network is within solver noise."
        if dimmed
        else None,
    )
