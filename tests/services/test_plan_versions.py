"""Plan versions: numbered per network, stored with their inputs, current only when sound."""

from dataclasses import replace

import pytest
from sqlalchemy.orm import Session, sessionmaker

from xiezuo.domain import Plan
from xiezuo.errors import NotFoundError
from xiezuo.planning.params import PlanParams
from xiezuo.planning.solve import plan as plan_network
from xiezuo.planning.validation.audit import Violation
from xiezuo.services import networks, plan_versions
from xiezuo.services.plan_versions import PlanInputs


@pytest.fixture
def fresh_plan(sessions, minimal):
    with sessions() as session:
        network = plan_versions.network_of(networks.get_network(session, minimal))
    return plan_network(network, PlanParams(time_limit_s=2))


def store(
    sessions: sessionmaker[Session],
    plan: Plan,
    violations: tuple[Violation, ...] = (),
    reason: str = "weekly plan",
) -> int:
    with sessions() as session:
        row = networks.get_network(session, "minimal")
        inputs = PlanInputs(
            scenario=row.spec,
            network_version=row.version,
            progress=None,
            previous_plan=row.current_plan,
            params={"time_limit_s": 2},
        )
        version = plan_versions.store_plan(
            session,
            row,
            plan,
            kind="plan",
            requested_by="planner",
            reason=reason,
            inputs=inputs,
            violations=violations,
        )
        session.commit()
        return version.number


def current(sessions: sessionmaker[Session]) -> int | None:
    with sessions() as session:
        return networks.get_network(session, "minimal").current_plan


def test_versions_are_numbered_and_the_sound_one_becomes_current(sessions, fresh_plan):
    assert store(sessions, fresh_plan) == 1
    assert store(sessions, fresh_plan) == 2
    assert current(sessions) == 2


def test_a_version_keeps_its_inputs_figures_and_reason(sessions, fresh_plan):
    store(sessions, fresh_plan, reason="due pulled in to July after the plants' meeting")
    with sessions() as session:
        row = networks.get_network(session, "minimal")
        version = plan_versions.plan_version(session, row, 1)
        assert version.inputs == {
            "scenario": row.spec,
            "network_version": 1,
            "progress": None,
            "previous_plan": None,
            "params": {"time_limit_s": 2},
        }
        assert version.reason == "due pulled in to July after the plants' meeting"
        assert version.tardiness_hours == fresh_plan.tardiness_hours
        assert version.status == fresh_plan.status.value
        assert plan_versions.plan_of(version, plan_versions.network_of(row)) == fresh_plan


def test_a_plan_with_violations_is_kept_but_the_current_plan_stays(sessions, fresh_plan):
    store(sessions, fresh_plan)
    broken = (Violation(rule="capacity", subject="hammer", message="two blanks at once"),)
    assert store(sessions, fresh_plan, violations=broken) == 2
    assert current(sessions) == 1


def test_a_plan_without_a_schedule_never_becomes_current(sessions, fresh_plan):
    store(sessions, fresh_plan)
    store(sessions, replace(fresh_plan, schedule=None))
    assert current(sessions) == 1


def test_an_unknown_version_is_not_found(sessions, minimal):
    with sessions() as session:
        row = networks.get_network(session, "minimal")
        assert plan_versions.current_plan(session, row) is None
        with pytest.raises(NotFoundError, match="no plan 7"):
            plan_versions.plan_version(session, row, 7)


def test_versions_are_listed_newest_first_a_page_at_a_time(sessions, fresh_plan):
    for _ in range(3):
        store(sessions, fresh_plan)
    with sessions() as session:
        row = networks.get_network(session, "minimal")
        page, total = plan_versions.list_versions(session, row, limit=2, offset=1)
    assert ([version.number for version in page], total) == ([2, 1], 3)


def test_two_versions_diff_as_the_diff_command_writes_it(sessions, fresh_plan):
    store(sessions, fresh_plan)
    store(sessions, fresh_plan)
    with sessions() as session:
        record = plan_versions.diff_versions(
            session, networks.get_network(session, "minimal"), 1, 2
        )
    assert record["format"] == "xiezuo-plan-diff"
    assert record["headline"]["moved_operations"] == 0
