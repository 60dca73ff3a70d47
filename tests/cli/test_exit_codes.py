"""The exit status table of ``xiezuo.cli._shared`` holds for every command, and user text
(ids, file names) is printed literally, never read as Rich markup."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest
import yaml
from typer.testing import CliRunner

from xiezuo.cli import _shared
from xiezuo.cli.main import app
from xiezuo.errors import InputError, PlanningError
from xiezuo.planning.params import PlanParams
from xiezuo.planning.validation.audit import Violation
from xiezuo.services.bench import BenchRow
from xiezuo.services.planning import plan_scenario

if TYPE_CHECKING:
    from typer.testing import Result

DATA = Path(__file__).parents[1] / "data"
SMALL = DATA / "scenarios" / "small.yaml"
FT06 = DATA / "benchmarks" / "ft06.txt"
MARKUP = "[bold]x[/x]"

runner = CliRunner(env={"COLUMNS": "1000"})


def invoke(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return runner.invoke(app, [str(arg) for arg in args], env=env)


def assert_exit(result: Result, code: int, *expected: str) -> None:
    """``code``, each expected text in the output, and no traceback."""
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    for text in expected:
        assert text in result.output
    assert "Traceback" not in result.output


def explode(*_: object, **__: object) -> NoReturn:
    raise RuntimeError(f"boom {MARKUP}")


def never(*_: object, **__: object) -> NoReturn:
    raise AssertionError("must not be reached")


# ---- 3: internal errors, 130: interrupted ---------------------------------------------


def test_an_unexpected_exception_exits_three_with_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("xiezuo.cli.check.check_scenario", explode)
    result = invoke("validate", SMALL)
    assert_exit(result, 3, "internal error, please report it", f"RuntimeError: boom {MARKUP}")
    assert "XIEZUO_DEBUG=1" in result.stderr


def test_the_debug_variable_adds_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("xiezuo.cli.check.check_scenario", explode)
    result = invoke("validate", SMALL, env={"XIEZUO_DEBUG": "1"})
    assert result.exit_code == 3
    assert "Traceback" in result.stderr
    assert "in explode" in result.stderr


def test_a_planning_error_is_a_bug_not_bad_input(monkeypatch: pytest.MonkeyPatch) -> None:
    def misuse(*_: object) -> NoReturn:
        raise PlanningError("the engine built an invalid model")

    monkeypatch.setattr("xiezuo.cli.check.check_scenario", misuse)
    assert_exit(invoke("validate", SMALL), 3, "PlanningError: the engine built an invalid model")


def test_ctrl_c_exits_130(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(*_: object) -> NoReturn:
        raise KeyboardInterrupt

    monkeypatch.setattr("xiezuo.cli.check.check_scenario", interrupt)
    assert_exit(invoke("validate", SMALL), 130, "interrupted")


# ---- 2: bad options and bad output paths ----------------------------------------------


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--time-limit", "nan"),
        ("--time-limit", "inf"),
        ("--time-limit", "1e308"),
        ("--time-limit", "0"),
        ("--seed", str(2**70)),
        ("--seed", "-1"),
        ("--workers", str(2**40)),
    ],
)
@pytest.mark.parametrize("command", ["plan", "bench"])
def test_an_option_the_solver_cannot_take_is_bad_input(
    monkeypatch: pytest.MonkeyPatch, command: str, option: str, value: str
) -> None:
    monkeypatch.setattr("xiezuo.cli.plan.plan_scenario", never)
    monkeypatch.setattr("xiezuo.cli.bench.run_instance", never)
    assert_exit(invoke(command, FT06, option, value), 2, option)


def out_paths(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """Output paths that cannot be written, with what the message says about each."""
    a_file = tmp_path / "a-file"
    a_file.write_text("x", encoding="utf-8")
    return {
        "folder": (tmp_path, "it is a folder"),
        "missing folder": (tmp_path / MARKUP / "out", "does not exist"),
        "under a file": (a_file / "out", "is not a folder"),
        "proc": (Path("/proc/xiezuo-out"), "cannot write"),
    }


@pytest.mark.parametrize("kind", ["folder", "missing folder", "under a file", "proc"])
@pytest.mark.parametrize(
    "args",
    [
        ("plan", SMALL, "--out"),
        ("bench", FT06, "--out"),
        ("staff", SMALL, "--html"),
        ("replan", SMALL, "progress.yaml", "--out"),
    ],
    ids=["plan", "bench", "staff", "replan"],
)
def test_an_unwritable_output_is_refused_before_any_work(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, kind: str, args: tuple[str | Path, ...]
) -> None:
    monkeypatch.setattr("xiezuo.cli.plan.plan_scenario", never)
    monkeypatch.setattr("xiezuo.cli.bench.read_instance", never)
    monkeypatch.setattr("xiezuo.cli.reports.load_network", never)
    monkeypatch.setattr("xiezuo.cli.replan.replan_scenario", never)
    out, reason = out_paths(tmp_path)[kind]
    assert_exit(invoke(*args, out), 2, str(out), reason)


def test_the_probe_neither_truncates_nor_leaves_a_file(tmp_path: Path) -> None:
    kept, new = tmp_path / "kept.csv", tmp_path / "new.csv"
    kept.write_text("earlier results\n", encoding="utf-8")
    for out in (kept, new):
        assert invoke("bench", tmp_path / "nope.txt", "--out", out).exit_code == 2
    assert kept.read_text(encoding="utf-8") == "earlier results\n"
    assert not new.exists()


def test_a_failed_final_write_is_bad_input_and_keeps_the_results_printed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    row = BenchRow(
        instance=MARKUP, makespan=55, lower_bound=55, bks=55, time_to_best_s=0.1, status="optimal"
    )
    monkeypatch.setattr("xiezuo.cli.bench.run_instance", lambda *_, **__: row)
    result = invoke("bench", FT06, "--out", "/dev/full")
    assert_exit(result, 2, MARKUP, "/dev/full: could not write the results: No space left")


def test_plan_prints_the_plan_before_a_failed_write_of_its_file() -> None:
    result = invoke("plan", FT06, "--time-limit", "1", "--workers", "1", "--out", "/dev/full")
    assert_exit(result, 2, "/dev/full: could not write the plan: No space left")
    assert "The independent validator accepts the plan" in result.output


def test_plan_scenario_turns_a_failed_write_into_bad_input(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"could not write the plan"):
        plan_scenario(FT06, PlanParams(time_limit_s=1, workers=1), out=tmp_path)


# ---- bench: every input read before the first solve; findings exit 1 ------------------


def test_bench_reads_every_instance_before_solving(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "ft06.txt").write_text(FT06.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "zz.txt").write_text("2 2\n0 1 1 x\n", encoding="utf-8")
    monkeypatch.setattr("xiezuo.cli.bench.run_instance", never)
    assert_exit(invoke("bench", tmp_path), 2, "zz.txt: line 2, column 7")


@pytest.mark.parametrize(
    ("status", "makespan", "code"),
    [
        ("optimal", 55, 0),
        ("invalid plan", 55, 1),
        ("no solution in time", None, 1),
        ("model invalid", None, 3),
    ],
)
def test_bench_exit_status_follows_the_rows(
    monkeypatch: pytest.MonkeyPatch, status: str, makespan: int | None, code: int
) -> None:
    row = BenchRow(
        instance="ft06",
        makespan=makespan,
        lower_bound=None,
        bks=55,
        time_to_best_s=None,
        status=status,
    )
    monkeypatch.setattr("xiezuo.cli.bench.run_instance", lambda *_, **__: row)
    assert_exit(invoke("bench", FT06), code, status)


# ---- literal user text ----------------------------------------------------------------


def test_a_file_name_with_markup_is_printed_literally(tmp_path: Path) -> None:
    folder = tmp_path / "[bold]x["
    folder.mkdir()
    scenario = folder / "x].yaml"
    scenario.write_text(SMALL.read_text(encoding="utf-8"), encoding="utf-8")
    assert_exit(invoke("validate", scenario), 0, f"{scenario}: 2 plants")
    missing = folder / "[/x].yaml"
    assert_exit(invoke("validate", missing), 2, str(missing))


def test_an_id_with_markup_is_printed_literally(tmp_path: Path) -> None:
    data = yaml.safe_load(SMALL.read_text(encoding="utf-8"))
    data["orders"][0]["item"] = MARKUP
    scenario = tmp_path / "bad.yaml"
    scenario.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = invoke("validate", scenario)
    assert result.exit_code == 2
    assert MARKUP in result.stderr


def test_violations_are_listed_five_per_rule_with_counts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    violations = tuple(
        Violation(rule=rule, subject=f"{MARKUP} {n}", message="broken")
        for rule, count in (("work_order", 600), ("calendar", 2))
        for n in range(count)
    )
    _shared.print_violations(violations)
    out = capsys.readouterr().out
    assert "602 violations (work_order 600, calendar 2):" in out
    assert out.count("work_order [bold]x[/x]") == 5
    assert out.count("calendar [bold]x[/x]") == 2
    assert "… and 595 more work_order violations" in out


# ---- verify: a plan of another scenario -----------------------------------------------


def test_verify_names_a_plan_of_another_scenario(tmp_path: Path) -> None:
    plan_file = tmp_path / "other-plan.json"
    plan_scenario(FT06, PlanParams(time_limit_s=1, workers=1), out=plan_file)
    text = plan_file.read_text(encoding="utf-8")
    plan_file.write_text(re.sub(r'"J([0-9])', r'"K\1', text), encoding="utf-8")
    result = invoke("verify", FT06, plan_file)
    assert_exit(
        result,
        2,
        f"{plan_file}: 6 of the plan's 6 orders (6 work orders) are unknown to the scenario "
        f"{FT06}, which has 6 orders; first 5: 'K1', 'K2', 'K3', 'K4', 'K5'.",
        "Is it the plan of another scenario?",
    )


@pytest.mark.parametrize(
    ("args", "option", "needs"),
    [
        (("--frozen-days", "2"), "--frozen-days", "--previous"),
        (("--previous", "plan.json"), "--previous", "--progress"),
        (("--previous", "plan.json", "--frozen-days", "2"), "--previous", "--progress"),
    ],
)
def test_verify_options_of_a_replan_that_need_another_are_usage_errors(
    monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], option: str, needs: str
) -> None:
    monkeypatch.setattr("xiezuo.cli.check.verify_plan_file", never)
    assert_exit(invoke("verify", SMALL, "plan.json", *args), 2, option, f"needs {needs}")
