"""What every command shares: the consoles, exit codes, common options and error guards.

Exit status, the same for every command (README.md lists it too), so that a script can
tell a finding from bad input and both from a crash:

=====  ==========================================================================
0      done; nothing to report
1      findings: the validator found violations, an order cannot be made or
       planned, or the solver found no plan
2      bad input: a message names the file (or option), the place in it and the
       problem; also an output file that cannot be written
3      internal error: a bug in xiezuo; one line names the exception, and
       ``XIEZUO_DEBUG=1`` adds the traceback
130    interrupted (Ctrl-C)
=====  ==========================================================================

User text (ids, file names, messages quoting a file) is printed literally: it goes
through :func:`say` or :func:`fail` as plain text, never as Rich markup, so a name
such as ``[bold]P1[/x]`` neither crashes the printer nor loses characters.
"""

from __future__ import annotations

import functools
import os
import traceback
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, ParamSpec, Protocol, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Column as RichColumn
from rich.text import Text
from typer.exceptions import TyperException

from xiezuo.errors import PlanningError, XiezuoError
from xiezuo.io import BENCHMARK_FORMATS
from xiezuo.services.display import plural

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from xiezuo.planning.params import ProgressEvent
    from xiezuo.planning.validation.audit import Violation

console = Console()
errors = Console(stderr=True)

T = TypeVar("T")
P = ParamSpec("P")

EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130

DEBUG_VARIABLE = "XIEZUO_DEBUG"
VIOLATIONS_PER_RULE = 5
"""How many violations of one rule are listed before the rest are only counted."""

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
        # Not --format: that is how `plan` prints its orders (table, csv, json).
        "--instance-format",
        help=f"Format of a benchmark instance ({', '.join(BENCHMARK_FORMATS)}); "
        "default: from the file name and content.",
    ),
]


TimeLimitOption = Annotated[
    float,
    typer.Option(min=0.1, max=1e6, help="Solver time limit in seconds (up to 10^6)."),
]
WorkersOption = Annotated[
    int, typer.Option(min=0, max=1024, help="Solver worker threads; 0 uses one per CPU.")
]
SeedOption = Annotated[int, typer.Option(min=0, max=2**31 - 1, help="Random seed of the solver.")]
BudgetOption = Annotated[
    float | None,
    typer.Option(
        min=0,
        max=1e12,
        help="Most the levers pulled (sheds) may cost together, in place of the "
        "scenario's levers.budget; 0 pulls none.",
    ),
]


def say(*parts: str | tuple[str, str], to: Console = console) -> None:
    """Print ``parts`` literally; a ``(text, style)`` pair is styled, plain text is not.

    Nothing is read as markup or highlighted, so user text is shown as it is.
    """
    to.print(Text.assemble(*parts), highlight=False, soft_wrap=True)


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    """End the command with ``error: message`` on stderr and exit status ``code``."""
    say(("error: ", "bold red"), message, to=errors)
    raise typer.Exit(code)


def guarded(action: Callable[[], T]) -> T:
    """Run ``action``; bad input ends the command with its message and status 2.

    A :class:`~xiezuo.errors.PlanningError` is a bug, not bad input: it passes on to
    :func:`reported`, which exits 3.
    """
    try:
        return action()
    except PlanningError:
        raise
    except XiezuoError as exc:
        fail(str(exc))


def reported(command: Callable[P, None]) -> Callable[P, None]:
    """Wrap a command so an unexpected exception exits 3 with one line, not a traceback.

    Typer's own exits and usage errors pass through unchanged; Ctrl-C exits 130.
    """

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            command(*args, **kwargs)
        except (typer.Exit, typer.Abort, TyperException):
            raise
        except KeyboardInterrupt:
            say(("interrupted", "bold red"), to=errors)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except Exception as exc:  # the one catch-all: report the bug, exit 3
            if os.environ.get(DEBUG_VARIABLE):
                errors.print(Text("".join(traceback.format_exception(exc))), highlight=False)
            hint = "" if os.environ.get(DEBUG_VARIABLE) else f" ({DEBUG_VARIABLE}=1 shows where)"
            say(
                ("internal error", "bold red"),
                f", please report it with the input{hint}: {type(exc).__name__}: {exc}",
                to=errors,
            )
            raise typer.Exit(EXIT_INTERNAL) from None

    return run


def check_writable(path: Path, what: str = "output") -> None:
    """Refuse an output path up front, before minutes of solving are lost on it.

    The probe opens the file for appending (nothing is truncated) and removes it again
    if it did not exist, so permissions, read-only file systems and missing folders are
    all found now rather than at the end.
    """
    if path.is_dir():
        fail(f"{path}: cannot write the {what} there: it is a folder; give a file name")
    if not path.parent.is_dir():
        reason = "does not exist" if not path.parent.exists() else "is not a folder"
        fail(f"{path}: cannot write the {what} there: the folder {path.parent} {reason}")
    if path.exists() and not path.is_file():
        # A pipe or device the user chose: opening it to probe could block or end
        # the reader's input, so only the permission is checked.
        if not os.access(path, os.W_OK):
            fail(f"{path}: cannot write the {what} there: permission denied")
        return
    existed = path.exists()
    try:
        with path.open("ab"):
            pass
    except OSError as exc:
        fail(f"{path}: cannot write the {what} there: {exc.strerror or exc}")
    if not existed:
        path.unlink(missing_ok=True)


def write_output(path: Path, write: Callable[[], None], what: str = "output") -> None:
    """Run ``write``; if the file cannot be written after all, say so and exit 2.

    Call it after the results are printed, so a full disk loses the file, not the result.
    """
    try:
        write()
    except OSError as exc:
        fail(f"{path}: could not write the {what}: {exc.strerror or exc}; it is not saved")


def print_violations(violations: tuple[Violation, ...], to: Console = console) -> None:
    """The validator's verdict: up to :data:`VIOLATIONS_PER_RULE` per rule, and counts."""
    if not violations:
        say(("The independent validator accepts the plan.", "green"), to=to)
        return
    by_rule = Counter(v.rule for v in violations)
    counts = ", ".join(f"{rule} {count}" for rule, count in by_rule.most_common())
    say((plural(len(violations), "violation"), "bold red"), f" ({counts}):", to=to)
    shown: Counter[str] = Counter()
    for v in violations:
        shown[v.rule] += 1
        if shown[v.rule] <= VIOLATIONS_PER_RULE:
            say("  ", (v.rule, "red"), f" {v.subject}: {v.message}", to=to)
    for rule, count in by_rule.items():
        if count > VIOLATIONS_PER_RULE:
            say(f"  … and {count - VIOLATIONS_PER_RULE} more {rule} violations", to=to)


def hours(value: float | None) -> str:
    return "–" if value is None else f"{value:,.1f} h"


class SolveNews(Protocol):
    """News of one of many solves (a variant, a lever): first neither ``event`` nor
    ``done`` (it waits), then ``event`` while it runs, ``done`` once finished."""

    @property
    def index(self) -> int: ...
    @property
    def label(self) -> str: ...
    @property
    def event(self) -> ProgressEvent | None: ...
    @property
    def done(self) -> bool: ...


@contextmanager
def solve_lines(
    time_limit_s: float, *, finished: str, describe: Callable[[ProgressEvent], str]
) -> Iterator[Callable[[SolveNews], None]]:
    """A progress callback for many solves: one live line per solve on a terminal (its
    time against the limit, and ``describe`` of its latest event), else one log line
    per finished solve (``finished`` and its label)."""
    if not errors.is_terminal:

        def log(news: SolveNews) -> None:
            if news.done:
                say(f"{finished} {news.label}", to=errors)

        yield log
        return
    with Progress(
        TextColumn("{task.fields[label]}", markup=False, table_column=RichColumn(min_width=8)),
        BarColumn(bar_width=10),
        TimeElapsedColumn(),
        TextColumn(
            "{task.description}",
            markup=False,
            table_column=RichColumn(no_wrap=True, overflow="ellipsis", ratio=1),
        ),
        console=errors,
        transient=True,
    ) as progress:
        tasks: dict[int, TaskID] = {}

        def show(news: SolveNews) -> None:
            if news.index not in tasks:
                tasks[news.index] = progress.add_task(
                    "waiting", start=False, total=time_limit_s, label=news.label
                )
            task = tasks[news.index]
            if news.done:
                progress.update(task, completed=time_limit_s, description="done")
                progress.stop_task(task)
            elif news.event is not None:
                progress.start_task(task)  # only the first call starts its clock
                progress.update(
                    task,
                    completed=min(news.event.elapsed_s, time_limit_s),
                    description=describe(news.event),
                )

        yield show
