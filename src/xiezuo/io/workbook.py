"""Scenario workbooks: a scenario's file data as an Excel workbook, and back.

:func:`write_workbook` lays the file data out on the sheets of
:mod:`xiezuo.io.workbook_layout` (headers from the file schema with its descriptions as
notes, a frozen header row, real Excel dates, drop-down lists of IDs and choices).
:func:`read_workbook` reads such a workbook back into file data and then checks it
through the same stages as a YAML scenario, so every error, from a formula in a cell to
a BOM cycle, names the sheet and cell in Excel terms (``orders!C7: unknown item
'MILL-10'``). Reading back what was written gives the same file data, so the same
network: numbers keep the 16 significant digits Excel stores and carriage returns in
text become plain line breaks.
"""

from __future__ import annotations

import difflib
import os
import re
import reprlib
import stat
import tempfile
import warnings
import zipfile
import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, NoReturn
from xml.etree.ElementTree import ParseError
from zoneinfo import ZoneInfo

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import ValidationError

from xiezuo.errors import InputError
from xiezuo.io.documents import Locator, input_error
from xiezuo.io.scenario import network_from_spec
from xiezuo.io.scenario_data import dump_scenario
from xiezuo.io.scenario_schema import ScenarioSpec
from xiezuo.io.workbook_layout import (
    ID_RANGES,
    LISTS_SHEET,
    SHEET_BY_NAME,
    SHEETS,
    Column,
    Kind,
    Sheet,
)
from xiezuo.io.yaml_source import MAX_FILE_BYTES

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

    from openpyxl.cell.cell import Cell, MergedCell
    from openpyxl.workbook import Workbook

    from xiezuo.domain import Network

MAX_UNPACKED_BYTES: Final = 100 * 2**20
"""An .xlsx file is a zip archive; its parts together may unpack to at most this much
(a million-operation scenario unpacks to about 60 MB)."""
MAX_SHEET_CELLS: Final = 1_000_000
"""Rows times columns a sheet may span: reading walks every cell of that rectangle, so a
stray formatted cell far below the data would otherwise cost minutes."""
_LAST_ROW: Final = 1_048_576
_DATE_FORMAT: Final = "yyyy-mm-dd"
_DATETIME_FORMAT: Final = "yyyy-mm-dd hh:mm"
_SECONDS_FORMAT: Final = "yyyy-mm-dd hh:mm:ss"
_CLOCK_FORMAT: Final = "hh:mm"
_HEADER_FONT: Final = Font(bold=True)
_HEADER_FILL: Final = PatternFill("solid", fgColor="DDE4EE")
_MAX_WIDTH: Final = 48
_PLACES: Final = "place_ids"
# An ISO date-time an Excel date cannot hold: with a UTC offset or below the millisecond.
_TEXT_INSTANT = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{6})?)?(?:Z|[+-]\d{2}:?\d{2})"
    r"|\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}\.\d{6}"
)
_NUMBER = re.compile(r"\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*")
_PAIR = re.compile(r"\s*(\d+)\s*:\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*")
_TIME_IN_FORMAT = re.compile(r"[hs]", re.IGNORECASE)
_QUOTED_IN_FORMAT = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')

_Path = tuple[str | int, ...]
_Row = dict[str, Any]
_KEY_HEADERS: Final = {sheet.name: frozenset(c.header for c in sheet.keys) for sheet in SHEETS}
_FLAT_SECTIONS: Final = (
    "orders",
    "lanes",
    "materials",
    "stock",
    "supplies",
    "staffing",
    "secondments",
    "trainings",
)


# ---- Writing ---------------------------------------------------------------------------


def write_workbook(spec: ScenarioSpec, path: str | Path) -> None:
    """Write a scenario's file data as a workbook; the file appears whole or not at all.

    Parameters
    ----------
    spec:
        Checked file data, as from :func:`~xiezuo.io.scenario.load_scenario_spec`; only
        the fields the file gave are written, so reading back gives the same file.
    path:
        The ``.xlsx`` file to write (replaced if it exists).
    """
    data = spec.model_dump(mode="python", by_alias=True, exclude_unset=True)
    zone = ZoneInfo(spec.network.timezone)
    book = openpyxl.Workbook()
    book.remove(book.worksheets[0])  # the blank sheet a new workbook starts with
    rows_by_sheet = _flatten(data)
    for sheet in SHEETS:
        _write_sheet(book, sheet, rows_by_sheet.get(sheet.name, []), zone)
    _write_lists(book, data)
    _save_whole(book, Path(path))


def _flatten(data: Mapping[str, Any]) -> dict[str, list[_Row]]:
    """The nested file data as rows per sheet, each child row carrying its parent's keys."""
    rows: dict[str, list[_Row]] = {sheet.name: [] for sheet in SHEETS}
    network = dict(data["network"])
    _add_calendar(rows, network.pop("calendar", None), {})
    rows["network"].append(network)
    for section, header in (("processes", "process"), ("regions", "region"), ("skills", "skill")):
        rows[section].extend({header: value} for value in data.get(section, []))
    rows["gangs"].extend(data.get("gangs", []))
    for plant in data["plants"]:
        plant = dict(plant)
        _add_calendar(rows, plant.pop("calendar", None), {"plant": plant["id"]})
        floor = plant.pop("floor", None)
        if floor is not None:
            rows["floors"].append({"plant": plant["id"], **floor})
        for machine in plant.pop("machines", []):
            machine = dict(machine)
            owner = {"plant": plant["id"], "machine": machine["id"]}
            _add_calendar(rows, machine.pop("calendar", None), owner)
            rows["machines"].append({"plant": plant["id"], **machine})
        rows["plants"].append(plant)
    for item in data["items"]:
        item = dict(item)
        item_id = item["id"]
        rows["bom"].extend({"parent": item_id, **line} for line in item.pop("bom", []))
        rows["material_lines"].extend({"item": item_id, **m} for m in item.pop("materials", []))
        routings = item.pop("routings", None)
        if routings is None:
            routings = [{"id": None, "operations": item.pop("operations")}]
        for routing in routings:
            for step, operation in enumerate(routing["operations"], start=1):
                operation = dict(operation)
                keys = {"item": item_id, "routing": routing["id"], "step": step}
                rows["machine_times"].extend(
                    {**keys, **mt} for mt in operation.pop("machine_times", [])
                )
                rows["crews"].extend({**keys, **crew} for crew in operation.pop("crew", []))
                gang = operation.pop("gang", None)
                if gang is not None:
                    rows["step_gangs"].append({**keys, **gang})
                rows["operations"].append({**keys, **operation})
        rows["items"].append(item)
    for section in _FLAT_SECTIONS:
        rows[section].extend(data.get(section, []))
    return rows


def _add_calendar(
    rows: dict[str, list[_Row]], calendar: Mapping[str, Any] | None, owner: _Row
) -> None:
    if calendar is None:
        return
    calendar = dict(calendar)
    holidays = calendar.pop("holidays", None)
    if holidays == []:
        calendar["no_holidays"] = True
    rows["calendars"].append({**owner, **calendar})
    rows["holidays"].extend({**owner, "date": day} for day in holidays or ())


def _write_sheet(book: Workbook, sheet: Sheet, rows: list[_Row], zone: ZoneInfo) -> None:
    ws = book.create_sheet(sheet.name)
    widths = [len(column.header) for column in sheet.columns]
    for col_idx, column in enumerate(sheet.columns, start=1):
        cell = ws.cell(row=1, column=col_idx, value=column.header)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        if column.note:
            cell.comment = Comment(column.note, "xiezuo", width=320, height=110)
    for row_idx, row in enumerate(rows, start=2):
        for col_idx, column in enumerate(sheet.columns, start=1):
            value = row.get(column.header)
            if value is None:
                continue
            cell = ws.cell(row=row_idx, column=col_idx)
            shown = _write_value(cell, column, value, zone)
            widths[col_idx - 1] = max(widths[col_idx - 1], len(shown))
    for col_idx, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col_idx)].width = min(width + 3, _MAX_WIDTH)
    ws.freeze_panes = "A2"
    _add_validations(ws, sheet)


def _write_value(cell: Cell, column: Column, value: object, zone: ZoneInfo) -> str:
    """Put ``value`` in ``cell`` as Excel holds it; returns the text it shows, for widths."""
    if column.kind is Kind.DATE and isinstance(value, date):
        return _write_date(cell, value, zone)
    if column.kind is Kind.CLOCK and isinstance(value, time):
        cell.value = value
        cell.number_format = _CLOCK_FORMAT
        return "00:00"
    if column.kind is Kind.WORDS and isinstance(value, list):
        value = ", ".join(str(word) for word in value)
    if column.kind is Kind.PAIRS and isinstance(value, dict):
        value = ", ".join(f"{key}: {share!r}" for key, share in value.items())
    if isinstance(value, bool | int | float):
        cell.value = value
        return str(value)
    text = str(getattr(value, "value", value))  # an enum member is written as its value
    cell.value = text
    cell.data_type = "s"  # text, even when it starts with "=" like a formula
    return text


def _write_date(cell: Cell, value: date, zone: ZoneInfo) -> str:
    if not isinstance(value, datetime):
        cell.value = datetime.combine(value, time())
        cell.number_format = _DATE_FORMAT
        return value.isoformat()
    local = value
    if value.tzinfo is not None:
        local = value.astimezone(zone).replace(tzinfo=None)
        if local.replace(tzinfo=zone) != value:  # a time the clock shows twice (DST)
            return _write_text(cell, value.isoformat())
    if local.microsecond % 1000:  # Excel keeps milliseconds
        return _write_text(cell, value.isoformat())
    cell.value = local
    cell.number_format = _SECONDS_FORMAT if local.second or local.microsecond else _DATETIME_FORMAT
    return local.isoformat(sep=" ", timespec="minutes")


def _write_text(cell: Cell, text: str) -> str:
    cell.value = text
    cell.data_type = "s"
    return text


def _add_validations(ws: Worksheet, sheet: Sheet) -> None:
    for col_idx, column in enumerate(sheet.columns, start=1):
        if column.ids is not None:
            formula = column.ids  # OOXML formulas carry no leading "="
        elif column.choices:
            formula = '"' + ",".join(column.choices) + '"'
        else:
            continue
        letter = get_column_letter(col_idx)
        validation = DataValidation(
            type="list",
            formula1=formula,
            allow_blank=True,
            showErrorMessage=True,
            # The places are a copy taken at export: a place added since is let through
            # with a warning; the other lists grow with their sheets and refuse a typo.
            errorStyle="warning" if column.ids == _PLACES else "stop",
            errorTitle=f"Unknown {column.header}",
            error=f"Not a known {column.header}; choose one from the list.",
        )
        validation.add(f"{letter}2:{letter}{_LAST_ROW}")
        ws.add_data_validation(validation)


def _write_lists(book: Workbook, data: Mapping[str, Any]) -> None:
    """The hidden lists sheet and the defined names every drop-down refers to."""
    for name, (sheet_name, header) in ID_RANGES.items():
        letter = _letter(SHEET_BY_NAME[sheet_name], header)
        # Grows with the sheet: the non-empty cells below the header.
        reference = (
            f"OFFSET({sheet_name}!${letter}$2,0,0,"
            f"MAX(1,COUNTA({sheet_name}!${letter}:${letter})-1),1)"
        )
        book.defined_names[name] = DefinedName(name, attr_text=reference)
    places = [p["id"] for p in data["plants"]] + list(data.get("regions", []))
    lists = {
        _PLACES: places,
        "timezones": sorted(zoneinfo.available_timezones()),
    }
    ws = book.create_sheet(LISTS_SHEET)
    ws.sheet_state = "hidden"
    for col_idx, (name, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(col_idx)
        ws.cell(row=1, column=col_idx, value=name).font = _HEADER_FONT
        for row_idx, value in enumerate(values, start=2):
            cell = ws.cell(row=row_idx, column=col_idx, value=value)
            cell.data_type = "s"
        last = max(2, len(values) + 1)
        book.defined_names[name] = DefinedName(
            name, attr_text=f"{LISTS_SHEET}!${letter}$2:${letter}${last}"
        )


def _letter(sheet: Sheet, header: str) -> str:
    return get_column_letter(sheet.columns.index(sheet.column(header)) + 1)


def write_scenario_file(data: Mapping[str, Any], path: str | Path) -> None:
    """Write file data read from a workbook as a ``.yaml``/``.yml`` or ``.json`` scenario.

    The file appears whole or not at all.

    Raises
    ------
    InputError
        The path does not end in ``.yaml``, ``.yml`` or ``.json``.
    """
    path = Path(path)
    fmt = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}.get(path.suffix.lower())
    if fmt is None:
        raise InputError(str(path), "", "a scenario file must end in .yaml, .yml or .json")
    text = dump_scenario(data, fmt)
    _replace_whole(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))


def _save_whole(book: Workbook, path: Path) -> None:
    _replace_whole(path, book.save)


def _replace_whole(path: Path, write: Callable[[Path], object]) -> None:
    """Write through a temporary file beside ``path`` and a rename, so no half file is left.

    A path that exists but is no regular file (a pipe the user named) is written
    directly: renaming over it would replace the pipe, not feed it.
    """
    if path.exists() and not path.is_file():
        write(path)
        return
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        try:
            # mkstemp makes the file private; the output is as readable as any other.
            os.fchmod(handle, path.stat().st_mode & 0o777 if path.is_file() else 0o644)
        finally:
            os.close(handle)
        write(temporary)
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)


# ---- Reading ---------------------------------------------------------------------------


def load_workbook_scenario(path: str | Path) -> tuple[dict[str, Any], Network]:
    """Read a scenario workbook: its file data, checked as a YAML scenario is, and network.

    Parameters
    ----------
    path:
        An ``.xlsx`` workbook laid out as :func:`write_workbook` writes one.

    Returns
    -------
    tuple
        The file data (plain values: dates as ISO text, ready for
        :func:`~xiezuo.io.scenario_data.dump_scenario`) and its validated network.

    Raises
    ------
    InputError
        The file is not a workbook, a sheet or header is missing or unknown, a cell is
        merged, a formula, a date typed as text, of the wrong type or empty where a
        value is required, or the data breaks a scenario rule; the location is the
        sheet and cell (``orders!C7``).
    ModelError
        A rule spanning the network is broken; each problem starts with its cell.
    """
    source = str(path)
    book = _open(Path(path), source)
    reader = _Reader(book, source)
    data = reader.data()
    locate = _CellLocator(reader.cell_by_path)
    try:
        spec = ScenarioSpec.model_validate(data)
    except ValidationError as exc:
        raise input_error(exc, source, locate, ScenarioSpec) from None
    return data, network_from_spec(spec, source, locate)


def _open(path: Path, source: str) -> Workbook:
    if path.suffix.lower() != ".xlsx":
        raise InputError(source, "", "a scenario workbook must be an Excel .xlsx file")
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise InputError(source, "", "cannot read a workbook from it: it is not a file")
        if info.st_size > MAX_FILE_BYTES:
            raise InputError(
                source,
                "",
                f"the file is larger than {MAX_FILE_BYTES / 2**20:g} MB, the limit for a workbook",
            )
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            raise InputError(
                source,
                "",
                f"the workbook unpacks to more than {MAX_UNPACKED_BYTES / 2**20:g} MB, the limit",
            )
        with warnings.catch_warnings():
            # openpyxl warns about workbook features it drops (slicers, extensions);
            # they do not hold scenario data.
            warnings.simplefilter("ignore", UserWarning)
            return openpyxl.load_workbook(path, rich_text=False)
    except InputError:
        raise
    except OSError as exc:
        raise InputError(source, "", f"cannot read the file: {exc.strerror or exc}") from exc
    except (
        zipfile.BadZipFile,
        InvalidFileException,
        ParseError,
        KeyError,
        ValueError,
        # openpyxl's reader fails so on parts it does not expect (an empty chart sheet).
        AttributeError,
        TypeError,
    ) as exc:
        raise InputError(
            source, "", f"not an Excel .xlsx workbook, or a damaged one ({exc})"
        ) from exc


@dataclass(slots=True)
class _RowCells:
    """One data row of a sheet: its values by header and the cell of each header."""

    sheet: Sheet
    number: int
    values: _Row
    refs: dict[str, str] = field(default_factory=dict)

    @property
    def ref(self) -> str:
        last = get_column_letter(len(self.sheet.columns))
        return f"{self.sheet.name}!A{self.number}:{last}{self.number}"


class _CellLocator(Locator):
    """Names the workbook cell an entity path of the file data came from."""

    def __init__(self, cell_by_path: dict[_Path, str]) -> None:
        super().__init__(None)
        self.cell_by_path = cell_by_path

    def __call__(self, path: Sequence[str | int]) -> str:
        for end in range(len(path), -1, -1):
            ref = self.cell_by_path.get(tuple(path[:end]))
            if ref is not None:
                return ref
        return super().__call__(path)


class _Reader:
    """Reads the sheets into nested file data, remembering each path's cell."""

    def __init__(self, book: Workbook, source: str) -> None:
        self.book = book
        self.source = source
        self.cell_by_path: dict[_Path, str] = {}

    def fail(self, where: str, problem: str) -> NoReturn:
        raise InputError(self.source, where, problem)

    def data(self) -> dict[str, Any]:
        self.check_sheets()
        rows = {sheet.name: list(self.rows(sheet)) for sheet in SHEETS}
        data: dict[str, Any] = {"network": self.network(rows["network"])}
        data["processes"] = self.names(rows["processes"], "processes", "process")
        if rows["gangs"]:
            data["gangs"] = self.entities(rows["gangs"], "gangs")
        for section, header in (("regions", "region"), ("skills", "skill")):
            if rows[section]:
                data[section] = self.names(rows[section], section, header)
        for section, what in (("plants", "plant"), ("items", "item")):
            data[section] = self.entities(rows[section], section)
            self.check_unique(rows[section], what)
        for section in _FLAT_SECTIONS:
            if rows[section]:
                data[section] = self.entities(rows[section], section)
        self.machines(data["plants"], rows["machines"])
        self.floors(data["plants"], rows["floors"])
        self.calendars(data, rows["calendars"], rows["holidays"])
        self.bom_and_materials(data["items"], rows["bom"], rows["material_lines"])
        self.operations(data["items"], rows)
        self.cell_by_path[("plants",)] = "plants"
        self.cell_by_path[("items",)] = "items"
        return data

    # -- sheets, headers and cells

    def check_sheets(self) -> None:
        names = self.book.sheetnames
        for name in names:
            if name not in SHEET_BY_NAME and name != LISTS_SHEET:
                close = difflib.get_close_matches(name, list(SHEET_BY_NAME), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                self.fail(
                    name,
                    f"unknown sheet {name!r}{hint} (a scenario workbook has the sheets "
                    f"{', '.join(SHEET_BY_NAME)})",
                )
        for sheet in SHEETS:
            if sheet.name not in names:
                self.fail(
                    "",
                    f"the workbook has no sheet {sheet.name!r}; every sheet of a scenario "
                    "workbook must be there, with only its header row if it has no rows",
                )

    def rows(self, sheet: Sheet) -> Iterator[_RowCells]:
        ws = self.book[sheet.name]
        if not isinstance(ws, Worksheet):
            self.fail(sheet.name, "a chart sheet; a scenario workbook has worksheets only")
        if ws.merged_cells.ranges:
            merged = min(ws.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col))
            self.fail(
                f"{sheet.name}!{merged.coord}",
                "merged cells; unmerge them so that each value has a cell of its own",
            )
        if ws.max_row * ws.max_column > MAX_SHEET_CELLS:
            corner = f"{get_column_letter(ws.max_column)}{ws.max_row}"
            self.fail(
                sheet.name,
                f"the sheet reaches cell {corner}, more than {MAX_SHEET_CELLS:,} cells; "
                "delete the empty rows and columns below and beside the data",
            )
        grid = list(ws.iter_rows())  # a blank sheet still has one empty row
        column_by_index = self.headers(sheet, grid[0])
        for number, cells in enumerate(grid[1:], start=2):
            row = self.row(sheet, number, cells, column_by_index)
            if row is not None:
                yield row

    def headers(self, sheet: Sheet, cells: Sequence[Cell | MergedCell]) -> dict[int, Column]:
        known = {column.header: column for column in sheet.columns}
        column_by_index: dict[int, Column] = {}
        seen: dict[str, str] = {}
        for cell in cells:
            if cell.value is None:
                continue
            ref = f"{sheet.name}!{cell.coordinate}"
            header = str(cell.value).strip()
            column = known.get(header)
            if column is None:
                close = difflib.get_close_matches(header, list(known), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                self.fail(
                    ref,
                    f"unknown column {header!r}{hint} (the {sheet.name} sheet has the "
                    f"columns {', '.join(known)})",
                )
            if header in seen:
                self.fail(ref, f"the column {header!r} is already at {seen[header]}")
            seen[header] = ref
            column_by_index[cell.column - 1] = column
        for column in sheet.columns:
            if column.is_required and column.header not in seen:
                self.fail(
                    f"{sheet.name}!1:1",
                    f"the required column {column.header!r} is missing from the header row",
                )
        return column_by_index

    def row(
        self,
        sheet: Sheet,
        number: int,
        cells: Sequence[Cell | MergedCell],
        column_by_index: dict[int, Column],
    ) -> _RowCells | None:
        if all(cell.value is None for cell in cells):
            return None
        row = _RowCells(sheet=sheet, number=number, values={})
        for idx, named in column_by_index.items():
            row.refs[named.header] = f"{sheet.name}!{get_column_letter(idx + 1)}{number}"
        for idx, cell in enumerate(cells):
            if cell.value is None:
                continue
            ref = f"{sheet.name}!{cell.coordinate}"
            column = column_by_index.get(idx)
            if column is None:
                self.fail(ref, "a value in a column without a header; name the column or clear it")
            row.values[column.header] = self.value(cell, column, ref)
        return row

    def value(self, cell: Cell | MergedCell, column: Column, ref: str) -> object:
        value = cell.value
        if cell.data_type == "f":
            self.fail(
                ref,
                f"a formula ({reprlib.repr(value)}); a scenario workbook holds values only: "
                "copy the cell and paste it as a value",
            )
        if cell.data_type == "e":
            self.fail(ref, f"the cell holds the error {value}; enter a value")
        if column.kind is Kind.DATE:
            return self.date_value(cell, ref)
        if column.kind is Kind.CLOCK and isinstance(value, time):
            return value.strftime("%H:%M")
        if column.kind is Kind.BOOL and isinstance(value, str):
            return {"true": True, "false": False}.get(value.strip().lower(), value)
        if column.kind is Kind.WORDS and isinstance(value, str):
            return [word for word in re.split(r"[,;\s]+", value) if word]
        if column.kind is Kind.PAIRS:
            return self.pairs(value, ref)
        if column.kind is Kind.TEXT and isinstance(value, int) and not isinstance(value, bool):
            return str(value)  # an ID such as 1958, which Excel keeps as a number
        if isinstance(value, datetime | time) and column.kind is not Kind.TEXT:
            self.fail(ref, f"expected a {column.kind.value}, not the date or time {value}")
        if column.kind is Kind.NUMBER and isinstance(value, str) and _NUMBER.fullmatch(value):
            self.fail(
                ref,
                f"the number {value!r} is text; enter it as a number (a cell formatted as "
                "text keeps what is typed as text)",
            )
        return value

    def pairs(self, value: object, ref: str) -> dict[int, float]:
        """``2: 0.9, 4: 0.75`` as a mapping; pydantic then checks the ranges."""
        pairs: dict[int, float] = {}
        for part in re.split(r"[,;]", value) if isinstance(value, str) else [value]:
            match = _PAIR.fullmatch(part) if isinstance(part, str) else None
            if match is None:
                self.fail(
                    ref,
                    f"expected gang sizes and shares of full speed like '2: 0.9, 4: 0.75', "
                    f"not {reprlib.repr(value)}",
                )
            pairs[int(match[1])] = float(match[2])
        return pairs

    def date_value(self, cell: Cell | MergedCell, ref: str) -> object:
        value = cell.value
        if isinstance(value, datetime):
            shows_time = _TIME_IN_FORMAT.search(_QUOTED_IN_FORMAT.sub("", cell.number_format))
            if value.time() == time() and not shows_time:
                return value.date().isoformat()
            timespec = (
                "milliseconds" if value.microsecond else "seconds" if value.second else "minutes"
            )
            return value.isoformat(timespec=timespec)
        if isinstance(value, str):
            if _TEXT_INSTANT.fullmatch(value.strip()):
                return value.strip()  # an instant an Excel date cannot hold, kept as written
            self.fail(
                ref,
                f"the date {reprlib.repr(value)} is text; enter it as an Excel date "
                "(type 1958-07-01 into a cell formatted as a date) so that it cannot be misread",
            )
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(ref, f"expected a date, not {reprlib.repr(value)}")
        raise InputError(
            self.source, ref, f"the number {value!r} is not a date; format the cell as a date"
        )

    # -- entities

    def entity(self, row: _RowCells, path: _Path) -> _Row:
        """The row's fields, its cells remembered under ``path``; required cells filled."""
        self.cell_by_path[path] = row.ref
        for header, ref in row.refs.items():
            self.cell_by_path[(*path, header)] = ref
        for column in row.sheet.fields:
            if column.is_required and column.header not in row.values:
                self.fail(row.refs[column.header], f"the required field {column.header!r} is empty")
        keys = _KEY_HEADERS[row.sheet.name]
        return {h: v for h, v in row.values.items() if h not in keys}

    def names(self, rows: list[_RowCells], section: str, header: str) -> list[object]:
        return [self.entity(row, (section, idx))[header] for idx, row in enumerate(rows)]

    def entities(self, rows: list[_RowCells], section: str) -> list[_Row]:
        return [self.entity(row, (section, idx)) for idx, row in enumerate(rows)]

    def check_unique(self, rows: list[_RowCells], what: str) -> None:
        """Refuse a repeated parent ID before child rows are placed under the first one."""
        first_ref: dict[object, str] = {}
        for row in rows:
            value = row.values["id"]
            if value in first_ref:
                self.fail(
                    row.refs["id"], f"{what} {value!r} is already given at {first_ref[value]}"
                )
            first_ref[value] = row.refs["id"]

    def network(self, rows: list[_RowCells]) -> _Row:
        if len(rows) != 1:
            where = "network" if not rows else rows[1].ref
            self.fail(
                where,
                f"the network sheet has {len(rows)} rows of values; give exactly one, "
                "below its header row",
            )
        return self.entity(rows[0], ("network",))

    def key(self, row: _RowCells, header: str) -> str | None:
        """The ID in a key column, or None when that cell is empty."""
        value = row.values.get(header)
        if value is not None and not isinstance(value, str):
            self.fail(row.refs[header], f"expected a {header} ID, not {reprlib.repr(value)}")
        return value

    def parent(self, row: _RowCells, header: str, index_by_id: Mapping[str, int], what: str) -> int:
        """The index of the parent a required key column names."""
        value = self.key(row, header)
        if value is None:
            self.fail(row.refs[header], f"the {header} this row belongs to is empty")
        idx = index_by_id.get(value)
        if idx is None:
            close = difflib.get_close_matches(value, list(index_by_id), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            self.fail(row.refs[header], f"unknown {what} {value!r}{hint}")
        return idx

    def machines(self, plants: list[_Row], rows: list[_RowCells]) -> None:
        plant_idx = _first_index([p.get("id") for p in plants])
        for row in rows:
            p_idx = self.parent(row, "plant", plant_idx, "plant")
            machines = plants[p_idx].setdefault("machines", [])
            machines.append(self.entity(row, ("plants", p_idx, "machines", len(machines))))

    def floors(self, plants: list[_Row], rows: list[_RowCells]) -> None:
        plant_idx = _first_index([p.get("id") for p in plants])
        seen: dict[int, str] = {}
        for row in rows:
            p_idx = self.parent(row, "plant", plant_idx, "plant")
            if p_idx in seen:
                self.fail(
                    row.ref,
                    f"the floor of plant {row.values['plant']!r} is already at {seen[p_idx]}",
                )
            seen[p_idx] = row.ref
            plants[p_idx]["floor"] = self.entity(row, ("plants", p_idx, "floor"))

    def calendars(
        self, data: dict[str, Any], rows: list[_RowCells], holiday_rows: list[_RowCells]
    ) -> None:
        seen: dict[_Path, str] = {}
        no_holidays_ref: dict[_Path, str] = {}
        for row in rows:
            path, owner = self.calendar_owner(data, row)
            if path in seen:
                self.fail(
                    row.ref, f"the calendar of {self.owner_name(row)} is already at {seen[path]}"
                )
            seen[path] = row.ref
            calendar = self.entity(row, path)
            no_holidays = calendar.pop("no_holidays", False)
            if no_holidays is True:
                calendar["holidays"] = []
                no_holidays_ref[path] = row.refs["no_holidays"]
            elif no_holidays is not False:
                self.fail(
                    row.refs["no_holidays"],
                    f"expected TRUE or FALSE, not {reprlib.repr(no_holidays)}",
                )
            owner["calendar"] = calendar
        for row in holiday_rows:
            path, owner = self.calendar_owner(data, row)
            if path in no_holidays_ref:
                self.fail(
                    row.ref,
                    f"a holiday of {self.owner_name(row)}, whose calendar says no_holidays "
                    f"at {no_holidays_ref[path]}",
                )
            if "date" not in row.values:
                self.fail(row.refs["date"], "the holiday's date is empty")
            if path not in seen:  # holidays alone make a calendar of their own
                seen[path] = row.ref
                self.cell_by_path[path] = row.ref
            holidays = owner.setdefault("calendar", {}).setdefault("holidays", [])
            self.cell_by_path[(*path, "holidays")] = row.ref
            day_path = (*path, "holidays", len(holidays))
            self.entity(row, day_path)
            self.cell_by_path[day_path] = row.refs["date"]
            holidays.append(row.values["date"])

    def calendar_owner(self, data: dict[str, Any], row: _RowCells) -> tuple[_Path, _Row]:
        plant_id, machine_id = self.key(row, "plant"), self.key(row, "machine")
        if plant_id is None:
            if machine_id is not None:
                self.fail(row.refs["plant"], f"give the plant of machine group {machine_id!r}")
            return ("network", "calendar"), data["network"]
        p_idx = self.parent(
            row, "plant", _first_index([p.get("id") for p in data["plants"]]), "plant"
        )
        plant = data["plants"][p_idx]
        if machine_id is None:
            return ("plants", p_idx, "calendar"), plant
        machines = plant.get("machines", [])
        m_idx = self.parent(
            row,
            "machine",
            _first_index([m.get("id") for m in machines]),
            f"machine group of plant {plant_id!r}",
        )
        return ("plants", p_idx, "machines", m_idx, "calendar"), machines[m_idx]

    def owner_name(self, row: _RowCells) -> str:
        plant_id, machine_id = row.values.get("plant"), row.values.get("machine")
        if plant_id is None:
            return "the network"
        if machine_id is None:
            return f"plant {plant_id!r}"
        return f"machine group {machine_id!r} of plant {plant_id!r}"

    def bom_and_materials(
        self, items: list[_Row], bom_rows: list[_RowCells], material_rows: list[_RowCells]
    ) -> None:
        item_idx = _first_index([i.get("id") for i in items])
        for rows, header, section in (
            (bom_rows, "parent", "bom"),
            (material_rows, "item", "materials"),
        ):
            for row in rows:
                i_idx = self.parent(row, header, item_idx, "item")
                lines = items[i_idx].setdefault(section, [])
                lines.append(self.entity(row, ("items", i_idx, section, len(lines))))

    def operations(self, items: list[_Row], rows_by_sheet: dict[str, list[_RowCells]]) -> None:
        """Routing steps grouped by item and routing, then the rows that hang off a step."""
        item_idx = _first_index([i.get("id") for i in items])
        steps_by_routing: dict[tuple[int, str | None], list[tuple[int, _RowCells]]] = {}
        for row in rows_by_sheet["operations"]:
            i_idx = self.parent(row, "item", item_idx, "item")
            routing = self.key(row, "routing")
            steps_by_routing.setdefault((i_idx, routing), []).append((self.step(row), row))
        path_by_step: dict[tuple[int, str | None, int], tuple[_Path, _Row]] = {}
        shorthand_ref: dict[int, str] = {}
        for (i_idx, routing), steps in steps_by_routing.items():
            item = items[i_idx]
            steps.sort(key=lambda pair: pair[0])
            if routing is None:
                base: _Path = ("items", i_idx)
                item["operations"] = operations = []
                shorthand_ref[i_idx] = steps[0][1].ref
            else:
                routings = item.setdefault("routings", [])
                base = ("items", i_idx, "routings", len(routings))
                routings.append({"id": routing, "operations": []})
                operations = routings[-1]["operations"]
                self.cell_by_path[base] = steps[0][1].ref
                self.cell_by_path[(*base, "id")] = steps[0][1].refs["routing"]
            for expected, (number, row) in enumerate(steps, start=1):
                if number != expected:
                    self.fail(
                        row.refs["step"],
                        f"step {number} of {_routing_name(item, routing)} should be step "
                        f"{expected}; number the steps 1, 2, 3 … without gaps or repeats",
                    )
                path = (*base, "operations", len(operations))
                operations.append(self.entity(row, path))
                path_by_step[(i_idx, routing, number)] = (path, operations[-1])
        for i_idx, item in enumerate(items):
            if "operations" in item and "routings" in item:
                self.fail(
                    shorthand_ref[i_idx],
                    f"item {item.get('id')!r} has steps with and without a routing; give "
                    "every step of an item with several routings its routing ID",
                )
            if "operations" not in item and "routings" not in item:
                self.fail(
                    self.cell_by_path[("items", i_idx)],
                    f"item {item.get('id')!r} has no operations; list its routing steps on "
                    "the operations sheet",
                )
        gang_refs: dict[_Path, str] = {}
        for sheet, section in (
            ("machine_times", "machine_times"),
            ("crews", "crew"),
            ("step_gangs", "gang"),
        ):
            for row in rows_by_sheet[sheet]:
                i_idx = self.parent(row, "item", item_idx, "item")
                routing = self.key(row, "routing")
                number = self.step(row)
                found = path_by_step.get((i_idx, routing, number))
                if found is None:
                    self.fail(
                        row.refs["step"],
                        f"{_routing_name(items[i_idx], routing)} has no step {number} on the "
                        "operations sheet",
                    )
                path, operation = found
                if section == "gang":
                    if path in gang_refs:
                        self.fail(
                            row.ref,
                            f"step {number} of {_routing_name(items[i_idx], routing)} has its "
                            f"gang at {gang_refs[path]} already",
                        )
                    gang_refs[path] = row.ref
                    operation["gang"] = self.entity(row, (*path, "gang"))
                    continue
                lines = operation.setdefault(section, [])
                lines.append(self.entity(row, (*path, section, len(lines))))

    def step(self, row: _RowCells) -> int:
        value = row.values.get("step")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            where = row.refs["step"]
            if value is None:
                self.fail(where, "the step number is empty")
            self.fail(where, f"expected a step number 1, 2, 3 …, not {reprlib.repr(value)}")
        return value


def _first_index(ids: Iterable[object]) -> dict[str, int]:
    index: dict[str, int] = {}
    for idx, value in enumerate(ids):
        if isinstance(value, str):
            index.setdefault(value, idx)
    return index


def _routing_name(item: Mapping[str, Any], routing: str | None) -> str:
    if routing is None:
        return f"item {item.get('id')!r}"
    return f"item {item.get('id')!r} routing {routing!r}"
