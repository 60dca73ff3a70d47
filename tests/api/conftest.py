"""An app on an empty database (SQLite and PostgreSQL), a client, and one user per role.

Users: ``planner`` (planner), ``forge`` (plant FORGE), ``works`` (plant WORKS) and
``viewer``; ``tokens[name]`` holds each one's token and ``auth(name, if_match)`` its headers.
The ``minimal`` fixture imports ``examples/minimal.yaml`` as the network ``minimal``.
"""

import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from starlette.exceptions import StarletteDeprecationWarning

from tests.databases import db_url, register_markers
from xiezuo.api.app import create_app
from xiezuo.services import networks
from xiezuo.services.accounts import Role, add_user

with warnings.catch_warnings():
    # Starlette asks for its httpx2 fork at import; the installed httpx serves it alike.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

__all__ = ["TestClient", "db_url"]

EXAMPLES = Path(__file__).parents[2] / "examples"
USERS = {
    "planner": (Role.PLANNER, None),
    "forge": (Role.PLANT, "FORGE"),
    "works": (Role.PLANT, "WORKS"),
    "viewer": (Role.VIEWER, None),
}


def pytest_configure(config: pytest.Config) -> None:
    register_markers(config)


@pytest.fixture
def app(db_url: str) -> Iterator[FastAPI]:
    app = create_app(db_url)
    yield app
    app.state.engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture
def tokens(app: FastAPI) -> dict[str, str]:
    with app.state.sessions() as session:
        made = {name: add_user(session, name, role, plant) for name, (role, plant) in USERS.items()}
        session.commit()
    return made


@pytest.fixture
def auth(tokens: dict[str, str]) -> Callable[..., dict[str, str]]:
    def headers(name: str, if_match: str | None = None) -> dict[str, str]:
        given = {"Authorization": f"Bearer {tokens[name]}"}
        if if_match is not None:
            given["If-Match"] = if_match
        return given

    return headers


@pytest.fixture
def minimal(app: FastAPI) -> str:
    with app.state.sessions() as session:
        networks.import_scenario(session, "minimal", EXAMPLES / "minimal.yaml", user="setup")
        session.commit()
    return "minimal"
