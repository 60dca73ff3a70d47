"""Task sheets as HTML and CSV: the same rows, every label translated."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.pofile import read_po

from xiezuo.errors import InputError
from xiezuo.i18n import LANGUAGES, catalogue_path, translator
from xiezuo.io import load_scenario
from xiezuo.io.plan_file import read_plan
from xiezuo.services.sheets import task_sheets
from xiezuo.web.sheets import (
    CSV_COLUMNS,
    SECTION_CONTINUING,
    SECTION_OPERATIONS,
    plant_file_stems,
    sheets_csv,
    sheets_html,
)

if TYPE_CHECKING:
    from xiezuo.domain import Network
    from xiezuo.services.sheets import Sheets

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "chongqing-1958.yaml"
EXAMPLE_PLAN = ROOT / "tests" / "data" / "plans" / "chongqing-1958.json"
SOURCES = [
    ROOT / "src" / "xiezuo" / "web" / "sheets.py",
    ROOT / "src" / "xiezuo" / "services" / "sheets.py",
    ROOT / "src" / "xiezuo" / "cli" / "sheets.py",
]
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "tr": None}


@pytest.fixture(scope="module")
def network() -> Network:
    return load_scenario(EXAMPLE)


@pytest.fixture(scope="module")
def week(network: Network) -> Sheets:
    """Every plant's sheets for the second week of July 1958."""
    plan = read_plan(EXAMPLE_PLAN, near=network.start)
    return task_sheets(network, plan, first_day=date(1958, 7, 7), days=7)


def _used_messages() -> set[str]:
    found = set()
    for source in SOURCES:
        for _line, message, _comments, _context in extract_from_file(
            "python", source, keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def _catalogue(lang: str) -> dict[str, str]:
    with catalogue_path(lang).open("rb") as po:
        catalog = read_po(po)
    return {m.id: m.string for m in catalog if m.id and not m.fuzzy}  # type: ignore[misc]


def test_every_label_used_has_a_chinese_translation():
    used = _used_messages()
    assert len(used) > 40, "the extractor finds the sheets' labels"
    zh = _catalogue("zh")
    assert sorted(m for m in used if not zh.get(m)) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogues_hold_no_label_the_code_no_longer_uses(lang):
    assert sorted(set(_catalogue(lang)) - _used_messages()) == []


def test_placeholders_survive_translation():
    zh = _catalogue("zh")
    for message, translated in zh.items():
        assert set(re.findall(r"{\w+}", message)) == set(re.findall(r"{\w+}", translated))


def test_dates_follow_the_language():
    assert translator("en").day(date(1958, 7, 1)) == "Tuesday, 1 July 1958"
    assert translator("zh").day(date(1958, 7, 1)) == "1958年7月1日星期二"


def test_a_language_without_labels_is_refused():
    with pytest.raises(InputError, match=r"'fr'.*en or zh"):
        translator("fr")


class _Rows(HTMLParser):
    """The text of each table row of a sheet, by the row's class."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, list[list[str]]] = {"op": [], "carry": [], "move": []}
        self._row: list[str] | None = None
        self._kind = ""
        self._in_style = False
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        cls = dict(attrs).get("class") or ""
        self._in_style = tag == "style"
        if tag == "tr" and cls in self.rows:
            self._row, self._kind = [], cls
        elif tag == "td" and self._row is not None:
            self._row.append("")

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False
        if tag == "tr" and self._row is not None:
            self.rows[self._kind].append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if not self._in_style:
            self.text.append(data)
        if self._row:
            self._row[-1] += data


def _parse(page: str) -> _Rows:
    parser = _Rows()
    parser.feed(page)
    return parser


@pytest.mark.parametrize("lang", LANGUAGES)
def test_csv_has_the_rows_of_the_html(week, lang):
    tr = translator(lang)
    rows = _parse(sheets_html(week, tr)).rows
    table = list(csv.reader(io.StringIO(sheets_csv(week, tr))))
    header, lines = table[0], table[1:]
    assert header == [tr(c) for c in CSV_COLUMNS]
    order = header.index(tr("Order"))
    section = header.index(tr("Section"))
    operations = [line for line in lines if line[section] == tr(SECTION_OPERATIONS)]
    continuing = [line for line in lines if line[section] == tr(SECTION_CONTINUING)]
    movements = [line for line in lines if line not in (*operations, *continuing)]
    assert (
        len(operations)
        == len(rows["op"])
        == sum(len(day.rows) for plant in week.plants for day in plant.days)
    )
    assert len(movements) == len(rows["move"])
    assert len(continuing) == len(rows["carry"]) > 0
    # Same rows in the same order: the HTML's order column (4th) against the CSV's.
    assert [line[order] for line in operations] == [cells[3] for cells in rows["op"]]
    assert [line[order] or "–" for line in movements] == [cells[2] for cells in rows["move"]]
    assert [line[order] for line in continuing] == [cells[2] for cells in rows["carry"]]


def _data_words(network: Network) -> set[str]:
    """Every name the scenario gives, shown on the sheets as it is."""
    words = {p.id for p in network.plants} | {p.name for p in network.plants}
    words |= {m.id for p in network.plants for m in p.machines}
    words |= {i.id for i in network.items} | {o.id for o in network.orders}
    words |= set(network.processes) | set(network.regions) | set(network.skills)
    words |= {m.id for m in network.materials} | {m.unit for m in network.materials}
    words |= {s.source for s in network.supplies}
    words |= {getattr(network.start.tzinfo, "key", ""), "UTC"}
    return {w for w in words if w}


def test_chinese_sheets_have_no_english_label(network, week):
    tr = translator("zh")
    words = sorted(_data_words(network), key=len, reverse=True)
    # Whole words only: the unit "t" must not hide a "t" of an untranslated label.
    pattern = re.compile(
        r"(?<![A-Za-z])(?:" + "|".join(re.escape(w) for w in words) + r")(?![A-Za-z])"
    )
    page = _parse(sheets_html(week, tr))
    text = pattern.sub(" ", " ".join(page.text))
    assert re.findall(r"[A-Za-z]{2,}", text) == []
    table = pattern.sub(" ", sheets_csv(week, tr))
    assert re.findall(r"[A-Za-z]{2,}", table) == []


def test_english_sheets_use_english_labels(week):
    page = sheets_html(week, translator("en"))
    assert "Coming in" in page
    assert "Shift 1, 06:00–14:00" in page
    assert "Monday, 7 July 1958" in page


def test_a_day_starts_a_new_printed_page_and_rows_never_split(week):
    page = sheets_html(week, translator("en"))
    assert "@page { size: A4 landscape" in page
    assert "section.day { break-before: page; }" in page
    assert "tr { break-inside: avoid" in page
    days = sum(len(plant.days) for plant in week.plants)
    assert page.count('<section class="day"') == days


def test_nothing_planned_says_so(network):
    plan = read_plan(EXAMPLE_PLAN, near=network.start)
    empty = task_sheets(network, plan, plant_id="CTS", first_day=date(1960, 1, 1), days=2)
    assert empty.plants[0].days == ()
    page = sheets_html(empty, translator("en"))
    assert "Nothing is planned from Friday, 1 January 1960 to Saturday, 2 January 1960." in page


def test_file_names_are_safe_and_distinct(week):
    odd = replace(
        week,
        plants=(
            replace(week.plants[0], plant_id="A/B"),
            replace(week.plants[1], plant_id="A:B"),
            replace(week.plants[2], plant_id="a/b"),
        ),
    )
    stems = plant_file_stems(odd)
    assert stems["A/B"] == "sheets-A_B"
    assert len({s.lower() for s in stems.values()}) == 3
    assert all(re.fullmatch(r"[A-Za-z0-9._-]+", s) for s in stems.values())


@pytest.mark.parametrize(
    ("lang", "shown"), [("en", "1,2,3 · floor bay"), ("zh", "1,2,3 · 占用场地")]
)
def test_a_ganged_step_shows_every_unit_it_holds(week, lang, shown):
    plant = next(p for p in week.plants if any(d.rows for d in p.days))
    day = next(d for d in plant.days if d.rows)
    shift = next(s for s in day.shifts if s.groups)
    row = shift.groups[0].rows[0]
    if row.operation.machine_id is None:
        row = next(r for g in shift.groups for r in g.rows if r.operation.machine_id is not None)
    ganged = replace(row, operation=replace(row.operation, unit=0, units=(0, 1, 2), on_floor=True))
    one = replace(
        week,
        plants=(
            replace(
                plant,
                days=(
                    replace(
                        day,
                        shifts=(
                            replace(
                                shift,
                                groups=(replace(shift.groups[0], rows=(ganged,)),),
                                continuing=(),
                            ),
                        ),
                    ),
                ),
            ),
        ),
    )
    tr = translator(lang)
    cells = _parse(sheets_html(one, tr)).rows["op"]
    assert [c[0] for c in cells] == [shown]
    lines = list(csv.reader(io.StringIO(sheets_csv(one, tr))))[1:]
    section = CSV_COLUMNS.index("Section")
    (line,) = [line for line in lines if line[section] == tr(SECTION_OPERATIONS)]
    assert line[CSV_COLUMNS.index("Machine unit")] == shown
