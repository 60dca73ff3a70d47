"""Solve jobs: plans and replans run in the server's background threads, one per network.

A request only queues a job (a :class:`~xiezuo.storage.models.JobRow`); worker threads
of a :class:`JobRunner` take queued jobs oldest first, never two of one network at a
time, because a replan starts from the plan before it. While a job solves, its latest
progress (objective, bound, elapsed time) is written to the job at most once a second
for anyone to poll. Cancelling a running job stops the search, and its best plan so far
becomes a plan version like any other.

A job that fails (the network or progress no longer reads, no plan in time, a plan the
validator rejects, a crash) leaves the network's current plan as it was and says so in
``error``; so does a job left ``running`` by a server that was killed, which the next
server start marks failed. Queued jobs survive a restart and run then.

One server process runs the jobs of a database: the busy networks are known in memory.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import func, select, update

from xiezuo.errors import ConflictError, InputError, NotFoundError, PlanningError, XiezuoError
from xiezuo.planning.params import PlanParams
from xiezuo.planning.solve import plan as plan_network
from xiezuo.planning.validation.audit import audit_plan
from xiezuo.services import audit
from xiezuo.services.plan_versions import (
    PlanInputs,
    current_domain_plan,
    current_plan,
    network_of,
    plan_of,
    store_plan,
)
from xiezuo.services.progress_reports import progress_document, read_progress
from xiezuo.storage.models import JobRow, NetworkRow, PlanRow, utc_now

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from xiezuo.domain import Network, Plan, Progress
    from xiezuo.planning.params import ProgressEvent
    from xiezuo.planning.validation.audit import Violation

QUEUED: Final = "queued"
RUNNING: Final = "running"
DONE: Final = "done"
FAILED: Final = "failed"
CANCELLED: Final = "cancelled"
FINISHED: Final = frozenset({DONE, FAILED, CANCELLED})
KINDS: Final = ("plan", "replan")
MAX_TIME_LIMIT_S: Final = 3600.0
"""Longest solve a job may ask for: an hour, so a typo cannot hold a network all day."""

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class JobRequest:
    """What a planner asks of a solve job.

    ``frozen_days``, ``stability`` and ``as_of`` are a replan's (see
    :class:`~xiezuo.planning.params.PlanParams`); ``as_of`` moves the status date past
    the latest progress report.
    """

    kind: str
    reason: str = ""
    time_limit_s: float = 60.0
    frozen_days: float = 0.0
    stability: float | None = None
    seed: int = 0
    as_of: datetime | None = None

    def check(self) -> PlanParams:
        """The solver parameters, once the request is found sound.

        Raises
        ------
        InputError
            An unknown kind, a replan's setting on a plan, or a parameter out of range,
            named by its field.
        """
        if self.kind not in KINDS:
            raise InputError("job", "kind", f"unknown job kind {self.kind!r}; use plan or replan")
        if self.kind == "plan":
            for name, value in (
                ("frozen_days", self.frozen_days),
                ("stability", self.stability),
                ("as_of", self.as_of),
            ):
                if value:
                    raise InputError(
                        "job", name, f"{name} belongs to a replan; a plan starts afresh"
                    )
        if not 0 < self.time_limit_s <= MAX_TIME_LIMIT_S:
            raise InputError(
                "job",
                "time_limit_s",
                f"the time limit must be more than 0 and at most {MAX_TIME_LIMIT_S:g} "
                f"seconds, not {self.time_limit_s:g}",
            )
        try:
            return PlanParams(
                time_limit_s=self.time_limit_s,
                seed=self.seed,
                frozen_days=self.frozen_days,
                stability=self.stability,
            )
        except PlanningError as exc:
            field_name = "frozen_days" if "frozen" in str(exc) else "stability"
            raise InputError("job", field_name, str(exc)) from exc

    def record(self) -> dict[str, Any]:
        return {
            "time_limit_s": self.time_limit_s,
            "frozen_days": self.frozen_days,
            "stability": self.stability,
            "seed": self.seed,
            "as_of": None if self.as_of is None else self.as_of.isoformat(),
        }

    @classmethod
    def of(cls, job: JobRow) -> JobRequest:
        params = job.params
        as_of = params.get("as_of")
        return cls(
            kind=job.kind,
            reason=job.reason,
            time_limit_s=params["time_limit_s"],
            frozen_days=params["frozen_days"],
            stability=params["stability"],
            seed=params["seed"],
            as_of=None if as_of is None else datetime.fromisoformat(as_of),
        )


def job_of(session: Session, network: NetworkRow, job_id: int) -> JobRow:
    """Job ``job_id`` of ``network``.

    Raises
    ------
    NotFoundError
        The network has no such job.
    """
    job = session.get(JobRow, job_id)
    if job is None or job.network_id != network.id:
        raise NotFoundError(f"network {network.key!r} has no job {job_id}")
    return job


def list_jobs(
    session: Session, network: NetworkRow, *, limit: int, offset: int
) -> tuple[list[JobRow], int]:
    """A page of the network's jobs, newest first, and how many there are."""
    total = session.scalar(
        select(func.count()).select_from(JobRow).where(JobRow.network_id == network.id)
    )
    rows = session.scalars(
        select(JobRow)
        .where(JobRow.network_id == network.id)
        .order_by(JobRow.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total or 0


def plan_number(session: Session, job: JobRow) -> int | None:
    """The number of the plan version a job made, if it made one."""
    if job.plan_id is None:
        return None
    row = session.get(PlanRow, job.plan_id)
    return None if row is None else row.number


@dataclass(slots=True)
class _Control:
    """A running job's link to its solve: the stop flag and the progress it reports."""

    job_id: int
    write_every_s: float
    sessions: sessionmaker[Session]
    cancel: threading.Event = field(default_factory=threading.Event)
    shutdown: bool = False
    finished: threading.Event = field(default_factory=threading.Event)
    latest: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _written_at: float = 0.0

    def should_stop(self) -> bool:
        return self.cancel.is_set()

    def on_progress(self, event: ProgressEvent) -> None:
        """Keep the event; write it to the job when the last write is a second old."""
        progress = {
            "phase": event.phase,
            "search": event.search,
            "elapsed_s": round(event.elapsed_s, 2),
            "objective": event.objective,
            "bound": event.bound,
            "gap": event.gap,
        }
        now = time.monotonic()
        with self._lock:
            self.latest = progress
            if now - self._written_at < self.write_every_s:
                return
            self._written_at = now
        try:
            with self.sessions() as session:
                session.execute(
                    update(JobRow)
                    .where(JobRow.id == self.job_id, JobRow.status == RUNNING)
                    .values(progress=progress)
                )
                session.commit()
        except Exception:
            # Progress is shown on a best-effort basis: a busy or lost database must not
            # end the solve, whose result is written (or its failure noted) at the end.
            _log.warning("could not write the progress of job %s", self.job_id, exc_info=True)


@dataclass(frozen=True, slots=True)
class _Prepared:
    """What a job solves, read from the database before the solve starts."""

    network: Network
    params: PlanParams
    progress: Progress | None
    previous: Plan | None
    inputs: PlanInputs


class JobRunner:
    """Worker threads that run the queued solve jobs of one database.

    Parameters
    ----------
    sessions:
        Makes the sessions of the server's database.
    max_solves:
        Jobs solved at the same time (of different networks); each solve uses
        :attr:`PlanParams.workers` threads.
    write_every_s:
        Least time between two writes of a job's progress.
    """

    def __init__(
        self, sessions: sessionmaker[Session], *, max_solves: int = 2, write_every_s: float = 1.0
    ) -> None:
        self._sessions = sessions
        self._max_solves = max_solves
        self._write_every_s = write_every_s
        self._wakeup = threading.Condition()
        self._busy_networks: set[int] = set()
        self._controls: dict[int, _Control] = {}
        self._threads: list[threading.Thread] = []
        self._stopping = False

    # ---- lifecycle ----------------------------------------------------------------

    def start(self) -> None:
        """Mark jobs a killed server left running as failed, then start the workers."""
        with self._sessions() as session:
            for job in session.scalars(select(JobRow).where(JobRow.status == RUNNING)):
                network = session.get(NetworkRow, job.network_id)
                job.status = FAILED
                job.finished_at = utc_now()
                job.error = "the server stopped while the job ran (killed or restarted); " + _stays(
                    network
                )
            session.commit()
        self._stopping = False
        for idx in range(self._max_solves):
            thread = threading.Thread(target=self._work, name=f"xiezuo-job-{idx}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout_s: float = 30.0) -> None:
        """Stop the running solves (their jobs fail, saying so) and the workers."""
        with self._wakeup:
            self._stopping = True
            for control in self._controls.values():
                control.shutdown = True
                control.cancel.set()
            self._wakeup.notify_all()
        deadline = time.monotonic() + timeout_s
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._threads.clear()

    # ---- requests -----------------------------------------------------------------

    def submit(
        self, session: Session, network: NetworkRow, request: JobRequest, user_name: str
    ) -> JobRow:
        """Queue a job and commit it; a worker starts it when the network is free.

        Raises
        ------
        InputError
            The request is unsound (:meth:`JobRequest.check`), or a replan's progress
            as of its ``as_of`` cannot be read (a status date before the reports).
        ConflictError
            A replan of a network with no current plan and no plan job under way, or
            with nothing reported and no ``as_of``.
        """
        request.check()
        if request.kind == "replan":
            self._check_replannable(session, network, request)
        job = JobRow(
            network_id=network.id,
            kind=request.kind,
            status=QUEUED,
            requested_by=user_name,
            reason=request.reason,
            params=request.record(),
            progress={},
        )
        session.add(job)
        session.flush()
        audit.record(
            session,
            user=user_name,
            action=request.kind,
            subject=f"jobs/{job.id}",
            network_key=network.key,
            reason=request.reason,
            detail={"params": job.params},
        )
        session.commit()
        with self._wakeup:
            self._wakeup.notify_all()
        return job

    def cancel(
        self, session: Session, network: NetworkRow, job_id: int, user_name: str, wait_s: float
    ) -> JobRow:
        """Cancel a job: a queued one never runs; a running one stops with its best plan.

        Waits up to ``wait_s`` for a running job to store that plan, so the answer
        usually shows it; otherwise the job is still ``running`` and ends shortly.

        Raises
        ------
        NotFoundError
            No such job.
        ConflictError
            The job has finished already.
        """
        job = job_of(session, network, job_id)
        if job.status in FINISHED:
            raise ConflictError(f"job {job_id} has finished already ({job.status})")
        audit.record(
            session,
            user=user_name,
            action="cancel",
            subject=f"jobs/{job_id}",
            network_key=network.key,
        )
        session.execute(
            update(JobRow)
            .where(JobRow.id == job_id, JobRow.status == QUEUED)
            .values(
                status=CANCELLED,
                finished_at=utc_now(),
                error=f"cancelled before it started; {_stays(network)}",
            )
        )
        session.commit()
        with self._wakeup:
            control = self._controls.get(job_id)
            if control is not None:
                control.cancel.set()
        if control is not None:
            control.finished.wait(wait_s)
        session.refresh(job)
        return job

    def _check_replannable(
        self, session: Session, network: NetworkRow, request: JobRequest
    ) -> None:
        if network.current_plan is None:
            pending = session.scalar(
                select(JobRow.id).where(
                    JobRow.network_id == network.id,
                    JobRow.kind == "plan",
                    JobRow.status.in_((QUEUED, RUNNING)),
                )
            )
            if pending is None:
                raise ConflictError(
                    f"network {network.key!r} has no current plan to replan; start a plan job first"
                )
        domain = network_of(network)
        document = progress_document(session, network, as_of=_zoned(request.as_of, domain))
        if document is None:
            raise ConflictError(
                f"nothing has been reported for network {network.key!r} yet; report progress "
                "first, or give the replan's status date (as_of)"
            )
        try:
            read_progress(
                domain,
                document,
                f"progress of {network.key}",
                current_domain_plan(session, network, domain),
            )
        except InputError as exc:
            where = "as_of" if exc.location == "as_of" else "progress"
            raise InputError("job", where, f"the replan cannot start: {exc.problem}") from exc

    # ---- the workers --------------------------------------------------------------

    def _work(self) -> None:
        while True:
            with self._wakeup:
                claimed = None
                while claimed is None:
                    if self._stopping:
                        return
                    claimed = self._claim_safely()
                    if claimed is None:
                        self._wakeup.wait(timeout=5.0)
                job_id, network_id = claimed
                control = _Control(job_id, self._write_every_s, self._sessions)
                self._controls[job_id] = control
            try:
                self._run(control)
            finally:
                control.finished.set()
                with self._wakeup:
                    self._controls.pop(job_id, None)
                    self._busy_networks.discard(network_id)
                    self._wakeup.notify_all()

    def _claim_safely(self) -> tuple[int, int] | None:
        try:
            return self._claim()
        except Exception:
            # A database that does not answer now may later: the worker waits and retries.
            _log.exception("could not look for queued jobs")
            return None

    def _claim(self) -> tuple[int, int] | None:
        """The oldest queued job of a free network, marked running (under the lock)."""
        with self._sessions() as session:
            queued = session.execute(
                select(JobRow.id, JobRow.network_id)
                .where(JobRow.status == QUEUED)
                .order_by(JobRow.id)
            ).all()
            for job_id, network_id in queued:
                if network_id in self._busy_networks:
                    continue
                result = session.execute(
                    update(JobRow)
                    .where(JobRow.id == job_id, JobRow.status == QUEUED)
                    .values(status=RUNNING, started_at=utc_now(), progress={"phase": "starting"})
                )
                session.commit()
                if getattr(result, "rowcount", 0) == 1:
                    self._busy_networks.add(network_id)
                    return job_id, network_id
        return None

    def _run(self, control: _Control) -> None:
        # The worker outlives any failure of one job, engine bugs and a lost database
        # connection included: the job records what broke, the current plan stays.
        try:
            prepared = self._prepare(control.job_id)
            plan = plan_network(
                prepared.network,
                prepared.params,
                progress=prepared.progress,
                previous=prepared.previous,
                on_progress=control.on_progress,
                stop=control.should_stop,
            )
            violations = audit_plan(
                prepared.network,
                plan,
                progress=prepared.progress,
                previous=prepared.previous,
                frozen_days=prepared.params.frozen_days if prepared.progress else 0,
            )
            self._finish(control, prepared, plan, violations)
        except XiezuoError as exc:
            self._fail(control.job_id, str(exc))
        except Exception as exc:
            _log.exception("solve job %s failed", control.job_id)
            self._fail(control.job_id, f"the solve failed: {type(exc).__name__}: {exc}")

    def _prepare(self, job_id: int) -> _Prepared:
        with self._sessions() as session:
            job = session.get(JobRow, job_id)
            assert job is not None
            network_row = session.get(NetworkRow, job.network_id)
            assert network_row is not None
            request = JobRequest.of(job)
            params = request.check()
            network = network_of(network_row)
            current = current_plan(session, network_row)
            progress = previous = document = None
            if job.kind == "replan":
                if current is None:
                    raise ConflictError(
                        f"network {network_row.key!r} has no current plan to replan"
                    )
                previous = plan_of(current, network)
                document = progress_document(
                    session, network_row, as_of=_zoned(request.as_of, network)
                )
                if document is None:
                    raise ConflictError(
                        f"nothing has been reported for network {network_row.key!r}"
                    )
                progress = read_progress(
                    network, document, f"progress of {network_row.key}", previous
                )
            inputs = PlanInputs(
                scenario=network_row.spec,
                network_version=network_row.version,
                progress=document,
                previous_plan=None if previous is None or current is None else current.number,
                params=job.params,
            )
            return _Prepared(network, params, progress, previous, inputs)

    def _finish(
        self,
        control: _Control,
        prepared: _Prepared,
        plan: Plan,
        violations: tuple[Violation, ...],
    ) -> None:
        with self._sessions() as session:
            job = session.get(JobRow, control.job_id)
            assert job is not None
            network = session.get(NetworkRow, job.network_id)
            assert network is not None
            job.finished_at = utc_now()
            job.progress = {**control.latest, "elapsed_s": round(plan.runtime_s, 2)}
            if control.shutdown:
                job.status = FAILED
                job.error = f"the server shut down during the solve; {_stays(network)}"
            elif plan.schedule is None and control.cancel.is_set():
                job.status = CANCELLED
                job.error = f"cancelled before a first plan was found; {_stays(network)}"
            elif plan.schedule is None:
                job.status = FAILED
                job.error = (
                    f"no plan was found ({plan.status.value}) in {plan.runtime_s:.0f} s; "
                    + _stays(network)
                )
            else:
                row = store_plan(
                    session,
                    network,
                    plan,
                    kind=job.kind,
                    requested_by=job.requested_by,
                    reason=job.reason,
                    inputs=prepared.inputs,
                    violations=violations,
                )
                job.plan_id = row.id
                if violations:
                    first = violations[0]
                    job.status = FAILED
                    job.error = (
                        f"plan {row.number} breaks {len(violations)} rule(s) of the validator "
                        f"(first: {first.rule}, {first.subject}: {first.message}); it is kept "
                        f"for the record, and {_stays(network)}"
                    )
                else:
                    job.status = CANCELLED if control.cancel.is_set() else DONE
            session.commit()

    def _fail(self, job_id: int, error: str) -> None:
        try:
            with self._sessions() as session:
                job = session.get(JobRow, job_id)
                assert job is not None
                network = session.get(NetworkRow, job.network_id)
                job.status = FAILED
                job.finished_at = utc_now()
                job.error = f"{error}; {_stays(network)}"
                session.commit()
        except Exception:
            # The database is gone too: the next server start marks the job failed.
            _log.exception("could not record the failure of job %s", job_id)


def _zoned(instant: datetime | None, network: Network) -> datetime | None:
    """An instant without a zone is the network's local time, as in progress files."""
    if instant is None or instant.tzinfo is not None:
        return instant
    return instant.replace(tzinfo=network.start.tzinfo)


def _stays(network: NetworkRow | None) -> str:
    if network is None or network.current_plan is None:
        return "the network still has no plan"
    return f"plan {network.current_plan} stays current"
