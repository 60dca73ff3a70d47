"""``xiezuo generate``: writes a scenario the other commands accept; bad options exit 2."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import typer
from typer.testing import CliRunner

from xiezuo.cli import generate as generate_module
from xiezuo.cli._shared import EXIT_BAD_INPUT, reported
from xiezuo.cli.check import validate
from xiezuo.cli.generate import generate

if TYPE_CHECKING:
    from pathlib import Path

runner = CliRunner(env={"COLUMNS": "80"})
app = typer.Typer()
app.command("generate")(reported(generate))
app.command("validate")(reported(validate))


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_generated_file_passes_validate(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"net{suffix}"
    made = runner.invoke(
        app, ["generate", "--ops", "300", "--materials", "heavy", "--seed", "4", "--out", str(out)]
    )
    assert made.exit_code == 0, made.output
    assert "300 operations (seed 4)" in made.output
    checked = runner.invoke(app, ["validate", str(out)])
    assert checked.exit_code == 0, checked.output
    assert "No findings" in checked.output


def test_the_file_gets_the_mode_any_new_file_gets(tmp_path: Path) -> None:
    out, plain = tmp_path / "net.json", tmp_path / "plain.json"
    plain.write_text("{}")
    runner.invoke(app, ["generate", "--ops", "50", "--out", str(out)])
    assert out.stat().st_mode == plain.stat().st_mode


def test_the_same_seed_writes_the_same_file(tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    for out in (first, second):
        runner.invoke(app, ["generate", "--ops", "200", "--seed", "9", "--out", str(out)])
    assert first.read_bytes() == second.read_bytes()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--ops", "5"], "--ops: the number of operations must be 10 to 1,000,000, not 5"),
        (["--ops", "100", "--plants", "0"], "--plants: the number of plants must be 1 to 500"),
        (["--ops", "100", "--materials", "lots"], "'lots' is not one of"),
        (["--ops", "100", "--seed", "-1"], "--seed"),
    ],
)
def test_bad_options_exit_2_with_the_option_named(
    tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "net.json"
    result = runner.invoke(app, ["generate", *args, "--out", str(out)])
    assert result.exit_code == EXIT_BAD_INPUT
    assert message in " ".join(result.output.split())
    assert not out.exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("net.txt", "unknown scenario format '.txt'; use .json, .yaml or .yml"),
        ("missing/net.json", "cannot write the scenario there: the folder"),
    ],
)
def test_an_unusable_output_file_exits_2(tmp_path: Path, name: str, message: str) -> None:
    result = runner.invoke(app, ["generate", "--ops", "100", "--out", str(tmp_path / name)])
    assert result.exit_code == EXIT_BAD_INPUT
    assert message in " ".join(result.output.split())
    assert list(tmp_path.iterdir()) == []


def test_a_network_too_big_for_yaml_is_refused_with_a_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The loader would refuse the file, so it is not written."""
    monkeypatch.setattr(generate_module, "MAX_YAML_BYTES", 10_000)
    out = tmp_path / "net.yaml"
    result = runner.invoke(app, ["generate", "--ops", "2000", "--out", str(out)])
    assert result.exit_code == EXIT_BAD_INPUT
    assert "more than the 10,000 bytes a YAML scenario may have; write it as .json" in " ".join(
        result.output.split()
    )
    assert not out.exists()
