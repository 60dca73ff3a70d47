"""Progress reports: what the plants did, one fact per request, each applied once.

``POST /networks/{key}/progress`` needs an ``Idempotency-Key`` header: a retry with
the same key and body answers as the first time (with ``Idempotent-Replayed: true``)
and changes nothing; the same key with another body is 409. A report is stored, and
the answer sent, only once it is on disk. Plant users report for their own plant only;
planners may retract a wrong report.
"""

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from xiezuo.api.deps import (
    ERRORS,
    PRINTABLE,
    Instant,
    NetworkDep,
    PageDep,
    Planner,
    SessionDep,
    Writer,
    check_plant,
)
from xiezuo.services import progress_reports
from xiezuo.storage.models import ProgressRow

router = APIRouter(tags=["progress"], responses=ERRORS)

ReportKind = Literal[
    "step_started",
    "step_done",
    "quantity_done",
    "scrap",
    "finished",
    "parts",
    "count",
    "receipt",
    "down",
    "secondment",
]


class ReportCreate(BaseModel):
    """One progress report: a kind and its record in the progress file's field names.

    - ``step_started``: ``work_order, step, plant, machine?, unit?, start,
      work_done_hours?, quantity_done?, scrapped?``
    - ``step_done``: ``work_order, step, end`` and ``plant, machine, unit, start`` unless
      the step was reported started
    - ``quantity_done``: ``work_order, step, quantity_done, work_done_hours?`` of a
      started step
    - ``scrap``: ``work_order, step, scrapped`` (units scrapped now, added up)
    - ``finished``: ``work_order, plant, finished``
    - ``parts``: ``plant, item, quantity``; ``count``: ``plant, material, quantity``
    - ``receipt``: ``plant, material, quantity, arrived``
    - ``down``: ``plant, machine, units?, from, until?``
    - ``secondment``: ``plant, skill, count, start, end?, region?``
    """

    model_config = ConfigDict(extra="forbid")

    kind: ReportKind
    record: dict[str, Any]
    as_of: datetime | None = None
    """When the report holds; by default the record's latest instant, or the status date
    of the reports so far."""
    reason: str = Field(default="", max_length=2000, pattern=PRINTABLE)


class ReportRead(BaseModel):
    id: int
    idempotency_key: str
    """The key the report came with, so a client can match its reports."""
    kind: str
    plant: str | None
    record: dict[str, Any]
    """The record stored in the progress file's form (a step report in full)."""
    as_of: datetime
    reported_by: str
    created_at: Instant
    reason: str
    retracted: dict[str, Any] | None
    """Set when a planner took the report out of the progress: ``by``, ``at``, ``reason``."""


class ReportPage(BaseModel):
    items: list[ReportRead]
    total: int


def _read(row: ProgressRow) -> ReportRead:
    return ReportRead(
        id=row.id,
        idempotency_key=row.idempotency_key,
        kind=row.kind,
        plant=row.plant_id,
        record=row.payload["record"],
        as_of=row.payload["as_of"],
        reported_by=row.reported_by,
        created_at=row.created_at,
        reason=row.payload["request"]["reason"],
        retracted=row.payload.get("retracted"),
    )


@router.post("/networks/{key}/progress", status_code=status.HTTP_201_CREATED)
def report_progress(
    body: ReportCreate,
    network: NetworkDep,
    session: SessionDep,
    user: Writer,
    response: Response,
    idempotency_key: Annotated[
        str,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=progress_reports.MAX_KEY_LENGTH,
            description="Unique per report (a UUID); a retry sends the same key.",
        ),
    ],
) -> ReportRead:
    """Report one fact (planners, or plant users for their plant); 422 names the field of
    a record that contradicts the network or earlier reports."""

    def authorize(plant: str) -> None:
        check_plant(user, plant, f"progress of plant {plant!r}")

    result = progress_reports.apply_report(
        session,
        network,
        key=idempotency_key,
        kind=body.kind,
        record=body.record,
        as_of=body.as_of,
        reason=body.reason,
        user_name=user.name,
        authorize=authorize,
    )
    if result.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return _read(result.row)


class Retraction(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(default="", max_length=2000, pattern=PRINTABLE)
    """Why the report was wrong, for the record and the audit log."""


@router.post("/networks/{key}/progress/{report_id}/retract")
def retract_report(
    report_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    body: Retraction,
    network: NetworkDep,
    session: SessionDep,
    user: Planner,
) -> ReportRead:
    """Take a wrong report out of the progress (planners): it stays listed, marked, and a
    retry of its key still changes nothing; 422 if the other reports need it."""
    row = progress_reports.retract_report(
        session, network, report_id, user_name=user.name, reason=body.reason
    )
    return _read(row)


@router.get("/networks/{key}/progress")
def list_reports(
    network: NetworkDep,
    session: SessionDep,
    page: PageDep,
    plant: Annotated[str | None, Query(max_length=100, pattern=PRINTABLE)] = None,
) -> ReportPage:
    """The network's reports, newest first, of one plant if asked."""
    rows, total = progress_reports.list_reports(
        session, network, limit=page.limit, offset=page.offset, plant=plant
    )
    return ReportPage(items=[_read(row) for row in rows], total=total)


@router.get("/networks/{key}/progress/document")
def read_progress_document(network: NetworkDep, session: SessionDep) -> dict[str, Any]:
    """All reports merged into one progress file's data (docs/progress-format.md), as a
    replan reads it; ``{"as_of": null}`` before the first report."""
    document = progress_reports.progress_document(session, network)
    return document if document is not None else {"as_of": None}
