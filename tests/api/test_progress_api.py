"""POST /networks/{key}/progress: one fact per report, applied once per Idempotency-Key,
plant users for their own plant only."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.api.conftest import TestClient

Auth = Callable[..., dict[str, str]]
BLANK = "N-1:PUMP/SHAFT/BLANK"
RECORD: dict[str, Any] = {
    "work_order": BLANK,
    "step": 1,
    "plant": "FORGE",
    "machine": "hammer",
    "unit": 0,
    "start": "2027-03-01T06:00",
}
STARTED: dict[str, Any] = {"kind": "step_started", "record": RECORD}


def post(
    client: TestClient, auth: Auth, user: str, key: str, body: dict[str, Any]
) -> httpx.Response:
    answer: httpx.Response = client.post(
        "/networks/minimal/progress", json=body, headers={**auth(user), "Idempotency-Key": key}
    )
    return answer


def test_a_plant_user_reports_a_step_of_their_plant(client, auth, minimal):
    answer = post(client, auth, "forge", "k1", STARTED)
    assert answer.status_code == 201
    report = answer.json()
    assert report["record"] == {**RECORD, "status": "started"}
    assert (report["kind"], report["plant"], report["reported_by"]) == (
        "step_started",
        "FORGE",
        "forge",
    )
    assert report["as_of"] == "2027-03-01T06:00:00+01:00"


def test_a_retry_gets_the_same_answer_and_is_applied_once(client, auth, minimal):
    first = post(client, auth, "forge", "k1", STARTED)
    again = post(client, auth, "forge", "k1", STARTED)
    assert again.status_code == first.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    listed = client.get("/networks/minimal/progress", headers=auth("viewer")).json()
    assert listed["total"] == 1


def test_simultaneous_retries_store_one_report(client, auth, minimal):
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: post(client, auth, "forge", "k1", STARTED), range(16)))
    assert {answer.status_code for answer in answers} == {201}
    assert len({answer.json()["id"] for answer in answers}) == 1
    assert client.get("/networks/minimal/progress", headers=auth("planner")).json()["total"] == 1


def test_a_key_reused_for_another_report_is_409(client, auth, minimal):
    post(client, auth, "forge", "k1", STARTED)
    other = {**STARTED, "reason": "a different report"}
    answer = post(client, auth, "forge", "k1", other)
    assert answer.status_code == 409
    assert "'k1' was used for another report" in answer.json()["detail"]


def test_a_key_used_by_another_user_is_409(client, auth, minimal):
    post(client, auth, "forge", "k1", STARTED)
    assert post(client, auth, "planner", "k1", STARTED).status_code == 409


def test_a_report_needs_an_idempotency_key(client, auth, minimal):
    answer = client.post("/networks/minimal/progress", json=STARTED, headers=auth("forge"))
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]


def test_a_contradicting_record_is_422_naming_its_field(client, auth, minimal):
    bad = {"kind": "step_started", "record": {**RECORD, "unit": 3}}
    answer = post(client, auth, "forge", "k1", bad)
    assert answer.status_code == 422
    (problem,) = answer.json()["detail"]
    assert problem["loc"] == ["record", "unit"]
    assert "unit 3" in problem["msg"]


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "teleport", "record": {}},
        {"kind": "step_started"},
        {"kind": "step_started", "record": [1, 2]},
        {**STARTED, "extra": 1},
        {**STARTED, "as_of": "yesterday"},
        {**STARTED, "reason": "nul\u0000byte"},
        {"kind": "step_done", "record": {"work_order": {"a": 1}, "step": 1, "end": "2027-03-02"}},
        {"kind": "scrap", "record": {"work_order": BLANK, "step": [1], "scrapped": 1}},
    ],
)
def test_a_malformed_body_is_422(client, auth, minimal, body):
    assert post(client, auth, "forge", "k1", body).status_code == 422


@pytest.mark.parametrize(("user", "code"), [("works", 403), ("viewer", 403)])
def test_only_the_plant_itself_or_a_planner_reports_its_progress(client, auth, minimal, user, code):
    assert post(client, auth, user, "k1", STARTED).status_code == code
    assert post(client, auth, "planner", "k1", STARTED).status_code == 201


def test_a_report_without_a_token_is_401(client, minimal):
    answer = client.post(
        "/networks/minimal/progress", json=STARTED, headers={"Idempotency-Key": "k1"}
    )
    assert answer.status_code == 401


def test_a_report_to_an_unknown_network_is_404(client, auth, minimal):
    answer = client.post(
        "/networks/atlantis/progress",
        json=STARTED,
        headers={**auth("forge"), "Idempotency-Key": "k"},
    )
    assert answer.status_code == 404


def test_reports_list_newest_first_by_plant_and_merge_into_one_progress(client, auth, minimal):
    post(client, auth, "forge", "k1", STARTED)
    done = {
        "kind": "step_done",
        "record": {"work_order": BLANK, "step": 1, "end": "2027-03-01T20:00"},
    }
    post(client, auth, "forge", "k2", done)
    listed = client.get("/networks/minimal/progress?plant=FORGE&limit=1", headers=auth("works"))
    assert listed.json()["total"] == 2
    assert [item["kind"] for item in listed.json()["items"]] == ["step_done"]
    assert (
        client.get("/networks/minimal/progress?plant=WORKS", headers=auth("works")).json()["total"]
        == 0
    )
    merged = client.get("/networks/minimal/progress/document", headers=auth("viewer")).json()
    assert merged == {
        "as_of": "2027-03-01T20:00:00+01:00",
        "steps": [{**RECORD, "end": "2027-03-01T20:00", "status": "done"}],
    }


def test_the_progress_of_a_network_without_reports_has_no_status_date(client, auth, minimal):
    answer = client.get("/networks/minimal/progress/document", headers=auth("viewer"))
    assert answer.json() == {"as_of": None}


def test_a_planner_retracts_a_wrong_report(client, auth, minimal):
    wrong = post(client, auth, "forge", "k1", STARTED).json()
    for user in ("forge", "viewer"):
        refused = client.post(
            f"/networks/minimal/progress/{wrong['id']}/retract", json={}, headers=auth(user)
        )
        assert refused.status_code == 403
    answer = client.post(
        f"/networks/minimal/progress/{wrong['id']}/retract",
        json={"reason": "the hammer never started that day"},
        headers=auth("planner"),
    )
    assert answer.status_code == 200
    assert answer.json()["retracted"]["by"] == "planner"
    merged = client.get("/networks/minimal/progress/document", headers=auth("viewer")).json()
    assert merged == {"as_of": None}
    again = client.post(
        f"/networks/minimal/progress/{wrong['id']}/retract", headers=auth("planner"), json={}
    )
    assert again.status_code == 409
