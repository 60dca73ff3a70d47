"""Solve jobs and plan versions: start a plan or replan, watch it, cancel it, read the plans.

A job runs in the server's background (``app.state.job_runner``), one per network at a
time; ``GET`` on a job shows its status and live progress. Every plan a job makes is
a numbered version with its inputs, figures and the validator's verdict; the network's
``current_plan`` is the one in force.
"""

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from xiezuo.api.deps import ERRORS, PRINTABLE, Instant, NetworkDep, PageDep, Planner, SessionDep
from xiezuo.errors import NotFoundError
from xiezuo.services import jobs, plan_versions
from xiezuo.services.jobs import JobRequest, JobRunner
from xiezuo.services.staff import staff_report
from xiezuo.storage.models import JobRow, NetworkRow, PlanRow
from xiezuo.web.gantt import gantt_figure
from xiezuo.web.staff import staff_figure

router = APIRouter(tags=["plans and jobs"], responses=ERRORS)


def get_runner(request: Request) -> JobRunner:
    runner: JobRunner = request.app.state.job_runner
    return runner


RunnerDep = Annotated[JobRunner, Depends(get_runner)]
JobId = Annotated[int, Path(ge=1, le=2**31 - 1)]
PlanNumber = Annotated[int, Path(ge=1, le=2**31 - 1, description="A plan version's number")]


class JobCreate(BaseModel):
    """A plan (from scratch) or a replan (from the reported progress and the current plan)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["plan", "replan"]
    reason: str = Field(default="", max_length=2000, pattern=PRINTABLE)
    """Why the plan is made, kept with the plan version and in the audit log."""
    time_limit_s: float = Field(default=60.0, gt=0, le=jobs.MAX_TIME_LIMIT_S)
    """Longest the solver searches; a cancelled job stops sooner with its best plan."""
    frozen_days: float = Field(default=0.0, ge=0, le=366)
    """Replan: working days after the status date in which the current plan's steps stay."""
    stability: float | None = Field(default=None, ge=0, le=10_000)
    """Replan: hours of weighted tardiness one moved step costs; null = fewest moves
    right after tardiness."""
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    as_of: datetime | None = None
    """Replan: its status date, if later than the latest progress report."""


class JobRead(BaseModel):
    id: int
    kind: str
    status: str
    """``queued``, ``running``, ``done``, ``failed`` or ``cancelled``."""
    requested_by: str
    reason: str
    params: dict[str, Any]
    progress: dict[str, Any]
    """The solve's latest progress: ``phase``, ``search``, ``elapsed_s``, ``objective``,
    ``bound``, ``gap`` (written at most once a second)."""
    plan: int | None
    """Number of the plan version the job made, if any."""
    error: str
    """Why a job failed or was cancelled without a plan, and which plan stays current."""
    created_at: Instant
    started_at: Instant | None
    finished_at: Instant | None


class JobPage(BaseModel):
    items: list[JobRead]
    total: int


class PlanSummary(BaseModel):
    number: int
    kind: str
    current: bool
    """Whether this is the network's plan in force."""
    status: str
    created_at: Instant
    requested_by: str
    reason: str
    tardiness_hours: float | None
    makespan_hours: float | None
    gap: float | None
    violations: int
    """How many rules the validator found broken (a plan with any never becomes current)."""
    previous_plan: int | None
    """The plan a replan started from."""


class PlanPage(BaseModel):
    items: list[PlanSummary]
    total: int


class PlanRead(PlanSummary):
    violation_list: list[dict[str, Any]]
    """The validator's findings: ``rule``, ``subject``, ``message``."""
    plan: dict[str, Any]
    """The plan file's data (``docs/plan-format.md``)."""


class ItemPage(BaseModel):
    items: list[dict[str, Any]]
    total: int


class Explanations(ItemPage):
    unplanned: list[dict[str, Any]]
    """Orders the plan leaves out, each with the reason."""


def _job_read(session: Session, job: JobRow) -> JobRead:
    return JobRead(
        id=job.id,
        kind=job.kind,
        status=job.status,
        requested_by=job.requested_by,
        reason=job.reason,
        params=job.params,
        progress=job.progress,
        plan=jobs.plan_number(session, job),
        error=job.error,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
    )


def _summary(network: NetworkRow, row: PlanRow) -> dict[str, Any]:
    return {
        "number": row.number,
        "kind": row.kind,
        "current": network.current_plan == row.number,
        "status": row.status,
        "created_at": row.created_at,
        "requested_by": row.requested_by,
        "reason": row.reason,
        "tardiness_hours": row.tardiness_hours,
        "makespan_hours": row.makespan_hours,
        "gap": row.gap,
        "violations": len(row.violations),
        "previous_plan": row.inputs.get("previous_plan"),
    }


def _plan_read(network: NetworkRow, row: PlanRow) -> PlanRead:
    return PlanRead(**_summary(network, row), violation_list=row.violations, plan=row.plan)


# ---- jobs -----------------------------------------------------------------------------


@router.post("/networks/{key}/jobs", status_code=status.HTTP_202_ACCEPTED)
def start_job(
    body: JobCreate, network: NetworkDep, session: SessionDep, user: Planner, runner: RunnerDep
) -> JobRead:
    """Queue a plan or replan; it starts when no other job of the network runs (planners).

    A replan needs a current plan (or a plan job under way) and either progress
    reports or ``as_of``, else 409.
    """
    request = JobRequest(
        kind=body.kind,
        reason=body.reason,
        time_limit_s=body.time_limit_s,
        frozen_days=body.frozen_days,
        stability=body.stability,
        seed=body.seed,
        as_of=body.as_of,
    )
    job = runner.submit(session, network, request, user.name)
    return _job_read(session, job)


@router.get("/networks/{key}/jobs")
def list_jobs(network: NetworkDep, session: SessionDep, page: PageDep) -> JobPage:
    """The network's jobs, newest first."""
    rows, total = jobs.list_jobs(session, network, limit=page.limit, offset=page.offset)
    return JobPage(items=[_job_read(session, row) for row in rows], total=total)


@router.get("/networks/{key}/jobs/{job_id}")
def read_job(job_id: JobId, network: NetworkDep, session: SessionDep) -> JobRead:
    """A job's status and its solve's latest progress."""
    return _job_read(session, jobs.job_of(session, network, job_id))


@router.post("/networks/{key}/jobs/{job_id}/cancel")
def cancel_job(
    job_id: JobId,
    network: NetworkDep,
    session: SessionDep,
    user: Planner,
    runner: RunnerDep,
    wait_s: Annotated[float, Query(ge=0, le=60)] = 10.0,
) -> JobRead:
    """Cancel a job (planners): a queued job never runs; a running one stops and its best
    plan so far becomes a version (current if the validator accepts it).

    Waits up to ``wait_s`` seconds for that plan; 409 if the job has finished.
    """
    job = runner.cancel(session, network, job_id, user.name, wait_s)
    return _job_read(session, job)


# ---- plans ----------------------------------------------------------------------------


@router.get("/networks/{key}/plans")
def list_plans(network: NetworkDep, session: SessionDep, page: PageDep) -> PlanPage:
    """The network's plan versions, newest first."""
    rows, total = plan_versions.list_versions(
        session, network, limit=page.limit, offset=page.offset
    )
    return PlanPage(items=[PlanSummary(**_summary(network, row)) for row in rows], total=total)


@router.get("/networks/{key}/plans/current")
def read_current_plan(network: NetworkDep, session: SessionDep) -> PlanRead:
    """The plan in force (404 before the first accepted plan)."""
    row = plan_versions.current_plan(session, network)
    if row is None:
        raise NotFoundError(f"network {network.key!r} has no plan yet; start a plan job")
    return _plan_read(network, row)


@router.get("/networks/{key}/plans/{number}")
def read_plan(number: PlanNumber, network: NetworkDep, session: SessionDep) -> PlanRead:
    """One plan version: figures, the validator's verdict and the plan file's data."""
    return _plan_read(network, plan_versions.plan_version(session, network, number))


@router.get("/networks/{key}/plans/{number}/inputs")
def read_plan_inputs(
    number: PlanNumber, network: NetworkDep, session: SessionDep
) -> dict[str, Any]:
    """Exactly what the plan was made from: ``scenario``, ``network_version``,
    ``progress``, ``previous_plan``, ``params``; enough to make it again."""
    return plan_versions.plan_version(session, network, number).inputs


@router.get("/networks/{key}/plans/{number}/deliveries")
def read_deliveries(
    number: PlanNumber, network: NetworkDep, session: SessionDep, page: PageDep
) -> ItemPage:
    """When each order arrives at its customer, and how late, in the plan file's form."""
    schedule = plan_versions.plan_version(session, network, number).plan.get("schedule")
    deliveries: list[dict[str, Any]] = [] if schedule is None else schedule["deliveries"]
    return ItemPage(items=deliveries[page.offset : page.offset + page.limit], total=len(deliveries))


@router.get("/networks/{key}/plans/{number}/explanations")
def read_explanations(
    number: PlanNumber, network: NetworkDep, session: SessionDep, page: PageDep
) -> Explanations:
    """Why orders are late or wait for material, what left the frozen window, and the
    orders left out with their reasons."""
    data = plan_versions.plan_version(session, network, number).plan
    explanations: list[dict[str, Any]] = data["explanations"]
    return Explanations(
        items=explanations[page.offset : page.offset + page.limit],
        total=len(explanations),
        unplanned=data["unplanned"],
    )


@router.get(
    "/networks/{key}/plans/{number}/gantt",
    response_class=Response,
    responses={200: {"content": {"application/json": {}}, "description": "A Plotly figure"}},
)
def read_gantt(number: PlanNumber, network: NetworkDep, session: SessionDep) -> Response:
    """The plan's Gantt chart as a Plotly figure (``{"data": [...], "layout": {...}}``),
    the chart of ``xiezuo plan --html``."""
    domain = plan_versions.network_of(network)
    plan = plan_versions.plan_of(plan_versions.plan_version(session, network, number), domain)
    figure = gantt_figure(plan, network=domain)
    return Response(figure.to_json(), media_type="application/json")


@router.get(
    "/networks/{key}/plans/{number}/staff",
    response_class=Response,
    responses={200: {"content": {"application/json": {}}, "description": "A Plotly figure"}},
)
def read_staff(number: PlanNumber, network: NetworkDep, session: SessionDep) -> Response:
    """Skilled people per plant: capacity (secondments and trainings counted) against the
    plan's crews over time, as a Plotly figure (the Gantt page's people chart)."""
    domain = plan_versions.network_of(network)
    plan = plan_versions.plan_of(plan_versions.plan_version(session, network, number), domain)
    return Response(
        staff_figure(staff_report(domain, plan)).to_json(), media_type="application/json"
    )


@router.get("/networks/{key}/plans/{old}/diff/{new}")
def read_diff(
    old: PlanNumber, new: PlanNumber, network: NetworkDep, session: SessionDep
) -> dict[str, Any]:
    """What changed from plan ``old`` to plan ``new``: orders, work orders, operations,
    material and each plant's coming days (``xiezuo diff --out``, docs/diff.md)."""
    return plan_versions.diff_versions(session, network, old, new)
