"""The dashboard's "Sheets & ledger" view in headless Chromium: the ledger as tables,
and the task sheets and workbook downloaded with the token.

The server is tests/web/test_dashboard_browser.py's, on examples/minimal.yaml (plant
WORKS waits on FORGE for a forged blank) planned once by a solve job.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING

import pytest
from openpyxl import load_workbook

from tests.web.test_dashboard_browser import MINIMAL, Site, _open, _serve, errors
from xiezuo.api.app import create_app
from xiezuo.services import networks
from xiezuo.services.accounts import Role, add_user

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser
__all__ = ["errors"]  # the fixture, shared with the dashboard's other browser tests
NETWORK = "minimal"
USERS = {
    "planner": (Role.PLANNER, None),
    "forge": (Role.PLANT, "FORGE"),
    "viewer": (Role.VIEWER, None),
}
SCREENSHOT = os.environ.get("XIEZUO_SCREENSHOT_TAKEAWAY")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    app = create_app(f"sqlite:///{tmp_path_factory.mktemp('takeaway') / 'xiezuo.db'}")
    with app.state.sessions() as session:
        networks.import_scenario(session, NETWORK, MINIMAL, user="test")
        tokens = {
            name: add_user(session, name, role, plant) for name, (role, plant) in USERS.items()
        }
        session.commit()
    for url in _serve(app):
        site = Site(url, tokens)
        jobs = f"/networks/{NETWORK}/jobs"
        job = site.api("planner", "POST", jobs, json={"kind": "plan", "time_limit_s": 2})
        deadline = time.monotonic() + 120
        while site.api("viewer", "GET", f"{jobs}/{job['id']}")["status"] in {"queued", "running"}:
            assert time.monotonic() < deadline, "the first plan took over 120 s"
            time.sleep(0.2)
        yield site
    app.state.engine.dispose()


def test_the_ledger_shows_every_promise_and_each_plants_help(
    browser: Browser, site: Site, errors: list[str]
) -> None:
    page = _open(browser, site, errors, "viewer", "takeaway")
    plan = site.api("viewer", "GET", f"/networks/{NETWORK}/plans/1")["plan"]
    shipments = plan["schedule"]["shipments"]
    assert shipments, "FORGE ships the blank to WORKS"
    assert "plan 1" in page.inner_text("h1")
    assert page.locator("#ledger-promises tbody tr").count() == len(shipments)
    plants = {op["plant_id"] for op in plan["schedule"]["operations"]}
    assert page.locator("#ledger-help tbody tr").count() == len(plants)
    assert page.locator("#ledger-waits tbody tr td:first-child").all_inner_texts() == ["WORKS"]
    page.select_option("#ledger-plant", "FORGE")
    page.wait_for_selector("#ledger-promises tbody tr")
    if SCREENSHOT:
        page.screenshot(path=SCREENSHOT, full_page=True)
    page.click("#language")
    page.wait_for_selector(".view[data-ready=true]")
    assert "协作台账" in page.inner_text(".view-takeaway")


def test_a_plant_user_downloads_its_sheets_as_html_and_pdf_and_the_workbook(
    browser: Browser, site: Site, errors: list[str], tmp_path: Path
) -> None:
    page = _open(browser, site, errors, "forge", "takeaway")
    assert page.input_value("#sheets-plant") == "FORGE"
    page.fill("#sheets-days", "366")
    with page.expect_download() as sheets:
        page.click("#sheets-html")
    assert sheets.value.suggested_filename == "sheets-plan-1.html"
    sheets.value.save_as(tmp_path / "sheets.html")
    html = (tmp_path / "sheets.html").read_text(encoding="utf-8")
    schedule = site.api("forge", "GET", f"/networks/{NETWORK}/plans/1")["plan"]["schedule"]
    at_forge = [op for op in schedule["operations"] if op["plant_id"] == "FORGE"]
    assert html.count('<tr class="op">') == len(at_forge) > 0
    assert 'data-plant="WORKS"' not in html
    with page.expect_download() as printed:
        page.click("#sheets-pdf")
    assert printed.value.suggested_filename == "sheets-plan-1.pdf"
    printed.value.save_as(tmp_path / "sheets.pdf")
    assert (tmp_path / "sheets.pdf").read_bytes().startswith(b"%PDF-")
    with page.expect_download() as workbook:
        page.click("#tables-xlsx")
    assert workbook.value.suggested_filename == f"{NETWORK}-plan-1.xlsx"
    workbook.value.save_as(tmp_path / "plan.xlsx")
    book = load_workbook(tmp_path / "plan.xlsx", read_only=True)
    assert book["operations"].max_row - 1 == len(schedule["operations"])
    assert "Saved minimal-plan-1.xlsx." in page.inner_text("#tables-status")


def test_a_refused_download_says_why(browser: Browser, site: Site, errors: list[str]) -> None:
    page = _open(browser, site, errors, "viewer", "takeaway")
    page.fill("#sheets-days", "999")
    page.click("#sheets-csv")
    page.wait_for_selector("#sheets-status:has-text('The server refused: ')")
    assert "Saved" not in page.inner_text("#sheets-status")
