"""Hypothesis strategies that build small valid networks."""

from __future__ import annotations

from datetime import time, timedelta

from hypothesis import strategies as st

from tests.conftest import START
from xiezuo.domain import (
    BomLine,
    Calendar,
    CrewNeed,
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
    Staffing,
    StockLot,
    Supply,
)

PROCESSES = ("casting", "forging", "machining", "assembly")


@st.composite
def calendars(draw: st.DrawFn) -> Calendar:
    shifts = draw(st.integers(1, 3))
    days = draw(st.sampled_from([(0, 1, 2, 3, 4), (0, 1, 2, 3, 4, 5), tuple(range(7))]))
    return Calendar(
        working_days=days,
        shifts_per_day=shifts,
        shift_length=timedelta(hours=8),
        first_shift_start=time(draw(st.sampled_from([0, 6, 8])), 0),
        holidays=tuple(
            START.date() + timedelta(days=d)
            for d in draw(st.lists(st.integers(0, 20), max_size=2, unique=True))
        ),
    )


@st.composite
def networks(draw: st.DrawFn) -> Network:
    """1-3 plants, parts with 1-3 operations, products with 1-3 components, 1-4 orders;
    sometimes steel that parts consume and turners that machining needs."""
    with_steel = draw(st.booleans())
    with_turners = draw(st.booleans())
    n_plants = draw(st.integers(1, 3))
    plants = []
    for p in range(n_plants):
        machines = []
        for process in PROCESSES:
            if p > 0 and draw(st.booleans()):
                continue  # plants after the first lack some processes
            machines.append(
                Machine(
                    id=f"{process}-{p}",
                    process=process,
                    units=draw(st.integers(1, 2)),
                    max_weight_t=draw(st.sampled_from([10.0, 30.0, 60.0])),
                    precision_grade=draw(st.sampled_from([6, 8])),
                    calendar=draw(st.none() | calendars()),
                )
            )
        plants.append(
            Plant(id=f"P{p}", calendar=draw(st.none() | calendars()), machines=tuple(machines))
        )
    n_parts = draw(st.integers(1, 3))
    parts = []
    for i in range(n_parts):
        steps = draw(st.lists(st.sampled_from(PROCESSES[:3]), min_size=1, max_size=3))
        parts.append(
            Item(
                id=f"PART{i}",
                weight_t=draw(st.sampled_from([5.0, 10.0])),
                precision_grade=8,
                materials=(
                    (
                        MaterialLine(
                            material_id="steel",
                            quantity=draw(st.integers(1, 3)),
                            step=draw(st.integers(1, len(steps))),
                        ),
                    )
                    if with_steel
                    else ()
                ),
                routings=(
                    Routing(
                        id="main",
                        operations=tuple(
                            Operation(
                                process=s,
                                setup=timedelta(hours=draw(st.integers(0, 2))),
                                run_per_unit=timedelta(hours=draw(st.integers(1, 12))),
                                crew=(
                                    (CrewNeed(skill="turner", size=1),)
                                    if with_turners and s == "machining"
                                    else ()
                                ),
                            )
                            for s in steps
                        ),
                    ),
                ),
            )
        )
    components = draw(st.lists(st.sampled_from(parts), min_size=1, max_size=3, unique=True))
    product = Item(
        id="PRODUCT",
        kind=ItemKind.PRODUCT,
        weight_t=8.0,
        precision_grade=8,
        bom=tuple(BomLine(item_id=c.id, quantity=draw(st.integers(1, 2))) for c in components),
        routings=(
            Routing(
                id="main",
                operations=(Operation(process="assembly", run_per_unit=timedelta(hours=6)),),
            ),
        ),
    )
    orders = tuple(
        Order(
            id=f"O{k}",
            region="R",
            item_id=draw(st.sampled_from(["PRODUCT", *(p.id for p in parts)])),
            quantity=draw(st.integers(1, 2)),
            due=START + timedelta(days=draw(st.integers(1, 20))),
            priority=draw(st.integers(1, 5)),
            release=START + timedelta(hours=draw(st.integers(0, 48))),
        )
        for k in range(draw(st.integers(1, 4)))
    )
    lanes = [
        Lane(origin=a.id, destination=b.id, lead_time=timedelta(hours=draw(st.integers(0, 48))))
        for a in plants
        for b in plants
        if a.id != b.id
    ] + [Lane(origin=a.id, destination="R", lead_time=timedelta(hours=24)) for a in plants]
    plant_ids = [p.id for p in plants]
    stock = tuple(
        StockLot(plant_id=p, material_id="steel", quantity=draw(st.integers(0, 6)))
        for p in plant_ids
        if with_steel and draw(st.booleans())
    )
    supplies = tuple(
        Supply(
            plant_id=draw(st.sampled_from(plant_ids)),
            material_id="steel",
            quantity=draw(st.integers(1, 6)),
            arrives=START + timedelta(hours=draw(st.integers(0, 200))),
        )
        for _ in range(draw(st.integers(0, 3)) if with_steel else 0)
    )
    staffing = tuple(
        Staffing(plant_id=p, skill="turner", headcount=draw(st.integers(0, 2)))
        for p in plant_ids
        if with_turners
    )
    return Network(
        materials=(Material(id="steel", unit="t"),) if with_steel else (),
        stock=stock,
        supplies=supplies,
        skills=("turner",) if with_turners else (),
        staffing=staffing,
        start=START,
        processes=PROCESSES,
        regions=("R",),
        plants=tuple(plants),
        items=(*parts, product),
        orders=orders,
        lanes=tuple(lanes),
    )
