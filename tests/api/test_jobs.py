"""Solve jobs and plan versions over HTTP: start, watch, cancel, and read what they made."""

import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI

from tests.api.conftest import EXAMPLES, TestClient
from xiezuo.services import networks

Auth = Callable[..., dict[str, str]]
FINISHED = {"done", "failed", "cancelled"}


def start(client: TestClient, auth: Auth, network: str = "minimal", **body: Any) -> int:
    answer = client.post(
        f"/networks/{network}/jobs", json={"time_limit_s": 3, **body}, headers=auth("planner")
    )
    assert answer.status_code == 202, answer.text
    assert answer.json()["status"] == "queued"
    job_id: int = answer.json()["id"]
    return job_id


def wait(
    client: TestClient,
    auth: Auth,
    job_id: int,
    network: str = "minimal",
    done: Callable[[dict[str, Any]], bool] = lambda job: job["status"] in FINISHED,
) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(
            f"/networks/{network}/jobs/{job_id}", headers=auth("viewer")
        ).json()
        if done(job):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not get there in a minute: {job}")


@pytest.fixture
def chongqing(app: FastAPI) -> str:
    with app.state.sessions() as session:
        networks.import_scenario(
            session, "chongqing", EXAMPLES / "chongqing-1958.yaml", user="setup"
        )
        session.commit()
    return "chongqing"


def test_a_plan_job_makes_the_current_plan_with_its_figures(client, auth, minimal):
    job = wait(client, auth, start(client, auth, kind="plan", reason="first plan"))
    assert (job["status"], job["plan"], job["error"]) == ("done", 1, "")
    assert job["requested_by"] == "planner"
    page = client.get("/networks/minimal/plans", headers=auth("viewer")).json()
    assert page["total"] == 1
    (summary,) = page["items"]
    assert summary["current"] is True
    assert (summary["number"], summary["kind"], summary["reason"]) == (1, "plan", "first plan")
    assert summary["violations"] == 0
    current = client.get("/networks/minimal/plans/current", headers=auth("viewer")).json()
    assert current["number"] == 1
    assert current["plan"]["format"] == "xiezuo-plan"
    assert client.get("/networks/minimal", headers=auth("viewer")).json()["current_plan"] == 1


def test_a_plan_version_serves_its_deliveries_explanations_charts_and_inputs(client, auth, minimal):
    wait(client, auth, start(client, auth, kind="plan"))
    viewer = auth("viewer")
    deliveries = client.get("/networks/minimal/plans/1/deliveries", headers=viewer).json()
    assert [d["order_id"] for d in deliveries["items"]] == ["N-1"]
    explanations = client.get("/networks/minimal/plans/1/explanations", headers=viewer).json()
    assert explanations["unplanned"] == []
    assert explanations["total"] == len(explanations["items"])
    gantt = client.get("/networks/minimal/plans/1/gantt", headers=viewer)
    assert gantt.headers["content-type"] == "application/json"
    assert {"data", "layout"} <= set(gantt.json())
    staff = client.get("/networks/minimal/plans/1/staff", headers=viewer)
    assert staff.headers["content-type"] == "application/json"
    assert {"data", "layout"} <= set(staff.json())
    inputs = client.get("/networks/minimal/plans/1/inputs", headers=viewer).json()
    scenario = client.get("/networks/minimal/scenario", headers=viewer).json()
    assert inputs["scenario"] == scenario
    assert (inputs["network_version"], inputs["previous_plan"], inputs["progress"]) == (
        1,
        None,
        None,
    )


def test_a_replan_uses_the_reports_and_the_current_plan_and_diffs_against_it(client, auth, minimal):
    wait(client, auth, start(client, auth, kind="plan"))
    report = {
        "kind": "step_started",
        "record": {
            "work_order": "N-1:PUMP/SHAFT/BLANK",
            "step": 1,
            "plant": "FORGE",
            "machine": "hammer",
            "start": "2027-03-01T10:00",
        },
    }
    reported = client.post(
        "/networks/minimal/progress",
        json=report,
        headers={**auth("forge"), "Idempotency-Key": "blank-started"},
    )
    assert reported.status_code == 201
    job = wait(
        client,
        auth,
        start(client, auth, kind="replan", frozen_days=1, reason="the hammer started late"),
    )
    assert (job["status"], job["plan"]) == ("done", 2)
    plan = client.get("/networks/minimal/plans/2", headers=auth("viewer")).json()
    assert (plan["kind"], plan["previous_plan"], plan["current"]) == ("replan", 1, True)
    assert plan["plan"]["as_of"] == "2027-03-01T10:00:00+01:00"
    diff = client.get("/networks/minimal/plans/1/diff/2", headers=auth("viewer")).json()
    assert diff["format"] == "xiezuo-plan-diff"
    assert diff["headline"]["compared_operations"] == 3


def test_a_running_job_shows_progress_and_cancel_returns_its_best_plan(client, auth, chongqing):
    job_id = start(client, auth, network=chongqing, kind="plan", time_limit_s=120)
    live = wait(
        client,
        auth,
        job_id,
        network=chongqing,
        done=lambda job: job["progress"].get("objective") is not None,
    )
    assert live["status"] == "running"
    assert live["progress"]["elapsed_s"] >= 0
    assert "bound" in live["progress"]
    cancelled = client.post(
        f"/networks/{chongqing}/jobs/{job_id}/cancel?wait_s=30", headers=auth("planner")
    ).json()
    assert (cancelled["status"], cancelled["plan"]) == ("cancelled", 1)
    current = client.get(f"/networks/{chongqing}/plans/current", headers=auth("viewer")).json()
    assert current["number"] == 1


def test_a_second_job_waits_for_the_first(client, auth, minimal):
    first, second = start(client, auth, kind="plan"), start(client, auth, kind="plan")
    a, b = wait(client, auth, first), wait(client, auth, second)
    assert b["started_at"] >= a["finished_at"]
    listed = client.get("/networks/minimal/jobs", headers=auth("viewer")).json()
    assert [job["id"] for job in listed["items"]] == [second, first]


@pytest.mark.parametrize("user", ["forge", "viewer"])
def test_only_planners_start_and_cancel_jobs(client, auth, minimal, user):
    answer = client.post("/networks/minimal/jobs", json={"kind": "plan"}, headers=auth(user))
    assert answer.status_code == 403
    job_id = start(client, auth, kind="plan")
    cancel = client.post(f"/networks/minimal/jobs/{job_id}/cancel", headers=auth(user))
    assert cancel.status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "fix"}, "kind"),
        ({"kind": "plan", "time_limit_s": 0}, "time_limit_s"),
        ({"kind": "plan", "time_limit_s": 1e9}, "time_limit_s"),
        ({"kind": "plan", "frozen_days": -1}, "frozen_days"),
        ({"kind": "plan", "frozen_days": 2}, "frozen_days"),
        ({"kind": "plan", "surprise": 1}, "surprise"),
    ],
)
def test_an_unsound_job_is_422_naming_the_field(client, auth, minimal, body, field):
    answer = client.post("/networks/minimal/jobs", json=body, headers=auth("planner"))
    assert answer.status_code == 422
    assert field in answer.json()["detail"][0]["loc"]


def test_a_replan_as_of_before_the_network_starts_is_422(client, auth, minimal):
    wait(client, auth, start(client, auth, kind="plan"))
    answer = client.post(
        "/networks/minimal/jobs",
        json={"kind": "replan", "as_of": "2020-01-01T00:00"},
        headers=auth("planner"),
    )
    assert answer.status_code == 422
    (problem,) = answer.json()["detail"]
    assert problem["loc"] == ["as_of"]
    assert "before the network starts" in problem["msg"]


def test_numbers_beyond_the_database_are_422_not_500(client, auth, minimal):
    viewer = auth("viewer")
    assert client.get("/networks/minimal/plans/99999999999", headers=viewer).status_code == 422
    assert client.get("/networks/minimal/jobs/99999999999", headers=viewer).status_code == 422


def test_a_replan_before_any_plan_is_409(client, auth, minimal):
    answer = client.post("/networks/minimal/jobs", json={"kind": "replan"}, headers=auth("planner"))
    assert answer.status_code == 409
    assert "no current plan" in answer.json()["detail"]


def test_unknown_jobs_and_plans_are_404(client, auth, minimal):
    viewer = auth("viewer")
    assert client.get("/networks/minimal/jobs/99", headers=viewer).status_code == 404
    assert client.get("/networks/minimal/plans/99", headers=viewer).status_code == 404
    assert client.get("/networks/minimal/plans/current", headers=viewer).status_code == 404
    assert client.get("/networks/minimal/plans/1/diff/2", headers=viewer).status_code == 404
    assert client.get("/networks/atlantis/plans", headers=viewer).status_code == 404


def test_cancelling_a_finished_job_is_409(client, auth, minimal):
    job_id = start(client, auth, kind="plan")
    wait(client, auth, job_id)
    answer = client.post(f"/networks/minimal/jobs/{job_id}/cancel", headers=auth("planner"))
    assert answer.status_code == 409
