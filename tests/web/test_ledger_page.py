"""The ledger page: every promise once, chains of late orders, progress states, escaping;
and in headless Chromium, a page that fits the screen and prints without cut rows."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

import pytest

from tests.conftest import at
from tests.services.test_ledger import pump_network, pump_plan
from xiezuo.domain import Explanation, Progress
from xiezuo.services.ledger import build_ledger, critical_chain
from xiezuo.web.ledger_page import PROMISE_COLUMNS, ledger_page_html

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Browser


def late_page(**kw: object) -> str:
    network = pump_network(due_h=10)
    ledger = build_ledger(network, pump_plan(due_h=10), **kw)  # type: ignore[arg-type]
    return ledger_page_html(ledger, title="ledger", zone=network.start.tzinfo)


def test_every_promise_is_one_row_of_the_promise_table() -> None:
    page = late_page()
    table = page.split("Every promise, by departure")[1]
    assert table.count("<tr class=") == 1
    assert all(f"<th>{header}</th>" in table for header in PROMISE_COLUMNS)
    assert "BLANK" in table


def test_a_late_order_gets_its_chain_and_the_plants_responsible() -> None:
    page = late_page()
    assert "O1 (PUMP at B) arrives 0.3 d late." in page
    assert "Time on the chain: A 0.2 d, B 0.1 d; transport 0.4 d." in page
    assert "Promises on it: A→B (BLANK)." in page


def test_an_order_asked_for_comes_first_even_when_on_time() -> None:
    network = pump_network()
    plan = pump_plan()
    focus = critical_chain(network, plan, "O1")
    page = ledger_page_html(
        build_ledger(network, plan), title="t", zone=network.start.tzinfo, focus=focus
    )
    assert "O1 (PUMP at B) arrives 0.5 d early." in page
    assert "No order is late." not in page


def test_progress_lists_only_late_and_at_risk_promises() -> None:
    page = late_page(progress=Progress(as_of=at(7)))
    section = page.split("Promises against progress")[1].split("</section>")[0]
    assert "kept 0, late 1, at risk 0, on track 0" in section
    assert section.count('class="state-late"') == 1


def test_text_from_the_plan_is_escaped() -> None:
    network = pump_network(due_h=10)
    plan = pump_plan(due_h=10)
    plan = replace(
        plan, explanations=(Explanation(kind="late", subject="O1", message="<script>x</script>"),)
    )
    page = ledger_page_html(build_ledger(network, plan), title="<b>", zone=None)
    assert "<script>x" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page
    assert "<title>&lt;b&gt;</title>" in page


@pytest.mark.browser
def test_the_page_fits_the_screen_and_prints_rows_whole(browser: Browser, tmp_path: Path) -> None:
    """Many promises with long IDs: no sideways scrolling at 1280 px, and on A4 paper
    no table row is split by a page break."""
    network = pump_network(due_h=10)
    plan = pump_plan(due_h=10)
    assert plan.schedule is not None
    (shipment,) = plan.schedule.shipments
    # The same promise many times over fills several printed pages.
    schedule = replace(plan.schedule, shipments=(shipment,) * 120)
    ledger = build_ledger(network, replace(plan, schedule=schedule))
    page_file = tmp_path / "ledger.html"
    page_file.write_text(ledger_page_html(ledger, title="ledger", zone=None), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(page_file.as_uri())
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert page.locator("section").count() == 5
    page.emulate_media(media="print")
    breaks = page.evaluate(
        "[...document.querySelectorAll('tr')].map(r => getComputedStyle(r).breakInside)"
    )
    assert len(breaks) > 120
    assert set(breaks) == {"avoid"}
    pdf = page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 2
    page.close()
