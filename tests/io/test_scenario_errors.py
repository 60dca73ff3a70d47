"""Every kind of bad scenario input fails once, naming the file, the entity path and the cause."""

from __future__ import annotations

from pathlib import Path

import pytest

from xiezuo.errors import InputError, ModelError
from xiezuo.io import load_scenario, parse_scenario

SMALL = Path(__file__).parents[1] / "data" / "scenarios" / "small.yaml"


def load_edited(tmp_path: Path, old: str, new: str, name: str = "bad.yaml") -> None:
    """Load the small scenario with one edit, written to ``name`` in ``tmp_path``."""
    text = SMALL.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    load_scenario(path)


def test_yaml_syntax_error_gives_line_and_column(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"bad\.yaml: line 13, column 8: YAML syntax error"):
        load_edited(tmp_path, "processes: [casting, machining, assembly]", "processes: [casting")


def test_json_syntax_error_gives_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"network": {"start": "1958-07-01",}}', encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.json: line 1, column \d+: JSON syntax error"):
        load_scenario(path)


def test_yaml_key_given_twice_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"bad\.yaml: line 34: the key 'kind' appears twice"):
        load_edited(tmp_path, "kind: product", "kind: product\n    kind: part")


def test_unknown_field_is_named_with_the_expected_ones(tmp_path: Path) -> None:
    with pytest.raises(
        InputError,
        match=r"bad\.yaml: items\[0\]\.colour \(line 34\): unknown field 'colour'; "
        r"expected one of: id, name, kind,",
    ):
        load_edited(tmp_path, "kind: product", "kind: product\n    colour: red")


def test_missing_field_is_named(tmp_path: Path) -> None:
    with pytest.raises(
        InputError, match=r"items\[0\]\.weight_t \(line 32\): the required field 'weight_t'"
    ):
        load_edited(tmp_path, "    weight_t: 30\n", "")


def test_wrong_type_names_the_value(tmp_path: Path) -> None:
    with pytest.raises(
        InputError, match=r"bad\.yaml: orders\[1\]\.quantity \(line 51\): .*integer.*'two'"
    ):
        load_edited(tmp_path, "quantity: 2, due", "quantity: two, due")


def test_malformed_date_is_named(tmp_path: Path) -> None:
    with pytest.raises(
        InputError, match=r"orders\[0\]\.due \(line 50\): '1958-07-32' is not a calendar date"
    ):
        load_edited(tmp_path, "due: 1958-07-31", "due: 1958-07-32")


def test_text_that_is_no_date_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"orders\[0\]\.due .*expected a date like 1958-07-01"):
        load_edited(tmp_path, "due: 1958-07-31", "due: end of July")


def test_malformed_clock_time_is_named(tmp_path: Path) -> None:
    with pytest.raises(
        InputError, match=r"network\.calendar\.first_shift_start \(line 10\): expected a clock"
    ):
        load_edited(tmp_path, '"06:00"', '"25:00"')


def test_negative_duration_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(
        InputError,
        match=r"items\[1\]\.routings\[0\]\.operations\[0\]\.run_hours_per_unit \(line 45\): "
        r".*greater than 0",
    ):
        load_edited(tmp_path, "run_hours_per_unit: 24", "run_hours_per_unit: -24")


def test_zero_quantity_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(
        InputError,
        match=r"items\[0\]\.bom\[0\]\.quantity \(line 36\): .*greater than or equal to 1",
    ):
        load_edited(tmp_path, "{item: HOUSING, quantity: 2}", "{item: HOUSING, quantity: 0}")


def test_unknown_item_suggests_the_close_one(tmp_path: Path) -> None:
    with pytest.raises(
        InputError,
        match=r"bad\.yaml: orders\[0\]\.item \(line 50\): unknown item 'MILLL'; "
        r"did you mean 'MILL'",
    ):
        load_edited(tmp_path, "item: MILL, due: 1958-07-31", "item: MILLL, due: 1958-07-31")


def test_unknown_process_is_named(tmp_path: Path) -> None:
    with pytest.raises(
        InputError,
        match=r"items\[1\]\.routings\[0\]\.operations\[0\]\.process \(line 45\): "
        r"unknown process 'forging'; declare it under processes",
    ):
        load_edited(tmp_path, "{process: casting, run", "{process: forging, run")


def test_unknown_region_is_named(tmp_path: Path) -> None:
    with pytest.raises(
        InputError, match=r"orders\[0\]\.region \(line 50\): unknown region 'Guizhou'"
    ):
        load_edited(tmp_path, "region: Yunnan, item", "region: Guizhou, item")


def test_unknown_pinned_plant_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"orders\[1\]\.plant \(line 51\): unknown plant 'XYZ'"):
        load_edited(tmp_path, "plant: CMT}", "plant: XYZ}")


def test_unknown_lane_end_is_named(tmp_path: Path) -> None:
    with pytest.raises(
        InputError, match=r"lanes\[1\]\.to \(line 54\): unknown plant or region 'Yunan'"
    ):
        load_edited(tmp_path, "{from: CMT, to: Yunnan", "{from: CMT, to: Yunan")


def test_duplicate_id_names_both_places(tmp_path: Path) -> None:
    with pytest.raises(
        InputError,
        match=r"orders\[1\] \(line 51\): order 'YN-1' is already given at orders\[0\] \(line 50\)",
    ):
        load_edited(tmp_path, "id: SC-1", "id: YN-1")


def test_lane_given_twice_by_its_reverse_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"lanes\[1\] \(line 54\): the lane WJ -> CMT is already"):
        load_edited(
            tmp_path,
            "{from: CMT, to: Yunnan,",
            "{from: WJ, to: CMT, lead_days: 2}\n  - {from: CMT, to: Yunnan,",
        )


def test_bom_cycle_names_the_bom_line(tmp_path: Path) -> None:
    with pytest.raises(
        ModelError, match=r"bad\.yaml: items\[0\]\.bom\[0\] \(line 36\): BOM cycle: MILL -> HOUSING"
    ):
        load_edited(tmp_path, "    weight_t: 8\n", "    weight_t: 8\n    bom: [{item: MILL}]\n")


def test_missing_lane_points_at_lanes(tmp_path: Path) -> None:
    with pytest.raises(
        ModelError, match=r"bad\.yaml: lanes \(line 52\): no lane from 'CMT' to 'Yunnan'"
    ):
        load_edited(tmp_path, "  - {from: CMT, to: Yunnan, lead_days: 7}\n", "")


def test_domain_rule_is_reported_at_the_entity(tmp_path: Path) -> None:
    with pytest.raises(
        InputError, match=r"plants\[0\]\.calendar \(line 17\): 3 shifts of 9:00:00 exceed 24 hours"
    ):
        load_edited(tmp_path, "{shifts_per_day: 3}", "{shifts_per_day: 3, shift_hours: 9}")


def test_domain_rule_of_a_machine_names_the_machine(tmp_path: Path) -> None:
    with pytest.raises(
        InputError, match=r"plants\[0\]\.machines\[1\] \(line 20\): .*available_from must be before"
    ):
        load_edited(tmp_path, "available_from: 1958-08-01", "available_from: 1958-12-01")


def test_item_with_both_routings_and_operations_is_rejected(tmp_path: Path) -> None:
    routings = "    routings: [{id: x, operations: [{process: assembly, run_hours_per_unit: 1}]}]\n"
    with pytest.raises(
        InputError, match=r"items\[0\] \(line 32\): give either routings or operations"
    ):
        load_edited(tmp_path, "    weight_t: 30\n", f"    weight_t: 30\n{routings}")


def test_unknown_time_zone_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"network\.timezone \(line 5\): unknown time zone"):
        load_edited(tmp_path, "Asia/Shanghai", "Mars/Olympus_Mons")


def test_json_errors_give_the_path_without_a_line() -> None:
    text = (SMALL.with_suffix(".json")).read_text(encoding="utf-8")
    text = text.replace('"item": "MILL",', '"item": "MILLL",', 1)
    with pytest.raises(InputError, match=r"^small\.json: orders\[0\]\.item: unknown item 'MILLL'"):
        parse_scenario(text, "small.json", "json")


def test_empty_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("# nothing yet\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"empty\.yaml: the file is empty"):
        load_scenario(path)


def test_file_that_is_not_a_mapping_is_an_error() -> None:
    with pytest.raises(
        InputError, match=r"list\.yaml: expected a mapping with the fields network,"
    ):
        parse_scenario("- a\n- b\n", "list.yaml", "yaml")


def test_further_problems_are_counted() -> None:
    text = SMALL.read_text(encoding="utf-8").replace("[mon,", "[mo,")
    with pytest.raises(InputError, match=r"working_days\[0\].*'mo'.*\(and 1 more problem after"):
        parse_scenario(text, "small.yaml", "yaml")
