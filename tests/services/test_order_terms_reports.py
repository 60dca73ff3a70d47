"""Order groups, ex-works due dates and responsible plants in the order lines and ledger."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from xiezuo.errors import InputError
from xiezuo.io import load_scenario
from xiezuo.planning.params import PlanParams
from xiezuo.planning.solve import plan
from xiezuo.services.ledger import build_ledger, critical_chain, ledger_for_plant
from xiezuo.services.plan_tables import plan_tables
from xiezuo.services.reports import OrderLine, order_lines
from xiezuo.web.ledger_page import chain_headline

STEELWORKS = Path(__file__).parents[1] / "data" / "orders" / "steelworks.yaml"


@pytest.fixture(scope="module")
def lines() -> dict[str, OrderLine]:
    network = load_scenario(STEELWORKS)
    return {line.order_id: line for line in order_lines(network, plan(network, PlanParams()))}


def test_each_order_of_a_group_shows_the_group_lateness(lines: dict[str, OrderLine]) -> None:
    """MILL-B goes first (priority 3) or second: either way one of the two is 2 days
    late, and both lines show the group 2 days late."""
    assert lines["MILL-A"].group == lines["MILL-B"].group == "steelworks"
    assert lines["MILL-A"].group_lateness == lines["MILL-B"].group_lateness == timedelta(days=2)
    assert lines["EXPORT"].group is None
    assert lines["EXPORT"].group_lateness is None
    assert lines["MILL-A"].record()["group_lateness_hours"] == 48.0


def test_an_order_late_ex_works_is_late(lines: dict[str, OrderLine]) -> None:
    """EXPORT arrives weeks early at the customer but leaves its plant a day late."""
    export = lines["EXPORT"]
    assert export.delivery is not None
    assert not export.delivery.is_late
    assert export.ex_works_lateness == timedelta(days=1)
    assert export.is_late
    assert export.record()["ex_works_lateness_hours"] == 24.0


def test_the_responsible_plant_is_shown_not_imposed(lines: dict[str, OrderLine]) -> None:
    """OFFICE took MILL-A on but has no lathe: WORKS makes it, OFFICE answers for it."""
    assert lines["MILL-A"].responsible_plant == "OFFICE"
    assert lines["MILL-A"].plants == ("WORKS",)
    assert lines["MILL-A"].record()["responsible_plant"] == "OFFICE"


def test_the_chain_names_the_plant_that_took_the_order_on() -> None:
    network = load_scenario(STEELWORKS)
    result = plan(network, PlanParams())
    chain = critical_chain(network, result, "MILL-A")
    assert chain.responsible_plant == "OFFICE"
    assert chain.plant_id == "WORKS"
    assert "(SHAFT at WORKS, taken on by OFFICE)" in chain_headline(chain)
    assert chain.record()["responsible_plant"] == "OFFICE"
    # OFFICE runs no work, yet its own ledger shows the late mill it took on (one of
    # the two is 2 days late, the other on time).
    office = ledger_for_plant(build_ledger(network, result), "OFFICE")
    late = [c.order_id for c in office.late_orders]
    assert len(late) == 1
    assert late[0] in {"MILL-A", "MILL-B"}


def test_an_unknown_responsible_plant_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    text = STEELWORKS.read_text(encoding="utf-8")
    path.write_text(text.replace("responsible_plant: OFFICE", "responsible_plant: MARS"), "utf-8")
    with pytest.raises(InputError, match=r"bad\.yaml: orders\[0\]\.responsible_plant .*'MARS'"):
        load_scenario(path)


def test_the_plan_tables_call_an_order_late_ex_works_late() -> None:
    network = load_scenario(STEELWORKS)
    tables = plan_tables(network, plan(network, PlanParams()))
    status = {row.order_id: row.status for row in tables.orders}
    assert status["EXPORT"] == "late"
