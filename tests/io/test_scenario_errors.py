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


EDITS = [
    pytest.param(
        InputError,
        r"bad\.yaml: line 13, column 8: YAML syntax error",
        "processes: [casting, machining, assembly]",
        "processes: [casting",
        id="yaml syntax error gives line and column",
    ),
    pytest.param(
        InputError,
        r"bad\.yaml: items\[0\] \(line 34\): the key 'kind' appears twice in the same "
        r"mapping \(first at line 33\)",
        "kind: product",
        "kind: product\n    kind: part",
        id="yaml key given twice is an error",
    ),
    pytest.param(
        InputError,
        r"bad\.yaml: items\[0\]\.colour \(line 34\): unknown field 'colour' "
        r"\(expected one of: id, name, kind,",
        "kind: product",
        "kind: product\n    colour: red",
        id="unknown field is named with the expected ones",
    ),
    pytest.param(
        InputError,
        r"items\[0\]\.weight_t \(line 32\): the required field 'weight_t'",
        "    weight_t: 30\n",
        "",
        id="missing field is named",
    ),
    pytest.param(
        InputError,
        r"bad\.yaml: orders\[1\]\.quantity \(line 51\): expected a whole number, not 'two'",
        "quantity: 2, due",
        "quantity: two, due",
        id="wrong type names the value",
    ),
    pytest.param(
        InputError,
        r"orders\[0\]\.due \(line 50\): '1958-07-32' is not a calendar date",
        "due: 1958-07-31",
        "due: 1958-07-32",
        id="malformed date is named",
    ),
    pytest.param(
        InputError,
        r"orders\[0\]\.due .*expected a date like 1958-07-01",
        "due: 1958-07-31",
        "due: end of July",
        id="text that is no date is named",
    ),
    pytest.param(
        InputError,
        r"network\.calendar\.first_shift_start \(line 10\): expected a clock",
        '"06:00"',
        '"25:00"',
        id="malformed clock time is named",
    ),
    pytest.param(
        InputError,
        r"items\[1\]\.routings\[0\]\.operations\[0\]\.run_hours_per_unit \(line "
        r"45\): .*greater than 0",
        "run_hours_per_unit: 24",
        "run_hours_per_unit: -24",
        id="negative duration is rejected",
    ),
    pytest.param(
        InputError,
        r"items\[0\]\.bom\[0\]\.quantity \(line 36\): .*greater than or equal to 1",
        "{item: HOUSING, quantity: 2}",
        "{item: HOUSING, quantity: 0}",
        id="zero quantity is rejected",
    ),
    pytest.param(
        InputError,
        r"bad\.yaml: orders\[0\]\.item \(line 50\): unknown item 'MILLL'; did you " r"mean 'MILL'",
        "item: MILL, due: 1958-07-31",
        "item: MILLL, due: 1958-07-31",
        id="unknown item suggests the close one",
    ),
    pytest.param(
        InputError,
        r"items\[1\]\.routings\[0\]\.operations\[0\]\.process \(line 45\): "
        r"unknown process 'forging'; declare it under processes",
        "{process: casting, run",
        "{process: forging, run",
        id="unknown process is named",
    ),
    pytest.param(
        InputError,
        r"orders\[0\]\.region \(line 50\): unknown region 'Guizhou'",
        "region: Yunnan, item",
        "region: Guizhou, item",
        id="unknown region is named",
    ),
    pytest.param(
        InputError,
        r"orders\[1\]\.plant \(line 51\): unknown plant 'XYZ'",
        "plant: CMT}",
        "plant: XYZ}",
        id="unknown pinned plant is named",
    ),
    pytest.param(
        InputError,
        r"lanes\[1\]\.to \(line 54\): unknown plant or region 'Yunan'",
        "{from: CMT, to: Yunnan",
        "{from: CMT, to: Yunan",
        id="unknown lane end is named",
    ),
    pytest.param(
        InputError,
        r"orders\[1\] \(line 51\): order 'YN-1' is already given at orders\[0\] " r"\(line 50\)",
        "id: SC-1",
        "id: YN-1",
        id="duplicate id names both places",
    ),
    pytest.param(
        InputError,
        r"lanes\[1\] \(line 54\): the lane WJ -> CMT is already",
        "{from: CMT, to: Yunnan,",
        "{from: WJ, to: CMT, lead_days: 2}\n  - {from: CMT, to: Yunnan,",
        id="lane given twice by its reverse is an error",
    ),
    pytest.param(
        ModelError,
        r"bad\.yaml: items\[0\]\.bom\[0\] \(line 36\): BOM cycle: MILL -> HOUSING",
        "    weight_t: 8\n",
        "    weight_t: 8\n    bom: [{item: MILL}]\n",
        id="bom cycle names the bom line",
    ),
    pytest.param(
        ModelError,
        r"bad\.yaml: lanes \(line 52\): no lane from 'CMT' to 'Yunnan'",
        "  - {from: CMT, to: Yunnan, lead_days: 7}\n",
        "",
        id="missing lane points at lanes",
    ),
    pytest.param(
        InputError,
        r"plants\[0\]\.calendar \(line 17\): 3 shifts of 9:00:00 exceed 24 hours",
        "{shifts_per_day: 3}",
        "{shifts_per_day: 3, shift_hours: 9}",
        id="domain rule is reported at the entity",
    ),
    pytest.param(
        InputError,
        r"plants\[0\]\.machines\[1\] \(line 20\): .*available_from must be before",
        "available_from: 1958-08-01",
        "available_from: 1958-12-01",
        id="domain rule of a machine names the machine",
    ),
    pytest.param(
        InputError,
        r"items\[0\] \(line 32\): give either routings or operations",
        "    weight_t: 30\n",
        "    weight_t: 30\n"
        "    routings: [{id: x, operations: [{process: assembly, run_hours_per_unit: 1}]}]\n",
        id="item with both routings and operations is rejected",
    ),
    pytest.param(
        InputError,
        r"network\.timezone \(line 5\): unknown time zone",
        "Asia/Shanghai",
        "Mars/Olympus_Mons",
        id="unknown time zone is named",
    ),
    pytest.param(
        InputError,
        r"lanes\[0\]\.lead_day \(line 53\): unknown field 'lead_day'; did you mean "
        r"'lead_days'\? \(expected one of: from, to, lead_days, one_way\)",
        "{from: CMT, to: WJ, lead_days: 1}",
        "{from: CMT, to: WJ, lead_day: 1}",
        id="misspelt field is reported as unknown with the close name, not as missing",
    ),
]


@pytest.mark.parametrize(("error", "message", "old", "new"), EDITS)
def test_one_bad_edit_is_reported_at_its_place(
    tmp_path: Path, error: type[Exception], message: str, old: str, new: str
) -> None:
    """Each case edits the small scenario once; the error names the file, the place and
    the cause."""
    with pytest.raises(error, match=message):
        load_edited(tmp_path, old, new)


def test_json_syntax_error_gives_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"network": {"start": "1958-07-01",}}', encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.json: line 1, column \d+: JSON syntax error"):
        load_scenario(path)


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


def test_bom_cycle_between_ids_with_spaces_names_the_bom_line() -> None:
    text = SMALL.read_text(encoding="utf-8").replace("MILL", "BIG MILL")
    text = text.replace("    weight_t: 8\n", "    weight_t: 8\n    bom: [{item: BIG MILL}]\n")
    with pytest.raises(ModelError, match=r"items\[0\]\.bom\[0\] \(line 36\): BOM cycle: BIG MILL"):
        parse_scenario(text, "small.yaml", "yaml")
