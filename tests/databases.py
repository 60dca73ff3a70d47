"""The ``db_url`` fixture: each storage and API test runs on SQLite and on PostgreSQL.

PostgreSQL tests get a fresh database of their own (``xiezuo_test_<random>``), dropped
afterwards, so nothing is left behind in the server's ``test`` database; they are
skipped, saying why, when no server answers at ``XIEZUO_TEST_POSTGRES`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``, trust authentication).
"""

from __future__ import annotations

import os
import secrets
from contextlib import contextmanager
from typing import TYPE_CHECKING

import psycopg
import pytest
from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

POSTGRES_ADMIN = os.environ.get(
    "XIEZUO_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _admin_connection() -> psycopg.Connection[tuple[object, ...]]:
    url = make_url(POSTGRES_ADMIN)
    try:
        return psycopg.connect(
            host=url.host or "127.0.0.1",
            port=url.port or 5432,
            user=url.username or "postgres",
            password=url.password,
            dbname=url.database or "postgres",
            autocommit=True,
            connect_timeout=3,
        )
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not reachable at {url.host}:{url.port}: {exc}")


@contextmanager
def postgres_database() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped (connections and all) after use."""
    name = f"xiezuo_test_{secrets.token_hex(6)}"
    with _admin_connection() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(POSTGRES_ADMIN).set(database=name).render_as_string(hide_password=False)
    finally:
        with _admin_connection() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def sqlite_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'xiezuo.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file in ``tmp_path``, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    with postgres_database() as url:
        yield url


def register_markers(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgres: runs against a real PostgreSQL server")
