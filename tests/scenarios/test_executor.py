"""solve_many: in this process, over local processes and on a Dask LocalCluster alike."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from distributed import LocalCluster
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.strategies import networks
from xiezuo.domain import Network, Plan, PlanStatus, Progress
from xiezuo.domain.progress import MachineDown
from xiezuo.errors import InputError
from xiezuo.planning.params import PlanParams, ProgressEvent
from xiezuo.planning.solve import plan
from xiezuo.planning.validation.audit import audit_plan
from xiezuo.scenarios.executor import (
    ExecutorSpec,
    JobFailure,
    Outcome,
    SolveJob,
    solve_many,
    version_problem,
)
from xiezuo.services.planning import load_network

if TYPE_CHECKING:
    from collections.abc import Iterator

EXAMPLES = Path(__file__).parents[2] / "examples"
MINIMAL = load_network(EXAMPLES / "minimal.yaml")
QUICK = PlanParams(time_limit_s=10, workers=1, seed=0)


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """Two single-threaded worker processes, as `dask worker --nthreads 1` would give."""
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as local:
        yield local.scheduler_address


@pytest.fixture(params=["here", "pool", "cluster"])
def executor(request: pytest.FixtureRequest) -> ExecutorSpec:
    if request.param == "here":
        return ExecutorSpec(jobs=1)
    if request.param == "pool":
        return ExecutorSpec(jobs=2)
    return ExecutorSpec(cluster=request.getfixturevalue("cluster"))


def due_in(days: int) -> Network:
    """The minimal example with its one order due ``days`` after the start."""
    (order,) = MINIMAL.orders
    return replace(MINIMAL, orders=(replace(order, due=MINIMAL.start + timedelta(days=days)),))


def plans(outcomes: list[Outcome]) -> list[Plan]:
    assert all(isinstance(o, Plan) for o in outcomes), outcomes
    return [o for o in outcomes if isinstance(o, Plan)]


def test_outcomes_come_back_in_the_jobs_order_with_news(executor: ExecutorSpec) -> None:
    """Earlier due dates make later plans; each plan sits at its job's place."""
    jobs = [SolveJob(network=due_in(days), params=QUICK) for days in (20, 4, 10, 6)]
    news: list[tuple[int, ProgressEvent]] = []
    done: list[int] = []
    outcomes = solve_many(
        jobs,
        executor=executor,
        on_progress=lambda idx, event: news.append((idx, event)),
        on_done=lambda idx, _: done.append(idx),
    )
    tardiness = [p.tardiness_hours for p in plans(outcomes)]
    serial = [plan(job.network, job.params).tardiness_hours for job in jobs]
    assert tardiness == serial
    on_time, tightest, middle, tight = (t or 0.0 for t in tardiness)
    assert on_time == 0.0
    assert tightest > tight > middle
    assert sorted(done) == [0, 1, 2, 3]
    assert {idx for idx, _ in news} <= {0, 1, 2, 3}
    assert news, "solver news reaches the caller"
    assert all(isinstance(event, ProgressEvent) for _, event in news)


def test_a_job_that_raises_is_that_jobs_failure_only(executor: ExecutorSpec) -> None:
    as_of = MINIMAL.start + timedelta(days=1)
    elsewhere = Progress(
        as_of=as_of,
        down=(MachineDown(plant_id="NOWHERE", machine_id="press", start=as_of),),
    )
    jobs = [
        SolveJob(network=MINIMAL, params=QUICK),
        SolveJob(network=MINIMAL, params=QUICK, progress=elsewhere),
        SolveJob(network=MINIMAL, params=QUICK),
    ]
    first, failed, last = solve_many(jobs, executor=executor)
    assert isinstance(first, Plan)
    assert isinstance(last, Plan)
    assert isinstance(failed, JobFailure)
    assert "NOWHERE" in str(failed)
    assert not failed.is_cancelled


def test_a_sweep_stopped_before_it_starts_cancels_every_job(executor: ExecutorSpec) -> None:
    jobs = [SolveJob(network=MINIMAL, params=QUICK)] * 3
    outcomes = solve_many(jobs, executor=executor, stop=lambda: True)
    assert all(isinstance(o, JobFailure) and o.is_cancelled for o in outcomes)


@pytest.mark.slow
@pytest.mark.parametrize("executor", [ExecutorSpec(jobs=1), ExecutorSpec(jobs=2)])
def test_stop_ends_running_solves_with_their_plan_and_cancels_the_rest(
    executor: ExecutorSpec,
) -> None:
    """Stopped once every process has news: running solves return their plan so far,
    long before their time limit; the job no process had started is cancelled."""
    network = load_network(EXAMPLES / "chongqing-1958.yaml")
    long = PlanParams(time_limit_s=600, workers=1, seed=0)
    jobs = [SolveJob(network=network, params=long)] * (executor.jobs + 1)
    started: set[int] = set()
    outcomes = solve_many(
        jobs,
        executor=executor,
        on_progress=lambda idx, _: started.add(idx),
        stop=lambda: len(started) >= executor.jobs,
    )
    *ran, waiting = outcomes
    for outcome in ran:
        assert isinstance(outcome, Plan)
        assert outcome.schedule is not None
        assert outcome.runtime_s < long.time_limit_s / 4
    assert isinstance(waiting, JobFailure)
    assert waiting.is_cancelled


def answer(outcome: Outcome) -> tuple[object, ...]:
    """What a solve proves: status, weighted tardiness, makespan and the orders it
    leaves unplanned (not which of several equally good schedules it picks)."""
    assert isinstance(outcome, Plan), outcome
    return (outcome.status, outcome.tardiness_hours, outcome.makespan, outcome.unplanned)


def test_the_cluster_and_the_pool_give_the_serial_answers(cluster: str) -> None:
    """Same seeds: every proven plan has the serial plan's values, wherever it ran."""
    jobs = [
        SolveJob(network=due_in(days), params=replace(QUICK, seed=seed))
        for days in (3, 5, 8)
        for seed in (0, 7)
    ]
    serial = solve_many(jobs, executor=ExecutorSpec(jobs=1))
    assert all(p.status is PlanStatus.OPTIMAL for p in plans(serial))
    expected = [answer(o) for o in serial]
    assert [answer(o) for o in solve_many(jobs, executor=ExecutorSpec(cluster=cluster))] == (
        expected
    )
    assert [answer(o) for o in solve_many(jobs, executor=ExecutorSpec(jobs=2))] == expected


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(network=networks(), seed=st.integers(0, 1_000))
def test_random_networks_plan_alike_on_the_cluster(
    cluster: str, network: Network, seed: int
) -> None:
    """Proven on both sides: the same values; either way, a valid plan."""
    job = SolveJob(network=network, params=replace(QUICK, seed=seed))
    (serial,) = solve_many([job], executor=ExecutorSpec())
    (remote,) = solve_many([job], executor=ExecutorSpec(cluster=cluster))
    assert isinstance(serial, Plan)
    assert isinstance(remote, Plan)
    if serial.status is PlanStatus.OPTIMAL and remote.status is PlanStatus.OPTIMAL:
        assert answer(remote) == answer(serial)
    assert not audit_plan(network, remote)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_an_unreachable_cluster_is_bad_input_within_the_timeout() -> None:
    address = f"tcp://127.0.0.1:{free_port()}"
    began = time.monotonic()
    with pytest.raises(InputError, match=rf"Dask cluster {address}: cannot reach its scheduler"):
        solve_many(
            [SolveJob(network=MINIMAL, params=QUICK)],
            executor=ExecutorSpec(cluster=address, timeout_s=1),
        )
    assert time.monotonic() - began < 10


def test_a_malformed_address_is_bad_input() -> None:
    with pytest.raises(InputError, match="Dask cluster no-such-host: cannot reach"):
        solve_many(
            [SolveJob(network=MINIMAL, params=QUICK)],
            executor=ExecutorSpec(cluster="no-such-host", timeout_s=1),
        )


@pytest.fixture
def web_server() -> Iterator[str]:
    """A server that answers every connection as a web server would, then hangs up."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def answer() -> None:
        with contextlib.suppress(OSError):
            while True:
                peer, _ = listener.accept()
                with peer:
                    peer.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    threading.Thread(target=answer, daemon=True).start()
    yield f"tcp://127.0.0.1:{port}"
    listener.close()


def test_another_service_at_the_address_is_bad_input(web_server: str) -> None:
    with pytest.raises(InputError, match=rf"Dask cluster {web_server}: .*not a Dask scheduler"):
        solve_many(
            [SolveJob(network=MINIMAL, params=QUICK)],
            executor=ExecutorSpec(cluster=web_server, timeout_s=1),
        )


def test_a_worker_address_is_not_a_scheduler() -> None:
    with LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=":0") as local:
        (worker,) = local.scheduler_info["workers"]
        with pytest.raises(InputError, match="not a Dask scheduler but Worker"):
            solve_many(
                [SolveJob(network=MINIMAL, params=QUICK)],
                executor=ExecutorSpec(cluster=worker, timeout_s=2),
            )


def test_a_cluster_without_workers_is_bad_input() -> None:
    with (
        LocalCluster(n_workers=0, dashboard_address=":0") as empty,
        pytest.raises(InputError, match="has no worker after 1 s; start some with"),
    ):
        solve_many(
            [SolveJob(network=MINIMAL, params=QUICK)],
            executor=ExecutorSpec(cluster=empty.scheduler_address, timeout_s=1),
        )


@pytest.mark.parametrize("kind", ["pool", "cluster"])
def test_ctrl_c_stops_the_running_solves(kind: str, request: pytest.FixtureRequest) -> None:
    """A KeyboardInterrupt in the caller's thread (here, from the news callback) tells
    the running solves to stop and passes on, without waiting out their time limit."""
    executor = (
        ExecutorSpec(jobs=2)
        if kind == "pool"
        else ExecutorSpec(cluster=request.getfixturevalue("cluster"))
    )
    network = load_network(EXAMPLES / "chongqing-1958.yaml")
    long = PlanParams(time_limit_s=600, workers=1, seed=0)

    def interrupt(_idx: int, _event: ProgressEvent) -> None:
        raise KeyboardInterrupt

    began = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        solve_many(
            [SolveJob(network=network, params=long)] * 3, executor=executor, on_progress=interrupt
        )
    assert time.monotonic() - began < long.time_limit_s / 4
    if kind == "cluster":
        # Both workers are free again: their solves saw the stop and ended.
        began = time.monotonic()
        quick = solve_many([SolveJob(network=MINIMAL, params=QUICK)] * 2, executor=executor)
        assert len(plans(quick)) == 2
        assert time.monotonic() - began < long.time_limit_s / 4


def test_an_executor_needs_one_job_at_least() -> None:
    with pytest.raises(InputError, match="at least one solve must run, not 0"):
        ExecutorSpec(jobs=0)


def test_a_job_failure_says_what_and_where() -> None:
    try:
        raise KeyError("x")
    except KeyError as exc:
        failure = JobFailure.from_exception(exc)
    assert str(failure) == "KeyError: 'x'"
    assert "test_executor.py" in failure.details
    assert not failure.is_bad_input
    assert JobFailure(error="InputError", message="a.yaml: bad").is_bad_input


def test_workers_with_another_xiezuo_or_none_are_named() -> None:
    missing = ModuleNotFoundError("No package metadata was found for xiezuo")
    problem = version_problem(
        "0.2.0",
        {"tcp://b:1": "0.1.0", "tcp://a:1": "0.2.0", "tcp://c:1": missing},
    )
    assert problem == (
        "every worker needs xiezuo 0.2.0, as here, but tcp://b:1 has xiezuo 0.1.0; "
        "tcp://c:1 has no xiezuo"
    )
    assert version_problem("0.2.0", {"tcp://a:1": "0.2.0"}) is None
