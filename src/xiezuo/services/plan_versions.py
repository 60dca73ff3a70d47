"""Plan versions of a stored network: store a plan with what it was made from, read them back.

Every plan a job makes is kept as a numbered version (1, 2, ... per network) with the
exact inputs it came from (the scenario data and the network's version, the progress
data, the number of the plan it replaced, the solver parameters), who asked for it,
when and why, its figures and the independent validator's verdict, so any version can
be reproduced and judged later. The network's *current* plan is the one everybody
works to; only a plan with a schedule that the validator accepts becomes current, so a
failed, empty or rejected solve never replaces it.

Building a :class:`~xiezuo.domain.Network` or :class:`~xiezuo.domain.Plan` from stored
JSON takes milliseconds, and every progress report needs both, so the last few are
kept in memory, keyed by row identity and version (a row never changes under a key).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy import func, select

from xiezuo.errors import NotFoundError
from xiezuo.io.plan_file import plan_from_dict, plan_to_dict
from xiezuo.services import networks
from xiezuo.services.diff import diff_plans
from xiezuo.storage.models import NetworkRow, PlanRow

if TYPE_CHECKING:
    from collections.abc import Callable, Hashable, Sequence
    from datetime import datetime

    from sqlalchemy.orm import Session

    from xiezuo.domain import Network, Plan
    from xiezuo.planning.validation.audit import Violation

_CACHE_SIZE = 16
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class PlanInputs:
    """Everything a plan was made from, enough to make it again.

    ``scenario`` is the network's file data at the time, ``progress`` the progress
    file data of a replan, ``previous_plan`` the number of the plan it replaced and
    ``params`` the solver settings.
    """

    scenario: dict[str, Any]
    network_version: int
    progress: dict[str, Any] | None
    previous_plan: int | None
    params: dict[str, Any]

    def record(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "network_version": self.network_version,
            "progress": self.progress,
            "previous_plan": self.previous_plan,
            "params": self.params,
        }


class _Memo(Generic[_T]):
    """A small thread-safe LRU of values that are costly to build and never change."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict[Hashable, _T] = OrderedDict()

    def get(self, key: Hashable, build: Callable[[], _T]) -> _T:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = build()
        with self._lock:
            self._items[key] = value
            while len(self._items) > _CACHE_SIZE:
                self._items.popitem(last=False)
        return value


_networks: _Memo[Network] = _Memo()
_plans: _Memo[Plan] = _Memo()


def network_of(row: NetworkRow) -> Network:
    """The domain network of a stored network (:func:`networks.network_of`, remembered).

    Raises
    ------
    InputError
        The stored scenario data no longer makes a valid network (named by its path).
    """
    key = (row.id, row.key, row.created_at, row.version)
    return _networks.get(key, lambda: _build_network(row.spec, row.key))


def _build_network(spec: dict[str, Any], key: str) -> Network:
    return networks.check_scenario(spec, f"network {key}")


def plan_of(row: PlanRow, network: Network) -> Plan:
    """The domain plan of a stored plan version."""
    key = (row.id, row.network_id, row.number, row.created_at)
    return _plans.get(
        key, lambda: plan_from_dict(row.plan, f"plan {row.number}", near=network.start)
    )


def current_domain_plan(session: Session, network: NetworkRow, domain: Network) -> Plan | None:
    """The current plan as a domain plan, its stored data read only when not remembered
    (every progress report is checked against it, and the data is large)."""
    if network.current_plan is None:
        return None
    found = session.execute(
        select(PlanRow.id, PlanRow.created_at).where(
            PlanRow.network_id == network.id, PlanRow.number == network.current_plan
        )
    ).one_or_none()
    if found is None:
        return None
    plan_id, created_at = found
    number = network.current_plan

    def load() -> Plan:
        data = session.scalar(select(PlanRow.plan).where(PlanRow.id == plan_id))
        return plan_from_dict(data, f"plan {number}", near=domain.start)

    return _plans.get((plan_id, network.id, number, created_at), load)


def store_plan(
    session: Session,
    network: NetworkRow,
    plan: Plan,
    *,
    kind: str,
    requested_by: str,
    reason: str,
    inputs: PlanInputs,
    violations: Sequence[Violation],
    created_at: datetime | None = None,
) -> PlanRow:
    """Store ``plan`` as the network's next version; make it current if it deserves it.

    It becomes current when it has a schedule and the validator found nothing
    (:func:`is_acceptable`); otherwise it is kept for the record and the current plan
    stays as it was. The caller commits.
    """
    last = session.scalar(select(func.max(PlanRow.number)).where(PlanRow.network_id == network.id))
    row = PlanRow(
        network_id=network.id,
        number=(last or 0) + 1,
        kind=kind,
        requested_by=requested_by,
        reason=reason,
        inputs=inputs.record(),
        status=plan.status.value,
        tardiness_hours=plan.tardiness_hours,
        makespan_hours=None if plan.makespan is None else plan.makespan.total_seconds() / 3600,
        gap=plan.gap,
        violations=[
            {"rule": v.rule, "subject": v.subject, "message": v.message} for v in violations
        ],
        plan=plan_to_dict(plan),
    )
    if created_at is not None:
        row.created_at = created_at
    session.add(row)
    session.flush()
    if is_acceptable(plan, violations):
        network.current_plan = row.number
    return row


def is_acceptable(plan: Plan, violations: Sequence[Violation]) -> bool:
    """Whether a plan may become current: it schedules something and breaks no rule."""
    return plan.schedule is not None and not violations


def current_plan(session: Session, network: NetworkRow) -> PlanRow | None:
    """The plan version in force, or ``None`` before the first accepted plan."""
    if network.current_plan is None:
        return None
    return plan_version(session, network, network.current_plan)


def plan_version(session: Session, network: NetworkRow, number: int) -> PlanRow:
    """Plan version ``number`` of ``network``.

    Raises
    ------
    NotFoundError
        The network has no such version.
    """
    row = session.scalar(
        select(PlanRow).where(PlanRow.network_id == network.id, PlanRow.number == number)
    )
    if row is None:
        raise NotFoundError(f"network {network.key!r} has no plan {number}")
    return row


def list_versions(
    session: Session, network: NetworkRow, *, limit: int, offset: int
) -> tuple[list[PlanRow], int]:
    """A page of the network's plan versions, newest first, and how many there are."""
    total = session.scalar(
        select(func.count()).select_from(PlanRow).where(PlanRow.network_id == network.id)
    )
    rows = session.scalars(
        select(PlanRow)
        .where(PlanRow.network_id == network.id)
        .order_by(PlanRow.number.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total or 0


def diff_versions(session: Session, network: NetworkRow, old: int, new: int) -> dict[str, Any]:
    """The diff from plan ``old`` to plan ``new`` (``xiezuo diff --out``'s record).

    The network's present due dates and priorities weigh the orders; both plans are
    read as stored.
    """
    domain = network_of(network)
    old_plan = plan_of(plan_version(session, network, old), domain)
    new_plan = plan_of(plan_version(session, network, new), domain)
    return diff_plans(old_plan, new_plan, network=domain).record()
