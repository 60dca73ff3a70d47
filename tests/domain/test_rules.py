"""Cross-object rules: references, BOM cycles, lanes, capability."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from tests.conftest import START, at, hours
from xiezuo.domain import (
    BomLine,
    Item,
    Lane,
    Machine,
    Network,
    Operation,
    Order,
    Plant,
    Routing,
    capable_plants,
    explode_orders,
    find_issues,
    validate_network,
)
from xiezuo.errors import ModelError


def _item(
    item_id: str,
    process: str = "forging",
    weight: float = 5,
    grade: int = 8,
    bom: tuple[BomLine, ...] = (),
) -> Item:
    return Item(
        id=item_id,
        weight_t=weight,
        precision_grade=grade,
        bom=bom,
        routings=(
            Routing(id="main", operations=(Operation(process=process, run_per_unit=hours(1)),)),
        ),
    )


def _network(**changes: object) -> Network:
    base = Network(
        start=START,
        processes=("forging", "gear-cutting"),
        regions=("R",),
        plants=(
            Plant(
                id="A",
                machines=(
                    Machine(id="press", process="forging", max_weight_t=60, precision_grade=9),
                ),
            ),
            Plant(
                id="B",
                machines=(
                    Machine(id="hob", process="gear-cutting", max_weight_t=5, precision_grade=5),
                ),
            ),
        ),
        items=(
            _item("MILL", bom=(BomLine(item_id="GEAR", quantity=2),), weight=40, grade=9),
            _item("GEAR", process="gear-cutting", weight=2, grade=6),
        ),
        orders=(Order(id="O1", region="R", item_id="MILL", due=at(100)),),
        lanes=(
            Lane(origin="A", destination="B", lead_time=hours(5)),
            Lane(origin="B", destination="A", lead_time=hours(5)),
            Lane(origin="A", destination="R", lead_time=hours(48)),
            Lane(origin="B", destination="R", lead_time=hours(48)),
        ),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_valid_network_passes() -> None:
    validate_network(_network())


def test_capability_needs_weight_and_precision() -> None:
    network = _network()
    assert [p.id for p in capable_plants(network, network.item_by_id["MILL"])] == ["A"]
    assert [p.id for p in capable_plants(network, network.item_by_id["GEAR"])] == ["B"]


def test_explosion_multiplies_quantities_down_the_bom() -> None:
    network = _network(orders=(Order(id="O1", region="R", item_id="MILL", quantity=3, due=at(10)),))
    work_orders = explode_orders(network)
    assert [(w.id, w.quantity, w.parent_id) for w in work_orders] == [
        ("O1:MILL", 3, None),
        ("O1:MILL/GEAR", 6, "O1:MILL"),
    ]


def test_unknown_references_are_all_listed() -> None:
    network = _network(
        orders=(
            Order(id="O1", region="Tibet", item_id="MILL", due=at(10)),
            Order(id="O2", region="R", item_id="ROCKET", due=at(10)),
        )
    )
    with pytest.raises(ModelError) as caught:
        validate_network(network)
    assert "unknown region 'Tibet'" in str(caught.value)
    assert "unknown item 'ROCKET'" in str(caught.value)
    assert len(caught.value.problems) == 2


def test_bom_cycle_is_named() -> None:
    network = _network(
        items=(
            _item("MILL", bom=(BomLine(item_id="GEAR", quantity=1),), weight=40, grade=9),
            _item(
                "GEAR",
                process="gear-cutting",
                bom=(BomLine(item_id="MILL", quantity=1),),
                weight=2,
                grade=6,
            ),
        )
    )
    with pytest.raises(ModelError, match="BOM cycle: MILL -> GEAR -> MILL"):
        validate_network(network)


def test_missing_lane_is_an_error_not_zero() -> None:
    network = _network(lanes=(Lane(origin="A", destination="R", lead_time=hours(1)),))
    with pytest.raises(ModelError, match="no lane from 'B' to 'A'"):
        validate_network(network)


def test_undeclared_process_is_an_error() -> None:
    network = _network(processes=("forging",))
    with pytest.raises(ModelError, match="process 'gear-cutting' is not declared"):
        validate_network(network)


def test_missing_capability_is_a_finding() -> None:
    network = _network(
        plants=(
            Plant(
                id="A",
                machines=(
                    Machine(id="press", process="forging", max_weight_t=60, precision_grade=9),
                ),
            ),
        ),
        lanes=(Lane(origin="A", destination="R", lead_time=timedelta(0)),),
    )
    validate_network(network)
    messages = [f.message for f in find_issues(network)]
    assert any("no plant can make item 'GEAR'" in m and "gear-cutting" in m for m in messages)
    assert any("order 'O1' cannot be made" in m for m in messages)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: Operation(process="x", run_per_unit=timedelta(0)),
            "run time per unit must be positive",
        ),
        (
            lambda: Operation(process="x", run_per_unit=hours(1), setup=-hours(1)),
            "setup time must not be negative",
        ),
        (lambda: BomLine(item_id="X", quantity=0), "quantity must be at least 1"),
        (
            lambda: Machine(id="m", process="x", units=0, max_weight_t=1, precision_grade=5),
            "units must be at least 1",
        ),
        (
            lambda: Order(id="o", region="R", item_id="X", quantity=0, due=at(1)),
            "quantity must be at least 1",
        ),
        (
            lambda: Lane(origin="A", destination="B", lead_time=-hours(1)),
            "lead time must not be negative",
        ),
        (lambda: Routing(id="r", operations=()), "at least one operation"),
    ],
)
def test_broken_local_invariants_raise_model_error(build: object, message: str) -> None:
    with pytest.raises(ModelError, match=message):
        build()  # type: ignore[operator]
