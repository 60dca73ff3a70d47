"""The plan diff page: its sections and escaping, and in headless Chromium its sorting."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import pytest

from tests.planning.test_validate import replace_op
from tests.plans import SPARE, at, make_schedule
from xiezuo.domain import Plan, PlanStatus, Schedule
from xiezuo.services.diff import diff_plans
from xiezuo.web.diff_page import diff_page_html

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Browser


def plan_of(schedule: Schedule) -> Plan:
    return Plan(status=PlanStatus.FEASIBLE, schedule=schedule, tardiness_hours=0.0)


def arriving(schedule: Schedule, arrival_by_order: dict[str, int]) -> Schedule:
    """The schedule with orders arriving on the given July days at 14:00."""
    deliveries = tuple(
        replace(d, arrival=at(arrival_by_order[d.order_id], 14))
        if d.order_id in arrival_by_order
        else d
        for d in schedule.deliveries
    )
    return replace(schedule, deliveries=deliveries)


OLD = plan_of(make_schedule())
# ORD-1 two days earlier, ORD-2 five days later (and late), the spare's milling moved.
NEW = plan_of(
    arriving(
        replace_op(make_schedule(), SPARE, 2, start=at(4, 11), end=at(4, 14)),
        {"ORD-1": 3, "ORD-2": 11},
    )
)


def page(old: Plan = OLD, new: Plan = NEW) -> str:
    return diff_page_html(
        diff_plans(old, new, days=5), title="diff <test>", old_name="a.json", new_name="b.json"
    )


def test_the_page_has_every_section_and_marks_late_orders() -> None:
    text = page()
    for heading in (
        "Headline",
        "Orders whose arrival changed",
        "What each plant does differently",
        "Work orders at another plant or by another routing",
        "Operations that changed",
        "Material draws that changed",
    ):
        assert f"<h2>{heading}</h2>" in text
    assert '<tr class="late"><td data-sort="ORD-2">' in text
    assert "<title>diff &lt;test&gt;</title>" in text


def test_text_from_the_plans_is_escaped() -> None:
    hostile = "<script>alert(1)</script>"
    schedule = replace_op(make_schedule(), SPARE, 2, machine_id=hostile)
    text = page(new=plan_of(schedule))
    assert hostile not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_identical_plans_say_so() -> None:
    text = page(new=OLD)
    assert "The plans are the same" in text
    assert "No order arrives at another time" in text


@pytest.mark.browser
def test_the_order_table_sorts_by_a_clicked_column(browser: Browser, tmp_path: Path) -> None:
    page_file = tmp_path / "diff.html"
    page_file.write_text(page(), encoding="utf-8")
    tab = browser.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.goto(page_file.as_uri())

    def orders() -> list[str]:
        cells = tab.eval_on_selector_all(
            "#diff-orders tbody tr td:first-child", "cells => cells.map(c => c.textContent)"
        )
        return [str(cell) for cell in cells]

    assert orders() == ["ORD-2", "ORD-1"]  # moved furthest first
    shift = tab.locator("#diff-orders th", has_text="shift")
    shift.click()
    assert orders() == ["ORD-1", "ORD-2"]
    assert shift.get_attribute("aria-sort") == "ascending"
    shift.click()
    assert orders() == ["ORD-2", "ORD-1"]
    tab.locator("#diff-orders th", has_text="order").first.click()
    assert orders() == ["ORD-1", "ORD-2"]
    assert errors == []
