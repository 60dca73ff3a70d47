"""Capability gaps of a whole network, without solving: what it cannot make, what only
one plant can make, and where by month its machines are loaded beyond their capacity.

The answers come from the same rules the engine uses: who can make what is
:mod:`xiezuo.domain.rules` (``find_issues`` for missing capability,
``capable_plants`` for single plants), and the work, its alternatives (machine
groups, gang sizes, floor bays) and its precedence bounds are the compiled problem's
(:func:`~xiezuo.planning.problem.compile.compile_problem`,
:func:`~xiezuo.planning.problem.bounds.heads_and_tails`).

Rough-cut capacity, chosen so the answer is quick and says where to look:

Weight classes
    Per process, one class per distinct ``max_weight_t`` of its machine groups: class
    "machining ≥ 50 t" is every machining group that holds 50 t or more. A step's work
    belongs to the class of the lightest group able to run it anywhere in the network
    (portable groups ganged around a part on the floor included), so only that class
    and the heavier ones can do it. A class is over capacity when the work only it and
    the heavier classes can do exceeds their capacity together. Precision grades and
    machine times that exclude a group are not classes: capacity of a class counts all
    its groups.
Work
    A step's work is its unit-hours (working hours times the units held: a gang of
    three for 10 h is 30 unit-hours) on its cheapest alternative, on the routing with
    the least work; engineering steps hold people, not machines, and are left out.
Window
    A work order's work is spread evenly in calendar time over the window from its
    earliest start by precedence (its head: release and the least work and lanes of
    everything before it) to its order's due date minus its least downstream work and
    delivery lead (its tail). An order without a due date, or whose window is shorter
    than the work itself, ends its window at the latest of the other windows' ends or
    after the work, whichever is later.
Capacity
    Units times working hours of each machine group in the month: its calendar with
    holidays, cut to its ``available_from``/``available_until``; the first month
    starts at the network start. One unit more in a month works the most hours any
    group of the class does then by its calendar, which turns hours over capacity into
    units.
Levers
    A shed on offer (``levers:``) is not capacity until a plan pulls it: its group is
    left out of capacity and of the classes' alternatives. Each gap instead names the
    cheapest shed that closes it alone: for a class-month, one of the class's process,
    heavy enough, whose units work at least the hours over in that month; for an item,
    one whose machine group lets its plant make the item (a second plant, for an item
    only one plant can make).
Network-wide
    Plants are pooled: transport and which plant does what are not decided here.
    Orders the engine would set aside (missing capability, no crew, short of
    material) add no load and are listed as not counted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from xiezuo.domain.explosion import explode_orders
from xiezuo.domain.levers import LeverKind
from xiezuo.domain.rules import capable_machines, capable_plants, capable_routings, find_issues
from xiezuo.planning.problem.bounds import heads_and_tails
from xiezuo.planning.problem.compile import compile_problem

if TYPE_CHECKING:
    from collections.abc import Iterable

    from xiezuo.domain.levers import Lever
    from xiezuo.domain.network import Item, Machine, Network, Operation, Plant
    from xiezuo.domain.plan import UnplannedOrder
    from xiezuo.planning.problem.compile import CompiledWorkOrder, Problem

_HOUR = timedelta(hours=1)
CLOSEST_PLANTS = 3
"""Plants named as the nearest to making an item, fewest missing steps first."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MissingStep:
    """A routing step a plant has no capable machine for, and what it asks of one."""

    step: int
    process: str
    weight_t: float
    precision_grade: int

    @property
    def text(self) -> str:
        """``step 1: casting for 32 t at IT13 or finer``."""
        return (
            f"step {self.step}: {self.process} for {self.weight_t:g} t "
            f"at IT{self.precision_grade} or finer"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class PlantReach:
    """How far ``plant_id`` is from making an item: the steps of its nearest routing it
    has no capable machine for."""

    plant_id: str
    routing_id: str
    missing_steps: tuple[MissingStep, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class LeverFix:
    """The cheapest lever on offer that closes a gap alone; ``added_h`` is the
    unit-hours a shed adds in the month of a class-month gap (``None`` for an item)."""

    lever_id: str
    plant_id: str
    cost: float
    usable_from: datetime
    added_h: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MissingItem:
    """An item no plant can make, the orders it stops, and the plants nearest to it."""

    item_id: str
    message: str
    order_ids: tuple[str, ...]
    closest: tuple[PlantReach, ...]
    lever: LeverFix | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SinglePlantItem:
    """An item only ``plant_id`` can make: a single point of failure.

    ``work_h`` is the unit-hours of its machine work in all orders; the shares set it
    against all orders' work and against the plant's capacity over the horizon.
    """

    item_id: str
    plant_id: str
    order_ids: tuple[str, ...]
    work_h: float
    network_work_h: float
    plant_capacity_h: float
    closest: tuple[PlantReach, ...]
    lever: LeverFix | None = None

    @property
    def network_share(self) -> float:
        return self.work_h / self.network_work_h if self.network_work_h else 0.0

    @property
    def plant_share(self) -> float | None:
        return self.work_h / self.plant_capacity_h if self.plant_capacity_h else None


@dataclass(frozen=True, slots=True, kw_only=True)
class WeightClass:
    """Machine groups of ``process`` that hold at least ``min_weight_t``."""

    process: str
    min_weight_t: float

    @property
    def label(self) -> str:
        return f"{self.process} ≥ {self.min_weight_t:g} t"


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthLoad:
    """Rough-cut load of one weight class in one month.

    ``load_h``: unit-hours only this class and heavier ones can do; ``own_load_h``: of
    which the lightest group able to do it is in this class exactly (these sum to all
    work). ``capacity_h``: unit-hours of this class's and the heavier classes' groups.
    ``unit_h``: what one more unit of the class would work in the month.
    """

    weight_class: WeightClass
    month: date
    load_h: float
    own_load_h: float
    capacity_h: float
    unit_h: float
    lever: LeverFix | None = None

    @property
    def over_h(self) -> float:
        return max(0.0, self.load_h - self.capacity_h)

    @property
    def units_short(self) -> float | None:
        """Units of the class that would close the gap; ``None`` if a unit works no hour."""
        return self.over_h / self.unit_h if self.unit_h > 0 else None

    @property
    def utilisation(self) -> float | None:
        return self.load_h / self.capacity_h if self.capacity_h > 0 else None


@dataclass(frozen=True, slots=True, kw_only=True)
class Gaps:
    """Everything :func:`find_gaps` found; ``loads`` has every class and month."""

    start: datetime
    months: tuple[date, ...]
    total_work_h: float
    missing: tuple[MissingItem, ...]
    single_plant: tuple[SinglePlantItem, ...]
    loads: tuple[MonthLoad, ...]
    not_counted: tuple[UnplannedOrder, ...]

    @property
    def overloads(self) -> tuple[MonthLoad, ...]:
        """Class-months over capacity, the largest gap first."""
        over = [load for load in self.loads if load.over_h > 0]
        return tuple(sorted(over, key=lambda load: -load.over_h))

    @property
    def has_gaps(self) -> bool:
        """Something the network cannot do as it stands: an item or a month."""
        return bool(self.missing or self.overloads)


def find_gaps(network: Network) -> Gaps:
    """The capability gaps of a validated ``network`` (see the module docstring).

    Parameters
    ----------
    network
        A network that passed :func:`~xiezuo.domain.rules.validate_network`.

    Returns
    -------
    Gaps
        Items nobody can make, items only one plant can make with their load share,
        and the rough-cut load against capacity of every weight class and month.
    """
    problem = compile_problem(network)
    machine_by_key = {(p.id, m.id): m for p, m in network.iter_machines()}
    work = _work_by_step(problem, machine_by_key)
    windows = _windows(problem)
    months = _months(network, max((end for _, end in windows), default=network.start))
    classes = _weight_classes(network)
    own: dict[tuple[WeightClass, date], float] = defaultdict(float)
    for w, steps in enumerate(work):
        start, end = windows[w]
        spread = _spread(start, end, months)
        for weight_class, hours in steps:
            for month, share in spread:
                own[weight_class, month] += hours * share
    total = sum(hours for steps in work for _, hours in steps)
    loads = _with_levers(network, _loads(network, classes, months, own))
    horizon_end = _month_end(months[-1], network)
    item_work = _work_by_item(problem, work)
    makers = {item.id: capable_plants(network, item) for item in network.items}
    orders_by_item = _orders_by_item(network)
    return Gaps(
        start=network.start,
        months=months,
        total_work_h=total,
        missing=_missing(network, makers, orders_by_item),
        single_plant=_single_plant(network, makers, orders_by_item, item_work, total, horizon_end),
        loads=loads,
        not_counted=problem.unplanned,
    )


def _work_by_step(
    problem: Problem, machine_by_key: dict[tuple[str, str], Machine]
) -> list[list[tuple[WeightClass, float]]]:
    """Per work order, the (weight class, unit-hours) of each machine step of its
    least-work routing, each step on its cheapest alternative anywhere."""
    result = []
    for wo in problem.work_orders:
        # routing -> step -> (least unit-minutes, lightest group weight, process), all plants
        by_routing: dict[str, dict[int, tuple[int, float, str]]] = defaultdict(dict)
        for option in wo.options:
            steps = by_routing[option.routing_id]
            for op in option.ops:
                if op.process is None:
                    continue
                for alt, machine_idx in enumerate(op.machines):
                    compiled = problem.machines[machine_idx]
                    if compiled.lever >= 0:
                        continue  # a shed on offer is not the network's until pulled
                    assert compiled.machine_id is not None, "machine steps run on machines"
                    weight = machine_by_key[compiled.plant_id, compiled.machine_id].max_weight_t
                    unit_minutes = op.works[alt] * op.gang(alt)
                    known = steps.get(op.step)
                    if known is None:
                        steps[op.step] = (unit_minutes, weight, op.process)
                    else:
                        steps[op.step] = (
                            min(known[0], unit_minutes),
                            min(known[1], weight),
                            op.process,
                        )
        routing = min(by_routing.values(), key=lambda steps: sum(m for m, _, _ in steps.values()))
        result.append(
            [
                (WeightClass(process=process, min_weight_t=weight), minutes / 60)
                for minutes, weight, process in routing.values()
            ]
        )
    return result


def _windows(problem: Problem) -> list[tuple[datetime, datetime]]:
    """Per work order, from its head to its order's due date less its tail."""
    heads_tails = heads_and_tails(problem)
    wanted: list[tuple[int, int | None]] = []
    for w, wo in enumerate(problem.work_orders):
        due = problem.orders[wo.order_idx].due
        head = heads_tails.head[w]
        wanted.append((head, None if due is None else due - heads_tails.tail[w]))
    latest = max((end for _, end in wanted if end is not None), default=0)
    result = []
    for w, (head, end) in enumerate(wanted):
        least = _least_minutes(problem.work_orders[w])
        stop = max(latest if end is None else end, head + least)
        result.append((problem.to_datetime(head), problem.to_datetime(stop)))
    return result


def _least_minutes(wo: CompiledWorkOrder) -> int:
    return min(option.work for option in wo.options)


def _weight_classes(network: Network) -> dict[str, tuple[WeightClass, ...]]:
    weights: dict[str, set[float]] = defaultdict(set)
    for _, machine in network.iter_machines():
        if machine.lever is None:
            weights[machine.process].add(machine.max_weight_t)
    return {
        process: tuple(WeightClass(process=process, min_weight_t=w) for w in sorted(found))
        for process, found in sorted(weights.items())
    }


def _months(network: Network, last: datetime) -> tuple[date, ...]:
    zone = network.start.tzinfo
    month = network.start.astimezone(zone).date().replace(day=1)
    # Windows end exclusively: one ending at midnight on the 1st adds no month.
    end = max(last - timedelta(microseconds=1), network.start)
    stop = end.astimezone(zone).date().replace(day=1)
    months = [month]
    while month < stop:
        month = _next_month(month)
        months.append(month)
    return tuple(months)


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _month_start(month: date, network: Network) -> datetime:
    start = datetime(month.year, month.month, 1, tzinfo=network.start.tzinfo)
    return max(start, network.start)


def _month_end(month: date, network: Network) -> datetime:
    following = _next_month(month)
    return datetime(following.year, following.month, 1, tzinfo=network.start.tzinfo)


def _spread(start: datetime, end: datetime, months: tuple[date, ...]) -> list[tuple[date, float]]:
    """Shares of ``[start, end]`` falling in each month; all in ``start``'s month if empty."""
    zone = start.tzinfo
    if end <= start:
        first = start.astimezone(zone).date().replace(day=1)
        return [(first if first in months else months[0], 1.0)]
    length = end - start
    result = []
    for month in months:
        lo = max(start, datetime(month.year, month.month, 1, tzinfo=zone))
        following = _next_month(month)
        hi = min(end, datetime(following.year, following.month, 1, tzinfo=zone))
        if lo < hi:
            result.append((month, (hi - lo) / length))
    return result


def _loads(
    network: Network,
    classes: dict[str, tuple[WeightClass, ...]],
    months: tuple[date, ...],
    own: dict[tuple[WeightClass, date], float],
) -> tuple[MonthLoad, ...]:
    # Per (process, group weight, month): unit-hours available, and one unit's calendar hours.
    capacity: dict[tuple[WeightClass, date], float] = defaultdict(float)
    unit: dict[tuple[WeightClass, date], float] = defaultdict(float)
    for plant, machine in network.iter_machines():
        if machine.lever is not None:
            continue
        weight_class = WeightClass(process=machine.process, min_weight_t=machine.max_weight_t)
        calendar = network.machine_calendar(plant, machine)
        for month in months:
            lo, hi = _month_start(month, network), _month_end(month, network)
            worked = sum(
                (b - a for a, b in network.machine_windows(plant, machine, lo, hi)), timedelta(0)
            )
            capacity[weight_class, month] += machine.units * (worked / _HOUR)
            unit[weight_class, month] = max(
                unit[weight_class, month], calendar.working_time(lo, hi) / _HOUR
            )
    result: list[MonthLoad] = []
    for process_classes in classes.values():
        for month in months:
            load = cap = 0.0
            rows = []
            # Heaviest first: a class's load and capacity include every heavier class.
            for weight_class in reversed(process_classes):
                own_h = own.get((weight_class, month), 0.0)
                load += own_h
                cap += capacity[weight_class, month]
                rows.append(
                    MonthLoad(
                        weight_class=weight_class,
                        month=month,
                        load_h=load,
                        own_load_h=own_h,
                        capacity_h=cap,
                        unit_h=unit[weight_class, month],
                    )
                )
            result.extend(reversed(rows))
    return tuple(result)


def _work_by_item(
    problem: Problem, work: list[list[tuple[WeightClass, float]]]
) -> dict[str, float]:
    result: dict[str, float] = defaultdict(float)
    for w, wo in enumerate(problem.work_orders):
        result[wo.work_order.item_id] += sum(hours for _, hours in work[w])
    return result


def _orders_by_item(network: Network) -> dict[str, tuple[str, ...]]:
    found: dict[str, dict[str, None]] = defaultdict(dict)
    for wo in explode_orders(network):
        found[wo.item_id][wo.order_id] = None
    return {item_id: tuple(ids) for item_id, ids in found.items()}


def _missing(
    network: Network,
    makers: dict[str, tuple[Plant, ...]],
    orders_by_item: dict[str, tuple[str, ...]],
) -> tuple[MissingItem, ...]:
    if all(makers.values()):
        return ()  # find_issues would work out every item's plants again
    result: list[MissingItem] = []
    for finding in find_issues(network):
        if finding.kind != "missing capability" or not finding.subject.startswith("item "):
            continue
        item = network.item_by_id[finding.subject.removeprefix("item ")]
        result.append(
            MissingItem(
                item_id=item.id,
                message=finding.message,
                order_ids=orders_by_item.get(item.id, ()),
                closest=_closest(network, item, network.plants),
                lever=_item_lever(network, item, excluded=None),
            )
        )
    return tuple(result)


def _single_plant(
    network: Network,
    makers: dict[str, tuple[Plant, ...]],
    orders_by_item: dict[str, tuple[str, ...]],
    item_work: dict[str, float],
    total_h: float,
    horizon_end: datetime,
) -> tuple[SinglePlantItem, ...]:
    capacity_by_plant = {
        plant.id: sum(
            machine.units * (b - a) / _HOUR
            for machine in plant.machines
            if machine.lever is None
            for a, b in network.machine_windows(plant, machine, network.start, horizon_end)
        )
        for plant in network.plants
    }
    result: list[SinglePlantItem] = []
    for item in network.items:
        if item.id not in orders_by_item:
            continue
        if len(makers[item.id]) != 1:
            continue
        (plant,) = makers[item.id]
        others = tuple(p for p in network.plants if p.id != plant.id)
        result.append(
            SinglePlantItem(
                item_id=item.id,
                plant_id=plant.id,
                order_ids=orders_by_item[item.id],
                work_h=item_work.get(item.id, 0.0),
                network_work_h=total_h,
                plant_capacity_h=capacity_by_plant[plant.id],
                closest=_closest(network, item, others),
                lever=_item_lever(network, item, excluded=plant.id),
            )
        )
    return tuple(sorted(result, key=lambda found: (-found.work_h, found.item_id)))


def _closest(network: Network, item: Item, plants: Iterable[Plant]) -> tuple[PlantReach, ...]:
    """The plants that lack the fewest machine steps of one of the item's routings."""
    reaches = []
    for plant in plants:
        best: PlantReach | None = None
        for routing in item.routings:
            missing = tuple(
                _describe_step(item, step, op)
                for step, op in enumerate(routing.operations, start=1)
                if not op.is_staff_only and not capable_machines(item, op, plant)
            )
            if best is None or len(missing) < len(best.missing_steps):
                best = PlantReach(plant_id=plant.id, routing_id=routing.id, missing_steps=missing)
        if best is not None and best.missing_steps:
            reaches.append(best)
    reaches.sort(key=lambda reach: (len(reach.missing_steps), reach.plant_id))
    return tuple(reaches[:CLOSEST_PLANTS])


def _describe_step(item: Item, step: int, op: Operation) -> MissingStep:
    assert op.process is not None, "engineering steps need no machine"
    return MissingStep(
        step=step,
        process=op.process,
        weight_t=item.required_weight(op),
        precision_grade=item.required_grade(op),
    )


def _sheds(network: Network) -> list[tuple[Lever, Plant, Machine]]:
    """Sheds on offer, cheapest first, with their plant and machine group."""
    found = []
    for lever in network.levers:
        if lever.kind is LeverKind.SHED and lever.machine_id is not None:
            plant = network.plant_by_id[lever.plant_id]
            found.append((lever, plant, plant.machine(lever.machine_id)))
    return sorted(found, key=lambda shed: (shed[0].cost, shed[0].id))


def _with_levers(network: Network, loads: tuple[MonthLoad, ...]) -> tuple[MonthLoad, ...]:
    sheds = _sheds(network)
    if not sheds:
        return loads
    result = []
    for load in loads:
        if load.over_h > 0:
            load = replace(load, lever=_month_lever(network, sheds, load))
        result.append(load)
    return tuple(result)


def _month_lever(
    network: Network, sheds: list[tuple[Lever, Plant, Machine]], load: MonthLoad
) -> LeverFix | None:
    lo, hi = _month_start(load.month, network), _month_end(load.month, network)
    for lever, plant, machine in sheds:
        if (
            machine.process != load.weight_class.process
            or machine.max_weight_t < load.weight_class.min_weight_t
        ):
            continue
        windows = network.machine_windows(plant, machine, max(lo, lever.usable_from), hi)
        added = machine.units * sum((b - a for a, b in windows), timedelta(0)) / _HOUR
        if added >= load.over_h:
            return LeverFix(
                lever_id=lever.id,
                plant_id=plant.id,
                cost=lever.cost,
                usable_from=lever.usable_from,
                added_h=added,
            )
    return None


def _item_lever(network: Network, item: Item, *, excluded: str | None) -> LeverFix | None:
    """The cheapest shed with which its plant (not ``excluded``) can make ``item``."""
    for lever, plant, machine in _sheds(network):
        if plant.id == excluded:
            continue
        # The plant as if this shed were built and no other: its group counts as its own.
        built = replace(
            plant,
            machines=tuple(
                replace(m, lever=None) if m.id == machine.id else m
                for m in plant.machines
                if m.lever is None or m.id == machine.id
            ),
        )
        if capable_routings(item, built):
            return LeverFix(
                lever_id=lever.id,
                plant_id=plant.id,
                cost=lever.cost,
                usable_from=lever.usable_from,
            )
    return None
