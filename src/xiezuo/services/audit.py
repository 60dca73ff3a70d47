"""The audit log: who changed what, when and why, for every write the server accepts.

A row is added in the same transaction as the change it describes, so the log never
records a change that was rolled back, nor misses one that was kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from xiezuo.storage.models import AuditRow

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.orm import Session

MAX_REASON = 2000
"""Longest reason text kept; a longer one is cut, never refused, so a write succeeds."""


def record(
    session: Session,
    *,
    user: str,
    action: str,
    subject: str,
    network_key: str | None = None,
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditRow:
    """Add one audit row to ``session`` (committed with the change it describes).

    Parameters
    ----------
    user:
        Name of the user who asked for the change.
    action:
        A verb: ``create``, ``update``, ``delete``, ``import``, ``report``, ``plan``...
    subject:
        What was changed, as a path inside the network: ``orders/N-1``,
        ``plants/WORKS/machines/lathe``, ``scenario``.
    reason:
        The user's words for why ("due pulled in after the plants' meeting").
    detail:
        JSON data: the entity before and after, the new network version.
    """
    row = AuditRow(
        user_name=user,
        network_key=network_key,
        action=action,
        subject=subject[:300],
        reason=reason[:MAX_REASON],
        detail=detail or {},
    )
    session.add(row)
    return row


def entries(
    session: Session,
    *,
    network_key: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[Sequence[AuditRow], int]:
    """The newest audit rows first (of one network, or all), and how many there are."""
    query = select(AuditRow)
    if network_key is not None:
        query = query.where(AuditRow.network_key == network_key)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(AuditRow.at.desc(), AuditRow.id.desc()).limit(limit).offset(offset)
    ).all()
    return rows, total
