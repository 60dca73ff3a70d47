"""The plan JSON file: exact round trips and clear errors for malformed files."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.plans import at, make_schedule
from xiezuo.domain import (
    Explanation,
    MaterialDraw,
    Plan,
    PlanStatus,
)
from xiezuo.errors import InputError
from xiezuo.io.plan_file import plan_from_dict, plan_to_dict, read_plan, write_plan


def make_plan() -> Plan:
    """The shared hand-made schedule as a plan, with values that test the format: a
    second unit, work to the minute and a due date given in UTC."""
    schedule = make_schedule()
    cast, *operations = schedule.operations
    ord_1, *deliveries = schedule.deliveries
    schedule = replace(
        schedule,
        operations=(replace(cast, unit=1, work=timedelta(hours=4, minutes=7)), *operations),
        deliveries=(replace(ord_1, due=datetime(1958, 7, 4, 8, tzinfo=UTC)), *deliveries),
    )
    return Plan(
        status=PlanStatus.FEASIBLE,
        schedule=schedule,
        tardiness_hours=26.0,
        tardiness_bound=20.5,
        makespan=timedelta(days=4, hours=6),
        makespan_bound=timedelta(days=3, minutes=1),
        runtime_s=1.25,
        unplanned_orders=("ORD-7",),
        explanations=(Explanation(kind="late", subject="order ORD-1", message="ORD-1 is late"),),
    )


def plan_file_error(data: Any, tmp_path: Path) -> InputError:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_plan(path)
    return caught.value


def test_a_plan_survives_the_dict_round_trip() -> None:
    plan = make_plan()
    assert plan_from_dict(plan_to_dict(plan), "test") == plan


def test_a_plan_survives_the_file_round_trip(tmp_path: Path) -> None:
    plan = make_plan()
    write_plan(plan, tmp_path / "plan.json")
    assert read_plan(tmp_path / "plan.json") == plan


def test_a_plan_without_a_schedule_survives_the_round_trip() -> None:
    plan = Plan(status=PlanStatus.NO_SOLUTION, schedule=None, runtime_s=60.0)
    assert plan_from_dict(plan_to_dict(plan), "test") == plan


@given(
    work=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3650)),
    makespan=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=36500)),
)
def test_durations_survive_the_round_trip_to_the_microsecond(
    work: timedelta, makespan: timedelta
) -> None:
    plan = make_plan()
    assert plan.schedule is not None
    schedule = replace(
        plan.schedule,
        operations=(replace(plan.schedule.operations[0], work=work),),
        shipments=(),
        deliveries=(),
    )
    plan = Plan(status=plan.status, schedule=schedule, makespan=makespan)
    assert plan_from_dict(plan_to_dict(plan), "test") == plan


def test_the_file_has_a_header_offsets_and_hours() -> None:
    data = plan_to_dict(make_plan())
    assert (data["format"], data["version"], data["status"]) == ("xiezuo-plan", 1, "feasible")
    assert data["makespan_hours"] == 102.0
    assert data["gap"] == pytest.approx(5.5 / 26)
    operation = data["schedule"]["operations"][0]
    assert operation["start"] == "1958-07-01T08:00:00+08:00"
    assert operation["work_hours"] == pytest.approx(4 + 7 / 60)


def test_bad_json_names_the_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "format": "xiezuo-plan",\n  "version": 1,,\n}', encoding="utf-8")
    with pytest.raises(InputError, match=r"broken\.json: line 3, column 16: .*not valid JSON"):
        read_plan(path)


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"absent\.json: cannot read the plan file"):
        read_plan(tmp_path / "absent.json")


def test_a_missing_field_is_named_by_its_json_path(tmp_path: Path) -> None:
    data = plan_to_dict(make_plan())
    del data["schedule"]["operations"][1]["start"]
    error = plan_file_error(data, tmp_path)
    assert error.location == "schedule.operations[1].start"
    assert "plan.json: schedule.operations[1].start: this required field is missing" in str(error)


def test_a_bad_datetime_is_named_by_its_json_path(tmp_path: Path) -> None:
    data = plan_to_dict(make_plan())
    data["schedule"]["shipments"][0]["arrive"] = "next Tuesday"
    error = plan_file_error(data, tmp_path)
    assert error.location == "schedule.shipments[0].arrive"
    assert "plan.json" in str(error)
    assert "ISO 8601" in error.problem
    assert "'next Tuesday'" in error.problem


def test_a_datetime_without_an_offset_is_rejected(tmp_path: Path) -> None:
    data = plan_to_dict(make_plan())
    data["schedule"]["deliveries"][0]["due"] = "1958-07-04T08:00:00"
    error = plan_file_error(data, tmp_path)
    assert error.location == "schedule.deliveries[0].due"
    assert "UTC offset" in error.problem


def test_an_unknown_status_lists_the_known_ones(tmp_path: Path) -> None:
    data = plan_to_dict(make_plan())
    data["status"] = "splendid"
    error = plan_file_error(data, tmp_path)
    assert error.location == "status"
    assert "'optimal'" in error.problem
    assert "'splendid'" in error.problem


def test_an_unknown_field_is_rejected(tmp_path: Path) -> None:
    data = plan_to_dict(make_plan())
    data["schedule"]["work_orders"][0]["colour"] = "red"
    error = plan_file_error(data, tmp_path)
    assert error.location == "schedule.work_orders[0].colour"
    assert "not part of the plan format" in error.problem


def test_a_quantity_must_be_a_whole_number(tmp_path: Path) -> None:
    data = plan_to_dict(make_plan())
    data["schedule"]["work_orders"][1]["quantity"] = 2.0
    error = plan_file_error(data, tmp_path)
    assert error.location == "schedule.work_orders[1].quantity"
    assert "integer" in error.problem


def test_another_format_is_rejected(tmp_path: Path) -> None:
    data = plan_to_dict(make_plan())
    data["format"] = "xiezuo-network"
    error = plan_file_error(data, tmp_path)
    assert error.location == "format"
    assert "'xiezuo-plan'" in error.problem


def test_a_file_that_is_not_an_object_is_rejected(tmp_path: Path) -> None:
    error = plan_file_error([1, 2, 3], tmp_path)
    assert error.location == "the whole file"
    assert "plan.json" in str(error)


def test_the_documented_example_is_a_valid_plan_file() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "plan-format.md").read_text(encoding="utf-8")
    example = doc.split("```json\n", 1)[1].split("```", 1)[0]
    plan = plan_from_dict(json.loads(example), "docs/plan-format.md")
    assert plan_to_dict(plan) == json.loads(example)


def test_material_draws_and_engineering_work_survive_the_round_trip() -> None:
    plan = make_plan()
    assert plan.schedule is not None
    drawing = replace(plan.schedule.operations[1], machine_id=None, process=None)
    draw = MaterialDraw(
        work_order_id="ORD-1:PRESS",
        step=1,
        material_id="copper",
        quantity=120,
        origin="P2",
        destination="P1",
        depart=at(2, 11),
        arrive=at(3, 11),
    )
    schedule = replace(
        plan.schedule,
        operations=(plan.schedule.operations[0], drawing),
        material_draws=(draw,),
    )
    richer = replace(plan, schedule=schedule)
    assert plan_from_dict(plan_to_dict(richer), "test") == richer
