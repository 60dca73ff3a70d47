"""A plain textbook CP-SAT model of the (distributed) flexible job shop, for comparison.

One optional interval per operation and eligible machine, exactly one chosen, a
no-overlap per machine, job precedences, and (for several factories) one factory per
job; minimise the makespan. No heuristics, hints, redundant constraints or search
tuning: this is the yardstick the engine has to beat.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from ortools.sat.python import cp_model

from xiezuo.domain import Network, capable_machines


@dataclass(frozen=True, slots=True)
class BaselineResult:
    makespan: int | None
    lower_bound: int
    status: str
    runtime_s: float


def jobs_of(network: Network) -> list[list[list[tuple[str, str, int]]]]:
    """Per job, per operation, the eligible (plant, machine, minutes) alternatives."""
    jobs = []
    for order in network.orders:
        item = network.item_by_id[order.item_id]
        (routing,) = item.routings
        operations = []
        for op in routing.operations:
            alternatives = []
            for plant in network.plants:
                for machine in capable_machines(item, op, plant):
                    duration = op.duration(order.quantity, plant.id, machine.id)
                    assert duration is not None
                    alternatives.append((plant.id, machine.id, duration // timedelta(minutes=1)))
            operations.append(alternatives)
        jobs.append(operations)
    return jobs


def solve_baseline(
    network: Network, time_limit_s: float, workers: int, seed: int = 0
) -> BaselineResult:
    started = time.monotonic()
    jobs = jobs_of(network)
    horizon = sum(max(d for _, _, d in alts) for ops in jobs for alts in ops)
    model = cp_model.CpModel()
    intervals: dict[tuple[str, str], list[cp_model.IntervalVar]] = {}
    makespan = model.new_int_var(0, horizon, "makespan")
    plants = sorted({p for ops in jobs for alts in ops for p, _, _ in alts})
    for j, operations in enumerate(jobs):
        factory = {p: model.new_bool_var(f"j{j}_f{p}") for p in plants}
        if len(plants) > 1:
            model.add_exactly_one(factory.values())
        previous_end = None
        for k, alternatives in enumerate(operations):
            start = model.new_int_var(0, horizon, f"j{j}_o{k}_s")
            end = model.new_int_var(0, horizon, f"j{j}_o{k}_e")
            chosen = []
            for plant, machine, duration in alternatives:
                lit = model.new_bool_var(f"j{j}_o{k}_{plant}_{machine}")
                interval = model.new_optional_interval_var(
                    start, duration, end, lit, f"j{j}_o{k}_{plant}_{machine}_iv"
                )
                intervals.setdefault((plant, machine), []).append(interval)
                if len(plants) > 1:
                    model.add_implication(lit, factory[plant])
                chosen.append(lit)
            model.add_exactly_one(chosen)
            if previous_end is not None:
                model.add(start >= previous_end)
            previous_end = end
        if previous_end is not None:
            model.add(makespan >= previous_end)
    for machine_intervals in intervals.values():
        model.add_no_overlap(machine_intervals)
    model.minimize(makespan)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    status = solver.solve(model)
    has_solution = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    return BaselineResult(
        makespan=int(solver.objective_value) if has_solution else None,
        lower_bound=int(solver.best_objective_bound),
        status=solver.status_name(status).lower(),
        runtime_s=time.monotonic() - started,
    )
