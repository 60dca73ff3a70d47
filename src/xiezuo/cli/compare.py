"""``xiezuo compare``: plan a base scenario and what-if variants side by side."""

from __future__ import annotations

import html
import os
from datetime import timedelta
from functools import partial
from pathlib import Path  # noqa: TC003 (Typer reads the annotations at run time)
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from xiezuo.cli._shared import (
    EXIT_BAD_INPUT,
    EXIT_INTERNAL,
    SeedOption,
    TimeLimitOption,
    check_writable,
    console,
    fail,
    guarded,
    say,
    solve_lines,
    write_output,
)
from xiezuo.cli._tables import Column, print_table
from xiezuo.domain import PlanStatus
from xiezuo.io.plan_file import write_plan
from xiezuo.planning.params import PlanParams
from xiezuo.scenarios.executor import ExecutorSpec
from xiezuo.services import display
from xiezuo.services.compare import (
    Comparison,
    OrderChange,
    OrderDifference,
    OrderOutcome,
    ScenarioResult,
    Significance,
    VariantComparison,
    compare_variants,
    default_jobs,
)
from xiezuo.web.page import html_page

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime, tzinfo

ORDERS_SHOWN = 20
"""Differing orders listed per variant in the terminal; --html lists them all."""

CLUSTER_VARIABLE = "XIEZUO_CLUSTER"
"""The environment variable naming the Dask scheduler when --cluster is not given."""


def compare(
    base: Annotated[
        Path,
        typer.Argument(help="The scenario the variants are compared with.", show_default=False),
    ],
    variants: Annotated[
        list[Path],
        typer.Argument(
            help="Variant files (docs/variants.md), or other scenarios.", show_default=False
        ),
    ],
    time_limit: TimeLimitOption = 60.0,
    workers: Annotated[
        int | None,
        typer.Option(
            min=0,
            max=1024,
            help="Solver worker threads per plan; 0 uses one per CPU. Default: 1 when "
            "several plans run at once, else one per CPU.",
            show_default=False,
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=256,
            help="Plans solved at once, each in its own process (1: one after the other "
            "in this process). Default: one per scenario, at most one per CPU.",
            show_default=False,
        ),
    ] = None,
    cluster: Annotated[
        str | None,
        typer.Option(
            envvar=CLUSTER_VARIABLE,
            help="Solve on the Dask cluster whose scheduler is at this address "
            "(tcp://HOST:8786) instead of on this machine; --jobs is then ignored "
            "(docs/cluster.md).",
            show_default=False,
        ),
    ] = None,
    seed: SeedOption = 0,
    html_out: Annotated[
        Path | None,
        typer.Option("--html", help="Also write the comparison as an HTML page to this file."),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(help="Also write each plan as JSON into this folder (NAME.plan.json)."),
    ] = None,
) -> None:
    """Plan a base scenario and its what-if variants alike, and compare them.

    Prints one table of key figures per scenario (orders on time, late and
    unplanned, weighted tardiness and its difference from the base, gap,
    makespan, materials short, peak people load, the validator's verdict)
    and, per variant, the orders whose arrival moved or whose status
    changed. A difference within the solvers' own gap is marked not
    significant (docs/variants.md gives the rule).

    With --cluster (or XIEZUO_CLUSTER) the plans are solved on a Dask
    cluster (docs/cluster.md); one that does not answer within seconds is
    bad input.

    Exit status: 0 when every scenario was planned; 2 for bad input (a
    cluster that cannot be reached included); 3 when the solver reports an
    invalid model or a solve fails (a bug in xiezuo, or a lost worker).
    """
    count = 1 + len(variants)
    jobs = jobs or default_jobs(count)
    if workers is None:
        workers = 1 if jobs > 1 or cluster is not None else os.cpu_count() or 1
    params = PlanParams(time_limit_s=time_limit, workers=workers or os.cpu_count() or 1, seed=seed)
    executor = guarded(lambda: ExecutorSpec(jobs=jobs, cluster=cluster or None))
    if html_out is not None:
        check_writable(html_out, "HTML page")
    if out_dir is not None:
        _make_folder(out_dir)
    comparison = guarded(lambda: _compare_with_progress(base, variants, params, executor))
    _print_comparison(comparison)
    if html_out is not None:
        page = comparison_html(comparison)
        write_output(html_out, partial(_write_text, html_out, page), "HTML page")
        say("Comparison written to ", (str(html_out), "bold"), ".")
    if out_dir is not None:
        for result, name in zip(comparison.results, _file_names(comparison), strict=True):
            path = out_dir / name
            write_output(path, partial(write_plan, result.plan, path), "plan")
        say("Plans written to ", (str(out_dir), "bold"), ".")
    if any(r.plan.status is PlanStatus.MODEL_INVALID for r in comparison.results):
        raise typer.Exit(EXIT_INTERNAL)


def _write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def _make_folder(path: Path) -> None:
    if path.exists() and not path.is_dir():
        fail(f"{path}: cannot write the plans there: it is not a folder", EXIT_BAD_INPUT)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"{path}: cannot make the folder for the plans: {exc.strerror or exc}")


def _file_names(comparison: Comparison) -> list[str]:
    """``STEM.plan.json`` per scenario, numbered where two files share a stem."""
    names: list[str] = []
    for result in comparison.results:
        stem, count = result.path.stem, 1
        name = f"{stem}.plan.json"
        while name in names:
            count += 1
            name = f"{stem}-{count}.plan.json"
        names.append(name)
    return names


def _compare_with_progress(
    base: Path, variants: Sequence[Path], params: PlanParams, executor: ExecutorSpec
) -> Comparison:
    """Run the comparison with one live line per scenario on a terminal, or one log
    line per finished scenario otherwise."""
    with solve_lines(
        params.time_limit_s,
        finished="planned",
        describe=lambda event: (
            f"{event.phase} {display.hours(event.objective)} "
            f"(bound {display.hours(event.bound)}), {event.search}"
        ),
    ) as on_progress:
        return compare_variants(base, variants, params, executor, on_progress=on_progress)


# ---- the terminal report -----------------------------------------------------------


def _print_comparison(comparison: Comparison) -> None:
    base = comparison.base
    _wrapped(("base ", "bold"), f"{base.label}: {base.path}")
    for variant in comparison.variants:
        result = variant.result
        _wrapped(("variant ", "bold"), f"{result.label}: {result.description or result.path}")
        for line in result.changes:
            _wrapped(f"  - {line}")
        if result.base is not None and result.base.resolve() != base.path.resolve():
            say(
                ("note: ", "yellow"),
                f"{result.label} is laid over {result.base}, not over {base.path}; its "
                "differences are still taken against the base given",
            )
    console.print()
    columns = [Column("figure", wraps=True)] + [
        Column(r.label, justify="right") for r in comparison.results
    ]
    print_table(
        console,
        "Key figures",
        columns,
        kpi_rows(comparison),
        caption="vs base: weighted tardiness minus the base's; significant when larger than "
        "the wider solver gap of the two plans (docs/variants.md). materials short: net "
        "need above stock and every supply; running out early: need before supply. "
        "peak people: most of one skill's staff at work at once.",
    )
    zone = base.start.tzinfo
    for variant in comparison.variants:
        console.print()
        _print_differences(variant, base, zone)


def _wrapped(*parts: str | tuple[str, str]) -> None:
    """Like :func:`say`, but wrapped between words at the console's width."""
    console.print(Text.assemble(*parts), highlight=False)


def kpi_rows(comparison: Comparison) -> list[list[str]]:
    """The key figures, one row per figure and one column per scenario (base first)."""
    results = comparison.results
    verdicts: list[VariantComparison | None] = [None, *comparison.variants]

    def row(label: str, cells: Sequence[str]) -> list[str]:
        return [label, *cells]

    return [
        row("status", [r.plan.status.value for r in results]),
        row("orders on time", [f"{r.on_time:,}" for r in results]),
        row("late", [f"{r.late:,}" for r in results]),
        row("unplanned", [f"{r.unplanned:,}" for r in results]),
        row("weighted tardiness", [display.hours(r.plan.tardiness_hours) for r in results]),
        row("vs base", [_delta(v) for v in verdicts]),
        row("significant?", [_verdict(v) for v in verdicts]),
        row("gap", [display.percent(r.plan.gap) for r in results]),
        row("makespan", [display.span(r.plan.makespan) for r in results]),
        row("materials short", [f"{len(r.short_materials):,}" for r in results]),
        row("running out early", [f"{len(r.early_short_materials):,}" for r in results]),
        row("peak people", [_peak(r) for r in results]),
        row("validator", [_validator(r) for r in results]),
        row("solve time", [f"{r.plan.runtime_s:,.1f} s" for r in results]),
    ]


def _delta(variant: VariantComparison | None) -> str:
    if variant is None or variant.tardiness_delta is None:
        return display.NONE
    return f"{variant.tardiness_delta:+,.1f} h"


_VERDICT = {
    Significance.SIGNIFICANT: "yes",
    Significance.NOT_SIGNIFICANT: "no, in gap",
    Significance.NONE: "no change",
    Significance.UNKNOWN: "unknown",
}


def _verdict(variant: VariantComparison | None) -> str:
    return display.NONE if variant is None else _VERDICT[variant.significance]


def _peak(result: ScenarioResult) -> str:
    return (
        display.NONE
        if result.peak_people is None
        else display.percent(result.peak_people.utilisation)
    )


def _validator(result: ScenarioResult) -> str:
    return "accepts" if not result.violations else display.plural(result.violations, "violation")


_ORDER_COLUMNS = (
    Column("order"),
    Column("arrival"),
    Column("shift", justify="right"),
    Column("lateness", justify="right", drop_rank=3),
    Column("change"),
    Column("base arrival", drop_rank=2),
    Column("due", drop_rank=1),
)


def difference_rows(differences: Sequence[OrderDifference], zone: tzinfo | None) -> list[list[str]]:
    """Each differing order as cells under :data:`_ORDER_COLUMNS`."""
    arrivals = display.instants([_arrival(d.variant) for d in differences], zone)
    base_arrivals = display.instants([_arrival(d.base) for d in differences], zone)
    dues = display.instants([_due(d) for d in differences], zone, end_of_day=True)
    rows = []
    for diff, arrival, base_arrival, due in zip(
        differences, arrivals, base_arrivals, dues, strict=True
    ):
        outcome = diff.variant
        lateness = None
        if outcome is not None and outcome.arrival is not None and outcome.due is not None:
            lateness = outcome.arrival - outcome.due
        rows.append(
            [
                diff.order_id,
                arrival,
                display.days(diff.shift, signed=True),
                display.days(lateness, signed=True),
                diff.change.value,
                base_arrival,
                due,
            ]
        )
    return rows


def _arrival(outcome: OrderOutcome | None) -> datetime | None:
    return None if outcome is None else outcome.arrival


def _due(diff: OrderDifference) -> datetime | None:
    outcome = diff.variant or diff.base
    return None if outcome is None else outcome.due


def shown_first(differences: Sequence[OrderDifference]) -> list[OrderDifference]:
    """Status changes first, then the largest shifts: what a planner looks at first."""
    return sorted(
        differences,
        key=lambda d: (d.change not in _STATUS_CHANGES, -abs(d.shift or _NO_SHIFT)),
    )


_NO_SHIFT = timedelta(0)
_STATUS_CHANGES = frozenset(
    {
        OrderChange.NOW_LATE,
        OrderChange.NOW_ON_TIME,
        OrderChange.NOW_UNPLANNED,
        OrderChange.NOW_PLANNED,
        OrderChange.ADDED,
        OrderChange.CANCELLED,
    }
)


_STILL_COUNT = "Orders added, cancelled or left out always count."


def significance_note(variant: VariantComparison) -> str:
    """One sentence on whether the variant's differences are more than solver noise."""
    # No-break spaces keep a figure and its unit on one line when the caption wraps.
    delta = _delta(variant).replace(" ", "\u00a0")
    band = display.hours(variant.noise).replace(" ", "\u00a0")
    if variant.significance is Significance.SIGNIFICANT:
        return (
            f"Weighted tardiness differs by {delta}, more than the solvers' gap ({band}): "
            "the differences are the variant's."
        )
    if variant.significance is Significance.NOT_SIGNIFICANT:
        return (
            f"Weighted tardiness differs by {delta}, within the solvers' gap ({band}): "
            "shifts may be search noise, not the variant (a longer --time-limit narrows "
            f"the gap). {_STILL_COUNT}"
        )
    if variant.significance is Significance.NONE:
        return (
            f"Weighted tardiness is the same: shifts are other plans of equal worth. {_STILL_COUNT}"
        )
    return "A plan has no proven bound, so whether the differences are noise is unknown."


def _print_differences(
    variant: VariantComparison, base: ScenarioResult, zone: tzinfo | None
) -> None:
    result = variant.result
    title = f"{result.label} against {base.label}"
    if not variant.orders:
        say((title, "bold"), ": every order arrives as in the base.")
        return
    ordered = shown_first(variant.orders)
    shown = ordered[:ORDERS_SHOWN]
    rows = []
    for diff, cells in zip(shown, difference_rows(shown, zone), strict=True):
        style = "" if diff.is_significant else "dim"
        rows.append([Text(cell, style=style) for cell in cells])
    more = len(ordered) - len(shown)
    notes = [significance_note(variant)]
    if more:
        notes.append(f"{display.plural(more, 'more order')} differ; --html lists them all.")
    notes.append("shift: arrival minus the base's arrival. Dim rows are not significant.")
    notes.append(display.zone_note(zone, base.start))
    print_table(
        console,
        f"{title}: {display.plural(len(ordered), 'order')} "
        f"{'differs' if len(ordered) == 1 else 'differ'}",
        _ORDER_COLUMNS,
        rows,
        caption=" ".join(notes),
    )


# ---- the HTML page -----------------------------------------------------------------


def comparison_html(comparison: Comparison) -> str:
    """The whole comparison as one HTML page: the key figures and every differing order."""
    base = comparison.base
    zone = base.start.tzinfo
    parts = ["<h2>Scenarios</h2>", "<dl>"]
    parts.append(f"<dt>base {_e(base.label)}</dt><dd>{_e(str(base.path))}</dd>")
    for variant in comparison.variants:
        result = variant.result
        changes = "".join(f"<li>{_e(line)}</li>" for line in result.changes)
        parts.append(
            f"<dt>variant {_e(result.label)}</dt><dd>{_e(result.description or str(result.path))}"
            f"<ul>{changes}</ul></dd>"
        )
    parts.append("</dl>")
    parts.append("<h2>Key figures</h2>")
    headers = ["figure", *(r.label for r in comparison.results)]
    parts.append(_html_table(headers, kpi_rows(comparison), numeric_from=1))
    for variant in comparison.variants:
        result = variant.result
        parts.append(f"<h2>{_e(result.label)} against {_e(base.label)}</h2>")
        parts.append(f"<p>{_e(significance_note(variant))}</p>")
        if not variant.orders:
            parts.append("<p>Every order arrives as in the base.</p>")
            continue
        ordered = shown_first(variant.orders)
        rows = difference_rows(ordered, zone)
        parts.append(
            _html_table(
                [c.header for c in _ORDER_COLUMNS],
                rows,
                numeric_from=None,
                dim=[not d.is_significant for d in ordered],
            )
        )
    parts.append(f"<p>{_e(display.zone_note(zone, base.start))}</p>")
    return html_page(f"xiezuo compare: {base.label}", "\n".join(parts))


def _html_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    numeric_from: int | None,
    dim: Sequence[bool] = (),
) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = []
    for r_idx, row in enumerate(rows):
        cells = "".join(
            f'<td class="number">{_e(cell)}</td>'
            if numeric_from is not None and c_idx >= numeric_from
            else f"<td>{_e(cell)}</td>"
            for c_idx, cell in enumerate(row)
        )
        style = ' style="color: #888"' if r_idx < len(dim) and dim[r_idx] else ""
        body.append(f"<tr{style}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _e(text: str) -> str:
    return html.escape(text)
