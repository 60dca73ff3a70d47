"""Turn an engine solution (indices, minutes) into the domain's Schedule."""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from xiezuo.domain import (
    Delivery,
    MaterialDraw,
    PulledLever,
    Schedule,
    ScheduledOperation,
    Shipment,
    WorkOrderAssignment,
)
from xiezuo.errors import PlanningError
from xiezuo.planning.problem.solution import OpPlacement, Solution, WorkOrderPlacement

if TYPE_CHECKING:
    from xiezuo.planning.problem.compile import Anchor, Problem


@dataclass(frozen=True, slots=True)
class Score:
    """Objective values of a solution, recomputed exactly from its times.

    ``first`` is the first phase's objective: the weighted tardiness, plus in a stable
    replan that weighs moves ``move_cost`` per step moved against the previous plan.
    """

    weighted_tardiness: int  # priority × minutes late, summed
    makespan: int  # minutes from the start to the last arrival
    moves: int = 0
    move_cost: int = 0
    lever_cost: int = 0  # hundredths, of the levers whose capacity the solution uses

    @property
    def first(self) -> int:
        return self.weighted_tardiness + self.move_cost * self.moves

    @property
    def key(self) -> tuple[int, int, int, int]:
        """Lexicographic: the first objective, then steps moved, then the levers'
        cost, then the makespan."""
        return (self.first, self.moves, self.lever_cost, self.makespan)


def arrivals(problem: Problem, solution: Solution) -> list[int]:
    """Arrival minute of each compiled order at its customer region."""
    result = []
    for order in problem.orders:
        root = solution[order.root_idx]
        plant_idx = problem.work_orders[order.root_idx].options[root.option_idx].plant_idx
        result.append(root.end + order.delivery_lead[plant_idx])
    return result


def score(problem: Problem, solution: Solution) -> Score:
    times = arrivals(problem, solution)
    return Score(
        weighted_tardiness=sum(
            o.weight * o.tardiness(t) for o, t in zip(problem.orders, times, strict=True)
        ),
        makespan=max(times, default=0),
        moves=moved_steps(problem, solution) if problem.anchors else 0,
        move_cost=problem.move_cost,
        lever_cost=problem.lever_cost(solution) if problem.levers else 0,
    )


def moved_steps(problem: Problem, solution: Solution) -> int:
    """Steps of the previous plan that ``solution`` runs elsewhere or at another time."""
    return len(moved_anchors(problem, solution))


def moved_anchors(problem: Problem, solution: Solution) -> list[Anchor]:
    moved = []
    for a in problem.anchors:
        placement = solution[a.wo_idx]
        if placement.option_idx != a.option_idx:
            moved.append(a)
            continue
        op = placement.ops[a.op_idx]
        if op.machine_idx != a.machine_idx or abs(op.start - a.start) > a.tolerance:
            moved.append(a)
    return moved


def assign_units(problem: Problem, solution: Solution) -> Solution:
    """Give each operation concrete units of its machine: one, or ``gang`` distinct ones.

    The solver only counts units (a cumulative constraint); since the operations
    overlapping at any instant hold at most ``units``, handing out free units in start
    order works whenever no gang needs units that earlier choices left scattered. In a
    replan, units named by work under way or frozen are held, and so are a lender's
    units while a loan pulled is away: an operation takes units
    free at its start and not needed by such work before it ends; where start order
    cannot do it, a small exact assignment does.
    """
    by_machine: dict[int, list[tuple[int, int, int, int, int]]] = {}
    for wo_idx, placement in enumerate(solution):
        for step_idx, op in enumerate(placement.ops):
            by_machine.setdefault(op.machine_idx, []).append(
                (op.start, op.end, wo_idx, step_idx, op.gang)
            )
    named: dict[int, list[tuple[int, int, int]]] = {}
    for r in problem.reservations:
        if r.unit is not None:
            named.setdefault(r.machine_idx, []).append((r.unit, r.start, r.end))
    pulled = set(problem.levers_pulled(solution)) if problem.lever_holds else set()
    for h in problem.lever_holds:
        if h.lever in pulled:  # the lender's highest-numbered units are away
            units = problem.machines[h.machine_idx].units
            for unit in range(units - h.count, units):
                named.setdefault(h.machine_idx, []).append((unit, h.start, h.end))
    units_of: dict[tuple[int, int], tuple[int, ...]] = {}
    for machine_idx, ops in by_machine.items():
        units = problem.machines[machine_idx].units
        held = named.get(machine_idx, [])
        found = _units_in_start_order(units, held, sorted(ops))
        if found is None:
            found = _units_exactly(units, held, ops)
        units_of.update(found)
    return tuple(
        WorkOrderPlacement(
            p.option_idx,
            tuple(
                OpPlacement(
                    op.machine_idx,
                    units_of[wo_idx, k][0],
                    op.start,
                    op.end,
                    op.gang,
                    units_of[wo_idx, k] if op.gang > 1 else (),
                )
                for k, op in enumerate(p.ops)
            ),
            p.draws,
        )
        for wo_idx, p in enumerate(solution)
    )


def _units_in_start_order(
    units: int, held: list[tuple[int, int, int]], ops: list[tuple[int, int, int, int, int]]
) -> dict[tuple[int, int], tuple[int, ...]] | None:
    if not held:
        return _lowest_free_units(units, ops)
    free_at = [0] * units
    result = {}
    for start, end, wo_idx, step_idx, gang in ops:
        fits = [
            u
            for u in range(units)
            if free_at[u] <= start and not any(h == u and a < end and b > start for h, a, b in held)
        ]
        if len(fits) < gang:
            return None
        if held:
            fits.sort(key=lambda u: -free_at[u])
        chosen = tuple(sorted(fits[:gang]))
        for unit in chosen:
            free_at[unit] = end
        result[wo_idx, step_idx] = chosen
    return result


def _lowest_free_units(
    units: int, ops: list[tuple[int, int, int, int, int]]
) -> dict[tuple[int, int], tuple[int, ...]] | None:
    """Each operation, in start order, on the lowest-numbered units free at its start;
    heaps keep this linear in the operations on a group of many units."""
    free = list(range(units))
    busy: list[tuple[int, int]] = []  # (free from, unit)
    result = {}
    for start, end, wo_idx, step_idx, gang in ops:
        while busy and busy[0][0] <= start:
            heapq.heappush(free, heapq.heappop(busy)[1])
        if len(free) < gang:
            return None
        chosen = tuple(heapq.heappop(free) for _ in range(gang))
        for unit in chosen:
            heapq.heappush(busy, (end, unit))
        result[wo_idx, step_idx] = chosen
    return result


def _units_exactly(
    units: int, held: list[tuple[int, int, int]], ops: list[tuple[int, int, int, int, int]]
) -> dict[tuple[int, int], tuple[int, ...]]:
    """Units for ``ops`` beside the named holds, by a small CP-SAT model of one machine."""
    model = cp_model.CpModel()
    per_unit: list[list[cp_model.IntervalVar]] = [[] for _ in range(units)]
    for unit, a, b in held:
        per_unit[unit].append(model.new_fixed_size_interval_var(a, b - a, f"held{unit}_{a}"))
    choice: dict[tuple[int, int], list[cp_model.IntVar]] = {}
    for start, end, wo_idx, step_idx, gang in ops:
        lits = [model.new_bool_var(f"w{wo_idx}s{step_idx}u{u}") for u in range(units)]
        model.add(sum(lits) == gang)
        for u, lit in enumerate(lits):
            per_unit[u].append(
                model.new_optional_fixed_size_interval_var(start, end - start, lit, f"i{u}")
            )
        choice[wo_idx, step_idx] = lits
    for intervals in per_unit:
        model.add_no_overlap(intervals)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 10.0
    solver.parameters.num_workers = 1
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise PlanningError("operations could not be given units beside the units held")
    return {
        key: tuple(u for u, lit in enumerate(lits) if solver.boolean_value(lit))
        for key, lits in choice.items()
    }


def to_schedule(problem: Problem, solution: Solution) -> Schedule:
    """The domain schedule of ``solution`` (units already assigned)."""
    at = problem.to_datetime
    network = problem.network
    assignments, operations, shipments, draws = [], [], [], []
    for wo_idx, placement in enumerate(solution):
        compiled = problem.work_orders[wo_idx]
        wo = compiled.work_order
        option = compiled.options[placement.option_idx]
        plant_id = problem.plant_ids[option.plant_idx]
        assignments.append(
            WorkOrderAssignment(
                work_order_id=wo.id,
                order_id=wo.order_id,
                item_id=wo.item_id,
                quantity=wo.quantity,
                parent_id=wo.parent_id,
                plant_id=plant_id,
                routing_id=option.routing_id,
                start=at(placement.start),
                end=at(placement.end),
            )
        )
        for op, spec in zip(placement.ops, option.ops, strict=True):
            machine = problem.machines[op.machine_idx]
            alt = spec.alternative(op.machine_idx, op.gang)
            operations.append(
                ScheduledOperation(
                    work_order_id=wo.id,
                    step=spec.step,
                    process=spec.process,
                    plant_id=machine.plant_id,
                    machine_id=machine.machine_id,
                    unit=op.unit,
                    start=at(op.start),
                    end=at(op.end),
                    work=timedelta(minutes=spec.works[alt]),
                    units=op.units,
                    on_floor=spec.is_on_floor(alt),
                )
            )
        for (material, _, step), sourced in zip(option.needs, placement.draws, strict=True):
            for source, quantity in sourced:
                lead = problem.lead[source][option.plant_idx]
                assert lead is not None, "sources are plants with a lane"
                starts = placement.ops[step].start
                draws.append(
                    MaterialDraw(
                        work_order_id=wo.id,
                        step=option.ops[step].step,
                        material_id=problem.material_ids[material],
                        quantity=quantity,
                        origin=problem.plant_ids[source],
                        destination=plant_id,
                        depart=at(starts - lead),
                        arrive=at(starts),
                    )
                )
        if compiled.parent_idx is not None:
            parent = problem.work_orders[compiled.parent_idx]
            parent_plant = parent.options[solution[compiled.parent_idx].option_idx].plant_idx
            if parent_plant != option.plant_idx:
                lead = problem.lead[option.plant_idx][parent_plant]
                assert lead is not None, "the model forbids plant pairs without a lane"
                shipments.append(
                    Shipment(
                        work_order_id=wo.id,
                        origin=plant_id,
                        destination=problem.plant_ids[parent_plant],
                        depart=at(placement.end),
                        arrive=at(placement.end + lead),
                    )
                )
    deliveries = []
    order_by_id = {o.id: o for o in network.orders}
    for order, arrival in zip(problem.orders, arrivals(problem, solution), strict=True):
        root = solution[order.root_idx]
        plant_idx = problem.work_orders[order.root_idx].options[root.option_idx].plant_idx
        domain_order = order_by_id[order.order_id]
        deliveries.append(
            Delivery(
                order_id=order.order_id,
                plant_id=problem.plant_ids[plant_idx],
                region=domain_order.region,
                finish=at(root.end),
                arrival=at(arrival),
                due=domain_order.due,
            )
        )
    return Schedule(
        work_orders=tuple(assignments),
        operations=tuple(operations),
        shipments=tuple(shipments),
        deliveries=tuple(deliveries),
        material_draws=tuple(draws),
        levers=tuple(
            PulledLever.of(problem.network.levers[i]) for i in problem.levers_pulled(solution)
        ),
    )
