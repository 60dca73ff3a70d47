"""The cooperation ledger of a plan version: the promises between plants, for the office."""

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from xiezuo.api.deps import ERRORS, NetworkDep, SessionDep
from xiezuo.errors import InputError
from xiezuo.services import plan_versions, progress_reports
from xiezuo.services.ledger import (
    DEFAULT_RISK_SLACK,
    build_ledger,
    critical_chain,
    ledger_for_plant,
)

router = APIRouter(tags=["plans and jobs"], responses=ERRORS)

PlanNumber = Annotated[int, Path(ge=1, le=2**31 - 1, description="A plan version's number")]


@router.get("/networks/{key}/plans/{number}/ledger")
def read_ledger(
    number: PlanNumber,
    network: NetworkDep,
    session: SessionDep,
    progress: Annotated[
        bool,
        Query(description="Check each promise against the progress reported so far."),
    ] = False,
    risk_hours: Annotated[
        float,
        Query(
            ge=0,
            le=1e5,
            description="A promise not yet kept is at risk with less working slack than this.",
        ),
    ] = DEFAULT_RISK_SLACK / timedelta(hours=1),
    order: Annotated[
        str | None,
        Query(max_length=200, description="Also give this order's critical chain."),
    ] = None,
    plant: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Only the promises this plant makes or is made, and the late "
            "orders whose chain passes through it.",
        ),
    ] = None,
) -> dict[str, Any]:
    """The plan's promises between plants with their slack, who waits on whom, help
    given and received, the late orders' critical chains (docs/ledger.md); with
    ``progress``, each promise kept, late, at risk or on track. An unknown ``order`` or
    ``plant``, or ``progress`` with nothing reported, is a 422."""
    domain = plan_versions.network_of(network)
    plan = plan_versions.plan_of(plan_versions.plan_version(session, network, number), domain)
    reported = None
    if progress:
        document = progress_reports.progress_document(session, network)
        if document is None:
            raise InputError("progress", "", "no progress is reported for this network yet")
        reported = progress_reports.read_progress(domain, document, "progress", plan)
    ledger = build_ledger(domain, plan, reported, risk_slack=timedelta(hours=risk_hours))
    if plant is not None:
        ledger = ledger_for_plant(ledger, plant)
    record = ledger.record()
    if order is not None:
        record["order"] = critical_chain(domain, plan, order).record()
    return record
