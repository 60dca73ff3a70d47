"""``kill -9`` of a real server in a burst of progress reports: every report answered 2xx
is stored after a restart, and the solve it was running is failed with the plan kept."""

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARK = Path(__file__).parents[2] / "benchmarks" / "server_reports.py"


@pytest.mark.slow
def test_every_acknowledged_report_survives_a_killed_server(db_url):
    run = subprocess.run(
        [
            sys.executable,
            str(BENCHMARK),
            "--url",
            db_url,
            "--kill",
            "2",
            "--clients",
            "6",
            "--plan-time-limit",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert ", lost 0, doubled 0," in run.stdout
    assert "the job killed mid-solve: failed: the server stopped while the job ran" in run.stdout
    assert "current plan after restart: 1" in run.stdout
