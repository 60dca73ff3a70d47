"""Progress files (YAML or JSON) in, a :class:`~xiezuo.domain.Progress` checked against its
network out.

Reading runs in the scenario loader's three stages (:mod:`xiezuo.io.scenario`), each
failing with a message that names the file and the record path (``steps[3].unit``, plus
the line for YAML):

1. syntax: the text parses as YAML or JSON within the limits of
   :mod:`xiezuo.io.yaml_source`, and holds no control character or lone surrogate;
2. shape: the data fits the pydantic models of :mod:`xiezuo.io.progress_schema`;
3. meaning: each record accepts its values, and
   :func:`~xiezuo.domain.progress_rules.check_progress` finds nothing that contradicts
   the network or another record.

A progress with any problem is refused whole: a replan never starts from half of one.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from pydantic import ValidationError

from xiezuo.domain import (
    FinishedWorkOrder,
    MachineDown,
    PartStock,
    Progress,
    Receipt,
    Secondment,
    StepReport,
    StepStatus,
    StockCount,
)
from xiezuo.domain.progress_rules import check_progress
from xiezuo.errors import InputError, ModelError
from xiezuo.io.documents import Locator, input_error, read_data
from xiezuo.io.files import read_text_file
from xiezuo.io.progress_schema import ProgressSpec
from xiezuo.io.yaml_source import MAX_FILE_BYTES, MAX_YAML_BYTES

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from xiezuo.domain import Network, Plan

_T = TypeVar("_T")
_Path = tuple[str | int, ...]
_FORMAT_BY_SUFFIX = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}
# Record fields whose names in the file differ from the domain's.
_FILE_KEY_BY_FIELD = {
    "work_order_id": "work_order",
    "plant_id": "plant",
    "machine_id": "machine",
    "item_id": "item",
    "material_id": "material",
    "work_done": "work_done_hours",
}
_DOWN_FILE_KEY_BY_FIELD = {**_FILE_KEY_BY_FIELD, "start": "from", "end": "until"}


def load_progress(path: str | Path, network: Network, previous: Plan | None = None) -> Progress:
    """Read a progress file and check it against ``network``.

    Parameters
    ----------
    path:
        A ``.yaml``, ``.yml`` or ``.json`` file in the format of
        ``docs/progress-format.md``.
    network:
        The network of the scenario the progress reports on.
    previous:
        The plan the work followed, if any; its routings are preferred when the
        reported steps fit them.

    Returns
    -------
    Progress
        A progress that :func:`~xiezuo.domain.progress_rules.check_progress` accepts.

    Raises
    ------
    InputError
        The file cannot be read, does not parse, does not fit the format, or
        contradicts the network or itself; ``location`` gives the record path.
    """
    source = str(path)
    fmt = _FORMAT_BY_SUFFIX.get(Path(path).suffix.lower())
    if fmt is None:
        raise InputError(source, "", "a progress file must end in .yaml, .yml or .json")
    if fmt == "yaml":
        text = read_text_file(path, source, MAX_YAML_BYTES, "YAML progress")
    else:
        text = read_text_file(path, source, MAX_FILE_BYTES, "JSON progress")
    return parse_progress(text, source, fmt, network, previous)


def parse_progress(
    text: str, source: str, fmt: str, network: Network, previous: Plan | None = None
) -> Progress:
    """Parse progress text and check it against ``network``.

    Parameters
    ----------
    text:
        The file contents.
    source:
        Name used in error messages, usually the file name.
    fmt:
        ``"yaml"`` or ``"json"``.
    network, previous:
        As for :func:`load_progress`.

    Raises
    ------
    InputError
        As for :func:`load_progress`. When several rules are broken, the message gives
        the first and how many more there are.
    """
    data, locate = read_data(
        text,
        source,
        fmt,
        "progress file",
        empty="the file is empty; a progress needs at least as_of",
    )
    try:
        spec = ProgressSpec.model_validate(data)
    except ValidationError as exc:
        raise input_error(exc, source, locate, ProgressSpec) from None
    progress = _Converter(spec, network, source, locate).progress()
    problems = check_progress(network, progress, previous)
    if problems:
        first = problems[0]
        more = len(problems) - 1
        tail = f" (and {more} more problem{'s' if more > 1 else ''} after this one)" if more else ""
        raise InputError(source, locate(_file_path(first.path)), first.message + tail)
    return progress


def _file_path(path: Sequence[str | int]) -> _Path:
    """A record path of :func:`check_progress` in the file's key names."""
    names = _DOWN_FILE_KEY_BY_FIELD if path and path[0] == "down" else _FILE_KEY_BY_FIELD
    return tuple(names.get(step, step) if isinstance(step, str) else step for step in path)


class _Converter:
    """Builds domain records from a checked file, naming the record path on every failure."""

    def __init__(self, spec: ProgressSpec, network: Network, source: str, locate: Locator) -> None:
        self.spec = spec
        self.source = source
        self.locate = locate
        self.zone: tzinfo | None = network.start.tzinfo

    def build(self, path: _Path, factory: Callable[..., _T], **fields: object) -> _T:
        """Call a domain constructor, re-raising its ``ModelError`` at ``path``."""
        try:
            return factory(**fields)
        except ModelError as exc:
            raise InputError(self.source, self.locate(path), "; ".join(exc.problems)) from exc

    def instant(self, value: date, *, end_of_day: bool = False) -> datetime:
        """An instant in the network's zone; a date alone is 00:00 that day, or the next
        midnight when it ends a period."""
        if isinstance(value, datetime):
            if value.tzinfo is None:
                return value.replace(tzinfo=self.zone)
            return value.astimezone(self.zone)
        day = value + timedelta(days=1) if end_of_day else value
        return datetime.combine(day, time(0), tzinfo=self.zone)

    def optional(self, value: date | None, *, end_of_day: bool = False) -> datetime | None:
        return None if value is None else self.instant(value, end_of_day=end_of_day)

    def progress(self) -> Progress:
        spec = self.spec
        return self.build(
            ("as_of",),
            Progress,
            as_of=self.instant(spec.as_of),
            steps=tuple(
                self.build(
                    ("steps", idx),
                    StepReport,
                    work_order_id=s.work_order,
                    step=s.step,
                    status=StepStatus(s.status),
                    plant_id=s.plant,
                    machine_id=s.machine,
                    unit=s.unit,
                    start=self.instant(s.start),
                    end=self.optional(s.end),
                    work_done=None
                    if s.work_done_hours is None
                    else timedelta(hours=s.work_done_hours),
                    quantity_done=s.quantity_done,
                    scrapped=s.scrapped,
                )
                for idx, s in enumerate(spec.steps)
            ),
            finished=tuple(
                self.build(
                    ("finished", idx),
                    FinishedWorkOrder,
                    work_order_id=f.work_order,
                    plant_id=f.plant,
                    finished=self.instant(f.finished),
                )
                for idx, f in enumerate(spec.finished)
            ),
            parts=tuple(
                self.build(
                    ("parts", idx), PartStock, plant_id=p.plant, item_id=p.item, quantity=p.quantity
                )
                for idx, p in enumerate(spec.parts)
            ),
            counts=tuple(
                self.build(
                    ("counts", idx),
                    StockCount,
                    plant_id=c.plant,
                    material_id=c.material,
                    quantity=c.quantity,
                )
                for idx, c in enumerate(spec.counts)
            ),
            receipts=tuple(
                self.build(
                    ("receipts", idx),
                    Receipt,
                    plant_id=r.plant,
                    material_id=r.material,
                    quantity=r.quantity,
                    arrived=self.instant(r.arrived),
                )
                for idx, r in enumerate(spec.receipts)
            ),
            down=tuple(
                self.build(
                    ("down", idx),
                    MachineDown,
                    plant_id=d.plant,
                    machine_id=d.machine,
                    units=d.units,
                    start=self.instant(d.from_),
                    end=self.optional(d.until, end_of_day=True),
                )
                for idx, d in enumerate(spec.down)
            ),
            secondments=tuple(
                self.build(
                    ("secondments", idx),
                    Secondment,
                    plant_id=s.plant,
                    skill=s.skill,
                    count=s.count,
                    start=self.instant(s.start),
                    end=self.optional(s.end, end_of_day=True),
                    region=s.region or "",
                )
                for idx, s in enumerate(spec.secondments)
            ),
        )
