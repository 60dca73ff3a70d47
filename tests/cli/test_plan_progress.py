"""``xiezuo plan`` while it solves: the progress shown on stderr."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from typer.testing import CliRunner

from xiezuo.cli import plan as plan_command
from xiezuo.cli.main import app

if TYPE_CHECKING:
    import pytest

EXAMPLE = Path(__file__).parents[2] / "examples" / "chongqing-1958.yaml"


def test_without_a_terminal_progress_is_a_plain_line_every_few_seconds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Where stderr is a log, it gets lines naming the objective, the search, value,
    bound and gap, and no live display's control codes."""
    monkeypatch.setattr(plan_command, "_LOG_EVERY_S", 0.5)
    result = CliRunner(env={"COLUMNS": "1000"}).invoke(
        app, ["plan", str(EXAMPLE), "--time-limit", "3", "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("solving, ")]
    assert len(lines) >= 3
    assert any("tardiness, " in line and "(bound 890.0 h, gap " in line for line in lines)
    assert "\x1b" not in result.stderr
