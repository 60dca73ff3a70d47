"""``xiezuo ledger``: the report at 80 columns, its HTML and CSV, progress, and bad input."""

from __future__ import annotations

import csv
import re
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from typer.testing import CliRunner

from tests.plans import make_schedule
from xiezuo.cli.main import app
from xiezuo.domain import Plan, PlanStatus
from xiezuo.io.plan_file import write_plan
from xiezuo.planning.params import PlanParams
from xiezuo.planning.solve import plan as plan_network
from xiezuo.services.planning import load_network

narrow = CliRunner(env={"COLUMNS": "80"})
MINIMAL = "examples/minimal.yaml"
BLANK = "N-1:PUMP/SHAFT/BLANK"


@pytest.fixture(scope="module")
def minimal_plan() -> Plan:
    network = load_network(Path(MINIMAL))
    return plan_network(network, PlanParams(time_limit_s=2, workers=1))


@pytest.fixture
def plan_file(tmp_path: Path, minimal_plan: Plan) -> Path:
    path = tmp_path / "plan.json"
    write_plan(minimal_plan, path)
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = narrow.invoke(app, ["ledger", *args])
    return result.exit_code, result.stdout, result.stderr


def test_the_report_reads_at_80_columns(plan_file: Path) -> None:
    code, out, _ = run(str(plan_file), "--scenario", MINIMAL)
    assert code == 0
    assert out.startswith("1 promise between 2 plants: 0 arrive after they are needed")
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "Who waits on whom" in out
    assert re.search(r"^WORKS +1 · ", out, re.MULTILINE)  # WORKS waits on FORGE once
    assert "Help given and received" in out
    assert "No order is late." in out


def test_html_and_csv_hold_every_promise(
    tmp_path: Path, plan_file: Path, minimal_plan: Plan
) -> None:
    page, folder = tmp_path / "ledger.html", tmp_path / "csv"
    code, out, _ = run(
        str(plan_file), "--scenario", MINIMAL, "--html", str(page), "--csv-dir", str(folder)
    )
    assert code == 0
    assert "Ledger page written to" in out
    text = page.read_text(encoding="utf-8")
    assert "Who waits on whom" in text
    assert BLANK.rpartition("/")[2] in text
    with (folder / "promises.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["work_order"], r["from"], r["to"]) for r in rows] == [(BLANK, "FORGE", "WORKS")]
    assert minimal_plan.schedule is not None
    (shipment,) = minimal_plan.schedule.shipments
    berlin = ZoneInfo("Europe/Berlin")
    assert rows[0]["arrives"] == f"{shipment.arrive.astimezone(berlin):%Y-%m-%d %H:%M}"
    assert {p.name for p in folder.iterdir()} == {
        "promises.csv",
        "waits.csv",
        "help.csv",
        "help_by_region.csv",
        "people_lent.csv",
        "late_chains.csv",
    }


def test_the_workbook_has_a_sheet_per_table(tmp_path: Path, plan_file: Path) -> None:
    workbook = tmp_path / "ledger.xlsx"
    code, out, _ = run(str(plan_file), "--scenario", MINIMAL, "--xlsx", str(workbook))
    assert code == 0
    assert "Ledger workbook written to" in out
    book = openpyxl.load_workbook(workbook, read_only=True)
    assert book.sheetnames[:3] == ["promises", "waits", "help"]
    rows = list(book["promises"].iter_rows(values_only=True))
    book.close()
    assert rows[0][0] == "work_order"
    assert [row[0] for row in rows[1:]] == [BLANK]


def test_an_orders_chain_and_an_unknown_order(plan_file: Path) -> None:
    code, out, _ = run(str(plan_file), "--scenario", MINIMAL, "--order", "N-1")
    assert code == 0
    assert "N-1 (PUMP at WORKS) arrives" in out
    assert "Critical chain" in out
    code, _, err = run(str(plan_file), "--scenario", MINIMAL, "--order", "N-9")
    assert code == 2
    assert "no order 'N-9'" in err


def test_a_plant_sees_its_own_promises(plan_file: Path) -> None:
    code, out, _ = run(str(plan_file), "--scenario", MINIMAL, "--plant", "WORKS")
    assert code == 0
    assert out.startswith("1 promise made by or to WORKS: ")
    code, _, err = run(str(plan_file), "--scenario", MINIMAL, "--plant", "MOON")
    assert code == 2
    assert "no plant 'MOON'" in err


def test_a_promise_finished_by_its_date_is_kept(
    tmp_path: Path, plan_file: Path, minimal_plan: Plan
) -> None:
    assert minimal_plan.schedule is not None
    (blank_op,) = (o for o in minimal_plan.schedule.operations if o.work_order_id == BLANK)
    progress = tmp_path / "progress.yaml"
    progress.write_text(
        f"as_of: {blank_op.end.isoformat()}\n"
        "steps:\n"
        f"  - {{work_order: {BLANK!r}, step: 1, status: done, plant: FORGE, machine: hammer,\n"
        f"     unit: 0, start: {blank_op.start.isoformat()}, end: {blank_op.end.isoformat()}}}\n",
        encoding="utf-8",
    )
    code, out, _ = run(str(plan_file), "--scenario", MINIMAL, "--progress", str(progress))
    assert code == 0, out
    assert "kept 1, late 0, at risk 0, on track 0" in out


def test_a_plan_of_another_scenario_is_bad_input(tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    write_plan(Plan(status=PlanStatus.FEASIBLE, schedule=make_schedule()), other)
    code, _, err = run(str(other), "--scenario", MINIMAL)
    assert code == 2
    assert err.startswith(f"error: {other}: ")


def test_a_shipment_the_scenario_cannot_have_is_bad_input(
    tmp_path: Path, minimal_plan: Plan
) -> None:
    assert minimal_plan.schedule is not None
    stray = replace(minimal_plan.schedule.shipments[0], work_order_id="N-1:PUMP/GEAR")
    schedule = replace(minimal_plan.schedule, shipments=(*minimal_plan.schedule.shipments, stray))
    path = tmp_path / "stray.json"
    write_plan(replace(minimal_plan, schedule=schedule), path)
    code, _, err = run(str(path), "--scenario", MINIMAL)
    assert code == 2
    assert "the plan does not fit the scenario: shipment of 'N-1:PUMP/GEAR'" in err


def test_a_plan_without_schedule_has_no_promises(tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    write_plan(Plan(status=PlanStatus.INFEASIBLE, schedule=None), empty)
    code, out, _ = run(str(empty), "--scenario", MINIMAL)
    assert code == 0
    assert "no schedule (status: infeasible): there are no promises" in out


def test_csv_into_a_file_is_refused_before_any_work(tmp_path: Path, plan_file: Path) -> None:
    taken = tmp_path / "taken"
    taken.write_text("x", encoding="utf-8")
    code, _, err = run(str(plan_file), "--scenario", MINIMAL, "--csv-dir", str(taken))
    assert code == 2
    assert "it is a file, not a folder" in err
    assert taken.read_text(encoding="utf-8") == "x"


def test_a_late_orders_chain_reads_at_80_columns(tmp_path: Path, minimal_plan: Plan) -> None:
    """The pump due the day the forging starts: late, its chain down to FORGE's blank."""
    assert minimal_plan.schedule is not None
    (delivery,) = minimal_plan.schedule.deliveries
    late = replace(delivery, due=delivery.finish - timedelta(days=3))
    schedule = replace(minimal_plan.schedule, deliveries=(late,))
    path = tmp_path / "late.json"
    write_plan(replace(minimal_plan, schedule=schedule), path)
    code, out, _ = run(str(path), "--scenario", MINIMAL)
    assert code == 0
    assert "N-1 (PUMP at WORKS) arrives" in out
    assert "late." in out
    words = " ".join(out.split())  # sentences wrap at 80 columns
    assert re.search(r"Time on the chain: WORKS [\d.]+ d, FORGE [\d.]+ d; transport 1\.0 d", words)
    assert "Promises on it: FORGE→WORKS (BLANK)." in words
    assert max(len(line) for line in out.splitlines()) <= 80
