"""The bundled Chongqing 1958 example loads, validates and has the intended size."""

from __future__ import annotations

from pathlib import Path

import pytest

from xiezuo.domain import Network, explode_orders, find_issues
from xiezuo.io import load_scenario

EXAMPLE = Path(__file__).parents[2] / "examples" / "chongqing-1958.yaml"


@pytest.fixture(scope="module")
def example() -> Network:
    return load_scenario(EXAMPLE)


def test_example_has_five_plants_and_at_most_twenty_machine_groups(example: Network) -> None:
    assert len(example.plants) == 5
    assert 12 <= sum(1 for _ in example.iter_machines()) <= 20


def test_example_size_suits_a_quick_solve(example: Network) -> None:
    work_orders = explode_orders(example)
    operations = sum(
        len(example.item_by_id[wo.item_id].routings[0].operations) for wo in work_orders
    )
    assert 30 <= len(example.orders) <= 45
    assert 250 <= len(work_orders) <= 400
    assert 500 <= operations <= 900


def test_example_can_make_every_order(example: Network) -> None:
    assert find_issues(example) == ()


def test_example_has_an_item_with_alternative_routings(example: Network) -> None:
    assert any(len(item.routings) > 1 for item in example.items)


def test_example_orders_twenty_six_rolling_mills(example: Network) -> None:
    mills = [o for o in example.orders if o.item_id.startswith("MILL-")]
    assert sum(o.quantity for o in mills) == 26
    assert {o.item_id for o in mills} == {"MILL-10K", "MILL-50K"}
