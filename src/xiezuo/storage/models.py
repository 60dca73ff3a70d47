"""The rows the server keeps, as typed SQLAlchemy 2 models.

A network's scenario is kept as its file data (the scenario file's JSON form), so it
exports back to the same file and every edit is checked by the same loader as a file;
``version`` counts its edits for optimistic locking. Every plan is a version with the
exact inputs it was made from, who asked for it and why, its figures and the
validator's verdict. Progress reports carry an idempotency key, unique per network, so
a retried report is applied once. Tokens are stored as SHA-256 hashes only.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utc_now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON,
        list[Any]: JSON,
        datetime: DateTime(timezone=True),
    }


class NetworkRow(Base):
    __tablename__ = "networks"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)  # the ID in URLs
    name: Mapped[str] = mapped_column(String(300), default="")
    spec: Mapped[dict[str, Any]]  # the scenario file's data
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)
    # The number of the plan version in force; a failed solve leaves it as it was.
    current_plan: Mapped[int | None] = mapped_column(default=None)


class PlanRow(Base):
    __tablename__ = "plans"
    __table_args__ = (UniqueConstraint("network_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    number: Mapped[int]  # 1, 2, ... within the network
    kind: Mapped[str] = mapped_column(String(20))  # "plan" or "replan"
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    requested_by: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text, default="")
    # Exactly what it was made from: scenario data, progress data, previous plan
    # number, solver parameters.
    inputs: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(40))
    tardiness_hours: Mapped[float | None] = mapped_column(default=None)
    makespan_hours: Mapped[float | None] = mapped_column(default=None)
    gap: Mapped[float | None] = mapped_column(default=None)
    violations: Mapped[list[Any]]  # the validator's findings; empty when accepted
    plan: Mapped[dict[str, Any]]  # the plan file's data


class ProgressRow(Base):
    __tablename__ = "progress_reports"
    __table_args__ = (UniqueConstraint("network_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    idempotency_key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    plant_id: Mapped[str | None] = mapped_column(String(100), default=None)
    payload: Mapped[dict[str, Any]]  # one record in the progress file's form
    reported_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))  # planner, plant, viewer
    plant_id: Mapped[str | None] = mapped_column(String(100), default=None)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class AuditRow(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_network_at", "network_key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utc_now)
    user_name: Mapped[str] = mapped_column(String(100))
    network_key: Mapped[str | None] = mapped_column(String(100), default=None)
    action: Mapped[str] = mapped_column(String(40))  # create, update, delete, report, ...
    subject: Mapped[str] = mapped_column(String(300))  # e.g. "orders/YN-MILL-01"
    reason: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]]


class JobRow(Base):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # "plan" or "replan"
    status: Mapped[str] = mapped_column(String(20))  # queued, running, done, failed, cancelled
    requested_by: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text, default="")
    params: Mapped[dict[str, Any]]
    progress: Mapped[dict[str, Any]]  # the last progress event
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id"), default=None)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
