"""Solve jobs: run in the background one per network, report progress, cancel with the best
plan so far, and leave the current plan alone when they fail."""

import time
from collections.abc import Collection
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from xiezuo.domain import Plan, PlanStatus
from xiezuo.errors import ConflictError, InputError
from xiezuo.planning.validation.audit import Violation
from xiezuo.services import jobs, networks, plan_versions, progress_reports
from xiezuo.services.jobs import JobRequest, JobRunner
from xiezuo.storage.models import JobRow, NetworkRow, PlanRow

FINISHED = {"done", "failed", "cancelled"}


@pytest.fixture
def runner(sessions):
    runner = JobRunner(sessions, write_every_s=0.2)
    runner.start()
    yield runner
    runner.stop()


def submit(
    sessions: sessionmaker[Session], runner: JobRunner, network: str = "minimal", **request: Any
) -> int:
    with sessions() as session:
        row = networks.get_network(session, network)
        return runner.submit(
            session, row, JobRequest(**{"time_limit_s": 3, **request}), "planner"
        ).id


def job(sessions: sessionmaker[Session], job_id: int) -> JobRow:
    with sessions() as session:
        row = session.get(JobRow, job_id)
        assert row is not None
        return row


def wait(
    sessions: sessionmaker[Session],
    job_id: int,
    until: Collection[str] = FINISHED,
    timeout_s: float = 60.0,
) -> JobRow:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        row = job(sessions, job_id)
        if row.status in until:
            return row
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} is still {row.status} after {timeout_s} s")


def network(sessions: sessionmaker[Session], key: str = "minimal") -> NetworkRow:
    with sessions() as session:
        return networks.get_network(session, key)


def test_a_plan_job_runs_in_the_background_and_its_plan_becomes_current(sessions, minimal, runner):
    job_id = submit(sessions, runner, kind="plan", reason="first plan of the week")
    done = wait(sessions, job_id)
    assert (done.status, done.error) == ("done", "")
    assert done.progress["phase"] in {"tardiness", "makespan"}
    assert network(sessions).current_plan == 1
    with sessions() as session:
        version = session.get(PlanRow, done.plan_id)
    assert (version.number, version.kind, version.reason) == (1, "plan", "first plan of the week")
    assert version.inputs["params"]["time_limit_s"] == 3
    assert version.violations == []


def test_jobs_of_one_network_run_one_after_the_other(sessions, minimal, runner):
    first = submit(sessions, runner, kind="plan")
    second = submit(sessions, runner, kind="plan")
    a, b = wait(sessions, first), wait(sessions, second)
    assert a.status == b.status == "done"
    assert a.finished_at is not None
    assert b.started_at is not None
    assert b.started_at >= a.finished_at
    assert network(sessions).current_plan == 2


def test_a_running_job_shows_live_progress_and_cancel_keeps_its_best_plan(
    sessions, chongqing, runner
):
    job_id = submit(sessions, runner, network=chongqing, kind="plan", time_limit_s=120)
    deadline = time.monotonic() + 60
    while job(sessions, job_id).progress.get("objective") is None:
        assert time.monotonic() < deadline, "no objective reported within a minute"
        time.sleep(0.1)
    live = job(sessions, job_id)
    assert live.status == "running"
    assert {"phase", "search", "elapsed_s", "objective", "bound", "gap"} <= set(live.progress)
    with sessions() as session:
        row = networks.get_network(session, chongqing)
        cancelled = runner.cancel(session, row, job_id, "planner", wait_s=30)
    assert cancelled.status == "cancelled"
    assert cancelled.plan_id is not None
    assert network(sessions, chongqing).current_plan == 1
    assert (cancelled.finished_at - cancelled.started_at).total_seconds() < 60


def test_a_queued_job_cancelled_never_runs(sessions, chongqing, runner):
    running = submit(sessions, runner, network=chongqing, kind="plan", time_limit_s=120)
    queued = submit(sessions, runner, network=chongqing, kind="plan")
    with sessions() as session:
        row = networks.get_network(session, chongqing)
        cancelled = runner.cancel(session, row, queued, "planner", wait_s=0)
        runner.cancel(session, row, running, "planner", wait_s=30)
    assert cancelled.status == "cancelled"
    assert "cancelled before it started" in cancelled.error
    assert job(sessions, queued).started_at is None


def test_cancelling_a_finished_job_is_a_conflict(sessions, minimal, runner):
    job_id = submit(sessions, runner, kind="plan")
    wait(sessions, job_id)
    with sessions() as session, pytest.raises(ConflictError, match="finished already"):
        runner.cancel(session, networks.get_network(session, "minimal"), job_id, "planner", 0)


def test_a_failed_solve_leaves_the_current_plan_and_says_so(sessions, minimal, runner, monkeypatch):
    wait(sessions, submit(sessions, runner, kind="plan"))

    def broken(*_args, **_kwargs):
        raise RuntimeError("solver crashed")

    monkeypatch.setattr(jobs, "plan_network", broken)
    failed = wait(sessions, submit(sessions, runner, kind="plan"))
    assert failed.status == "failed"
    assert "RuntimeError: solver crashed" in failed.error
    assert "plan 1 stays current" in failed.error
    assert network(sessions).current_plan == 1


def test_a_solve_out_of_time_without_a_plan_leaves_the_current_plan_and_says_so(
    sessions, minimal, runner, monkeypatch
):
    wait(sessions, submit(sessions, runner, kind="plan"))
    monkeypatch.setattr(
        jobs,
        "plan_network",
        lambda *_args, **_kwargs: Plan(status=PlanStatus.NO_SOLUTION, schedule=None, runtime_s=3),
    )
    timed_out = wait(sessions, submit(sessions, runner, kind="plan"))
    assert timed_out.status == "failed"
    assert timed_out.error == "no plan was found (no solution in time) in 3 s; plan 1 stays current"
    assert timed_out.plan_id is None
    assert network(sessions).current_plan == 1


def test_a_plan_the_validator_rejects_is_kept_but_not_current(
    sessions, minimal, runner, monkeypatch
):
    wait(sessions, submit(sessions, runner, kind="plan"))
    monkeypatch.setattr(
        jobs,
        "audit_plan",
        lambda *_args, **_kwargs: (
            Violation(rule="capacity", subject="hammer", message="two blanks at once"),
        ),
    )
    rejected = wait(sessions, submit(sessions, runner, kind="plan"))
    assert rejected.status == "failed"
    assert "plan 2 breaks 1 rule(s)" in rejected.error
    assert "plan 1 stays current" in rejected.error
    assert network(sessions).current_plan == 1
    with sessions() as session:
        assert session.get(PlanRow, rejected.plan_id).violations[0]["rule"] == "capacity"


def test_a_job_left_running_by_a_killed_server_is_failed_at_the_next_start(sessions, minimal):
    with sessions() as session:
        row = networks.get_network(session, "minimal")
        orphan = JobRow(
            network_id=row.id,
            kind="plan",
            status="running",
            requested_by="planner",
            params=JobRequest(kind="plan").record(),
            progress={"phase": "tardiness"},
        )
        session.add(orphan)
        session.commit()
    restarted = JobRunner(sessions)
    restarted.start()
    restarted.stop()
    failed = job(sessions, orphan.id)
    assert failed.status == "failed"
    assert "the server stopped while the job ran" in failed.error
    assert "the network still has no plan" in failed.error


def test_a_job_queued_before_a_restart_runs_after_it(sessions, minimal):
    stopped = JobRunner(sessions)
    job_id = submit(sessions, stopped, kind="plan")
    restarted = JobRunner(sessions)
    restarted.start()
    try:
        assert wait(sessions, job_id).status == "done"
    finally:
        restarted.stop()


def test_a_replan_starts_from_the_reported_progress_and_the_current_plan(sessions, minimal, runner):
    wait(sessions, submit(sessions, runner, kind="plan"))
    started = {
        "work_order": "N-1:PUMP/SHAFT/BLANK",
        "step": 1,
        "plant": "FORGE",
        "machine": "hammer",
        "unit": 0,
        "start": "2027-03-01T08:00",
    }
    with sessions() as session:
        progress_reports.apply_report(
            session,
            networks.get_network(session, "minimal"),
            key="k1",
            kind="step_started",
            record=started,
            as_of=None,
            reason="",
            user_name="forge",
            authorize=lambda _plant: None,
        )
    replanned = wait(sessions, submit(sessions, runner, kind="replan", frozen_days=1))
    assert (replanned.status, replanned.error) == ("done", "")
    with sessions() as session:
        row = networks.get_network(session, "minimal")
        version = plan_versions.current_plan(session, row)
        assert version is not None
        plan = plan_versions.plan_of(version, plan_versions.network_of(row))
    assert version.number == 2
    assert version.inputs["previous_plan"] == 1
    assert version.inputs["progress"]["steps"] == [{**started, "status": "started"}]
    assert version.inputs["params"]["frozen_days"] == 1
    assert plan.as_of == datetime.fromisoformat("2027-03-01T08:00+01:00")
    assert plan.schedule is not None
    (blank,) = [op for op in plan.schedule.operations if op.work_order_id == started["work_order"]]
    assert blank.start == plan.as_of


def test_a_replan_without_a_plan_is_refused(sessions, minimal, runner):
    with pytest.raises(ConflictError, match="no current plan to replan"):
        submit(sessions, runner, kind="replan")


def test_a_replan_with_nothing_reported_needs_a_status_date(sessions, minimal, runner):
    wait(sessions, submit(sessions, runner, kind="plan"))
    with pytest.raises(ConflictError, match="nothing has been reported"):
        submit(sessions, runner, kind="replan")
    as_of = datetime.fromisoformat("2027-03-02T00:00+01:00")
    replanned = wait(sessions, submit(sessions, runner, kind="replan", as_of=as_of))
    assert replanned.status == "done"


@pytest.mark.parametrize(
    ("request_fields", "field"),
    [
        ({"kind": "plan", "frozen_days": 2}, "frozen_days"),
        ({"kind": "plan", "stability": 1.0}, "stability"),
        ({"kind": "fix", "time_limit_s": 1}, "kind"),
        ({"kind": "plan", "time_limit_s": 0}, "time_limit_s"),
        ({"kind": "plan", "time_limit_s": 7200}, "time_limit_s"),
        ({"kind": "replan", "frozen_days": 400}, "frozen_days"),
    ],
)
def test_an_unsound_request_names_its_field(request_fields, field):
    with pytest.raises(InputError) as caught:
        JobRequest(**request_fields).check()
    assert caught.value.location == field


def test_stopping_the_server_fails_its_running_job_and_keeps_the_plan(sessions, chongqing):
    runner = JobRunner(sessions)
    runner.start()
    job_id = submit(sessions, runner, network=chongqing, kind="plan", time_limit_s=120)
    wait(sessions, job_id, until={"running"})
    runner.stop()
    stopped = job(sessions, job_id)
    assert stopped.status == "failed"
    assert "the server shut down during the solve" in stopped.error
    with sessions() as session:
        assert session.scalar(select(PlanRow.id)) is None
