"""``xiezuo gaps``: the known answer at 80 columns, its JSON and page, exit statuses."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from xiezuo.cli._shared import EXIT_BAD_INPUT, EXIT_FINDINGS, reported
from xiezuo.cli.gaps import gaps

BUSY_LATHE = Path(__file__).parents[1] / "data" / "gaps" / "busy-lathe.yaml"
BUSY_LATHE_SHEDS = BUSY_LATHE.with_name("busy-lathe-sheds.yaml")
MINIMAL = Path(__file__).parents[2] / "examples" / "minimal.yaml"

runner = CliRunner(env={"COLUMNS": "80"})
# The command alone, as cli/main.py registers it.
app = typer.Typer()
app.command()(reported(gaps))


def test_gaps_finds_the_month_the_lathe_is_100_hours_short() -> None:
    result = runner.invoke(app, [str(BUSY_LATHE)])
    assert result.exit_code == EXIT_FINDINGS, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    over = next(line for line in lines if line.startswith("machining ≥ 20 t"))
    assert over.split()[4:] == ["2030-07", "300.0", "h", "200.0", "h", "100.0", "h", "0.5"]
    housing = next(line for line in lines if line.startswith("HOUSING"))
    assert housing.split() == ["HOUSING", "H-1", "WORKS:", "machining", "60", "t", "IT7"]
    shaft = next(line for line in lines if line.startswith("SHAFT"))
    assert shaft.split()[:4] == ["SHAFT", "WORKS", "300.0", "h"]
    assert "not counted: H-1: missing capability: no plant can make HOUSING" in result.stdout


def test_gaps_writes_every_gap_as_json_and_a_page(tmp_path: Path) -> None:
    out, page = tmp_path / "gaps.json", tmp_path / "gaps.html"
    result = runner.invoke(app, [str(BUSY_LATHE), "--json", str(out), "--html", str(page)])
    assert result.exit_code == EXIT_FINDINGS, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    (over,) = data["over_capacity"]
    assert (over["process"], over["min_weight_t"], over["month"]) == ("machining", 20, "2030-07")
    assert (over["load_h"], over["capacity_h"], over["over_h"]) == (300, 200, 100)
    assert over["fix"] == "0.5 more units of machining ≥ 20 t in 2030-07"
    (missing,) = data["missing"]
    assert missing["orders"] == ["H-1"]
    assert missing["closest"][0]["missing_steps"][0]["weight_t"] == 60
    (single,) = data["single_plant"]
    assert (single["item"], single["plant"], single["network_share"]) == ("SHAFT", "WORKS", 1)
    # YARD's small lathe takes no part of the 5 t shafts, so it is a class of its own.
    assert {(row["min_weight_t"], row["load_h"]) for row in data["load"]} == {(2, 300), (20, 300)}
    html = page.read_text(encoding="utf-8")
    assert "<title>xiezuo gaps: Busy lathe</title>" in html
    assert "a second plant able to make SHAFT; nearest: YARD lacks step 1" in html
    assert 'class="number over"' in html


def test_gaps_exits_0_when_nothing_is_missing_or_over_capacity() -> None:
    result = runner.invoke(app, [str(MINIMAL)])
    assert result.exit_code == 0, result.output
    assert "Every weight class has the capacity for its load in every month." in result.stdout


def test_a_broken_scenario_exits_2_naming_the_file_and_place(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        BUSY_LATHE.read_text(encoding="utf-8").replace("max_weight_t: 20", "max_weight_t: -20"),
        encoding="utf-8",
    )
    result = runner.invoke(app, [str(broken)])
    assert result.exit_code == EXIT_BAD_INPUT
    assert "broken.yaml" in result.stderr
    assert "max_weight_t" in result.stderr
    assert "Traceback" not in result.output


def test_an_output_that_cannot_be_written_exits_2_before_any_work(tmp_path: Path) -> None:
    result = runner.invoke(app, [str(BUSY_LATHE), "--json", str(tmp_path / "no" / "gaps.json")])
    assert result.exit_code == EXIT_BAD_INPUT
    assert "does not exist" in result.stderr
    assert result.stdout == ""


def test_a_missing_scenario_exits_2() -> None:
    result = runner.invoke(app, ["no-such-file.yaml"])
    assert result.exit_code == EXIT_BAD_INPUT
    assert "no-such-file.yaml" in result.stderr


def test_each_gap_names_the_cheapest_shed_that_closes_it_alone(tmp_path: Path) -> None:
    out = tmp_path / "gaps.json"
    result = runner.invoke(app, [str(BUSY_LATHE_SHEDS), "--json", str(out)])
    assert result.exit_code == EXIT_FINDINGS, result.output
    report = result.stdout.partition("Gaps written to")[0]
    assert max(len(line) for line in report.splitlines()) <= 80
    assert "- SHAFT (only WORKS): shed SMALL-SHED at YARD from 2030-07-01, cost 1,000" in (
        result.stdout
    )
    data = json.loads(out.read_text(encoding="utf-8"))
    (over,) = data["over_capacity"]
    assert (over["lever"]["lever"], over["lever"]["added_h"]) == ("BIG-SHED", 200)
    assert data["missing"][0]["lever"]["lever"] == "BIG-SHED"
    assert data["single_plant"][0]["lever"]["lever"] == "SMALL-SHED"
    # Sheds on offer are not capacity: the load and capacity are as without them.
    assert (over["load_h"], over["capacity_h"]) == (300, 200)
