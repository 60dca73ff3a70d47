"""``xiezuo sheets``: files per plant, PDF through Chromium, and bad input exiting 2."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from xiezuo.cli.main import app
from xiezuo.domain import Plan, PlanStatus
from xiezuo.io.plan_file import write_plan

if TYPE_CHECKING:
    from typer.testing import Result

ROOT = Path(__file__).parents[2]
SCENARIO = ROOT / "examples" / "chongqing-1958.yaml"
PLAN = ROOT / "tests" / "data" / "plans" / "chongqing-1958.json"
runner = CliRunner(env={"COLUMNS": "80"})


def sheets(out: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return runner.invoke(
        app,
        ["sheets", str(PLAN), "--scenario", str(SCENARIO), "--out", str(out), *args],
        env=env,
    )


def assert_bad_input(result: Result, *expected: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for text in expected:
        assert text in result.output


def test_one_html_and_csv_per_plant(tmp_path):
    out = tmp_path / "sheets"
    result = sheets(out, "--from", "1958-07-07", "--days", "7", "--csv", "--lang", "zh")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    plants = ["CAC", "CIS", "CMT", "CTS", "WJ"]
    assert names == sorted(f"sheets-{p}.{ext}" for p in plants for ext in ("html", "csv"))
    lines = result.output.splitlines()
    assert "1958-07-07 to 1958-07-13" in lines[0]
    assert len(lines) == 1 + len(plants)
    assert all(len(line) <= 80 for line in lines[1:])
    assert re.search(r"sheets-CMT\.html/csv: \d+ days, \d+ operations, [\d,.]+ h", result.output)
    page = (out / "sheets-CMT.html").read_text(encoding="utf-8")
    assert '<html lang="zh-Hans">' in page
    assert "1958年7月7日星期一" in page
    assert (out / "sheets-CMT.csv").read_bytes().startswith("\ufeff工厂,".encode())


def test_one_plant(tmp_path):
    result = sheets(tmp_path, "--plant", "WJ", "--days", "3")
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == ["sheets-WJ.html"]


def test_an_unknown_plant_is_bad_input_and_nothing_is_written(tmp_path):
    out = tmp_path / "sheets"
    assert_bad_input(sheets(out, "--plant", "NOPE"), "no plant 'NOPE'", "CMT")
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize("day", ["1958-13-01", "July 7", ""])
def test_a_bad_first_day_is_bad_input(tmp_path, day):
    assert_bad_input(sheets(tmp_path / "s", "--from", day), "--from", "YYYY-MM-DD")


@pytest.mark.parametrize("days", ["0", "-3", "400", "many"])
def test_a_bad_number_of_days_is_bad_input(tmp_path, days):
    assert_bad_input(sheets(tmp_path / "s", "--days", days), "--days")


def test_an_unknown_language_is_bad_input(tmp_path):
    assert_bad_input(sheets(tmp_path / "s", "--lang", "fr"), "'fr'", "en or zh")


def test_an_output_that_is_a_file_is_bad_input(tmp_path):
    out = tmp_path / "taken"
    out.write_text("mine", encoding="utf-8")
    assert_bad_input(sheets(out), "it is a file")
    assert out.read_text(encoding="utf-8") == "mine"


def test_a_plan_without_schedule_is_a_finding(tmp_path):
    plan = tmp_path / "none.json"
    write_plan(Plan(status=PlanStatus.INFEASIBLE, schedule=None), plan)
    result = runner.invoke(
        app, ["sheets", str(plan), "--scenario", str(SCENARIO), "--out", str(tmp_path / "s")]
    )
    assert result.exit_code == 1, result.output
    assert "no schedule" in result.output


def test_pdf_without_chromium_is_bad_input_and_nothing_is_written(tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    out = tmp_path / "sheets"
    result = sheets(out, "--pdf", "--days", "2", env={"PATH": str(empty)})
    assert_bad_input(result, "--pdf", "Chromium", "apt-get install chromium")
    assert not out.exists()


@pytest.mark.browser
@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is missing")
def test_pdf_is_printed_by_chromium(tmp_path):
    result = sheets(tmp_path, "--plant", "CTS", "--from", "1958-07-07", "--days", "2", "--pdf")
    assert result.exit_code == 0, result.output
    pdf = tmp_path / "sheets-CTS.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sheets-CTS.html", "sheets-CTS.pdf"]
