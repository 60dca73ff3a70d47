"""Benchmark runs: instance discovery, best-known tables, gaps and the CSV columns."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xiezuo.cli.main import app
from xiezuo.errors import InputError
from xiezuo.planning.params import PlanParams
from xiezuo.services.bench import (
    CSV_HEADER,
    BenchRow,
    find_instances,
    mean_gaps,
    read_bks,
    run_instance,
)

DATA = Path(__file__).parents[1] / "data" / "benchmarks"


def test_folders_yield_their_instance_files_but_not_the_bks_table() -> None:
    names = [p.name for p in find_instances([DATA])]
    assert "ft06.txt" in names
    assert "mk01.fjs" in names
    assert "bks.csv" not in names


def test_a_missing_path_is_bad_input() -> None:
    with pytest.raises(InputError, match="no such file or folder"):
        find_instances([DATA / "nope.fjs"])


def test_bks_table_gives_upper_bounds_by_instance() -> None:
    known = read_bks(DATA / "bks.csv")
    assert known["ft06"] == 55
    assert known["mk01"] == 40


def test_malformed_bks_value_names_the_line(tmp_path: Path) -> None:
    table = tmp_path / "bks.csv"
    table.write_text(
        "instance,n_jobs,n_machines,lower_bound,upper_bound,optimal,source\nx,1,1,1,abc,no,s\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"line 2.*'abc' is not a positive whole number"):
        read_bks(table)


@pytest.mark.parametrize(
    ("content", "cause"),
    [
        (b"instance,upper_bound\nft06,\xff\n", r"line 2: byte 0xff is not UTF-8 text"),
        (b"instance,upper_bound\nft06,-5\n", r"line 2: upper_bound '-5' is not a positive"),
        (b"instance,upper_bound\nft06,0\n", r"line 2: upper_bound '0' is not a positive"),
        ("instance,upper_bound\nft06,\u00b2\n".encode(), r"line 2: upper_bound '\u00b2'"),
        (b"instance,upper_bound\nft06," + b"9" * 5000 + b"\n", r"at most 15 digits"),
        (b"a,b\n1,2\n", r"line 1: expected the columns instance and upper_bound"),
    ],
)
def test_a_bad_bks_table_is_bad_input_with_its_line(
    tmp_path: Path, content: bytes, cause: str
) -> None:
    table = tmp_path / "bks.csv"
    table.write_bytes(content)
    with pytest.raises(InputError, match=cause):
        read_bks(table)


@pytest.mark.parametrize("kind", ["missing", "folder", "fifo"])
def test_a_bks_path_that_is_not_a_file_is_bad_input(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "bks.csv"
    if kind == "folder":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    with pytest.raises(InputError, match=r"cannot read the table: (no such|not a regular) file"):
        read_bks(path)


def test_a_pipe_among_the_instances_is_bad_input(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.txt"
    os.mkfifo(pipe)
    with pytest.raises(InputError, match="not a regular file or folder"):
        find_instances([pipe])


def test_gaps_are_relative_to_best_known_and_to_the_makespan() -> None:
    row = BenchRow(
        instance="x", makespan=110, lower_bound=99, bks=100, time_to_best_s=1.0, status="feasible"
    )
    assert row.gap_bks_pct == pytest.approx(10.0)
    assert row.gap_bound_pct == pytest.approx(10.0)
    unknown = BenchRow(
        instance="y", makespan=50, lower_bound=50, bks=None, time_to_best_s=0.0, status="optimal"
    )
    assert unknown.gap_bks_pct is None
    to_bks, to_bound = mean_gaps([row, unknown])
    assert to_bks == pytest.approx(10.0)
    assert to_bound == pytest.approx(5.0)


@pytest.mark.slow
def test_ft06_reaches_its_proven_optimum() -> None:
    row = run_instance(DATA / "ft06.txt", PlanParams(time_limit_s=20, workers=2), {"ft06": 55})
    assert row.makespan == 55
    assert row.gap_bks_pct == 0
    assert row.status == "optimal"


@pytest.mark.slow
def test_bench_command_writes_the_documented_csv(tmp_path: Path) -> None:
    out = tmp_path / "results.csv"
    result = CliRunner(env={"COLUMNS": "200"}).invoke(
        app,
        [
            "bench",
            str(DATA / "ft06.txt"),
            str(DATA / "mk01.fjs"),
            "--time-limit",
            "5",
            "--workers",
            "2",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "mean gap to best known" in result.stdout
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == CSV_HEADER
    assert [r[0] for r in rows[1:]] == ["ft06", "mk01"]
    assert all(r[3] for r in rows[1:])  # best-known values found in bks.csv beside them


def test_bench_table_keeps_instance_names_and_statuses_whole_when_narrow(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    row = BenchRow(
        instance="Ta001_2-long-name",
        makespan=759,
        lower_bound=353,
        bks=None,
        time_to_best_s=1.6,
        status="feasible",
    )
    monkeypatch.setattr("xiezuo.cli.bench.run_instance", lambda *_, **__: row)
    result = CliRunner(env={"COLUMNS": "50"}).invoke(app, ["bench", str(DATA / "ft06.txt")])
    assert result.exit_code == 0, result.output
    assert "Ta001_2-long-name" in result.stdout
    assert "feasible" in result.stdout
    assert "…" not in result.stdout
    assert "1 instance;" in result.stdout
