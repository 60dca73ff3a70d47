"""What every command shares: the consoles, exit codes, common options and error guard.

Exit status, the same for every command (docs list it in README.md):
0 done, nothing to report; 1 findings (violations, unplannable orders); 2 bad input
(a located message names the file, the place in it and the problem).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console

from xiezuo.errors import XiezuoError
from xiezuo.io import BENCHMARK_FORMATS

if TYPE_CHECKING:
    from collections.abc import Callable

    from xiezuo.planning.validate import Violation

console = Console()
errors = Console(stderr=True)

T = TypeVar("T")

EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2

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
        "--format",
        help=f"Benchmark instance format ({', '.join(BENCHMARK_FORMATS)}); "
        "default: from the file name and content.",
    ),
]
TimeLimitOption = Annotated[float, typer.Option(min=0.1, help="Solver time limit in seconds.")]
WorkersOption = Annotated[
    int, typer.Option(min=0, help="Solver worker threads (default: CPU count).")
]
SeedOption = Annotated[int, typer.Option(help="Random seed of the solver.")]


def guarded(action: Callable[[], T]) -> T:
    """Run ``action``; bad input ends the command with its message and status 2."""
    try:
        return action()
    except XiezuoError as exc:
        errors.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def check_writable(path: Path) -> None:
    """Refuse an output path up front, before minutes of solving are lost on it."""
    if not path.parent.is_dir():
        errors.print(
            f"[bold red]error:[/] {path}: cannot write there: the folder {path.parent} "
            "does not exist",
            highlight=False,
        )
        raise typer.Exit(EXIT_BAD_INPUT)


def print_violations(violations: tuple[Violation, ...]) -> None:
    if not violations:
        console.print("[green]The independent validator accepts the plan.[/]")
        return
    console.print(f"[bold red]{len(violations)} violations:[/]")
    for v in violations:
        console.print(f"  [red]{v.rule}[/] {v.subject}: {v.message}", highlight=False)


def hours(value: float | None) -> str:
    return "–" if value is None else f"{value:,.1f} h"
