"""Who may do what: tokens, roles and plants."""

import pytest


def test_no_token_or_an_unknown_one_is_401(client, auth, minimal):
    assert client.get("/networks").status_code == 401
    unknown = client.get("/networks", headers={"Authorization": "Bearer not-a-token"})
    assert unknown.status_code == 401
    assert unknown.headers["WWW-Authenticate"] == "Bearer"
    assert client.get("/networks", headers={"Authorization": "Basic abc"}).status_code == 401


def test_me_says_who_the_token_belongs_to(client, auth):
    assert client.get("/me", headers=auth("forge")).json() == {
        "name": "forge",
        "role": "plant",
        "plant": "FORGE",
    }


@pytest.mark.parametrize("user", ["viewer", "forge"])
def test_only_planners_import_networks_and_edit_orders(client, auth, minimal, user):
    refused = client.post("/networks", json={"key": "x", "scenario": {}}, headers=auth(user))
    assert refused.status_code == 403
    order = client.patch(
        f"/networks/{minimal}/orders/N-1", json={"priority": 2}, headers=auth(user, "*")
    )
    assert order.status_code == 403


def test_a_viewer_reads_but_writes_nothing(client, auth, minimal):
    url = f"/networks/{minimal}/plants/FORGE/machines/hammer"
    assert client.get(url, headers=auth("viewer")).status_code == 200
    answer = client.patch(url, json={"units": 2}, headers=auth("viewer", "*"))
    assert answer.status_code == 403
    assert "viewer" in answer.json()["detail"]


def test_a_plant_user_writes_machines_of_their_own_plant_only(client, auth, minimal):
    own = f"/networks/{minimal}/plants/FORGE/machines/hammer"
    other = f"/networks/{minimal}/plants/WORKS/machines/lathe"
    assert client.patch(own, json={"units": 2}, headers=auth("forge", "*")).status_code == 200
    refused = client.patch(other, json={"units": 3}, headers=auth("forge", "*"))
    assert refused.status_code == 403
    assert "plant 'WORKS'" in refused.json()["detail"]
    assert client.get(other, headers=auth("viewer")).json()["units"] == 2


def test_a_plant_user_cannot_move_stock_to_another_plant(client, auth, minimal):
    base = f"/networks/{minimal}"
    client.post(f"{base}/materials", json={"id": "steel", "unit": "t"}, headers=auth("planner"))
    stock = {"plant": "FORGE", "material": "steel", "quantity": 5}
    assert client.post(f"{base}/stock", json=stock, headers=auth("forge")).status_code == 201
    assert client.post(f"{base}/stock", json=stock, headers=auth("works")).status_code == 403
    moved = client.patch(
        f"{base}/stock/FORGE/steel", json={"plant": "WORKS"}, headers=auth("forge", "*")
    )
    assert moved.status_code == 403


def test_a_plant_user_cannot_add_a_plant_or_a_skill(client, auth, minimal):
    base = f"/networks/{minimal}"
    plant = client.post(f"{base}/plants", json={"id": "NEW"}, headers=auth("forge"))
    skill = client.post(f"{base}/skills", json={"id": "x"}, headers=auth("forge"))
    assert (plant.status_code, skill.status_code) == (403, 403)


@pytest.mark.parametrize("user", ["forge", "viewer"])
def test_only_planners_read_the_audit_log(client, auth, minimal, user):
    assert client.get("/audit", headers=auth(user)).status_code == 403
    assert client.get(f"/networks/{minimal}/audit", headers=auth(user)).status_code == 403
    assert client.get("/audit", headers=auth("planner")).status_code == 200
