"""Networks kept in the database: scenario files round-trip, edits are checked and audited."""

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select

from xiezuo.errors import ConflictError, InputError, NotFoundError
from xiezuo.io.scenario import load_scenario, read_input_data
from xiezuo.services import networks
from xiezuo.services.networks import EntityRef
from xiezuo.storage.database import make_engine, session_factory, upgrade
from xiezuo.storage.models import AuditRow, JobRow, NetworkRow, PlanRow, ProgressRow

EXAMPLES = Path(__file__).parents[2] / "examples"


@pytest.fixture
def sessions(db_url):
    upgrade(db_url)
    engine = make_engine(db_url)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def minimal(sessions):
    with sessions() as session:
        networks.import_scenario(session, "minimal", EXAMPLES / "minimal.yaml", user="setup")
        session.commit()
    return "minimal"


@pytest.mark.parametrize("example", ["chongqing-1958.yaml", "minimal.yaml"])
@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_import_then_export_gives_the_same_file_data_and_network(
    sessions, tmp_path, example, suffix
):
    source = EXAMPLES / example
    with sessions() as session:
        networks.import_scenario(session, "net", source, user="planner")
        session.commit()
    with sessions() as session:  # read back from the database, not the session's memory
        exported = tmp_path / f"exported{suffix}"
        networks.export_scenario(networks.get_network(session, "net"), exported)
    assert read_input_data(exported, "scenario")[0] == read_input_data(source, "scenario")[0]
    assert load_scenario(exported) == load_scenario(source)


def test_an_exported_file_imports_and_exports_to_the_same_bytes(sessions, tmp_path):
    first, second = tmp_path / "first.yaml", tmp_path / "second.yaml"
    with sessions() as session:
        row = networks.import_scenario(
            session, "one", EXAMPLES / "chongqing-1958.yaml", user="planner"
        )
        networks.export_scenario(row, first)
        networks.export_scenario(networks.import_scenario(session, "two", first, user="p"), second)
    assert second.read_bytes() == first.read_bytes()


def test_text_that_looks_like_a_number_stays_text_through_yaml(sessions, tmp_path):
    data = read_input_data(EXAMPLES / "minimal.yaml", "scenario")[0]
    assert isinstance(data, dict)
    data["network"]["name"] = "1e5"
    data["regions"] = ["North", "007", "true", ".5"]
    out = tmp_path / "odd.yaml"
    with sessions() as session:
        networks.export_scenario(networks.create_network(session, "odd", data, user="p"), out)
    assert read_input_data(out, "scenario")[0] == data


def test_a_bad_file_names_the_file_and_line(sessions, tmp_path):
    bad = tmp_path / "bad.yaml"
    text = (EXAMPLES / "minimal.yaml").read_text().replace("item: PUMP", "item: PUMPS")
    bad.write_text(text)
    with sessions() as session, pytest.raises(InputError, match=r"bad\.yaml.*line \d+.*PUMPS"):
        networks.import_scenario(session, "bad", bad, user="p")


def test_a_taken_key_is_a_conflict(sessions, minimal):
    with sessions() as session, pytest.raises(ConflictError, match="already a network 'minimal'"):
        networks.import_scenario(session, minimal, EXAMPLES / "minimal.yaml", user="p")


@pytest.mark.parametrize("key", ["", "a b", "../x", "x" * 101, "-lead"])
def test_a_key_unfit_for_urls_is_refused(sessions, key):
    data = read_input_data(EXAMPLES / "minimal.yaml", "scenario")[0]
    with sessions() as session, pytest.raises(InputError, match="not a network key"):
        networks.create_network(session, key, data, user="p")


def test_an_edit_bumps_the_version_and_is_audited_with_before_and_after(sessions, minimal):
    ref = EntityRef("orders", ("N-1",))
    with sessions() as session:
        row = networks.get_network(session, minimal)
        tag = networks.etag(networks.get_entity(row, ref))
        networks.patch_entity(
            session, row, ref, {"priority": 5}, if_match=tag, user="ann", reason="meeting"
        )
        session.commit()
    with sessions() as session:
        row = networks.get_network(session, minimal)
        entry = session.scalars(select(AuditRow).order_by(AuditRow.id.desc())).first()
    assert row.version == 2
    assert networks.get_entity(row, ref)["priority"] == 5
    assert entry is not None
    assert (entry.user_name, entry.action, entry.subject, entry.reason) == (
        "ann",
        "update",
        "orders/N-1",
        "meeting",
    )
    assert "priority" not in entry.detail["before"]
    assert entry.detail["after"]["priority"] == 5


def test_an_edit_from_a_stale_read_is_a_conflict_and_changes_nothing(sessions, minimal):
    ref = EntityRef("orders", ("N-1",))
    with sessions() as session:
        row = networks.get_network(session, minimal)
        stale = networks.etag(networks.get_entity(row, ref))
        networks.patch_entity(session, row, ref, {"priority": 2}, if_match=stale, user="a")
        session.commit()
        with pytest.raises(ConflictError, match="orders/N-1 has changed"):
            networks.patch_entity(session, row, ref, {"priority": 3}, if_match=stale, user="b")
    with sessions() as session:
        assert networks.get_entity(networks.get_network(session, minimal), ref)["priority"] == 2


def test_two_sessions_editing_different_entities_both_keep_their_change(sessions, minimal):
    order, machine = EntityRef("orders", ("N-1",)), EntityRef("machines", ("lathe",), "WORKS")
    with sessions() as first, sessions() as second:
        row_a = networks.get_network(first, minimal)
        row_b = networks.get_network(second, minimal)
        tag_a = networks.etag(networks.get_entity(row_a, order))
        tag_b = networks.etag(networks.get_entity(row_b, machine))
        networks.patch_entity(first, row_a, order, {"priority": 7}, if_match=tag_a, user="a")
        first.commit()
        networks.patch_entity(second, row_b, machine, {"units": 4}, if_match=tag_b, user="b")
        second.commit()
    with sessions() as session:
        row = networks.get_network(session, minimal)
        assert row.version == 3
        assert networks.get_entity(row, order)["priority"] == 7
        assert networks.get_entity(row, machine)["units"] == 4


def test_an_edit_that_breaks_a_reference_names_the_field(sessions, minimal):
    ref = EntityRef("orders", ("N-1",))
    with sessions() as session:
        row = networks.get_network(session, minimal)
        with pytest.raises(InputError, match=r"orders\[0\]\.item: unknown item 'PUMPS'"):
            networks.patch_entity(session, row, ref, {"item": "PUMPS"}, if_match="*", user="a")


def test_deleting_what_others_refer_to_is_a_conflict_naming_the_reference(sessions, minimal):
    with sessions() as session:
        row = networks.get_network(session, minimal)
        with pytest.raises(ConflictError, match=r"items/SHAFT cannot be deleted.*unknown item"):
            networks.delete_entity(
                session, row, EntityRef("items", ("SHAFT",)), if_match="*", user="a"
            )


def test_entities_by_pair_and_by_position(sessions, minimal):
    stock = {"plant": "WORKS", "material": "steel", "quantity": 5}
    supply = {"plant": "WORKS", "material": "steel", "quantity": 2, "arrives": "2027-03-04"}
    with sessions() as session:
        row = networks.get_network(session, minimal)
        networks.create_entity(session, row, "materials", {"id": "steel", "unit": "t"}, user="p")
        ref, _ = networks.create_entity(session, row, "stock", stock, user="p")
        assert ref == EntityRef("stock", ("WORKS", "steel"))
        with pytest.raises(ConflictError, match="stock/WORKS/steel exists already"):
            networks.create_entity(session, row, "stock", stock, user="p")
        ref, _ = networks.create_entity(session, row, "supplies", supply, user="p")
        assert ref == EntityRef("supplies", ("0",))
        assert networks.get_entity(row, ref) == supply
        with pytest.raises(NotFoundError, match="no supplies/1"):
            networks.get_entity(row, EntityRef("supplies", ("1",)))


def test_plain_names_are_shown_as_objects_with_an_id(sessions, minimal):
    with sessions() as session:
        row = networks.get_network(session, minimal)
        networks.create_entity(session, row, "skills", {"id": "welder"}, user="p")
        assert networks.list_entities(row, "skills") == [{"id": "welder"}]
        assert row.spec["skills"] == ["welder"]


def test_the_key_in_the_body_must_be_the_one_addressed(sessions, minimal):
    ref = EntityRef("orders", ("N-1",))
    with sessions() as session:
        row = networks.get_network(session, minimal)
        body = {**networks.get_entity(row, ref), "id": "N-2"}
        with pytest.raises(InputError, match="must name orders/N-1"):
            networks.replace_entity(session, row, ref, body, if_match="*", user="p")


def test_deleting_a_network_deletes_its_plans_jobs_and_reports(sessions, minimal):
    with sessions() as session:
        row = networks.get_network(session, minimal)
        plan = PlanRow(
            network_id=row.id,
            number=1,
            kind="plan",
            requested_by="p",
            inputs={},
            status="optimal",
            violations=[],
            plan={},
        )
        session.add(plan)
        session.flush()
        session.add_all(
            [
                JobRow(
                    network_id=row.id,
                    kind="plan",
                    status="done",
                    requested_by="p",
                    params={},
                    progress={},
                    plan_id=plan.id,
                ),
                ProgressRow(
                    network_id=row.id,
                    idempotency_key="k",
                    kind="count",
                    payload={},
                    reported_by="p",
                ),
            ]
        )
        session.commit()
        networks.delete_network(session, row, expected_version=1, user="p")
        session.commit()
    with sessions() as session:
        for table in (NetworkRow, PlanRow, JobRow, ProgressRow):
            assert session.scalar(select(func.count()).select_from(table)) == 0


def test_a_network_with_a_job_under_way_is_not_deleted(sessions, minimal):
    with sessions() as session:
        row = networks.get_network(session, minimal)
        session.add(
            JobRow(
                network_id=row.id,
                kind="plan",
                status="queued",
                requested_by="p",
                params={},
                progress={},
            )
        )
        session.commit()
        with pytest.raises(ConflictError, match="solve job 1 queued or running; cancel it"):
            networks.delete_network(session, row, expected_version=1, user="p")


def test_simultaneous_edits_of_different_entities_all_keep_their_change(sessions, minimal):
    """Each edit rewrites the whole scenario; none may overwrite another's."""
    changes: list[tuple[EntityRef, dict[str, object]]] = []
    for item in ("BLANK", "SHAFT", "PUMP"):
        changes.append((EntityRef("items", (item,)), {"name": f"the {item.lower()}"}))
    for plant, machine in (("FORGE", "hammer"), ("WORKS", "lathe"), ("WORKS", "bay")):
        changes.append((EntityRef("machines", (machine,), plant), {"units": 3}))
    start = threading.Barrier(len(changes))

    def edit(ref: EntityRef, patch: dict[str, object]) -> None:
        with sessions() as session:
            row = networks.get_network(session, minimal)
            tag = networks.etag(networks.get_entity(row, ref))
            start.wait()
            networks.patch_entity(session, row, ref, patch, if_match=tag, user="p")
            session.commit()

    with ThreadPoolExecutor(len(changes)) as pool:
        for done in [pool.submit(edit, ref, patch) for ref, patch in changes]:
            done.result()
    with sessions() as session:
        row = networks.get_network(session, minimal)
        assert row.version == 1 + len(changes)
        for ref, patch in changes:
            assert networks.get_entity(row, ref).items() >= patch.items()
