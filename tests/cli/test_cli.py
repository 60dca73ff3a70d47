"""The ``xiezuo`` command end to end: exit codes, what it prints, and the files it writes."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from typer.testing import CliRunner

from xiezuo.cli.main import app
from xiezuo.domain import Plan, PlanStatus
from xiezuo.services.planning import PlanRun, load_network
from xiezuo.services.reports import OrderLine
from xiezuo.web import PLOTLYJS_FILENAME

if TYPE_CHECKING:
    from typer.testing import Result

EXAMPLE = Path(__file__).parents[2] / "examples" / "chongqing-1958.yaml"

# Rich wraps at the terminal width, 80 columns when there is no terminal; wide enough
# that no message or table row is wrapped, so the assertions see whole lines.
runner = CliRunner(env={"COLUMNS": "1000"})
# A narrow terminal, where tables must leave columns out rather than cut IDs or dates.
narrow = CliRunner(env={"COLUMNS": "80"})


def invoke(*args: str | Path) -> Result:
    return runner.invoke(app, [str(arg) for arg in args])


def invoke_narrow(*args: str | Path) -> Result:
    return narrow.invoke(app, [str(arg) for arg in args])


def minimal_scenario() -> dict[str, Any]:
    """A valid scenario: one plant casts a frame and assembles a press for one order."""
    return {
        "network": {"name": "Minimal", "start": "1958-07-01", "timezone": "Asia/Shanghai"},
        "processes": ["casting", "assembly"],
        "regions": ["East"],
        "plants": [
            {
                "id": "P1",
                "machines": [
                    {
                        "id": "foundry",
                        "process": "casting",
                        "max_weight_t": 10,
                        "precision_grade": 12,
                    },
                    {"id": "bay", "process": "assembly", "max_weight_t": 10, "precision_grade": 9},
                ],
            }
        ],
        "items": [
            {
                "id": "PRESS",
                "kind": "product",
                "weight_t": 5,
                "precision_grade": 9,
                "bom": [{"item": "FRAME", "quantity": 1}],
                "operations": [{"process": "assembly", "run_hours_per_unit": 8}],
            },
            {
                "id": "FRAME",
                "weight_t": 2,
                "precision_grade": 12,
                "operations": [{"process": "casting", "setup_hours": 2, "run_hours_per_unit": 4}],
            },
        ],
        "orders": [{"id": "ORD-1", "region": "East", "item": "PRESS", "due": "1958-07-31"}],
        "lanes": [{"from": "P1", "to": "East", "lead_days": 2}],
    }


def write_scenario(tmp_path: Path, data: dict[str, Any], name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def assert_bad_input(result: Result, *expected: str) -> None:
    """Exit status 2, each expected text on stderr, and no traceback anywhere."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # the command ended itself, no crash
    for text in expected:
        assert text in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


# ---- end to end on the bundled example ------------------------------------------------


@dataclass(frozen=True)
class PlannedExample:
    result: Result
    plan_file: Path


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> PlannedExample:
    """The bundled example planned once at 80 columns, for every test of a real plan."""
    plan_file = tmp_path_factory.mktemp("plan") / "plan.json"
    result = invoke_narrow(
        "plan", EXAMPLE, "--time-limit", "3", "--workers", "2", "--out", plan_file
    )
    return PlannedExample(result, plan_file)


@pytest.mark.slow
def test_plan_exits_zero_and_writes_the_plan_file(planned: PlannedExample) -> None:
    assert planned.result.exit_code == 0, planned.result.output
    assert json.loads(planned.plan_file.read_text(encoding="utf-8"))["format"] == "xiezuo-plan"


@pytest.mark.slow
def test_plan_summary_at_80_columns_has_every_order_with_whole_id_and_dates(
    planned: PlannedExample,
) -> None:
    summary = planned.result.stdout
    lines = summary.splitlines()
    tables = lines[lines.index("Orders by due date") : lines.index("Plants") + 8]
    assert max(len(line.rstrip()) for line in tables) <= 80
    deliveries = json.loads(planned.plan_file.read_text(encoding="utf-8"))["schedule"]["deliveries"]
    assert len(deliveries) == 44
    for delivery in deliveries:
        arrival = datetime.fromisoformat(delivery["arrival"])
        due_day = datetime.fromisoformat(delivery["due"]) - timedelta(days=1)  # end of day
        assert re.search(
            rf"^{delivery['order_id']} .* {arrival:%Y-%m-%d %H:%M} +{due_day:%Y-%m-%d} ",
            summary,
            re.MULTILINE,
        ), delivery["order_id"]
    assert "Times are in Asia/Shanghai (UTC+08:00)." in " ".join(summary.split())


@pytest.mark.slow
def test_plan_summary_names_plants_with_work_in_hours(planned: PlannedExample) -> None:
    for plant_id in ("CMT", "WJ", "CAC", "CTS", "CIS"):
        assert re.search(rf"^{plant_id} +[\d,.]+ h +\d+ %", planned.result.stdout, re.MULTILINE)


@pytest.mark.slow
def test_plan_summary_counts_orders_with_their_units(planned: PlannedExample) -> None:
    summary = " ".join(planned.result.stdout.split())
    assert re.search(r"\d+ orders? on time, \d+ late, 0 unplanned; weighted tardiness", summary)
    assert re.search(r"makespan [\d,.]+ d \(bound [\d,.]+ (d|h|min)\)", summary)


@pytest.mark.slow
def test_staff_at_80_columns_explains_its_columns_and_dates_changes_in_order(
    planned: PlannedExample,
) -> None:
    result = invoke_narrow("staff", EXAMPLE, planned.plan_file)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 80
    assert re.search(
        r"^CMT +turner +8 → 14 +6 of 6 on 1958-07-07 +\d+ % +\d+$", result.stdout, re.M
    )
    for column in ("on staff", "tightest", "booked", "person-hours", "days held up by people"):
        assert any(line.startswith(f"{column}: ") for line in lines), column
    changes = lines[lines.index("Staff changes") :]
    dates = [line[:10] for line in changes if re.match(r"\d{4}-\d\d-\d\d ", line)]
    assert len(dates) == 20
    assert dates == sorted(dates)


@pytest.mark.slow
def test_plan_summary_reports_the_validator_accepts_the_plan(planned: PlannedExample) -> None:
    assert "The independent validator accepts the plan" in planned.result.stdout


@pytest.mark.slow
def test_verify_accepts_the_written_plan(planned: PlannedExample) -> None:
    result = invoke("verify", EXAMPLE, planned.plan_file)
    assert result.exit_code == 0, result.output
    assert "The independent validator accepts the plan" in result.stdout


@pytest.mark.slow
def test_gantt_writes_self_contained_html_with_the_orders(
    planned: PlannedExample, tmp_path: Path
) -> None:
    html_file = tmp_path / "plan.html"
    result = invoke("gantt", planned.plan_file, "--out", html_file, "--self-contained")
    assert result.exit_code == 0, result.output
    html = html_file.read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith(("<!doctype html", "<html"))
    assert not re.search(r"<script[^>]+src=", html)
    assert list(tmp_path.iterdir()) == [html_file]
    for order_id in ("YN-MILL-01", "SC-PIPE-01", "CIS-OWN-01"):
        assert order_id in html


@pytest.mark.slow
def test_gantt_shares_plotly_beside_the_page_and_names_the_network(
    planned: PlannedExample, tmp_path: Path
) -> None:
    html_file = tmp_path / "plan.html"
    result = invoke("gantt", planned.plan_file, "--out", html_file, "--scenario", EXAMPLE)
    assert result.exit_code == 0, result.output
    html = html_file.read_text(encoding="utf-8")
    bundle = tmp_path / PLOTLYJS_FILENAME
    assert f'src="{PLOTLYJS_FILENAME}"' in html
    assert bundle.stat().st_size > 1_000_000
    assert len(html) < bundle.stat().st_size / 4
    assert re.search(r"<title>[^<]*Chongqing[^<]*plan\.json</title>", html)


@pytest.mark.slow
def test_verify_names_the_broken_precedence_of_a_tampered_plan(
    planned: PlannedExample, tmp_path: Path
) -> None:
    data = json.loads(planned.plan_file.read_text(encoding="utf-8"))
    operations = data["schedule"]["operations"]
    first_by_work_order = {op["work_order_id"]: op for op in operations if op["step"] == 1}
    second = next(
        op for op in operations if op["step"] == 2 and op["work_order_id"] in first_by_work_order
    )
    first = first_by_work_order[second["work_order_id"]]
    assert datetime.fromisoformat(first["start"]) < datetime.fromisoformat(second["start"])
    second["start"] = first["start"]  # step 2 now starts with step 1, before it ends
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(data), encoding="utf-8")

    result = invoke("verify", EXAMPLE, tampered)

    assert result.exit_code == 1, result.output
    assert "routing_precedence" in result.stdout
    assert second["work_order_id"] in result.stdout


# ---- validate --------------------------------------------------------------------------


def test_validate_accepts_the_bundled_example() -> None:
    result = invoke("validate", EXAMPLE)
    assert result.exit_code == 0, result.output
    assert "No findings" in result.stdout


def test_validate_accepts_the_minimal_scenario(tmp_path: Path) -> None:
    result = invoke("validate", write_scenario(tmp_path, minimal_scenario()))
    assert result.exit_code == 0, result.output
    assert "No findings" in result.stdout


def test_validate_counts_with_plurals() -> None:
    result = invoke("validate", Path(__file__).parents[2] / "examples" / "minimal.yaml")
    assert result.exit_code == 0, result.output
    assert "2 plants, 3 machine groups, 3 items, 1 order." in result.stdout


def test_validate_reads_a_benchmark_instance_in_the_format_given() -> None:
    ft06 = Path(__file__).parents[1] / "data" / "benchmarks" / "ft06.txt"
    result = invoke("validate", ft06, "--instance-format", "jssp")
    assert result.exit_code == 0, result.output
    assert "6 orders" in result.stdout


def test_validate_reports_an_order_no_plant_can_make(tmp_path: Path) -> None:
    data = minimal_scenario()
    data["items"][0]["weight_t"] = 50  # heavier than any machine takes
    result = invoke("validate", write_scenario(tmp_path, data))
    assert result.exit_code == 1, result.output
    assert "missing capability" in result.stdout
    assert "PRESS" in result.stdout


# ---- bad scenario input --------------------------------------------------------------


def edited(*path: str | int, value: Any) -> dict[str, Any]:
    """The minimal scenario with the value at ``path`` set (a new key or a replacement)."""
    data = minimal_scenario()
    parent: Any = data
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return data


BAD_SCENARIOS = [
    pytest.param(
        edited("orders", 0, "colour", value="red"),
        "orders[0].colour",
        "unknown field 'colour'",
        id="unknown-field",
    ),
    pytest.param(
        edited("orders", 0, "item", value="PRES"),
        "orders[0].item",
        "unknown item 'PRES'",
        id="unknown-item-in-order",
    ),
    pytest.param(
        edited("items", 1, "operations", 0, "process", value="forging"),
        "items[1].operations[0].process",
        "unknown process 'forging'",
        id="unknown-process-in-routing",
    ),
    pytest.param(
        edited("items", 1, "bom", value=[{"item": "PRESS"}]),
        "items[0].bom[0]",  # the cycle is reported from its first item
        "BOM cycle: PRESS -> FRAME -> PRESS",
        id="bom-cycle",
    ),
    pytest.param(
        edited("items", 1, "operations", 0, "run_hours_per_unit", value=-4),
        "items[1].operations[0].run_hours_per_unit",
        "greater than 0",
        id="negative-run-hours",
    ),
    pytest.param(
        edited("items", 1, "operations", 0, "run_hours_per_unit", value=0),
        "items[1].operations[0].run_hours_per_unit",
        "greater than 0",
        id="zero-run-hours",
    ),
    pytest.param(
        edited("items", 1, "operations", 0, "setup_hours", value=-2),
        "items[1].operations[0].setup_hours",
        "greater than or equal to 0",
        id="negative-setup-hours",
    ),
    pytest.param(
        edited("lanes", 0, "lead_days", value=-1),
        "lanes[0].lead_days",
        "greater than or equal to 0",
        id="negative-lead-days",
    ),
    pytest.param(
        edited("orders", 0, "due", value="1958-07-32"),
        "orders[0].due",
        "'1958-07-32' is not a calendar date",
        id="malformed-date",
    ),
    pytest.param(
        edited("lanes", value=[]),
        "lanes",
        "no lane from 'P1' to 'East'",
        id="missing-lane",
    ),
]


@pytest.mark.parametrize(("data", "location", "cause"), BAD_SCENARIOS)
def test_validate_rejects_bad_scenario_naming_file_location_and_cause(
    tmp_path: Path, data: dict[str, Any], location: str, cause: str
) -> None:
    path = write_scenario(tmp_path, data, "bad.yaml")
    assert_bad_input(invoke("validate", path), f"{path}: {location} (line ", cause)


@pytest.mark.parametrize(("data", "location", "cause"), BAD_SCENARIOS[:2])
def test_plan_rejects_bad_scenario_before_solving(
    tmp_path: Path, data: dict[str, Any], location: str, cause: str
) -> None:
    path = write_scenario(tmp_path, data, "bad.yaml")
    assert_bad_input(invoke("plan", path, "--time-limit", "1"), f"{path}: {location}", cause)


def test_validate_rejects_yaml_syntax_error_with_line_and_column(tmp_path: Path) -> None:
    text = yaml.safe_dump(minimal_scenario(), sort_keys=False)
    path = tmp_path / "bad.yaml"
    path.write_text(text.replace("processes:\n", "processes: [casting\n", 1), encoding="utf-8")
    result = invoke("validate", path)
    assert_bad_input(result, str(path), "YAML syntax error")
    assert re.search(rf"{re.escape(str(path))}: line \d+, column \d+: YAML syntax", result.stderr)


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("validate", "{missing}"), id="validate"),
        pytest.param(("plan", "{missing}", "--time-limit", "1"), id="plan"),
        pytest.param(("verify", "{missing}", "{scenario}"), id="verify-scenario"),
    ],
)
def test_missing_scenario_file_is_bad_input(tmp_path: Path, args: tuple[str, ...]) -> None:
    missing = tmp_path / "absent.yaml"
    scenario = write_scenario(tmp_path, minimal_scenario())
    argv = [arg.format(missing=missing, scenario=scenario) for arg in args]
    assert_bad_input(invoke(*argv), f"{missing}: cannot read the file", "No such file")


# ---- bad plan files ------------------------------------------------------------------


def plan_without_schedule() -> dict[str, Any]:
    return {
        "format": "xiezuo-plan",
        "version": 2,
        "status": "no solution in time",
        "tardiness_hours": None,
        "tardiness_bound": None,
        "makespan_hours": None,
        "makespan_bound_hours": None,
        "gap": None,
        "runtime_s": 1.0,
        "unplanned": [],
        "explanations": [],
        "schedule": None,
    }


def plan_with_bad_start() -> dict[str, Any]:
    data = plan_without_schedule()
    data["status"] = "feasible"
    operation = {
        "work_order_id": "ORD-1:PRESS",
        "step": 1,
        "process": "assembly",
        "plant_id": "P1",
        "machine_id": "bay",
        "unit": 0,
        "start": "next Tuesday",
        "end": "1958-07-02T14:00:00+08:00",
        "work_hours": 8.0,
    }
    data["schedule"] = {
        "work_orders": [],
        "operations": [operation],
        "shipments": [],
        "deliveries": [],
    }
    return data


BAD_PLAN_FILES = [
    pytest.param(
        '{\n  "format": "xiezuo-plan",\n  "version": 2,,\n}',
        "line 3, column 16",
        "not valid JSON",
        id="json-syntax",
    ),
    pytest.param(
        json.dumps(plan_with_bad_start()),
        "schedule.operations[0].start",
        "'next Tuesday'",
        id="bad-instant",
    ),
    pytest.param(
        json.dumps({**plan_without_schedule(), "status": "splendid"}),
        "status",
        "'splendid'",
        id="unknown-status",
    ),
]


@pytest.mark.parametrize(("text", "location", "cause"), BAD_PLAN_FILES)
def test_verify_rejects_malformed_plan_file(
    tmp_path: Path, text: str, location: str, cause: str
) -> None:
    plan_file = tmp_path / "bad-plan.json"
    plan_file.write_text(text, encoding="utf-8")
    scenario = write_scenario(tmp_path, minimal_scenario())
    assert_bad_input(invoke("verify", scenario, plan_file), f"{plan_file}: {location}", cause)


@pytest.mark.parametrize(("text", "location", "cause"), BAD_PLAN_FILES)
def test_gantt_rejects_malformed_plan_file(
    tmp_path: Path, text: str, location: str, cause: str
) -> None:
    plan_file = tmp_path / "bad-plan.json"
    plan_file.write_text(text, encoding="utf-8")
    html_file = tmp_path / "plan.html"
    assert_bad_input(
        invoke("gantt", plan_file, "--out", html_file), f"{plan_file}: {location}", cause
    )
    assert not html_file.exists()


@pytest.mark.parametrize("command", ["verify", "gantt"])
def test_missing_plan_file_is_bad_input(tmp_path: Path, command: str) -> None:
    missing = tmp_path / "absent.json"
    args = (
        [missing] if command == "gantt" else [write_scenario(tmp_path, minimal_scenario()), missing]
    )
    assert_bad_input(invoke(command, *args), f"{missing}: cannot read the file", "No such file")


def test_verify_reports_a_plan_without_a_schedule(tmp_path: Path) -> None:
    plan_file = tmp_path / "empty-plan.json"
    plan_file.write_text(json.dumps(plan_without_schedule()), encoding="utf-8")
    result = invoke("verify", write_scenario(tmp_path, minimal_scenario()), plan_file)
    assert result.exit_code == 1, result.output
    assert "no schedule" in result.stdout


# ---- an option or output path the command cannot use ----


@pytest.mark.parametrize(
    ("option", "value"), [("--time-limit", "0"), ("--workers", "-1")], ids=["time-limit", "workers"]
)
def test_plan_rejects_an_impossible_solver_option(tmp_path: Path, option: str, value: str) -> None:
    scenario = write_scenario(tmp_path, minimal_scenario())
    assert_bad_input(invoke("plan", scenario, option, value), option)


def test_plan_rejects_an_out_path_in_a_missing_directory(tmp_path: Path) -> None:
    out = tmp_path / "missing" / "plan.json"
    scenario = write_scenario(tmp_path, minimal_scenario())
    assert_bad_input(invoke("plan", scenario, "--time-limit", "1", "--out", out), str(out))


def test_gantt_rejects_an_out_path_in_a_missing_directory(tmp_path: Path) -> None:
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(plan_without_schedule()), encoding="utf-8")
    out = tmp_path / "missing" / "plan.html"
    assert_bad_input(invoke("gantt", plan_file, "--out", out), str(out))


# ---- plan output formats and exit status --------------------------------------------


def test_plan_csv_prints_only_the_order_lines_on_stdout(tmp_path: Path) -> None:
    scenario = write_scenario(tmp_path, minimal_scenario())
    result = invoke("plan", scenario, "--time-limit", "2", "--workers", "1", "--format", "csv")
    assert result.exit_code == 0, result.output
    header, row = list(csv.reader(io.StringIO(result.stdout)))
    assert tuple(header) == OrderLine.RECORD_FIELDS
    record = dict(zip(header, row, strict=True))
    assert (record["order"], record["plants"], record["planned"]) == ("ORD-1", "P1", "true")
    assert record["due"] == "1958-08-01T00:00:00+08:00"  # the end of 31 July
    assert "weighted tardiness" in result.stderr


def test_plan_json_prints_a_list_of_order_records_on_stdout(tmp_path: Path) -> None:
    scenario = write_scenario(tmp_path, minimal_scenario())
    result = invoke("plan", scenario, "--time-limit", "2", "--workers", "1", "--format", "json")
    assert result.exit_code == 0, result.output
    (record,) = json.loads(result.stdout)
    assert (record["order"], record["plants"], record["late"]) == ("ORD-1", ["P1"], False)
    assert isinstance(record["lateness_hours"], float)
    assert "The independent validator accepts the plan." in result.stderr


def test_plan_with_an_order_no_plant_can_make_exits_one_and_lists_it(tmp_path: Path) -> None:
    data = minimal_scenario()
    data["items"].append({**data["items"][0], "id": "GIANT", "weight_t": 50})
    data["orders"].append({"id": "ORD-2", "region": "East", "item": "GIANT", "due": "1958-08-01"})
    result = invoke("plan", write_scenario(tmp_path, data), "--time-limit", "2", "--workers", "1")
    assert result.exit_code == 1, result.output
    assert re.search(r"^ORD-2 +GIANT +East +– +– +unplanned +1958-08-01", result.stdout, re.M)
    assert "1 order on time, 0 late, 1 unplanned" in result.stdout
    assert "unplanned ORD-2: missing capability" in result.stdout


@pytest.mark.parametrize(
    ("status", "exit_code"),
    [(PlanStatus.NO_SOLUTION, 1), (PlanStatus.INFEASIBLE, 1), (PlanStatus.MODEL_INVALID, 3)],
)
def test_plan_without_a_schedule_does_not_exit_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, status: PlanStatus, exit_code: int
) -> None:
    def no_plan(path: Path, *args: object, **kwargs: object) -> PlanRun:
        return PlanRun(load_network(path), Plan(status=status, schedule=None), (), ())

    monkeypatch.setattr("xiezuo.cli.plan.plan_scenario", no_plan)
    result = invoke("plan", write_scenario(tmp_path, minimal_scenario()), "--time-limit", "1")
    assert result.exit_code == exit_code, result.output
    assert f"{status.value}: " in result.stdout
    assert "orders on time" not in result.stdout


def test_plan_help_documents_formats_and_exit_status() -> None:
    result = invoke("plan", "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.replace("│", " ").split())
    for phrase in ("<table|csv|json>", "--instance-format", "Exit status: 0", "unplanned"):
        assert phrase in text


@pytest.mark.parametrize("command", ["staff", "materials"])
def test_scenario_reports_have_no_benchmark_format_option(command: str) -> None:
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert "--format" not in result.stdout


def test_version_comes_from_the_package_metadata() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout == f"xiezuo {version('xiezuo')}\n"


def test_staff_of_a_scenario_without_people_says_so(tmp_path: Path) -> None:
    result = invoke("staff", write_scenario(tmp_path, minimal_scenario()))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("The scenario has no staff section")


def test_staff_page_is_titled_with_the_network(tmp_path: Path) -> None:
    page = tmp_path / "staff.html"
    result = invoke("staff", write_scenario(tmp_path, minimal_scenario()), "--html", page)
    assert result.exit_code == 0, result.output
    assert "<title>xiezuo staff: Minimal</title>" in page.read_text(encoding="utf-8")


def test_staff_with_a_plan_without_schedule_says_so(tmp_path: Path) -> None:
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(plan_without_schedule()), encoding="utf-8")
    result = invoke("staff", EXAMPLE, plan_file)
    assert result.exit_code == 0, result.output
    assert "The plan has no schedule (status: no solution in time)" in result.stdout
    assert "booked" not in result.stdout.split("Skilled people")[1].splitlines()[1]
