"""Benchmark instances become ordinary networks; malformed files fail at a line and column."""

from __future__ import annotations

import csv
import os
import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from xiezuo.domain import MachineTime, Network, validate_network
from xiezuo.errors import InputError
from xiezuo.io import BENCHMARK_FORMATS, benchmarks, is_benchmark_file, read_instance
from xiezuo.planning.params import PlanParams
from xiezuo.planning.solve import plan
from xiezuo.planning.validation.audit import validate_plan

DATA = Path(__file__).parents[1] / "data" / "benchmarks"
FT06 = DATA / "ft06.txt"
LA01 = DATA / "la01.txt"
MK01 = DATA / "mk01.fjs"
DFJSP = DATA / "10J2F.txt"
DPFSP = DATA / "Ta001_2.txt"


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


def op_count(network: Network) -> int:
    return sum(len(item.routings[0].operations) for item in network.items)


def machine_times(network: Network, job: str, step: int) -> tuple[MachineTime, ...]:
    """Machine times of 1-based ``step`` of ``job``'s only routing."""
    (routing,) = network.item_by_id[job].routings
    return routing.operations[step - 1].machine_times


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- readers -------------------------------------------------------------------------


def test_jssp_reader_gives_one_plant_one_machine_per_operation() -> None:
    network = read_instance(FT06)
    assert network.name == "ft06"
    assert [p.id for p in network.plants] == ["F1"]
    assert [m.id for m in network.plants[0].machines] == [f"M{m}" for m in range(1, 7)]
    assert len(network.items) == len(network.orders) == 6
    assert op_count(network) == 36
    # Job 1 is "2 1 0 3 ...": machine 2 (0-based) for 1, then machine 0 for 3.
    assert machine_times(network, "J1", 1) == (
        MachineTime(machine_id="M3", run_per_unit=minutes(1)),
    )
    assert machine_times(network, "J1", 2) == (
        MachineTime(machine_id="M1", run_per_unit=minutes(3)),
    )


def test_la01_has_ten_jobs_on_five_machines() -> None:
    network = read_instance(LA01)
    assert len(network.items) == 10
    assert len(network.plants[0].machines) == 5
    assert op_count(network) == 50


def test_fjsp_reader_lists_every_eligible_machine_with_its_time() -> None:
    network = read_instance(MK01)
    assert len(network.items) == 10
    assert len(network.plants[0].machines) == 6
    assert op_count(network) == 55
    assert machine_times(network, "J1", 1) == (
        MachineTime(machine_id="M1", run_per_unit=minutes(5)),
        MachineTime(machine_id="M3", run_per_unit=minutes(4)),
    )
    assert all(
        op.run_per_unit is None for item in network.items for op in item.routings[0].operations
    )


def test_dfjsp_reader_gives_factory_specific_times() -> None:
    network = read_instance(DFJSP)
    assert [p.id for p in network.plants] == ["F1", "F2"]
    assert all(len(p.machines) == 5 for p in network.plants)
    assert len(network.items) == 10
    assert op_count(network) == 50
    # Job 1 operation 2: "2 3 1 18 2 17 3 11" in factory 1, "2 2 1 10 4 18" is job 2's.
    times = machine_times(network, "J1", 2)
    f1 = {mt.machine_id: mt.run_per_unit for mt in times if mt.plant_id == "F1"}
    f2 = {mt.machine_id: mt.run_per_unit for mt in times if mt.plant_id == "F2"}
    assert f1 == {"M1": minutes(18), "M2": minutes(17), "M3": minutes(11)}
    assert set(f2) == set(f1)
    assert all(mt.plant_id is not None for mt in times)


def test_dpfsp_reader_gives_identical_factories_and_a_flow_route() -> None:
    network = read_instance(DPFSP)
    assert [p.id for p in network.plants] == ["F1", "F2"]
    assert len(network.items) == 20
    assert op_count(network) == 100
    (routing,) = network.item_by_id["J1"].routings
    assert [op.machine_times for op in routing.operations] == [
        (MachineTime(machine_id=f"M{m}", run_per_unit=minutes(p)),)
        for m, p in enumerate((54, 79, 16, 66, 58), start=1)
    ]


def test_orders_have_no_due_date_and_lanes_are_free() -> None:
    network = read_instance(DFJSP)
    assert {(o.id, o.item_id, o.region, o.quantity, o.due) for o in network.orders} == {
        (f"J{j}", f"J{j}", "customer", 1, None) for j in range(1, 11)
    }
    assert network.regions == ("customer",)
    assert {(lane.origin, lane.destination) for lane in network.lanes} == {
        ("F1", "customer"),
        ("F2", "customer"),
        ("F1", "F2"),
        ("F2", "F1"),
    }
    assert all(lane.lead_time == timedelta(0) for lane in network.lanes)


def test_network_works_round_the_clock_from_a_monday() -> None:
    network = read_instance(FT06)
    assert network.start.weekday() == 0
    start = network.start
    assert network.calendar.working_time(start, start + timedelta(days=14)) == timedelta(days=14)


@pytest.mark.parametrize("path", [FT06, LA01, MK01, DFJSP, DPFSP], ids=lambda p: p.stem)
def test_every_vendored_instance_passes_validate_network(path: Path) -> None:
    validate_network(read_instance(path))


def test_bks_rows_match_the_vendored_instances() -> None:
    with (DATA / "bks.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert {r["instance"] for r in rows} == {p.stem for p in (FT06, LA01, MK01, DFJSP, DPFSP)}
    for row in rows:
        (path,) = DATA.glob(f"{row['instance']}.*")
        network = read_instance(path)
        assert len(network.items) == int(row["n_jobs"])
        assert len(network.plants[0].machines) == int(row["n_machines"])


# --- zero processing times -----------------------------------------------------------


def test_zero_time_operation_is_skipped(tmp_path: Path) -> None:
    network = read_instance(write(tmp_path, "z.txt", "2 2\n0 0 1 4\n1 3 0 2\n"))
    assert [len(item.routings[0].operations) for item in network.items] == [1, 2]
    assert machine_times(network, "J1", 1) == (
        MachineTime(machine_id="M2", run_per_unit=minutes(4)),
    )


def test_fjsp_operation_with_a_zero_time_option_is_skipped(tmp_path: Path) -> None:
    network = read_instance(write(tmp_path, "z.fjs", "1 2 1.5\n2 2 1 0 2 5 1 2 3\n"))
    assert machine_times(network, "J1", 1) == (
        MachineTime(machine_id="M2", run_per_unit=minutes(3)),
    )
    assert len(network.items[0].routings[0].operations) == 1


def test_job_of_only_zero_times_has_no_order(tmp_path: Path) -> None:
    network = read_instance(write(tmp_path, "z.txt", "2 1\n0 0\n0 5\n"))
    assert [o.id for o in network.orders] == ["J2"]


def test_dfjsp_zero_time_in_one_factory_gives_a_routing_per_factory(tmp_path: Path) -> None:
    text = "1 2 1\n1 1 2\n1 1 1 0\n2 1 1 4\n\n2 1 2\n1 1 1 6\n2 1 1 7\n"
    network = read_instance(write(tmp_path, "z.txt", text), "dfjsp")
    routings = network.items[0].routings
    assert [(r.id, len(r.operations)) for r in routings] == [("F1", 1), ("F2", 2)]
    assert routings[0].operations[0].machine_times == (
        MachineTime(machine_id="M1", plant_id="F1", run_per_unit=minutes(4)),
    )
    validate_network(network)


# --- format inference ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "fmt"),
    [(FT06, "jssp"), (MK01, "fjsp"), (DFJSP, "dfjsp"), (DPFSP, "dpfsp")],
    ids=["jssp", "fjsp", "dfjsp", "dpfsp"],
)
def test_inferred_format_matches_the_explicit_one(path: Path, fmt: str) -> None:
    assert read_instance(path) == read_instance(path, fmt)


def test_dpfsp_is_inferred_from_its_three_line_header(tmp_path: Path) -> None:
    path = shutil.copy(DPFSP, tmp_path / "flow.txt")
    assert len(read_instance(path).plants) == 2


def test_dfjsp_is_inferred_from_its_block_lines(tmp_path: Path) -> None:
    path = shutil.copy(DFJSP, tmp_path / "shops.txt")
    assert len(read_instance(path).plants) == 2


def test_benchmark_files_are_recognised_by_suffix() -> None:
    assert BENCHMARK_FORMATS == ("jssp", "fjsp", "dfjsp", "dpfsp")
    assert is_benchmark_file("a/mk01.FJS")
    assert is_benchmark_file(Path("ft06.txt"))
    assert not is_benchmark_file("small.yaml")


# --- errors --------------------------------------------------------------------------


def expect_error(path: Path, location: str, cause: str, fmt: str | None = None) -> None:
    """Reading ``path`` fails with a message naming the file, ``location`` and ``cause``."""
    with pytest.raises(InputError) as info:
        read_instance(path, fmt)
    message = str(info.value)
    assert message.startswith(f"{path}: {location}: "), message
    assert re.search(cause, message), message
    assert info.value.location == location


def test_wrong_count_on_a_job_line(tmp_path: Path) -> None:
    path = write(tmp_path, "short.txt", "2 2\n0 1 1 2\n0 3 1\n")
    expect_error(path, "line 3, column 6", r"line ends early: expected the processing time")


def test_extra_number_on_a_job_line(tmp_path: Path) -> None:
    path = write(tmp_path, "long.txt", "2 2\n0 1 1 2 7\n0 3 1 4\n")
    expect_error(
        path, "line 2, column 9", r"unexpected '7' after the 2 machine-time pairs of job 1"
    )


def test_non_numeric_token(tmp_path: Path) -> None:
    path = write(tmp_path, "word.fjs", "1 2 1\n1 1 x 5\n")
    expect_error(
        path, "line 2, column 5", r"expected a machine number of operation 1 of job 1 .*'x'"
    )


def test_negative_number_is_not_numeric(tmp_path: Path) -> None:
    path = write(tmp_path, "neg.txt", "1 1\n0 -3\n")
    expect_error(path, "line 2, column 3", r"non-negative integer, not '-3'")


def test_machine_index_out_of_range_in_jssp(tmp_path: Path) -> None:
    path = write(tmp_path, "range.txt", "1 2\n0 1 2 5\n")
    expect_error(
        path, "line 2, column 5", r"machine of operation 2 of job 1 must be between 0 and 1"
    )


def test_machine_index_out_of_range_in_fjsp(tmp_path: Path) -> None:
    path = write(tmp_path, "range.fjs", "1 2 1\n1 2 1 5 3 4\n")
    expect_error(path, "line 2, column 9", r"must be between 1 and 2, not 3")


def test_machine_listed_twice_for_an_operation(tmp_path: Path) -> None:
    path = write(tmp_path, "twice.fjs", "1 2 1\n1 2 1 5 1 4\n")
    expect_error(path, "line 2, column 9", r"machine 1 is listed twice for operation 1 of job 1")


def test_missing_job_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "missing.txt", "3 1\n0 4\n0 5\n")
    expect_error(path, "line 4, column 1", r"file ends early: expected the line of job 3 of 3")


def test_trailing_garbage(tmp_path: Path) -> None:
    path = write(tmp_path, "tail.txt", "1 1\n0 4\n\n  end\n")
    expect_error(path, "line 4, column 3", r"unexpected text after the last job")


def test_zero_jobs_in_the_header(tmp_path: Path) -> None:
    path = write(tmp_path, "none.txt", "0 3\n")
    expect_error(path, "line 1, column 1", r"number of jobs must be between 1 and 10,000, not 0")


def test_dpfsp_header_with_two_numbers_on_a_line(tmp_path: Path) -> None:
    path = write(tmp_path, "flow.txt", "2\n2 1\n1\n3 4\n5 6\n")
    expect_error(path, "line 2, column 3", r"unexpected '1' after the number of machines", "dpfsp")


def test_dfjsp_block_out_of_order(tmp_path: Path) -> None:
    path = write(tmp_path, "shops.txt", "2 1 1\n1 2 1\n1 1 1 4\n")
    expect_error(path, "line 2, column 3", r"job index must be 1 here, not 2")


def test_dfjsp_operation_counts_must_agree_between_factories(tmp_path: Path) -> None:
    path = write(tmp_path, "shops.txt", "1 2 1\n1 1 1\n1 1 1 4\n\n2 1 2\n1 1 1 4\n2 1 1 5\n")
    expect_error(path, "line 5, column 5", r"job 1 has 1 operations in factory 1")


def test_inferred_format_is_named_in_the_error(tmp_path: Path) -> None:
    path = write(tmp_path, "odd.txt", "1 1 1 1\n")
    expect_error(path, "line 1, column 5", r"read as jssp, inferred")


def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.txt"
    with pytest.raises(InputError, match=r"absent\.txt: cannot read the file"):
        read_instance(path)


@pytest.mark.parametrize(
    ("name", "text", "location", "cause"),
    [
        ("jobs.txt", "1000000000 2\n", "line 1, column 1", r"jobs must be between 1 and 10,000"),
        ("mach.txt", "2 1000000000\n", "line 1, column 3", r"machines must be between 1 and 1,000"),
        ("ops.txt", "10000 1000\n", "line 1, column 1", r"10,000,000 operations, more than the"),
        ("ops.fjs", "2 2 1\n200000 1 1 5\n", "line 2, column 1", r"limit of 100,000"),
        ("f.txt", "2 1000 2\n1 1 1\n", "line 1, column 3", r"factories must be between 1 and 100,"),
        ("Ta001_9.txt", "20000\n5\n2\n", "line 1, column 1", r"jobs must be between 1 and 10,000"),
        ("long.txt", "1 1\n0 " + "9" * 5000 + "\n", "line 2, column 3", r"5000-digit number"),
    ],
)
def test_sizes_beyond_the_limits_fail_at_the_header_with_figure_and_limit(
    tmp_path: Path, name: str, text: str, location: str, cause: str
) -> None:
    expect_error(write(tmp_path, name, text), location, cause)


def test_work_beyond_a_plan_span_names_the_total_and_the_limit(tmp_path: Path) -> None:
    path = write(tmp_path, "long.txt", "2 1\n0 900000000\n0 900000000\n")
    with pytest.raises(
        InputError, match=r"add up to 1,800,000,000 time units, more than the limit"
    ):
        read_instance(path)


@pytest.mark.parametrize("token", ["nan", "NaN", "inf", "1e3", "1.5", "-0", "\u0663"])
def test_a_processing_time_that_is_not_a_whole_number_is_refused(
    tmp_path: Path, token: str
) -> None:
    path = write(tmp_path, "odd.txt", f"1 2\n0 {token} 1 3\n")
    expect_error(path, "line 2, column 3", r"as a non-negative integer, not")


def test_non_utf8_byte_is_located(tmp_path: Path) -> None:
    path = tmp_path / "bytes.txt"
    path.write_bytes(b"1 2\n0 4 \xff 3\n")
    expect_error(path, "line 2, column 5", r"byte 0xff is not UTF-8 text")


def test_a_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    path = write(tmp_path, "bom.txt", "\ufeff1 2\n0 4 1 3\n")
    assert op_count(read_instance(path)) == 2


@pytest.mark.parametrize("kind", ["folder", "fifo", "device"])
def test_only_a_regular_file_is_read(tmp_path: Path, kind: str) -> None:
    """A folder, a pipe or ``/dev/zero`` is refused at once instead of blocking or growing."""
    if kind == "folder":
        path = tmp_path / "dir.txt"
        path.mkdir()
    elif kind == "fifo":
        path = tmp_path / "pipe.txt"
        os.mkfifo(path)
    else:
        path = Path("/dev/zero")
    with pytest.raises(InputError, match=r"cannot read a benchmark instance from it: it is"):
        read_instance(path, "jssp")


def test_a_file_beyond_the_size_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(benchmarks, "MAX_FILE_BYTES", 8)
    with pytest.raises(
        InputError, match=r"larger than .* MB \(8 bytes\), the limit for a benchmark instance file"
    ):
        read_instance(FT06)


def test_unknown_format_and_suffix(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"unknown benchmark format 'osp'"):
        read_instance(FT06, "osp")
    with pytest.raises(InputError, match=r"must end in \.fjs or \.txt"):
        read_instance(write(tmp_path, "ft06.dat", "1 1\n0 4\n"))


# --- planning ------------------------------------------------------------------------


@pytest.mark.slow
def test_ft06_plans_to_its_optimal_makespan() -> None:
    network = read_instance(FT06)
    result = plan(network, PlanParams(time_limit_s=20, workers=2))
    assert result.schedule is not None
    assert result.makespan == timedelta(minutes=55)
    assert validate_plan(network, result.schedule) == ()


@pytest.mark.slow
def test_mk01_plan_passes_the_validator() -> None:
    network = read_instance(MK01)
    result = plan(network, PlanParams(time_limit_s=5, workers=2))
    assert result.schedule is not None
    assert validate_plan(network, result.schedule, result.unplanned_orders) == ()
    assert result.makespan is not None
    assert result.makespan >= timedelta(minutes=40)
