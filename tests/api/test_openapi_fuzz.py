"""The API fuzzed from its own OpenAPI document (schemathesis): no 5xx, documented bodies.

Every operation of ``/openapi.json`` gets a few generated requests, valid and invalid,
as a planner and as the plant user ``forge``, against ``create_app`` on a SQLite file
holding the ``minimal`` network with one plan made by a solve job. Path parameters are
mostly names that exist (the network, its plants, machines, entities, plan and job
numbers), so the requests reach the routes instead of stopping at a 404. The longer
run, with its figures, is ``benchmarks/api_fuzz.py``.
"""

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
    """The data the fuzzed requests aim at: tokens and the names that exist."""

    tokens: dict[str, str]
    values: dict[str, list[str]] = field(default_factory=dict)
    """Path parameter name → values that exist (``entity_id`` keyed ``entity_id:plants``)."""


def prepare_target(app: FastAPI) -> FuzzTarget:
    """Users, the ``minimal`` network and one plan made by a solve job, in ``app``'s database."""
    with app.state.sessions() as session:
        tokens = {
            name: add_user(session, name, role, plant) for name, (role, plant) in USERS.items()
        }
        networks.import_scenario(session, "minimal", EXAMPLES / "minimal.yaml", user="setup")
        session.commit()
    headers = {"Authorization": f"Bearer {tokens['planner']}"}
    with asgi.get_client(cast("asgi.ASGIApp", app)) as client:
        job = client.post(
            "/networks/minimal/jobs", json={"kind": "plan", "time_limit_s": 5}, headers=headers
        ).json()
        deadline = time.monotonic() + 30
        while job["status"] in {"queued", "running"} and time.monotonic() < deadline:
            time.sleep(0.1)
            job = client.get(f"/networks/minimal/jobs/{job['id']}", headers=headers).json()
        assert job["status"] == "done", job
        values: dict[str, list[str]] = {
            "key": ["minimal"],
            "plant": ["FORGE", "WORKS"],
            "job_id": [str(job["id"])],
            "number": [str(job["plan"])],
            "old": [str(job["plan"])],
            "new": [str(job["plan"])],
        }
        machines = [
            entry["id"]
            for plant in values["plant"]
            for entry in client.get(
                f"/networks/minimal/plants/{plant}/machines", headers=headers
            ).json()["items"]
        ]
        values["machine"] = machines
        for collection in COLLECTIONS:
            listed = client.get(f"/networks/minimal/{collection}", headers=headers).json()
            values[f"entity_id:{collection}"] = [
                entry["id"] if isinstance(entry, dict) and "id" in entry else str(position)
                for position, entry in enumerate(listed["items"])
            ] + ["0"]
    return FuzzTarget(tokens=tokens, values=values)


def fuzz_schema(app: FastAPI) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def existing_names(
    operation: schemathesis.APIOperation[Any, Any, Any, Any], target: FuzzTarget
) -> st.SearchStrategy[dict[str, str]]:
    """Path parameters: mostly names that exist, now and then the generated one (None)."""
    pins: dict[str, st.SearchStrategy[str | None]] = {}
    collection = operation.path.split("/")[3] if operation.path.count("/") >= 3 else ""
    for parameter in operation.path_parameters:
        name = parameter.name
        known = target.values.get(f"{name}:{collection}") or target.values.get(name)
        if known:
            pins[name] = st.sampled_from([*known * 9, None])
    return st.fixed_dictionaries(pins).map(
        lambda drawn: {name: value for name, value in drawn.items() if value is not None}
    )


def case_strategy(
    operation: schemathesis.APIOperation[Any, Any, Any, Any],
    target: FuzzTarget,
    mode: GenerationMode,
) -> st.SearchStrategy[schemathesis.Case[Any]]:
    return existing_names(operation, target).flatmap(
        lambda fixed: operation.as_strategy(mode, path_parameters=fixed)
    )


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, FuzzTarget]]:
    app = create_app(sqlite_url(tmp_path_factory.mktemp("fuzz")))
    try:
        yield app, prepare_target(app)
    finally:
        asgi.shutdown_lifespans()
        app.state.engine.dispose()


def _operation_labels() -> list[str]:
    """``METHOD /path`` of every documented operation, read once from a throwaway app."""
    app = create_app("sqlite://")
    try:
        paths: dict[str, dict[str, Any]] = app.openapi()["paths"]
    finally:
        app.state.engine.dispose()
    return [f"{method.upper()} {path}" for path, methods in paths.items() for method in methods]


@pytest.mark.parametrize("user", ["planner", "forge"])
@pytest.mark.parametrize("label", _operation_labels())
def test_operation_survives_fuzzing(
    target: tuple[FastAPI, FuzzTarget], label: str, user: str
) -> None:
    """Valid and invalid requests: never a 5xx, always the documented body and type."""
    app, names = target
    operation = fuzz_schema(app).find_operation_by_label(label)
    assert operation is not None, label
    headers = {"Authorization": f"Bearer {names.tokens[user]}"}
    modes = st.sampled_from([GenerationMode.POSITIVE, GenerationMode.NEGATIVE])

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )
    @given(case=modes.flatmap(lambda mode: case_strategy(operation, names, mode)))
    def fuzz(case: schemathesis.Case[Any]) -> None:
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)

    fuzz()
