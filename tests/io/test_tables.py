"""Tables written as an Excel workbook and as CSV files hold the same, typed rows."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

from xiezuo.io.tables import (
    REPLACEMENT_CHARACTER,
    Column,
    Kind,
    Table,
    Value,
    cell_text,
    csv_bytes,
    write_csv_dir,
    write_file,
    write_xlsx,
    xlsx_bytes,
)

ORDERS = Table(
    name="orders",
    columns=(
        Column("order"),
        Column("quantity", Kind.INT),
        Column("due", Kind.DATE),
        Column("arrival", Kind.DATETIME),
        Column("lateness h", Kind.HOURS),
        Column("lateness d", Kind.DAYS),
        Column("load", Kind.PERCENT),
    ),
    rows=(
        ("重庆-1", 3, date(1958, 7, 31), datetime(1958, 8, 1, 16, 30), 40.5, 1.6875, 0.8534),
        ("=HYPERLINK(1)", None, None, None, -2.25, None, None),
    ),
)


def _sheet_rows(data: bytes, name: str) -> list[tuple[object, ...]]:
    sheet = load_workbook(io.BytesIO(data))[name]
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows()]


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_workbook_cells_are_typed_and_formatted() -> None:
    sheet = load_workbook(io.BytesIO(xlsx_bytes([ORDERS])))["orders"]
    first = [cell for cell in sheet[2] if isinstance(cell, Cell)]  # no merged cells
    assert [c.value for c in first] == [
        "重庆-1",
        3,
        datetime(1958, 7, 31),
        datetime(1958, 8, 1, 16, 30),
        40.5,
        1.6875,
        0.8534,
    ]
    assert first[2].is_date
    assert first[3].is_date
    assert [c.number_format for c in first[2:]] == [
        "yyyy-mm-dd",
        "yyyy-mm-dd hh:mm",
        "0.0",
        "0.0",
        "0.0%",
    ]


def test_text_that_looks_like_a_formula_stays_text() -> None:
    sheet = load_workbook(io.BytesIO(xlsx_bytes([ORDERS])))["orders"]
    cell = sheet["A3"]
    assert cell.value == "=HYPERLINK(1)"
    assert cell.data_type == "s"


def test_sheet_has_frozen_bold_header_autofilter_and_fitted_widths() -> None:
    sheet = load_workbook(io.BytesIO(xlsx_bytes([ORDERS])))["orders"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:G3"
    assert all(cell.font.bold for cell in sheet[1])
    # "=HYPERLINK(1)" (13 characters) is the widest order cell.
    # Widths in characters; the file adds Excel's cell padding (a fraction).
    assert int(sheet.column_dimensions["A"].width) == 15
    # A time needs 16 characters, more than its header.
    assert int(sheet.column_dimensions["D"].width) == 18


def test_chinese_text_counts_double_width() -> None:
    table = Table(name="t", columns=(Column("x"),), rows=(("重庆重庆重庆重庆重庆",),))
    sheet = load_workbook(io.BytesIO(xlsx_bytes([table])))["t"]
    assert int(sheet.column_dimensions["A"].width) == 22


def test_csv_has_bom_crlf_and_shows_values_as_the_workbook_does() -> None:
    data = csv_bytes(ORDERS)
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data
    assert _csv_rows(data) == [
        ["order", "quantity", "due", "arrival", "lateness h", "lateness d", "load"],
        ["重庆-1", "3", "1958-07-31", "1958-08-01 16:30", "40.5", "1.7", "85.3%"],
        ["=HYPERLINK(1)", "", "", "", "-2.2", "", ""],
    ]


_KIND_VALUES: dict[Kind, st.SearchStrategy[Value]] = {
    Kind.TEXT: st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
    Kind.INT: st.integers(-(10**9), 10**9),
    Kind.HOURS: st.floats(-1e5, 1e5, allow_nan=False),
    Kind.DAYS: st.floats(-1e4, 1e4, allow_nan=False),
    Kind.PERCENT: st.floats(0, 10, allow_nan=False),
    Kind.DATE: st.dates(date(1800, 1, 1), date(2400, 1, 1)),
    Kind.DATETIME: st.datetimes(datetime(1800, 1, 1), datetime(2400, 1, 1)).map(
        lambda t: t.replace(second=0, microsecond=0)
    ),
}


@st.composite
def tables(draw: st.DrawFn) -> Table:
    kinds = draw(st.lists(st.sampled_from(list(Kind)), min_size=1, max_size=5))
    rows = draw(
        st.lists(
            st.tuples(*(st.none() | _KIND_VALUES[kind] for kind in kinds)),
            max_size=6,
        )
    )
    columns = tuple(Column(f"c{idx}", kind) for idx, kind in enumerate(kinds))
    return Table(name="random", columns=columns, rows=tuple(rows))


@settings(deadline=None)  # a workbook takes a while on a busy machine
@given(tables())
def test_csv_and_workbook_hold_the_same_rows(table: Table) -> None:
    """Each CSV field is the workbook cell as the workbook shows it."""
    from_sheet = _sheet_rows(xlsx_bytes([table]), "random")
    from_csv = _csv_rows(csv_bytes(table))
    assert from_csv[0] == [c.name for c in table.columns]
    assert len(from_csv) == len(from_sheet) == len(table.rows) + 1
    for sheet_row, csv_row in zip(from_sheet[1:], from_csv[1:], strict=True):
        shown = []
        for column, value in zip(table.columns, sheet_row, strict=True):
            if isinstance(value, str) and column.kind in (Kind.DATE, Kind.DATETIME):
                shown.append(value)  # a day Excel cannot hold, written as text
                continue
            if column.kind is Kind.DATE and isinstance(value, datetime):
                value = value.date()  # openpyxl reads every date cell back as a datetime
            shown.append(cell_text(column.kind, value))  # type: ignore[arg-type]
        expected = [ILLEGAL_CHARACTERS_RE.sub(REPLACEMENT_CHARACTER, field) for field in csv_row]
        assert shown == expected


@pytest.mark.parametrize(
    ("columns", "row", "message"),
    [
        ((Column("a"),), ("x", "y"), "row 1: 2 values for 1 columns"),
        ((Column("n", Kind.INT),), ("7",), "column 'n': '7' is not a int value"),
        ((Column("n", Kind.INT),), (True,), "is not a int value"),
        ((Column("h", Kind.HOURS),), (float("nan"),), "is not a hours value"),
        ((Column("d", Kind.DATE),), (datetime(1958, 7, 1),), "is not a date value"),
        (
            (Column("t", Kind.DATETIME),),
            (datetime(1958, 7, 1, tzinfo=timezone(timedelta(hours=8))),),
            "is not a datetime value",
        ),
    ],
)
def test_a_row_that_does_not_fit_its_columns_is_refused(
    columns: tuple[Column, ...], row: tuple[Value, ...], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Table(name="t", columns=columns, rows=(row,))


@pytest.mark.parametrize("name", ["", " orders", "a" * 32, "load/week", "x:y"])
def test_a_name_excel_or_a_file_system_refuses_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="table name"):
        Table(name=name, columns=(), rows=())


def test_two_tables_of_one_name_are_refused() -> None:
    twin = Table(name="ORDERS", columns=(), rows=())
    with pytest.raises(ValueError, match="two tables are named 'ORDERS'"):
        xlsx_bytes([ORDERS, twin])


def test_write_xlsx_replaces_the_file_whole(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    path.write_text("old")
    write_xlsx([ORDERS], path)
    assert _sheet_rows(path.read_bytes(), "orders")[1][0] == "重庆-1"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.xlsx"]


def test_write_xlsx_into_a_missing_folder_fails_and_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_xlsx([ORDERS], tmp_path / "missing" / "plan.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_write_xlsx_to_a_full_device_fails() -> None:
    with pytest.raises(OSError, match="No space left"):
        write_xlsx([ORDERS], Path("/dev/full"))


def test_write_csv_dir_makes_the_folder_and_one_file_per_table(tmp_path: Path) -> None:
    other = Table(name="load", columns=(Column("h", Kind.HOURS),), rows=((1.25,),))
    folder = tmp_path / "tables"
    written = write_csv_dir([ORDERS, other], folder)
    assert written == (folder / "orders.csv", folder / "load.csv")
    assert sorted(p.name for p in folder.iterdir()) == ["load.csv", "orders.csv"]
    assert _csv_rows((folder / "load.csv").read_bytes()) == [["h"], ["1.2"]]
    assert (folder / "load.csv").stat().st_mode & 0o777 == 0o644


def test_write_csv_dir_changes_nothing_when_a_file_cannot_be_placed(tmp_path: Path) -> None:
    (tmp_path / "orders.csv").write_text("old")
    (tmp_path / "load.csv").mkdir()
    other = Table(name="load", columns=(), rows=())
    with pytest.raises(IsADirectoryError):
        write_csv_dir([ORDERS, other], tmp_path)
    assert (tmp_path / "orders.csv").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["load.csv", "orders.csv"]


def test_write_csv_dir_needs_the_parent_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_csv_dir([ORDERS], tmp_path / "a" / "b")


def test_control_characters_a_workbook_cannot_hold_are_replaced_there_only() -> None:
    table = Table(name="t", columns=(Column("x"),), rows=(("a\x00b\tc",),))
    assert _sheet_rows(xlsx_bytes([table]), "t")[1] == ("a\ufffdb\tc",)
    assert _csv_rows(csv_bytes(table))[1] == ["a\x00b\tc"]


def test_a_day_before_excel_s_first_is_written_as_text() -> None:
    table = Table(name="t", columns=(Column("d", Kind.DATE),), rows=((date(1899, 12, 31),),))
    assert _sheet_rows(xlsx_bytes([table]), "t")[1] == ("1899-12-31",)


def test_a_day_is_written_as_its_midnight() -> None:
    table = Table(name="t", columns=(Column("d", Kind.DATE),), rows=((date(1958, 7, 1),),))
    cell = load_workbook(io.BytesIO(xlsx_bytes([table])))["t"]["A2"]
    assert cell.value == datetime.combine(date(1958, 7, 1), time())


def test_write_file_keeps_the_old_file_when_the_write_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "page.html"
    path.write_text("old")

    def fail_fsync(_: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.fsync", fail_fsync)
    with pytest.raises(OSError, match="No space left"):
        write_file(path, b"new")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]
