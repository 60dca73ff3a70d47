"""Services over the server's database run on SQLite and on PostgreSQL (:mod:`tests.databases`)."""

from pathlib import Path

import pytest

from tests.databases import db_url, register_markers
from xiezuo.services import networks
from xiezuo.storage.database import make_engine, session_factory, upgrade

__all__ = ["db_url"]

EXAMPLES = Path(__file__).parents[2] / "examples"


def pytest_configure(config: pytest.Config) -> None:
    register_markers(config)


@pytest.fixture
def sessions(db_url):
    upgrade(db_url)
    engine = make_engine(db_url)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def minimal(sessions):
    """The network ``minimal`` (examples/minimal.yaml): FORGE forges blanks, WORKS makes pumps."""
    with sessions() as session:
        networks.import_scenario(session, "minimal", EXAMPLES / "minimal.yaml", user="setup")
        session.commit()
    return "minimal"


@pytest.fixture
def chongqing(sessions):
    """The network ``chongqing`` (examples/chongqing-1958.yaml): nine plants, materials."""
    with sessions() as session:
        networks.import_scenario(
            session, "chongqing", EXAMPLES / "chongqing-1958.yaml", user="setup"
        )
        session.commit()
    return "chongqing"
