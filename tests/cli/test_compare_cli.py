"""``xiezuo compare``: the key figures at 80 columns, its files, and bad input as exit 2."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xiezuo.cli.main import app
from xiezuo.io.plan_file import read_plan

MINIMAL = Path(__file__).parents[2] / "examples" / "minimal.yaml"

runner = CliRunner(env={"COLUMNS": "80"})
DESCRIPTION = "N-1 due a week earlier, which the one pump of the minimal example cannot make."


@pytest.fixture
def earlier(tmp_path: Path) -> Path:
    path = tmp_path / "earlier.yaml"
    path.write_text(
        f"base: {MINIMAL}\nname: earlier\ndescription: {DESCRIPTION}\n"
        "changes: [{change: set_order, order: N-1, due: 2027-03-05}]\n",
        encoding="utf-8",
    )
    return path


def test_compare_prints_the_figures_side_by_side_within_80_columns(earlier: Path) -> None:
    args = ["compare", str(MINIMAL), str(earlier), "--time-limit", "2", "--jobs", "1"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    header = next(line for line in lines if line.startswith("figure"))
    assert header.split() == ["figure", "minimal", "earlier"]
    tardiness = next(line for line in lines if line.startswith("weighted tardiness"))
    assert tardiness.split()[2:] == ["0.0", "h", "46.0", "h"]
    assert "earlier against minimal: 1 order differs" in result.stdout
    assert "now late" in result.stdout
    assert "  - order N-1: due 2027-03-05" in result.stdout


def test_compare_writes_the_html_page_and_each_plan(tmp_path: Path, earlier: Path) -> None:
    page, plans = tmp_path / "compare.html", tmp_path / "plans"
    args = ["compare", str(MINIMAL), str(earlier), "--time-limit", "2", "--jobs", "1"]
    result = runner.invoke(app, [*args, "--html", str(page), "--out-dir", str(plans)])
    assert result.exit_code == 0, result.output
    text = page.read_text(encoding="utf-8")
    assert "<h2>earlier against minimal</h2>" in text
    assert "now late" in text
    assert sorted(p.name for p in plans.iterdir()) == ["earlier.plan.json", "minimal.plan.json"]
    assert read_plan(plans / "earlier.plan.json").tardiness_hours == 46.0


@pytest.mark.parametrize(
    ("variant_text", "message"),
    [
        pytest.param(
            "changes: [{change: set_order, order: N-2, due: 2027-03-05}]",
            r"bad\.yaml: changes\[0\]\.order \(line 2\): the base has no order 'N-2'",
            id="unknown order",
        ),
        pytest.param(
            "changes: [{change: set_order, order: N-1, due: soon}]",
            r"bad\.yaml: changes\[0\]\.due \(line 2\): expected a date",
            id="bad date",
        ),
        pytest.param(
            "changes: [{change: add_units, plant: WORKS, machine: lathe, units: 1}",
            r"bad\.yaml: line \d+, column \d+: YAML syntax error",
            id="YAML syntax error",
        ),
    ],
)
def test_a_bad_variant_exits_2_with_a_located_message(
    tmp_path: Path, variant_text: str, message: str
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"base: {MINIMAL}\n{variant_text}\n", encoding="utf-8")
    result = runner.invoke(app, ["compare", str(MINIMAL), str(bad), "--time-limit", "2"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stderr.startswith("error: ")
    assert re.search(message, " ".join(result.stderr.split()))


def test_a_missing_variant_exits_2(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"
    result = runner.invoke(app, ["compare", str(MINIMAL), str(missing), "--time-limit", "2"])
    assert result.exit_code == 2, result.output
    assert "nowhere.yaml" in result.stderr
    assert "Traceback" not in result.output


def test_an_out_dir_that_is_a_file_exits_2_before_solving(tmp_path: Path, earlier: Path) -> None:
    taken = tmp_path / "plans"
    taken.write_text("", encoding="utf-8")
    args = ["compare", str(MINIMAL), str(earlier), "--out-dir", str(taken)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "not a folder" in result.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.mark.parametrize("by_variable", [False, True])
def test_a_cluster_that_does_not_answer_exits_2(earlier: Path, by_variable: bool) -> None:
    """--cluster or XIEZUO_CLUSTER: no scheduler there is bad input, said in a line."""
    address = f"tcp://127.0.0.1:{_free_port()}"
    args = ["compare", str(MINIMAL), str(earlier), "--time-limit", "2"]
    if by_variable:
        result = runner.invoke(app, args, env={"XIEZUO_CLUSTER": address})
    else:
        result = runner.invoke(app, [*args, "--cluster", address])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    message = " ".join(result.stderr.split())
    assert message.startswith(f"error: Dask cluster {address}: cannot reach its scheduler")
    assert "docs/cluster.md" in message
