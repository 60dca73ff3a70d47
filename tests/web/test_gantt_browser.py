"""The Gantt page in headless Chromium: what only a browser can show.

It draws, its date axis stays in view and in step, and the order search highlights.
Runs with Debian's chromium (``make install`` puts it at /usr/bin/chromium), as
Playwright's own browser downloads are not available everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from tests.web.test_gantt import NETWORK, PLAN
from xiezuo.web import PLOTLYJS_FILENAME, gantt_html, plotlyjs_bundle
from xiezuo.web.gantt import DIMMED_OPACITY

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser
_CHART = "document.getElementById('gantt-chart')"


def _open(
    browser: Browser, folder: Path, *, with_bundle: bool = True, fragment: str = ""
) -> tuple[Page, list[str]]:
    """The test plan's page, written to ``folder`` with plotly.js beside it, and its errors."""
    page_file = folder / "plan.html"
    page_file.write_text(
        gantt_html(PLAN, network=NETWORK, plotlyjs_src=PLOTLYJS_FILENAME), encoding="utf-8"
    )
    if with_bundle:
        (folder / PLOTLYJS_FILENAME).write_text(plotlyjs_bundle(), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1200, "height": 400})
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(page_file.as_uri() + fragment)
    return page, errors


@dataclass(frozen=True)
class Loaded:
    page: Page
    errors: list[str]
    x_range: list[str]
    first_status: str


@pytest.fixture(scope="module")
def loaded(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    """One page for the module: parsing plotly.js takes seconds on a busy machine."""
    page, errors = _open(browser, tmp_path_factory.mktemp("gantt"), fragment="#order=ORD-2")
    page.wait_for_selector("#gantt-chart svg")
    x_range = page.evaluate(f"{_CHART}.layout.xaxis.range.slice()")
    yield Loaded(page, errors, x_range, page.inner_text("#gantt-status"))
    page.close()


@pytest.fixture
def page(loaded: Loaded) -> Iterator[Page]:
    """The loaded page as first shown: no search, scrolled to the top, whole horizon."""
    page = loaded.page
    page.click("#gantt-clear")
    page.evaluate("window.scrollTo(0, 0)")
    page.evaluate(f"range => Plotly.relayout({_CHART}, {{'xaxis.range': range}})", loaded.x_range)
    yield page
    assert loaded.errors == []


def _opacity_by_order(page: Page) -> dict[str, set[float]]:
    """The opacities of each order's traces."""
    traces: list[list[Any]] = page.evaluate(f"{_CHART}.data.map(t => [t.legendgroup, t.opacity])")
    found: dict[str, set[float]] = {}
    for order_id, opacity in traces:
        found.setdefault(order_id, set()).add(opacity)
    return found


def test_chart_and_its_date_axis_render_from_a_file_url(page: Page) -> None:
    assert page.locator("#gantt-chart svg").count() > 0
    assert page.locator("#gantt-chart .bars path").count() >= len(PLAN.schedule.operations)  # type: ignore[union-attr]
    assert page.locator("#gantt-axis .xtick").count() > 1


def test_a_link_to_an_order_opens_the_page_with_it_highlighted(loaded: Loaded) -> None:
    assert loaded.first_status.startswith("ORD-2 · item SHAFT")


def test_searching_an_order_highlights_its_work_and_names_it(page: Page, tmp_path: Path) -> None:
    page.fill("#gantt-search", "ORD-1")
    assert _opacity_by_order(page) == {"ORD-1": {1}, "ORD-2": {DIMMED_OPACITY}}
    assert "late by 4.0 h" in page.inner_text("#gantt-status")
    assert page.evaluate("window.location.hash") == "#order=ORD-1"
    shapes = page.evaluate(f"{_CHART}.layout.shapes.length")
    assert shapes == 3 + 2  # the section and plant lines, then due and arrival
    screenshot = tmp_path / "ord-1.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.read_bytes().startswith(b"\x89PNG")


def test_a_partial_search_highlights_every_match_and_show_all_clears_it(page: Page) -> None:
    page.fill("#gantt-search", "ord")
    assert page.inner_text("#gantt-status") == "2 orders match: ORD-2, ORD-1"
    assert _opacity_by_order(page) == {"ORD-1": {1}, "ORD-2": {1}}
    page.fill("#gantt-search", "east")
    assert _opacity_by_order(page)["ORD-1"] == {DIMMED_OPACITY}
    page.click("#gantt-clear")
    assert _opacity_by_order(page) == {"ORD-1": {1}, "ORD-2": {1}}
    assert page.inner_text("#gantt-status").startswith("2 orders")
    assert page.evaluate("window.location.hash") == ""


def test_picking_an_order_from_the_list_highlights_it(page: Page) -> None:
    page.click(".gantt-orders summary")
    page.click('.gantt-orders button[data-order="ORD-2"]')
    assert page.input_value("#gantt-search") == "ORD-2"
    assert _opacity_by_order(page) == {"ORD-1": {DIMMED_OPACITY}, "ORD-2": {1}}
    page.click(".gantt-orders summary")


def test_clicking_a_bar_highlights_its_order(page: Page) -> None:
    page.locator("#gantt-chart .bars path").first.click(force=True)
    assert page.input_value("#gantt-search") in {"ORD-1", "ORD-2"}
    assert DIMMED_OPACITY in set().union(*_opacity_by_order(page).values())


def test_date_axis_stays_in_view_when_the_chart_scrolls(page: Page) -> None:
    page.evaluate(f"window.scrollTo(0, {_CHART}.offsetTop + 150)")
    header_top = page.evaluate(
        "document.querySelector('.gantt-header').getBoundingClientRect().top"
    )
    chart_top = page.evaluate(f"{_CHART}.getBoundingClientRect().top")
    assert header_top == 0
    assert chart_top < 0


def test_date_axis_follows_a_zoom_of_the_chart(page: Page) -> None:
    page.evaluate(
        "Plotly.relayout('gantt-chart', {'xaxis.range': ['1958-07-01 06:00', '1958-07-01 18:00']})"
    )
    assert page.evaluate("document.getElementById('gantt-axis').layout.xaxis.range") == [
        "1958-07-01 06:00",
        "1958-07-01 18:00",
    ]


def test_page_says_so_when_plotly_is_not_beside_it(browser: Browser, tmp_path: Path) -> None:
    page, errors = _open(browser, tmp_path, with_bundle=False)
    assert PLOTLYJS_FILENAME in page.inner_text(".gantt-missing")
    assert any("ERR_FILE_NOT_FOUND" in error for error in errors)
    page.close()
