"""Photograph the bundled example's Gantt page for docs/gantt.md.

Run from the repository root with ``.venv/bin/python docs/screenshots/regenerate.py``.
It plans examples/chongqing-1958.yaml (10 s, one worker, so the run repeats), writes
the page with plotly.js beside it into a temporary folder and photographs it in
Debian's chromium: the whole chart, one late order highlighted, and the chart
scrolled down with its date axis still in view.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from xiezuo.planning.params import PlanParams
from xiezuo.services.planning import plan_scenario
from xiezuo.services.staff import staff_report
from xiezuo.web import PLOTLYJS_FILENAME, gantt_html, gantt_orders, plotlyjs_bundle
from xiezuo.web.staff import staff_section_html

HERE = Path(__file__).parent
EXAMPLE = HERE.parent.parent / "examples" / "chongqing-1958.yaml"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def main() -> None:
    run = plan_scenario(EXAMPLE, PlanParams(time_limit_s=10, workers=1))
    report = staff_report(run.network, run.plan)
    page_html = gantt_html(
        run.plan,
        network=run.network,
        title="plan.json",
        sections=[staff_section_html(report)],
        plotlyjs_src=PLOTLYJS_FILENAME,
    )
    late = next(order.order_id for order in gantt_orders(run.plan) if order.is_late)
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        page_file = Path(folder) / "plan.html"
        page_file.write_text(page_html, encoding="utf-8")
        (Path(folder) / PLOTLYJS_FILENAME).write_text(plotlyjs_bundle(), encoding="utf-8")
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 800})
        page.goto(page_file.as_uri())
        page.wait_for_selector("#gantt-chart svg")
        _section(page, "gantt.png")
        page.fill("#gantt-search", late)
        _section(page, "gantt-order.png")
        page.click("#gantt-clear")
        page.evaluate("window.scrollTo(0, document.getElementById('gantt-chart').offsetTop + 900)")
        page.screenshot(path=str(HERE / "gantt-scrolled.png"))
        browser.close()


def _section(page: Page, name: str) -> None:
    """The chart section, from the top of the page, so the sticky axis covers no row."""
    page.evaluate("window.scrollTo(0, 0)")
    box = page.locator("section.gantt").bounding_box()
    assert box is not None
    page.screenshot(path=str(HERE / name), full_page=True, clip=box)


if __name__ == "__main__":
    main()
