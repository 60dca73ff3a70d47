"""Storage tests run on SQLite and on PostgreSQL (see :mod:`tests.databases`)."""

import pytest

from tests.databases import db_url, register_markers

__all__ = ["db_url"]


def pytest_configure(config: pytest.Config) -> None:
    register_markers(config)
