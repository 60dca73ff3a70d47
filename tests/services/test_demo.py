"""``serve --demo``: the example network, two users with fresh tokens, one plan job."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from xiezuo.services.accounts import user_by_token
from xiezuo.services.demo import prepare_demo
from xiezuo.services.jobs import JobRunner
from xiezuo.storage.database import make_engine, session_factory, upgrade
from xiezuo.storage.models import JobRow, NetworkRow

EXAMPLE = Path(__file__).parents[2] / "examples" / "chongqing-1958.yaml"


@pytest.fixture
def sessions(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    upgrade(url)
    engine = make_engine(url)
    yield session_factory(engine)
    engine.dispose()


def test_the_demo_loads_the_example_adds_two_users_and_queues_one_plan(sessions):
    runner = JobRunner(sessions)  # not started: the job stays queued
    with sessions() as session:
        demo = prepare_demo(session, EXAMPLE, runner)
    with sessions() as session:
        assert session.scalar(select(NetworkRow.key)) == "chongqing-1958"
        users = {
            name: user_by_token(session, token) for name, (_, token) in demo.token_by_user.items()
        }
        assert {name: (u.role, u.plant_id) for name, u in users.items() if u} == {
            "planner": ("planner", None),
            "wj": ("plant", "WJ"),
        }
        job = session.get(JobRow, demo.job_id)
        assert job is not None
        assert (job.kind, job.status) == ("plan", "queued")


def test_the_demo_again_only_renews_the_tokens(sessions):
    runner = JobRunner(sessions)
    with sessions() as session:
        first = prepare_demo(session, EXAMPLE, runner)
    with sessions() as session:
        second = prepare_demo(session, EXAMPLE, runner)
    assert second.job_id is None
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(JobRow)) == 1
        assert session.scalar(select(func.count()).select_from(NetworkRow)) == 1
        old_token = first.token_by_user["planner"][1]
        new_token = second.token_by_user["planner"][1]
        assert user_by_token(session, old_token) is None
        assert user_by_token(session, new_token) is not None
