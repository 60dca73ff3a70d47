"""Capability gaps: networks whose answer is known by hand, and load properties."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings

from tests.conftest import ROUND_THE_CLOCK, START, at, hours
from tests.strategies import networks
from xiezuo.domain import (
    FloorBays,
    Gang,
    Item,
    Lane,
    Lever,
    LeverKind,
    Machine,
    Network,
    Operation,
    Order,
    Plant,
    Routing,
    validate_network,
)
from xiezuo.planning.analysis.gaps import Gaps, MonthLoad, find_gaps

JULY = date(1958, 7, 1)


def _part(item_id: str, weight_t: float, run_h: float, *, gang: Gang | None = None) -> Item:
    return Item(
        id=item_id,
        weight_t=weight_t,
        precision_grade=8,
        routings=(
            Routing(
                id="main",
                operations=(Operation(process="turning", run_per_unit=hours(run_h), gang=gang),),
            ),
        ),
    )


def _network(
    plants: tuple[Plant, ...],
    items: tuple[Item, ...],
    orders: tuple[Order, ...],
    levers: tuple[Lever, ...] = (),
) -> Network:
    network = Network(
        start=START,
        calendar=ROUND_THE_CLOCK,
        processes=("turning",),
        regions=("R",),
        plants=plants,
        items=items,
        orders=orders,
        lanes=tuple(
            Lane(origin=p.id, destination=d, lead_time=timedelta(0))
            for p in plants
            for d in ("R", *(q.id for q in plants))
            if d != p.id
        ),
        levers=levers,
    )
    validate_network(network)
    return network


def _lathe(units: int = 1, max_weight_t: float = 10, **extra: object) -> Machine:
    return Machine(
        id=f"lathe-{max_weight_t:g}t",
        process="turning",
        units=units,
        max_weight_t=max_weight_t,
        precision_grade=6,
        **extra,  # type: ignore[arg-type]
    )


def _load(gaps: Gaps, min_weight_t: float, month: date = JULY) -> MonthLoad:
    (found,) = (
        load
        for load in gaps.loads
        if load.weight_class.min_weight_t == min_weight_t and load.month == month
    )
    return found


def test_an_item_only_one_plant_can_make_is_a_single_point_with_its_share() -> None:
    heavy = Plant(id="A", machines=(_lathe(max_weight_t=50),))
    light = Plant(id="B", machines=(_lathe(max_weight_t=10),))
    network = _network(
        (heavy, light),
        (_part("SHAFT", 20, 30), _part("PIN", 1, 10)),
        (
            Order(id="o1", region="R", item_id="SHAFT", due=at(500)),
            Order(id="o2", region="R", item_id="PIN", due=at(500)),
        ),
    )
    gaps = find_gaps(network)
    (single,) = gaps.single_plant
    assert (single.item_id, single.plant_id, single.order_ids) == ("SHAFT", "A", ("o1",))
    assert single.work_h == pytest.approx(30)
    assert single.network_share == pytest.approx(30 / 40)
    # A round-the-clock unit over July 1958 (the whole horizon): 31 days.
    assert single.plant_capacity_h == pytest.approx(31 * 24)
    (reach,) = single.closest
    assert reach.plant_id == "B"
    assert [step.text for step in reach.missing_steps] == [
        "step 1: turning for 20 t at IT8 or finer"
    ]
    assert not gaps.missing


def test_an_item_nobody_can_make_names_its_orders_and_the_nearest_plant() -> None:
    network = _network(
        (Plant(id="A", machines=(_lathe(max_weight_t=50),)),),
        (_part("HOUSING", 60, 30),),
        (Order(id="o1", region="R", item_id="HOUSING", due=at(500)),),
    )
    gaps = find_gaps(network)
    (missing,) = gaps.missing
    assert missing.item_id == "HOUSING"
    assert missing.order_ids == ("o1",)
    assert "missing capability" in missing.message
    (step,) = missing.closest[0].missing_steps
    assert (step.process, step.weight_t, step.precision_grade) == ("turning", 60, 8)
    assert [u.order_id for u in gaps.not_counted] == ["o1"]
    assert gaps.total_work_h == 0
    assert gaps.has_gaps


def test_two_orders_of_300_hours_on_a_group_with_200_are_100_hours_over() -> None:
    leaving = _lathe(available_until=at(200))
    network = _network(
        (Plant(id="A", machines=(leaving,)),),
        (_part("SHAFT", 5, 150),),
        tuple(Order(id=f"o{i}", region="R", item_id="SHAFT", due=at(400)) for i in (1, 2)),
    )
    gaps = find_gaps(network)
    july = _load(gaps, 10)
    assert (july.load_h, july.capacity_h) == pytest.approx((300, 200))
    assert july.over_h == pytest.approx(100)
    # One more unit would work all of July round the clock.
    assert july.units_short == pytest.approx(100 / (31 * 24))
    assert gaps.overloads == (july,)


def test_a_holiday_lowers_the_months_capacity_by_exactly_its_hours() -> None:
    def capacity(calendar_holidays: tuple[date, ...]) -> float:
        calendar = replace(ROUND_THE_CLOCK, holidays=calendar_holidays)
        plant = Plant(id="A", calendar=calendar, machines=(_lathe(units=2),))
        network = _network(
            (plant,),
            (_part("SHAFT", 5, 10),),
            (Order(id="o1", region="R", item_id="SHAFT", due=at(100)),),
        )
        return _load(find_gaps(network), 10).capacity_h

    assert capacity(()) - capacity((date(1958, 7, 10),)) == pytest.approx(2 * 24)


def test_work_only_heavy_machines_can_do_counts_in_the_heavy_class_and_below() -> None:
    plant = Plant(id="A", machines=(_lathe(max_weight_t=5), _lathe(max_weight_t=50)))
    network = _network(
        (plant,),
        (_part("BIG", 20, 40), _part("SMALL", 2, 10)),
        (
            Order(id="o1", region="R", item_id="BIG", due=at(300)),
            Order(id="o2", region="R", item_id="SMALL", due=at(300)),
        ),
    )
    gaps = find_gaps(network)
    light, heavy = _load(gaps, 5), _load(gaps, 50)
    assert (heavy.own_load_h, heavy.load_h) == pytest.approx((40, 40))
    assert (light.own_load_h, light.load_h) == pytest.approx((10, 50))
    assert light.capacity_h == pytest.approx(2 * heavy.capacity_h)
    assert heavy.weight_class.label == "turning ≥ 50 t"


def test_work_spreads_over_the_months_of_its_window() -> None:
    # Due at the end of August: 31 days of the window in July, 31 in August.
    network = _network(
        (Plant(id="A", machines=(_lathe(),)),),
        (_part("SHAFT", 5, 62),),
        (Order(id="o1", region="R", item_id="SHAFT", due=at(62 * 24)),),
    )
    gaps = find_gaps(network)
    assert gaps.months == (JULY, date(1958, 8, 1))
    assert _load(gaps, 10).load_h == pytest.approx(31)
    assert _load(gaps, 10, date(1958, 8, 1)).load_h == pytest.approx(31)


def test_ganged_work_on_the_floor_counts_on_the_small_group_with_every_unit() -> None:
    # Two units at 80 % on a 40 t part lying on the floor: 10 h run each, 20 unit-hours
    # at the least; one unit alone is not allowed (floor min 2).
    gang = Gang(max_units=2, efficiency=((2, 0.8),), floor_min_units=2)
    plant = Plant(
        id="A",
        machines=(_lathe(units=2, max_weight_t=5),),
        floor=FloorBays(max_weight_t=50),
    )
    network = _network(
        (plant,),
        (_part("HOUSING", 40, 16, gang=gang),),
        (Order(id="o1", region="R", item_id="HOUSING", due=at(300)),),
    )
    gaps = find_gaps(network)
    assert not gaps.missing
    assert _load(gaps, 5).own_load_h == pytest.approx(20)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(with_gangs=True))
def test_load_summed_over_classes_and_months_is_the_total_work(network: Network) -> None:
    gaps = find_gaps(network)
    assert sum(load.own_load_h for load in gaps.loads) == pytest.approx(gaps.total_work_h)
    for load in gaps.loads:
        assert load.load_h >= load.own_load_h >= 0
        assert load.capacity_h >= 0
    assert {load.month for load in gaps.loads} <= set(gaps.months)
    for single in gaps.single_plant:
        assert 0 <= single.work_h <= gaps.total_work_h + 1e-6


def test_a_shed_on_offer_is_no_capacity_but_the_cheapest_that_closes_the_month() -> None:
    # LIGHT is too light for the class (parts of 8 t need the 10 t lathe's class);
    # LATE works only from 31 July (24 h); RIGHT works all July.
    offers = (("LIGHT", 5, 10.0, 0), ("LATE", 20, 20.0, 30 * 24), ("RIGHT", 20, 50.0, 0))
    levers = tuple(
        Lever(
            id=name,
            kind=LeverKind.SHED,
            plant_id="A",
            cost=cost,
            decision=START,
            lead_time=hours(build_h),
            machine_id=f"shed-{name}",
        )
        for name, _, cost, build_h in offers
    )
    sheds = tuple(
        Machine(
            id=f"shed-{name}",
            process="turning",
            max_weight_t=weight,
            precision_grade=6,
            lever=name,
            available_from=lever.usable_from,
        )
        for (name, weight, _, _), lever in zip(offers, levers, strict=True)
    )
    leaving = _lathe(available_until=at(200))
    network = _network(
        (Plant(id="A", machines=(leaving, *sheds)),),
        (_part("SHAFT", 8, 150),),
        tuple(Order(id=f"o{i}", region="R", item_id="SHAFT", due=at(400)) for i in (1, 2)),
        levers=levers,
    )
    july = _load(find_gaps(network), 10)
    assert (july.load_h, july.capacity_h) == pytest.approx((300, 200))
    assert july.lever is not None
    assert july.lever.lever_id == "RIGHT"
    assert july.lever.added_h == pytest.approx(31 * 24)
