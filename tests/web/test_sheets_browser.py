"""Task sheets printed by headless Chromium: A4 pages, a day per page, no row cut.

The test marks each row's tallest cell (the material it draws) and each day's header
with a link, prints the page to PDF and reads the PDF's link annotations, which
Chromium puts on every page a link is drawn on: a row cut across two pages has its
links on both, and a day's header (repeated on each of its pages) shows which day each
page belongs to. The PDF's objects are plain text (Chromium writes no object streams),
so a few regular expressions read them. Runs with Debian's chromium, as the Gantt
browser tests do.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from xiezuo.i18n import LANGUAGES, translator
from xiezuo.io import load_scenario
from xiezuo.io.plan_file import read_plan
from xiezuo.services.sheets import Draw, Sheets, task_sheets
from xiezuo.web.sheets import sheets_html

if TYPE_CHECKING:
    from playwright.sync_api import Browser

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "chongqing-1958.yaml"
EXAMPLE_PLAN = ROOT / "tests" / "data" / "plans" / "chongqing-1958.json"
pytestmark = pytest.mark.browser
_ROW_BREAK_RULE = "tr { break-inside: avoid; page-break-inside: avoid; }"
_MARK_LINKS = """() => {
  let n = 0;
  const link = (cell, href) => {
    const a = document.createElement('a');
    a.href = href;
    while (cell.firstChild) a.appendChild(cell.firstChild);
    cell.appendChild(a);
  };
  for (const tr of document.querySelectorAll('tr.op')) {
    link(tr.cells[10], 'https://row.invalid/' + n++);  // the material cell: the tallest
  }
  document.querySelectorAll('section.day').forEach(
    (day, i) => link(day.querySelector('h1'), 'https://day.invalid/' + i));
  return n;
}"""


@pytest.fixture(scope="module")
def crowded() -> Sheets:
    """CMT's first fortnight, each operation drawing six materials: rows of several lines."""
    network = load_scenario(EXAMPLE)
    plan = read_plan(EXAMPLE_PLAN, near=network.start)
    sheets = task_sheets(network, plan, plant_id="CMT", first_day=date(1958, 7, 1), days=14)
    draws = tuple(
        Draw(
            material_id=f"material-{n}",
            quantity=100 * n,
            unit="kg",
            origin="WJ",
            depart=network.start,
            arrive=network.start,
            is_transfer=True,
        )
        for n in range(1, 7)
    )
    plant = sheets.plants[0]
    days = tuple(
        replace(
            day,
            shifts=tuple(
                replace(
                    shift,
                    groups=tuple(
                        replace(group, rows=tuple(replace(r, draws=draws) for r in group.rows))
                        for group in shift.groups
                    ),
                )
                for shift in day.shifts
            ),
        )
        for day in plant.days
    )
    return replace(sheets, plants=(replace(plant, days=days),))


def _printed(browser: Browser, folder: Path, page_html: str) -> list[dict[str, set[int]]]:
    """Print ``page_html`` to PDF; for each page, the rows and days whose links are on it."""
    source = folder / "sheet.html"
    source.write_text(page_html, encoding="utf-8")
    page = browser.new_page()
    try:
        page.goto(source.as_uri())
        assert page.evaluate(_MARK_LINKS) > 0
        pdf = page.pdf(prefer_css_page_size=True)
    finally:
        page.close()
    assert b"/ObjStm" not in pdf, "the PDF's objects are readable as they are"
    objects = {
        int(m[1]): m[2] for m in re.finditer(rb"(\d+) 0 obj(.*?)endobj", pdf, flags=re.DOTALL)
    }
    pages = []
    for body in objects.values():
        if not re.search(rb"/Type\s*/Page(?!s)", body):
            continue
        found: dict[str, set[int]] = {"row": set(), "day": set()}
        annots = re.search(rb"/Annots\s*\[([^\]]*)\]", body)
        for ref in re.findall(rb"(\d+) 0 R", annots[1] if annots else b""):
            uri = re.search(rb"/URI\s*\(https://(row|day)\.invalid/(\d+)\)", objects[int(ref)])
            if uri:
                found[uri[1].decode()].add(int(uri[2]))
        pages.append(found)
    return pages


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_row_is_cut_across_pages_and_each_page_is_one_day(browser, crowded, tmp_path, lang):
    pages = _printed(browser, tmp_path, sheets_html(crowded, translator(lang)))
    days = len(crowded.plants[0].days)
    rows = sum(len(day.rows) for day in crowded.plants[0].days)
    assert rows > 50
    assert len(pages) > days, "some days take more than one page"
    pages_of_row: dict[int, int] = {}
    for number, page in enumerate(pages):
        for row in page["row"]:
            assert pages_of_row.setdefault(row, number) == number, f"row {row} is cut"
    assert sorted(pages_of_row) == list(range(rows))
    # Every page has exactly one day's header; the days follow one another.
    day_of_page = [page["day"] for page in pages]
    assert all(len(day) == 1 for day in day_of_page)
    assert [next(iter(day)) for day in day_of_page] == sorted(next(iter(d)) for d in day_of_page)
    assert {next(iter(day)) for day in day_of_page} == set(range(days))


def test_without_the_row_rule_rows_would_be_cut(browser, crowded, tmp_path):
    """The check above can fail: the same sheets without ``break-inside: avoid`` on rows."""
    page_html = sheets_html(crowded, translator("en"))
    assert _ROW_BREAK_RULE in page_html
    pages = _printed(browser, tmp_path, page_html.replace(_ROW_BREAK_RULE, ""))
    seen: set[int] = set()
    cut = set()
    for page in pages:
        cut |= page["row"] & seen
        seen |= page["row"]
    assert cut
