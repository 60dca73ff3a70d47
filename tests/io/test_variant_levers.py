"""The variant changes levers need: calendars, gangs and lent people, and changes in memory."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from xiezuo.errors import InputError
from xiezuo.io import load_scenario
from xiezuo.io.scenario import load_scenario_spec
from xiezuo.io.variant import AddUnits, PullLever, apply_changes, load_variant

if TYPE_CHECKING:
    from xiezuo.domain import Network

EXAMPLE = Path(__file__).parents[2] / "examples" / "chongqing-1958.yaml"


@pytest.fixture(scope="module")
def base() -> Network:
    return load_scenario(EXAMPLE)


def apply(tmp_path: Path, *changes: dict[str, Any]) -> tuple[Network, tuple[str, ...]]:
    path = tmp_path / "v.yaml"
    data = {"base": str(EXAMPLE), "changes": list(changes)}
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    network, info = load_variant(path)
    return network, info.changes


def test_set_calendar_on_a_machine_group_adds_a_shift_there_only(
    tmp_path: Path, base: Network
) -> None:
    change = {"change": "set_calendar", "plant": "CTS", "machine": "machine-shop"}
    got, lines = apply(tmp_path, {**change, "calendar": {"shifts_per_day": 3}})
    plant = got.plant_by_id["CTS"]
    calendar = plant.machine("machine-shop").calendar
    assert calendar is not None
    assert calendar.shifts_per_day == 3
    assert calendar.working_days == base.calendar.working_days
    assert plant.machine("foundry") == base.plant_by_id["CTS"].machine("foundry")
    assert lines == ("CTS machine-shop works shifts_per_day 3",)


def test_set_calendar_on_a_plant_keeps_the_fields_it_does_not_give(
    tmp_path: Path, base: Network
) -> None:
    change = {"change": "set_calendar", "plant": "CMT"}
    got, _ = apply(tmp_path, {**change, "calendar": {"working_days": ["mon", "sun"]}})
    calendar = got.plant_by_id["CMT"].calendar
    assert calendar is not None
    assert calendar.working_days == (0, 6)
    assert calendar.shifts_per_day == 3  # CMT's own three shifts stay


def test_a_calendar_of_more_than_a_day_names_the_change(tmp_path: Path) -> None:
    change = {"change": "set_calendar", "plant": "CMT", "calendar": {"shift_hours": 10}}
    with pytest.raises((InputError, ValueError), match=r"changes\[0\]"):
        apply(tmp_path, change)


def test_set_gang_lets_a_process_gang_and_replaces_its_gang(tmp_path: Path) -> None:
    gang = {"process": "machining", "max": 2, "efficiency": {2: 0.9}}
    got, lines = apply(
        tmp_path,
        {"change": "set_gang", "gang": {**gang, "max": 3}},
        {"change": "set_gang", "gang": gang},
    )
    lathes = [
        op.gang
        for item in got.items
        for routing in item.routings
        for op in routing.operations
        if op.process == "machining"
    ]
    assert lathes
    assert all(g is not None and g.max_units == 2 for g in lathes)
    assert lines[1].endswith("(replacing its gang)")


def test_lend_people_moves_headcount_after_the_journey(tmp_path: Path, base: Network) -> None:
    change = {"change": "lend_people", "from": "CMT", "to": "CAC", "skill": "fitter"}
    got, lines = apply(tmp_path, {**change, "count": 2, "start": "1958-07-01", "travel_days": 1})
    secondment = got.secondments[-1]
    training = got.trainings[-1]
    assert (secondment.plant_id, secondment.skill, secondment.count) == ("CMT", "fitter", 2)
    assert (training.plant_id, training.skill, training.count) == ("CAC", "fitter", 2)
    assert training.start == secondment.start
    assert training.duration == timedelta(days=1)
    assert training.trainers == 0
    assert len(got.secondments) == len(base.secondments) + 1
    assert lines[0].startswith("2 people of skill fitter lent by CMT to CAC")


@pytest.mark.parametrize(
    ("change", "where", "problem"),
    [
        ({"to": "CMT"}, r"changes\[0\]", "cannot lend people to itself"),
        ({"travel_days": 0}, r"changes\[0\]", "more than 0"),
        ({"from": "XX"}, r"changes\[0\]\.from", "no plant 'XX'"),
        ({"count": 99}, r"changes\[0\]", "CMT"),
    ],
)
def test_bad_loans_of_people_are_named(
    tmp_path: Path, change: dict[str, Any], where: str, problem: str
) -> None:
    loan: dict[str, Any] = {"change": "lend_people", "from": "CMT", "to": "CAC", "skill": "fitter"}
    loan |= {"count": 1, "start": "1958-07-01", "travel_days": 1} | change
    with pytest.raises((InputError, ValueError)) as caught:
        apply(tmp_path, loan)
    assert re.search(where, str(caught.value))
    assert problem in str(caught.value)


def test_apply_changes_in_memory_matches_a_variant_file(tmp_path: Path) -> None:
    spec = load_scenario_spec(EXAMPLE)
    change = {"change": "add_units", "plant": "CTS", "machine": "machine-shop", "units": 1}
    from_file, _ = apply(tmp_path, change)
    in_memory, lines = apply_changes(spec, [AddUnits.model_validate(change)], "lever")
    assert in_memory == from_file
    assert lines == ("CTS machine-shop: 1 more, 3 in all",)


def test_apply_changes_names_the_source_and_the_change() -> None:
    spec = load_scenario_spec(EXAMPLE)
    change = AddUnits(change="add_units", plant="CTS", machine="lathe", units=1)
    with pytest.raises(InputError, match=r"^lever: changes\[0\]\.machine: .*'lathe'"):
        apply_changes(spec, [change], "lever")


SHED_LEVER = Path(__file__).parents[1] / "data" / "advise" / "shed-lever.yaml"


def test_pull_lever_makes_a_scenario_shed_a_machine_group_from_its_date() -> None:
    spec = load_scenario_spec(SHED_LEVER)
    change = PullLever(change="pull_lever", lever="SHED-1")
    pulled, lines = apply_changes(spec, [change], "pull")
    shed = pulled.plant_by_id["WORKS"].machine("shed-lathe")
    assert shed.lever is None
    assert shed.available_from == pulled.start + timedelta(days=10)
    assert pulled.levers == ()
    assert lines == ("shed SHED-1 at WORKS pulled: 1 turning from 2030-01-17 00:00, cost 5,000",)


def test_pulling_an_unknown_lever_names_the_change() -> None:
    spec = load_scenario_spec(SHED_LEVER)
    change = PullLever(change="pull_lever", lever="SHED-2")
    with pytest.raises(InputError, match=r"changes\[0\]\.lever: the base has no lever 'SHED-2'"):
        apply_changes(spec, [change], "pull")
