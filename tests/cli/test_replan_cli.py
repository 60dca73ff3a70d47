"""``xiezuo replan`` and ``xiezuo verify`` of a replan, as a planner meets them: the
headline and the frozen window at 80 columns, bad progress files, and a replan checked
against the facts it was made from."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, NoReturn

import pytest
import yaml
from typer.testing import CliRunner

from xiezuo.cli.main import app

if TYPE_CHECKING:
    from pathlib import Path

    from typer.testing import Result

narrow = CliRunner(env={"COLUMNS": "80"})
AS_OF = "1958-07-02T00:00"
SOLVE = ("--time-limit", "2", "--workers", "1")

SCENARIO = {
    "network": {"name": "Tiny", "start": "1958-07-01", "timezone": "Asia/Shanghai"},
    "processes": ["casting", "assembly"],
    "regions": ["East"],
    "plants": [
        {
            "id": "P1",
            "machines": [
                {"id": "foundry", "process": "casting", "max_weight_t": 10, "precision_grade": 12},
                {"id": "bay", "process": "assembly", "max_weight_t": 10, "precision_grade": 9},
            ],
        }
    ],
    "items": [
        {
            "id": "PRESS",
            "kind": "product",
            "weight_t": 5,
            "precision_grade": 9,
            "bom": [{"item": "FRAME", "quantity": 1}],
            "operations": [{"process": "assembly", "run_hours_per_unit": 8}],
        },
        {
            "id": "FRAME",
            "weight_t": 2,
            "precision_grade": 12,
            "operations": [
                {"process": "casting", "setup_hours": 2, "run_hours_per_unit": 4},
                {"process": "casting", "run_hours_per_unit": 4},
            ],
        },
    ],
    "orders": [
        {"id": "ORD-1", "region": "East", "item": "PRESS", "due": "1958-07-02"},
        {"id": "ORD-2", "region": "East", "item": "PRESS", "due": "1958-08-05"},
    ],
    "lanes": [{"from": "P1", "to": "East", "lead_days": 2}],
}
"""Two presses, each a frame cast in two steps on the one foundry unit, then assembled:
20 h of casting, more than the first day's 16 working hours. The first is due before it
can arrive, so the plan explains why it is late."""


def invoke(*args: str | Path) -> Result:
    return narrow.invoke(app, [str(arg) for arg in args])


def write_yaml(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def never(*_: object, **__: object) -> NoReturn:
    raise AssertionError("must not be reached")


def assert_bad_input(result: Result, *expected: str) -> None:
    """Exit 2, each expected text on stderr, nothing printed as a plan, no traceback."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    for text in expected:
        assert text in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


def assert_fits_80_columns(result: Result, tmp: Path) -> None:
    """Every line within 80 columns, but for lines naming the test's own (long) files."""
    long = [line for line in result.stdout.splitlines() if len(line) > 80 and str(tmp) not in line]
    assert not long, long


def day_one_progress(previous: Path) -> dict[str, Any]:
    """The previous plan's steps that ended by the status date, done as planned; the
    foundry down for the whole second day."""
    plan = json.loads(previous.read_text(encoding="utf-8"))
    as_of = datetime.fromisoformat(f"{AS_OF}+08:00")
    steps = [
        {
            "work_order": op["work_order_id"],
            "step": op["step"],
            "status": "done",
            "plant": op["plant_id"],
            "machine": op["machine_id"],
            "unit": op["unit"],
            "start": op["start"],
            "end": op["end"],
        }
        for op in plan["schedule"]["operations"]
        if datetime.fromisoformat(op["end"]) <= as_of
    ]
    down = [{"plant": "P1", "machine": "foundry", "from": AS_OF, "until": "1958-07-02"}]
    return {"as_of": AS_OF, "steps": steps, "down": down}


@dataclass(frozen=True)
class Replanned:
    scenario: Path
    previous: Path
    progress: Path
    replan: Path
    result: Result
    folder: Path


@pytest.fixture(scope="module")
def replanned(tmp_path_factory: pytest.TempPathFactory) -> Replanned:
    """The tiny scenario planned, then replanned after day one with a day's frozen window."""
    folder = tmp_path_factory.mktemp("replan")
    scenario = write_yaml(folder / "scenario.yaml", SCENARIO)
    previous = folder / "plan.json"
    planned = invoke("plan", scenario, *SOLVE, "--out", previous)
    assert planned.exit_code == 0, planned.output
    progress = write_yaml(folder / "day1.yaml", day_one_progress(previous))
    replan = folder / "replan.json"
    result = invoke(
        "replan",
        scenario,
        progress,
        "--previous",
        previous,
        "--frozen-days",
        "1",
        *SOLVE,
        "--out",
        replan,
    )
    return Replanned(scenario, previous, progress, replan, result, folder)


# ---- replan ---------------------------------------------------------------------------


def test_nothing_reported_against_the_previous_plan_moves_nothing(
    replanned: Replanned, tmp_path: Path
) -> None:
    empty = write_yaml(tmp_path / "empty.yaml", {"as_of": "1958-07-01T00:00"})
    result = invoke("replan", replanned.scenario, empty, "--previous", replanned.previous, *SOLVE)
    assert result.exit_code == 0, result.output
    assert "Replan as of 1958-07-01 00:00: no steps, work orders or machine downtime" in (
        result.stdout
    )
    assert "against the previous plan 0 of 6 operations moved" in result.stdout
    assert "The independent validator accepts the plan." in result.stdout
    assert_fits_80_columns(result, tmp_path)


def test_the_headline_comes_first_and_names_what_was_reported(replanned: Replanned) -> None:
    result = replanned.result
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())  # the headline is wrapped at 80 columns
    assert out.startswith("Replan as of 1958-07-02 00:00: ")
    assert "1 machine group down (P1/foundry)" in out
    assert "against the previous plan " in out
    assert "weighted tardiness " in out
    assert result.stdout.index("Replan as of") < result.stdout.index("Orders by due date")


def test_every_line_of_the_replan_fits_80_columns(replanned: Replanned) -> None:
    """The late order's explanation too, wrapped with its continuation indented."""
    lines = replanned.result.stdout.splitlines()
    late = next(i for i, line in enumerate(lines) if line.startswith("late ORD-1: "))
    assert lines[late + 1].startswith("  ")
    assert_fits_80_columns(replanned.result, replanned.folder)


def test_the_frozen_window_is_summed_up_by_reason_not_listed_step_by_step(
    replanned: Replanned,
) -> None:
    explanations = json.loads(replanned.replan.read_text(encoding="utf-8"))["explanations"]
    unfrozen = [e for e in explanations if e["kind"] == "unfrozen"]
    assert unfrozen, "the foundry is down on day two: some frozen casting must move"
    out = " ".join(replanned.result.stdout.split())
    assert "Frozen window (1 working day, to 1958-07-02 22:00): " in out
    assert f", {len(unfrozen)} left it:" in out
    assert f"{unfrozen[0]['subject']}" in out
    assert f"The plan file {replanned.replan} names every step that left and why" in out
    assert not any(line.startswith("unfrozen ") for line in replanned.result.stdout.splitlines())


@pytest.mark.parametrize(
    ("step", "location", "problem"),
    [
        ({"work_order": "ORD-9:PRESS"}, "steps[0].work_order", "unknown work order"),
        ({"end": "1958-07-02T12:00"}, "steps[0].end", "after the status date"),
        ({"unit": 3}, "steps[0].unit", "names unit 3"),
    ],
    ids=["unknown work order", "done after the status date", "unit out of range"],
)
def test_a_bad_progress_names_the_file_and_the_place(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    step: dict[str, Any],
    location: str,
    problem: str,
) -> None:
    monkeypatch.setattr("xiezuo.services.planning.plan_network", never)
    scenario = write_yaml(tmp_path / "scenario.yaml", SCENARIO)
    done = {
        "work_order": "ORD-1:PRESS/FRAME",
        "step": 1,
        "status": "done",
        "plant": "P1",
        "machine": "foundry",
        "start": "1958-07-01T06:00",
        "end": "1958-07-01T12:00",
    }
    progress = write_yaml(tmp_path / "progress.yaml", {"as_of": AS_OF, "steps": [done | step]})
    result = invoke("replan", scenario, progress, *SOLVE)
    assert_bad_input(result, f"{progress}: {location}", problem)


def test_a_progress_that_is_not_yaml_names_the_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("xiezuo.services.planning.plan_network", never)
    scenario = write_yaml(tmp_path / "scenario.yaml", SCENARIO)
    progress = tmp_path / "progress.yaml"
    progress.write_text(f"as_of: {AS_OF}\nsteps:\n  - {{work_order: ORD-1\n", encoding="utf-8")
    assert_bad_input(invoke("replan", scenario, progress), f"{progress}: line ", "YAML syntax")


def test_a_frozen_window_without_a_previous_plan_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("xiezuo.cli.replan.replan_scenario", never)
    scenario = write_yaml(tmp_path / "scenario.yaml", SCENARIO)
    progress = write_yaml(tmp_path / "empty.yaml", {"as_of": AS_OF})
    result = invoke("replan", scenario, progress, "--frozen-days", "2")
    assert result.exit_code == 2, result.output
    assert "--frozen-days" in result.output
    assert "needs --previous" in result.output
    assert "Traceback" not in result.output


# ---- verify of a replan ---------------------------------------------------------------


def test_verify_refuses_a_replan_without_its_progress(replanned: Replanned) -> None:
    result = invoke("verify", replanned.scenario, replanned.replan)
    assert_bad_input(
        result,
        f"{replanned.replan}: as_of: the plan is a replan as of 1958-07-02",
        "(--progress)",
    )


def test_verify_accepts_a_replan_against_its_progress_and_frozen_window(
    replanned: Replanned,
) -> None:
    result = invoke(
        "verify",
        replanned.scenario,
        replanned.replan,
        "--progress",
        replanned.progress,
        "--previous",
        replanned.previous,
        "--frozen-days",
        "1",
    )
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert f"Checked against the progress {replanned.progress} and the previous plan " in out
    assert "frozen for 1 working day." in out
    assert "The independent validator accepts the plan." in out


def test_verify_of_a_fresh_plan_against_a_progress_names_the_status_date(
    replanned: Replanned,
) -> None:
    result = invoke(
        "verify", replanned.scenario, replanned.previous, "--progress", replanned.progress
    )
    assert result.exit_code == 1, result.output
    assert "status_date plan: the plan has no status date" in " ".join(result.stdout.split())


def test_verify_against_a_progress_whose_done_step_moved_names_the_reported_rule(
    replanned: Replanned, tmp_path: Path
) -> None:
    progress = yaml.safe_load(replanned.progress.read_text(encoding="utf-8"))
    first = progress["steps"][0]
    # Moved to the first hour of its day, before any shift: clear of every other step.
    start = datetime.fromisoformat(first["start"]).replace(hour=0, minute=0)
    first["start"], first["end"] = start.isoformat(), start.replace(hour=1).isoformat()
    tampered = write_yaml(tmp_path / "tampered.yaml", progress)
    result = invoke("verify", replanned.scenario, replanned.replan, "--progress", tampered)
    assert result.exit_code == 1, result.output
    assert "(reported " in result.stdout
    assert f"reported work order {first['work_order']} step {first['step']}" in result.stdout
