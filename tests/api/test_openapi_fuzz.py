"""The API fuzzed from its own OpenAPI document (schemathesis): no 5xx, documented bodies.

Every operation of ``/openapi.json`` gets a few generated requests, valid and invalid,
as a planner and as the plant user ``forge``, against ``create_app`` on a SQLite file
holding the ``minimal`` network with one plan made by a solve job. Path parameters are
mostly names that exist (the network, its plants, machines, entities, plan and job
numbers), bodies of writes are often real entities with a field or two changed, and
``If-Match`` is often the current ETag, so the requests reach the services instead of
stopping at 404, 422 or 409. Bodies that no JSON schema describes (cut short, NaN, not
UTF-8, a form) are sent to every operation taking a body. The longer run, with its
figures, is ``benchmarks/api_fuzz.py``, which shares this setup."""

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
    status_code_conformance,
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
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
]
"""No 5xx; every status, body and content type one that ``/openapi.json`` documents."""
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
SPARE = "spare"
"""A copy of minimal, the only network the fuzzing deletes."""


@dataclass
class Network:
    """The names that exist in one network and its entities, as the API shows them."""

    values: dict[str, list[str]] = field(default_factory=dict)
    """Path parameter → values that exist (``entity_id`` keyed ``entity_id:plants``)."""
    pairs: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    """``stock`` and ``staffing`` → their (plant, material or skill) pairs."""
    entities: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Collection (``orders``, ``machines``, ``progress``, ...) → bodies as the API shows them."""


@dataclass
class FuzzTarget:
    """What the fuzzed requests aim at: the app, its schema, tokens and the networks."""

    app: FastAPI
    schema: schemathesis.BaseSchema
    tokens: dict[str, str]
    networks: dict[str, Network] = field(default_factory=dict)

    def client(self) -> asgi.ASGIClient:
        return asgi.get_client(cast("asgi.ASGIApp", self.app))


def prepare_target(app: FastAPI) -> FuzzTarget:
    """Users; ``minimal`` with a plan made by a solve job and a progress report; ``chongqing``."""
    with app.state.sessions() as session:
        tokens = {
            name: add_user(session, name, role, plant) for name, (role, plant) in USERS.items()
        }
        imported = (
            ("minimal", "minimal.yaml"),
            ("chongqing", "chongqing-1958.yaml"),
            (SPARE, "minimal.yaml"),
        )
        for key, file in imported:
            networks.import_scenario(session, key, EXAMPLES / file, user="setup")
        session.commit()
    target = FuzzTarget(
        app=app, schema=schemathesis.openapi.from_asgi("/openapi.json", app), tokens=tokens
    )
    headers = {"Authorization": f"Bearer {tokens['planner']}"}
    with target.client() as client:

        def read(path: str) -> Any:
            return client.get(path, headers=headers).json()

        job = client.post(
            "/networks/minimal/jobs", json={"kind": "plan", "time_limit_s": 5}, headers=headers
        ).json()
        deadline = time.monotonic() + 30
        while job["status"] in {"queued", "running"} and time.monotonic() < deadline:
            time.sleep(0.1)
            job = read(f"/networks/minimal/jobs/{job['id']}")
        assert job["status"] == "done", job
        for key in ("minimal", "chongqing"):
            target.networks[key] = network = Network()
            plants = [plant["id"] for plant in read(f"/networks/{key}/plants?limit=500")["items"]]
            network.values["plant"] = plants
            network.entities["machines"] = [
                machine
                for plant in plants
                for machine in read(f"/networks/{key}/plants/{plant}/machines?limit=500")["items"]
            ]
            network.values["machine"] = [machine["id"] for machine in network.entities["machines"]]
            for collection in COLLECTIONS:
                listed = read(f"/networks/{key}/{collection}?limit=500")["items"]
                network.entities[collection] = listed
                network.values[f"entity_id:{collection}"] = [
                    entry["id"] if "id" in entry else str(position)
                    for position, entry in enumerate(listed)
                ]
            for collection, entry in (("stock", "material"), ("staffing", "skill")):
                listed = read(f"/networks/{key}/{collection}?limit=500")["items"]
                network.entities[collection] = listed
                network.pairs[collection] = [(row["plant"], row[entry]) for row in listed]
        minimal = target.networks["minimal"]
        plan = str(job["plan"])
        minimal.values |= {
            "job_id": [str(job["id"])],
            "number": [plan],
            "old": [plan],
            "new": [plan],
        }
        operations = sorted(
            read(f"/networks/minimal/plans/{plan}")["plan"]["schedule"]["operations"],
            key=lambda step: step["start"],
        )
        minimal.entities["progress"] = [
            report
            for step in operations
            for report in (
                {
                    "kind": "step_started",
                    "record": {
                        "work_order": step["work_order_id"],
                        "step": step["step"],
                        "plant": step["plant_id"],
                        "machine": step["machine_id"],
                        "start": step["start"][:16],
                    },
                },
                {
                    "kind": "step_done",
                    "record": {
                        "work_order": step["work_order_id"],
                        "step": step["step"],
                        "end": step["end"][:16],
                    },
                },
                {
                    "kind": "down",
                    "record": {
                        "plant": step["plant_id"],
                        "machine": step["machine_id"],
                        "from": step["start"][:16],
                    },
                },
            )
        ]
        report = client.post(  # the first step started: a report to read and retract
            "/networks/minimal/progress",
            json=minimal.entities["progress"][0],
            headers={**headers, "Idempotency-Key": "fuzz-setup"},
        ).json()
        minimal.values["report_id"] = [str(report["id"])]
    return target


def _collection(path: str) -> str:
    """``orders`` for ``/networks/{key}/orders/{entity_id}``, ``machines`` for machines."""
    parts = path.split("/")
    if "machines" in parts:
        return "machines"
    return parts[3] if len(parts) > 3 and parts[1] == "networks" else ""


def existing_names(
    operation: schemathesis.APIOperation[Any, Any, Any, Any], target: FuzzTarget
) -> st.SearchStrategy[dict[str, str]]:
    """Path parameters: mostly names that exist in one network, now and then generated ones.

    A name left out of the answer is generated by schemathesis; plan and job numbers
    exist in ``minimal`` only.
    """
    names = {parameter.name for parameter in operation.path_parameters}
    collection = _collection(operation.path)

    def in_network(key: str) -> st.SearchStrategy[dict[str, str]]:
        network = target.networks[key]
        pins: dict[str, st.SearchStrategy[str | None]] = {"key": st.just(key)}
        for name in names - {"key"}:
            known = network.values.get(f"{name}:{collection}") or network.values.get(name)
            known = known or target.networks["minimal"].values.get(name)
            if known:
                pins[name] = st.sampled_from([*known * 9, None])
        drawn = st.fixed_dictionaries(pins)
        if network.pairs.get(collection) and {"plant", "entry"} <= names:
            drawn = st.builds(
                lambda fixed, pair: {**fixed, "plant": pair[0], "entry": pair[1]},
                drawn,
                st.sampled_from(network.pairs[collection]),
            )
        return drawn.map(
            lambda fixed: {name: value for name, value in fixed.items() if value is not None}
        )

    if "key" not in names:
        return st.just({})
    # A solve of chongqing takes a core for a minute: jobs are fuzzed on minimal only.
    keys = ["minimal"] if "/jobs" in operation.path else sorted(target.networks)
    if operation.label == "DELETE /networks/{key}":
        return st.sampled_from([{"key": SPARE}, {}])
    return st.sampled_from([*keys * 9, None]).flatmap(
        lambda key: st.just({}) if key is None else in_network(key)
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


NEW_IDS = st.none() | st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-", min_size=1, max_size=8
)


def edited(
    known: list[dict[str, Any]], *, new_ids: bool = False
) -> st.SearchStrategy[dict[str, Any]]:
    """One of ``known`` as it is or with a field or two changed (or added) to any JSON;
    with ``new_ids``, now and then with a new ``id`` (so that creating one can succeed)."""
    return st.builds(
        lambda entity, changes, new_id: {
            **entity,
            **changes,
            **({"id": new_id} if new_id and "id" in entity else {}),
        },
        st.sampled_from(known),
        st.just({})
        | st.dictionaries(
            st.sampled_from(sorted({name for entity in known for name in entity})),
            JSON_VALUES,
            min_size=1,
            max_size=2,
        ),
        NEW_IDS if new_ids else st.none(),
    )


def near_bodies(
    operation: schemathesis.APIOperation[Any, Any, Any, Any],
    target: FuzzTarget,
    names: dict[str, str],
) -> st.SearchStrategy[dict[str, Any]] | None:
    """Bodies near the real ones: an entity (the one the path names, if it names one)
    or a progress report, as it is or a little changed."""
    network = target.networks.get(names.get("key", ""))
    collection = _collection(operation.path)
    known = network.entities.get(collection) if network else None
    if operation.method.upper() not in {"POST", "PUT", "PATCH"} or not known:
        return None
    if collection == "progress":
        return st.sampled_from(known).flatmap(
            lambda report: edited([report["record"]]).map(
                lambda record: {**report, "record": record}
            )
        )
    addressed = [
        entity for position, entity in enumerate(known) if _is_addressed(entity, position, names)
    ]
    return edited(addressed or known, new_ids=operation.method.upper() == "POST")


def _is_addressed(entity: dict[str, Any], position: int, names: dict[str, str]) -> bool:
    """Whether the path's names point at ``entity`` (a PUT or PATCH body for itself)."""
    if "entry" in names:
        return names.get("plant") == entity.get("plant") and names["entry"] in (
            entity.get("material"),
            entity.get("skill"),
        )
    name = names.get("entity_id", names.get("machine"))
    return name is not None and name in (entity.get("id"), str(position))


def case_strategy(
    operation: schemathesis.APIOperation[Any, Any, Any, Any],
    target: FuzzTarget,
    mode: GenerationMode,
) -> st.SearchStrategy[schemathesis.Case[Any]]:
    """Generated requests on existing names; positive ones also with bodies near real ones."""

    def generated(fixed: dict[str, str]) -> st.SearchStrategy[schemathesis.Case[Any]]:
        plain = operation.as_strategy(mode, path_parameters=fixed)
        near = near_bodies(operation, target, fixed)
        if near is None or mode != GenerationMode.POSITIVE:
            return plain
        return plain | near.flatmap(
            lambda body: operation.as_strategy(mode, path_parameters=fixed, body=body)
        )

    return existing_names(operation, target).flatmap(generated)


def send(
    case: schemathesis.Case[Any], target: FuzzTarget, user: str, *, fresh_etag: bool
) -> schemathesis.Response:
    """Send ``case`` as ``user``.

    With ``fresh_etag``, a PUT, PATCH or DELETE carries the current ETag in
    ``If-Match``, so updates and deletions get through instead of stopping at 428 or
    409 (entities deleted stay deleted for the later requests).
    """
    headers = {"Authorization": f"Bearer {target.tokens[user]}"}
    if fresh_etag and case.method in {"PUT", "PATCH", "DELETE"}:
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
    network = target.networks["minimal"]
    path = template.replace("{key}", "minimal")
    for name in re.findall(r"{(\w+)}", path):
        known = network.values.get(f"{name}:{_collection(template)}") or network.values.get(name)
        path = path.replace(f"{{{name}}}", known[0] if known else "X")
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
