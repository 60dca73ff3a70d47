"""Gangs and floor bays in the scenario file: read into the domain, refused when wrong."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
import yaml
from typer.testing import CliRunner

from xiezuo.cli.main import app
from xiezuo.domain import FloorBays, Gang
from xiezuo.errors import InputError, ModelError
from xiezuo.io import load_scenario

if TYPE_CHECKING:
    from pathlib import Path


def scenario() -> dict[str, Any]:
    """Four small lathes at P1; a 2 t shaft turned by a gang and a 50 t housing turned
    on the floor."""
    return {
        "network": {"start": "1958-07-01", "timezone": "Asia/Shanghai"},
        "processes": ["turning"],
        "gangs": [{"process": "turning", "max": 3, "efficiency": {2: 0.9}}],
        "regions": ["East"],
        "plants": [
            {
                "id": "P1",
                "machines": [
                    {
                        "id": "lathe",
                        "process": "turning",
                        "units": 4,
                        "max_weight_t": 5,
                        "precision_grade": 7,
                    }
                ],
                "floor": {"bays": 1, "max_weight_t": 60},
            }
        ],
        "items": [
            {
                "id": "SHAFT",
                "weight_t": 2,
                "precision_grade": 8,
                "operations": [{"process": "turning", "run_hours_per_unit": 12}],
            },
            {
                "id": "HOUSING",
                "weight_t": 50,
                "precision_grade": 8,
                "operations": [
                    {
                        "process": "turning",
                        "run_hours_per_unit": 40,
                        "gang": {"min": 2, "max": 4, "floor_min": 3},
                    }
                ],
            },
        ],
        "orders": [
            {"id": "O-1", "region": "East", "item": "SHAFT", "due": "1958-07-05"},
            {"id": "O-2", "region": "East", "item": "HOUSING", "due": "1958-07-09"},
        ],
        "lanes": [{"from": "P1", "to": "East", "lead_days": 1}],
    }


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "gangs.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_step_and_process_gangs_and_floor_bays_are_read(tmp_path: Path) -> None:
    network = load_scenario(write(tmp_path, scenario()))
    shaft, housing = (network.item_by_id[i].routings[0].operations[0] for i in ("SHAFT", "HOUSING"))
    assert shaft.gang == Gang(max_units=3, efficiency=((2, 0.9),))
    assert housing.gang == Gang(min_units=2, max_units=4, floor_min_units=3)
    assert network.plants[0].floor == FloorBays(bays=1, max_weight_t=60)


@pytest.mark.parametrize(
    ("edit", "where", "what"),
    [
        (
            lambda d: d["items"][1]["operations"][0]["gang"].update(max=9),
            "items[1].operations[0]",
            "gang max 9 is more than the 4 units",
        ),
        (
            lambda d: d["gangs"][0].update(max=6),
            "gangs[0].max",
            "6 units is more than the 4",
        ),
        (
            lambda d: d["gangs"][0].update(efficiency={2: 0}),
            "gangs[0].efficiency[2]",
            "greater than 0",
        ),
        (
            lambda d: d["gangs"][0].update(efficiency={2: 1.5}),
            "gangs[0].efficiency[2]",
            "less than or equal to 1",
        ),
        (
            lambda d: d["items"][1]["operations"][0]["gang"].update(min=4, max=3),
            "items[1].operations[0].gang",
            "gang min (4) must not be above gang max (3)",
        ),
        (
            lambda d: d["gangs"].append({"process": "turning", "max": 2}),
            "gangs[1].process",
            "has a gang twice",
        ),
        (
            lambda d: d["plants"][0].update(floor={"bays": 0, "max_weight_t": 60}),
            "plants[0].floor.bays",
            "greater than or equal to 1",
        ),
    ],
)
def test_a_bad_gang_exits_2_naming_the_file_and_the_place(
    tmp_path: Path, edit: Any, where: str, what: str
) -> None:
    data = scenario()
    edit(data)
    path = write(tmp_path, data)
    with pytest.raises((InputError, ModelError)) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert "gangs.yaml" in message
    assert where in message
    assert what in message
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_the_housing_is_planned_on_the_floor_by_a_gang(tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    path = write(tmp_path, scenario())
    result = CliRunner().invoke(
        app, ["plan", str(path), "--time-limit", "5", "--workers", "1", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert '"on_floor": true' in text
    check = CliRunner().invoke(app, ["verify", str(path), str(out)])
    assert check.exit_code == 0, check.output
