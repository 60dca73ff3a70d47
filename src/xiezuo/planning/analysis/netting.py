"""Material netting and pegging without a plan: will the copper and steel be there?

Every order is exploded through the BOMs, its material need is dated by a rough
backward schedule from its due date, and the need is netted against stock and supplies
over time, across the network and per plant, then pegged to the lots that cover it.

Approximations, chosen so the answer is quick and errs towards *early* need dates:

Need dates
    A work order needs its material when it starts (a material line's ``step`` is
    ignored: the material is taken at the start of the work order). Its start is its
    finish minus its work time, and it finishes when its parent starts. The end
    product finishes at ``due`` minus the shortest delivery lead time to the order's
    region from a plant that can make it (only the pinned plant for a pinned order;
    no lead time if there is no such lane). Work time is calendar time, ignoring
    calendars, queues and transport between plants: per operation, its setup plus the
    run time per unit on its fastest capable machine anywhere in the network (so the
    steps of one routing may, in this estimate, run in different plants; the setup
    belongs to the operation, so the time is linear in the quantity), summed over the
    routing that is fastest for one unit. The end product of a pinned order uses only
    its plant's machines. An item no machine can make takes no time. Need dates
    are clamped at the network start, or the order's release if later. An order
    without a due date needs everything at its release, else at the network start.
One date per order and material
    All of an order's need for one material is dated at the *earliest* start of the
    work orders that take it. To stay fast on big BOMs the offset is not computed
    path by path: each item keeps, per material below it, the largest fixed part
    (setups) and the largest per-unit part (run times) of its chains, and the offset is
    their sum at the order's quantity, which is exact when one chain is longest at
    every quantity and otherwise a little earlier than the true date.
Where
    Without a plan the making plant is not decided. Balances and pegs are therefore
    network-wide: all stock and supplies are pooled and transfers between plants take
    no time. Each balance also carries per-plant balances (``by_plant``): the whole
    need of the orders pinned to a plant (``Order.plant_id``), components included,
    against that plant's own stock and supplies, for every plant that has pinned need,
    stock or supplies of the material.
Pegging
    Needs are served earliest need date first, higher ``Order.priority`` first on the
    same date, then by order ID. Each takes the earliest-available sources left: stock
    (available at the network start, by plant ID), then supplies by arrival date. A
    supply that arrives after the need date still covers it, late; what no source can
    cover is uncovered.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, NamedTuple

from xiezuo.errors import ModelError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from xiezuo.domain.network import Item, Network, Operation, Order

# Per material below an item: (quantity per unit of the item, fixed seconds, seconds
# per unit of the item) from the item's start to the start of the work order taking it.
_Profile = dict[str, tuple[int, float, float]]
# Work time of one work order of an item: (fixed seconds, seconds per unit).
_WorkTime = tuple[float, float]


class SourceKind(StrEnum):
    """What covers a need: stock at the horizon start, a supply, or nothing."""

    STOCK = "stock"
    SUPPLY = "supply"
    UNCOVERED = "uncovered"


@dataclass(frozen=True, slots=True, kw_only=True)
class PlantBalance:
    """One material at one plant: need of the orders pinned there against local stock."""

    plant_id: str
    gross_need: int
    on_hand: int
    incoming: int
    net_shortage: int
    first_short: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class MaterialBalance:
    """One material across the network, stock and supplies pooled.

    ``net_shortage`` is ``max(0, gross_need - on_hand - incoming)``; ``first_short`` is
    the first need date at which the cumulative need exceeds stock plus the supplies
    arrived by then (``None`` if that never happens), so a material can run out early
    and still show no net shortage once every supply is in.
    """

    material_id: str
    unit: str
    gross_need: int
    on_hand: int
    incoming: int
    net_shortage: int
    first_short: datetime | None
    by_plant: tuple[PlantBalance, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Peg:
    """``quantity`` of an order's need for a material, and what covers it.

    ``available`` is when the source is there (the network start for stock, the arrival
    for a supply, ``None`` when uncovered); ``covered_late`` says it comes after the
    need date.
    """

    order_id: str
    material_id: str
    quantity: int
    source_kind: SourceKind
    source_label: str
    source_plant_id: str | None
    need_date: datetime
    available: datetime | None
    covered_late: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Netting:
    """Balances per material, pegs per order and material, and the orders at risk.

    ``uncovered_orders`` have some need no source covers; ``late_covered_orders`` are
    covered in full, but partly by supplies arriving after the need date. Both list
    order IDs in the network's order.
    """

    balances: tuple[MaterialBalance, ...]
    pegs: tuple[Peg, ...]
    uncovered_orders: tuple[str, ...]
    late_covered_orders: tuple[str, ...]


# A need of one order for one material: (date, -priority, rank of the order ID, order
# index, quantity, pinned plant). A plain tuple, as there are hundreds of thousands, and
# its natural sort is the serving order: date, higher priority, then order ID.
_Need = tuple[datetime, int, int, int, int, str | None]


class _Supply(NamedTuple):
    arrives: datetime
    plant_id: str
    source: str
    quantity: int


@dataclass(slots=True)
class _Source:
    kind: SourceKind
    label: str
    plant_id: str
    available: datetime
    left: int


def net_materials(network: Network) -> Netting:
    """Net and peg the material need of every order of a valid network.

    Parameters
    ----------
    network
        A network that passed :func:`~xiezuo.domain.validate_network`.

    Returns
    -------
    Netting
        Balances for every material, sorted by ID; pegs grouped by order (in the
        network's order), then by material ID; the uncovered and late-covered orders.
        The approximations are listed in the module docstring.

    Raises
    ------
    ModelError
        If a BOM contains itself, which :func:`~xiezuo.domain.validate_network` rejects.
    """
    needs_by_material = _needs(network, _Profiles(network))
    unit_by_material = {m.id: m.unit for m in network.materials}
    stock_by_material: defaultdict[str, dict[str, int]] = defaultdict(dict)
    for lot in network.stock:
        at_plant = stock_by_material[lot.material_id]
        at_plant[lot.plant_id] = at_plant.get(lot.plant_id, 0) + lot.quantity
    supplies_by_material: defaultdict[str, list[_Supply]] = defaultdict(list)
    for supply in network.supplies:
        supplies_by_material[supply.material_id].append(
            _Supply(supply.arrives, supply.plant_id, supply.source, supply.quantity)
        )
    material_ids = sorted(
        unit_by_material.keys()
        | needs_by_material.keys()
        | stock_by_material.keys()
        | supplies_by_material.keys()
    )
    balances: list[MaterialBalance] = []
    pegs_by_order: list[list[Peg]] = [[] for _ in network.orders]
    for material_id in material_ids:
        needs = sorted(needs_by_material.get(material_id, ()))
        stock = stock_by_material.get(material_id, {})
        supplies = sorted(supplies_by_material.get(material_id, ()))
        gross, on_hand, incoming, shortage, first_short = _balance(
            needs, sum(stock.values()), supplies
        )
        balances.append(
            MaterialBalance(
                material_id=material_id,
                unit=unit_by_material.get(material_id, ""),
                gross_need=gross,
                on_hand=on_hand,
                incoming=incoming,
                net_shortage=shortage,
                first_short=first_short,
                by_plant=_plant_balances(needs, stock, supplies),
            )
        )
        _peg(network, material_id, needs, stock, supplies, pegs_by_order)
    uncovered: list[str] = []
    late: list[str] = []
    for order, order_pegs in zip(network.orders, pegs_by_order, strict=True):
        # Materials were pegged in ID order, so each order's pegs are grouped already.
        if any(p.source_kind is SourceKind.UNCOVERED for p in order_pegs):
            uncovered.append(order.id)
        elif any(p.covered_late for p in order_pegs):
            late.append(order.id)
    return Netting(
        balances=tuple(balances),
        pegs=tuple(peg for order_pegs in pegs_by_order for peg in order_pegs),
        uncovered_orders=tuple(uncovered),
        late_covered_orders=tuple(late),
    )


class _Profiles:
    """Per item, memoised: its material profile, its work time and who can make it."""

    def __init__(self, network: Network) -> None:
        self.item_by_id = network.item_by_id
        self.plant_ids = [plant.id for plant in network.plants]
        self.profile_by_item: dict[str, _Profile] = {}
        self.work_by_item: dict[tuple[str, str | None], _WorkTime] = {}
        self.makers_by_item: dict[str, list[str]] = {}
        # process -> (plant, machine, max weight, precision grade) of the machines
        self.machines_by_process: defaultdict[str, list[tuple[str, str, float, int]]] = defaultdict(
            list
        )
        for plant in network.plants:
            for machine in plant.machines:
                self.machines_by_process[machine.process].append(
                    (plant.id, machine.id, machine.max_weight_t, machine.precision_grade)
                )
        self._visiting: set[str] = set()

    def profile(self, item_id: str) -> _Profile:
        """Material below one unit of ``item_id``, offsets measured from its start."""
        found = self.profile_by_item.get(item_id)
        if found is not None:
            return found
        if item_id in self._visiting:
            raise ModelError([f"item {item_id!r}: its BOM contains itself"])
        self._visiting.add(item_id)
        item = self.item_by_id[item_id]
        profile: _Profile = {}
        for line in item.materials:
            quantity, fixed, per_unit = profile.get(line.material_id, (0, 0.0, 0.0))
            profile[line.material_id] = (quantity + line.quantity, fixed, per_unit)
        for bom_line in item.bom:
            child = self.profile(bom_line.item_id)
            if not child:
                continue
            setup, run = self.work_time(bom_line.item_id)
            k = bom_line.quantity
            if not profile:
                profile = {
                    material_id: (k * c_quantity, setup + c_fixed, k * (run + c_per_unit))
                    for material_id, (c_quantity, c_fixed, c_per_unit) in child.items()
                }
                continue
            get = profile.get
            for material_id, (c_quantity, c_fixed, c_per_unit) in child.items():
                known = get(material_id)
                if known is None:
                    profile[material_id] = (k * c_quantity, setup + c_fixed, k * (run + c_per_unit))
                    continue
                quantity, fixed, per_unit = known
                c_fixed += setup
                c_per_unit = k * (run + c_per_unit)
                profile[material_id] = (
                    quantity + k * c_quantity,
                    c_fixed if c_fixed > fixed else fixed,
                    c_per_unit if c_per_unit > per_unit else per_unit,
                )
        self._visiting.discard(item_id)
        self.profile_by_item[item_id] = profile
        return profile

    def work_time(self, item_id: str, plant_id: str | None = None) -> _WorkTime:
        """Fixed and per-unit seconds of the routing fastest for one unit.

        Each step runs on its fastest capable machine anywhere in the network, or at
        ``plant_id`` when given.
        """
        key = (item_id, plant_id)
        found = self.work_by_item.get(key)
        if found is not None:
            return found
        item = self.item_by_id[item_id]
        best: _WorkTime | None = None
        for routing in item.routings:
            timing = self._routing_time(item, routing.operations, plant_id)
            if timing is not None and (best is None or sum(timing) < sum(best)):
                best = timing
        result = best or (0.0, 0.0)
        self.work_by_item[key] = result
        return result

    def makers(self, item_id: str) -> list[str]:
        """Plants that can run some routing of ``item_id`` on their own machines."""
        found = self.makers_by_item.get(item_id)
        if found is None:
            item = self.item_by_id[item_id]
            found = self.makers_by_item[item_id] = [
                plant_id
                for plant_id in self.plant_ids
                if any(
                    self._routing_time(item, r.operations, plant_id) is not None
                    for r in item.routings
                )
            ]
        return found

    def _routing_time(
        self, item: Item, operations: Iterable[Operation], plant_id: str | None
    ) -> _WorkTime | None:
        fixed = per_unit = 0.0
        for op in operations:
            weight, grade = item.required_weight(op), item.required_grade(op)
            fastest: timedelta | None = op.run_per_unit if op.is_staff_only else None
            for at, machine_id, max_weight, machine_grade in self.machines_by_process.get(
                op.process or "", ()
            ):
                if max_weight < weight or machine_grade > grade:
                    continue
                if plant_id is not None and at != plant_id:
                    continue
                if not op.machine_times:
                    # Without overrides the step runs equally fast on every capable machine.
                    fastest = op.run_per_unit
                    break
                run = op.run_time_on(at, machine_id)
                if run is not None and (fastest is None or run < fastest):
                    fastest = run
            if fastest is None:
                return None
            fixed += op.setup.total_seconds()
            per_unit += fastest.total_seconds()
        return fixed, per_unit


def _needs(network: Network, profiles: _Profiles) -> dict[str, list[_Need]]:
    needs_by_material: defaultdict[str, list[_Need]] = defaultdict(list)
    rank_by_order = {
        order_id: rank for rank, order_id in enumerate(sorted(o.id for o in network.orders))
    }
    lead_by_key: dict[tuple[str, str, str | None], timedelta] = {}
    for order_idx, order in enumerate(network.orders):
        profile = profiles.profile(order.item_id)
        if not profile:
            continue
        floor = network.start if order.release is None else max(network.start, order.release)
        setup, run = profiles.work_time(order.item_id, order.plant_id)
        finish = None
        if order.due is not None:
            finish = order.due - _delivery_time(network, profiles, order, lead_by_key)
        quantity, plant_id = order.quantity, order.plant_id
        head = (-order.priority, rank_by_order[order.id], order_idx)
        for material_id, (per_unit, fixed, run_per_unit) in profile.items():
            date = floor
            if finish is not None:
                seconds = setup + fixed + quantity * (run + run_per_unit)
                date = finish - timedelta(seconds=seconds)
                if date < floor:
                    date = floor
            needs_by_material[material_id].append((date, *head, quantity * per_unit, plant_id))
    return needs_by_material


def _delivery_time(
    network: Network,
    profiles: _Profiles,
    order: Order,
    cache: dict[tuple[str, str, str | None], timedelta],
) -> timedelta:
    key = (order.item_id, order.region, order.plant_id)
    found = cache.get(key)
    if found is None:
        plants = [order.plant_id] if order.plant_id is not None else profiles.makers(order.item_id)
        lead_times = [
            lead
            for plant_id in plants
            if (lead := network.lead_time(plant_id, order.region)) is not None
        ]
        found = cache[key] = min(lead_times, default=timedelta(0))
    return found


def _first_short(needs: list[_Need], on_hand: int, supplies: list[_Supply]) -> datetime | None:
    available, cumulative, supply_idx = on_hand, 0, 0
    for date, _, _, _, quantity, _ in needs:
        while supply_idx < len(supplies) and supplies[supply_idx].arrives <= date:
            available += supplies[supply_idx].quantity
            supply_idx += 1
        cumulative += quantity
        if cumulative > available:
            return date
    return None


def _balance(
    needs: list[_Need], on_hand: int, supplies: list[_Supply]
) -> tuple[int, int, int, int, datetime | None]:
    """Gross need, on hand, incoming, net shortage and first shortage date."""
    gross = sum(n[4] for n in needs)
    incoming = sum(s.quantity for s in supplies)
    shortage = max(0, gross - on_hand - incoming)
    return gross, on_hand, incoming, shortage, _first_short(needs, on_hand, supplies)


def _plant_balances(
    needs: list[_Need], stock: dict[str, int], supplies: list[_Supply]
) -> tuple[PlantBalance, ...]:
    pinned: defaultdict[str, list[_Need]] = defaultdict(list)
    for need in needs:
        if need[5] is not None:
            pinned[need[5]].append(need)
    result = []
    for plant_id in sorted(pinned.keys() | stock.keys() | {s.plant_id for s in supplies}):
        gross, on_hand, incoming, shortage, first_short = _balance(
            pinned.get(plant_id, []),
            stock.get(plant_id, 0),
            [s for s in supplies if s.plant_id == plant_id],
        )
        result.append(
            PlantBalance(
                plant_id=plant_id,
                gross_need=gross,
                on_hand=on_hand,
                incoming=incoming,
                net_shortage=shortage,
                first_short=first_short,
            )
        )
    return tuple(result)


def _peg(
    network: Network,
    material_id: str,
    needs: list[_Need],
    stock: dict[str, int],
    supplies: list[_Supply],
    pegs_by_order: list[list[Peg]],
) -> None:
    """Serve needs in order from the earliest-available sources left (first in, first out)."""
    sources = [
        _Source(SourceKind.STOCK, f"stock at {plant_id}", plant_id, network.start, quantity)
        for plant_id, quantity in sorted(stock.items())
        if quantity > 0
    ]
    sources += [
        _Source(
            SourceKind.SUPPLY,
            f"{s.source} → {s.plant_id} {s.arrives:%Y-%m-%d}",
            s.plant_id,
            s.arrives,
            s.quantity,
        )
        for s in supplies
    ]
    source_idx = 0
    orders = network.orders
    for need_date, _, _, order_idx, wanted, _ in needs:
        order_id = orders[order_idx].id
        out = pegs_by_order[order_idx]
        while wanted and source_idx < len(sources):
            source = sources[source_idx]
            taken = min(wanted, source.left)
            source.left -= taken
            wanted -= taken
            if not source.left:
                source_idx += 1
            out.append(
                Peg(
                    order_id=order_id,
                    material_id=material_id,
                    quantity=taken,
                    source_kind=source.kind,
                    source_label=source.label,
                    source_plant_id=source.plant_id,
                    need_date=need_date,
                    available=source.available,
                    covered_late=source.available > need_date,
                )
            )
        if wanted:
            out.append(
                Peg(
                    order_id=order_id,
                    material_id=material_id,
                    quantity=wanted,
                    source_kind=SourceKind.UNCOVERED,
                    source_label="not covered",
                    source_plant_id=None,
                    need_date=need_date,
                    available=None,
                    covered_late=False,
                )
            )
