"""Any JSON in an entity's fields is a 2xx, a 409 or a 422 naming the field: never a 500,
and what is stored still reads as a scenario (SQLite and PostgreSQL)."""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.api.conftest import EXAMPLES, TestClient
from tests.databases import postgres_database, sqlite_url
from xiezuo.api.app import create_app
from xiezuo.services import networks
from xiezuo.services.accounts import Role, add_user

ENTITIES = [
    "orders/N-1",
    "items/PUMP",
    "items/SHAFT",
    "plants/FORGE",
    "plants/WORKS/machines/lathe",
    "lanes/0",
    "settings",
]
FIELDS = st.sampled_from(
    [
        "id",
        "item",
        "region",
        "due",
        "quantity",
        "priority",
        "bom",
        "operations",
        "weight_t",
        "units",
        "process",
        "machines",
        "calendar",
        "lead_days",
        "from",
        "to",
        "release",
    ]
)
TEXT = st.text(max_size=12) | st.sampled_from(["PUMP", "North", "FORGE", "2027-03-01", "06:00"])
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats()
    | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT | FIELDS, inner, max_size=3),
    max_leaves=8,
)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, dict[str, str]]]:
    def serve(url: str) -> Iterator[tuple[TestClient, dict[str, str]]]:
        app = create_app(url)
        with app.state.sessions() as session:
            token = add_user(session, "planner", Role.PLANNER)
            networks.import_scenario(session, "minimal", EXAMPLES / "minimal.yaml", user="setup")
            session.commit()
        with TestClient(app) as client:
            yield client, {"Authorization": f"Bearer {token}", "If-Match": "*"}
        app.state.engine.dispose()

    if request.param == "sqlite":
        yield from serve(sqlite_url(tmp_path_factory.mktemp("fuzz")))
    else:
        with postgres_database() as url:
            yield from serve(url)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(entity=st.sampled_from(ENTITIES), field=FIELDS | TEXT, value=JSON, reason=TEXT)
def test_any_json_in_a_field_is_accepted_or_refused_with_a_reason(
    served: tuple[TestClient, dict[str, str]], entity: str, field: str, value: Any, reason: str
) -> None:
    client, headers = served
    answer = client.patch(
        f"/networks/minimal/{entity}",
        params={"reason": reason},
        content=json.dumps({field: value}),  # NaN and Infinity too, as some writers send them
        headers={**headers, "Content-Type": "application/json"},
    )
    event(f"HTTP {answer.status_code}")
    assert answer.status_code in (200, 404, 409, 422), answer.text
    if answer.status_code == 422:
        assert answer.json()["detail"][0]["msg"]
    stored = client.get("/networks/minimal/scenario", headers=headers).json()
    networks.check_scenario(stored, "stored")
