"""Standard scheduling benchmark files in, an ordinary domain :class:`~xiezuo.domain.Network` out.

Job shop (``jssp``), flexible job shop (``fjsp``), distributed heterogeneous flexible
job shop (``dfjsp``) and distributed permutation flow shop (``dpfsp``) instances
become networks like any other, so the same :func:`~xiezuo.planning.solve.plan`
solves them and its makespan can be compared with published bounds. The formats and
the mapping are described in ``docs/benchmark-formats.md``.

Reading runs in two stages: a format parser turns the text into jobs made of
operations, each a list of (machine number, minutes) options per factory, failing
at the exact line and column of the first bad token; a builder turns those jobs into
plants, items, orders and lanes.

Sizes are bounded before anything is built (``MAX_*`` below, listed in the docs): the
largest published instances are well inside them, and a header declaring a billion
jobs fails at that header, with the figure and the limit, instead of exhausting memory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from xiezuo.domain import (
    PLAN_SPAN_LIMIT,
    Calendar,
    Item,
    ItemKind,
    Lane,
    Machine,
    MachineTime,
    Network,
    Operation,
    Order,
    Plant,
    Routing,
    validate_network,
)
from xiezuo.errors import InputError
from xiezuo.io.files import read_text_file

if TYPE_CHECKING:
    from collections.abc import Callable

BENCHMARK_FORMATS = ("jssp", "fjsp", "dfjsp", "dpfsp")
"""Names accepted by :func:`read_instance` as ``fmt``."""

PROCESS = "operation"
REGION = "customer"
START = datetime(2000, 1, 3, tzinfo=UTC)  # a Monday
ROUND_THE_CLOCK = Calendar(
    working_days=(0, 1, 2, 3, 4, 5, 6),
    shifts_per_day=3,
    shift_length=timedelta(hours=8),
    first_shift_start=time(0, 0),
)

MAX_FILE_BYTES = 16 * 2**20
"""Largest instance file read; the largest published instances are under 1 MB."""
MAX_JOBS = 10_000
MAX_MACHINES = 1_000
MAX_FACTORIES = 100
MAX_OPERATIONS = 100_000
"""Operations of all jobs together, counting each factory's route of a ``dfjsp`` job."""
MAX_WORK_MINUTES = PLAN_SPAN_LIMIT // timedelta(minutes=1)
"""Every job's longest route, one job after another, must fit in this many time units:
no plan then reaches beyond the span a plan file may cover (about 20 years)."""
_MAX_DIGITS = 30  # a longer token is beyond every limit; int() of it would only cost time

_SUFFIXES = (".fjs", ".txt")
_INT = re.compile(r"[0-9]+")
_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?")
_TOKEN = re.compile(r"\S+")
_DPFSP_NAME = re.compile(r"Ta[0-9]{3}_[0-9]+")

_Option = tuple[int, int]  # (1-based machine number, processing time in minutes)
_Op = tuple[_Option, ...]
_Route = tuple[_Op, ...]


@dataclass(frozen=True, slots=True)
class _Instance:
    """A parsed instance: ``routes_by_job[j]`` holds one route per factory, or one for all."""

    n_factories: int
    n_machines: int
    routes_by_job: tuple[tuple[_Route, ...], ...]


def is_benchmark_file(path: str | Path) -> bool:
    """Whether ``path`` has a benchmark suffix (``.fjs`` or ``.txt``), so callers can route it.

    Only the name is looked at; :func:`read_instance` decides the format from the content.
    """
    return Path(path).suffix.lower() in _SUFFIXES


def read_instance(path: str | Path, fmt: str | None = None) -> Network:
    """Read a benchmark instance as a validated network with one order per job.

    Parameters
    ----------
    path:
        A benchmark file in one of the formats of ``docs/benchmark-formats.md``.
    fmt:
        One of :data:`BENCHMARK_FORMATS`; ``None`` infers it: ``.fjs`` is ``fjsp``;
        a ``.txt`` named ``Ta<iii>_<F>`` or starting with three one-number lines is
        ``dpfsp``, one starting with three numbers and then an ``f i J`` block line is
        ``dfjsp``, any other ``jssp``.

    Returns
    -------
    Network
        Named after the file stem, with one plant per factory, one item and order per
        job (no due dates, so the plan minimises the makespan), and instance time
        units as minutes. It has passed :func:`~xiezuo.domain.validate_network`.

    Raises
    ------
    InputError
        The file cannot be read (missing, a folder, pipe or device, larger than
        :data:`MAX_FILE_BYTES`, not UTF-8), its format is unknown, it is malformed, or
        it is larger than the ``MAX_*`` limits; the location is ``line L, column C``
        of the offending token.
    """
    source = str(path)
    path = Path(path)
    if fmt is not None and fmt not in BENCHMARK_FORMATS:
        known = ", ".join(BENCHMARK_FORMATS)
        raise InputError(source, "", f"unknown benchmark format {fmt!r}; use one of {known}")
    text = read_text_file(path, source, MAX_FILE_BYTES, "benchmark instance")
    inferred = fmt is None
    if fmt is None:
        fmt = _infer_format(path, text, source)
    reader = _Reader(text, source, fmt if inferred else None)
    instance = _PARSERS[fmt](reader)
    reader.expect_end()
    _check_work(instance, source)
    network = _build_network(path.stem, instance, heterogeneous=fmt == "dfjsp")
    validate_network(network)
    return network


def _check_work(instance: _Instance, source: str) -> None:
    """Refuse an instance whose jobs, run one after another, outlast a plan's span."""
    total = sum(
        max(sum(max(t for _, t in op) for op in route) for route in routes)
        for routes in instance.routes_by_job
    )
    if total > MAX_WORK_MINUTES:
        raise InputError(
            source,
            "",
            f"the jobs' longest routes add up to {total:,} time units, more than the limit "
            f"of {MAX_WORK_MINUTES:,} (minutes in {PLAN_SPAN_LIMIT.days:,} days)",
        )


def _infer_format(path: Path, text: str, source: str) -> str:
    suffix = path.suffix.lower()
    if suffix == ".fjs":
        return "fjsp"
    if suffix != ".txt":
        raise InputError(
            source, "", "a benchmark file must end in .fjs or .txt, or be read with a format"
        )
    if _DPFSP_NAME.fullmatch(path.stem):
        return "dpfsp"
    lines = text.splitlines()
    token_lines = [line.split() for line in lines]
    if len(lines) >= 3 and all(len(tokens) == 1 for tokens in token_lines[:3]):
        return "dpfsp"
    filled = [tokens for tokens in token_lines if tokens]
    if len(filled) >= 2 and len(filled[0]) == 3 and len(filled[1]) == 3:
        return "dfjsp"
    return "jssp"


class _Record:
    """The tokens of one non-blank line, consumed left to right."""

    def __init__(self, reader: _Reader, line_no: int, text: str) -> None:
        self.reader = reader
        self.line_no = line_no
        self.end_column = len(text.rstrip()) + 1
        self.tokens = [(m.group(), m.start() + 1) for m in _TOKEN.finditer(text)]
        self.next_idx = 0

    def fail(self, column: int, problem: str) -> NoReturn:
        self.reader.fail(self.line_no, column, problem)

    def column(self) -> int:
        """Column of the next token, or just past the line's end when none is left."""
        if self.next_idx < len(self.tokens):
            return self.tokens[self.next_idx][1]
        return self.end_column

    def take(self, what: str, pattern: re.Pattern[str], kind: str) -> tuple[str, int]:
        if self.next_idx >= len(self.tokens):
            self.fail(self.end_column, f"the line ends early: expected {what}")
        token, column = self.tokens[self.next_idx]
        if not pattern.fullmatch(token):
            self.fail(column, f"expected {what} as {kind}, not {token!r}")
        self.next_idx += 1
        return token, column

    def integer(self, what: str, low: int = 0, high: int | None = None) -> int:
        """The next token as an integer in ``[low, high]``."""
        token, column = self.take(what, _INT, "a non-negative integer")
        if len(token) > _MAX_DIGITS:
            self.fail(column, f"{what} is a {len(token)}-digit number, far beyond any limit")
        value = int(token)
        if value < low or (high is not None and value > high):
            bound = f"at least {low}" if high is None else f"between {low} and {high:,}"
            self.fail(column, f"{what} must be {bound}, not {value}")
        return value

    def exact(self, what: str, expected: int) -> int:
        """The next token, which must equal ``expected`` (a running index in the file)."""
        column = self.column()
        value = self.integer(what)
        if value != expected:
            self.fail(column, f"{what} must be {expected} here, not {value}")
        return value

    def number(self, what: str) -> float:
        token, column = self.take(what, _NUMBER, "a non-negative number")
        if len(token) > _MAX_DIGITS:
            self.fail(column, f"{what} has {len(token)} characters, too long for a number here")
        return float(token)

    def options(self, count: int, n_machines: int, op_name: str) -> _Op:
        """``count`` pairs ``machine time`` with 1-based machines; each machine once."""
        options: list[_Option] = []
        for _ in range(count):
            column = self.column()
            machine = self.integer(f"a machine number of {op_name}", 1, n_machines)
            if any(machine == m for m, _ in options):
                self.fail(column, f"machine {machine} is listed twice for {op_name}")
            minutes = self.integer(f"the processing time of {op_name} on machine {machine}")
            options.append((machine, minutes))
        return tuple(options)

    def done(self, what: str) -> None:
        if self.next_idx < len(self.tokens):
            token, column = self.tokens[self.next_idx]
            self.fail(column, f"unexpected {token!r} after {what}; the line should end there")


class _Reader:
    """Hands out the non-blank lines of a file and fails at a line and column."""

    def __init__(self, text: str, source: str, inferred_fmt: str | None) -> None:
        self.source = source
        self.inferred_fmt = inferred_fmt
        self.lines = text.splitlines()
        self.next_idx = 0
        self.operations = 0

    def fail(self, line_no: int, column: int, problem: str) -> NoReturn:
        if self.inferred_fmt is not None:
            problem += f" (the file was read as {self.inferred_fmt}, inferred from its name and "
            problem += "first lines)"
        raise InputError(self.source, f"line {line_no}, column {column}", problem)

    def record(self, what: str) -> _Record:
        """The next non-blank line, which must exist and hold ``what``."""
        while self.next_idx < len(self.lines) and not self.lines[self.next_idx].strip():
            self.next_idx += 1
        if self.next_idx == len(self.lines):
            self.fail(len(self.lines) + 1, 1, f"the file ends early: expected {what}")
        self.next_idx += 1
        return _Record(self, self.next_idx, self.lines[self.next_idx - 1])

    def count_operations(self, record: _Record, column: int, count: int) -> None:
        """Add ``count`` operations, failing at ``column`` beyond :data:`MAX_OPERATIONS`."""
        self.operations += count
        if self.operations > MAX_OPERATIONS:
            record.fail(
                column,
                f"the jobs so far have {self.operations:,} operations, more than the limit "
                f"of {MAX_OPERATIONS:,}",
            )

    def expect_end(self) -> None:
        while self.next_idx < len(self.lines):
            self.next_idx += 1
            text = self.lines[self.next_idx - 1]
            if text.strip():
                column = len(text) - len(text.lstrip()) + 1
                self.fail(self.next_idx, column, "unexpected text after the last job")


def _parse_jssp(reader: _Reader) -> _Instance:
    header = reader.record("the header 'jobs machines'")
    n_jobs = header.integer("the number of jobs", 1, MAX_JOBS)
    n_machines = header.integer("the number of machines", 1, MAX_MACHINES)
    header.done("the number of machines")
    reader.count_operations(header, 1, n_jobs * n_machines)
    routes: list[tuple[_Route, ...]] = []
    for job in range(1, n_jobs + 1):
        line = reader.record(f"the line of job {job} of {n_jobs}")
        route: list[_Op] = []
        for op in range(1, n_machines + 1):
            name = f"operation {op} of job {job}"
            machine = line.integer(f"the machine of {name}", 0, n_machines - 1)
            route.append(((machine + 1, line.integer(f"the processing time of {name}")),))
        line.done(f"the {n_machines} machine-time pairs of job {job}")
        routes.append((tuple(route),))
    return _Instance(1, n_machines, tuple(routes))


def _parse_fjsp(reader: _Reader) -> _Instance:
    header = reader.record("the header 'jobs machines average'")
    n_jobs = header.integer("the number of jobs", 1, MAX_JOBS)
    n_machines = header.integer("the number of machines", 1, MAX_MACHINES)
    header.number("the average number of machines per operation")
    header.done("the average number of machines per operation")
    routes: list[tuple[_Route, ...]] = []
    for job in range(1, n_jobs + 1):
        line = reader.record(f"the line of job {job} of {n_jobs}")
        column = line.column()
        n_ops = line.integer(f"the number of operations of job {job}", 1)
        reader.count_operations(line, column, n_ops)
        route: list[_Op] = []
        for op in range(1, n_ops + 1):
            name = f"operation {op} of job {job}"
            count = line.integer(f"the number of eligible machines of {name}", 1, n_machines)
            route.append(line.options(count, n_machines, name))
        line.done(f"the {n_ops} operations of job {job}")
        routes.append((tuple(route),))
    return _Instance(1, n_machines, tuple(routes))


def _parse_dfjsp(reader: _Reader) -> _Instance:
    header = reader.record("the header 'jobs factories machines'")
    n_jobs = header.integer("the number of jobs", 1, MAX_JOBS)
    n_factories = header.integer("the number of factories", 1, MAX_FACTORIES)
    n_machines = header.integer("the number of machines per factory", 1, MAX_MACHINES)
    header.done("the number of machines per factory")
    routes_by_job: list[list[_Route]] = [[] for _ in range(n_jobs)]
    for factory in range(1, n_factories + 1):
        for job in range(1, n_jobs + 1):
            where = f"job {job} in factory {factory}"
            block = reader.record(f"the block line 'factory job operations' of {where}")
            block.exact("the factory index", factory)
            block.exact("the job index", job)
            column = block.column()
            n_ops = block.integer(f"the number of operations of {where}", 1)
            if factory > 1 and n_ops != len(routes_by_job[job - 1][0]):
                block.fail(
                    column,
                    f"job {job} has {len(routes_by_job[job - 1][0])} operations in factory 1, "
                    f"so it must have as many in factory {factory}, not {n_ops}",
                )
            block.done(f"the number of operations of {where}")
            reader.count_operations(block, column, n_ops)
            route: list[_Op] = []
            for op in range(1, n_ops + 1):
                name = f"operation {op} of {where}"
                line = reader.record(f"the line of {name}")
                line.exact("the operation index", op)
                count = line.integer(f"the number of eligible machines of {name}", 1, n_machines)
                route.append(line.options(count, n_machines, name))
                line.done(f"the {count} machine-time pairs of {name}")
            routes_by_job[job - 1].append(tuple(route))
    return _Instance(n_factories, n_machines, tuple(tuple(r) for r in routes_by_job))


def _parse_dpfsp(reader: _Reader) -> _Instance:
    counts = []
    limits = {
        "the number of jobs": MAX_JOBS,
        "the number of machines": MAX_MACHINES,
        "the number of factories": MAX_FACTORIES,
    }
    for what, limit in limits.items():
        line = reader.record(f"{what} alone on a line")
        counts.append(line.integer(what, 1, limit))
        line.done(what)
        if len(counts) == 2:
            reader.count_operations(line, 1, counts[0] * counts[1])
    n_jobs, n_machines, n_factories = counts
    routes: list[tuple[_Route, ...]] = []
    for job in range(1, n_jobs + 1):
        line = reader.record(f"the processing times of job {job} of {n_jobs}")
        route = tuple(
            ((machine, line.integer(f"the processing time of job {job} on machine {machine}")),)
            for machine in range(1, n_machines + 1)
        )
        line.done(f"the {n_machines} processing times of job {job}")
        routes.append((route,))
    return _Instance(n_factories, n_machines, tuple(routes))


_PARSERS: dict[str, Callable[[_Reader], _Instance]] = {
    "jssp": _parse_jssp,
    "fjsp": _parse_fjsp,
    "dfjsp": _parse_dfjsp,
    "dpfsp": _parse_dpfsp,
}


def _build_network(name: str, instance: _Instance, *, heterogeneous: bool) -> Network:
    plant_ids = [f"F{f}" for f in range(1, instance.n_factories + 1)]
    machines = tuple(
        Machine(id=f"M{m}", process=PROCESS, units=1, max_weight_t=1.0, precision_grade=0)
        for m in range(1, instance.n_machines + 1)
    )
    items: list[Item] = []
    orders: list[Order] = []
    for job_idx, routes in enumerate(instance.routes_by_job):
        job_id = f"J{job_idx + 1}"
        routing_plants = plant_ids if heterogeneous else [None]
        routings = _routings(routes, routing_plants)
        if routings is None:
            continue
        items.append(
            Item(
                id=job_id,
                kind=ItemKind.PART,
                weight_t=1.0,
                precision_grade=99,
                routings=routings,
            )
        )
        orders.append(Order(id=job_id, region=REGION, item_id=job_id, quantity=1, priority=1))
    lanes = [Lane(origin=p, destination=REGION, lead_time=timedelta(0)) for p in plant_ids]
    lanes += [
        Lane(origin=a, destination=b, lead_time=timedelta(0))
        for a in plant_ids
        for b in plant_ids
        if a != b
    ]
    return Network(
        name=name,
        start=START,
        calendar=ROUND_THE_CLOCK,
        processes=(PROCESS,),
        regions=(REGION,),
        plants=tuple(Plant(id=p, machines=machines) for p in plant_ids),
        items=tuple(items),
        orders=tuple(orders),
        lanes=tuple(lanes),
    )


def _routings(
    routes: tuple[_Route, ...], plant_ids: list[str] | list[None]
) -> tuple[Routing, ...] | None:
    """The job's routings, or ``None`` when it needs no time in some factory.

    An operation with a zero-time option is dropped: choosing that option is never
    worse, and a zero-length step neither occupies a machine nor delays its
    successor. A job left with no operations finishes at time 0 and is dropped. When
    the dropped steps differ between factories, each factory gets its own routing.
    """
    kept = [tuple(i for i, op in enumerate(route) if all(t > 0 for _, t in op)) for route in routes]
    if not all(kept):
        return None

    def operation(op_idx: int, factories: list[tuple[_Route, str | None]]) -> Operation:
        return Operation(
            process=PROCESS,
            machine_times=tuple(
                MachineTime(
                    machine_id=f"M{machine}", plant_id=plant_id, run_per_unit=timedelta(minutes=t)
                )
                for route, plant_id in factories
                for machine, t in route[op_idx]
            ),
        )

    factories = list(zip(routes, plant_ids, strict=True))
    if all(k == kept[0] for k in kept):
        ops = tuple(operation(i, factories) for i in kept[0])
        return (Routing(id="main", operations=ops),)
    return tuple(
        Routing(id=str(plant_id), operations=tuple(operation(i, [(route, plant_id)]) for i in k))
        for (route, plant_id), k in zip(factories, kept, strict=True)
    )
