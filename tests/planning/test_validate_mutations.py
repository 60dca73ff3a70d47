"""Mutation suite: corrupt valid plans in one rule and the validator names that rule.

The plans are the engine's own, vendored in ``tests/data/plans``: the bundled example
(``examples/chongqing-1958.yaml``) and the benchmark instances ft06, mk01 and 10J2F,
each planned for a few seconds with one worker and written with ``write_plan``. When
the example or the plan format changes, plan them again the same way;
``test_the_vendored_plans_are_clean`` says when that is due. Generated networks are
planned here, briefly.

Each mutator yields corrupted ``(network, plan)`` pairs with the rules the corruption
may break besides its own: empty where it can be made surgical, so the audit must then
report exactly that one rule.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings

from tests.planning.test_levers import loan_network
from tests.strategies import networks
from xiezuo.domain import (
    PLAN_SPAN_LIMIT,
    Calendar,
    Explanation,
    FloorBays,
    Gang,
    Item,
    Lane,
    Machine,
    Network,
    Operation,
    Order,
    Plan,
    PlanStatus,
    Plant,
    Routing,
    Schedule,
    ScheduledOperation,
    UnplannedOrder,
    UnplannedReason,
    explode_orders,
)
from xiezuo.errors import InputError
from xiezuo.io import load_scenario, read_instance
from xiezuo.io.plan_file import plan_to_dict, read_plan
from xiezuo.planning import solve
from xiezuo.planning.params import PlanParams
from xiezuo.planning.problem.extract import to_schedule
from xiezuo.planning.validation.audit import audit_plan

DATA = Path(__file__).parents[1] / "data"
EXAMPLE = Path(__file__).parents[2] / "examples" / "chongqing-1958.yaml"
BENCHMARKS = ("ft06.txt", "mk01.fjs", "10J2F.txt")
MINUTE = timedelta(minutes=1)
GANG_START = datetime(1958, 7, 1, tzinfo=UTC)

Corruption = tuple[Network, Plan, frozenset[str]]
Mutator = Callable[[Network, Plan], Iterator[Corruption]]


def ganged_network() -> Network:
    """Four 5 t lathes and two 60 t floor bays: two 50 t housings due at once go on the
    floor with two lathes each; a shaft is ganged, a bush is not."""
    turning = Machine(id="lathe", process="turning", units=4, max_weight_t=5, precision_grade=7)

    def part(item_id: str, weight_t: float, run_h: float, gang: Gang | None) -> Item:
        step = Operation(process="turning", run_per_unit=timedelta(hours=run_h), gang=gang)
        return Item(
            id=item_id,
            weight_t=weight_t,
            precision_grade=8,
            routings=(Routing(id="main", operations=(step,)),),
        )

    def due(hours: float) -> datetime:
        return GANG_START + timedelta(hours=hours)

    return Network(
        start=GANG_START,
        calendar=Calendar(
            working_days=(0, 1, 2, 3, 4, 5, 6), shifts_per_day=3, first_shift_start=time(0)
        ),
        processes=("turning",),
        regions=("R",),
        plants=(Plant(id="P1", machines=(turning,), floor=FloorBays(bays=2, max_weight_t=60)),),
        items=(
            part("HOUSING", 50, 20, Gang(max_units=2, floor_min_units=2)),
            part("SHAFT", 2, 12, Gang(max_units=3, efficiency=((2, 0.9), (3, 0.8)))),
            part("BUSH", 1, 6, None),
        ),
        orders=(
            Order(id="H1", region="R", item_id="HOUSING", due=due(10)),
            Order(id="H2", region="R", item_id="HOUSING", due=due(10)),
            Order(id="S1", region="R", item_id="SHAFT", due=due(16)),
            Order(id="B1", region="R", item_id="BUSH", due=due(40)),
        ),
        lanes=(Lane(origin="P1", destination="R", lead_time=timedelta(0)),),
    )


@cache
def vendored(name: str) -> tuple[Network, Plan]:
    """A network and the engine's plan for it, read once per session (the ganged case
    is planned here, briefly)."""
    if name == "ganged":
        network = ganged_network()
        return network, solve.plan(network, PlanParams(time_limit_s=5, workers=1))
    if name == "levered":
        network = loan_network(lender_jobs=1)
        return network, solve.plan(network, PlanParams(time_limit_s=5, workers=1))
    if name == "example":
        return load_scenario(EXAMPLE), read_plan(DATA / "plans" / "chongqing-1958.json")
    network = read_instance(DATA / "benchmarks" / name)
    return network, read_plan(DATA / "plans" / f"{Path(name).stem}.json")


CASES = ("example", *BENCHMARKS)


def rules_of(network: Network, plan: Plan) -> set[str]:
    return {v.rule for v in audit_plan(network, plan)}


def schedule_of(plan: Plan) -> Schedule:
    assert plan.schedule is not None
    return plan.schedule


def with_ops(plan: Plan, changes: dict[int, dict[str, Any]]) -> Plan:
    """The plan with operation ``i`` changed by ``changes[i]``."""
    schedule = schedule_of(plan)
    operations = tuple(
        replace(op, **changes[i]) if i in changes else op
        for i, op in enumerate(schedule.operations)
    )
    return replace(plan, schedule=replace(schedule, operations=operations))


def with_schedule(plan: Plan, **lists: Any) -> Plan:
    return replace(plan, schedule=replace(schedule_of(plan), **lists))


def ops_by_work_order(plan: Plan) -> dict[str, list[tuple[int, ScheduledOperation]]]:
    found: dict[str, list[tuple[int, ScheduledOperation]]] = defaultdict(list)
    for i, op in enumerate(schedule_of(plan).operations):
        found[op.work_order_id].append((i, op))
    for ops in found.values():
        ops.sort(key=lambda pair: pair[1].step)
    return found


def crewed_steps(network: Network) -> set[tuple[str, int]]:
    """(item, step) pairs whose operation needs a crew, on any routing."""
    return {
        (item.id, step)
        for item in network.items
        for routing in item.routings
        for step, op in enumerate(routing.operations, start=1)
        if op.crew
    }


def free_ends(network: Network, plan: Plan) -> Iterator[tuple[int, bool]]:
    """Operations, not their work order's last, whose end can move a minute later
    without touching the next step or the next job on the unit; with whether the
    step needs a crew, which may then be short."""
    item_of = {wa.work_order_id: wa.item_id for wa in schedule_of(plan).work_orders}
    crewed = crewed_steps(network)
    starts_on_unit: dict[tuple[str, str | None, int], list[datetime]] = defaultdict(list)
    for op in schedule_of(plan).operations:
        starts_on_unit[op.plant_id, op.machine_id, op.unit].append(op.start)
    for ops in ops_by_work_order(plan).values():
        for (i, op), (_, after) in pairwise(ops):
            if after.start <= op.end:
                continue
            unit = starts_on_unit[op.plant_id, op.machine_id, op.unit]
            if op.machine_id is None or all(not op.end <= s <= op.end + MINUTE for s in unit):
                yield i, (item_of[op.work_order_id], op.step) in crewed


# One mutator per rule ------------------------------------------------------------------


def wrong_work_order_quantity(network: Network, plan: Plan) -> Iterator[Corruption]:
    schedule = schedule_of(plan)
    for i, wa in enumerate(schedule.work_orders[:2]):
        changed = list(schedule.work_orders)
        changed[i] = replace(wa, quantity=wa.quantity + 1)
        yield network, with_schedule(plan, work_orders=tuple(changed)), frozenset()


def unknown_routing(network: Network, plan: Plan) -> Iterator[Corruption]:
    schedule = schedule_of(plan)
    changed = (replace(schedule.work_orders[0], routing_id="no-such-routing"),)
    yield network, with_schedule(plan, work_orders=changed + schedule.work_orders[1:]), frozenset()


def pinned_elsewhere(network: Network, plan: Plan) -> Iterator[Corruption]:
    """The network pins an order to a plant other than the one that builds it."""
    for delivery in schedule_of(plan).deliveries[:2]:
        other = next((p.id for p in network.plants if p.id != delivery.plant_id), None)
        if other is None:
            return
        orders = tuple(
            replace(o, plant_id=other) if o.id == delivery.order_id else o for o in network.orders
        )
        yield replace(network, orders=orders), plan, frozenset()


def wrong_process(network: Network, plan: Plan) -> Iterator[Corruption]:
    for i, op in list(enumerate(schedule_of(plan).operations))[:2]:
        yield network, with_ops(plan, {i: {"process": f"{op.process}-x"}}), frozenset()


def freed_claims(plan: Plan) -> frozenset[str]:
    """A step taken off its unit frees that unit's time, which may refute a plan's claim
    that an order it set aside could not be placed: the validator rightly says so too."""
    return frozenset({"unplanned"}) if plan.unplanned else frozenset()


def unit_out_of_range(network: Network, plan: Plan) -> Iterator[Corruption]:
    units = {(p.id, m.id): m.units for p, m in network.iter_machines()}
    machine_ops = [
        (i, op) for i, op in enumerate(schedule_of(plan).operations) if op.machine_id is not None
    ]
    for i, op in machine_ops[:2]:
        unit = units[op.plant_id, op.machine_id or ""]
        yield network, with_ops(plan, {i: {"unit": unit}}), freed_claims(plan)


def machine_without_a_time(network: Network, plan: Plan) -> Iterator[Corruption]:
    """A step moved, at the same times, to a free machine of its process that its
    machine times do not list."""
    operations = schedule_of(plan).operations
    busy: dict[tuple[str, str], list[ScheduledOperation]] = defaultdict(list)
    for op in operations:
        busy[op.plant_id, op.machine_id or ""].append(op)
    operation_of = {
        (wa.work_order_id, step): routing_op
        for wa in schedule_of(plan).work_orders
        for routing in network.item_by_id[wa.item_id].routings
        if routing.id == wa.routing_id
        for step, routing_op in enumerate(routing.operations, start=1)
    }
    found = 0
    for i, op in enumerate(operations):
        step = operation_of[op.work_order_id, op.step]
        plant = network.plant_by_id[op.plant_id]
        for machine in plant.machines:
            if (
                machine.process == step.process
                and machine.units == 1
                and step.run_time_on(plant.id, machine.id) is None
                and all(o.end <= op.start or o.start >= op.end for o in busy[plant.id, machine.id])
            ):
                yield (
                    network,
                    with_ops(plan, {i: {"machine_id": machine.id, "unit": 0}}),
                    freed_claims(plan),
                )
                found += 1
                break
        if found == 2:
            return


def wrong_recorded_work(network: Network, plan: Plan) -> Iterator[Corruption]:
    for i, op in list(enumerate(schedule_of(plan).operations))[:2]:
        yield network, with_ops(plan, {i: {"work": op.work + timedelta(hours=1)}}), frozenset()


def cut_to_a_minute(network: Network, plan: Plan) -> Iterator[Corruption]:
    """A step that is not its work order's last, cut to one minute of work."""
    for i, _ in list(free_ends(network, plan))[:2]:
        op = schedule_of(plan).operations[i]
        if op.work > MINUTE:
            changes = {"work": MINUTE, "end": op.start + MINUTE}
            yield network, with_ops(plan, {i: changes}), frozenset()


def held_a_minute_longer(network: Network, plan: Plan) -> Iterator[Corruption]:
    for i, is_crewed in list(free_ends(network, plan))[:2]:
        op = schedule_of(plan).operations[i]
        extra = {"crew"} if is_crewed else set()
        yield network, with_ops(plan, {i: {"end": op.end + MINUTE}}), frozenset(extra)


def shared_unit(network: Network, plan: Plan) -> Iterator[Corruption]:
    """An operation moved to another unit of its machine that is busy at the time."""
    operations = schedule_of(plan).operations
    by_machine: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, op in enumerate(operations):
        if op.machine_id is not None:
            by_machine[op.plant_id, op.machine_id].append(i)
    found = 0
    for indices in by_machine.values():
        for i in indices:
            a = operations[i]
            other = next(
                (
                    operations[j]
                    for j in indices
                    if operations[j].unit not in a.held_units
                    and operations[j].start < a.end
                    and a.start < operations[j].end
                ),
                None,
            )
            if other is not None:
                # A gang keeps its other units and names the busy one first.
                moved = {"unit": other.unit, "units": (other.unit, *a.units[1:]) if a.units else ()}
                yield network, with_ops(plan, {i: moved}), frozenset()
                found += 1
                break
        if found == 2:
            return


def step_before_the_previous_ends(network: Network, plan: Plan) -> Iterator[Corruption]:
    for ops in list(ops_by_work_order(plan).values()):
        if len(ops) >= 2:
            (_, before), (j, _) = ops[0], ops[1]
            changes = {"start": before.end - MINUTE}
            extra = {"placement", "calendar", "overlap", "crew", "material"}
            yield network, with_ops(plan, {j: changes}), frozenset(extra)
            return


def slower_lane(network: Network, plan: Plan) -> Iterator[Corruption]:
    """A lane between plants that a shipment travels takes longer than the whole plan."""
    span = max(op.end for op in schedule_of(plan).operations) - network.start
    for shipment in schedule_of(plan).shipments[:1]:
        lanes = tuple(
            replace(lane, lead_time=lane.lead_time + span + timedelta(days=1))
            if (lane.origin, lane.destination) == (shipment.origin, shipment.destination)
            else lane
            for lane in network.lanes
        )
        extra = {"shipment", "material", "design_precedence"}
        yield replace(network, lanes=lanes), plan, frozenset(extra)


def design_flag_on_a_late_component(network: Network, plan: Plan) -> Iterator[Corruption]:
    """The network calls a component design work that finishes after a sibling starts."""
    by_work_order = ops_by_work_order(plan)
    first_start = {wo: min(op.start for _, op in ops) for wo, ops in by_work_order.items()}
    last_end = {wo: max(op.end for _, op in ops) for wo, ops in by_work_order.items()}
    siblings: dict[str | None, list[str]] = defaultdict(list)
    item_of: dict[str, str] = {}
    for wo in explode_orders(network):
        siblings[wo.parent_id].append(wo.id)
        item_of[wo.id] = wo.item_id
    for parent_id, children in siblings.items():
        if parent_id is None:
            continue
        scheduled = [c for c in children if c in last_end]
        for child in scheduled:
            if any(last_end[child] > first_start[s] for s in scheduled if s != child):
                parent_item = network.item_by_id[item_of[parent_id]]
                bom = tuple(
                    replace(line, is_design=True) if line.item_id == item_of[child] else line
                    for line in parent_item.bom
                )
                items = tuple(
                    replace(i, bom=bom) if i.id == parent_item.id else i for i in network.items
                )
                yield replace(network, items=items), plan, frozenset()
                return


def missing_delivery_lane(network: Network, plan: Plan) -> Iterator[Corruption]:
    delivery = schedule_of(plan).deliveries[0]
    lanes = tuple(
        lane
        for lane in network.lanes
        if (lane.origin, lane.destination) != (delivery.plant_id, delivery.region)
    )
    yield replace(network, lanes=lanes), plan, frozenset()


def late_shipment(network: Network, plan: Plan) -> Iterator[Corruption]:
    shipments = schedule_of(plan).shipments
    if shipments:
        moved = replace(shipments[0], arrive=shipments[0].arrive + MINUTE)
        yield network, with_schedule(plan, shipments=(moved, *shipments[1:])), frozenset()
        yield network, with_schedule(plan, shipments=shipments[1:]), frozenset()


def release_after_the_start(network: Network, plan: Plan) -> Iterator[Corruption]:
    """The network releases an order a minute after its first operation starts."""
    first: dict[str, datetime] = {}
    order_of = {wa.work_order_id: wa.order_id for wa in schedule_of(plan).work_orders}
    for op in schedule_of(plan).operations:
        order_id = order_of[op.work_order_id]
        first[order_id] = min(first.get(order_id, op.start), op.start)
    for order_id, start in list(first.items())[:2]:
        orders = tuple(
            replace(o, release=start + MINUTE) if o.id == order_id else o for o in network.orders
        )
        yield replace(network, orders=orders), plan, frozenset()


def wrong_delivery_finish(network: Network, plan: Plan) -> Iterator[Corruption]:
    deliveries = schedule_of(plan).deliveries
    moved = replace(deliveries[0], finish=deliveries[0].finish + MINUTE)
    yield network, with_schedule(plan, deliveries=(moved, *deliveries[1:])), frozenset()


def wrong_assignment_start(network: Network, plan: Plan) -> Iterator[Corruption]:
    work_orders = schedule_of(plan).work_orders
    moved = replace(work_orders[0], start=work_orders[0].start - MINUTE)
    yield network, with_schedule(plan, work_orders=(moved, *work_orders[1:])), frozenset()


def negative_draw(network: Network, plan: Plan) -> Iterator[Corruption]:
    """A draw split into one too many and a negative one: the totals still match."""
    draws = schedule_of(plan).material_draws
    if draws:
        first = draws[0]
        split = (replace(first, quantity=first.quantity + 1), replace(first, quantity=-1))
        yield network, with_schedule(plan, material_draws=(*split, *draws[1:])), frozenset()
        late = replace(first, arrive=first.arrive + MINUTE)
        yield network, with_schedule(plan, material_draws=(late, *draws[1:])), frozenset()


def empty_warehouse(network: Network, plan: Plan) -> Iterator[Corruption]:
    """The network's warehouse that the first draw takes from holds nothing."""
    draws = schedule_of(plan).material_draws
    if draws:
        where = (draws[0].origin, draws[0].material_id)
        stock = tuple(
            replace(lot, quantity=0) if (lot.plant_id, lot.material_id) == where else lot
            for lot in network.stock
        )
        supplies = tuple(s for s in network.supplies if (s.plant_id, s.material_id) != where)
        yield replace(network, stock=stock, supplies=supplies), plan, frozenset()


def no_crew(network: Network, plan: Plan) -> Iterator[Corruption]:
    """The network has nobody of a skill that a scheduled step needs."""
    crewed = {
        (wa.plant_id, crew.skill)
        for wa in schedule_of(plan).work_orders
        for routing in network.item_by_id[wa.item_id].routings
        if routing.id == wa.routing_id
        for op in routing.operations
        for crew in op.crew
    }
    for plant_id, skill in sorted(crewed)[:1]:
        staffing = tuple(
            replace(s, headcount=0) if (s.plant_id, s.skill) == (plant_id, skill) else s
            for s in network.staffing
        )
        trainings = tuple(
            t for t in network.trainings if (t.plant_id, t.skill) != (plant_id, skill)
        )
        secondments = tuple(
            s for s in network.secondments if (s.plant_id, s.skill) != (plant_id, skill)
        )
        changed = replace(network, staffing=staffing, trainings=trainings, secondments=secondments)
        yield changed, plan, frozenset()


def _free_units(plan: Plan, op: ScheduledOperation, units: int) -> list[int]:
    """Units of ``op``'s machine no other operation holds while it runs."""
    busy = {
        u
        for other in schedule_of(plan).operations
        if (other.plant_id, other.machine_id) == (op.plant_id, op.machine_id)
        and other.start < op.end
        and op.start < other.end
        for u in other.held_units
    }
    return [u for u in range(units) if u not in busy]


def _ganged(plan: Plan) -> list[tuple[int, ScheduledOperation]]:
    return [(i, op) for i, op in enumerate(schedule_of(plan).operations) if op.gang > 1]


def unit_held_twice(network: Network, plan: Plan) -> Iterator[Corruption]:
    for i, op in _ganged(plan)[:2]:
        yield network, with_ops(plan, {i: {"units": (op.unit, *op.units[:-1])}}), frozenset()


def first_unit_not_the_unit(network: Network, plan: Plan) -> Iterator[Corruption]:
    for i, op in _ganged(plan)[:2]:
        yield network, with_ops(plan, {i: {"unit": op.units[1]}}), frozenset()


def gang_beyond_its_step(network: Network, plan: Plan) -> Iterator[Corruption]:
    """A free unit added to an operation whose step may not be ganged, or whose gang
    is at its largest: the step's crew may then be short too."""
    operation_of = {
        (wa.work_order_id, step): routing_op
        for wa in schedule_of(plan).work_orders
        for routing in network.item_by_id[wa.item_id].routings
        if routing.id == wa.routing_id
        for step, routing_op in enumerate(routing.operations, start=1)
    }
    found = 0
    for i, op in enumerate(schedule_of(plan).operations):
        step = operation_of[op.work_order_id, op.step]
        if op.machine_id is None or (step.gang is not None and op.gang < step.gang.max_units):
            continue
        units = network.plant_by_id[op.plant_id].machine(op.machine_id).units
        free = [u for u in _free_units(plan, op, units) if u not in op.held_units]
        if free:
            held = tuple(sorted((*op.held_units, free[0])))
            extra = frozenset({"crew"} if step.crew else ())
            yield network, with_ops(plan, {i: {"unit": held[0], "units": held}}), extra
            found += 1
        if found == 2:
            return


def floor_for_a_part_that_fits(network: Network, plan: Plan) -> Iterator[Corruption]:
    """A part its machine holds claimed to lie on the floor (which may also fill the
    plant's bays)."""
    weight = {
        wa.work_order_id: network.item_by_id[wa.item_id].weight_t
        for wa in schedule_of(plan).work_orders
    }
    machine_ops = [
        (i, op)
        for i, op in enumerate(schedule_of(plan).operations)
        if op.machine_id is not None
        and not op.on_floor
        and network.plant_by_id[op.plant_id].machine(op.machine_id).max_weight_t
        >= weight[op.work_order_id]
    ]
    for i, _ in machine_ops[:2]:
        yield network, with_ops(plan, {i: {"on_floor": True}}), frozenset()


def fewer_floor_bays(network: Network, plan: Plan) -> Iterator[Corruption]:
    """A plant with one bay fewer than the parts its floor holds at once."""
    on_floor = [op for op in schedule_of(plan).operations if op.on_floor]
    for plant in network.plants:
        ops = [op for op in on_floor if op.plant_id == plant.id]
        most = max((sum(1 for o in ops if o.start <= op.start < o.end) for op in ops), default=0)
        if plant.floor is not None and most >= 2:
            smaller = replace(plant, floor=replace(plant.floor, bays=most - 1))
            plants = tuple(smaller if p.id == plant.id else p for p in network.plants)
            yield replace(network, plants=plants), plan, frozenset()


def unplanned_without_reason(network: Network, plan: Plan) -> Iterator[Corruption]:
    delivered = schedule_of(plan).deliveries[0].order_id
    for order_id in (delivered, "NO-SUCH-ORDER"):
        entry = UnplannedOrder(
            order_id=order_id, reason=UnplannedReason.MISSING_CAPABILITY, message="made up"
        )
        yield network, replace(plan, unplanned=(*plan.unplanned, entry)), frozenset()


def centuries_ahead(network: Network, plan: Plan) -> Iterator[Corruption]:
    op = schedule_of(plan).operations[0]
    far = network.start + PLAN_SPAN_LIMIT + timedelta(days=365 * 300)
    yield network, with_ops(plan, {0: {"end": far.astimezone(op.end.tzinfo)}}), frozenset()


def wrong_figures(network: Network, plan: Plan) -> Iterator[Corruption]:
    assert plan.tardiness_hours is not None
    assert plan.makespan is not None
    yield network, replace(plan, tardiness_hours=plan.tardiness_hours + 1), frozenset()
    yield network, replace(plan, makespan=plan.makespan - timedelta(hours=1)), frozenset()
    yield network, replace(plan, status=PlanStatus.INFEASIBLE), frozenset()
    if plan.makespan_bound is not None and plan.makespan_bound < plan.makespan:
        yield network, replace(plan, status=PlanStatus.OPTIMAL), frozenset()
    yield network, replace(plan, makespan_bound=plan.makespan + MINUTE), frozenset()
    late = [e for e in plan.explanations if e.kind == "late"]
    others = [e for e in plan.explanations if e.kind != "late"]
    if late:
        yield network, replace(plan, explanations=(*others, *late[1:])), frozenset()
    on_time = [d.order_id for d in schedule_of(plan).deliveries if not d.is_late]
    if on_time:
        claim = Explanation(kind="late", subject=on_time[0], message="made up")
        yield network, replace(plan, explanations=(*plan.explanations, claim)), frozenset()


def lever_not_listed(network: Network, plan: Plan) -> Iterator[Corruption]:
    """The plan uses a lever's machines but lists no lever."""
    if schedule_of(plan).levers:
        yield network, with_schedule(plan, levers=()), frozenset()


def lever_at_another_cost(network: Network, plan: Plan) -> Iterator[Corruption]:
    for pulled in schedule_of(plan).levers[:1]:
        cheaper = replace(pulled, cost=pulled.cost / 2 + 1)
        yield network, with_schedule(plan, levers=(cheaper,)), frozenset()


def lever_over_budget(network: Network, plan: Plan) -> Iterator[Corruption]:
    total = sum(lever.cost for lever in schedule_of(plan).levers)
    if total > 0:
        yield replace(network, lever_budget=total - 1), plan, frozenset()


def lent_unit_used(network: Network, plan: Plan) -> Iterator[Corruption]:
    """A lender's step moved onto a unit it has lent, while it is away."""
    for pulled in schedule_of(plan).levers:
        lever = network.lever(pulled.id)
        if lever.lender_id is None or lever.until is None:
            continue
        group = network.plant_by_id[lever.lender_id].machine(lever.machine_id or "")
        for i, op in enumerate(schedule_of(plan).operations):
            if (
                (op.plant_id, op.machine_id) == (lever.lender_id, group.id)
                and op.start < lever.until
                and op.end > lever.decision
                and not op.units
            ):
                yield (
                    network,
                    with_ops(plan, {i: {"unit": group.units - 1}}),
                    frozenset({"overlap"}),
                )


MUTATORS: dict[str, tuple[Mutator, ...]] = {
    "work_order": (wrong_work_order_quantity,),
    "routing": (unknown_routing,),
    "pinned_plant": (pinned_elsewhere,),
    "operation_steps": (wrong_process,),
    "machine": (unit_out_of_range, machine_without_a_time),
    "gang": (unit_held_twice, first_unit_not_the_unit, gang_beyond_its_step),
    "floor": (floor_for_a_part_that_fits, fewer_floor_bays),
    "calendar": (wrong_recorded_work, cut_to_a_minute),
    "placement": (held_a_minute_longer,),
    "overlap": (shared_unit,),
    "routing_precedence": (step_before_the_previous_ends,),
    "bom_precedence": (slower_lane,),
    "design_precedence": (design_flag_on_a_late_component,),
    "lane": (missing_delivery_lane,),
    "shipment": (late_shipment,),
    "release": (release_after_the_start,),
    "delivery": (wrong_delivery_finish,),
    "assignment_times": (wrong_assignment_start,),
    "material": (negative_draw,),
    "stock": (empty_warehouse,),
    "crew": (no_crew,),
    "unplanned": (unplanned_without_reason,),
    "horizon": (centuries_ahead,),
    "figures": (wrong_figures,),
    "lever": (lever_not_listed, lever_at_another_cost, lever_over_budget, lent_unit_used),
}

# Where each rule can be corrupted: the benchmarks have one plant per job (10J2F has
# two factories, but no shipments), single-unit machines and no material or people.
ALL = frozenset(CASES)
EXAMPLE_ONLY = frozenset({"example"})
WHERE = {
    "pinned_plant": frozenset({"example", "10J2F.txt"}),
    "machine": ALL,
    "overlap": EXAMPLE_ONLY,
    "bom_precedence": EXAMPLE_ONLY,
    "design_precedence": EXAMPLE_ONLY,
    "shipment": EXAMPLE_ONLY,
    "material": EXAMPLE_ONLY,
    "stock": EXAMPLE_ONLY,
    "crew": EXAMPLE_ONLY,
}


# The ganged case is planned in the test run; its own rules are judged on it alone, and
# the rules whose checks gangs change on it as well.
GANGED = ("gang", "floor", "machine", "calendar", "overlap")
WHERE |= {"gang": frozenset({"ganged"}), "floor": frozenset({"ganged"})}
# The levered case (a machine loan pulled) likewise, planned in the test run.
LEVERED = ("lever", "machine", "calendar")
WHERE |= {"lever": frozenset({"levered"})}


def corruptions(rule: str, network: Network, plan: Plan) -> list[Corruption]:
    return [c for mutate in MUTATORS[rule] for c in mutate(network, plan)]


def test_the_rule_list_and_the_mutators_agree() -> None:
    """Every rule in the validator's docstring has a mutator, and no mutator is stray."""
    from xiezuo.planning.validation import audit as validate

    documented = {
        line.split("``")[1]
        for line in (validate.__doc__ or "").splitlines()
        if line.startswith("``") and line.count("``") >= 2
    }
    assert documented == set(MUTATORS)


@pytest.mark.parametrize("case", CASES)
def test_the_vendored_plans_are_clean(case: str) -> None:
    """If this fails after the example or the format changed, plan them again."""
    assert audit_plan(*vendored(case)) == ()


def test_the_ganged_plan_is_clean_and_gangs_on_and_off_the_floor() -> None:
    network, plan = vendored("ganged")
    assert audit_plan(network, plan) == ()
    operations = schedule_of(plan).operations
    assert sum(op.on_floor for op in operations) == 2
    assert any(op.gang > 1 and not op.on_floor for op in operations)


@pytest.mark.parametrize(
    ("rule", "case"),
    [
        (rule, case)
        for rule in MUTATORS
        for case in (*CASES, "ganged", "levered")
        if case in WHERE.get(rule, ALL)
        or (case == "ganged" and rule in GANGED)
        or (case == "levered" and rule in LEVERED)
    ],
)
def test_a_corruption_in_one_rule_is_named_by_that_rule(rule: str, case: str) -> None:
    network, plan = vendored(case)
    found = corruptions(rule, network, plan)
    assert found, f"no {rule} corruption applies to {case}"
    for corrupt_network, corrupt_plan, extra in found:
        reported = rules_of(corrupt_network, corrupt_plan)
        assert rule in reported
        assert reported <= {rule} | extra


# Machine-time steps are how every benchmark states its eligible machines: the
# validator must catch a step moved to any machine its times do not list.
@pytest.mark.parametrize("case", BENCHMARKS)
def test_every_step_moved_to_an_ineligible_machine_is_caught(case: str) -> None:
    network, plan = vendored(case)
    machines = [m.id for m in network.plants[0].machines]
    for i, op in enumerate(schedule_of(plan).operations):
        routing_op = next(
            r.operations[op.step - 1]
            for wa in schedule_of(plan).work_orders
            if wa.work_order_id == op.work_order_id
            for r in network.item_by_id[wa.item_id].routings
            if r.id == wa.routing_id
        )
        wrong = next((m for m in machines if routing_op.run_time_on(op.plant_id, m) is None), None)
        if wrong is not None:
            cut = {"machine_id": wrong, "work": MINUTE, "end": op.start + MINUTE}
            assert "machine" in rules_of(network, with_ops(plan, {i: cut}))


def test_engineering_work_is_checked_for_its_duration_and_its_lack_of_a_machine() -> None:
    network, plan = vendored("example")
    operations = schedule_of(plan).operations
    i = next(i for i, op in enumerate(operations) if op.machine_id is None)
    longer = with_ops(plan, {i: {"work": operations[i].work + timedelta(hours=1)}})
    assert rules_of(network, longer) == {"calendar"}
    plant = network.plant_by_id[operations[i].plant_id]
    on_a_machine = with_ops(plan, {i: {"machine_id": plant.machines[0].id}})
    assert "machine" in rules_of(network, on_a_machine)
    assert rules_of(network, on_a_machine) <= {"machine", "overlap"}


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(network=networks(with_gangs=True))
def test_corruptions_of_generated_plans_are_named_by_their_rule(network: Network) -> None:
    """Every mutator that applies to the generated plan, as on the vendored ones."""
    plan = solve.plan(network, PlanParams(time_limit_s=1, workers=1))
    # Whether the engine's plans pass is test_engine's property; here they are material.
    assume(plan.schedule is not None and plan.schedule.operations)
    assume(audit_plan(network, plan) == ())
    for rule in MUTATORS:
        for corrupt_network, corrupt_plan, extra in corruptions(rule, network, plan):
            reported = rules_of(corrupt_network, corrupt_plan)
            assert rule in reported
            assert reported <= {rule} | extra


def test_a_broken_extract_step_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """An engine whose extract step puts every operation on the next machine and starts
    it a minute late fails the audit, however good its figures look."""
    network, _ = vendored("ft06.txt")
    machines = [m.id for m in network.plants[0].machines]

    def broken(*args: Any) -> Schedule:
        schedule = to_schedule(*args)
        moved = tuple(
            replace(
                op,
                machine_id=machines[(machines.index(op.machine_id or "") + 1) % len(machines)],
                start=op.start + MINUTE,
            )
            for op in schedule.operations
        )
        return replace(schedule, operations=moved)

    monkeypatch.setattr(solve, "to_schedule", broken)
    plan = solve.plan(network, PlanParams(time_limit_s=1, workers=1))
    assert {"machine", "assignment_times"} <= rules_of(network, plan)


# File-level corruptions of the example's plan: located input errors, never a traceback.


def corrupt_file(tmp_path: Path, change: Callable[[dict[str, Any]], object]) -> InputError:
    data = plan_to_dict(vendored("example")[1])
    change(data)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_plan(path, near=vendored("example")[0].start)
    return caught.value


FILE_CORRUPTIONS: dict[str, tuple[Callable[[dict[str, Any]], object], str]] = {
    "NaN work": (
        lambda d: d["schedule"]["operations"][3].update(work_hours=float("nan")),
        "schedule.operations[3].work_hours",
    ),
    "infinite makespan": (
        lambda d: d.update(makespan_hours=float("inf")),
        "makespan_hours",
    ),
    "text for a unit": (
        lambda d: d["schedule"]["operations"][0].update(unit="0"),
        "schedule.operations[0].unit",
    ),
    "missing status": (lambda d: d.pop("status"), "status"),
    "missing draws' origin": (
        lambda d: d["schedule"]["material_draws"][5].pop("origin"),
        "schedule.material_draws[5].origin",
    ),
    "negative draw": (
        lambda d: d["schedule"]["material_draws"][0].update(quantity=-7),
        "schedule.material_draws[0].quantity",
    ),
    "year 1": (
        lambda d: d["schedule"]["shipments"][0].update(depart="0001-01-01T00:00:00+00:00"),
        "schedule.shipments[0].depart",
    ),
    "a century ahead": (
        lambda d: d["schedule"]["deliveries"][2].update(arrival="2060-01-01T00:00:00+08:00"),
        "schedule.deliveries[2].arrival",
    ),
    "list for an object": (lambda d: d.update(schedule=[]), "schedule"),
}


@pytest.mark.parametrize("name", sorted(FILE_CORRUPTIONS))
def test_a_corrupt_plan_file_is_a_located_input_error(tmp_path: Path, name: str) -> None:
    change, location = FILE_CORRUPTIONS[name]
    assert corrupt_file(tmp_path, change).location == location


def test_a_plan_file_that_is_not_json_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    text = json.dumps(plan_to_dict(vendored("example")[1]), indent=2)
    path.write_text(text.replace('"status"', "status", 1), encoding="utf-8")
    with pytest.raises(InputError, match=r"line \d+, column \d+"):
        read_plan(path)
