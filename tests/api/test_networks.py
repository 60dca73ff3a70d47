"""The networks and entities API: import, read, export, edit with ETags, errors as JSON."""

from typing import Any

import pytest
import yaml

from tests.api.conftest import EXAMPLES
from xiezuo.api.app import MAX_BODY_BYTES
from xiezuo.io.scenario import read_input_data


def scenario(name: str = "minimal.yaml") -> Any:
    return read_input_data(EXAMPLES / name, "scenario")[0]


def test_a_planner_imports_a_network_and_everybody_reads_it(client, auth):
    created = client.post(
        "/networks", json={"key": "m", "scenario": scenario()}, headers=auth("planner")
    )
    assert created.status_code == 201
    assert created.headers["Location"] == "/networks/m"
    assert created.json()["version"] == 1
    for user in ("planner", "forge", "viewer"):
        listed = client.get("/networks", headers=auth(user)).json()
        assert [n["key"] for n in listed["items"]] == ["m"]
        assert listed["total"] == 1


def test_the_exported_scenario_is_the_imported_one(client, auth):
    data = scenario("chongqing-1958.yaml")
    client.post("/networks", json={"key": "cq", "scenario": data}, headers=auth("planner"))
    as_json = client.get("/networks/cq/scenario", headers=auth("viewer"))
    as_yaml = client.get("/networks/cq/scenario?format=yaml", headers=auth("viewer"))
    assert as_json.json() == data
    assert as_json.headers["ETag"] == '"1"'
    assert as_yaml.headers["content-type"].startswith("application/yaml")
    assert yaml.safe_load(as_yaml.text) == data


def test_a_taken_key_is_409(client, auth, minimal):
    again = client.post(
        "/networks", json={"key": minimal, "scenario": scenario()}, headers=auth("planner")
    )
    assert again.status_code == 409
    assert "already a network" in again.json()["detail"]


def test_a_bad_scenario_is_422_naming_the_field(client, auth):
    data = scenario()
    data["orders"][0]["quantity"] = "many"
    answer = client.post("/networks", json={"key": "m", "scenario": data}, headers=auth("planner"))
    assert answer.status_code == 422
    [problem] = answer.json()["detail"]
    assert problem["loc"] == ["orders", 0, "quantity"]
    assert "whole number" in problem["msg"]


def test_lists_are_paginated(client, auth):
    for n in range(3):
        client.post(
            "/networks", json={"key": f"n{n}", "scenario": scenario()}, headers=auth("planner")
        )
    page = client.get("/networks?limit=2&offset=1", headers=auth("viewer")).json()
    assert [n["key"] for n in page["items"]] == ["n1", "n2"]
    assert page["total"] == 3
    assert client.get("/networks?limit=0", headers=auth("viewer")).status_code == 422


def test_an_unknown_network_or_entity_is_404(client, auth, minimal):
    assert client.get("/networks/nope", headers=auth("viewer")).status_code == 404
    missing = client.get(f"/networks/{minimal}/orders/N-9", headers=auth("viewer"))
    assert missing.status_code == 404
    assert missing.json() == {"detail": "there is no orders/N-9"}
    gone = client.get(f"/networks/{minimal}/plants/NOPE/machines", headers=auth("viewer"))
    assert gone.status_code == 404


def test_an_entity_reads_with_an_etag_that_changes_with_it(client, auth, minimal):
    url = f"/networks/{minimal}/orders/N-1"
    first = client.get(url, headers=auth("viewer"))
    assert first.json() == {"id": "N-1", "region": "North", "item": "PUMP", "due": "2027-03-12"}
    changed = client.patch(
        url, json={"priority": 3}, headers=auth("planner", first.headers["ETag"])
    )
    assert changed.status_code == 200
    assert changed.json()["priority"] == 3
    assert changed.headers["ETag"] != first.headers["ETag"]
    assert client.get(url, headers=auth("viewer")).headers["ETag"] == changed.headers["ETag"]
    assert client.get(f"/networks/{minimal}", headers=auth("viewer")).json()["version"] == 2


def test_two_planners_editing_the_same_order_the_second_gets_409(client, auth, minimal):
    url = f"/networks/{minimal}/orders/N-1"
    tag = client.get(url, headers=auth("planner")).headers["ETag"]
    first = client.patch(url, json={"due": "2027-03-20"}, headers=auth("planner", tag))
    second = client.patch(url, json={"priority": 9}, headers=auth("planner", tag))
    assert first.status_code == 200
    assert second.status_code == 409
    assert "has changed since you read it" in second.json()["detail"]
    assert client.get(url, headers=auth("viewer")).json()["due"] == "2027-03-20"


def test_a_write_without_if_match_is_428(client, auth, minimal):
    url = f"/networks/{minimal}/orders/N-1"
    answer = client.patch(url, json={"priority": 3}, headers=auth("planner"))
    assert answer.status_code == 428
    assert client.delete(url, headers=auth("planner")).status_code == 428


def test_a_reference_to_an_unknown_item_is_422_naming_the_field(client, auth, minimal):
    order = {"id": "N-2", "region": "North", "item": "VALVE", "due": "2027-04-01"}
    answer = client.post(f"/networks/{minimal}/orders", json=order, headers=auth("planner"))
    assert answer.status_code == 422
    [problem] = answer.json()["detail"]
    assert problem["loc"] == ["orders", 1, "item"]
    assert "unknown item 'VALVE'" in problem["msg"]


def test_deleting_an_item_still_ordered_is_409_with_the_reason(client, auth, minimal):
    answer = client.delete(f"/networks/{minimal}/items/PUMP", headers=auth("planner", "*"))
    assert answer.status_code == 409
    assert "unknown item 'PUMP'" in answer.json()["detail"]


def test_create_replace_and_delete_an_order(client, auth, minimal):
    base = f"/networks/{minimal}/orders"
    order = {"id": "N-2", "region": "North", "item": "PUMP", "due": "2027-04-01"}
    created = client.post(f"{base}?reason=new customer", json=order, headers=auth("planner"))
    assert created.status_code == 201
    assert created.headers["Location"] == f"{base}/N-2"
    assert client.post(base, json=order, headers=auth("planner")).status_code == 409
    replaced = client.put(
        f"{base}/N-2",
        json={**order, "quantity": 2},
        headers=auth("planner", created.headers["ETag"]),
    )
    assert replaced.json()["quantity"] == 2
    deleted = client.delete(f"{base}/N-2", headers=auth("planner", replaced.headers["ETag"]))
    assert deleted.status_code == 204
    assert client.get(base, headers=auth("viewer")).json()["total"] == 1
    log = client.get(f"/networks/{minimal}/audit", headers=auth("planner")).json()
    assert [(e["action"], e["subject"]) for e in log["items"][:3]] == [
        ("delete", "orders/N-2"),
        ("update", "orders/N-2"),
        ("create", "orders/N-2"),
    ]
    assert log["items"][2]["reason"] == "new customer"
    assert log["items"][2]["user"] == "planner"


def test_machines_stock_and_staffing_by_their_natural_keys(client, auth, minimal):
    base = f"/networks/{minimal}"
    lathe = client.get(f"{base}/plants/WORKS/machines/lathe", headers=auth("viewer"))
    assert lathe.json()["units"] == 2
    client.post(f"{base}/materials", json={"id": "steel", "unit": "t"}, headers=auth("planner"))
    stock = {"plant": "WORKS", "material": "steel", "quantity": 40}
    assert client.post(f"{base}/stock", json=stock, headers=auth("planner")).status_code == 201
    assert client.get(f"{base}/stock/WORKS/steel", headers=auth("viewer")).json() == stock
    client.post(f"{base}/skills", json={"id": "turner"}, headers=auth("planner"))
    staff = {"plant": "WORKS", "skill": "turner", "headcount": 6}
    created = client.post(f"{base}/staffing", json=staff, headers=auth("planner"))
    assert created.headers["Location"] == f"{base}/staffing/WORKS/turner"
    assert client.get(f"{base}/skills", headers=auth("viewer")).json()["items"] == [
        {"id": "turner"}
    ]


@pytest.mark.parametrize(
    "body",
    [
        {"id": "N-1", "region": "North", "item": "PUMP", "colour": "red"},
        {"id": "N-1", "region": "North", "item": "PUMP", "due": "soon"},
        {"id": "N-1", "region": "North", "item": "PUMP", "quantity": -1},
        {"id": "N-1", "region": "North"},
    ],
)
def test_a_malformed_entity_is_422(client, auth, minimal, body):
    url = f"/networks/{minimal}/orders/N-1"
    answer = client.put(url, json=body, headers=auth("planner", "*"))
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"][:2] == ["orders", 0]


def test_replacing_the_whole_scenario_needs_the_network_version(client, auth, minimal):
    url = f"/networks/{minimal}/scenario"
    data = scenario()
    data["orders"][0]["priority"] = 4
    assert client.put(url, json=data, headers=auth("planner")).status_code == 428
    assert client.put(url, json=data, headers=auth("planner", '"7"')).status_code == 409
    replaced = client.put(url, json=data, headers=auth("planner", '"1"'))
    assert replaced.status_code == 200
    assert replaced.headers["ETag"] == '"2"'
    assert client.get(url, headers=auth("viewer")).json() == data
    data["orders"][0]["priority"] = 5
    assert client.put(url, json=data, headers=auth("planner", "*")).headers["ETag"] == '"3"'


def test_deleting_a_network(client, auth, minimal):
    url = f"/networks/{minimal}"
    assert client.delete(url, headers=auth("planner", '"1"')).status_code == 204
    assert client.get(url, headers=auth("viewer")).status_code == 404
    log = client.get("/audit", headers=auth("planner")).json()
    assert log["items"][0]["action"] == "delete"


def test_the_openapi_document_is_published(client):
    spec = client.get("/openapi.json").json()
    assert "/networks/{key}/orders/{entity_id}" in spec["paths"]
    assert "/networks/{key}/plants/{plant}/machines/{machine}" in spec["paths"]
    assert client.get("/docs").status_code == 200


def test_instants_carry_their_zone_on_every_database(client, auth, minimal):
    summary = client.get(f"/networks/{minimal}", headers=auth("viewer")).json()
    entry = client.get("/audit", headers=auth("planner")).json()["items"][0]
    for instant in (summary["created_at"], summary["updated_at"], entry["at"]):
        assert instant.endswith(("Z", "+00:00"))


@pytest.mark.parametrize(
    "body", ["NaN", "[Infinity]", '{"key": "x", "scenario": [-Infinity]}', "1e999"]
)
@pytest.mark.parametrize(
    ("method", "path", "tag"),
    [
        ("POST", "/networks", None),
        ("PATCH", "/networks/{}/orders/N-1", "*"),
        ("PUT", "/networks/{}/scenario", '"1"'),
    ],
)
def test_numbers_json_has_not_are_422_not_500(client, auth, minimal, body, method, path, tag):
    headers = {**auth("planner", tag), "Content-Type": "application/json"}
    answer = client.request(method, path.format(minimal), content=body, headers=headers)
    assert answer.status_code == 422


def test_an_id_with_a_slash_is_addressed_by_its_url_encoding(client, auth, minimal):
    order = {"id": "ORD/2024/17", "region": "North", "item": "PUMP"}
    created = client.post(f"/networks/{minimal}/orders", json=order, headers=auth("planner"))
    assert created.status_code == 201
    assert created.headers["Location"] == f"/networks/{minimal}/orders/ORD%2F2024%2F17"
    for url in (created.headers["Location"], f"/networks/{minimal}/orders/ORD/2024/17"):
        assert client.get(url, headers=auth("viewer")).json() == order


def test_the_openapi_document_declares_the_token_and_the_error_answers(client):
    spec = client.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    patch = spec["paths"]["/networks/{key}/orders/{entity_id}"]["patch"]
    assert {"200", "401", "403", "404", "409", "422", "428"} <= set(patch["responses"])
    assert patch["security"] == [{"HTTPBearer": []}]


def test_a_body_beyond_the_largest_scenario_is_413(client, auth):
    padded = b'{"key": "big", "scenario": {}}' + b" " * MAX_BODY_BYTES
    headers = {**auth("planner"), "Content-Type": "application/json"}
    answer = client.post("/networks", content=padded, headers=headers)
    assert answer.status_code == 413


def test_the_settings_change_on_their_own_with_their_etag(client, auth, minimal):
    url = f"/networks/{minimal}/settings"
    read = client.get(url, headers=auth("viewer"))
    assert read.json() == {
        "name": "Two workshops",
        "start": "2027-03-01",
        "timezone": "Europe/Berlin",
    }
    tag = read.headers["ETag"]
    assert client.patch(url, json={"timezone": "UTC"}, headers=auth("planner")).status_code == 428
    assert (
        client.patch(url, json={"timezone": "UTC"}, headers=auth("forge", tag)).status_code == 403
    )
    changed = client.patch(
        f"{url}?reason=one clock", json={"timezone": "UTC"}, headers=auth("planner", tag)
    )
    assert changed.json()["timezone"] == "UTC"
    assert changed.headers["ETag"] != tag
    stale = client.patch(url, json={"name": "x"}, headers=auth("planner", tag))
    assert stale.status_code == 409
    assert client.get(f"/networks/{minimal}", headers=auth("viewer")).json()["version"] == 2
    entry = client.get(f"/networks/{minimal}/audit", headers=auth("planner")).json()["items"][0]
    assert (entry["subject"], entry["reason"]) == ("settings", "one clock")


def test_settings_the_format_refuses_are_422_naming_the_field(client, auth, minimal):
    url = f"/networks/{minimal}/settings"
    answer = client.patch(url, json={"timezone": "Mars/Olympus"}, headers=auth("planner", "*"))
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["network", "timezone"]
    gone = client.put(url, json={"name": "no start"}, headers=auth("planner", "*"))
    assert gone.status_code == 422
    assert gone.json()["detail"][0]["loc"] == ["network", "start"]
