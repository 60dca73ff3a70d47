"""Plant task sheets of a plan version, as the printable page or its rows as CSV."""

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response

from xiezuo.api.deps import ERRORS, NetworkDep, SessionDep
from xiezuo.i18n import LANGUAGES, translator
from xiezuo.services import plan_versions
from xiezuo.services.sheets import MAX_DAYS, task_sheets
from xiezuo.web.sheets import sheets_csv, sheets_html

router = APIRouter(tags=["plans and jobs"], responses=ERRORS)

PlanNumber = Annotated[int, Path(ge=1, le=2**31 - 1, description="A plan version's number")]
_LANGUAGE_PATTERN = "^(" + "|".join(LANGUAGES) + ")$"


@router.get(
    "/networks/{key}/plans/{number}/sheets",
    response_class=Response,
    responses={
        200: {
            "content": {"text/html": {}, "text/csv": {}},
            "description": "The task sheets (HTML) or their rows (CSV)",
        }
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
        Literal["html", "csv"],
        Query(alias="format", description="The printable page, or its rows as CSV."),
    ] = "html",
) -> Response:
    """Each plant's task sheets per day and shift, as ``xiezuo sheets`` writes them
    (docs/sheets.md): operations by machine group with crew, drawings and material to
    draw, and the parts and material coming in and going out. Any signed-in user may
    read them; an unknown plant is a 422."""
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
    return Response(sheets_html(sheets, tr), media_type="text/html; charset=utf-8")
