"""The size of a BOM explosion is known, and held to its limits, before it is built."""

from __future__ import annotations

import pytest

from tests.conftest import build_item, build_machine, build_network, build_order
from xiezuo.domain import BomLine, Network, Plant, explode_orders, validate_network
from xiezuo.domain.explosion import MAX_WORK_ORDERS, explosion_problems
from xiezuo.errors import ModelError

PLANT = Plant(id="P", machines=(build_machine("press", "forging"),))


def chain(depth: int) -> Network:
    """One order of an item whose BOM is a chain ``depth`` items long."""
    items = [
        build_item(f"I{k}", ("forging", 1), bom=(BomLine(item_id=f"I{k + 1}", quantity=1),))
        for k in range(depth - 1)
    ]
    items.append(build_item(f"I{depth - 1}", ("forging", 1)))
    return build_network((PLANT,), tuple(items), (build_order("O", "I0", 10),))


def test_a_bom_deeper_than_the_recursion_limit_is_checked_without_recursion() -> None:
    network = chain(1200)
    validate_network(network)
    assert len(explode_orders(network)) == 1200


def test_a_valid_network_has_no_explosion_problem() -> None:
    assert list(explosion_problems(chain(5))) == []


def test_shared_components_are_counted_once_per_bom_line() -> None:
    """A part used by two sub-assemblies makes two work orders, as the explosion does."""
    part = build_item("PART", ("forging", 1))
    left = build_item("LEFT", ("forging", 1), bom=(BomLine(item_id="PART", quantity=1),))
    right = build_item("RIGHT", ("forging", 1), bom=(BomLine(item_id="PART", quantity=1),))
    top = build_item(
        "TOP",
        ("forging", 1),
        bom=(BomLine(item_id="LEFT", quantity=1), BomLine(item_id="RIGHT", quantity=1)),
    )
    orders = tuple(build_order(f"O{k}", "TOP", 10) for k in range(MAX_WORK_ORDERS // 5 + 1))
    with pytest.raises(
        ModelError,
        match=r"'O0' explodes into 5 of the 200,005 work orders .* more than the limit of 200,000",
    ):
        build_network((PLANT,), (part, left, right, top), orders)


def test_the_largest_batch_follows_the_heaviest_bom_path() -> None:
    """PART is made 10 × 1,000 per TOP through MID and only 2 directly: the larger counts."""
    part = build_item("PART", ("forging", 1e-9))
    mid = build_item("MID", ("forging", 1e-9), bom=(BomLine(item_id="PART", quantity=1000),))
    top = build_item(
        "TOP",
        ("forging", 1e-9),
        bom=(BomLine(item_id="MID", quantity=10), BomLine(item_id="PART", quantity=2)),
    )
    with pytest.raises(ModelError, match=r"'PART' would be made in a batch of 1,000,000,000,000"):
        build_network((PLANT,), (part, mid, top), (build_order("O", "TOP", 10, quantity=10**8),))
