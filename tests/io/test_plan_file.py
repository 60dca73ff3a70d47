"""The plan JSON file: exact round trips and clear errors for malformed files."""

from __future__ import annotations

import json
import os
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
    FinishedPart,
    LeverKind,
    MaterialDraw,
    PartSource,
    Plan,
    PlanStatus,
    PulledLever,
    UnplannedOrder,
    UnplannedReason,
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
        unplanned=(
            UnplannedOrder(
                order_id="ORD-7",
                reason=UnplannedReason.SHORT_OF_MATERIAL,
                message="short of material: copper (needs 9, 4 left in the network)",
            ),
        ),
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
    assert (data["format"], data["version"], data["status"]) == ("xiezuo-plan", 5, "feasible")
    assert data["as_of"] is None
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
    with pytest.raises(InputError, match=r"absent\.json: cannot read the file"):
        read_plan(tmp_path / "absent.json")


def test_a_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    pipe = tmp_path / "plan.json"
    os.mkfifo(pipe)
    with pytest.raises(InputError, match=r"cannot read a plan from it: it is not a regular file"):
        read_plan(pipe)


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


def test_unplanned_orders_keep_their_reason_kind() -> None:
    data = plan_to_dict(make_plan())
    assert data["unplanned"] == [
        {
            "order_id": "ORD-7",
            "reason": "short_of_material",
            "message": "short of material: copper (needs 9, 4 left in the network)",
        }
    ]
    assert plan_from_dict(data, "test").unplanned_orders == ("ORD-7",)


def test_an_unknown_unplanned_reason_lists_the_known_ones(tmp_path: Path) -> None:
    data = plan_to_dict(make_plan())
    data["unplanned"][0]["reason"] = "bad luck"
    error = plan_file_error(data, tmp_path)
    assert error.location == "unplanned[0].reason"
    assert "'missing_capability'" in error.problem


def test_a_version_1_file_is_refused_with_the_reason(tmp_path: Path) -> None:
    data = plan_to_dict(make_plan())
    data["version"] = 1
    error = plan_file_error(data, tmp_path)
    assert error.location == "version"
    assert "plan the scenario again" in error.problem


def write_text(tmp_path: Path, text: str) -> InputError:
    path = tmp_path / "plan.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_plan(path)
    return caught.value


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_a_number_that_is_not_finite_is_named_by_its_json_path(tmp_path: Path, token: str) -> None:
    text = json.dumps(plan_to_dict(make_plan()))
    text = text.replace('"work_hours": 3.0', f'"work_hours": {token}', 1)
    error = write_text(tmp_path, text)
    assert error.location.startswith("schedule.operations[")
    assert error.location.endswith("].work_hours")
    assert "finite" in error.problem


@pytest.mark.parametrize(
    ("path", "value", "problem"),
    [
        (("schedule", "operations", 0, "work_hours"), 1e308, "less than or equal"),
        (("makespan_hours",), -5.0, "greater than or equal to 0"),
        (("tardiness_hours",), 1e300, "less than or equal"),
        (("schedule", "work_orders", 0, "quantity"), 10**30, "less than or equal"),
        (("schedule", "operations", 0, "unit"), -1, "greater than or equal to 0"),
        (("schedule", "operations", 0, "step"), 0, "greater than or equal to 1"),
        (("schedule", "operations", 0, "start"), "0001-01-01T00:00:00+08:00", "1800 to 2400"),
        (("schedule", "deliveries", 0, "arrival"), "9999-12-31T23:59:00-05:00", "1800 to 2400"),
    ],
)
def test_a_number_or_date_out_of_range_is_named_by_its_json_path(
    tmp_path: Path, path: tuple[str | int, ...], value: object, problem: str
) -> None:
    data = plan_to_dict(make_plan())
    target: Any = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    error = plan_file_error(data, tmp_path)
    assert error.location == ".".join(str(p) for p in path).replace(".0.", "[0].")
    assert problem in error.problem


@pytest.mark.parametrize("quantity", [0, -40])
def test_a_material_draw_takes_a_positive_quantity(tmp_path: Path, quantity: int) -> None:
    data = plan_to_dict(make_plan())
    data["schedule"]["material_draws"] = [
        {
            "work_order_id": "ORD-1:PRESS",
            "step": 1,
            "material_id": "copper",
            "quantity": quantity,
            "origin": "P2",
            "destination": "P1",
            "depart": "1958-07-02T11:00:00+08:00",
            "arrive": "1958-07-03T11:00:00+08:00",
        }
    ]
    error = plan_file_error(data, tmp_path)
    assert error.location == "schedule.material_draws[0].quantity"
    assert "greater than or equal to 1" in error.problem


def test_an_instant_centuries_from_the_network_start_is_refused(tmp_path: Path) -> None:
    data = plan_to_dict(make_plan())
    data["schedule"]["operations"][2]["end"] = "2390-07-03T14:00:00+08:00"
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert read_plan(path).schedule is not None  # the reader alone knows no network
    with pytest.raises(InputError) as caught:
        read_plan(path, near=at(1, 8))
    assert caught.value.location == "schedule.operations[2].end"
    assert "7320 days from the network start" in caught.value.problem


@pytest.mark.parametrize(
    "text",
    ["[" * 100_000 + "]" * 100_000, '{"version": ' + "9" * 5000 + "}"],
    ids=["nested too deep", "integer too long"],
)
def test_an_unusable_json_document_is_an_input_error(tmp_path: Path, text: str) -> None:
    error = write_text(tmp_path, text)
    assert "not a usable JSON document" in error.problem


def test_a_key_given_twice_is_an_input_error(tmp_path: Path) -> None:
    text = json.dumps(plan_to_dict(make_plan()))
    error = write_text(tmp_path, text.replace('"status":', '"status": "optimal", "status":', 1))
    assert "the key 'status' appears twice" in error.problem


def test_text_with_a_lone_surrogate_is_named_by_its_json_path(tmp_path: Path) -> None:
    text = json.dumps(plan_to_dict(make_plan()))
    error = write_text(tmp_path, text.replace('"ORD-7"', '"ORD-\\ud800"', 1))
    assert error.location == "unplanned[0].order_id"
    assert "lone surrogate" in error.problem


def make_replan() -> Plan:
    """The shared plan as a replan: dated, with a frame from stock and one reported
    finished, its ready instant given in UTC."""
    plan = make_plan()
    assert plan.schedule is not None
    parts = (
        FinishedPart(
            work_order_id="ORD-2:FRAME",
            item_id="FRAME",
            quantity=1,
            plant_id="P2",
            ready=at(2, 8),
            source=PartSource.STOCK,
        ),
        FinishedPart(
            work_order_id="ORD-1:PRESS/FRAME",
            item_id="FRAME",
            quantity=2,
            plant_id="P2",
            ready=datetime(1958, 7, 1, 7, 30, tzinfo=UTC),
            source=PartSource.REPORTED,
        ),
    )
    return replace(plan, as_of=at(2, 8), schedule=replace(plan.schedule, finished_parts=parts))


def test_a_replan_survives_the_file_round_trip(tmp_path: Path) -> None:
    plan = make_replan()
    write_plan(plan, tmp_path / "plan.json")
    assert read_plan(tmp_path / "plan.json") == plan


def test_a_replan_writes_its_status_date_and_finished_parts() -> None:
    data = plan_to_dict(make_replan())
    assert data["as_of"] == "1958-07-02T08:00:00+08:00"
    assert data["schedule"]["finished_parts"][0] == {
        "work_order_id": "ORD-2:FRAME",
        "item_id": "FRAME",
        "quantity": 1,
        "plant_id": "P2",
        "ready": "1958-07-02T08:00:00+08:00",
        "source": "stock",
    }


def version_2(data: dict[str, Any]) -> dict[str, Any]:
    """A version 3 dict as version 2 wrote it: no status date, no finished parts."""
    old = {key: value for key, value in data.items() if key != "as_of"}
    old["version"] = 2
    if old["schedule"] is not None:
        old["schedule"] = {k: v for k, v in old["schedule"].items() if k != "finished_parts"}
    return old


def test_a_version_2_file_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(version_2(plan_to_dict(make_plan()))), encoding="utf-8")
    assert read_plan(path) == make_plan()


def test_the_vendored_version_2_plans_still_read() -> None:
    data = Path(__file__).parents[1] / "data" / "plans" / "ft06.json"
    assert json.loads(data.read_text(encoding="utf-8"))["version"] == 2
    plan = read_plan(data)
    assert plan.as_of is None
    assert plan.schedule is not None
    assert plan.schedule.finished_parts == ()


@pytest.mark.parametrize(
    ("extra", "location"),
    [
        ({"as_of": "1958-07-02T08:00:00+08:00"}, "as_of"),
        ({"as_of": None}, "as_of"),
        ({"finished_parts": []}, "schedule.finished_parts"),
    ],
)
def test_a_version_2_file_with_replan_fields_is_refused(
    tmp_path: Path, extra: dict[str, Any], location: str
) -> None:
    data = version_2(plan_to_dict(make_plan()))
    if "finished_parts" in extra:
        data["schedule"].update(extra)
    else:
        data.update(extra)
    error = plan_file_error(data, tmp_path)
    assert error.location == location
    assert "came with version 3" in error.problem
    assert "set the version to 3" in error.problem


def test_a_version_3_file_states_its_status_date(tmp_path: Path) -> None:
    data = plan_to_dict(make_plan())
    del data["as_of"]
    error = plan_file_error(data, tmp_path)
    assert error.location == "as_of"
    assert error.problem == "this required field is missing"


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("source", "found", "'reported' or 'stock'"),
        ("quantity", 0, "greater than or equal to 1"),
        ("ready", "1958-07-02T08:00:00", "UTC offset"),
    ],
)
def test_a_bad_finished_part_is_named_by_its_json_path(
    tmp_path: Path, field: str, value: object, problem: str
) -> None:
    data = plan_to_dict(make_replan())
    data["schedule"]["finished_parts"][1][field] = value
    error = plan_file_error(data, tmp_path)
    assert error.location == f"schedule.finished_parts[1].{field}"
    assert problem in error.problem


def test_a_status_date_centuries_from_the_network_start_is_refused(tmp_path: Path) -> None:
    data = plan_to_dict(make_replan())
    data["as_of"] = "2390-07-02T08:00:00+08:00"
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_plan(path, near=at(1, 8))
    assert caught.value.location == "as_of"
    assert "7320 days from the network start" in caught.value.problem


def test_a_finished_part_centuries_from_the_network_start_is_refused(tmp_path: Path) -> None:
    data = plan_to_dict(make_replan())
    data["schedule"]["finished_parts"][0]["ready"] = "1800-07-02T08:00:00+08:00"
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_plan(path, near=at(1, 8))
    assert caught.value.location == "schedule.finished_parts[0].ready"


def ganged_plan() -> Plan:
    """The shared plan with its casting done by three units together, on the floor."""
    plan = make_plan()
    assert plan.schedule is not None
    cast, *operations = plan.schedule.operations
    ganged = replace(cast, unit=1, units=(1, 2, 4), on_floor=True)
    return replace(plan, schedule=replace(plan.schedule, operations=(ganged, *operations)))


def test_a_ganged_operation_round_trips_and_says_only_what_it_must() -> None:
    data = plan_to_dict(ganged_plan())
    cast, milling, *_ = data["schedule"]["operations"]
    assert (cast["units"], cast["on_floor"]) == ([1, 2, 4], True)
    assert "units" not in milling
    assert "on_floor" not in milling
    assert plan_from_dict(json.loads(json.dumps(data)), "plan.json") == ganged_plan()


def test_a_version_3_file_with_a_gang_is_refused_with_its_place() -> None:
    data = plan_to_dict(ganged_plan())
    data["version"] = 3
    with pytest.raises(InputError, match="set the version to 4") as caught:
        plan_from_dict(data, "plan.json")
    assert caught.value.location == "schedule.operations[0]"


def test_a_version_3_file_without_gangs_still_reads() -> None:
    data = plan_to_dict(make_plan())
    data["version"] = 3
    assert plan_from_dict(data, "plan.json") == make_plan()


def levered_plan() -> Plan:
    """The shared plan, listing a shed it pulls."""
    plan = make_plan()
    assert plan.schedule is not None
    shed = PulledLever(
        id="SHED-P2", kind=LeverKind.SHED, plant_id="P2", usable_from=at(1, 8), cost=12_500.5
    )
    return replace(plan, schedule=replace(plan.schedule, levers=(shed,)))


def test_the_levers_a_plan_pulls_round_trip() -> None:
    data = plan_to_dict(levered_plan())
    assert data["schedule"]["levers"] == [
        {
            "id": "SHED-P2",
            "kind": "shed",
            "plant_id": "P2",
            "usable_from": "1958-07-01T08:00:00+08:00",
            "cost": 12_500.5,
        }
    ]
    assert plan_from_dict(json.loads(json.dumps(data)), "plan.json") == levered_plan()


def test_a_version_4_file_with_levers_is_refused_and_one_without_reads() -> None:
    data = plan_to_dict(levered_plan())
    data["version"] = 4
    with pytest.raises(InputError, match="set the version to 5") as caught:
        plan_from_dict(data, "plan.json")
    assert caught.value.location == "schedule.levers"
    data = plan_to_dict(ganged_plan())
    data["version"] = 4
    assert plan_from_dict(data, "plan.json") == ganged_plan()
