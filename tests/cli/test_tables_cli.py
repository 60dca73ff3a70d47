"""``xiezuo tables`` and ``plan``/``replan --xlsx --csv-dir`` as a planner meets them:
the workbook and CSV files hold the same rows, real dates, and bad paths exit 2."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.cell import Cell
from typer.testing import CliRunner

from xiezuo.cli._shared import reported
from xiezuo.cli.main import app
from xiezuo.cli.tables import tables
from xiezuo.io.plan_file import read_plan

if TYPE_CHECKING:
    from typer.testing import Result

DATA = Path(__file__).parents[1] / "data"
SMALL = DATA / "scenarios" / "small.yaml"
SOLVE = ("--time-limit", "2", "--workers", "1")
SHEETS = [
    "orders",
    "operations",
    "load",
    "material-draws",
    "shipments",
    "explanations",
    "about",
]

runner = CliRunner(env={"COLUMNS": "80"})
# The command on its own, so these tests do not depend on the other commands.
tables_app = typer.Typer()
tables_app.command()(reported(tables))


def invoke(*args: str | Path) -> Result:
    return runner.invoke(app, [str(arg) for arg in args])


def invoke_tables(*args: str | Path) -> Result:
    return runner.invoke(tables_app, [str(arg) for arg in args])


def assert_bad_input(result: Result, *expected: str) -> None:
    assert result.exit_code == 2, result.output
    for text in expected:
        assert text in result.output, result.output
    assert "Traceback" not in result.output


@dataclass(frozen=True)
class Planned:
    folder: Path
    plan: Path
    xlsx: Path
    csv_dir: Path
    result: Result


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Planned:
    """The small scenario planned once, with its plan file, workbook and CSV tables."""
    folder = tmp_path_factory.mktemp("tables")
    plan, xlsx, csv_dir = folder / "plan.json", folder / "plan.xlsx", folder / "csv"
    result = invoke("plan", SMALL, *SOLVE, "--out", plan, "--xlsx", xlsx, "--csv-dir", csv_dir)
    assert result.exit_code == 0, result.output
    return Planned(folder, plan, xlsx, csv_dir, result)


def _csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def _shown(cell: Cell) -> str:
    """A workbook cell as its number format shows it, for comparison with CSV."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            f"{value:%Y-%m-%d}" if cell.number_format == "yyyy-mm-dd" else f"{value:%Y-%m-%d %H:%M}"
        )
    if cell.number_format == "0.0%":
        return f"{value:.1%}"
    if cell.number_format == "0.0":
        return f"{value:.1f}"
    return str(value)


def test_plan_writes_a_workbook_and_csv_files_and_says_so(planned: Planned) -> None:
    assert f"Workbook written to {planned.xlsx}: 7 sheets" in planned.result.output
    assert f"CSV tables written to {planned.csv_dir}: 7 files" in planned.result.output
    assert load_workbook(planned.xlsx).sheetnames == SHEETS
    assert sorted(p.name for p in planned.csv_dir.iterdir()) == sorted(f"{s}.csv" for s in SHEETS)


def test_workbook_and_csv_hold_the_same_rows(planned: Planned) -> None:
    workbook = load_workbook(planned.xlsx)
    for name in SHEETS:
        sheet_rows = [
            [_shown(cell) for cell in row if isinstance(cell, Cell)]
            for row in workbook[name].iter_rows()
        ]
        assert sheet_rows == _csv_rows(planned.csv_dir / f"{name}.csv"), name


def test_every_operation_of_the_plan_is_one_row_with_real_dates(planned: Planned) -> None:
    plan = read_plan(planned.plan)
    assert plan.schedule is not None
    sheet = load_workbook(planned.xlsx)["operations"]
    header = [cell.value for cell in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == len(plan.schedule.operations)
    keys = sorted((str(row[1].value), row[4].value) for row in rows)
    assert keys == sorted((op.work_order_id, op.step) for op in plan.schedule.operations)
    start = header.index("start")
    starts = [row[start] for row in rows]
    assert all(isinstance(cell, Cell) and cell.is_date for cell in starts)
    assert sheet.freeze_panes == "A2"


def test_tables_rewrites_the_same_workbook_from_the_plan_file(
    planned: Planned, tmp_path: Path
) -> None:
    again = tmp_path / "again.xlsx"
    result = invoke_tables(planned.plan, "--scenario", SMALL, "--xlsx", again)
    assert result.exit_code == 0, result.output
    first, second = load_workbook(planned.xlsx), load_workbook(again)
    for name in SHEETS:
        assert [[c.value for c in r] for r in first[name].iter_rows()] == [
            [c.value for c in r] for r in second[name].iter_rows()
        ]


def test_replan_writes_the_new_plans_tables(planned: Planned, tmp_path: Path) -> None:
    progress = tmp_path / "progress.yaml"
    progress.write_text("as_of: 1958-07-03T00:00\n", encoding="utf-8")
    xlsx = tmp_path / "replan.xlsx"
    result = invoke("replan", SMALL, progress, *SOLVE, "--xlsx", xlsx)
    assert result.exit_code == 0, result.output
    operations = load_workbook(xlsx)["operations"]
    start = [cell.value for cell in operations[1]].index("start")
    starts = [row[start].value for row in operations.iter_rows(min_row=2)]
    assert starts
    assert all(isinstance(s, datetime) and s >= datetime(1958, 7, 3) for s in starts)


def test_without_an_output_tables_is_a_usage_error(planned: Planned) -> None:
    result = invoke_tables(planned.plan, "--scenario", SMALL)
    assert_bad_input(result, "give --xlsx FILE, --csv-dir FOLDER or both")


def test_a_missing_folder_is_refused_before_anything_is_read(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "plan.xlsx"
    result = invoke_tables(tmp_path / "no-plan.json", "--scenario", SMALL, "--xlsx", target)
    assert_bad_input(result, "cannot write the workbook there", "does not exist")
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_exits_two_and_names_the_file(planned: Planned) -> None:
    result = invoke_tables(planned.plan, "--scenario", SMALL, "--xlsx", "/dev/full")
    assert_bad_input(result, "/dev/full: could not write the workbook", "it is not saved")


def test_a_csv_folder_that_is_a_file_is_refused(planned: Planned, tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("")
    result = invoke_tables(planned.plan, "--scenario", SMALL, "--csv-dir", tmp_path / "taken")
    assert_bad_input(result, "it is not a folder")


def test_a_csv_folder_whose_parent_is_missing_is_refused(planned: Planned, tmp_path: Path) -> None:
    result = invoke_tables(planned.plan, "--scenario", SMALL, "--csv-dir", tmp_path / "a" / "b")
    assert_bad_input(result, "cannot make the folder for the CSV tables")


def test_a_plan_of_another_scenario_is_bad_input(planned: Planned, tmp_path: Path) -> None:
    scenario = tmp_path / "other.yaml"
    text = SMALL.read_text(encoding="utf-8").replace("YN-1", "YN-9").replace("id: CMT", "id: XX")
    scenario.write_text(text.replace("CMT", "XX"), encoding="utf-8")
    result = invoke_tables(planned.plan, "--scenario", scenario, "--xlsx", tmp_path / "t.xlsx")
    assert_bad_input(result, "the plan does not fit the scenario")
    assert not (tmp_path / "t.xlsx").exists()


def test_a_malformed_plan_file_names_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "plan.json"
    broken.write_text("{", encoding="utf-8")
    result = invoke_tables(broken, "--scenario", SMALL, "--xlsx", tmp_path / "t.xlsx")
    assert_bad_input(result, f"{broken}: line 1")


_TOKEN = re.compile(r'[^\s:,\[\]{}"]+')
_ODD = ("", "-1", "0", "nan", "1e308", "9" * 40, "null", "true", "\u0663", "[/x]", "{")


@st.composite
def damaged(draw: st.DrawFn, text: str) -> str:
    """``text`` with one token replaced by an odd one, or a slice cut out."""
    if draw(st.booleans()):
        cut = draw(st.integers(0, len(text)))
        return text[: cut // 2] + text[cut:]
    match = draw(st.sampled_from(list(_TOKEN.finditer(text))))
    odd = draw(st.sampled_from(_ODD) | st.text(max_size=6))
    return text[: match.start()] + odd + text[match.end() :]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_a_damaged_plan_file_exits_zero_or_two_without_a_traceback(
    planned: Planned, tmp_path: Path, data: st.DataObject
) -> None:
    """Whatever the damage, the tables are written (exit 0) or the file is refused
    (exit 2) with a message; never an internal error."""
    text = planned.plan.read_text(encoding="utf-8")
    plan = tmp_path / "plan.json"
    plan.write_text(data.draw(damaged(text)), encoding="utf-8", errors="surrogatepass")
    out = tmp_path / "plan.xlsx"
    out.unlink(missing_ok=True)
    result = invoke_tables(plan, "--scenario", SMALL, "--xlsx", out)
    assert result.exit_code in (0, 2), result.output
    assert "Traceback" not in result.output
    assert out.exists() == (result.exit_code == 0)


def test_chinese_names_reach_the_workbook_and_a_csv_excel_reads_as_utf8(tmp_path: Path) -> None:
    scenario = tmp_path / "云南.yaml"
    scenario.write_text(
        SMALL.read_text(encoding="utf-8").replace("YN-1", "云南-1"), encoding="utf-8"
    )
    xlsx, csv_dir = tmp_path / "计划.xlsx", tmp_path / "表"
    result = invoke("plan", scenario, *SOLVE, "--xlsx", xlsx, "--csv-dir", csv_dir)
    assert result.exit_code == 0, result.output
    orders = load_workbook(xlsx)["orders"]
    assert "云南-1" in [row[0].value for row in orders.iter_rows(min_row=2)]
    raw = (csv_dir / "orders.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the byte order mark Excel needs to read UTF-8
    assert "云南-1".encode() in raw
