"""Benchmark runs: plan standard instances and compare with best-known results."""

from __future__ import annotations

import csv
import io
import re
import statistics
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from xiezuo.errors import InputError
from xiezuo.io import is_benchmark_file, read_instance
from xiezuo.planning.solve import plan
from xiezuo.planning.validation.audit import audit_plan

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    from xiezuo.domain import Network
    from xiezuo.planning.params import PlanParams, ProgressEvent

CSV_HEADER = (
    "instance",
    "makespan",
    "lower_bound",
    "bks",
    "gap_bks_pct",
    "gap_bound_pct",
    "time_to_best_s",
    "status",
)
INVALID_PLAN = "invalid plan"
"""The status of a row whose plan the independent validator rejects."""
_MINUTE = timedelta(minutes=1)
_MAX_BKS_BYTES = 2**20
_BKS_VALUE = re.compile(r"[1-9][0-9]{0,14}")


@dataclass(frozen=True, slots=True, kw_only=True)
class BenchRow:
    """One instance's result. Gaps are in percent; ``None`` where nothing is known."""

    instance: str
    makespan: int | None
    lower_bound: int | None
    bks: int | None
    time_to_best_s: float | None
    status: str

    @property
    def gap_bks_pct(self) -> float | None:
        if self.makespan is None or not self.bks:
            return None
        return 100.0 * (self.makespan - self.bks) / self.bks

    @property
    def gap_bound_pct(self) -> float | None:
        """(makespan − own lower bound) / makespan, the solver's own optimality gap."""
        if self.makespan is None or self.lower_bound is None or not self.makespan:
            return None
        return 100.0 * (self.makespan - self.lower_bound) / self.makespan

    def as_csv(self) -> list[str]:
        def text(value: float | None, digits: int = 2) -> str:
            if value is None:
                return ""
            return str(value) if isinstance(value, int) else f"{value:.{digits}f}"

        return [
            self.instance,
            text(self.makespan),
            text(self.lower_bound),
            text(self.bks),
            text(self.gap_bks_pct),
            text(self.gap_bound_pct),
            text(self.time_to_best_s),
            self.status,
        ]


def find_instances(paths: Iterable[Path]) -> list[Path]:
    """Instance files named directly or found (not recursively) in the folders named."""
    found: list[Path] = []
    for path in paths:
        try:
            if path.is_dir():
                found.extend(
                    sorted(p for p in path.iterdir() if p.is_file() and is_benchmark_file(p))
                )
            elif path.is_file():
                found.append(path)
            elif path.exists():
                raise InputError(str(path), "", "not a regular file or folder (a pipe or device)")
            else:
                raise InputError(str(path), "", "no such file or folder")
        except OSError as exc:
            raise InputError(str(path), "", f"cannot list it: {exc.strerror or exc}") from exc
    return found


def read_bks(path: Path) -> dict[str, int]:
    """Best-known makespans (``upper_bound``) by instance name from a ``bks.csv``.

    Raises
    ------
    InputError
        The file cannot be read (missing, not a regular file, over 1 MB, not UTF-8,
        not CSV) or lacks the columns, or an ``upper_bound`` is not a positive whole
        number; with the line.
    """
    text = _read_table(path)
    known = {}
    try:
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise InputError(str(path), "", f"not a CSV table: {exc}") from exc
    for line_no, row in enumerate(rows, start=2):
        if "instance" not in row or "upper_bound" not in row:
            raise InputError(str(path), "line 1", "expected the columns instance and upper_bound")
        value = (row["upper_bound"] or "").strip()
        if not value:
            continue
        if not _BKS_VALUE.fullmatch(value):
            shown = value if len(value) <= 20 else value[:20] + "…"
            raise InputError(
                str(path),
                f"line {line_no}",
                f"upper_bound {shown!r} is not a positive whole number of at most 15 digits",
            )
        known[row["instance"] or ""] = int(value)
    return known


def _read_table(path: Path) -> str:
    try:
        if not path.is_file():
            what = "no such file" if not path.exists() else "not a regular file"
            raise InputError(str(path), "", f"cannot read the table: {what}")
        with path.open("rb") as handle:
            raw = handle.read(_MAX_BKS_BYTES + 1)
    except OSError as exc:
        raise InputError(str(path), "", f"cannot read the table: {exc.strerror or exc}") from exc
    if len(raw) > _MAX_BKS_BYTES:
        raise InputError(str(path), "", f"the table is larger than {_MAX_BKS_BYTES:,} bytes")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InputError(
            str(path), f"line {line}", f"byte 0x{raw[exc.start]:02x} is not UTF-8 text"
        ) from exc


def bks_for(instance: Path, explicit: dict[str, int] | None) -> dict[str, int]:
    """The given table, else ``bks.csv`` beside the instance, else nothing."""
    if explicit is not None:
        return explicit
    beside = instance.parent / "bks.csv"
    return read_bks(beside) if beside.is_file() else {}


def run_instance(
    path: Path, params: PlanParams, bks: dict[str, int], *, network: Network | None = None
) -> BenchRow:
    """Plan one instance with the ordinary engine and check it with the validator.

    ``network`` is the instance already read from ``path``, if the caller has it.
    """
    if network is None:
        network = read_instance(path)
    improvements: list[tuple[float, float]] = []

    def record(event: ProgressEvent) -> None:
        if event.phase == "makespan" and event.objective is not None:
            improvements.append((event.elapsed_s, event.objective))

    result = plan(network, params, on_progress=record)
    name = path.stem
    if result.schedule is None or result.makespan is None:
        return BenchRow(
            instance=name,
            makespan=None,
            lower_bound=None,
            bks=bks.get(name),
            time_to_best_s=None,
            status=result.status.value,
        )
    makespan = result.makespan // _MINUTE
    reached = [t for t, objective in improvements if round(objective * 60) <= makespan]
    violations = audit_plan(network, result)
    return BenchRow(
        instance=name,
        makespan=makespan,
        lower_bound=None if result.makespan_bound is None else result.makespan_bound // _MINUTE,
        bks=bks.get(name),
        time_to_best_s=min(reached) if reached else 0.0,
        status=INVALID_PLAN if violations else result.status.value,
    )


def mean_gaps(rows: Iterable[BenchRow]) -> tuple[float | None, float | None]:
    """Mean gap to the best-known results and to the own bounds, over rows that have one."""
    rows = list(rows)
    to_bks = [r.gap_bks_pct for r in rows if r.gap_bks_pct is not None]
    to_bound = [r.gap_bound_pct for r in rows if r.gap_bound_pct is not None]
    return (
        statistics.fmean(to_bks) if to_bks else None,
        statistics.fmean(to_bound) if to_bound else None,
    )


def write_csv(rows: Iterable[BenchRow], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_HEADER)
        writer.writerows(row.as_csv() for row in rows)
