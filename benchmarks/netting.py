"""How fast material netting and pegging run on a big network.

A seeded generator builds a network of 100,000 BOM lines and 10,000 orders directly
from the domain classes: 40 product lines, each with products, assemblies,
subassemblies and parts in levels, its own pool of materials plus a few common ones;
four plants with stock and supplies. ``net_materials`` is timed over a few repetitions;
``validate_network`` is timed once, separately. Run with
``python benchmarks/netting.py [--repeat N] [--seed S]``.
"""

from __future__ import annotations

import argparse
import gc
import platform
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

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
from xiezuo.planning.analysis.netting import net_materials

START = datetime(1958, 7, 1, tzinfo=UTC)
PROCESSES = ("casting", "forging", "machining", "heat treatment", "assembly")
PLANTS = ("CMT", "WJ", "CAC", "CTS")
REGIONS = ("East", "South", "West")
LINES = 40
# Per product line: (kind, how many items, BOM lines per item); 2,500 BOM lines a line.
LEVELS = (
    (ItemKind.PRODUCT, 50, 5),
    (ItemKind.ASSEMBLY, 200, 6),
    (ItemKind.ASSEMBLY, 350, 3),
    (ItemKind.PART, 600, 0),
)
LINE_MATERIALS = 12
COMMON_MATERIALS = 10
ORDERS = 10_000


def _hours(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(minutes=round(rng.uniform(low, high) * 60))


def _plants(rng: random.Random) -> tuple[Plant, ...]:
    return tuple(
        Plant(
            id=plant_id,
            machines=tuple(
                Machine(
                    id=f"{process[:4].upper()}-{n}",
                    process=process,
                    max_weight_t=rng.choice((20.0, 60.0)),
                    precision_grade=rng.choice((5, 7)),
                )
                for process in PROCESSES
                for n in (1, 2)
            ),
        )
        for plant_id in PLANTS
    )


def _operation(rng: random.Random, process: str) -> Operation:
    return Operation(process=process, setup=_hours(rng, 0, 4), run_per_unit=_hours(rng, 0.5, 8))


def _items(rng: random.Random, materials: list[str]) -> tuple[Item, ...]:
    common = materials[:COMMON_MATERIALS]
    items: list[Item] = []
    for line in range(LINES):
        pool = materials[COMMON_MATERIALS + line * LINE_MATERIALS :][:LINE_MATERIALS]
        # Build bottom-up so every BOM line points at an existing lower level.
        below: list[str] = []
        for depth, (kind, count, fan_out) in reversed(list(enumerate(LEVELS))):
            level_ids = [f"L{line}-{depth}-{n}" for n in range(count)]
            for item_id in level_ids:
                routing_ops: tuple[Operation, ...]
                if kind is ItemKind.PART:
                    routing_ops = (
                        _operation(rng, rng.choice(("casting", "forging"))),
                        _operation(rng, "machining"),
                    )
                    used = rng.sample(pool, rng.randint(1, 2))
                    if rng.random() < 0.2:
                        used.append(rng.choice(common))
                else:
                    routing_ops = (_operation(rng, "assembly"),)
                    used = [rng.choice(common)] if rng.random() < 0.3 else []
                items.append(
                    Item(
                        id=item_id,
                        kind=kind,
                        weight_t=rng.uniform(1, 15),
                        precision_grade=rng.choice((7, 9)),
                        bom=tuple(
                            BomLine(item_id=child, quantity=rng.randint(1, 3))
                            for child in rng.sample(below, fan_out)
                        )
                        if fan_out
                        else (),
                        routings=(Routing(id="R1", operations=routing_ops),),
                        materials=tuple(
                            MaterialLine(material_id=m, quantity=rng.randint(1, 5)) for m in used
                        ),
                    )
                )
            below = level_ids
    return tuple(items)


def build_network(seed: int = 0) -> Network:
    """A seeded network with 100,000 BOM lines and 10,000 orders."""
    rng = random.Random(seed)
    materials = [f"M{n:03d}" for n in range(COMMON_MATERIALS + LINES * LINE_MATERIALS)]
    items = _items(rng, materials)
    products = [item.id for item in items if item.kind is ItemKind.PRODUCT]
    orders = []
    for n in range(ORDERS):
        due = START + timedelta(days=rng.randint(30, 240))
        orders.append(
            Order(
                id=f"ORD-{n:05d}",
                region=rng.choice(REGIONS),
                item_id=rng.choice(products),
                quantity=rng.randint(1, 4),
                due=None if rng.random() < 0.05 else due,
                priority=rng.randint(1, 3),
                plant_id=rng.choice(PLANTS) if rng.random() < 0.1 else None,
            )
        )
    lanes = [
        Lane(origin=a, destination=b, lead_time=timedelta(days=rng.randint(1, 6)))
        for a in PLANTS
        for b in (*PLANTS, *REGIONS)
        if a != b
    ]
    # Stock and supplies sized so that some materials run short; the common materials
    # go into every product line, so there is ten times as much of them.
    scale = {m: 10 if n < COMMON_MATERIALS else 1 for n, m in enumerate(materials)}
    stock = [
        StockLot(plant_id=p, material_id=m, quantity=scale[m] * rng.randint(0, 80_000))
        for m in materials
        for p in PLANTS
        if rng.random() < 0.7
    ]
    supplies = [
        Supply(
            plant_id=rng.choice(PLANTS),
            material_id=m,
            quantity=scale[m] * rng.randint(1_000, 40_000),
            arrives=START + timedelta(days=rng.randint(5, 200)),
            source=rng.choice(("receipt", "donated scrap copper", "found in the warehouse")),
        )
        for m in materials
        for _ in range(rng.randint(0, 3))
    ]
    return Network(
        name="netting benchmark",
        start=START,
        processes=PROCESSES,
        regions=REGIONS,
        plants=_plants(rng),
        items=items,
        orders=tuple(orders),
        lanes=tuple(lanes),
        materials=tuple(Material(id=m, unit="kg") for m in materials),
        stock=tuple(stock),
        supplies=tuple(supplies),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    started = time.perf_counter()
    network = build_network(args.seed)
    built = time.perf_counter() - started
    bom_lines = sum(len(item.bom) for item in network.items)
    print(
        f"network: {len(network.items):,} items, {bom_lines:,} BOM lines, "
        f"{len(network.orders):,} orders, {len(network.materials)} materials, "
        f"{len(network.stock)} stock lots, {len(network.supplies)} supplies "
        f"(built in {built:.2f} s)"
    )
    started = time.perf_counter()
    validate_network(network)
    print(f"validate_network: {time.perf_counter() - started:.2f} s (once)")

    times = []
    netting = None
    for _ in range(args.repeat):
        # Each run starts from the same heap: the last result gone, garbage collected.
        netting = None
        gc.collect()
        started = time.perf_counter()
        netting = net_materials(network)
        times.append(time.perf_counter() - started)
    assert netting is not None
    short = sum(1 for b in netting.balances if b.net_shortage)
    runs_out = sum(1 for b in netting.balances if b.first_short is not None)
    print(
        f"net_materials: min {min(times):.3f} s, median {statistics.median(times):.3f} s "
        f"over {args.repeat} runs (target < 2 s)"
    )
    print(
        f"result: {len(netting.pegs):,} pegs, {short} materials short at the end, "
        f"{runs_out} run out at some point, {len(netting.uncovered_orders):,} orders "
        f"uncovered, {len(netting.late_covered_orders):,} covered late"
    )
    print(
        f"machine: {platform.machine()}, {platform.processor() or 'unknown processor'}, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


if __name__ == "__main__":
    main()
