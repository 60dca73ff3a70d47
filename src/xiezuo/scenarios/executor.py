"""One executor for many solves: in this process, over local processes, or on Dask.

A question such as "what if each of these sixteen things happened" is many independent
solves. :func:`solve_many` runs them in one of three places, chosen by an
:class:`ExecutorSpec`:

- ``jobs=1``: one after the other in this process (no start-up cost, easy to debug);
- ``jobs=N``: a pool of ``N`` local processes (spawned, so a progress display's
  threads are not inherited half-locked);
- ``cluster="tcp://host:8786"``: a Dask distributed cluster, when one machine is not
  enough (docs/cluster.md).

Each job is pickled and sent where it runs: the network, the parameters and, for a
replan, the progress and previous plan, all frozen dataclasses that refer to each other
by ID. A :class:`~xiezuo.domain.Plan` comes back. This is the only module that imports
Dask; nothing below ``scenarios/`` does.

Same seeds, same answers
    Where a solve runs changes only how fast it runs, so what a solve *proves* does not
    depend on it: a plan proven optimal (:attr:`PlanStatus.OPTIMAL`) has the same
    weighted tardiness and makespan here, in a pool or on a cluster, and the same
    orders left unplanned. Which of several equally good schedules it returns can
    differ: the first plan and every search turn have time budgets, so a busy machine
    hints the solver differently. A plan cut off by its time limit is only guaranteed
    valid; two serial runs differ in the same way.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import multiprocessing
import multiprocessing.queues
import multiprocessing.synchronize
import queue
import signal
import threading
import time
import traceback
import uuid
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

from xiezuo.domain import Plan
from xiezuo.errors import InputError, ModelError
from xiezuo.planning.params import PlanParams, ProgressEvent
from xiezuo.planning.solve import plan as plan_network

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    import distributed

    from xiezuo.domain import Network, Progress

POLL_S = 0.2
"""How often the caller's thread passes on news and looks for finished or stopped jobs."""

WORKERLESS_S = 30.0
"""How long a cluster may be without any worker mid-sweep (a worker restarting on a busy
machine takes seconds) before the jobs left fail rather than wait for ever."""

CANCELLED = "Cancelled"
"""The :attr:`JobFailure.error` of a job stopped before it started."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SolveJob:
    """One solve: what :func:`xiezuo.planning.solve.plan` takes, as one picklable value."""

    network: Network
    params: PlanParams
    progress: Progress | None = None
    previous: Plan | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class JobFailure:
    """A job that ended without a plan, its exception kept as text.

    Exceptions travel as text because xiezuo's errors take their own constructor
    arguments and do not survive pickling, and because a worker may have classes the
    caller lacks.
    """

    error: str
    """The exception's class name; :data:`CANCELLED` for a job stopped before it started."""
    message: str
    details: str = ""
    """Where it happened: the traceback on the machine that ran the job, if any."""

    @property
    def is_bad_input(self) -> bool:
        """The job's input broke a rule (an :class:`InputError` or :class:`ModelError`)."""
        return self.error in {InputError.__name__, ModelError.__name__}

    @property
    def is_cancelled(self) -> bool:
        return self.error == CANCELLED

    @classmethod
    def from_exception(cls, exc: BaseException) -> JobFailure:
        return cls(
            error=type(exc).__name__,
            message=str(exc),
            details="".join(traceback.format_exception(exc)),
        )

    def __str__(self) -> str:
        return f"{self.error}: {self.message}" if self.message else self.error


Outcome = Plan | JobFailure


@dataclass(frozen=True, slots=True, kw_only=True)
class ExecutorSpec:
    """Where the solves run.

    ``cluster`` (a Dask scheduler's address) wins over ``jobs``; there the cluster's
    worker threads decide how many solves run at once. ``timeout_s`` bounds how long a
    cluster may take to answer, and to show at least one worker, before the sweep fails
    with a clear error rather than waiting for ever.
    """

    jobs: int = 1
    cluster: str | None = None
    timeout_s: float = 5.0

    def __post_init__(self) -> None:
        if self.jobs < 1:
            raise InputError("executor", "jobs", f"at least one solve must run, not {self.jobs}")
        if self.cluster is not None and not self.cluster.strip():
            raise InputError("executor", "cluster", "the Dask scheduler's address is empty")
        if self.timeout_s <= 0:
            raise InputError("executor", "timeout_s", f"must be positive, not {self.timeout_s}")

    @property
    def where(self) -> str:
        """In the planners' words, for a report: where the solves ran."""
        if self.cluster is not None:
            return f"Dask cluster {self.cluster}"
        if self.jobs == 1:
            return "this process"
        return f"{self.jobs} local processes"


class ProgressNews(Protocol):
    def __call__(self, index: int, event: ProgressEvent, /) -> None: ...


class DoneNews(Protocol):
    def __call__(self, index: int, outcome: Outcome, /) -> None: ...


def solve_many(
    jobs: Sequence[SolveJob],
    *,
    executor: ExecutorSpec,
    on_progress: ProgressNews | None = None,
    on_done: DoneNews | None = None,
    stop: Callable[[], bool] | None = None,
) -> list[Outcome]:
    """Solve every job where ``executor`` says; the outcomes in the jobs' order.

    Parameters
    ----------
    jobs:
        The solves, independent of each other.
    executor:
        In this process, over local processes, or on a Dask cluster.
    on_progress:
        Told, in the caller's thread, of each job's solver news with the job's index.
    on_done:
        Told, in the caller's thread, of each job's outcome as soon as it is known.
    stop:
        Asked several times a second; once it returns ``True``, jobs not yet started
        come back cancelled and running ones return their best plan so far.

    Returns
    -------
    list[Plan | JobFailure]
        One outcome per job, in the jobs' order: its plan, or its failure when it
        raised, was cancelled or its worker was lost. One job's failure never ends the
        others.

    Raises
    ------
    InputError
        The cluster cannot be reached within ``executor.timeout_s``, has no worker, or
        its workers run other versions of xiezuo, Dask or Python than this process.
    KeyboardInterrupt
        After telling every running job to stop and cancelling the others.
    """
    sweep = _Sweep(len(jobs), on_progress, on_done, stop or _never)
    if not jobs:
        return []
    if executor.cluster is not None:
        _solve_on_cluster(jobs, executor, sweep)
    elif executor.jobs == 1 or len(jobs) == 1:
        _solve_here(jobs, sweep)
    else:
        _solve_in_pool(jobs, min(executor.jobs, len(jobs)), sweep)
    return sweep.outcomes()


def _never() -> bool:
    return False


class _Sweep:
    """The caller's side of a sweep: outcomes by index and the callbacks."""

    def __init__(
        self,
        count: int,
        on_progress: ProgressNews | None,
        on_done: DoneNews | None,
        stop: Callable[[], bool],
    ) -> None:
        self._outcome_by_idx: dict[int, Outcome] = {}
        self._count = count
        self._on_progress = on_progress
        self._on_done = on_done
        self.should_stop = stop

    def progress(self, idx: int, event: ProgressEvent) -> None:
        if self._on_progress is not None and idx not in self._outcome_by_idx:
            self._on_progress(idx, event)

    def done(self, idx: int, outcome: Outcome) -> None:
        if idx in self._outcome_by_idx:
            return
        self._outcome_by_idx[idx] = outcome
        if self._on_done is not None:
            self._on_done(idx, outcome)

    def outcomes(self) -> list[Outcome]:
        return [self._outcome_by_idx[idx] for idx in range(self._count)]


def _solve(
    job: SolveJob, report: Callable[[ProgressEvent], None], stop: Callable[[], bool]
) -> Outcome:
    """One job wherever it runs; its exception becomes its failure, so the sweep goes on."""
    if stop():
        return _cancelled()
    try:
        return plan_network(
            job.network,
            job.params,
            progress=job.progress,
            previous=job.previous,
            on_progress=report,
            stop=stop,
        )
    except Exception as exc:  # any error is this job's outcome; the sweep's caller judges it
        return JobFailure.from_exception(exc)


# ---- in this process ---------------------------------------------------------------


def _solve_here(jobs: Sequence[SolveJob], sweep: _Sweep) -> None:
    for idx, job in enumerate(jobs):
        outcome = _solve(job, partial(sweep.progress, idx), sweep.should_stop)
        sweep.done(idx, outcome)


# ---- local processes ---------------------------------------------------------------

_News: TypeAlias = "multiprocessing.queues.Queue[tuple[int, ProgressEvent]]"
_channel: tuple[_News, multiprocessing.synchronize.Event] | None = None
"""In a pool process: the queue for news and the stop event, set once when it starts."""


def _open_channel(news: _News, stop: multiprocessing.synchronize.Event) -> None:
    """Start a pool process: keep the channel, and leave Ctrl-C to the parent, which
    stops the solves through the event so each returns its plan so far."""
    global _channel
    _channel = (news, stop)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _solve_in_child(idx: int, job: SolveJob) -> Outcome:
    assert _channel is not None, "the pool's initializer opens the channel"
    news, stop = _channel
    return _solve(job, lambda event: news.put((idx, event)), stop.is_set)


def _solve_in_pool(jobs: Sequence[SolveJob], processes: int, sweep: _Sweep) -> None:
    context = multiprocessing.get_context("spawn")
    news: _News = context.Queue()
    stop = context.Event()
    if sweep.should_stop():
        stop.set()
    pool = ProcessPoolExecutor(
        max_workers=processes,
        mp_context=context,
        initializer=_open_channel,
        initargs=(news, stop),
    )
    idx_by_future: dict[Future[Outcome], int] = {
        pool.submit(_solve_in_child, idx, job): idx for idx, job in enumerate(jobs)
    }
    try:
        pending = set(idx_by_future)
        while pending:
            finished, pending = wait(pending, timeout=POLL_S, return_when=FIRST_COMPLETED)
            _pass_on(news, sweep)
            for future in finished:
                sweep.done(idx_by_future[future], _pool_outcome(future))
            if sweep.should_stop() and not stop.is_set():
                stop.set()
                for future in pending:
                    if future.cancel():
                        sweep.done(idx_by_future[future], _cancelled())
        _pass_on(news, sweep)
    except BaseException:
        stop.set()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        news.close()
        news.join_thread()


def _pool_outcome(future: Future[Outcome]) -> Outcome:
    if future.cancelled():
        return _cancelled()
    exc = future.exception()
    return future.result() if exc is None else JobFailure.from_exception(exc)


def _pass_on(news: _News, sweep: _Sweep) -> None:
    while True:
        try:
            idx, event = news.get_nowait()
        except queue.Empty:
            return
        sweep.progress(idx, event)


def _cancelled() -> JobFailure:
    return JobFailure(error=CANCELLED, message="stopped before it started")


# ---- a Dask cluster ----------------------------------------------------------------


def _solve_on_cluster(jobs: Sequence[SolveJob], executor: ExecutorSpec, sweep: _Sweep) -> None:
    # Imported here: Dask takes a second or two to import, which no other command and
    # no pool process should pay.
    import distributed

    assert executor.cluster is not None
    address = executor.cluster
    sweep_id = uuid.uuid4().hex
    topic, stop_name = f"xiezuo-news-{sweep_id}", f"xiezuo-stop-{sweep_id}"
    news: queue.SimpleQueue[tuple[float, dict[str, Any]]] = queue.SimpleQueue()
    with _connect(address, executor.timeout_s) as client:
        client.subscribe_topic(topic, news.put)
        stop = distributed.Event(stop_name, client=client)
        if sweep.should_stop():
            stop.set()
        idx_by_future = {
            client.submit(
                _solve_on_worker,
                idx,
                job,
                topic,
                stop_name,
                key=f"xiezuo-solve-{sweep_id}-{idx}",
                pure=False,
                priority=len(jobs) - idx,
            ): idx
            for idx, job in enumerate(jobs)
        }
        try:
            _follow(client, idx_by_future, news, stop, max(executor.timeout_s, WORKERLESS_S), sweep)
        except BaseException:
            stop.set()
            client.cancel(list(idx_by_future))
            raise
        finally:
            client.unsubscribe_topic(topic)


def _connect(address: str, timeout_s: float) -> distributed.Client:
    """A client of the scheduler at ``address`` with at least one worker of our versions."""
    import distributed

    source = f"Dask cluster {address}"
    _identify_scheduler(address, timeout_s, source)
    try:
        client = distributed.Client(address, timeout=timeout_s, set_as_default=False)
    except Exception as exc:  # the scheduler went away since it answered: say so, as below
        raise InputError(source, "", f"cannot reach its scheduler: {exc}") from exc
    try:
        try:
            client.wait_for_workers(1, timeout=timeout_s)
        except TimeoutError as exc:
            raise InputError(
                source,
                "",
                f"its scheduler has no worker after {timeout_s:g} s; start some with "
                f"`dask worker {address}` (docs/cluster.md)",
            ) from exc
        _check_versions(client, source)
    except BaseException:
        client.close()
        raise
    return client


def _identify_scheduler(address: str, timeout_s: float, source: str) -> None:
    """Ask whatever listens at ``address`` what it is, within ``timeout_s``, before a
    client is made: a client that fails half-way complains from its finaliser seconds
    later, and another service at the address (a web server, a proxy) can make it read
    nonsense (a frame length of exabytes) rather than fail."""
    from distributed.comm.core import connect

    async def identity() -> object:
        comm = await connect(address, timeout=timeout_s)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    start_one = (
        "Start one with `dask scheduler` and give its address as tcp://HOST:8786 (docs/cluster.md)"
    )
    try:
        # connect() keeps to timeout_s itself; the extra seconds bound the reply.
        answer = asyncio.run(asyncio.wait_for(identity(), timeout_s + 2))
    except (OSError, TimeoutError, ValueError) as exc:
        reason = str(exc) or f"no answer within {timeout_s:g} s"
        raise InputError(source, "", f"cannot reach its scheduler: {reason}. {start_one}") from exc
    except Exception as exc:  # anything else means the answer was not Dask's
        raise InputError(
            source,
            "",
            f"what answers there is not a Dask scheduler ({type(exc).__name__}: {exc}). "
            f"{start_one}",
        ) from exc
    kind = answer.get("type") if isinstance(answer, dict) else None
    if kind != "Scheduler":
        raise InputError(
            source,
            "",
            f"what answers there is not a Dask scheduler but {kind or 'something else'}. "
            f"{start_one}",
        )


def _check_versions(client: distributed.Client, source: str) -> None:
    """Refuse workers whose xiezuo, Dask or Python differ from ours: a job pickled here
    must mean the same there, and a plan must come back as the same class."""
    try:
        client.get_versions(check=True)
    except ValueError as exc:
        raise InputError(
            source, "", f"versions differ between here and the cluster: {exc}"
        ) from exc
    ours = importlib.metadata.version("xiezuo")
    theirs = client.run(importlib.metadata.version, "xiezuo", on_error="return")
    problem = version_problem(ours, theirs)
    if problem:
        raise InputError(source, "", problem)


def version_problem(ours: str, version_by_worker: dict[str, object]) -> str | None:
    """What is wrong with the workers' xiezuo versions (an exception: none installed),
    as a sentence, or ``None`` when every worker has ours."""
    wrong = sorted(
        f"{worker} has {f'xiezuo {version}' if isinstance(version, str) else 'no xiezuo'}"
        for worker, version in version_by_worker.items()
        if version != ours
    )
    if not wrong:
        return None
    return f"every worker needs xiezuo {ours}, as here, but {'; '.join(wrong)}"


def _follow(
    client: distributed.Client,
    idx_by_future: dict[distributed.Future[Outcome], int],
    news: queue.SimpleQueue[tuple[float, dict[str, Any]]],
    stop: distributed.Event,
    timeout_s: float,
    sweep: _Sweep,
) -> None:
    """Pass on news and outcomes until every job is done; fail what is left if the
    cluster has had no worker for longer than ``timeout_s``."""
    pending = dict(idx_by_future)
    stopping = False
    workers_seen = time.monotonic()
    next_look = workers_seen + 1.0
    while pending:
        time.sleep(POLL_S)
        _pass_on_cluster(news, sweep)
        for future in [f for f in pending if f.done()]:
            sweep.done(pending.pop(future), _cluster_outcome(future))
        if not stopping and sweep.should_stop():
            stopping = True
            stop.set()
        now = time.monotonic()
        if pending and now >= next_look:
            next_look = now + 1.0
            if client.nthreads():
                workers_seen = now
            elif now - workers_seen > timeout_s:
                lost = JobFailure(
                    error="NoWorkers",
                    message=f"the cluster has had no worker for {timeout_s:g} s",
                )
                for idx in pending.values():
                    sweep.done(idx, lost)
                client.cancel(list(pending))
                return
    _pass_on_cluster(news, sweep)


def _cluster_outcome(future: distributed.Future[Outcome]) -> Outcome:
    if future.cancelled():
        return _cancelled()
    if future.status == "error":
        return JobFailure.from_exception(future.exception())
    outcome = future.result()
    assert isinstance(outcome, Plan | JobFailure), type(outcome)
    return outcome


def _pass_on_cluster(news: queue.SimpleQueue[tuple[float, dict[str, Any]]], sweep: _Sweep) -> None:
    while True:
        try:
            _, message = news.get_nowait()
        except queue.Empty:
            return
        sweep.progress(
            message["index"],
            ProgressEvent(
                phase=message["phase"],
                search=message["search"],
                elapsed_s=message["elapsed_s"],
                objective=message["objective"],
                bound=message["bound"],
            ),
        )


def _solve_on_worker(idx: int, job: SolveJob, topic: str, stop_name: str) -> Outcome:
    """A job on a Dask worker: news goes out as the worker's events (plain values, as
    the scheduler's event log wants), and a thread watches the sweep's stop event."""
    import distributed

    worker = distributed.get_worker()
    remote_stop = distributed.Event(stop_name)
    stopped = threading.Event()
    finished = threading.Event()

    def watch() -> None:
        while not finished.wait(0.5):
            if remote_stop.is_set():
                stopped.set()
                return

    def report(event: ProgressEvent) -> None:
        worker.log_event(
            topic,
            {
                "index": idx,
                "phase": event.phase,
                "search": event.search,
                "elapsed_s": event.elapsed_s,
                "objective": event.objective,
                "bound": event.bound,
            },
        )

    if remote_stop.is_set():
        return _cancelled()
    watcher = threading.Thread(target=watch, name=f"xiezuo-stop-{idx}", daemon=True)
    watcher.start()
    try:
        return _solve(job, report, stopped.is_set)
    finally:
        finished.set()
