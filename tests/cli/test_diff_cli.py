"""``xiezuo diff``: the report at 80 columns, its JSON and HTML, and bad input."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from tests.planning.test_validate import replace_op
from tests.plans import FRAME, SPARE, at, make_schedule
from xiezuo.cli.diff import DETAILS_SHOWN
from xiezuo.cli.main import app
from xiezuo.domain import Explanation, Plan, PlanStatus, Schedule
from xiezuo.io.plan_file import write_plan

if TYPE_CHECKING:
    from pathlib import Path

    from typer.testing import Result

narrow = CliRunner(env={"COLUMNS": "80"})
EXAMPLE_SCENARIO = "examples/chongqing-1958.yaml"


def write(
    tmp_path: Path,
    name: str,
    schedule: Schedule,
    *explanations: Explanation,
    as_of: datetime | None = None,
) -> Path:
    path = tmp_path / name
    write_plan(
        Plan(
            status=PlanStatus.FEASIBLE,
            schedule=schedule,
            tardiness_hours=0.0,
            makespan=timedelta(days=5),
            explanations=explanations,
            as_of=as_of,
        ),
        path,
    )
    return path


def changed_schedule() -> Schedule:
    """The frames' milling at P1, the spare's a day later and arriving a day later."""
    schedule = replace_op(make_schedule(), FRAME, 2, plant_id="P1", machine_id="MILL1")
    schedule = replace_op(schedule, SPARE, 2, start=at(4, 11), end=at(4, 14))
    deliveries = tuple(
        replace(d, arrival=at(7, 14)) if d.order_id == "ORD-2" else d for d in schedule.deliveries
    )
    return replace(schedule, deliveries=deliveries)


def diff(*args: object) -> Result:
    return narrow.invoke(app, ["diff", *(str(arg) for arg in args)])


def assert_bad_input(result: Result, *expected: str) -> None:
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    for text in expected:
        assert text in result.stderr
    assert "Traceback" not in result.output


def test_identical_plans_say_nothing_moved(tmp_path: Path) -> None:
    old = write(tmp_path, "old.json", make_schedule())
    result = diff(old, old)
    assert result.exit_code == 0, result.output
    assert "The plans are the same: nothing moved." in result.stdout
    assert "Operations: 0 of 5 in both plans moved" in result.stdout


def test_a_changed_plan_is_reported_within_80_columns_and_exits_0(tmp_path: Path) -> None:
    old = write(tmp_path, "old.json", make_schedule())
    new = write(tmp_path, "new.json", changed_schedule())
    result = diff(old, new, "--days", "3")
    assert result.exit_code == 0, result.output
    out = result.stdout
    # Only the plan files' own names may run longer.
    assert all(len(line) <= 80 for line in out.splitlines() if str(tmp_path) not in line), out
    assert out.index("Headline") < out.index("Orders whose arrival changed")
    assert out.index("Orders whose arrival changed") < out.index("What each plant")
    assert "Operations: 2 of 5 in both plans moved" in out
    assert "ORD-2" in out
    assert "+24.0 h" in out
    # The frame's milling went from P2 to P1: removed at one, added at the other.
    assert "P1" in out
    assert "added (from P2)" not in out  # two plants: only the counts, not the lists
    assert "--plant PLANT lists" in out


def test_plant_lists_what_that_plant_does_differently(tmp_path: Path) -> None:
    old = write(tmp_path, "old.json", make_schedule())
    new = write(tmp_path, "new.json", changed_schedule())
    result = diff(old, new, "--days", "3", "--plant", "P1")
    assert result.exit_code == 0, result.output
    assert "Only changes that touch P1 are listed" in result.stdout
    assert "added (from P2)" in result.stdout
    assert f"{SPARE} #2" not in result.stdout  # the spare stays at P2


def test_a_plant_nothing_touches_is_not_told_the_plans_are_the_same(tmp_path: Path) -> None:
    old = write(tmp_path, "old.json", make_schedule())
    moved = replace_op(make_schedule(), SPARE, 2, start=at(4, 11), end=at(4, 14))
    result = diff(old, write(tmp_path, "new.json", moved), "--plant", "P1")
    assert result.exit_code == 0, result.output
    assert "Nothing that touches P1 changed." in result.stdout
    assert "The plans are the same" not in result.stdout


def test_an_unknown_plant_is_bad_input(tmp_path: Path) -> None:
    old = write(tmp_path, "old.json", make_schedule())
    assert_bad_input(diff(old, old, "--plant", "P9"), "'P9'", "P1, P2")


def test_out_writes_the_whole_diff_as_json(tmp_path: Path) -> None:
    old = write(tmp_path, "old.json", make_schedule())
    new = write(tmp_path, "new.json", changed_schedule())
    out = tmp_path / "diff.json"
    result = diff(old, new, "--plant", "P1", "--out", out)
    assert result.exit_code == 0, result.output
    record = json.loads(out.read_text(encoding="utf-8"))
    assert record["format"] == "xiezuo-plan-diff"
    assert record["headline"]["moved_operations"] == 2
    assert {op["work_order"] for op in record["operations"]} == {FRAME, SPARE}


def test_html_writes_a_page_with_every_section(tmp_path: Path) -> None:
    old = write(tmp_path, "old.json", make_schedule())
    new = write(tmp_path, "new.json", changed_schedule())
    page = tmp_path / "diff.html"
    result = diff(old, new, "--html", page)
    assert result.exit_code == 0, result.output
    text = page.read_text(encoding="utf-8")
    for heading in ("Headline", "Orders whose arrival changed", "What each plant"):
        assert heading in text
    assert "<script src" not in text  # self-contained


def test_a_smaller_tolerance_counts_a_smaller_move(tmp_path: Path) -> None:
    old = write(tmp_path, "old.json", make_schedule())
    nudged = replace_op(make_schedule(), SPARE, 2, start=at(3, 13), end=at(3, 16))
    new = write(tmp_path, "new.json", nudged)
    assert "0 of 5 in both plans moved" in diff(old, new).stdout
    assert "1 of 5 in both plans moved" in diff(old, new, "--tolerance-hours", "1").stdout


def test_details_beyond_the_cap_are_counted_and_point_to_out(tmp_path: Path) -> None:
    schedule = make_schedule()
    extra = tuple(
        replace(schedule.operations[0], work_order_id=f"ORD-X:PART-{idx}")
        for idx in range(DETAILS_SHOWN + 3)
    )
    old = write(tmp_path, "old.json", schedule)
    new = write(tmp_path, "new.json", replace(schedule, operations=schedule.operations + extra))
    result = diff(old, new)
    assert result.exit_code == 0, result.output
    assert "… 3 more rows, see --out" in result.stdout


def test_frozen_operations_that_had_to_move_are_listed_with_why(tmp_path: Path) -> None:
    old = write(tmp_path, "old.json", make_schedule())
    why = Explanation(kind="unfrozen", subject=f"{SPARE}#2", message="MILL2 is down from 3 July.")
    new = write(tmp_path, "new.json", changed_schedule(), why)
    result = diff(old, new)
    assert result.exit_code == 0, result.output
    assert "Operations of the frozen window that had to move" in result.stdout
    assert "MILL2 is down from 3 July." in result.stdout


def test_a_replan_shows_its_status_date_and_marks_reported_work(tmp_path: Path) -> None:
    old = write(tmp_path, "old.json", make_schedule())
    # The frame was cast ten hours later than planned, as reported on 2 July.
    reported = replace_op(make_schedule(), FRAME, 1, start=at(1, 18), end=at(1, 23))
    new = write(tmp_path, "new.json", reported, as_of=at(2, 8))
    result = diff(old, new)
    assert result.exit_code == 0, result.output
    assert re.search(r"status date +– +1958-07-02 08:00", result.stdout)
    assert "start (reported)" in result.stdout
    assert "Operations: 0 of 3 in both plans moved" in result.stdout  # the frame is history


def test_the_scenario_names_the_time_zone(tmp_path: Path) -> None:
    old = write(tmp_path, "old.json", make_schedule())
    result = diff(old, old, "--scenario", EXAMPLE_SCENARIO)
    assert result.exit_code == 0, result.output
    assert "Times are in Asia/Shanghai" in result.stdout


def test_a_file_that_is_not_json_is_bad_input_with_its_place(tmp_path: Path) -> None:
    old = write(tmp_path, "old.json", make_schedule())
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "xiezuo-plan",\n  oops}', encoding="utf-8")
    assert_bad_input(diff(old, broken), f"{broken}: line 2, column 3", "not valid JSON")


def test_a_plan_with_a_bad_value_is_bad_input_with_its_json_path(tmp_path: Path) -> None:
    old = write(tmp_path, "old.json", make_schedule())
    data = json.loads(old.read_text(encoding="utf-8"))
    data["schedule"]["operations"][1]["step"] = 0
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    assert_bad_input(diff(bad, old), f"{bad}: schedule.operations[1].step")


def test_a_missing_plan_file_is_bad_input(tmp_path: Path) -> None:
    old = write(tmp_path, "old.json", make_schedule())
    missing = tmp_path / "absent.json"
    assert_bad_input(diff(old, missing), f"{missing}: cannot read the file")


@pytest.mark.parametrize(
    "args", [("--tolerance-hours", "-1"), ("--days", "0")], ids=["tolerance", "days"]
)
def test_an_impossible_option_is_a_usage_error(tmp_path: Path, args: tuple[str, str]) -> None:
    old = write(tmp_path, "old.json", make_schedule())
    result = diff(old, old, *args)
    assert result.exit_code == 2, result.output
    assert args[0] in result.stderr


def test_an_unwritable_out_is_refused_before_reading(tmp_path: Path) -> None:
    old = write(tmp_path, "old.json", make_schedule())
    target = tmp_path / "missing-folder" / "diff.json"
    assert_bad_input(diff(old, old, "--out", target), "cannot write the diff there")
