"""``xiezuo advise``: the known answer at 80 columns, its JSON, a given plan, bad input as 2."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from xiezuo.cli._shared import EXIT_BAD_INPUT, reported
from xiezuo.cli.advise import advise
from xiezuo.io.plan_file import write_plan
from xiezuo.io.scenario import load_scenario
from xiezuo.planning.params import PlanParams
from xiezuo.planning.solve import plan

DATA = Path(__file__).parents[1] / "data"
ONE_LATHE = DATA / "advise" / "one-lathe.yaml"
MINIMAL = Path(__file__).parents[2] / "examples" / "minimal.yaml"
QUICK = ["--time-limit", "5", "--jobs", "1", "--workers", "1"]

runner = CliRunner(env={"COLUMNS": "80"})
# The command alone, as cli/main.py registers it.
app = typer.Typer()
app.command()(reported(advise))


def test_advise_names_the_shed_that_puts_the_late_order_on_time() -> None:
    result = runner.invoke(app, [str(ONE_LATHE), *QUICK])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert lines[0] == (
        "Base plan: 1 order late, weighted tardiness 144.0 h (bound 144.0 h); optimal."
    )
    row = next(line for line in lines if line.startswith("shed WORKS/lathe"))
    assert row.split()[-6:] == ["0.0", "h", "-144.0", "h", "yes", "1"]
    order_row = next(line for line in lines if line.startswith("SHAFT-B"))
    assert order_row.split() == [
        "SHAFT-B",
        "6.0",
        "d",
        "shed",
        "WORKS/lathe",
        "on",
        "time",
        "6.0",
        "d",
    ]
    summary = " ".join(result.stdout.partition("Summary")[2].split())
    assert summary.startswith("- One more unit of WORKS/lathe from 2030-01-21")
    assert "puts SHAFT-B on time (weighted tardiness 144 h → 0 h)." in summary
    assert "solved base plan" in result.stderr


def test_advise_writes_json_with_the_levers_as_variant_changes(tmp_path: Path) -> None:
    out = tmp_path / "advice.json"
    result = runner.invoke(app, [str(ONE_LATHE), *QUICK, "--json", str(out)])
    assert result.exit_code == 0, result.output
    record = json.loads(out.read_text(encoding="utf-8"))
    assert (record["format"], record["version"]) == ("xiezuo-advice", 1)
    assert record["settings"] == {"time_limit_s": 5.0, "workers": 1, "seed": 0}
    (lever,) = record["levers"]
    assert lever["changes"][0]["change"] == "add_machine"
    assert lever["significance"] == "significant"
    assert lever["orders"][0]["saved_hours"] == 144.0


def test_a_given_plan_is_the_base_and_is_not_solved_again(tmp_path: Path) -> None:
    path = tmp_path / "base.json"
    write_plan(plan(load_scenario(ONE_LATHE), PlanParams(time_limit_s=5, workers=1)), path)
    result = runner.invoke(app, [str(ONE_LATHE), str(path), *QUICK])
    assert result.exit_code == 0, result.output
    assert "solved base plan" not in result.stderr
    assert "solved shed WORKS/lathe" in result.stderr
    assert "puts SHAFT-B on time" in " ".join(result.stdout.split())


def test_a_variant_is_advised_as_its_merged_scenario(tmp_path: Path) -> None:
    """SHAFT-B due ten days later: nothing is late in the variant, nothing to fix."""
    variant = tmp_path / "later.yaml"
    variant.write_text(
        f"base: {ONE_LATHE}\nchanges: [{{change: set_order, order: SHAFT-B, due: 2030-02-20}}]\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, [str(variant), *QUICK])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Base plan: 0 orders late, weighted tardiness 0.0 h")
    assert "- No order is late in the base plan: there is nothing to fix." in result.stdout


def test_a_plan_of_another_scenario_exits_2(tmp_path: Path) -> None:
    other = tmp_path / "minimal.plan.json"
    write_plan(plan(load_scenario(MINIMAL), PlanParams(time_limit_s=5, workers=1)), other)
    result = runner.invoke(app, [str(ONE_LATHE), str(other), *QUICK])
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert "unknown to the scenario" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("network: {start: 2030-01-07}\n", "processes"),
        ("network: [\n", "YAML syntax error"),
    ],
)
def test_a_bad_scenario_exits_2_with_a_located_message(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, [str(path), *QUICK])
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert str(path) in result.stderr
    assert message in result.stderr


def test_a_missing_scenario_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, [str(tmp_path / "none.yaml"), *QUICK])
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert "none.yaml" in result.stderr


def test_a_json_path_in_a_missing_folder_exits_2_before_solving(tmp_path: Path) -> None:
    out = tmp_path / "no" / "advice.json"
    result = runner.invoke(app, [str(ONE_LATHE), *QUICK, "--json", str(out)])
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert "does not exist" in result.stderr
    assert "solved" not in result.stderr


def test_a_cluster_that_does_not_answer_exits_2() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = runner.invoke(app, [str(ONE_LATHE), *QUICK, "--cluster", f"tcp://127.0.0.1:{port}"])
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert f"127.0.0.1:{port}" in result.stderr
