"""Turn a validated network into a dense problem: integer minutes and indices.

This is the only module that knows both the domain's string IDs and the engine's
indices. Times are minutes from the network start. Orders that cannot be made
(missing capability) are set aside with a reason instead of failing the solve.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from xiezuo.domain import (
    PLAN_SPAN_LIMIT,
    Calendar,
    Item,
    LeverKind,
    Machine,
    Network,
    Operation,
    Order,
    Plant,
    Routing,
    UnplannedOrder,
    UnplannedReason,
    WorkOrder,
    capable_machines,
    capable_routings,
    design_gates,
    explode_order,
    gang_sizes,
    is_on_floor,
    unmakeable_items,
)
from xiezuo.planning.problem.timeline import WorkingWindows

if TYPE_CHECKING:
    from xiezuo.planning.problem.solution import Solution
    from xiezuo.planning.replan.situation import Situation

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence


# Stands in for "no due date" where orders are sorted or compared; beyond any horizon.
NO_DUE = 10**12
# The floor bays' name among the skills; they follow the network's own skills.
FLOOR_BAYS = "floor bays"


@dataclass(frozen=True, slots=True)
class CompiledMachine:
    """A machine group, or (``machine_id`` ``None``) a plant's engineering office: a
    stand-in with a unit for every work order, so only crews limit engineering work."""

    plant_idx: int
    plant_id: str
    machine_id: str | None
    units: int
    windows_idx: int
    lever: int = -1  # index into Problem.levers of the lever without which it is not there


@dataclass(frozen=True, slots=True)
class CompiledOp:
    """A step and its alternatives: alternative ``a`` runs on ``gangs[a]`` units of
    machine ``machines[a]`` (a machine appears once per gang size) for ``works[a]``
    working minutes, with the part in a floor bay when ``on_floor[a]``."""

    step: int
    process: str | None
    machines: tuple[int, ...]
    works: tuple[int, ...]  # working minutes on each of ``machines``
    crew: tuple[tuple[int, int], ...] = ()  # (skill index, people) per unit
    gangs: tuple[int, ...] = ()  # units per alternative; empty: one each
    on_floor: tuple[bool, ...] = ()  # per alternative; empty: none
    floor_skill: int = -1  # the floor bays' index among the problem's resources

    @property
    def min_work(self) -> int:
        return min(self.works)

    def gang(self, alt: int) -> int:
        return self.gangs[alt] if self.gangs else 1

    def is_on_floor(self, alt: int) -> bool:
        return bool(self.on_floor) and self.on_floor[alt]

    def crew_of(self, alt: int) -> tuple[tuple[int, int], ...]:
        """People and floor bays alternative ``alt`` holds: a crew per unit, and one bay
        (counted like a skill of the plant) when the part lies on the floor."""
        k = self.gang(alt)
        crew = self.crew if k == 1 else tuple((skill, people * k) for skill, people in self.crew)
        return (*crew, (self.floor_skill, 1)) if self.is_on_floor(alt) else crew

    def alternative(self, machine_idx: int, gang: int) -> int:
        """Index of the alternative on ``machine_idx`` with ``gang`` units."""
        for alt, m in enumerate(self.machines):
            if m == machine_idx and self.gang(alt) == gang:
                return alt
        raise KeyError((machine_idx, gang))

    @property
    def is_plain(self) -> bool:
        """Every alternative is one unit, never on the floor."""
        return not any(k > 1 for k in self.gangs) and not any(self.on_floor)


@dataclass(frozen=True, slots=True)
class Option:
    """One way to make a work order: a plant and one of the item's routings.

    In a replan ``ops`` are the steps still to plan (each keeps its routing step
    number) and ``ready`` is when components already made reach this plant.
    """

    plant_idx: int
    routing_id: str
    ops: tuple[CompiledOp, ...]
    # (material index, quantity, index into ``ops`` of the step at whose start it is taken)
    needs: tuple[tuple[int, int, int], ...] = ()
    ready: int = 0

    @property
    def work(self) -> int:
        """Least working time of the whole routing, each step on its fastest machine."""
        return sum(op.min_work for op in self.ops)


@dataclass(frozen=True, slots=True)
class CompiledWorkOrder:
    work_order: WorkOrder
    order_idx: int
    parent_idx: int | None
    children: tuple[int, ...]
    options: tuple[Option, ...]
    release: int
    # Design work orders that must finish (and travel) before this one starts.
    gates: tuple[int, ...] = ()

    @property
    def predecessors(self) -> tuple[int, ...]:
        """Work orders that must finish before this one starts: components and designs."""
        return self.children + self.gates

    @property
    def plants(self) -> tuple[int, ...]:
        return tuple(sorted({o.plant_idx for o in self.options}))


@dataclass(frozen=True, slots=True)
class CompiledOrder:
    order_id: str
    root_idx: int
    due: int | None
    weight: int
    # Plant index -> lead time to the order's region in minutes.
    delivery_lead: dict[int, int]

    @property
    def due_key(self) -> int:
        """The due date for sorting and slack; orders without one come last."""
        return NO_DUE if self.due is None else self.due

    def tardiness(self, arrival: int) -> int:
        return 0 if self.due is None else max(0, arrival - self.due)


@dataclass(frozen=True, slots=True)
class Reservation:
    """Units of a machine group held by work or downtime the plan does not decide:
    ``unit`` names the unit of a step already under way or frozen, ``None`` leaves it
    open (``count`` units down)."""

    machine_idx: int
    unit: int | None
    count: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where the previous plan ran a step still to plan: option, index into its ops,
    machine and start. The step counts as moved on another option or machine, or when
    it starts more than ``tolerance`` minutes away."""

    wo_idx: int
    option_idx: int
    op_idx: int
    machine_idx: int
    unit: int
    start: int
    tolerance: int


@dataclass(frozen=True, slots=True)
class CompiledLever:
    """A lever the model may pull, its cost in hundredths (whole numbers for CP-SAT)."""

    lever_id: str
    cost: int


@dataclass(frozen=True, slots=True)
class LeverHold:
    """Units of a machine group away while lever ``lever`` is pulled (a loan's lender):
    ``count`` of them, its highest-numbered, from ``start`` to ``end``."""

    machine_idx: int
    count: int
    start: int
    end: int
    lever: int


@dataclass(frozen=True, slots=True)
class PeopleLoan:
    """People of ``skill`` lent while lever ``lever`` is pulled: away from ``lender``
    over ``[leave, back)``, at work at ``borrower`` over ``[arrive, go_back)``."""

    lever: int
    lender: int
    borrower: int
    skill: int
    count: int
    leave: int
    arrive: int
    go_back: int
    back: int


def cost_units(cost: float) -> int:
    """A lever's cost, or the budget, in the model's whole hundredths."""
    return round(cost * 100)


@dataclass(frozen=True, slots=True)
class Problem:
    network: Network
    plant_ids: tuple[str, ...]
    machines: tuple[CompiledMachine, ...]
    windows: tuple[WorkingWindows, ...]
    work_orders: tuple[CompiledWorkOrder, ...]
    orders: tuple[CompiledOrder, ...]
    # lead[a][b]: minutes from plant a to plant b, None without a lane.
    lead: tuple[tuple[int | None, ...], ...]
    # Every window list reaches at least this far; a safe bound on any sensible plan.
    window_cap: int
    unplanned: tuple[UnplannedOrder, ...]
    material_ids: tuple[str, ...] = ()
    # (plant, material) -> (stock at minute 0, ((minute, quantity) of each supply, ...))
    warehouses: dict[tuple[int, int], tuple[int, tuple[tuple[int, int], ...]]] = field(
        default_factory=dict
    )
    skill_ids: tuple[str, ...] = ()
    # (plant, skill) -> ((from minute, people), ...), first step at minute 0
    staff: dict[tuple[int, int], tuple[tuple[int, int], ...]] = field(default_factory=dict)
    # Replans only: the status date, units held, orders whose end product is made.
    as_of: int = 0
    reservations: tuple[Reservation, ...] = ()
    settled_orders: tuple[str, ...] = ()
    # Stability: the previous plan's steps, and the weighted-tardiness minutes one moved
    # step costs in the first objective.
    anchors: tuple[Anchor, ...] = ()
    move_cost: int = 0
    # Levers the engine may pull, and their budget in the same hundredths (None: none).
    levers: tuple[CompiledLever, ...] = ()
    lever_budget: int | None = None
    lever_holds: tuple[LeverHold, ...] = ()
    people_loans: tuple[PeopleLoan, ...] = ()

    def levers_pulled(self, solution: Solution) -> tuple[int, ...]:
        """Indices of the levers whose capacity ``solution`` uses, in order: a shed's or
        a machine loan's machines, or people beyond a plant's own (see
        :meth:`_people_needed`)."""
        used = {
            self.machines[op.machine_idx].lever for placement in solution for op in placement.ops
        }
        if self.people_loans:
            used |= self._people_needed(solution)
        return tuple(sorted(i for i in used if i >= 0))

    def _people_needed(self, solution: Solution) -> set[int]:
        """People loans without which ``solution`` has more people of a skill at work
        at the borrower than it has: each loan, in order, is taken while some instant
        in its stay still lacks people. With one loan per plant and skill this is
        exactly the loans the plan cannot do without."""
        keys = {(loan.borrower, loan.skill) for loan in self.people_loans}
        changes: dict[tuple[int, int], list[tuple[int, int]]] = {key: [] for key in keys}
        for wo, placement in zip(self.work_orders, solution, strict=True):
            option = wo.options[placement.option_idx]
            for spec, op in zip(option.ops, placement.ops, strict=True):
                for skill, people in spec.crew_of(spec.alternative(op.machine_idx, op.gang)):
                    key = (option.plant_idx, skill)
                    if key in changes:
                        changes[key] += [(op.start, people), (op.end, -people)]
        short: dict[tuple[int, int], list[list[int]]] = {}  # [from, to, people short]
        for key, deltas in changes.items():
            steps = self.staff.get(key, ((0, 0),))
            instants = sorted({t for t, _ in deltas} | {t for t, _ in steps})
            level, at_work, gaps = 0, dict.fromkeys(instants, 0), []
            for t, delta in deltas:
                at_work[t] += delta
            for a, b in itertools.pairwise([*instants, instants[-1] + 1]):
                level += at_work[a]
                own = next((people for t, people in reversed(steps) if t <= a), 0)
                if level > own:
                    gaps.append([a, b, level - own])
            short[key] = gaps
        needed = set()
        for loan in self.people_loans:
            gaps = [
                g
                for g in short[loan.borrower, loan.skill]
                if g[2] > 0 and g[0] < loan.go_back and g[1] > loan.arrive
            ]
            if gaps:
                needed.add(loan.lever)
                for gap in gaps:
                    gap[2] -= loan.count
        return needed

    def lever_cost(self, solution: Solution) -> int:
        return sum(self.levers[i].cost for i in self.levers_pulled(solution))

    def sources(self, plant_idx: int, material_idx: int) -> tuple[int, ...]:
        """Plants whose warehouse can send ``material_idx`` to ``plant_idx``."""
        return tuple(
            a
            for a in range(len(self.plant_ids))
            if (a, material_idx) in self.warehouses and self.lead[a][plant_idx] is not None
        )

    def to_datetime(self, minute: int) -> datetime:
        return self.network.start + timedelta(minutes=minute)


def minutes(delta: timedelta) -> int:
    """Whole minutes, rounding up so work is never under-counted."""
    return math.ceil(delta / timedelta(minutes=1))


def compile_problem(
    network: Network,
    set_aside: Mapping[str, UnplannedOrder] | None = None,
    situation: Situation | None = None,
) -> Problem:
    """Build the dense problem for ``network`` (already validated).

    ``set_aside`` maps order IDs the caller has found unplaceable to the reason. With a
    ``situation`` (a replan) only what remains is compiled: work orders already made
    become ready times of their parents, fixed steps are left out of their routings,
    nothing starts before the status date, and fixed work holds its units and crews.
    """
    set_aside = set_aside or {}
    as_of = 0 if situation is None else max(0, _minute(network, situation.as_of))
    plant_ids = tuple(p.id for p in network.plants)
    plant_idx = {pid: i for i, pid in enumerate(plant_ids)}
    machine_idx: dict[tuple[str, str], int] = {}
    machine_specs: list[tuple[Plant, Machine]] = []
    for plant, machine in network.iter_machines():
        machine_idx[plant.id, machine.id] = len(machine_specs)
        machine_specs.append((plant, machine))
    office_idx = {plant.id: len(machine_specs) + i for i, plant in enumerate(network.plants)}

    unplanned: list[UnplannedOrder] = []
    settled: list[str] = []
    # Per order, per work order still to make: (plant, ready) of its inputs already made.
    made_inputs: dict[str, dict[str, list[tuple[str, datetime]]]] = {}
    exploded: list[tuple[Order, tuple[WorkOrder, ...]]] = []
    capable = _Capable(network)
    for order in network.orders:
        if order.id in set_aside:
            unplanned.append(set_aside[order.id])
            continue
        tree = explode_order(network, order)
        if situation is not None:
            if situation.ready(tree[0].id) is not None:
                settled.append(order.id)
                continue
            kept = _still_to_make(tree, situation)
            made_inputs[order.id] = _made_inputs(tree, kept, situation)
            tree = kept
        missing = capable.unmakeable(order.item_id)
        if missing:
            unplanned.append(
                _incapable(order, f"missing capability: no plant can make {', '.join(missing)}")
            )
            continue
        pinned = network.plant_by_id.get(order.plant_id or "")
        if pinned is not None and not capable.routings(network.item_by_id[order.item_id], pinned):
            unplanned.append(
                _incapable(
                    order,
                    f"missing capability: pinned plant {pinned.id!r} cannot make {order.item_id}",
                )
            )
            continue
        exploded.append((order, tree))

    material_ids = tuple(m.id for m in network.materials)
    material_idx = {mid: i for i, mid in enumerate(material_ids)}
    # Floor bays are held like people of a skill: a count per plant, never changing.
    skill_ids = (*network.skills, FLOOR_BAYS)
    skill_idx = {sid: i for i, sid in enumerate(network.skills)}
    floor_idx = len(network.skills)
    staff = {
        (plant_idx[p], skill_idx[k]): tuple(
            (max(0, _minute(network, when)), people)
            for when, people in network.staff_capacity(p, k)
        )
        for p, k in {(s.plant_id, s.skill) for s in network.staffing}
        | {(t.plant_id, t.skill) for t in network.trainings}
    }
    for plant in network.plants:
        if plant.floor is not None:
            staff[plant_idx[plant.id], floor_idx] = ((0, plant.floor.bays),)
    if situation is not None:
        staff = _crews_left(network, situation, staff, plant_idx, skill_idx)

    def crew_fits(plant: Plant, op: Operation) -> bool:
        return all(
            max(
                (level for _, level in staff.get((plant_idx[plant.id], skill_idx[c.skill]), ())),
                default=0,
            )
            >= c.size
            for c in op.crew
        )

    planned: list[tuple[Order, list[tuple[WorkOrder, tuple[Option, ...]]]]] = []
    for order, order_work_orders in exploded:
        entries: list[tuple[WorkOrder, tuple[Option, ...]]] = []
        arrivals_in = made_inputs.get(order.id, {})
        for wo in order_work_orders:
            item = network.item_by_id[wo.item_id]
            # A pinned order's end product is built at its plant; its parts may come from
            # anywhere in the network, as when other plants took parts of a set.
            pinned_plant = network.plant_by_id.get(order.plant_id or "")
            is_pinned = pinned_plant is not None and wo.parent_id is None
            plants = (pinned_plant,) if pinned_plant and is_pinned else network.plants
            prefix = None if situation is None else situation.prefixes.get(wo.id)
            if prefix is not None:
                plants = (network.plant_by_id[prefix.plant_id],)
            skip = 0 if prefix is None else len(prefix.steps)
            needs = tuple(
                (
                    material_idx[line.material_id],
                    line.quantity * wo.quantity,
                    (line.step or 1) - 1 - skip,
                )
                for line in item.materials
                if (line.step or 1) > skip
            )
            found: list[Option] = []
            for plant in plants:
                ready = _ready_at(network, arrivals_in.get(wo.id, ()), plant.id)
                if ready is None:
                    continue
                for routing in capable.routings(item, plant):
                    if prefix is not None and routing.id != prefix.routing_id:
                        continue
                    if not all(crew_fits(plant, op) for op in routing.operations[skip:]):
                        continue
                    ops = tuple(
                        _within_peaks(
                            _compile_op(
                                capable,
                                step,
                                op,
                                item,
                                plant,
                                wo.quantity,
                                machine_idx,
                                skill_idx,
                                office_idx,
                                floor_idx,
                            ),
                            plant_idx[plant.id],
                            staff,
                        )
                        for step, op in enumerate(routing.operations, start=1)
                        if step > skip
                    )
                    if not all(op.machines for op in ops):
                        continue
                    found.append(Option(plant_idx[plant.id], routing.id, ops, needs, ready))
            options = tuple(found)
            if not options:
                entries = []
                unplanned.append(
                    _incapable(
                        order,
                        f"missing capability: no plant has both the machines and the crews "
                        f"for {wo.item_id}",
                    )
                )
                break
            entries.append((wo, options))
        if entries:
            planned.append((order, entries))
    warehouses = _warehouses(network, situation, plant_idx, material_idx)
    planned = _drop_orders_short_of_material(planned, material_ids, warehouses, unplanned)

    total_work = 0
    raw_work_orders = []
    for order_idx, (order, entries) in enumerate(planned):
        for wo, options in entries:
            total_work += max(o.work for o in options)
            release = max(as_of, _minute(network, order.release or network.start))
            if situation is not None and wo.id in situation.prefixes:
                release = max(release, _minute(network, situation.prefixes[wo.id].end))
            raw_work_orders.append((wo, order_idx, options, release))

    wo_idx = {wo.id: i for i, (wo, *_rest) in enumerate(raw_work_orders)}
    children: dict[int, list[int]] = {i: [] for i in range(len(raw_work_orders))}
    for i, (wo, *_rest) in enumerate(raw_work_orders):
        if wo.parent_id is not None:
            children[wo_idx[wo.parent_id]].append(i)
    gates = design_gates(tuple(wo for wo, *_rest in raw_work_orders))
    work_orders = tuple(
        CompiledWorkOrder(
            work_order=wo,
            order_idx=order_idx,
            parent_idx=None if wo.parent_id is None else wo_idx[wo.parent_id],
            children=tuple(children[i]),
            options=options,
            release=release,
            gates=tuple(wo_idx[g] for g in gates[wo.id] if g in wo_idx),
        )
        for i, (wo, order_idx, options, release) in enumerate(raw_work_orders)
    )

    lead = tuple(tuple(_lead(network, a, b) for b in plant_ids) for a in plant_ids)
    orders = []
    for order, entries in planned:
        root = wo_idx[entries[0][0].id]
        delivery_lead = {
            p: minutes(network.lead_time(plant_ids[p], order.region) or timedelta(0))
            for p in work_orders[root].plants
        }
        orders.append(
            CompiledOrder(
                order_id=order.id,
                root_idx=root,
                due=None if order.due is None else _minute(network, order.due),
                weight=order.priority,
                delivery_lead=delivery_lead,
            )
        )

    window_cap = _window_cap(network, orders, lead, total_work, work_orders)
    windows: list[WorkingWindows] = []
    windows_key: dict[tuple[object, ...], int] = {}
    machines = []
    lever_idx = {lever.id: i for i, lever in enumerate(network.levers)}
    for plant, machine in machine_specs:
        key = (
            network.machine_calendar(plant, machine),
            machine.available_from,
            machine.available_until,
        )
        if key not in windows_key:
            windows_key[key] = len(windows)
            source = partial(_machine_windows, network, plant, machine)
            windows.append(WorkingWindows(source=source, limit=window_cap))
        machines.append(
            CompiledMachine(
                plant_idx=plant_idx[plant.id],
                plant_id=plant.id,
                machine_id=machine.id,
                units=machine.units,
                windows_idx=windows_key[key],
                lever=-1 if machine.lever is None else lever_idx[machine.lever],
            )
        )
    for plant in network.plants:
        source = partial(_calendar_windows, network, plant.calendar or network.calendar)
        windows.append(WorkingWindows(source=source, limit=window_cap))
        machines.append(
            CompiledMachine(
                plant_idx=plant_idx[plant.id],
                plant_id=plant.id,
                machine_id=None,
                units=max(1, len(work_orders)),
                windows_idx=len(windows) - 1,
            )
        )
    return Problem(
        network=network,
        plant_ids=plant_ids,
        machines=tuple(machines),
        windows=tuple(windows),
        work_orders=work_orders,
        orders=tuple(orders),
        lead=lead,
        window_cap=window_cap,
        unplanned=tuple(unplanned),
        material_ids=material_ids,
        warehouses=warehouses,
        skill_ids=skill_ids,
        staff=staff,
        as_of=as_of,
        reservations=(
            () if situation is None else _reservations(network, situation, machine_idx, window_cap)
        ),
        settled_orders=tuple(settled),
        levers=tuple(CompiledLever(lever.id, cost_units(lever.cost)) for lever in network.levers),
        lever_holds=tuple(
            LeverHold(
                machine_idx[lever.lender_id, lever.machine_id],
                lever.units,
                max(0, _minute(network, lever.decision)),
                _minute(network, lever.until),
                i,
            )
            for i, lever in enumerate(network.levers)
            if lever.lender_id is not None
            and lever.machine_id is not None
            and lever.until is not None
            and lever.kind is LeverKind.MACHINE_LOAN
            and _minute(network, lever.until) > max(0, _minute(network, lever.decision))
        ),
        people_loans=tuple(
            PeopleLoan(
                lever=i,
                lender=plant_idx[lever.lender_id],
                borrower=plant_idx[lever.plant_id],
                skill=skill_idx[lever.skill],
                count=lever.units,
                leave=max(0, _minute(network, lever.decision)),
                arrive=max(0, _minute(network, lever.usable_from)),
                go_back=max(0, _minute(network, lever.usable_until)),
                back=max(0, _minute(network, lever.until)),
            )
            for i, lever in enumerate(network.levers)
            if lever.kind is LeverKind.PEOPLE_LOAN
            and lever.lender_id is not None
            and lever.skill is not None
            and lever.until is not None
        ),
        lever_budget=None if network.lever_budget is None else cost_units(network.lever_budget),
    )


class _Capable:
    """The capability rules' answers, worked out once per item, step and plant: a large
    network asks the same questions for thousands of work orders."""

    def __init__(self, network: Network) -> None:
        self._network = network
        self._routings: dict[tuple[str, str], tuple[Routing, ...]] = {}
        self._unmakeable: dict[str, tuple[str, ...]] = {}
        # Keyed by object identity: the network holds every item, step and plant alive.
        self._machines: dict[
            tuple[int, int, int], tuple[tuple[Machine, bool, tuple[int, ...]], ...]
        ]
        self._machines = {}

    def routings(self, item: Item, plant: Plant) -> tuple[Routing, ...]:
        key = (item.id, plant.id)
        if key not in self._routings:
            self._routings[key] = capable_routings(item, plant)
        return self._routings[key]

    def unmakeable(self, item_id: str) -> tuple[str, ...]:
        if item_id not in self._unmakeable:
            self._unmakeable[item_id] = unmakeable_items(self._network, item_id)
        return self._unmakeable[item_id]

    def machines(
        self, item: Item, op: Operation, plant: Plant
    ) -> tuple[tuple[Machine, bool, tuple[int, ...]], ...]:
        """Capable machines, each with whether it works on the floor and its gang sizes."""
        key = (id(item), id(op), id(plant))
        if key not in self._machines:
            self._machines[key] = tuple(
                (m, is_on_floor(item, op, m), gang_sizes(item, op, plant, m))
                for m in capable_machines(item, op, plant, with_levers=True)
            )
        return self._machines[key]


def _compile_op(
    capable: _Capable,
    step: int,
    op: Operation,
    item: Item,
    plant: Plant,
    quantity: int,
    machine_idx: dict[tuple[str, str], int],
    skill_idx: dict[str, int],
    office_idx: dict[str, int],
    floor_idx: int,
) -> CompiledOp:
    crew = tuple((skill_idx[c.skill], c.size) for c in op.crew)
    if op.is_staff_only:
        assert op.run_per_unit is not None, "engineering work has a run time"
        work = minutes(op.setup + op.run_per_unit * quantity)
        return CompiledOp(step, op.process, (office_idx[plant.id],), (work,), crew)
    machines, works, gangs, on_floor = [], [], [], []
    for machine, floor, gang_options in capable.machines(item, op, plant):
        for gang in gang_options:
            duration = op.duration(quantity, plant.id, machine.id, gang)
            assert duration is not None, "capable machines all have a run time"
            machines.append(machine_idx[plant.id, machine.id])
            works.append(minutes(duration))
            gangs.append(gang)
            on_floor.append(floor)
    is_plain = all(k == 1 for k in gangs) and not any(on_floor)
    return CompiledOp(
        step=step,
        process=op.process,
        machines=tuple(machines),
        works=tuple(works),
        crew=crew,
        gangs=() if is_plain else tuple(gangs),
        on_floor=() if is_plain else tuple(on_floor),
        floor_skill=floor_idx,
    )


def _within_peaks(
    op: CompiledOp, plant: int, staff: Mapping[tuple[int, int], tuple[tuple[int, int], ...]]
) -> CompiledOp:
    """``op`` without the gangs whose crews (or floor bay) the plant never has."""
    if op.is_plain:
        return op

    def peak(skill: int) -> int:
        return max((level for _, level in staff.get((plant, skill), ())), default=0)

    kept = [
        alt
        for alt in range(len(op.machines))
        if all(people <= peak(skill) for skill, people in op.crew_of(alt))
    ]
    return replace(
        op,
        machines=tuple(op.machines[a] for a in kept),
        works=tuple(op.works[a] for a in kept),
        gangs=tuple(op.gangs[a] for a in kept),
        on_floor=tuple(op.on_floor[a] for a in kept),
    )


def _drop_orders_short_of_material(
    planned: list[tuple[Order, list[tuple[WorkOrder, tuple[Option, ...]]]]],
    material_ids: tuple[str, ...],
    warehouses: Mapping[tuple[int, int], tuple[int, tuple[tuple[int, int], ...]]],
    unplanned: list[UnplannedOrder],
) -> list[tuple[Order, list[tuple[WorkOrder, tuple[Option, ...]]]]]:
    """Set aside orders the network's whole stock and supplies cannot cover.

    Orders claim material by due date, higher priority first on ties; an order whose
    claim would exceed what ever exists in the network cannot be made at all, which
    is a finding, not a late plan.
    """
    available = [0] * len(material_ids)
    for (_, material), (initial, arrivals) in warehouses.items():
        available[material] += initial + sum(quantity for _, quantity in arrivals)
    kept = []
    for order, entries in sorted(
        planned,
        key=lambda oe: (
            oe[0].due is None,
            oe[0].due or datetime.min.replace(tzinfo=UTC),
            -oe[0].priority,
        ),
    ):
        need = [0] * len(material_ids)
        for _, options in entries:
            for material, quantity, _step in options[0].needs:
                need[material] += quantity
        short = [m for m, q in enumerate(need) if q > available[m]]
        if short:
            unplanned.append(
                UnplannedOrder(
                    order_id=order.id,
                    reason=UnplannedReason.SHORT_OF_MATERIAL,
                    message="short of material: "
                    + ", ".join(
                        f"{material_ids[m]} (needs {need[m]}, {available[m]} left in the network)"
                        for m in short
                    ),
                )
            )
            continue
        available = [a - q for a, q in zip(available, need, strict=True)]
        kept.append((order, entries))
    order_position = {id(order): i for i, (order, _) in enumerate(planned)}
    return sorted(kept, key=lambda oe: order_position[id(oe[0])])


def _warehouses(
    network: Network,
    situation: Situation | None,
    plant_idx: Mapping[str, int],
    material_idx: Mapping[str, int],
) -> dict[tuple[int, int], tuple[int, tuple[tuple[int, int], ...]]]:
    """(plant, material) -> (stock at minute 0, ((minute, quantity) of each supply, ...)).

    In a replan the stock at the status date arrives at the status date, so no draw can
    leave a warehouse before it.
    """
    warehouses: dict[tuple[int, int], tuple[int, tuple[tuple[int, int], ...]]] = {}
    supplies = sorted(network.supplies, key=lambda s: s.arrives)
    if situation is None:
        for lot in network.stock:
            warehouses[plant_idx[lot.plant_id], material_idx[lot.material_id]] = (lot.quantity, ())
    else:
        as_of = max(0, _minute(network, situation.as_of))
        for (plant_id, material_id), level in sorted(situation.levels.items()):
            warehouses[plant_idx[plant_id], material_idx[material_id]] = (0, ((as_of, level),))
        supplies = [s for s in supplies if s.arrives > situation.as_of]
    coming = [(s.plant_id, s.material_id, s.arrives, s.quantity) for s in supplies]
    if situation is not None:  # material on its way since before the status date
        coming += [(t.plant_id, t.material_id, t.arrive, t.quantity) for t in situation.transit]
    for plant_id, material_id, arrives, quantity in sorted(coming, key=lambda c: c[2]):
        where = (plant_idx[plant_id], material_idx[material_id])
        initial, arrivals = warehouses.get(where, (0, ()))
        warehouses[where] = (initial, (*arrivals, (max(0, _minute(network, arrives)), quantity)))
    return warehouses


def _still_to_make(tree: tuple[WorkOrder, ...], situation: Situation) -> tuple[WorkOrder, ...]:
    """The work orders of an order not yet made: those made, and all below them, left out."""
    made: set[str] = set()
    kept = []
    for wo in tree:  # parents come before their components
        if wo.parent_id in made or situation.ready(wo.id) is not None:
            made.add(wo.id)
        else:
            kept.append(wo)
    return tuple(kept)


def _made_inputs(
    tree: tuple[WorkOrder, ...], kept: tuple[WorkOrder, ...], situation: Situation
) -> dict[str, list[tuple[str, datetime]]]:
    """Per work order still to make: (plant, ready) of the components and designs it
    needs that are already made; ``tree`` is the order's whole explosion."""
    gates = design_gates(tree)
    kept_ids = {wo.id for wo in kept}
    inputs: dict[str, list[tuple[str, datetime]]] = {}
    for wo in kept:
        needed = [w.id for w in tree if w.parent_id == wo.id] + list(gates[wo.id])
        for before in needed:
            ready = situation.ready(before)
            if before not in kept_ids and ready is not None:
                inputs.setdefault(wo.id, []).append(ready)
    return inputs


def _ready_at(
    network: Network, inputs: Sequence[tuple[str, datetime]], plant_id: str
) -> int | None:
    """Minute by which made inputs reach ``plant_id``; ``None`` if one has no lane there."""
    ready = 0
    for origin, when in inputs:
        lead = network.lead_time(origin, plant_id)
        if lead is None:
            return None
        ready = max(ready, _minute(network, when + lead))
    return ready


def _crews_left(
    network: Network,
    situation: Situation,
    staff: dict[tuple[int, int], tuple[tuple[int, int], ...]],
    plant_idx: Mapping[str, int],
    skill_idx: Mapping[str, int],
) -> dict[tuple[int, int], tuple[tuple[int, int], ...]]:
    """People left for new work once the fixed steps running after the status date have
    their crews."""
    held: dict[tuple[int, int], list[tuple[int, int, int]]] = {}
    as_of = _minute(network, situation.as_of)
    for prefix in situation.prefixes.values():
        item = network.item_by_id[prefix.item_id]
        routing = next(r for r in item.routings if r.id == prefix.routing_id)
        for step in prefix.steps:
            start, end = max(as_of, _minute(network, step.start)), _minute(network, step.end)
            if end <= start:
                continue
            for need in routing.operations[step.step - 1].crew:
                key = (plant_idx[prefix.plant_id], skill_idx[need.skill])
                held.setdefault(key, []).append((start, end, need.size))
    result = dict(staff)
    for key, uses in held.items():
        steps = list(staff.get(key, ((0, 0),)))
        points = sorted({t for t, _ in steps} | {a for a, _, _ in uses} | {b for _, b, _ in uses})
        levels = []
        for point in points:
            base = next((level for t, level in reversed(steps) if t <= point), 0)
            busy = sum(n for a, b, n in uses if a <= point < b)
            levels.append((point, max(0, base - busy)))
        merged = [levels[0]]
        for point, level in levels[1:]:
            if level != merged[-1][1]:
                merged.append((point, level))
        result[key] = tuple(merged)
    return result


def _reservations(
    network: Network,
    situation: Situation,
    machine_idx: Mapping[tuple[str, str], int],
    window_cap: int,
) -> tuple[Reservation, ...]:
    """Units held after the status date by steps under way or frozen, and units down."""
    as_of = _minute(network, situation.as_of)
    held = []
    for prefix in situation.prefixes.values():
        for step in prefix.steps:
            end = _minute(network, step.end)
            if step.machine_id is not None and end > as_of:
                m = machine_idx[prefix.plant_id, step.machine_id]
                held.append(Reservation(m, step.unit, 1, _minute(network, step.start), end))
    for down in situation.down:
        m = machine_idx[down.plant_id, down.machine_id]
        units = network.plant_by_id[down.plant_id].machine(down.machine_id).units
        start = max(0, _minute(network, down.start))
        end = window_cap if down.end is None else min(window_cap, _minute(network, down.end))
        if end > start:
            held.append(Reservation(m, None, down.units or units, start, end))
    return tuple(held)


def _incapable(order: Order, message: str) -> UnplannedOrder:
    return UnplannedOrder(
        order_id=order.id, reason=UnplannedReason.MISSING_CAPABILITY, message=message
    )


def _minute(network: Network, instant: datetime) -> int:
    return minutes(instant - network.start)


def _instant(network: Network, minute: int) -> datetime:
    return network.start + timedelta(minutes=minute)


def _machine_windows(
    network: Network, plant: Plant, machine: Machine, first: int, until: int
) -> list[tuple[int, int]]:
    """A machine's working windows in ``[first, until)``, in minutes."""
    return [
        (_minute(network, a), _minute(network, b))
        for a, b in network.machine_windows(
            plant, machine, _instant(network, first), _instant(network, until)
        )
    ]


def _calendar_windows(
    network: Network, calendar: Calendar, first: int, until: int
) -> list[tuple[int, int]]:
    """A calendar's working windows in ``[first, until)``, in minutes."""
    return [
        (_minute(network, a), _minute(network, b))
        for a, b in calendar.windows(_instant(network, first), _instant(network, until))
    ]


def _lead(network: Network, a: str, b: str) -> int | None:
    lead = network.lead_time(a, b)
    return None if lead is None else minutes(lead)


def _window_cap(
    network: Network,
    orders: Sequence[CompiledOrder],
    lead: Sequence[Sequence[int | None]],
    total_work: int,
    work_orders: Sequence[CompiledWorkOrder],
) -> int:
    """A generous bound on any plan: everything done one after another, plus slack.

    Work is stretched by the sparsest calendar's ratio of calendar to working time,
    and every work order may wait one longest transport leg and one week of breaks.
    """
    calendars = [network.machine_calendar(p, m) for p, m in network.iter_machines()]
    stretch = (
        max((7 * 24) / (len(c.working_days) * c.daily_hours) for c in calendars)
        if calendars
        else 1.0
    )
    longest_lead = max((x for row in lead for x in row if x is not None), default=0)
    longest_delivery = max((x for o in orders for x in o.delivery_lead.values()), default=0)
    latest = max(
        [o.due_key for o in orders if o.due is not None] + [w.release for w in work_orders] + [0]
    )
    week = 7 * 24 * 60
    per_wo = longest_lead + week
    generous = (
        latest
        + total_work * stretch * 1.1
        + per_wo * len(work_orders)
        + longest_delivery
        + 4 * week
    )
    # Past the span a plan file may cover no plan could be written or verified, and
    # the sum can pass the last date Python can hold.
    return int(min(generous, PLAN_SPAN_LIMIT / timedelta(minutes=1)))
