"""Progress files: read in the network's zone, refused whole with the file, place and cause."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from xiezuo.domain import Network, Progress, StepStatus
from xiezuo.errors import InputError
from xiezuo.io import load_progress, load_scenario, parse_progress, progress_json_schema
from xiezuo.io.export_schema import render_progress_json_schema

ROOT = Path(__file__).parents[2]
SCHEMA_FILE = ROOT / "docs" / "progress.schema.json"
SHANGHAI = ZoneInfo("Asia/Shanghai")

# On tests/data/scenarios/small.yaml: CMT machines the housings of YN-1's mill on its
# two lathes; WJ's foundry is down for two days.
GOOD = """\
as_of: 1958-07-03
steps:
  - {work_order: "YN-1:MILL/HOUSING", step: 1, status: done, plant: CMT, machine: lathe,
     start: 1958-07-02T06:00, end: 1958-07-02T08:00}
  - work_order: "SC-1:MILL/HOUSING"
    step: 1
    status: started
    plant: CMT
    machine: lathe
    unit: 1
    start: 1958-07-02T06:00
    quantity_done: 1
down:
  - {plant: WJ, machine: foundry, from: 1958-07-03, until: 1958-07-04}
"""
GOOD_STEPS = GOOD.split("down:")[0]


@cache
def small() -> Network:
    return load_scenario(ROOT / "tests" / "data" / "scenarios" / "small.yaml")


@cache
def chongqing() -> Network:
    return load_scenario(ROOT / "examples" / "chongqing-1958.yaml")


def parse(text: str, fmt: str = "yaml") -> Progress:
    return parse_progress(text, f"progress.{fmt}", fmt, small())


def refusal(text: str, fmt: str = "yaml") -> InputError:
    with pytest.raises(InputError) as caught:
        parse(text, fmt)
    return caught.value


def test_the_day_one_example_loads_against_chongqing() -> None:
    progress = load_progress(ROOT / "examples" / "progress-day1.yaml", chongqing())
    assert progress.as_of == datetime(1958, 7, 2, tzinfo=SHANGHAI)
    assert {s.status for s in progress.steps} == {StepStatus.DONE, StepStatus.STARTED}
    assert progress.down
    assert progress.counts
    assert progress.receipts


def test_the_example_of_the_format_document_loads_against_chongqing() -> None:
    text = (ROOT / "docs" / "progress-format.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", text, re.DOTALL)
    assert block is not None
    progress = parse_progress(block.group(1), "progress-format.md", "yaml", chongqing())
    assert len(progress.steps) == 5


def test_a_status_date_alone_is_an_empty_progress() -> None:
    progress = parse("as_of: 1958-07-03\n")
    assert progress.is_empty
    assert progress.as_of == datetime(1958, 7, 3, tzinfo=SHANGHAI)


def test_yaml_and_json_say_the_same() -> None:
    as_json = json.dumps(yaml.safe_load(GOOD), default=str)
    assert parse(as_json, "json") == parse(GOOD)


def test_instants_are_read_in_the_network_zone() -> None:
    progress = parse(GOOD_STEPS.replace("end: 1958-07-02T08:00", "end: 1958-07-02T01:00+01:00"))
    report = progress.steps[0]
    assert report.start == datetime(1958, 7, 2, 6, tzinfo=SHANGHAI)
    assert report.end == datetime(1958, 7, 2, 8, tzinfo=SHANGHAI)
    assert report.end is not None
    assert report.end.tzinfo == SHANGHAI


def test_downtime_until_a_date_lasts_to_the_end_of_that_day() -> None:
    down = parse(GOOD).down[0]
    assert down.start == datetime(1958, 7, 3, tzinfo=SHANGHAI)
    assert down.end == datetime(1958, 7, 5, tzinfo=SHANGHAI)


def test_started_step_keeps_its_progress_figures() -> None:
    text = GOOD_STEPS.replace("quantity_done: 1", "quantity_done: 1\n    work_done_hours: 20.5")
    report = parse(text).steps[1]
    assert report.work_done == timedelta(hours=20.5)
    assert report.quantity_done == 1
    assert report.unit == 1


def test_misspelt_field_is_named_with_the_close_one() -> None:
    error = refusal(GOOD.replace("machine: lathe,", "machin: lathe,"))
    assert error.location == "steps[0].machin (line 3)"
    assert "unknown field 'machin'; did you mean 'machine'?" in error.problem


def test_misspelt_downtime_start_suggests_from() -> None:
    error = refusal(GOOD.replace("from: 1958-07-03", "form: 1958-07-03"))
    assert error.location.startswith("down[0].form")
    assert "did you mean 'from'?" in error.problem


def test_a_rule_of_the_network_is_reported_at_the_file_key() -> None:
    error = refusal(GOOD.replace("unit: 1", "unit: 2"))
    assert error.source == "progress.yaml"
    assert error.location == "steps[1].unit (line 10)"
    assert "'lathe' at 'CMT' has 2 units, numbered from 0 to 1" in error.problem


def test_downtime_problems_use_the_file_keys() -> None:
    error = refusal(GOOD.replace("from: 1958-07-03, until: 1958-07-04", "from: 1978-07-03"))
    assert error.location.startswith("down[0].from")
    assert "ten years" in error.problem


def test_a_record_breaking_its_own_rule_is_located() -> None:
    error = refusal(GOOD.replace(", end: 1958-07-02T08:00}", "}"))
    assert error.location == "steps[0] (line 3)"
    assert "step 1 of 'YN-1:MILL/HOUSING': a done step needs its end" in error.problem


def test_further_problems_are_counted() -> None:
    error = refusal(GOOD.replace("plant: CMT, machine", "plant: CMTX, machine").replace("WJ", "WX"))
    assert error.location == "steps[0].plant (line 3)"
    assert "unknown plant 'CMTX'; did you mean 'CMT'?" in error.problem
    assert error.problem.endswith("(and 1 more problem after this one)")


def test_json_problems_are_located_by_path() -> None:
    data = yaml.safe_load(GOOD_STEPS)
    data["steps"][1]["status"] = "begun"
    data["as_of"] = "1958-07-03"
    error = refusal(json.dumps(data), "json")
    assert error.location == "steps[1].status"
    assert "'done' or 'started'" in error.problem


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "the file is empty"),
        ("steps: []\n", "the required field 'as_of' is missing"),
        ("as_of: 1958-07-03\nas_of: 1958-07-04\n", "appears twice"),
        ("as_of: 1958-07-03\nparts: [{plant: CMT, item: MILL, quantity: -1}]\n", "-1"),
        ('as_of: 1958-07-03\nparts: [{plant: "CMT\\x1b", item: MILL, quantity: 1}]\n', "printable"),
        ("- as_of: 1958-07-03\n", "expected a mapping with the fields as_of, steps"),
        ("as_of: 1958-06-30\n", "before the network starts"),
    ],
)
def test_bad_progress_files_are_refused_with_the_cause(text: str, words: str) -> None:
    assert words in str(refusal(text))


def test_json_with_a_repeated_key_is_refused() -> None:
    assert "appears twice" in str(refusal('{"as_of": "1958-07-03", "as_of": "1958-07-04"}', "json"))


def test_load_progress_reads_json_files(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    path.write_text(json.dumps({"as_of": "1958-07-03T12:00"}), encoding="utf-8")
    assert load_progress(path, small()).as_of == datetime(1958, 7, 3, 12, tzinfo=SHANGHAI)


def test_load_progress_refuses_other_suffixes(tmp_path: Path) -> None:
    path = tmp_path / "progress.txt"
    path.write_text("as_of: 1958-07-03\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"must end in \.yaml, \.yml or \.json"):
        load_progress(path, small())


def test_committed_schema_is_in_sync_with_the_models() -> None:
    """If this fails, run: python -m xiezuo.io.export_schema docs/progress.schema.json progress"""
    assert SCHEMA_FILE.read_text(encoding="utf-8") == render_progress_json_schema()


def test_schema_rejects_unknown_fields_and_names_downtime_from() -> None:
    schema = progress_json_schema()
    definitions = [schema, *schema["$defs"].values()]
    assert all(d["additionalProperties"] is False for d in definitions if d.get("type") == "object")
    assert {"plant", "machine", "from"} <= set(schema["$defs"]["DownSpec"]["required"])
