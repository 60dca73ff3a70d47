"""GET /networks/{key}/plans/{number}/ledger: the promises between plants of a plan version."""

from tests.api.test_jobs import start, wait
from tests.api.test_progress_api import STARTED, post

LEDGER = "/networks/minimal/plans/1/ledger"


def test_the_ledger_holds_the_plans_shipments_and_balances_help(client, auth, minimal):
    """In examples/minimal.yaml WORKS waits on FORGE for the forged blank."""
    wait(client, auth, start(client, auth, kind="plan"))
    viewer = auth("viewer")
    ledger = client.get(LEDGER, headers=viewer).json()
    shipments = client.get("/networks/minimal/plans/1", headers=viewer).json()["plan"]["schedule"][
        "shipments"
    ]
    assert sorted(p["work_order"] for p in ledger["promises"]) == sorted(
        s["work_order_id"] for s in shipments
    )
    (promise,) = ledger["promises"]
    assert (promise["origin"], promise["destination"]) == ("FORGE", "WORKS")
    assert promise["on_time"] is True
    (wait_row,) = ledger["waits"]
    assert (wait_row["waiting"], wait_row["on"], wait_row["promises"]) == ("WORKS", "FORGE", 1)
    help_by_plant = {h["plant"]: h for h in ledger["help"]}
    assert help_by_plant["FORGE"]["given_hours"] == help_by_plant["WORKS"]["received_hours"] > 0
    assert ledger["checks"] is None


def test_the_ledger_checks_promises_against_the_reported_progress(client, auth, minimal):
    wait(client, auth, start(client, auth, kind="plan"))
    assert post(client, auth, "forge", "k1", STARTED).status_code == 201
    ledger = client.get(LEDGER, params={"progress": True}, headers=auth("viewer")).json()
    (check,) = ledger["checks"]
    assert check["work_order"] == "N-1:PUMP/SHAFT/BLANK"
    assert check["state"] in {"on track", "at risk"}
    assert ledger["as_of"] is not None


def test_progress_with_nothing_reported_and_an_unknown_order_are_422(client, auth, minimal):
    wait(client, auth, start(client, auth, kind="plan"))
    viewer = auth("viewer")
    nothing = client.get(LEDGER, params={"progress": True}, headers=viewer)
    assert nothing.status_code == 422
    assert "no progress is reported" in nothing.json()["detail"][0]["msg"]
    unknown = client.get(LEDGER, params={"order": "N-9"}, headers=viewer)
    assert unknown.status_code == 422
    assert "no order 'N-9'" in unknown.json()["detail"][0]["msg"]
    chain = client.get(LEDGER, params={"order": "N-1"}, headers=viewer).json()["order"]
    assert [link["plant"] for link in chain["chain"]] == ["WORKS", "WORKS", "FORGE"]
    assert chain["chain"][2]["promise"] == "N-1:PUMP/SHAFT/BLANK"


def test_the_ledger_narrowed_to_a_plant(client, auth, minimal):
    wait(client, auth, start(client, auth, kind="plan"))
    viewer = auth("viewer")
    forge = client.get(LEDGER, params={"plant": "FORGE"}, headers=viewer).json()
    assert forge["plant"] == "FORGE"
    assert [p["origin"] for p in forge["promises"]] == ["FORGE"]
    unknown = client.get(LEDGER, params={"plant": "MOON"}, headers=viewer)
    assert unknown.status_code == 422
    assert "no plant 'MOON'" in unknown.json()["detail"][0]["msg"]


def test_a_missing_plan_version_is_404(client, auth, minimal):
    assert client.get(LEDGER, headers=auth("viewer")).status_code == 404
