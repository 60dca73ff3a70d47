"""Hostile or absurd scenario input is refused up front, located, with the figure and the limit."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from xiezuo.domain import find_issues
from xiezuo.errors import InputError, ModelError
from xiezuo.io import load_scenario, parse_scenario, scenario

SCENARIOS = Path(__file__).parents[1] / "data" / "scenarios"
SMALL = SCENARIOS / "small.yaml"


def small_text() -> str:
    return SMALL.read_text(encoding="utf-8")


def edited(old: str, new: str) -> str:
    text = small_text()
    assert old in text
    return text.replace(old, new, 1)


def small_data() -> Any:
    return json.loads((SCENARIOS / "small.json").read_text(encoding="utf-8"))


# ---- files --------------------------------------------------------------------------


def test_a_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "plans.yaml"
    folder.mkdir()
    with pytest.raises(
        InputError, match=r"plans\.yaml: cannot read a YAML scenario from it: it is a folder"
    ):
        load_scenario(folder)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need POSIX")
def test_a_pipe_is_refused_without_reading_it(tmp_path: Path) -> None:
    """Opening a FIFO nobody writes to would block for ever."""
    pipe = tmp_path / "pipe.yaml"
    os.mkfifo(pipe)
    with pytest.raises(InputError, match=r"not a regular file \(a pipe or device\)"):
        load_scenario(pipe)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_device_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")
    with pytest.raises(InputError, match=r"not a regular file"):
        load_scenario(link)


def test_a_json_file_over_the_size_limit_is_refused_with_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scenario, "MAX_FILE_BYTES", 3 * 2**20)
    path = tmp_path / "big.json"
    path.write_text(" " * (3 * 2**20) + "{}", encoding="utf-8")
    with pytest.raises(
        InputError, match=r"larger than 3 MB \(3,145,728 bytes\), the limit for a JSON scenario"
    ):
        load_scenario(path)


def test_a_yaml_file_over_2_mb_is_refused(tmp_path: Path) -> None:
    """PyYAML reads about half a megabyte a second; a bigger network is written as JSON."""
    path = tmp_path / "big.yaml"
    path.write_text(small_text() + "#" * (2 * 2**20), encoding="utf-8")
    with pytest.raises(
        InputError, match=r"larger than 2 MB \(2,097,152 bytes\), the limit for a YAML scenario"
    ):
        load_scenario(path)


def test_bytes_that_are_not_utf8_are_located(tmp_path: Path) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes(small_text().replace("Small test", "Sm\xe4ll test").encode("latin-1"))
    with pytest.raises(InputError, match=r"line 3, column 11: byte 0xe4 is not UTF-8"):
        load_scenario(path)


# ---- YAML ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "!!int 0x10",
        "!!float abc",
        "!!bool maybe",
        "!!timestamp x",
        "!!python/object/apply:os.getpid []",
        "!custom 8",
    ],
)
def test_explicit_tags_are_refused_at_their_line(value: str) -> None:
    text = edited("shift_hours: 8", f"shift_hours: {value}")
    tag = value.split()[0].split(":")[0]
    with pytest.raises(InputError, match=rf"line 9, column 18: .*explicit tag '{tag}"):
        parse_scenario(text, "small.yaml", "yaml")


def test_str_tag_still_marks_text() -> None:
    network = parse_scenario(edited("name: Small", "name: !!str 1958 Small"), "s.yaml", "yaml")
    assert network.name == "1958 Small test network"


def test_anchors_and_merge_keys_still_work() -> None:
    text = edited("calendar: {shifts_per_day: 3}", "calendar: &three {shifts_per_day: 3}")
    text = text.replace(
        "  - id: WJ\n", "  - id: WJ\n    calendar: {<<: *three, first_shift_start: '07:00'}\n"
    )
    network = parse_scenario(text, "s.yaml", "yaml")
    assert network.plant_by_id["WJ"].calendar is not None
    assert network.plant_by_id["WJ"].calendar.shifts_per_day == 3


def test_billion_laughs_is_refused_with_the_figure_and_the_limit() -> None:
    bomb = "".join(f"x{i}: &x{i} [{', '.join([f'*x{i - 1}'] * 9)}]\n" for i in range(1, 10))
    text = "x0: &x0 [lol]\n" + bomb + small_text()
    with pytest.raises(InputError, match=r"into [\d,]+ more nodes, over the limit of 100,000"):
        parse_scenario(text, "laughs.yaml", "yaml")


def test_an_alias_inside_its_own_anchor_is_refused() -> None:
    text = edited("processes: [casting, machining, assembly]", "processes: &p [casting, *p]")
    with pytest.raises(InputError, match=r"line 12: an alias refers to the node that contains"):
        parse_scenario(text, "loop.yaml", "yaml")


@pytest.mark.parametrize(
    ("fmt", "nested", "where"),
    [
        ("yaml", "[" * 100 + "]" * 100, r"line 12, column 75"),
        ("json", "[" * 3000 + "]" * 3000, r"line 1, column 78"),
        ("json", '{"a": ' * 3000 + "1" + "}" * 3000, r"line 1, column 393"),
    ],
)
def test_deep_nesting_is_refused_where_it_passes_the_limit(
    fmt: str, nested: str, where: str
) -> None:
    if fmt == "yaml":
        text = edited("processes: [casting, machining, assembly]", f"processes: {nested}")
    else:
        text = '{"processes": ' + nested + "}"
    with pytest.raises(InputError, match=rf"{where}: .*nested more than 64 levels deep"):
        parse_scenario(text, f"deep.{fmt}", fmt)


def test_yaml_nested_thousands_deep_is_located() -> None:
    text = edited("processes: [casting, machining, assembly]", "processes: " + "[" * 5000)
    with pytest.raises(InputError, match=r"line 12, column \d+: .*nest"):
        parse_scenario(text, "deep.yaml", "yaml")


def test_nesting_within_the_limit_reaches_the_schema() -> None:
    text = json.dumps({**small_data(), "processes": [[[["casting"]]]]})
    with pytest.raises(InputError, match=r"processes\[0\]: Input should be a valid string"):
        parse_scenario(text, "s.json", "json")


def test_a_number_of_thousands_of_digits_is_located() -> None:
    text = edited("units: 2", "units: " + "9" * 5000)
    with pytest.raises(InputError, match=r"line 19, column \d+: .*5,000 digits"):
        parse_scenario(text, "s.yaml", "yaml")


def test_a_raw_control_character_gives_line_and_column_not_an_offset() -> None:
    text = edited("name: Small", "name: Sm\x07all")
    with pytest.raises(InputError, match=r"s\.yaml: line 3, column 11: the character '\\x07'"):
        parse_scenario(text, "s.yaml", "yaml")


def test_an_escaped_control_character_is_refused_at_its_path() -> None:
    text = edited("name: Small test network", 'name: "Small\\x1b[2J"')
    with pytest.raises(InputError, match=r"network\.name \(line 3\): .*control character U\+001B"):
        parse_scenario(text, "s.yaml", "yaml")


def test_a_lone_surrogate_in_an_id_is_refused_at_its_path() -> None:
    data = small_data()
    data["orders"][0]["id"] = "YN-\udcff"
    with pytest.raises(InputError, match=r"orders\[0\]\.id: .*lone surrogate \(U\+DCFF\)"):
        parse_scenario(json.dumps(data), "s.json", "json")


def test_a_json_key_given_twice_names_its_object() -> None:
    text = json.dumps(small_data(), indent=1).replace(
        '"weight_t": 8,', '"weight_t": 8,\n "weight_t": 9,', 1
    )
    with pytest.raises(InputError, match=r"s\.json: items\[1\]: the key 'weight_t' appears twice"):
        parse_scenario(text, "s.json", "json")


# ---- numbers, booleans and dates -----------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("units: 2", "units: 1000000000", r"units \(line 19\): .*less than or equal to 1000"),
        ("units: 2", "units: true", r"units \(line 19\): expected a whole number, not True"),
        ("units: 2", "units: '2'", r"units \(line 19\): expected a whole number, not '2'"),
        ("units: 2", "units: 2.5", r"units \(line 19\): .*fractional part"),
        ("shift_hours: 8", "shift_hours: 1e-9", r"shift_hours \(line 9\): .*0\.25"),
        (
            "run_hours_per_unit: 24",
            "run_hours_per_unit: 1e308",
            r"run_hours_per_unit \(line 45\): .*less than or equal to 10000",
        ),
        (
            "setup_hours: 4",
            "setup_hours: .nan",
            r"setup_hours \(line 38\): Input should be a finite number",
        ),
        ("lead_days: 1}", "lead_days: .inf}", r"lead_days \(line 53\): .*finite number"),
        ("quantity: 2}]", "quantity: 1e30}]", r"bom\[0\]\.quantity \(line 36\): "),
        (
            "priority: 10",
            "priority: 100000000000000000000000000000",
            r"priority \(line 50\): .*less than or equal to 10000",
        ),
        ("one_way: true", "one_way: 1", r"one_way \(line 56\): .*valid boolean"),
        ("due: 1958-07-31", "due: 0001-01-01", r"due \(line 50\): .*outside the years 1900"),
        ("due: 1958-07-31", "due: 9999-12-31", r"due \(line 50\): .*outside the years 1900"),
        (
            "release: 1958-07-02",
            "release: 1975-07-02",
            r"release \(line 50\): 1975-07-02 00:00 is more than 3,653 days",
        ),
        (
            "available_until: 1958-11-30",
            "available_until: 2100-11-30",
            r"available_until \(line 26\): .*more than 3,653 days",
        ),
    ],
)
def test_values_beyond_the_documented_limits_are_located(old: str, new: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_scenario(edited(old, new), "s.yaml", "yaml")


def test_design_yes_is_not_a_boolean() -> None:
    text = edited("{item: HOUSING, quantity: 2}", "{item: HOUSING, quantity: 2, design: 'yes'}")
    with pytest.raises(InputError, match=r"bom\[0\]\.design \(line 36\): .*valid boolean"):
        parse_scenario(text, "s.yaml", "yaml")


def test_a_whole_number_written_as_a_float_is_accepted() -> None:
    network = parse_scenario(edited("units: 2", "units: 2.0"), "s.yaml", "yaml")
    assert network.plant_by_id["CMT"].machine("lathe").units == 2


def test_dates_at_the_limits_load() -> None:
    text = edited("start: 1958-07-01", "start: 1900-01-01")
    text = text.replace("holidays: [1958-10-01]", "holidays: [2199-12-31]")
    for date in ("1958-07-31", "1958-07-02", "1958-08-01", "1958-11-30", "1958-09-30T18:00"):
        text = text.replace(date, date.replace("1958", "1909"))
    assert parse_scenario(text, "s.yaml", "yaml").start.year == 1900


def test_a_due_date_before_the_horizon_start_is_a_finding() -> None:
    network = parse_scenario(edited("due: 1958-07-31", "due: 1958-06-20"), "s.yaml", "yaml")
    findings = [f for f in find_issues(network) if f.kind == "due before start"]
    assert [f.subject for f in findings] == ["order YN-1"]
    assert "late whatever the plan" in findings[0].message


# ---- size bombs ----------------------------------------------------------------------


def doubling_bom(levels: int) -> str:
    """Items whose explosion doubles at every level: L0 uses A0 and B0, both use L1, ..."""
    data = small_data()
    op = {"process": "assembly", "run_hours_per_unit": 1}
    items = []
    for k in range(levels):
        lower = [] if k == levels - 1 else [{"item": f"L{k + 1}"}]
        items.append(
            {
                "id": f"L{k}",
                "weight_t": 1,
                "precision_grade": 9,
                "bom": [{"item": f"A{k}"}, {"item": f"B{k}"}] if lower else [],
                "operations": [op],
            }
        )
        if lower:
            for half in "AB":
                items.append(
                    {
                        "id": f"{half}{k}",
                        "weight_t": 1,
                        "precision_grade": 9,
                        "bom": lower,
                        "operations": [op],
                    }
                )
    data["items"] = items
    data["orders"] = [{"id": "BOMB", "region": "Yunnan", "item": "L0"}]
    return json.dumps(data)


def test_a_bom_that_doubles_at_every_level_is_refused_before_exploding() -> None:
    with pytest.raises(
        ModelError,
        match=r"orders\[0\]: order 'BOMB' explodes into 67,108,861 of the 67,108,861 work "
        r"orders \(one per BOM node\) all orders need, more than the limit of 200,000",
    ):
        parse_scenario(doubling_bom(25), "bomb.json", "json")


def test_a_batch_multiplied_beyond_the_limit_is_refused() -> None:
    text = edited("{item: HOUSING, quantity: 2}", "{item: HOUSING, quantity: 10000}")
    text = text.replace("quantity: 2, due", "quantity: 1000000, due")
    for hours in ("40", "24", "16"):
        text = text.replace(f"run_hours_per_unit: {hours}", "run_hours_per_unit: 1e-7")
    with pytest.raises(
        ModelError,
        match=r"orders\[1\] \(line 51\): order 'SC-1': item 'HOUSING' would be made in a batch "
        r"of 10,000,000,000 units, more than the limit of 1,000,000,000",
    ):
        parse_scenario(text, "s.yaml", "yaml")


def test_a_step_that_would_run_for_centuries_is_refused() -> None:
    text = edited("run_hours_per_unit: 40", "run_hours_per_unit: 9000")
    text = text.replace("quantity: 2, due", "quantity: 20, due")
    with pytest.raises(
        ModelError,
        match=r"order 'SC-1': item 'MILL' routing 'main' step 1 would take 180,004 working "
        r"hours for 20 units, more than the limit of 100,000 hours",
    ):
        parse_scenario(text, "s.yaml", "yaml")


def test_work_that_would_outlast_the_calendar_is_refused() -> None:
    """The engine lays out working windows as far as all work done one step at a time."""
    text = edited("working_days: [mon, tue, wed, thu, fri, sat]", "working_days: [mon]")
    text = text.replace("shifts_per_day: 2", "shifts_per_day: 1").replace(
        "shift_hours: 8", "shift_hours: 0.25"
    )
    text = text.replace("calendar: {shifts_per_day: 3}", "calendar: {shifts_per_day: 1}")
    text = text.replace("run_hours_per_unit: 40", "run_hours_per_unit: 4999")
    text = text.replace("quantity: 2, due", "quantity: 20, due")
    with pytest.raises(
        ModelError,
        match=r"orders \(line 49\): the orders need 105,999 working hours, which one step "
        r"after another in the sparsest machine calendar \(0\.25 hours a week\) take 8,126 "
        r"years, more than the limit of 1,000",
    ):
        parse_scenario(text, "s.yaml", "yaml")


def test_a_json_number_of_thousands_of_digits_is_located() -> None:
    data = small_data()
    data["plants"][0]["machines"][0]["units"] = 0
    text = json.dumps(data).replace('"units": 0', '"units": ' + "9" * 5000)
    with pytest.raises(InputError, match=r"plants\[0\]\.machines\[0\]\.units: .*finite number"):
        parse_scenario(text, "s.json", "json")
