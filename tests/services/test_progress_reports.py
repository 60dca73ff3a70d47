"""Progress reports: applied once per idempotency key, merged, checked field by field."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from xiezuo.errors import ConflictError, InputError, NotFoundError
from xiezuo.services import networks, progress_reports
from xiezuo.services.progress_reports import ReportResult
from xiezuo.storage.models import AuditRow, ProgressRow

BLANK = "N-1:PUMP/SHAFT/BLANK"
STARTED = {
    "work_order": BLANK,
    "step": 1,
    "plant": "FORGE",
    "machine": "hammer",
    "unit": 0,
    "start": "2027-03-01T06:00",
}


def allow(_plant: str) -> None:
    """Every plant may be reported (a planner)."""


def report(
    sessions: sessionmaker[Session],
    key: str,
    kind: str,
    record: dict[str, Any],
    *,
    as_of: datetime | None = None,
    reason: str = "",
    authorize: Callable[[str], None] = allow,
    network: str = "minimal",
) -> ReportResult:
    with sessions() as session:
        row = networks.get_network(session, network)
        return progress_reports.apply_report(
            session,
            row,
            key=key,
            kind=kind,
            record=record,
            as_of=as_of,
            reason=reason,
            user_name="forge",
            authorize=authorize,
        )


def document(sessions: sessionmaker[Session], network: str = "minimal") -> dict[str, Any]:
    with sessions() as session:
        merged = progress_reports.progress_document(session, networks.get_network(session, network))
    assert merged is not None
    return merged


def stored(sessions: sessionmaker[Session]) -> int | None:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(ProgressRow))


def test_a_report_is_stored_with_an_audit_row_and_merged_as_of_its_latest_instant(
    sessions, minimal
):
    result = report(sessions, "k1", "step_started", STARTED, reason="night shift")
    assert not result.replayed
    assert result.row.payload["record"] == {**STARTED, "status": "started"}
    merged = document(sessions)
    assert merged == {
        "as_of": "2027-03-01T06:00:00+01:00",
        "steps": [{**STARTED, "status": "started"}],
    }
    with sessions() as session:
        audit = session.scalars(select(AuditRow).where(AuditRow.action == "report")).one()
    assert (audit.subject, audit.reason, audit.network_key) == (
        "progress/step_started",
        "night shift",
        "minimal",
    )


def test_a_retried_key_returns_the_first_report_and_changes_nothing(sessions, minimal):
    first = report(sessions, "k1", "step_started", STARTED)
    again = report(sessions, "k1", "step_started", STARTED)
    assert again.replayed
    assert again.row.id == first.row.id
    assert stored(sessions) == 1


def test_a_key_reused_for_another_report_is_a_conflict(sessions, minimal):
    report(sessions, "k1", "step_started", STARTED)
    with pytest.raises(ConflictError, match="'k1' was used for another report"):
        report(sessions, "k1", "step_started", {**STARTED, "unit": 0, "start": "2027-03-01T07:00"})
    assert stored(sessions) == 1


@pytest.mark.parametrize("key", ["", "two words", "x" * 201, "ключ"])
def test_a_bad_idempotency_key_is_refused(sessions, minimal, key):
    with pytest.raises(InputError, match="Idempotency-Key") as caught:
        report(sessions, key, "step_started", STARTED)
    assert caught.value.location == "Idempotency-Key"


def test_a_record_that_contradicts_the_network_names_its_field(sessions, minimal):
    with pytest.raises(InputError, match="unit 3") as caught:
        report(sessions, "k1", "step_started", {**STARTED, "unit": 3})
    assert caught.value.location == "record.unit"
    assert stored(sessions) == 0


def test_a_misspelt_field_is_named(sessions, minimal):
    with pytest.raises(InputError, match="unknown field 'materal'") as caught:
        report(sessions, "k1", "count", {"plant": "FORGE", "materal": "steel", "quantity": 3})
    assert caught.value.location == "record.materal"


def test_a_record_that_contradicts_an_earlier_report_is_refused(sessions, minimal):
    report(sessions, "k1", "step_started", STARTED)
    finished_elsewhere = {"work_order": BLANK, "plant": "WORKS", "finished": "2027-03-01T12:00"}
    with pytest.raises(InputError) as caught:
        report(sessions, "k2", "finished", finished_elsewhere)
    assert caught.value.location.startswith("record")
    assert stored(sessions) == 1


def test_step_done_takes_the_place_of_its_started_report(sessions, minimal):
    report(sessions, "k1", "step_started", STARTED)
    done = report(
        sessions, "k2", "step_done", {"work_order": BLANK, "step": 1, "end": "2027-03-01T20:00"}
    )
    expected = {**STARTED, "end": "2027-03-01T20:00", "status": "done"}
    assert done.row.payload["record"] == expected
    assert document(sessions) == {"as_of": "2027-03-01T20:00:00+01:00", "steps": [expected]}


def test_a_done_step_cannot_be_reported_started_again(sessions, minimal):
    report(sessions, "k1", "step_done", {**STARTED, "end": "2027-03-01T20:00"})
    with pytest.raises(InputError, match="already reported done") as caught:
        report(sessions, "k2", "step_started", STARTED)
    assert caught.value.location == "record.step"


def test_quantities_and_scrap_amend_the_started_step(sessions, minimal):
    report(sessions, "k1", "step_started", STARTED)
    report(sessions, "k2", "quantity_done", {"work_order": BLANK, "step": 1, "quantity_done": 1})
    report(sessions, "k3", "scrap", {"work_order": BLANK, "step": 1, "scrapped": 1})
    report(sessions, "k4", "scrap", {"work_order": BLANK, "step": 1, "scrapped": 1})
    (step,) = document(sessions)["steps"]
    assert (step["quantity_done"], step["scrapped"], step["status"]) == (1, 2, "started")


def test_a_quantity_for_a_step_never_started_is_refused(sessions, minimal):
    with pytest.raises(InputError, match="has not been reported started") as caught:
        report(
            sessions, "k1", "quantity_done", {"work_order": BLANK, "step": 1, "quantity_done": 1}
        )
    assert caught.value.location == "record.step"


@pytest.mark.parametrize("scrapped", [0, -1, True, "2"])
def test_scrap_is_a_positive_whole_number(sessions, minimal, scrapped):
    report(sessions, "k1", "step_started", STARTED)
    with pytest.raises(InputError, match="whole number") as caught:
        report(sessions, "k2", "scrap", {"work_order": BLANK, "step": 1, "scrapped": scrapped})
    assert caught.value.location == "record.scrapped"


def test_a_later_count_replaces_the_earlier_one_and_receipts_add_up(sessions, chongqing):
    count = {"plant": "CAC", "material": "copper", "quantity": 3420}
    receipt = {
        "plant": "CMT",
        "material": "steel-bar",
        "quantity": 15,
        "arrived": "1958-07-01T16:00",
    }
    as_of = datetime.fromisoformat("1958-07-02T00:00+08:00")
    reports = [
        ("count", count),
        ("receipt", receipt),
        ("count", {**count, "quantity": 3400}),
        ("receipt", receipt),
    ]
    for idx, (kind, record) in enumerate(reports):
        report(sessions, f"k{idx}", kind, record, as_of=as_of, network=chongqing)
    merged = document(sessions, chongqing)
    assert merged["counts"] == [{**count, "quantity": 3400}]
    assert merged["receipts"] == [receipt, receipt]
    assert merged["as_of"] == "1958-07-02T00:00:00+08:00"


def test_an_unauthorised_plant_stores_nothing(sessions, minimal):
    def only_works(plant):
        if plant != "WORKS":
            raise PermissionError(plant)

    with pytest.raises(PermissionError, match="FORGE"):
        report(sessions, "k1", "step_started", STARTED, authorize=only_works)
    assert stored(sessions) == 0


def test_a_report_stored_by_another_server_process_joins_the_merged_progress(sessions, minimal):
    report(sessions, "k1", "step_started", STARTED)
    document(sessions)  # remembered in this process
    done = {**STARTED, "end": "2027-03-01T20:00", "status": "done"}
    with sessions() as session:
        network = networks.get_network(session, "minimal")
        session.add(
            ProgressRow(
                network_id=network.id,
                idempotency_key="elsewhere",
                kind="step_done",
                plant_id="FORGE",
                payload={"request": {}, "record": done, "as_of": "2027-03-01T20:00:00+01:00"},
                reported_by="forge",
            )
        )
        session.commit()
    assert document(sessions) == {"as_of": "2027-03-01T20:00:00+01:00", "steps": [done]}


def test_an_unknown_kind_is_refused(sessions, minimal):
    with pytest.raises(InputError, match="unknown kind") as caught:
        report(sessions, "k1", "teleport", STARTED)
    assert caught.value.location == "kind"


def retract(sessions: sessionmaker[Session], report_id: int, reason: str = "wrong unit") -> None:
    with sessions() as session:
        progress_reports.retract_report(
            session,
            networks.get_network(session, "minimal"),
            report_id,
            user_name="planner",
            reason=reason,
        )


def test_a_retracted_report_leaves_the_progress_but_its_key_still_applies_once(sessions, minimal):
    first = report(sessions, "k1", "step_started", STARTED)
    retract(sessions, first.row.id)
    with sessions() as session:
        merged = progress_reports.progress_document(
            session, networks.get_network(session, "minimal")
        )
    assert merged is None
    again = report(sessions, "k1", "step_started", STARTED)
    assert again.replayed
    assert again.row.payload["retracted"]["reason"] == "wrong unit"
    assert stored(sessions) == 1
    report(sessions, "k2", "step_started", {**STARTED, "start": "2027-03-01T07:00"})
    assert document(sessions)["steps"][0]["start"] == "2027-03-01T07:00"


def test_a_report_the_others_need_cannot_be_retracted(sessions, minimal):
    done = report(sessions, "k1", "step_done", {**STARTED, "end": "2027-03-01T20:00"})
    shaft = {
        "work_order": "N-1:PUMP/SHAFT",
        "step": 1,
        "plant": "WORKS",
        "machine": "lathe",
        "start": "2027-03-03T06:00",
    }
    report(sessions, "k2", "step_started", shaft)
    with pytest.raises(InputError, match="contradict each other") as caught:
        retract(sessions, done.row.id)
    assert caught.value.location == "report"


def test_a_report_is_retracted_once(sessions, minimal):
    first = report(sessions, "k1", "step_started", STARTED)
    retract(sessions, first.row.id)
    with pytest.raises(ConflictError, match="retracted already"):
        retract(sessions, first.row.id)
    with pytest.raises(NotFoundError, match="no progress report 99"):
        retract(sessions, 99)
