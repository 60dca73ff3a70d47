"""The audit log, newest first: who changed what, when and why (planners only)."""

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from xiezuo.api.deps import ERRORS, Instant, NetworkDep, PageDep, Planner, SessionDep
from xiezuo.services import audit
from xiezuo.storage.models import AuditRow

router = APIRouter(tags=["audit"], responses=ERRORS)


class AuditRead(BaseModel):
    at: Instant
    user: str
    network: str | None
    action: str
    subject: str
    reason: str
    detail: dict[str, Any]


class AuditPage(BaseModel):
    items: list[AuditRead]
    total: int


def _page(rows: Sequence[AuditRow], total: int) -> AuditPage:
    items = [
        AuditRead(
            at=row.at,
            user=row.user_name,
            network=row.network_key,
            action=row.action,
            subject=row.subject,
            reason=row.reason,
            detail=row.detail,
        )
        for row in rows
    ]
    return AuditPage(items=items, total=total)


@router.get("/audit")
def all_entries(session: SessionDep, _user: Planner, page: PageDep) -> AuditPage:
    """Every audited write on the server, networks deleted since included."""
    rows, total = audit.entries(session, limit=page.limit, offset=page.offset)
    return _page(rows, total)


@router.get("/networks/{key}/audit")
def network_entries(
    row: NetworkDep, session: SessionDep, _user: Planner, page: PageDep
) -> AuditPage:
    """The audited writes on one network."""
    rows, total = audit.entries(session, network_key=row.key, limit=page.limit, offset=page.offset)
    return _page(rows, total)
