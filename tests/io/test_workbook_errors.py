"""A damaged scenario workbook fails with the sheet and cell of the damage, in Excel terms."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import openpyxl
import pytest
from openpyxl.chart import BarChart, Reference

from xiezuo.errors import InputError, ModelError
from xiezuo.io.scenario import load_scenario_spec
from xiezuo.io.workbook import load_workbook_scenario, write_workbook

if TYPE_CHECKING:
    from collections.abc import Callable

    from openpyxl import Workbook

EXAMPLE = Path(__file__).parents[2] / "examples" / "chongqing-1958.yaml"
EVERY_FIELD = Path(__file__).parents[2] / "tests" / "data" / "workbooks" / "every-field.yaml"


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("base") / "chongqing.xlsx"
    write_workbook(load_scenario_spec(EXAMPLE), path)
    return path


def _damaged(exported: Path, tmp_path: Path, damage: Callable[[Workbook], object]) -> Path:
    book = openpyxl.load_workbook(exported)
    damage(book)
    path = tmp_path / "damaged.xlsx"
    book.save(path)
    return path


def _set(sheet: str, ref: str, value: object) -> Callable[[Workbook], None]:
    def damage(book: Workbook) -> None:
        book[sheet][ref].value = value

    return damage


def _chart_sheet(book: Workbook) -> None:
    book.remove(book["stock"])
    chart = BarChart()
    chart.add_data(Reference(book["orders"], min_col=4, min_row=1, max_row=3))
    book.create_chartsheet("stock").add_chart(chart)


CASES: dict[str, tuple[Callable[[Workbook], object], str, str]] = {
    "missing sheet": (
        lambda book: book.remove(book["orders"]),
        "",
        "the workbook has no sheet 'orders'",
    ),
    "unknown sheet": (lambda book: book.create_sheet("ordres"), "ordres", "did you mean 'orders'"),
    "merged cells": (
        lambda book: book["orders"].merge_cells("B3:C3"),
        "orders!B3:C3",
        "merged cells",
    ),
    "date as text": (_set("orders", "E3", "1958-09-30"), "orders!E3", "is text"),
    "formula": (_set("orders", "D3", "=1+1"), "orders!D3", "a formula ('=1+1')"),
    "text for a number": (_set("orders", "D3", "two"), "orders!D3", "expected a whole number"),
    "number as text": (_set("orders", "D3", "12"), "orders!D3", "the number '12' is text"),
    "fraction for a whole number": (_set("orders", "D3", 2.5), "orders!D3", "fractional part"),
    "date for a number": (
        _set("orders", "D3", datetime(1958, 1, 1)),
        "orders!D3",
        "expected a number, not the date",
    ),
    "text for a boolean": (_set("bom", "D2", "yes"), "bom!D2", "valid boolean"),
    "empty required cell": (_set("orders", "C3", None), "orders!C3", "'item' is empty"),
    "duplicate parent ID": (
        _set("plants", "A3", "CMT"),
        "plants!A3",
        "plant 'CMT' is already given at plants!A2",
    ),
    "duplicate ID": (
        _set("orders", "A3", "YN-MILL-01"),
        "orders!A3:L3",
        "order 'YN-MILL-01' is already given at orders!A2:L2",
    ),
    "error value": (_set("orders", "D3", "#REF!"), "orders!D3", "the error #REF!"),
    "repeated header": (_set("orders", "I1", "id"), "orders!I1", "already at orders!A1"),
    "chart sheet": (_chart_sheet, "stock", "a chart sheet"),
    "empty chart sheet": (
        lambda book: book.create_chartsheet("stock", index=len(book.sheetnames)),
        "",
        "a damaged one",
    ),
    "stray cell far below": (
        lambda book: setattr(book["stock"]["C400000"], "number_format", "0.00"),
        "stock",
        "reaches cell C400000",
    ),
    "misspelt header": (_set("orders", "C1", "itme"), "orders!C1", "did you mean 'item'"),
    "missing header": (_set("orders", "C1", None), "orders!1:1", "'item' is missing"),
    "value without a header": (_set("orders", "T5", "x"), "orders!T5", "without a header"),
    "unknown item": (_set("orders", "C7", "MILL-10"), "orders!C7", "unknown item 'MILL-10'"),
    "unknown parent": (_set("machines", "A3", "XX"), "machines!A3", "unknown plant 'XX'"),
    "unknown time zone": (_set("network", "C2", "Mars/Base"), "network!C2", "unknown time zone"),
    "out of range": (_set("machines", "D2", -1), "machines!D2", "greater than or equal to 1"),
    "bad weekday": (_set("calendars", "C2", "mon, tue, xyz"), "calendars!C2", "'xyz'"),
    "a gap in the steps": (_set("operations", "C3", 5), "operations!C3", "should be step 1"),
    "crew of a missing step": (_set("crews", "C2", 9), "crews!C2", "has no step 9"),
    "two network rows": (
        lambda book: book["network"].append(["again"]),
        "network!A3:C3",
        "give exactly one",
    ),
}


@pytest.mark.parametrize(
    ("damage", "location", "problem"),
    [
        (_set("gangs", "D2", "2 = 0.9"), "gangs!D2", "like '2: 0.9, 4: 0.75'"),
        (_set("gangs", "D2", "2: 1.5"), "gangs!D2", "less than or equal to 1"),
        (_set("floors", "A2", "XX"), "floors!A2", "unknown plant 'XX'"),
        (
            lambda book: book["step_gangs"].append(["MILL", "main", 3, 1, 2]),
            "step_gangs!A3:G3",
            "has its gang at step_gangs!A2:G2 already",
        ),
    ],
    ids=["gang shares as text", "gang share above 1", "floor of no plant", "two gangs"],
)
def test_a_damaged_gang_or_floor_names_the_cell(
    damage: Callable[[Workbook], object], location: str, problem: str, tmp_path: Path
) -> None:
    path = tmp_path / "every-field.xlsx"
    write_workbook(load_scenario_spec(EVERY_FIELD), path)
    path = _damaged(path, tmp_path, damage)
    with pytest.raises(InputError) as caught:
        load_workbook_scenario(path)
    assert (caught.value.location, problem in caught.value.problem) == (location, True)


@pytest.mark.parametrize("case", CASES)
def test_a_damaged_workbook_names_the_cell(case: str, exported: Path, tmp_path: Path) -> None:
    damage, location, problem = CASES[case]
    path = _damaged(exported, tmp_path, damage)
    with pytest.raises(InputError) as caught:
        load_workbook_scenario(path)
    assert caught.value.location == location
    assert problem in caught.value.problem
    assert caught.value.source == str(path)


def test_a_broken_network_rule_names_the_row_that_breaks_it(exported: Path, tmp_path: Path) -> None:
    path = _damaged(exported, tmp_path, lambda book: book["bom"].append(["STAND-10K", "MILL-10K"]))
    with pytest.raises(ModelError, match=r"bom!A\d+:D\d+: BOM cycle: MILL-10K -> STAND-10K"):
        load_workbook_scenario(path)


def test_a_holiday_of_a_calendar_without_holidays_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "every-field.xlsx"
    write_workbook(load_scenario_spec(EVERY_FIELD), path)
    book = openpyxl.load_workbook(path)
    book["holidays"].append(["CMT", None, datetime(1958, 8, 1)])
    book.save(path)
    with pytest.raises(InputError, match="whose calendar says no_holidays at calendars!G3"):
        load_workbook_scenario(path)


def test_an_instant_with_a_utc_offset_may_be_text(exported: Path, tmp_path: Path) -> None:
    """Excel dates have no time zone, so such an instant can only be written as text."""
    path = _damaged(exported, tmp_path, _set("orders", "E3", "1958-09-30T06:00+08:00"))
    _, network = load_workbook_scenario(path)
    assert network.orders[1].due == datetime.fromisoformat("1958-09-30T06:00+08:00")


@pytest.mark.parametrize(
    ("content", "problem"),
    [(b"", "not an Excel .xlsx workbook"), (b"PK\x03\x04 not a zip", "not an Excel .xlsx")],
)
def test_a_file_that_is_no_workbook_is_refused(
    content: bytes, problem: str, tmp_path: Path
) -> None:
    path = tmp_path / "scenario.xlsx"
    path.write_bytes(content)
    with pytest.raises(InputError, match=problem):
        load_workbook_scenario(path)


def test_a_workbook_must_be_an_xlsx_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"must be an Excel \.xlsx file"):
        load_workbook_scenario(tmp_path / "scenario.xls")
