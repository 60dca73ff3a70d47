"""The dashboard end to end: the real server on a loopback port, headless Chromium.

One server for the module, on a fresh SQLite database holding the small test
network (plants CMT and WJ) and its first plan, made by a solve job through the API
as the dashboard's users would. A plant user of CMT logs in, reports an operation
done and finds WJ's form refused, by the page and by the server; a planner reports a
machine down, starts a replan, watches it finish and sees the change in the Gantt and
in the diff. Runs with Debian's chromium, as tests/web/test_gantt_browser.py does.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import uvicorn

from xiezuo.api.app import create_app
from xiezuo.services import networks
from xiezuo.services.accounts import Role, add_user

if TYPE_CHECKING:
    from collections.abc import Iterator

    from fastapi import FastAPI
    from playwright.sync_api import Browser, Page, Route

SCENARIO = Path(__file__).parents[1] / "data" / "scenarios" / "small.yaml"
MINIMAL = Path(__file__).parents[2] / "examples" / "minimal.yaml"
NETWORK = "small"
pytestmark = pytest.mark.browser
USERS = {
    "planner": (Role.PLANNER, None),
    "cmt": (Role.PLANT, "CMT"),
    "viewer": (Role.VIEWER, None),
}
_READY = ".view[data-ready=true]"


class Site:
    """The running server: its URL, each user's token, and an API client."""

    def __init__(self, url: str, tokens: dict[str, str]) -> None:
        self.url = url
        self.tokens = tokens

    def api(self, user: str, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[user]}", **kwargs.pop("headers", {})}
        response = httpx.request(method, self.url + path, headers=headers, timeout=30, **kwargs)
        response.raise_for_status()
        return response.json()

    def wait_for_job(self, job_id: int, timeout_s: float = 120) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            job: dict[str, Any] = self.api("planner", "GET", f"/networks/{NETWORK}/jobs/{job_id}")
            if job["status"] in {"done", "failed", "cancelled"}:
                return job
            time.sleep(0.2)
        raise AssertionError(f"job {job_id} still {job['status']} after {timeout_s} s")


def _serve(app: FastAPI) -> Iterator[str]:
    """``app`` served by uvicorn on a free loopback port in a thread, while the caller runs."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)
    sock.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    app = create_app(f"sqlite:///{tmp_path_factory.mktemp('dashboard') / 'xiezuo.db'}")
    with app.state.sessions() as session:
        networks.import_scenario(session, NETWORK, SCENARIO, user="test")
        # A second network, never planned (its key sorts after the first, the default).
        networks.import_scenario(session, "unplanned", MINIMAL, user="test")
        tokens = {
            name: add_user(session, name, role, plant) for name, (role, plant) in USERS.items()
        }
        session.commit()
    for url in _serve(app):
        site = Site(url, tokens)
        job = site.api(
            "planner", "POST", f"/networks/{NETWORK}/jobs", json={"kind": "plan", "time_limit_s": 2}
        )
        assert site.wait_for_job(job["id"])["plan"] == 1
        yield site
    app.state.engine.dispose()


@pytest.fixture
def errors() -> Iterator[list[str]]:
    """Script errors and refused content of the pages a test opens: there must be none."""
    found: list[str] = []
    yield found
    assert found == []


def _open(browser: Browser, site: Site, errors: list[str], user: str | None, route: str) -> Page:
    """A fresh browser context (its own localStorage) at ``route``, logged in as ``user``."""
    page = browser.new_context(viewport={"width": 1300, "height": 900}).new_page()
    # Generous: these machines run several sessions' solves and test suites at once.
    page.set_default_timeout(60_000)
    page.on("pageerror", lambda error: errors.append(str(error)))
    # Refused API calls are logged as errors too; only the page's own breakage counts.
    page.on(
        "console",
        lambda message: (
            errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(site.url + "/")
    if user is not None:
        page.evaluate("token => localStorage.setItem('xiezuo.token', token)", site.tokens[user])
        page.evaluate("localStorage.setItem('xiezuo.language', 'en')")
        page.goto(f"{site.url}/#/{route}")
        page.reload()
        page.wait_for_selector(_READY)
    return page


def test_an_unknown_token_is_refused_and_a_known_one_logs_in(
    browser: Browser, site: Site, errors: list[str]
) -> None:
    page = _open(browser, site, errors, None, "")
    page.fill("#token", "not-a-token")
    page.click("#login-submit")
    assert "not known" in page.inner_text(".view-login .notice.error")
    page.fill("#token", site.tokens["cmt"])
    page.click("#login-submit")
    page.wait_for_selector(_READY)
    assert page.inner_text("#who") == "cmt · plant CMT"
    nav = page.locator("#nav a").all_inner_texts()
    assert "Progress" in nav
    assert "Replan" not in nav
    page.click("#logout")
    page.wait_for_selector("#token")
    assert page.evaluate("localStorage.getItem('xiezuo.token')") is None


def test_orders_sort_by_a_column_and_filter_by_text_and_status(
    browser: Browser, site: Site, errors: list[str]
) -> None:
    page = _open(browser, site, errors, "viewer", "orders")
    assert page.locator("#nav a").all_inner_texts() == [
        "Orders",
        "Gantt",
        "Load",
        "Shortages",
        "Versions",
    ]
    assert page.locator("table.data tbody tr").count() == 2
    page.click("th[data-key=order]")
    assert page.locator("table.data tbody tr td:first-child").all_inner_texts() == ["SC-1", "YN-1"]
    page.click("th[data-key=order]")
    assert page.locator("table.data tbody tr td:first-child").all_inner_texts() == ["YN-1", "SC-1"]
    page.fill("#orders-filter", "sichuan")
    assert page.locator("table.data tbody tr td:first-child").all_inner_texts() == ["SC-1"]
    page.fill("#orders-filter", "")
    page.select_option("#orders-status", "unplanned")
    assert page.locator("table.data tbody tr").count() == 0
    assert page.inner_text("#orders-shown") == "0 of 2 shown."


def test_another_network_is_picked_in_the_top_bar_and_says_it_has_no_plan(
    browser: Browser, site: Site, errors: list[str]
) -> None:
    page = _open(browser, site, errors, "viewer", "orders")
    assert page.inner_text("#plan-badge") == "Plan 1 · current"
    page.select_option("#network-select", "unplanned")
    page.wait_for_selector(_READY)
    assert page.inner_text("#plan-badge") == "no plan yet"
    assert "This network has no plan yet." in page.inner_text("main")
    page.reload()
    page.wait_for_selector(_READY)
    assert page.input_value("#network-select") == "unplanned"


def test_the_language_switch_relabels_the_pages(
    browser: Browser, site: Site, errors: list[str]
) -> None:
    page = _open(browser, site, errors, "viewer", "orders")
    page.click("#language")
    page.wait_for_selector("#nav a:has-text('订单')")
    assert page.inner_text("h1") == "订单"
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    page.click("#language")
    page.wait_for_selector("#nav a:has-text('Orders')")


def test_a_plant_user_reports_an_operation_done(
    browser: Browser, site: Site, errors: list[str]
) -> None:
    page = _open(browser, site, errors, "cmt", "progress")
    first = page.locator("[data-report=step_done]").first
    first.click()
    work_order = page.input_value("#progress-work_order")
    step = int(page.input_value("#progress-step"))
    page.click("#progress-submit")
    assert "Reported: Step done" in page.inner_text("#progress-result .notice.ok")
    page.wait_for_selector("#progress-history table")
    assert work_order in page.inner_text("#progress-history")
    assert page.is_disabled(f"[data-step='{work_order}|{step}']")
    reports = site.api("planner", "GET", f"/networks/{NETWORK}/progress?plant=CMT")["items"]
    assert [(r["kind"], r["record"]["work_order"], r["record"]["step"]) for r in reports] == [
        ("step_done", work_order, step)
    ]
    assert reports[0]["reported_by"] == "cmt"


def test_a_report_resent_after_a_lost_answer_is_applied_once(
    browser: Browser, site: Site, errors: list[str]
) -> None:
    """The server stores the report but its answer is lost; the user sends it again."""
    reports = f"/networks/{NETWORK}/progress?plant=CMT"
    before = site.api("planner", "GET", reports)["total"]
    page = _open(browser, site, errors, "cmt", "progress")
    page.select_option("#progress-kind", "down")
    page.fill("#progress-machine", "lathe")
    page.fill("#progress-units", "1")
    page.fill("#progress-from", "1958-07-20T00:00")
    page.fill("#progress-until", "1958-07-21T00:00")
    page.fill("#progress-as-of", "1958-07-02T00:00")

    def lose_the_answer(route: Route) -> None:
        route.fetch()
        route.abort("connectionreset")

    page.route("**/progress", lose_the_answer, times=1)
    page.click("#progress-submit")
    page.wait_for_selector("#progress-result .notice.error")
    page.click("#progress-submit")
    assert "Already reported before" in page.inner_text("#progress-result .notice.ok")
    assert site.api("planner", "GET", reports)["total"] == before + 1


def test_a_planner_retracts_a_wrong_report_which_stays_on_record(
    browser: Browser, site: Site, errors: list[str]
) -> None:
    reports = site.api("planner", "GET", f"/networks/{NETWORK}/progress?plant=CMT")["items"]
    down = next(r for r in reports if r["kind"] == "down" and not r["retracted"])
    page = _open(browser, site, errors, "planner", "progress/CMT")
    page.once("dialog", lambda dialog: dialog.accept("the lathe was fine after all"))
    page.click(f"[data-retract='{down['id']}']")
    page.wait_for_selector("#progress-history .retracted")
    assert "retracted by planner: the lathe was fine after all" in page.inner_text(
        "#progress-history .retracted"
    )
    stored = site.api("planner", "GET", f"/networks/{NETWORK}/progress?plant=CMT")["items"]
    assert next(r for r in stored if r["id"] == down["id"])["retracted"]["by"] == "planner"


def test_a_report_the_server_refuses_is_shown_with_the_field_it_names(
    browser: Browser, site: Site, errors: list[str]
) -> None:
    reports = f"/networks/{NETWORK}/progress?plant=CMT"
    before = site.api("planner", "GET", reports)["total"]
    page = _open(browser, site, errors, "cmt", "progress")
    page.select_option("#progress-kind", "step_done")
    page.fill("#progress-work_order", "SC-1:NO-SUCH-ITEM")
    page.fill("#progress-step", "1")
    page.fill("#progress-end", "1958-07-02T00:00")
    page.click("#progress-submit")
    refusal = page.inner_text("#progress-result .notice.error")
    assert refusal.startswith("The server refused: ")
    assert "record." in refusal
    assert site.api("planner", "GET", reports)["total"] == before


def test_another_plants_form_is_refused_by_the_page_and_the_server(
    browser: Browser, site: Site, errors: list[str]
) -> None:
    page = _open(browser, site, errors, "cmt", "progress/WJ")
    assert "You report for CMT only" in page.inner_text(".notice.refused")
    assert page.is_disabled("#progress-submit")
    status = page.evaluate(
        """async network => (await fetch(`/networks/${network}/progress`, {
            method: 'POST',
            headers: {
                Authorization: `Bearer ${localStorage.getItem('xiezuo.token')}`,
                'Content-Type': 'application/json',
                'Idempotency-Key': 'refused-1',
            },
            body: JSON.stringify(
                {kind: 'count', record: {plant: 'WJ', material: 'x', quantity: 1}}
            ),
        })).status""",
        NETWORK,
    )
    assert status == 403


def _opacity_by_order(page: Page) -> dict[str, set[float]]:
    traces: list[list[Any]] = page.evaluate(
        "document.getElementById('dash-gantt').data.map(t => [t.legendgroup, t.opacity])"
    )
    found: dict[str, set[float]] = {}
    for order_id, opacity in traces:
        found.setdefault(order_id, set()).add(opacity)
    return found


def test_a_late_order_picked_in_the_gantt_is_lit_and_explained(
    browser: Browser, site: Site, errors: list[str]
) -> None:
    """YN-1 is late in any plan: the bay it is assembled on opens the day it is due."""
    page = _open(browser, site, errors, "viewer", "gantt")
    page.wait_for_selector("#dash-gantt svg")
    page.click(".late-list button[data-order=YN-1]")
    assert _opacity_by_order(page) == {"YN-1": {1}, "SC-1": {0.12}}
    # Due on 31 July, by the end of that day, as the scenario says it.
    assert page.inner_text("#gantt-selected").startswith("YN-1: due 1958-07-31, arrives")
    assert "late by" in page.inner_text("#gantt-selected")
    assert page.locator("#dash-gantt-axis .xtick").count() > 1
    page.click("#gantt-clear")
    assert _opacity_by_order(page) == {"YN-1": {1}, "SC-1": {1}}


def _rows_in_view(page: Page) -> list[str]:
    """The row labels of the Gantt inside its y range (rows are numbered top down)."""
    rows: list[str] = page.evaluate(
        """() => {
            const axis = document.getElementById('dash-gantt').layout.yaxis;
            const [bottom, top] = axis.range;
            return axis.ticktext
                .filter((_, idx) => idx > top && idx < bottom)
                .map(label => label.replace(/<[^>]*>/g, ''));
        }"""
    )
    return rows


def test_a_plant_picked_in_the_gantt_narrows_the_rows_to_its_machines(
    browser: Browser, site: Site, errors: list[str]
) -> None:
    page = _open(browser, site, errors, "viewer", "gantt?plant=CMT")
    page.wait_for_selector("#dash-gantt svg")
    rows = _rows_in_view(page)
    assert rows
    assert all(row.startswith("CMT · ") for row in rows)
    page.click("#gantt-clear")
    assert any(row.startswith("YN-1") for row in _rows_in_view(page))


def test_load_and_shortages_draw_from_the_plan(
    browser: Browser, site: Site, errors: list[str]
) -> None:
    page = _open(browser, site, errors, "viewer", "load")
    page.wait_for_selector("#plant-load svg")
    machines = page.locator("table.data").first.locator("tbody td:nth-child(2)").all_inner_texts()
    assert "bay" in machines
    assert "The scenario has no staff" in page.inner_text("main")
    page.goto(f"{site.url}/#/shortages")
    page.wait_for_selector(_READY)
    assert page.locator("h2").count() == 3


def _bar_starts(page: Page) -> list[Any]:
    """Where each trace of the Gantt chart begins its bars."""
    starts: list[Any] = page.evaluate(
        "document.getElementById('dash-gantt').data.map(trace => trace.base)"
    )
    return starts


def test_a_planner_replans_and_sees_the_change_in_the_gantt_and_the_diff(
    browser: Browser, site: Site, errors: list[str]
) -> None:
    page = _open(browser, site, errors, "planner", "gantt?plan=1")
    before = _bar_starts(page)
    # The assembly bay, which every order needs, is down for its first two weeks.
    page.goto(f"{site.url}/#/progress/CMT")
    page.wait_for_selector(_READY)
    page.select_option("#progress-kind", "down")
    page.fill("#progress-machine", "bay")
    page.fill("#progress-from", "1958-08-01T00:00")
    page.fill("#progress-until", "1958-08-15T00:00")
    page.fill("#progress-as-of", "1958-07-02T00:00")
    page.click("#progress-submit")
    page.wait_for_selector("#progress-result .notice.ok")

    page.click("#nav a[href='#/replan']")
    page.wait_for_selector(_READY)
    page.select_option("#replan-kind", "replan")
    page.fill("#replan-reason", "the bay is down until mid-August")
    page.fill("#replan-time-limit", "3")
    page.click("#replan-start")
    # Job 1 made the first plan; the page showed it as it opened.
    page.wait_for_selector("#replan-status.job.done:has-text('Job 2:')", timeout=120_000)
    assert site.api("planner", "GET", f"/networks/{NETWORK}")["current_plan"] == 2

    page.click("#replan-diff")
    page.wait_for_selector("#diff-headline")
    assert "Plan 1 → plan 2" in page.inner_text("#diff")
    assert page.locator("#diff-orders tbody tr").count() >= 1
    assert "the bay is down until mid-August" in page.inner_text("#versions")

    page.click("#versions a[href='#/gantt?plan=2']")
    page.wait_for_selector(_READY)
    assert page.inner_text("#plan-badge") == "Plan 2 · current"
    assert _bar_starts(page) != before

    # The replan's orders say where each stood at its status date.
    page.click("#nav a[href='#/orders']")
    page.wait_for_selector(_READY)
    as_of = site.api("planner", "GET", f"/networks/{NETWORK}/plans/2")["plan"]["as_of"]
    assert page.inner_text("th[data-key=stage]").startswith(f"At {as_of[:10]} {as_of[11:16]}")
    stages = page.locator("table.data tbody td:nth-child(9)").all_inner_texts()
    assert len(stages) == 2
    assert set(stages) <= {"made", "in work", "not begun"}


def test_the_replan_page_opens_with_the_latest_job_and_how_it_ended(
    browser: Browser, site: Site, errors: list[str]
) -> None:
    """As after ``xiezuo serve --demo``, whose first plan job the planner finds there."""
    job = site.api(
        "planner", "POST", f"/networks/{NETWORK}/jobs", json={"kind": "plan", "time_limit_s": 3}
    )
    number = site.wait_for_job(job["id"])["plan"]
    page = _open(browser, site, errors, "planner", "replan")
    page.wait_for_selector(f"#replan-status.job.done:has-text('Job {job['id']}')")
    assert page.get_attribute("#replan-gantt", "href") == f"#/gantt?plan={number}"
    assert not page.is_disabled("#replan-start")


def test_a_planner_reads_who_reported_what_in_the_audit_log(
    browser: Browser, site: Site, errors: list[str]
) -> None:
    page = _open(browser, site, errors, "planner", "audit")
    assert "cmt" in page.locator("#audit tbody td:nth-child(2)").all_inner_texts()
    page.fill("#audit-filter", "step_done")
    subjects = page.locator("#audit tbody td:nth-child(4)").all_inner_texts()
    assert subjects
    assert all("step_done" in subject for subject in subjects)
