"""Progress reports from the plants, one fact at a time, applied once each.

A plant reports what happened as it happens: a step started or done, units made good
or scrapped, a whole work order finished, parts or stock counted, material received,
a machine down, people seconded. Each report is one record of the progress file
(docs/progress-format.md) and carries an idempotency key, unique per network: a
retried report (the same key and body, after a lost answer) changes nothing and gets
the first answer again, so a flaky line neither loses nor doubles a report.

The network's progress is all its reports merged into one progress file's data (see
:func:`progress_document`): a later report of the same step, work order, parts,
count or downtime replaces the earlier one; receipts and secondments add up. Before a
report is stored, the merged data with it is read by the progress file reader, so a
report that contradicts the network or an earlier report is refused with the field
it got wrong, and a replan never meets a progress it cannot read.

A stored report's ``payload`` holds the request as sent (to recognise a retry), the
record it became in the file's form, and its status date ``as_of``: the one given, else
the latest instant of the record (a step's start or end, a receipt's arrival, a
finish), else the network's status date so far. The merged progress is as of the
latest report. A planner may retract a wrong report (:func:`retract_report`): it stays
stored, marked, and the merged progress leaves it out.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from xiezuo.errors import ConflictError, InputError, NotFoundError
from xiezuo.io.progress import parse_progress
from xiezuo.services import audit
from xiezuo.services.plan_versions import current_domain_plan, network_of
from xiezuo.storage.models import NetworkRow, ProgressRow, utc_now

if TYPE_CHECKING:
    from collections.abc import Callable, Hashable, Iterable

    from sqlalchemy.orm import Session

    from xiezuo.domain import Network, Plan, Progress

MAX_KEY_LENGTH: Final = 200
SOURCE: Final = "progress report"

# The progress file's collection that each kind of report writes to.
COLLECTION_BY_KIND: Final = {
    "step_started": "steps",
    "step_done": "steps",
    "quantity_done": "steps",
    "scrap": "steps",
    "finished": "finished",
    "parts": "parts",
    "count": "counts",
    "receipt": "receipts",
    "down": "down",
    "secondment": "secondments",
}
KINDS: Final = tuple(COLLECTION_BY_KIND)
_COLLECTIONS: Final = ("steps", "finished", "parts", "counts", "receipts", "down", "secondments")
# Fields naming what a record is about: a later record with the same values replaces
# it. Receipts and secondments are events that add up, never replaced.
_IDENTITY_BY_COLLECTION: Final[dict[str, tuple[str, ...]]] = {
    "steps": ("work_order", "step"),
    "finished": ("work_order",),
    "parts": ("plant", "item"),
    "counts": ("plant", "material"),
    "down": ("plant", "machine", "from"),
}
# Instants that say when a reported fact happened, so no later than its status date.
_HAPPENED_BY_COLLECTION: Final[dict[str, tuple[str, ...]]] = {
    "steps": ("start", "end"),
    "finished": ("finished",),
    "receipts": ("arrived",),
}
# Fields of the reports that amend a step, which name the step and what changed.
_FIELDS_BY_STEP_KIND: Final[dict[str, frozenset[str]]] = {
    "step_started": frozenset(
        {
            "work_order",
            "step",
            "plant",
            "machine",
            "unit",
            "start",
            "work_done_hours",
            "quantity_done",
            "scrapped",
        }
    ),
    "step_done": frozenset({"work_order", "step", "plant", "machine", "unit", "start", "end"}),
    "quantity_done": frozenset({"work_order", "step", "quantity_done", "work_done_hours"}),
    "scrap": frozenset({"work_order", "step", "scrapped"}),
}
_REQUIRED_BY_STEP_KIND: Final[dict[str, tuple[str, ...]]] = {
    "step_started": ("work_order", "step"),
    "step_done": ("work_order", "step", "end"),
    "quantity_done": ("work_order", "step", "quantity_done"),
    "scrap": ("work_order", "step", "scrapped"),
}
_LOCATION = re.compile(r"(?P<collection>\w+)\[(?P<idx>\d+)\](?:\.(?P<rest>.*))?")
_PRINTABLE_KEY = re.compile(r"[\x21-\x7e]+")


@dataclass(frozen=True, slots=True)
class ReportResult:
    """A stored report; ``replayed`` when the key had been applied before."""

    row: ProgressRow
    replayed: bool


def apply_report(
    session: Session,
    network: NetworkRow,
    *,
    key: str,
    kind: str,
    record: dict[str, Any],
    as_of: datetime | None,
    reason: str,
    user_name: str,
    authorize: Callable[[str], None],
) -> ReportResult:
    """Apply one progress report once, and commit it before returning.

    Parameters
    ----------
    key:
        The idempotency key: a retry with the same key and body returns the first
        report and changes nothing.
    kind, record:
        One of :data:`KINDS` and its record, in the progress file's field names.
    as_of:
        When the report holds; see the module docstring for the default.
    authorize:
        Called with the plant the report is about before anything is stored; it
        raises if the user may not report for that plant.

    Raises
    ------
    InputError
        A bad key, kind or record, or a record that contradicts the network or the
        earlier reports; ``location`` is ``record.<field>`` (``record`` alone when the
        contradiction lies in the reports taken together).
    ConflictError
        The key was used before for another report.
    """
    _check_key(key)
    if kind not in COLLECTION_BY_KIND:
        raise InputError(SOURCE, "kind", f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    request = {
        "kind": kind,
        "record": record,
        "as_of": None if as_of is None else as_of.isoformat(),
        "reason": reason,
    }
    with _lock_of(network):
        earlier = _by_key(session, network, key)
        if earlier is not None:
            return _replay(earlier, request, user_name)
        domain = network_of(network)
        ledger = _ledger(session, network)
        collection = COLLECTION_BY_KIND[kind]
        full = _full_record(kind, record, ledger)
        plant = full.get("plant")
        if not isinstance(plant, str):
            raise InputError(SOURCE, "record.plant", "the plant (an ID, as text) is missing")
        authorize(plant)
        identity = _identity(collection, full, ledger.next_id)
        report_as_of = _report_as_of(collection, full, as_of, ledger.as_of, domain)
        _check_against(ledger, collection, identity, full, report_as_of, session, network)
        row = ProgressRow(
            network_id=network.id,
            idempotency_key=key,
            kind=kind,
            plant_id=plant,
            payload={"request": request, "record": full, "as_of": report_as_of.isoformat()},
            reported_by=user_name,
        )
        session.add(row)
        audit.record(
            session,
            user=user_name,
            action="report",
            subject=f"progress/{kind}",
            network_key=network.key,
            reason=reason,
            detail={"idempotency_key": key, "record": full},
        )
        try:
            session.commit()
        except IntegrityError:
            # Another server process stored the same key first.
            session.rollback()
            first = _by_key(session, network, key)
            if first is None:
                raise
            return _replay(first, request, user_name)
        ledger.add(row)
        return ReportResult(row, replayed=False)


def progress_document(
    session: Session, network: NetworkRow, *, as_of: datetime | None = None
) -> dict[str, Any] | None:
    """The network's progress as a progress file's data, or ``None`` if nothing is reported.

    ``as_of`` moves the status date later than the latest report (a replan "as of
    now"); an earlier one is ignored, as the reports already happened by then.
    """
    with _lock_of(network):
        ledger = _ledger(session, network)
        if ledger.as_of is None and as_of is None:
            return None
        return ledger.document(_later(ledger.as_of, as_of))


def read_progress(
    network: Network, document: dict[str, Any], source: str, previous: Plan | None = None
) -> Progress:
    """The domain progress of a progress document (as :func:`progress_document` gives)."""
    return parse_progress(json.dumps(document), source, "json", network, previous)


def retract_report(
    session: Session, network: NetworkRow, report_id: int, *, user_name: str, reason: str
) -> ProgressRow:
    """Take a wrong report out of the network's progress, and commit.

    The report stays stored, marked ``retracted`` (by whom, when, why), so its key is
    still applied once: a late retry of it changes nothing. The merged progress is
    made again without it, as if it had never come.

    Raises
    ------
    NotFoundError
        The network has no such report.
    ConflictError
        The report is retracted already.
    InputError
        Without it, the other reports contradict each other (a step done after a step
        that would no longer be): retract those first.
    """
    with _lock_of(network):
        row = session.get(ProgressRow, report_id)
        if row is None or row.network_id != network.id:
            raise NotFoundError(f"network {network.key!r} has no progress report {report_id}")
        if "retracted" in row.payload:
            by = row.payload["retracted"]
            raise ConflictError(
                f"report {report_id} was retracted already, by {by['by']} at {by['at']}"
            )
        rest = _Ledger()
        for other in _rows_after(session, network, 0):
            if other.id != report_id:
                rest.add(other)
        if rest.as_of is not None:
            domain = network_of(network)
            try:
                read_progress(
                    domain,
                    rest.document(rest.as_of),
                    f"progress of {network.key}",
                    current_domain_plan(session, network, domain),
                )
            except InputError as exc:
                where = f" at {exc.location}" if exc.location else ""
                raise InputError(
                    SOURCE,
                    "report",
                    f"without report {report_id} the other reports contradict each other"
                    f"{where}: {exc.problem}; retract those first",
                ) from None
        stamp = {"by": user_name, "at": utc_now().isoformat(), "reason": reason}
        row.payload = {**row.payload, "retracted": stamp}
        audit.record(
            session,
            user=user_name,
            action="retract",
            subject=f"progress/{report_id}",
            network_key=network.key,
            reason=reason,
            detail={"idempotency_key": row.idempotency_key, "record": row.payload["record"]},
        )
        session.commit()
        _ledgers.pop(_network_identity(network), None)
        return row


def list_reports(
    session: Session,
    network: NetworkRow,
    *,
    limit: int,
    offset: int,
    plant: str | None = None,
) -> tuple[list[ProgressRow], int]:
    """A page of the network's reports, newest first, and how many there are."""
    query = select(ProgressRow).where(ProgressRow.network_id == network.id)
    if plant is not None:
        query = query.where(ProgressRow.plant_id == plant)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(ProgressRow.id.desc()).limit(limit).offset(offset)).all()
    return list(rows), total


# ---- the merged progress of a network, kept in memory between reports ---------------


@dataclass(slots=True)
class _Ledger:
    """The merged reports of one network: each collection's records by identity."""

    last_id: int = 0
    count: int = 0
    as_of: datetime | None = None
    records: dict[str, dict[Hashable, dict[str, Any]]] = field(
        default_factory=lambda: {name: {} for name in _COLLECTIONS}
    )

    @property
    def next_id(self) -> int:
        return self.last_id + 1

    def add(self, row: ProgressRow) -> None:
        self.last_id = max(self.last_id, row.id)
        self.count += 1
        if "retracted" in row.payload:
            return
        collection = COLLECTION_BY_KIND[row.kind]
        record = row.payload["record"]
        self.records[collection][_identity(collection, record, row.id)] = record
        self.as_of = _later(self.as_of, datetime.fromisoformat(row.payload["as_of"]))

    def step(self, work_order: object, step: object) -> dict[str, Any] | None:
        return self.records["steps"].get(("steps", work_order, step))

    def document(
        self,
        as_of: datetime | None,
        extra: tuple[str, Hashable, dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """The progress file data; ``extra`` = (collection, identity, record) added."""
        records = {name: dict(by_identity) for name, by_identity in self.records.items()}
        if extra is not None:
            collection, identity, record = extra
            records[collection][identity] = record
        document: dict[str, Any] = {"as_of": None if as_of is None else as_of.isoformat()}
        for name in _COLLECTIONS:
            if records[name]:
                document[name] = list(records[name].values())
        return document


_ledgers: dict[Hashable, _Ledger] = {}
_locks: dict[Hashable, threading.Lock] = {}
_locks_guard = threading.Lock()


def _network_identity(network: NetworkRow) -> Hashable:
    return (network.id, network.key, network.created_at)


def _lock_of(network: NetworkRow) -> threading.Lock:
    """One lock per network: its reports are checked against each other one at a time."""
    with _locks_guard:
        return _locks.setdefault(_network_identity(network), threading.Lock())


def _ledger(session: Session, network: NetworkRow) -> _Ledger:
    """The network's merged reports, brought up to date with the database."""
    count, last_id = session.execute(
        select(func.count(), func.max(ProgressRow.id)).where(ProgressRow.network_id == network.id)
    ).one()
    identity = _network_identity(network)
    ledger = _ledgers.get(identity)
    if ledger is None or (ledger.count, ledger.last_id) != (count, last_id or 0):
        ledger = ledger if ledger is not None and count > ledger.count else _Ledger()
        for row in _rows_after(session, network, ledger.last_id):
            ledger.add(row)
        if ledger.count != count:  # a report committed out of id order: read them all
            ledger = _Ledger()
            for row in _rows_after(session, network, 0):
                ledger.add(row)
        _ledgers[identity] = ledger
    return ledger


def _rows_after(session: Session, network: NetworkRow, last_id: int) -> Iterable[ProgressRow]:
    return session.scalars(
        select(ProgressRow)
        .where(ProgressRow.network_id == network.id, ProgressRow.id > last_id)
        .order_by(ProgressRow.id)
    )


# ---- one report ---------------------------------------------------------------------


def _check_key(key: str) -> None:
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not _PRINTABLE_KEY.fullmatch(key):
        raise InputError(
            SOURCE,
            "Idempotency-Key",
            f"the Idempotency-Key header must be 1 to {MAX_KEY_LENGTH} printable ASCII "
            "characters without spaces, e.g. a UUID",
        )


def _by_key(session: Session, network: NetworkRow, key: str) -> ProgressRow | None:
    return session.scalar(
        select(ProgressRow).where(
            ProgressRow.network_id == network.id, ProgressRow.idempotency_key == key
        )
    )


def _replay(earlier: ProgressRow, request: dict[str, Any], user_name: str) -> ReportResult:
    """The first answer to a retry: only the same user's same report is one."""
    if earlier.payload["request"] != request or earlier.reported_by != user_name:
        raise ConflictError(
            f"the Idempotency-Key {earlier.idempotency_key!r} was used for another report "
            f"(report {earlier.id}, {earlier.kind}, at {earlier.created_at.isoformat()}); "
            "a new report needs a new key"
        )
    return ReportResult(earlier, replayed=True)


def _full_record(kind: str, record: dict[str, Any], ledger: _Ledger) -> dict[str, Any]:
    """The record in the progress file's form that the report amounts to."""
    if COLLECTION_BY_KIND[kind] != "steps":
        return dict(record)
    allowed = _FIELDS_BY_STEP_KIND[kind]
    for name in record:
        if name not in allowed:
            raise InputError(
                SOURCE,
                f"record.{name}",
                f"unknown field {name!r} for a {kind} report "
                f"(expected one of: {', '.join(sorted(allowed))})",
            )
    for name in _REQUIRED_BY_STEP_KIND[kind]:
        if name not in record:
            raise InputError(SOURCE, f"record.{name}", f"the required field {name!r} is missing")
    if not isinstance(record["work_order"], str):
        raise InputError(SOURCE, "record.work_order", "the work order is an ID, as text")
    step = record["step"]
    if isinstance(step, bool) or not isinstance(step, int):
        raise InputError(SOURCE, "record.step", f"the step is a whole number, not {step!r}")
    earlier = ledger.step(record["work_order"], record["step"])
    if kind == "step_started":
        _refuse_done(earlier, record, kind)
        return {**record, "status": "started"}
    if kind == "step_done":
        base = {} if earlier is None else earlier
        kept: dict[str, Any] = {
            name: base[name] for name in ("plant", "machine", "unit", "start") if name in base
        }
        return {**kept, **record, "status": "done"}
    if earlier is None:
        raise InputError(
            SOURCE,
            "record.step",
            f"step {record['step']} of {record['work_order']!r} has not been reported "
            f"started; a {kind} report amends a started step (report step_started first)",
        )
    _refuse_done(earlier, record, kind)
    if kind == "quantity_done":
        return {**earlier, **record}
    scrapped = record["scrapped"]
    if isinstance(scrapped, bool) or not isinstance(scrapped, int) or scrapped < 1:
        raise InputError(
            SOURCE,
            "record.scrapped",
            f"units scrapped must be a whole number of at least 1, not {scrapped!r}",
        )
    return {**earlier, "scrapped": int(earlier.get("scrapped", 0)) + scrapped}


def _refuse_done(earlier: dict[str, Any] | None, record: dict[str, Any], kind: str) -> None:
    if earlier is not None and earlier.get("status") == "done":
        raise InputError(
            SOURCE,
            "record.step",
            f"step {record['step']} of {record['work_order']!r} is already reported done "
            f"(ended {earlier.get('end')}); a {kind} report cannot reopen it",
        )


def _identity(collection: str, record: dict[str, Any], row_id: int) -> Hashable:
    fields = _IDENTITY_BY_COLLECTION.get(collection)
    if fields is None:
        return (collection, row_id)
    return (collection, *(_hashable(record.get(name)) for name in fields))


def _hashable(value: object) -> Hashable:
    return value if isinstance(value, str | int | float | type(None)) else repr(value)


def _report_as_of(
    collection: str,
    record: dict[str, Any],
    given: datetime | None,
    so_far: datetime | None,
    network: Network,
) -> datetime:
    zone = network.start.tzinfo
    if given is not None:
        return given if given.tzinfo is not None else given.replace(tzinfo=zone)
    instants = [
        _instant(record.get(name), network) for name in _HAPPENED_BY_COLLECTION.get(collection, ())
    ]
    latest = max((i for i in instants if i is not None), default=None)
    return _later(latest, so_far) or network.start


def _instant(value: object, network: Network) -> datetime | None:
    """An ISO date or date-time of a record, in the network's zone; ``None`` if unreadable
    (the progress reader then names the field)."""
    if not isinstance(value, str):
        return None
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        return None
    if len(value) <= len("1958-07-01"):
        instant = datetime.combine(instant.date(), time(0))
    zone = network.start.tzinfo
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=zone)


def _later(first: datetime | None, second: datetime | None) -> datetime | None:
    if first is None:
        return second
    if second is None:
        return first
    return max(first, second)


def _check_against(
    ledger: _Ledger,
    collection: str,
    identity: Hashable,
    record: dict[str, Any],
    as_of: datetime,
    session: Session,
    network: NetworkRow,
) -> None:
    """Read the merged progress with the new record as a replan would, naming its field."""
    document = ledger.document(_later(ledger.as_of, as_of), (collection, identity, record))
    identities = list(ledger.records[collection])
    idx = identities.index(identity) if identity in identities else len(identities)
    domain = network_of(network)
    previous = current_domain_plan(session, network, domain)
    try:
        read_progress(domain, document, f"progress of {network.key}", previous)
    except InputError as exc:
        location, problem = exc.location, exc.problem
        match = _LOCATION.fullmatch(location.split(" (line")[0])
        if match and match["collection"] == collection and int(match["idx"]) == idx:
            rest = match["rest"]
            raise InputError(SOURCE, "record" if not rest else f"record.{rest}", problem) from None
        if location == "as_of":
            raise InputError(SOURCE, "as_of", problem) from None
        where = f" (at {location} of the network's progress)" if location else ""
        raise InputError(
            SOURCE, "record", f"the report contradicts the earlier reports{where}: {problem}"
        ) from None
