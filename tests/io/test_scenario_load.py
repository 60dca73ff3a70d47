"""A valid scenario file becomes the domain network it describes."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from xiezuo.domain import ItemKind, Network
from xiezuo.errors import InputError
from xiezuo.io import load_scenario, parse_scenario

SCENARIOS = Path(__file__).parents[1] / "data" / "scenarios"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def small() -> Network:
    return load_scenario(SCENARIOS / "small.yaml")


def test_small_scenario_has_every_entity(small: Network) -> None:
    assert small.name == "Small test network"
    assert small.processes == ("casting", "machining", "assembly")
    assert small.regions == ("Yunnan", "Sichuan")
    assert [p.id for p in small.plants] == ["CMT", "WJ"]
    assert [m.id for m in small.plant_by_id["CMT"].machines] == ["lathe", "bay"]
    assert [i.id for i in small.items] == ["MILL", "HOUSING"]
    assert [o.id for o in small.orders] == ["YN-1", "SC-1"]


def test_network_calendar_is_read_in_full(small: Network) -> None:
    calendar = small.calendar
    assert calendar.working_days == (0, 1, 2, 3, 4, 5)
    assert calendar.shifts_per_day == 2
    assert calendar.shift_length == timedelta(hours=8)
    assert calendar.first_shift_start == time(6, 0)
    assert calendar.holidays == (date(1958, 10, 1),)


def test_plant_calendar_overrides_only_the_fields_it_gives(small: Network) -> None:
    cmt = small.plant_by_id["CMT"].calendar
    assert cmt is not None
    assert cmt.shifts_per_day == 3
    assert cmt.working_days == small.calendar.working_days
    assert cmt.holidays == small.calendar.holidays


def test_machine_calendar_overrides_its_plant_calendar(small: Network) -> None:
    bay = small.plant_by_id["CMT"].machine("bay").calendar
    assert bay is not None
    assert bay.working_days == (0, 1, 2, 3, 4)
    assert bay.shifts_per_day == 3  # from the plant, not the network


def test_entities_without_a_calendar_inherit_one(small: Network) -> None:
    cmt, wj = small.plant_by_id["CMT"], small.plant_by_id["WJ"]
    assert cmt.machine("lathe").calendar is None
    assert wj.calendar is None
    assert small.machine_calendar(wj, wj.machine("foundry")) == small.calendar


def test_date_only_start_and_release_mean_midnight(small: Network) -> None:
    assert small.start == datetime(1958, 7, 1, tzinfo=SHANGHAI)
    assert small.orders[0].release == datetime(1958, 7, 2, tzinfo=SHANGHAI)


def test_date_only_due_means_end_of_that_day(small: Network) -> None:
    assert small.orders[0].due == datetime(1958, 8, 1, tzinfo=SHANGHAI)


def test_datetime_is_read_in_the_network_time_zone(small: Network) -> None:
    assert small.orders[1].due == datetime(1958, 9, 30, 18, 0, tzinfo=SHANGHAI)


def test_machine_availability_dates_cover_whole_days(small: Network) -> None:
    bay = small.plant_by_id["CMT"].machine("bay")
    assert bay.available_from == datetime(1958, 8, 1, tzinfo=SHANGHAI)
    assert bay.available_until == datetime(1958, 12, 1, tzinfo=SHANGHAI)


def test_order_defaults_and_pinned_plant(small: Network) -> None:
    yn, sc = small.orders
    assert (yn.quantity, yn.priority, yn.plant_id) == (1, 10, None)
    assert (sc.quantity, sc.priority, sc.plant_id, sc.release) == (2, 1, "CMT", None)


def test_operations_shorthand_becomes_routing_main(small: Network) -> None:
    mill = small.item_by_id["MILL"]
    assert mill.kind is ItemKind.PRODUCT
    assert [r.id for r in mill.routings] == ["main"]
    assembly = mill.routings[0].operations[0]
    assert assembly.setup == timedelta(hours=4)
    assert assembly.run_per_unit == timedelta(hours=40)
    assert assembly.min_weight_t == 8


def test_alternative_routings_keep_their_ids_and_steps(small: Network) -> None:
    housing = small.item_by_id["HOUSING"]
    assert housing.kind is ItemKind.PART
    assert [r.id for r in housing.routings] == ["cast", "machined"]
    assert housing.routings[1].operations[0].precision_grade == 8


def test_bom_quantities_are_read(small: Network) -> None:
    assert [(b.item_id, b.quantity) for b in small.item_by_id["MILL"].bom] == [("HOUSING", 2)]


def test_lanes_between_plants_run_both_ways_unless_one_way(small: Network) -> None:
    assert small.lead_time("CMT", "WJ") == timedelta(days=1)
    assert small.lead_time("WJ", "CMT") == timedelta(days=1)
    assert small.lead_time("WJ", "Sichuan") == timedelta(days=4.5)
    assert small.lead_time("CMT", "Yunnan") == timedelta(days=7)


def test_yaml_and_json_of_one_scenario_give_equal_networks(small: Network) -> None:
    assert load_scenario(SCENARIOS / "small.json") == small


def test_yaml_keeps_no_and_clock_times_as_text() -> None:
    """YAML 1.1 would read NO as false and 16:00 as the number 960."""
    text = (SCENARIOS / "small.yaml").read_text(encoding="utf-8")
    text = text.replace("Yunnan", "NO").replace(
        'first_shift_start: "06:00"', "first_shift_start: 16:00"
    )
    network = parse_scenario(text, "small.yaml", "yaml")
    assert "NO" in network.regions
    assert network.calendar.first_shift_start == time(16, 0)


def test_load_scenario_rejects_an_unknown_file_type(tmp_path: Path) -> None:
    path = tmp_path / "scenario.txt"
    path.write_text("network: {}", encoding="utf-8")
    with pytest.raises(InputError, match=r"scenario\.txt: .*\.yaml, \.yml or \.json"):
        load_scenario(path)


def test_load_scenario_reports_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"missing\.yaml: cannot read the file"):
        load_scenario(tmp_path / "missing.yaml")
