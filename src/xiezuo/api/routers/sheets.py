"""Plant task sheets of a plan version: the printable page, its PDF, or its rows as CSV."""

import tempfile
import threading
from datetime import date
from pathlib import Path as FilePath
from typing import Annotated, Final, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Response, status

from xiezuo.api.deps import ERRORS, Detail, NetworkDep, SessionDep
from xiezuo.errors import InputError
from xiezuo.i18n import LANGUAGES, translator
from xiezuo.services import plan_versions
from xiezuo.services.sheets import MAX_DAYS, task_sheets
from xiezuo.web.sheets import find_chromium, print_pdf, sheets_csv, sheets_html

router = APIRouter(tags=["plans and jobs"], responses=ERRORS)

PRINTERS: Final = 2
"""Chromium processes printing at once; more requests wait for one (each takes a core)."""
PRINTER_WAIT_S: Final = 60
_printers = threading.BoundedSemaphore(PRINTERS)

PlanNumber = Annotated[int, Path(ge=1, le=2**31 - 1, description="A plan version's number")]
_LANGUAGE_PATTERN = "^(" + "|".join(LANGUAGES) + ")$"


@router.get(
    "/networks/{key}/plans/{number}/sheets",
    response_class=Response,
    responses={
        200: {
            "content": {"text/html": {}, "text/csv": {}, "application/pdf": {}},
            "description": "The task sheets (HTML or PDF) or their rows (CSV)",
        },
        503: {
            "model": Detail,
            "description": "PDF asked for, but the server cannot print it now or at all.",
        },
    },
)
def read_sheets(
    number: PlanNumber,
    network: NetworkDep,
    session: SessionDep,
    plant: Annotated[
        str | None, Query(max_length=200, description="Only this plant's sheets.")
    ] = None,
    first_day: Annotated[
        date | None,
        Query(
            alias="from",
            description="First day (YYYY-MM-DD); default: the horizon start, or a "
            "replan's status date.",
        ),
    ] = None,
    days: Annotated[
        int | None,
        Query(ge=1, le=MAX_DAYS, description="Number of days; default: to the plan's end."),
    ] = None,
    lang: Annotated[
        str, Query(pattern=_LANGUAGE_PATTERN, description="Language of the labels.")
    ] = "en",
    fmt: Annotated[
        Literal["html", "pdf", "csv"],
        Query(
            alias="format",
            description="The printable page, that page printed to PDF (A4), or its rows as CSV.",
        ),
    ] = "html",
) -> Response:
    """Each plant's task sheets per day and shift, as ``xiezuo sheets`` writes them
    (docs/sheets.md): operations by machine group with crew, drawings and material to
    draw, and the parts and material coming in and going out. Any signed-in user may
    read them; an unknown plant is a 422. The PDF is printed by the server's headless
    Chromium: without one, or when it fails, the answer is a 503 saying so."""
    domain = plan_versions.network_of(network)
    plan = plan_versions.plan_of(plan_versions.plan_version(session, network, number), domain)
    sheets = task_sheets(domain, plan, plant_id=plant, first_day=first_day, days=days)
    tr = translator(lang)
    if fmt == "csv":
        name = f"sheets-plan-{number}.csv"
        return Response(
            "\ufeff" + sheets_csv(sheets, tr),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    page = sheets_html(sheets, tr)
    if fmt == "pdf":
        name = f"sheets-plan-{number}.pdf"
        return Response(
            _printed(page),
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return Response(page, media_type="text/html; charset=utf-8")


def _printed(page: str) -> bytes:
    """``page`` as PDF, printed by Chromium (a 503 when there is none, it is busy or fails)."""
    try:
        chromium = find_chromium()
    except InputError as exc:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "this server cannot print PDF: Chromium is not installed on it; ask for "
            "format=html and print the page from a browser",
        ) from exc
    if not _printers.acquire(timeout=PRINTER_WAIT_S):
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "the server is printing other PDFs; try again in a minute",
        )
    try:
        with tempfile.TemporaryDirectory(prefix="xiezuo-sheets-") as folder:
            pdf = FilePath(folder) / "sheets.pdf"
            print_pdf(page, pdf, chromium)
            return pdf.read_bytes()
    except InputError as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, exc.problem) from exc
    finally:
        _printers.release()
