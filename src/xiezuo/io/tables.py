"""Tables for spreadsheets: typed columns written as an Excel workbook or as CSV files.

A :class:`Table` is a name, typed :class:`Column`\\ s and rows of plain values. The
column's :class:`Kind` decides how a value looks: in the workbook as a real number,
date or percentage with a number format (so Excel sorts, filters and sums them), in
CSV as the text the workbook shows. Every sheet gets a bold, frozen header row, an
autofilter and column widths fitted to its content.

Workbooks are written with XlsxWriter rather than openpyxl (which reads them):
streaming rows through temporary files it writes 40-50 thousand cells a second
here, four times openpyxl's write-only mode, so a plan of a hundred thousand
operations is written in well under a minute.

CSV files are UTF-8 with a byte order mark and CRLF line ends. Excel opens a
double-clicked CSV in the system's ANSI code page (GBK on Chinese Windows, cp1252
elsewhere) *unless* the file starts with a BOM, so without one every Chinese name
turns to mojibake; with it, Excel on Windows and macOS, LibreOffice, Python's
``utf-8-sig`` and pandas all read the text correctly.

Nothing is half-written: each file is written to a temporary file beside it and
renamed into place, so a full disk or a crash leaves the old file (or none).
"""

from __future__ import annotations

import csv
import errno
import io
import math
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Final

import xlsxwriter

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

Value = str | int | float | date | None
"""A cell: ``None`` is an empty cell; a ``datetime`` is a ``date`` too."""

MAX_ROWS: Final = 1_048_575
"""Excel's row limit less the header row."""
MAX_NAME_LENGTH: Final = 31
"""Excel's limit on a sheet name."""
_FORBIDDEN_IN_NAME: Final = frozenset('[]:*?/\\"<>|')
REPLACEMENT_CHARACTER: Final = "\ufffd"
"""Stands in the workbook for a control character; the CSV keeps the character."""
_ILLEGAL_IN_WORKBOOK: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
"""Characters XML 1.0, and so a workbook, cannot hold."""
_FIRST_EXCEL_DAY: Final = date(1900, 3, 1)
_MAX_WIDTH: Final = 60
"""Characters: longer text (explanations) is cut off by the next cell, not the sheet."""


class Kind(StrEnum):
    """What a column holds, and so how its cells are formatted."""

    TEXT = "text"
    INT = "int"
    HOURS = "hours"  # a number of hours, one decimal
    DAYS = "days"  # a number of days, one decimal
    PERCENT = "percent"  # a fraction: 0.853 shows as 85.3%
    DATE = "date"  # a calendar day
    DATETIME = "datetime"  # a wall-clock time without zone: the caller names the zone


_EXCEL_FORMAT: Final = {
    Kind.TEXT: "@",
    Kind.INT: "0",
    Kind.HOURS: "0.0",
    Kind.DAYS: "0.0",
    Kind.PERCENT: "0.0%",
    Kind.DATE: "yyyy-mm-dd",
    Kind.DATETIME: "yyyy-mm-dd hh:mm",
}


@dataclass(frozen=True, slots=True)
class Column:
    """A column header and the kind of value under it."""

    name: str
    kind: Kind = Kind.TEXT


@dataclass(frozen=True, slots=True, kw_only=True)
class Table:
    """A named table: a sheet of a workbook, or one CSV file ``NAME.csv``.

    Every row has one value per column, of the column's kind or ``None``; a
    ``datetime`` must be naive (Excel has no time zones), so the caller converts
    instants to one zone and says which.

    Raises
    ------
    ValueError
        A bad name (empty, over 31 characters, or a character Excel or a file name
        refuses), a row of the wrong length, a value of the wrong kind, or more rows
        than a sheet holds; the message names the table, row and column.
    """

    name: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Value, ...], ...]

    def __post_init__(self) -> None:
        name = self.name
        if not name or name != name.strip() or len(name) > MAX_NAME_LENGTH:
            raise ValueError(
                f"table name {name!r} must be 1 to {MAX_NAME_LENGTH} characters "
                "without surrounding spaces"
            )
        if bad := sorted(_FORBIDDEN_IN_NAME.intersection(name)):
            raise ValueError(f"table name {name!r} must not hold {''.join(bad)!r}")
        if len(self.rows) > MAX_ROWS:
            raise ValueError(f"table {name!r}: {len(self.rows):,} rows, more than a sheet holds")
        width = len(self.columns)
        for row_idx, row in enumerate(self.rows, start=1):
            if len(row) != width:
                raise ValueError(
                    f"table {name!r}, row {row_idx}: {len(row)} values for {width} columns"
                )
            for column, value in zip(self.columns, row, strict=True):
                if value is not None and not _fits(column.kind, value):
                    raise ValueError(
                        f"table {name!r}, row {row_idx}, column {column.name!r}: "
                        f"{value!r} is not a {column.kind.value} value"
                    )


def _fits(kind: Kind, value: object) -> bool:
    match kind:
        case Kind.TEXT:
            return isinstance(value, str)
        case Kind.INT:
            return isinstance(value, int) and not isinstance(value, bool)
        case Kind.HOURS | Kind.DAYS | Kind.PERCENT:
            # A workbook cell cannot hold NaN or infinity.
            return (
                isinstance(value, int | float)
                and not isinstance(value, bool)
                and math.isfinite(value)
            )
        case Kind.DATE:
            return isinstance(value, date) and not isinstance(value, datetime)
        case Kind.DATETIME:
            return isinstance(value, datetime) and value.tzinfo is None


def cell_text(kind: Kind, value: Value) -> str:
    """A value as the workbook shows it: the CSV field, and the width it needs.

    Hours and days with one decimal, percentages as ``85.3%`` (which Excel reads back
    as a number), dates as ISO ``1958-07-01`` and times as ``1958-07-01 08:00``.
    """
    if value is None:
        return ""
    match kind:
        # What rounds to zero shows as 0.0, not -0.0 (a workbook keeps no sign of zero).
        case Kind.HOURS | Kind.DAYS:
            assert isinstance(value, int | float)
            return f"{value if round(value, 1) else 0.0:.1f}"
        case Kind.PERCENT:
            assert isinstance(value, int | float)
            return f"{value if round(value * 100, 1) else 0.0:.1%}"
        case Kind.DATETIME:
            assert isinstance(value, datetime)
            return f"{value:%Y-%m-%d %H:%M}"
        case Kind.DATE:
            assert isinstance(value, date)
            return value.isoformat()
        case _:
            return str(value)


def xlsx_bytes(tables: Sequence[Table]) -> bytes:
    """The tables as an Excel workbook (.xlsx), one sheet each, in order.

    Raises
    ------
    ValueError
        Two tables share a name (Excel compares sheet names ignoring case).
    """
    _check_unique(tables)
    buffer = io.BytesIO()
    # Rows stream through temporary files (constant_memory); text is only ever
    # written as text, so an ID such as "=A1" or "http://x" never becomes a formula
    # or a link.
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    header = workbook.add_format({"bold": True, "bg_color": "#DDE4EE", "valign": "top"})
    formats = {
        kind: workbook.add_format({"num_format": code}) for kind, code in _EXCEL_FORMAT.items()
    }
    for table in tables:
        sheet = workbook.add_worksheet(table.name)
        for idx, width in enumerate(_column_widths(table)):
            sheet.set_column(idx, idx, width)
        sheet.freeze_panes(1, 0)
        for idx, column in enumerate(table.columns):
            sheet.write_string(0, idx, _excel_text(column.name), header)
        kinds = [(column.kind, formats[column.kind]) for column in table.columns]
        for row_idx, row in enumerate(table.rows, start=1):
            for idx, ((kind, number_format), value) in enumerate(zip(kinds, row, strict=True)):
                if value is None:
                    # Formatted, so the row exists and a value typed in later fits.
                    sheet.write_blank(row_idx, idx, None, number_format)
                elif kind is Kind.TEXT:
                    assert isinstance(value, str)
                    sheet.write_string(row_idx, idx, _excel_text(value), number_format)
                elif kind in (Kind.DATE, Kind.DATETIME):
                    assert isinstance(value, date)
                    day = value.date() if isinstance(value, datetime) else value
                    if day < _FIRST_EXCEL_DAY:
                        # Excel has no dates before 1900 (and a false 29 February
                        # that year): such a day is written as the text CSV shows.
                        sheet.write_string(row_idx, idx, cell_text(kind, value))
                    else:
                        sheet.write_datetime(row_idx, idx, value, number_format)
                else:
                    sheet.write_number(row_idx, idx, value, number_format)
        if table.columns:
            sheet.autofilter(0, 0, len(table.rows), len(table.columns) - 1)
    workbook.close()
    return buffer.getvalue()


def _excel_text(text: str) -> str:
    """Control characters a workbook cannot hold (all but tab and line ends) as U+FFFD."""
    return _ILLEGAL_IN_WORKBOOK.sub(REPLACEMENT_CHARACTER, text)


def _column_widths(table: Table) -> list[int]:
    """Each column as wide as its header or widest value, within reason."""
    widths = []
    for idx, column in enumerate(table.columns):
        widest = max(
            (_display_width(cell_text(column.kind, row[idx])) for row in table.rows),
            default=0,
        )
        # The header also carries the autofilter's drop-down button.
        width = max(widest, _display_width(column.name) + 3)
        widths.append(min(width + 2, _MAX_WIDTH))
    return widths


def _display_width(text: str) -> int:
    """Columns a text takes: Chinese characters are twice as wide as Latin ones."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def csv_bytes(table: Table) -> bytes:
    """One table as CSV: a header line, then the rows as the workbook shows them.

    UTF-8 with a byte order mark and CRLF line ends, so Excel reads Chinese text
    correctly (see the module docstring).
    """
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(column.name for column in table.columns)
    kinds = [column.kind for column in table.columns]
    for row in table.rows:
        writer.writerow(cell_text(kind, value) for kind, value in zip(kinds, row, strict=True))
    return text.getvalue().encode("utf-8-sig")


def write_xlsx(tables: Sequence[Table], path: Path) -> None:
    """Write the workbook to ``path``, replacing it whole or not at all.

    Raises
    ------
    OSError
        The file cannot be written (missing folder, no permission, full disk); an
        existing file at ``path`` is then left as it was.
    ValueError
        As :func:`xlsx_bytes`.
    """
    write_file(path, xlsx_bytes(tables))


def write_csv_dir(tables: Sequence[Table], folder: Path) -> tuple[Path, ...]:
    """Write ``NAME.csv`` for each table into ``folder``, made if missing; its parent must exist.

    Every file is written beside its place first and the files are renamed only
    when all are written, so a failure leaves none of them changed. Other files in
    the folder are left alone.

    Returns
    -------
    tuple[Path, ...]
        The files written, in the order of ``tables``.

    Raises
    ------
    OSError
        The folder cannot be made or a file cannot be written.
    ValueError
        Two tables share a name.
    """
    _check_unique(tables)
    folder.mkdir(exist_ok=True)
    targets = tuple(folder / f"{table.name}.csv" for table in tables)
    for target in targets:
        if target.exists() and not target.is_file():
            raise IsADirectoryError(errno.EISDIR, "something other than a file is there", target)
    written: list[Path] = []
    try:
        for table, target in zip(tables, targets, strict=True):
            written.append(_temporary_copy(target, csv_bytes(table)))
        for temporary, target in zip(written, targets, strict=True):
            temporary.replace(target)
    finally:
        for temporary in written:
            temporary.unlink(missing_ok=True)
    return targets


def _check_unique(tables: Iterable[Table]) -> None:
    seen: set[str] = set()
    for table in tables:
        key = table.name.casefold()
        if key in seen:
            raise ValueError(f"two tables are named {table.name!r} (ignoring case)")
        seen.add(key)


def write_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all: a temporary file beside it,
    flushed to disk, then renamed into place.

    A path that exists but is no regular file (a pipe, ``/dev/stdout``) is written
    directly: renaming over it would replace the device, not feed it.

    Raises
    ------
    OSError
        The file cannot be written; an existing file at ``path`` is left as it was.
    """
    if path.exists() and not path.is_file():
        with path.open("wb") as stream:
            stream.write(data)
        return
    temporary = _temporary_copy(path, data)
    try:
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)


def _temporary_copy(target: Path, data: bytes) -> Path:
    """A hidden file beside ``target`` holding ``data``, flushed to disk."""
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    temporary = Path(name)
    try:
        # mkstemp makes the file private; the result is as readable as any other output.
        mode = target.stat().st_mode & 0o777 if target.is_file() else 0o644
        os.fchmod(handle, mode)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary
