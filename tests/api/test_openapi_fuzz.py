"""The API fuzzed from its own OpenAPI document (schemathesis): no 5xx, documented bodies.

Every operation of ``/openapi.json`` gets a few generated requests, valid and invalid,
as a planner and as the plant user ``forge``, against ``create_app`` on a SQLite file
holding the ``minimal`` network with one plan made by a solve job. Path parameters are
mostly names that exist (the network, its plants, machines, entities, plan and job
numbers), so the requests reach the routes instead of stopping at a 404. The longer
run, with its figures, is ``benchmarks/api_fuzz.py``.
"""

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import hypothesis
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)
from schemathesis.python import asgi

from tests.databases import sqlite_url
from xiezuo.api.app import create_app
from xiezuo.services import networks
from xiezuo.services.accounts import Role, add_user

EXAMPLES = Path(__file__).parents[2] / "examples"
USERS = {
    "planner": (Role.PLANNER, None),
    "forge": (Role.PLANT, "FORGE"),
    "works": (Role.PLANT, "WORKS"),
    "viewer": (Role.VIEWER, None),
}
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
"""No 5xx; a body and content type as documented for its status (undocumented
statuses such as 401/404/409 are not judged here: FastAPI documents only 2xx and 422)."""
# Collections whose entities are addressed as /networks/{key}/{collection}/{entity_id}.
COLLECTIONS = (
    "plants",
    "items",
    "orders",
    "materials",
    "skills",
    "processes",
    "regions",
    "supplies",
    "secondments",
    "trainings",
    "lanes",
)
EXAMPLES_PER_OPERATION = 8


@dataclass
class FuzzTarget:
    """What the fuzzed requests aim at: the app, its schema, tokens, names and entities."""

    app: FastAPI
    schema: schemathesis.BaseSchema
    tokens: dict[str, str]
    values: dict[str, list[str]] = field(default_factory=dict)
    """Path parameter name → values that exist (``entity_id`` keyed ``entity_id:plants``)."""
    entities: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Collection (``orders``, ``machines``, ...) → its entities as GET returns them."""

    def client(self) -> asgi.ASGIClient:
        return asgi.get_client(cast("asgi.ASGIApp", self.app))


def prepare_target(app: FastAPI) -> FuzzTarget:
    """Users, the ``minimal`` network and one plan made by a solve job, in ``app``'s database."""
    with app.state.sessions() as session:
        tokens = {
            name: add_user(session, name, role, plant) for name, (role, plant) in USERS.items()
        }
        networks.import_scenario(session, "minimal", EXAMPLES / "minimal.yaml", user="setup")
        session.commit()
    target = FuzzTarget(
        app=app, schema=schemathesis.openapi.from_asgi("/openapi.json", app), tokens=tokens
    )
    headers = {"Authorization": f"Bearer {tokens['planner']}"}
    with target.client() as client:
        job = client.post(
            "/networks/minimal/jobs", json={"kind": "plan", "time_limit_s": 5}, headers=headers
        ).json()
        deadline = time.monotonic() + 30
        while job["status"] in {"queued", "running"} and time.monotonic() < deadline:
            time.sleep(0.1)
            job = client.get(f"/networks/minimal/jobs/{job['id']}", headers=headers).json()
        assert job["status"] == "done", job
        plan = str(job["plan"])
        target.values |= {
            "key": ["minimal"],
            "plant": ["FORGE", "WORKS"],
            "job_id": [str(job["id"])],
            "number": [plan],
            "old": [plan],
            "new": [plan],
        }
        target.entities["machines"] = [
            entry
            for plant in target.values["plant"]
            for entry in client.get(
                f"/networks/minimal/plants/{plant}/machines", headers=headers
            ).json()["items"]
        ]
        target.values["machine"] = [entry["id"] for entry in target.entities["machines"]]
        for collection in COLLECTIONS:
            listed = client.get(f"/networks/minimal/{collection}", headers=headers).json()
            target.entities[collection] = listed["items"]
            target.values[f"entity_id:{collection}"] = [
                entry["id"] if isinstance(entry, dict) and "id" in entry else str(position)
                for position, entry in enumerate(listed["items"])
            ] + ["0"]
    return target


def _collection(operation: schemathesis.APIOperation[Any, Any, Any, Any]) -> str:
    """``orders`` for ``/networks/{key}/orders/{entity_id}``, ``machines`` for machines."""
    parts = operation.path.split("/")
    if "machines" in parts:
        return "machines"
    return parts[3] if len(parts) > 3 and parts[1] == "networks" else ""


def existing_names(
    operation: schemathesis.APIOperation[Any, Any, Any, Any], target: FuzzTarget
) -> st.SearchStrategy[dict[str, str]]:
    """Path parameters: mostly names that exist, now and then the generated one (None)."""
    pins: dict[str, st.SearchStrategy[str | None]] = {}
    collection = _collection(operation)
    for parameter in operation.path_parameters:
        name = parameter.name
        known = target.values.get(f"{name}:{collection}") or target.values.get(name)
        if known:
            pins[name] = st.sampled_from([*known * 9, None])
    return st.fixed_dictionaries(pins).map(
        lambda drawn: {name: value for name, value in drawn.items() if value is not None}
    )


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def edited_entities(
    operation: schemathesis.APIOperation[Any, Any, Any, Any], target: FuzzTarget
) -> st.SearchStrategy[dict[str, Any]] | None:
    """Bodies near the real ones: an entity of the collection with a field or two changed."""
    known = target.entities.get(_collection(operation))
    if operation.method.upper() not in {"POST", "PUT", "PATCH"} or not known:
        return None
    return st.builds(
        lambda entity, changes: {**entity, **changes},
        st.sampled_from([entity for entity in known if isinstance(entity, dict)] or [{}]),
        st.dictionaries(
            st.sampled_from(
                sorted({name for entity in known if isinstance(entity, dict) for name in entity})
                or ["id"]
            ),
            JSON_VALUES,
            max_size=2,
        ),
    )


def case_strategy(
    operation: schemathesis.APIOperation[Any, Any, Any, Any],
    target: FuzzTarget,
    mode: GenerationMode,
) -> st.SearchStrategy[schemathesis.Case[Any]]:
    """Generated requests on existing names; positive ones also with bodies near real ones."""
    near = edited_entities(operation, target) if mode == GenerationMode.POSITIVE else None

    def generated(fixed: dict[str, str]) -> st.SearchStrategy[schemathesis.Case[Any]]:
        plain = operation.as_strategy(mode, path_parameters=fixed)
        if near is None:
            return plain
        return plain | near.flatmap(
            lambda body: operation.as_strategy(mode, path_parameters=fixed, body=body)
        )

    return existing_names(operation, target).flatmap(generated)


def send(
    case: schemathesis.Case[Any], target: FuzzTarget, user: str, *, fresh_etag: bool
) -> schemathesis.Response:
    """Send ``case`` as ``user``.

    With ``fresh_etag``, a request that carries ``If-Match`` carries the entity's
    current ETag, so updates and deletions get through instead of stopping at 409
    (entities deleted stay deleted for the later requests); never for deleting a whole
    network, which would leave nothing to fuzz.
    """
    headers = {"Authorization": f"Bearer {target.tokens[user]}"}
    if (
        fresh_etag
        and case.headers
        and "if-match" in case.headers
        and case.operation.label != "DELETE /networks/{key}"
    ):
        with target.client() as client:
            current = client.get(case.formatted_path, headers=headers)
        if "ETag" in current.headers:
            case.headers["if-match"] = current.headers["ETag"]
    return case.call(headers=headers)


def requests_for(
    operation: schemathesis.APIOperation[Any, Any, Any, Any], target: FuzzTarget
) -> st.SearchStrategy[tuple[schemathesis.Case[Any], bool]]:
    """Valid and invalid requests for ``operation``, each with or without a fresh ETag."""
    modes = st.sampled_from([GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
    return st.tuples(
        modes.flatmap(lambda mode: case_strategy(operation, target, mode)), st.booleans()
    )


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzTarget]:
    app = create_app(sqlite_url(tmp_path_factory.mktemp("fuzz")))
    try:
        yield prepare_target(app)
    finally:
        asgi.shutdown_lifespans()
        app.state.engine.dispose()


def _documented_paths() -> dict[str, dict[str, Any]]:
    """The paths of ``/openapi.json``, read once from a throwaway app."""
    app = create_app("sqlite://")
    try:
        paths: dict[str, dict[str, Any]] = app.openapi()["paths"]
    finally:
        app.state.engine.dispose()
    return paths


PATHS = _documented_paths()


def operation_labels(*, with_body: bool = False) -> list[str]:
    """``METHOD /path`` of every documented operation (only those taking a body)."""
    return [
        f"{method.upper()} {path}"
        for path, methods in PATHS.items()
        for method, spec in methods.items()
        if "requestBody" in spec or not with_body
    ]


@pytest.mark.parametrize("user", ["planner", "forge"])
@pytest.mark.parametrize("label", operation_labels())
def test_operation_survives_fuzzing(target: FuzzTarget, label: str, user: str) -> None:
    """Valid and invalid requests: never a 5xx, always the documented body and type."""
    operation = target.schema.find_operation_by_label(label)
    assert operation is not None, label

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )
    @given(request=requests_for(operation, target))
    def fuzz(request: tuple[schemathesis.Case[Any], bool]) -> None:
        case, fresh_etag = request
        response = send(case, target, user, fresh_etag=fresh_etag)
        case.validate_response(response, checks=CHECKS)

    fuzz()


UNPARSABLE = {
    "cut short": (b'{"kind": ', "application/json"),
    "NaN": (b"[NaN]", "application/json"),
    "Infinity": (b'{"id": Infinity}', "application/json"),
    "huge number": (b'{"id": 1e999}', "application/json"),
    "not UTF-8": (b'{"id": "\xff\xfe"}', "application/json"),
    "form": (b"id=N-9", "application/x-www-form-urlencoded"),
}


@pytest.mark.parametrize("body", list(UNPARSABLE))
@pytest.mark.parametrize("label", operation_labels(with_body=True))
def test_unparsable_body_is_a_client_error(target: FuzzTarget, label: str, body: str) -> None:
    """Bodies no JSON schema describes (schemathesis never sends them) are 4xx, not 5xx."""
    method, template = label.split(" ", 1)
    collection = template.split("/")[3] if template.count("/") >= 3 else ""
    path = template
    for name in re.findall(r"{(\w+)}", template):
        known = target.values.get(f"{name}:{collection}") or target.values.get(name) or ["X"]
        path = path.replace(f"{{{name}}}", known[0])
    content, content_type = UNPARSABLE[body]
    headers = {
        "Authorization": f"Bearer {target.tokens['planner']}",
        "Content-Type": content_type,
        "Idempotency-Key": f"unparsable-{body}",
        "If-Match": '"stale"',
    }
    with target.client() as client:
        response = client.request(method, path, data=content, headers=headers)
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
