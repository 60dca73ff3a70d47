"""``xiezuo export --xlsx`` and ``xiezuo import``: the round trip, and bad input writing nothing."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from xiezuo.cli.main import app
from xiezuo.io import load_scenario

EXAMPLE = Path(__file__).parents[2] / "examples" / "chongqing-1958.yaml"
runner = CliRunner(env={"COLUMNS": "80"})


def test_export_then_import_gives_the_same_network(tmp_path: Path) -> None:
    exported = runner.invoke(app, ["export", str(EXAMPLE), "--xlsx", str(tmp_path / "s.xlsx")])
    assert exported.exit_code == 0, exported.output
    assert "25 sheets, 5 plants, 41 items, 44 orders" in exported.output
    imported = runner.invoke(
        app, ["import", str(tmp_path / "s.xlsx"), "--out", str(tmp_path / "s.yaml")]
    )
    assert imported.exit_code == 0, imported.output
    assert "5 plants, 19 machine groups, 41 items, 44 orders" in imported.output
    assert load_scenario(tmp_path / "s.yaml") == load_scenario(EXAMPLE)


def test_a_bad_workbook_exits_2_names_the_cell_and_writes_nothing(tmp_path: Path) -> None:
    runner.invoke(app, ["export", str(EXAMPLE), "--xlsx", str(tmp_path / "s.xlsx")])
    book = openpyxl.load_workbook(tmp_path / "s.xlsx")
    book["orders"]["C7"].value = "MILL-10"
    book.save(tmp_path / "s.xlsx")
    out = tmp_path / "s.yaml"
    out.write_text("kept\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(tmp_path / "s.xlsx"), "--out", str(out)])
    assert result.exit_code == 2
    assert "orders!C7: unknown item 'MILL-10'; did you mean 'MILL-10K'?" in result.stderr
    assert "Traceback" not in result.output
    assert out.read_text(encoding="utf-8") == "kept\n"
    assert {p.name for p in tmp_path.iterdir()} == {"s.xlsx", "s.yaml"}  # no temporary left


def test_a_bad_scenario_is_not_exported(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE.read_text(encoding="utf-8").replace("item: MILL-10K", "item: MILL-1"))
    result = runner.invoke(app, ["export", str(bad), "--xlsx", str(tmp_path / "s.xlsx")])
    assert result.exit_code == 2
    assert "unknown item 'MILL-1'" in result.stderr
    assert not (tmp_path / "s.xlsx").exists()


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["export", str(EXAMPLE), "--xlsx", "s.xls"], "must end in .xlsx"),
        (["import", "s.xlsx", "--out", "s.txt"], "must end in .yaml, .yml or .json"),
    ],
)
def test_output_names_are_checked_before_any_work(args: list[str], problem: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert problem in result.stderr


def test_import_feeds_a_pipe_named_as_the_output(tmp_path: Path) -> None:
    runner.invoke(app, ["export", str(EXAMPLE), "--xlsx", str(tmp_path / "s.xlsx")])
    pipe = tmp_path / "s.yaml"
    os.mkfifo(pipe)
    with ThreadPoolExecutor(max_workers=1) as pool:
        reader = pool.submit(pipe.read_text, encoding="utf-8")
        result = runner.invoke(app, ["import", str(tmp_path / "s.xlsx"), "--out", str(pipe)])
        text = reader.result(timeout=60)
    assert result.exit_code == 0, result.output
    assert pipe.is_fifo()
    assert text.startswith("network:")
