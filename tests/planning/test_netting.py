"""Material netting and pegging, checked by hand on tiny networks."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.conftest import START
from xiezuo.domain import (
    BomLine,
    Item,
    ItemKind,
    Lane,
    Machine,
    Material,
    MaterialLine,
    Network,
    Operation,
    Order,
    Plant,
    Routing,
    StockLot,
    Supply,
    validate_network,
)
from xiezuo.errors import ModelError
from xiezuo.planning.analysis.netting import MaterialBalance, Netting, SourceKind, net_materials


def day(n: int, hour: int = 0) -> datetime:
    """Midnight (or ``hour``) of day ``n`` of July 1958, in the horizon's time zone."""
    return START.replace(day=n, hour=hour)


def plant(plant_id: str) -> Plant:
    return Plant(
        id=plant_id,
        machines=(
            Machine(id="bay", process="assembly", max_weight_t=10, precision_grade=5),
            Machine(id="foundry", process="casting", max_weight_t=10, precision_grade=5),
        ),
    )


def item(
    item_id: str,
    *,
    process: str = "assembly",
    run_hours: float = 1,
    setup_hours: float = 0,
    materials: tuple[MaterialLine, ...] = (),
    bom: tuple[BomLine, ...] = (),
) -> Item:
    operation = Operation(
        process=process,
        setup=timedelta(hours=setup_hours),
        run_per_unit=timedelta(hours=run_hours),
    )
    return Item(
        id=item_id,
        kind=ItemKind.PRODUCT if bom else ItemKind.PART,
        weight_t=1,
        precision_grade=9,
        bom=bom,
        routings=(Routing(id="main", operations=(operation,)),),
        materials=materials,
    )


def network(
    *,
    items: tuple[Item, ...],
    orders: tuple[Order, ...],
    stock: tuple[StockLot, ...] = (),
    supplies: tuple[Supply, ...] = (),
    plants: tuple[str, ...] = ("P1",),
    lanes: tuple[Lane, ...] = (),
) -> Network:
    given = {(lane.origin, lane.destination) for lane in lanes}
    # Lanes the test does not give take no time, so only the given ones move dates.
    lanes += tuple(
        Lane(origin=a, destination=b, lead_time=timedelta(0))
        for a in plants
        for b in (*plants, "East")
        if a != b and (a, b) not in given
    )
    result = Network(
        start=START,
        processes=("assembly", "casting"),
        regions=("East",),
        plants=tuple(plant(p) for p in plants),
        items=items,
        orders=orders,
        lanes=lanes,
        materials=(Material(id="copper", unit="kg"), Material(id="steel", unit="t")),
        stock=stock,
        supplies=supplies,
    )
    validate_network(result)
    return result


# One hour of assembly per widget and one kg of copper in each: a widget order of
# quantity q needs q kg of copper q hours before it is due (no lane, no lead time).
WIDGET = item("WIDGET", materials=(MaterialLine(material_id="copper", quantity=1),))


def widget_order(order_id: str, quantity: int, due: datetime, priority: int = 1) -> Order:
    return Order(
        id=order_id,
        region="East",
        item_id="WIDGET",
        quantity=quantity,
        due=due,
        priority=priority,
    )


def copper_case(*, supply_day: int, second_quantity: int = 6) -> Netting:
    """Stock 10 kg, 5 kg arriving on ``supply_day``, orders of 8 and 6 (or more)."""
    return net_materials(
        network(
            items=(WIDGET,),
            orders=(
                widget_order("A", 8, day(10, 8)),  # copper needed on the 10th, 00:00
                widget_order("B", second_quantity, day(20, second_quantity)),  # the 20th
            ),
            stock=(StockLot(plant_id="P1", material_id="copper", quantity=10),),
            supplies=(
                Supply(
                    plant_id="P1",
                    material_id="copper",
                    quantity=5,
                    arrives=day(supply_day),
                    source="donated scrap copper",
                ),
            ),
        )
    )


def balance(netting: Netting, material_id: str) -> MaterialBalance:
    (found,) = (b for b in netting.balances if b.material_id == material_id)
    return found


def pegs_of(netting: Netting, order_id: str) -> list[tuple[int, str, bool]]:
    return [
        (p.quantity, p.source_label, p.covered_late) for p in netting.pegs if p.order_id == order_id
    ]


def test_supply_in_time_covers_both_orders() -> None:
    netting = copper_case(supply_day=15)
    copper = balance(netting, "copper")
    assert (copper.gross_need, copper.on_hand, copper.incoming, copper.net_shortage) == (
        14,
        10,
        5,
        0,
    )
    assert copper.first_short is None
    assert pegs_of(netting, "A") == [(8, "stock at P1", False)]
    assert pegs_of(netting, "B") == [
        (2, "stock at P1", False),
        (4, "donated scrap copper → P1 1958-07-15", False),
    ]
    assert netting.uncovered_orders == ()
    assert netting.late_covered_orders == ()


def test_need_dates_come_from_due_minus_work_time() -> None:
    netting = copper_case(supply_day=15)
    assert {p.order_id: p.need_date for p in netting.pegs} == {"A": day(10), "B": day(20)}


def test_supply_after_the_need_covers_it_late() -> None:
    netting = copper_case(supply_day=25)
    copper = balance(netting, "copper")
    assert copper.net_shortage == 0
    assert copper.first_short == day(20)
    late = [p for p in netting.pegs if p.covered_late]
    assert [(p.order_id, p.quantity, p.available) for p in late] == [("B", 4, day(25))]
    assert netting.late_covered_orders == ("B",)
    assert netting.uncovered_orders == ()


def test_need_beyond_stock_and_supplies_is_uncovered() -> None:
    netting = copper_case(supply_day=15, second_quantity=8)
    copper = balance(netting, "copper")
    assert (copper.gross_need, copper.net_shortage) == (16, 1)
    assert copper.first_short == day(20)
    uncovered = [p for p in netting.pegs if p.source_kind is SourceKind.UNCOVERED]
    assert [(p.order_id, p.quantity) for p in uncovered] == [("B", 1)]
    assert netting.uncovered_orders == ("B",)


def test_higher_priority_is_served_first_on_the_same_date() -> None:
    netting = net_materials(
        network(
            items=(WIDGET,),
            orders=(
                widget_order("LOW", 6, day(10, 6), priority=1),
                widget_order("HIGH", 6, day(10, 6), priority=3),
            ),
            stock=(StockLot(plant_id="P1", material_id="copper", quantity=6),),
        )
    )
    assert pegs_of(netting, "HIGH") == [(6, "stock at P1", False)]
    assert netting.uncovered_orders == ("LOW",)


def test_need_multiplies_order_bom_and_material_quantities() -> None:
    frame = item(
        "FRAME", process="casting", materials=(MaterialLine(material_id="steel", quantity=5),)
    )
    press = item("PRESS", bom=(BomLine(item_id="FRAME", quantity=2),))
    netting = net_materials(
        network(
            items=(press, frame),
            orders=(Order(id="O", region="East", item_id="PRESS", quantity=3, due=day(20)),),
        )
    )
    assert balance(netting, "steel").gross_need == 3 * 2 * 5
    assert balance(netting, "copper").gross_need == 0


def test_component_need_is_dated_back_through_the_chain_and_the_lane() -> None:
    """Due − lead time − the press's work − the frame's work (setup + run × quantity)."""
    frame = item(
        "FRAME",
        process="casting",
        run_hours=3,
        setup_hours=2,
        materials=(MaterialLine(material_id="steel", quantity=1),),
    )
    press = item(
        "PRESS",
        run_hours=4,
        bom=(BomLine(item_id="FRAME", quantity=2),),
        materials=(MaterialLine(material_id="copper", quantity=1),),
    )
    netting = net_materials(
        network(
            items=(press, frame),
            orders=(Order(id="O", region="East", item_id="PRESS", quantity=1, due=day(20)),),
            lanes=(Lane(origin="P1", destination="East", lead_time=timedelta(days=2)),),
        )
    )
    dates = {p.material_id: p.need_date for p in netting.pegs}
    assert dates["copper"] == day(18) - timedelta(hours=4)
    assert dates["steel"] == day(18) - timedelta(hours=4 + 2 + 3 * 2)


def test_need_dates_are_clamped_at_the_start_and_undated_orders_need_at_release() -> None:
    netting = net_materials(
        network(
            items=(WIDGET,),
            orders=(
                widget_order("EARLY", 100, day(2)),
                Order(id="OPEN", region="East", item_id="WIDGET", release=day(5)),
            ),
        )
    )
    assert {p.order_id: p.need_date for p in netting.pegs} == {"EARLY": START, "OPEN": day(5)}


def test_pinned_orders_are_netted_against_their_plants_stock() -> None:
    netting = net_materials(
        network(
            plants=("P1", "P2"),
            items=(WIDGET,),
            orders=(
                Order(
                    id="PIN", region="East", item_id="WIDGET", quantity=4, due=day(9), plant_id="P2"
                ),
            ),
            stock=(
                StockLot(plant_id="P1", material_id="copper", quantity=10),
                StockLot(plant_id="P2", material_id="copper", quantity=1),
            ),
            lanes=(Lane(origin="P2", destination="East", lead_time=timedelta(days=1)),),
        )
    )
    copper = balance(netting, "copper")
    assert copper.net_shortage == 0
    assert copper.first_short is None
    by_plant = {b.plant_id: b for b in copper.by_plant}
    assert (by_plant["P1"].gross_need, by_plant["P1"].net_shortage) == (0, 0)
    assert (by_plant["P2"].gross_need, by_plant["P2"].on_hand) == (4, 1)
    assert by_plant["P2"].net_shortage == 3
    assert by_plant["P2"].first_short == day(8) - timedelta(hours=4)


def test_every_material_has_a_balance_even_without_need() -> None:
    netting = copper_case(supply_day=15)
    assert [b.material_id for b in netting.balances] == ["copper", "steel"]
    assert balance(netting, "steel").gross_need == 0


def test_a_bom_containing_itself_is_refused() -> None:
    loop = item("LOOP", bom=(BomLine(item_id="LOOP", quantity=1),))
    broken = Network(
        start=START,
        processes=("assembly",),
        plants=(plant("P1"),),
        items=(loop,),
        orders=(Order(id="O", region="East", item_id="LOOP"),),
    )
    with pytest.raises(ModelError, match="LOOP"):
        net_materials(broken)
