"""The `levers:` section of the scenario file: read into the domain, refused when wrong,
and planned through the CLI with the sheds a plan pulls listed and verified."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from typer.testing import CliRunner

from xiezuo.cli.main import app
from xiezuo.domain import LeverKind
from xiezuo.errors import InputError, ModelError
from xiezuo.io import load_scenario

if TYPE_CHECKING:
    from pathlib import Path

SHANGHAI = ZoneInfo("Asia/Shanghai")


def scenario() -> dict[str, Any]:
    """One lathe at P1 works round the clock; two shafts of 24 h each are due after
    one day, so one is a day late unless the shed (one more lathe, built in 0 days) is
    put up."""
    return {
        "network": {
            "start": "1958-07-01",
            "timezone": "Asia/Shanghai",
            "calendar": {
                "working_days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                "shifts_per_day": 3,
                "shift_hours": 8,
                "first_shift_start": "00:00",
            },
        },
        "processes": ["turning"],
        "regions": ["East"],
        "plants": [
            {
                "id": "P1",
                "machines": [
                    {"id": "lathe", "process": "turning", "max_weight_t": 5, "precision_grade": 7}
                ],
            }
        ],
        "items": [
            {
                "id": "SHAFT",
                "weight_t": 2,
                "precision_grade": 8,
                "operations": [{"process": "turning", "run_hours_per_unit": 24}],
            }
        ],
        "orders": [
            {"id": f"O{i}", "region": "East", "item": "SHAFT", "due": "1958-07-02T00:00"}
            for i in (1, 2)
        ],
        "lanes": [{"from": "P1", "to": "East", "lead_days": 0}],
        "levers": {
            "budget": 50000,
            "sheds": [
                {
                    "id": "SHED-P1",
                    "plant": "P1",
                    "cost": 20000,
                    "build_days": 0,
                    "machine": {
                        "id": "shed-lathe",
                        "process": "turning",
                        "max_weight_t": 5,
                        "precision_grade": 7,
                    },
                }
            ],
        },
    }


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "levers.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_a_shed_is_read_as_a_lever_and_a_machine_group_of_its_plant(tmp_path: Path) -> None:
    data = scenario()
    data["levers"]["sheds"][0].update(decide_by="1958-07-03", build_days=2.5)
    network = load_scenario(write(tmp_path, data))
    (lever,) = network.levers
    assert (lever.id, lever.kind, lever.plant_id, lever.cost) == (
        "SHED-P1",
        LeverKind.SHED,
        "P1",
        20000,
    )
    assert lever.usable_from == datetime(1958, 7, 5, 12, tzinfo=SHANGHAI)
    assert lever.lead_time == timedelta(days=2.5)
    shed = network.plants[0].machine("shed-lathe")
    assert (shed.lever, shed.available_from) == ("SHED-P1", lever.usable_from)
    assert network.lever_budget == 50000


@pytest.mark.parametrize(
    ("edit", "where", "what"),
    [
        (
            lambda d: d["levers"]["sheds"][0].update(cost=-1),
            "levers.sheds[0].cost",
            "greater than or equal to 0",
        ),
        (
            lambda d: d["levers"].update(budget=-5),
            "levers.budget",
            "greater than or equal to 0",
        ),
        (
            lambda d: d["levers"]["sheds"][0].update(plant="P9"),
            "levers.sheds[0].plant",
            "P9",
        ),
        (
            lambda d: d["levers"]["sheds"][0]["machine"].update(id="lathe"),
            "levers.sheds[0].machine.id",
            "already has a machine group 'lathe'",
        ),
        (
            lambda d: (
                d["processes"].append("milling"),
                d["levers"]["sheds"][0]["machine"].update(process="milling"),
            ),
            "levers.sheds[0].machine.process",
            "a shed adds capacity",
        ),
        (
            lambda d: d["levers"]["sheds"].append(dict(d["levers"]["sheds"][0])),
            "levers.sheds[1]",
            "lever 'SHED-P1' is already given",
        ),
        (
            lambda d: d["levers"]["sheds"][0].update(build_days=-1),
            "levers.sheds[0].build_days",
            "greater than or equal to 0",
        ),
        (
            lambda d: d["levers"]["sheds"][0].update(colour="red"),
            "levers.sheds[0].colour",
            "",
        ),
    ],
)
def test_a_bad_lever_exits_2_naming_the_file_and_the_place(
    tmp_path: Path, edit: Any, where: str, what: str
) -> None:
    data = scenario()
    edit(data)
    path = write(tmp_path, data)
    with pytest.raises((InputError, ModelError)) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert "levers.yaml" in message
    assert where in message
    assert what in message
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_the_plan_pulls_the_shed_lists_it_and_verifies(tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    path = write(tmp_path, scenario())
    result = CliRunner().invoke(
        app, ["plan", str(path), "--time-limit", "5", "--workers", "1", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "SHED-P1" in result.output
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert [lever["id"] for lever in saved["schedule"]["levers"]] == ["SHED-P1"]
    assert saved["tardiness_hours"] == 0
    check = CliRunner().invoke(app, ["verify", str(path), str(out)])
    assert check.exit_code == 0, check.output


def test_budget_on_the_command_line_overrides_the_scenario_s(tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    path = write(tmp_path, scenario())
    options = ["--time-limit", "5", "--workers", "1", "--budget", "0", "--out", str(out)]
    result = CliRunner().invoke(app, ["plan", str(path), *options])
    assert result.exit_code == 0, result.output
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert "levers" not in saved["schedule"]
    assert saved["tardiness_hours"] == 24


def test_a_negative_budget_on_the_command_line_exits_2(tmp_path: Path) -> None:
    path = write(tmp_path, scenario())
    result = CliRunner().invoke(app, ["plan", str(path), "--budget", "-1"])
    assert result.exit_code == 2, result.output
    assert "budget" in result.output


def with_loan() -> dict[str, Any]:
    """The shed scenario with a second plant, P2, that may lend P1 one of its two lathes."""
    data = scenario()
    data["plants"].append(
        {
            "id": "P2",
            "machines": [
                {
                    "id": "lathe",
                    "process": "turning",
                    "units": 2,
                    "max_weight_t": 5,
                    "precision_grade": 7,
                }
            ],
        }
    )
    data["lanes"] += [
        {"from": "P2", "to": "P1", "lead_days": 1},
        {"from": "P2", "to": "East", "lead_days": 1},
    ]
    data["levers"]["machine_loans"] = [
        {
            "id": "LOAN-P2",
            "from": "P2",
            "to": "P1",
            "machine": "lathe",
            "units": 1,
            "depart": "1958-07-01",
            "until": "1958-07-31",
            "move_days": 0.5,
            "cost": 5000,
        }
    ]
    return data


def test_a_machine_loan_is_read_as_a_lever_and_a_group_of_the_borrower(tmp_path: Path) -> None:
    network = load_scenario(write(tmp_path, with_loan()))
    loan = network.lever("LOAN-P2")
    assert (loan.kind, loan.plant_id, loan.lender_id, loan.units) == (
        LeverKind.MACHINE_LOAN,
        "P1",
        "P2",
        1,
    )
    borrowed = network.plant_by_id["P1"].machine("lathe-from-P2")
    assert borrowed.lever == "LOAN-P2"
    assert borrowed.available_from == datetime(1958, 7, 1, 12, tzinfo=SHANGHAI)
    assert borrowed.available_until == datetime(1958, 7, 31, 12, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("edit", "where", "what"),
    [
        (lambda loan: loan.update(to="P2"), "levers.machine_loans[0].to", "cannot lend to itself"),
        (
            lambda loan: loan.update(units=3),
            "levers.machine_loans[0].units",
            "3 units is more than the 2 of 'P2' machine group 'lathe'",
        ),
        (
            lambda loan: loan.update(machine="borer"),
            "levers.machine_loans[0].machine",
            "has no machine group 'borer'",
        ),
        (
            lambda loan: loan.update(until="1958-07-01", move_days=1),
            "levers.machine_loans[0]",
            "must be back by 'until'",
        ),
        (
            lambda loan: loan.update(cost=-3),
            "levers.machine_loans[0].cost",
            "greater than or equal to 0",
        ),
        (lambda loan: loan.update(id="SHED-P1"), "levers.machine_loans[0].id", "already given"),
        (
            lambda loan: loan.update(to="P3"),
            "levers.machine_loans[0].to",
            "a loan adds capacity to a process the borrower already does",
        ),
    ],
)
def test_a_bad_machine_loan_exits_2_naming_the_file_and_the_place(
    tmp_path: Path, edit: Any, where: str, what: str
) -> None:
    data = with_loan()
    data["plants"].append({"id": "P3"})
    data["lanes"].append({"from": "P3", "to": "East", "lead_days": 1})
    edit(data["levers"]["machine_loans"][0])
    path = write(tmp_path, data)
    with pytest.raises((InputError, ModelError)) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert "levers.yaml" in message
    assert where in message
    assert what in message
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def with_people_loan() -> dict[str, Any]:
    """The loan scenario, whose shafts need a fitter; P2 may lend P1 one of its two."""
    data = with_loan()
    data["skills"] = ["fitter"]
    data["staffing"] = [
        {"plant": "P1", "skill": "fitter", "headcount": 1},
        {"plant": "P2", "skill": "fitter", "headcount": 2},
    ]
    data["items"][0]["operations"][0]["crew"] = [{"skill": "fitter", "size": 1}]
    data["levers"]["people_loans"] = [
        {
            "id": "FITTER-P2",
            "from": "P2",
            "to": "P1",
            "skill": "fitter",
            "count": 1,
            "depart": "1958-07-01",
            "until": "1958-07-31",
            "travel_days": 1,
            "cost": 800,
        }
    ]
    return data


def test_a_people_loan_is_read_as_a_lever(tmp_path: Path) -> None:
    network = load_scenario(write(tmp_path, with_people_loan()))
    loan = network.lever("FITTER-P2")
    assert (loan.kind, loan.plant_id, loan.lender_id, loan.skill, loan.units) == (
        LeverKind.PEOPLE_LOAN,
        "P1",
        "P2",
        "fitter",
        1,
    )
    assert loan.usable_from == datetime(1958, 7, 2, tzinfo=SHANGHAI)
    assert network.staff_capacity("P1", "fitter", [loan]) == (
        (datetime(1958, 7, 1, tzinfo=SHANGHAI), 1),
        (datetime(1958, 7, 2, tzinfo=SHANGHAI), 2),
        (datetime(1958, 7, 31, tzinfo=SHANGHAI), 1),
    )


@pytest.mark.parametrize(
    ("edit", "where", "what"),
    [
        (lambda loan: loan.update(to="P2"), "levers.people_loans[0].to", "cannot lend to itself"),
        (lambda loan: loan.update(skill="welder"), "levers.people_loans[0].skill", "welder"),
        (
            lambda loan: loan.update(count=3),
            "levers.people_loans[0]",
            "lends 3 fitter people, but 'P2' has at most 2",
        ),
        (lambda loan: loan.update(id="LOAN-P2"), "levers.people_loans[0].id", "already given"),
    ],
)
def test_a_bad_people_loan_exits_2_naming_the_file_and_the_place(
    tmp_path: Path, edit: Any, where: str, what: str
) -> None:
    data = with_people_loan()
    edit(data["levers"]["people_loans"][0])
    path = write(tmp_path, data)
    with pytest.raises((InputError, ModelError)) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert "levers.yaml" in message
    assert where in message
    assert what in message
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_a_replan_keeps_a_shed_already_at_work_even_with_no_budget_left(tmp_path: Path) -> None:
    """Work under way in the shed makes it a fact: the replan lists it, its cost spent,
    and a budget of 0 for levers still to decide does not undo it."""
    path = write(tmp_path, scenario())
    first, second = tmp_path / "plan.json", tmp_path / "replan.json"
    options = ["--time-limit", "5", "--workers", "1"]
    planned = CliRunner().invoke(app, ["plan", str(path), *options, "--out", str(first)])
    assert planned.exit_code == 0, planned.output
    on_shed = next(
        op
        for op in json.loads(first.read_text(encoding="utf-8"))["schedule"]["operations"]
        if op["machine_id"] == "shed-lathe"
    )
    progress = tmp_path / "progress.yaml"
    started = {
        "work_order": on_shed["work_order_id"],
        "step": 1,
        "status": "started",
        "plant": "P1",
        "machine": "shed-lathe",
        "start": "1958-07-01T00:00",
        "work_done_hours": 12,
    }
    progress.write_text(
        yaml.safe_dump({"as_of": "1958-07-01T12:00", "steps": [started]}), encoding="utf-8"
    )
    replanned = CliRunner().invoke(
        app,
        ["replan", str(path), str(progress), *options, "--budget", "0", "--out", str(second)],
    )
    assert replanned.exit_code == 0, replanned.output
    saved = json.loads(second.read_text(encoding="utf-8"))
    assert [lever["id"] for lever in saved["schedule"]["levers"]] == ["SHED-P1"]
