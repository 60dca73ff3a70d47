"""Constraint families of the CP-SAT model, one function each.

Notation: x_wo = work order w made by option o; y_m = operation runs on machine m;
S, E = operation start and end; WS_w, WE_w = work-order start and end; A_r = arrival
of order r at its customer; L(a, b) = lane lead time.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

if TYPE_CHECKING:
    from xiezuo.planning.compile import Problem
    from xiezuo.planning.variables import ModelVars, PlacementCache, TimingVars


def add_working_windows(
    model: cp_model.CpModel, timing: TimingVars, placements: PlacementCache
) -> bool:
    """S ∈ one window with E = S + work, or S = a window start with E its spanning finish.

    Returns ``False`` when the work cannot be placed at all before the horizon.
    """
    options = placements.get(timing.windows_idx, timing.work)
    short = cp_model.Domain.from_intervals([list(r) for r in options.short_ranges])
    if not options.short_ranges and not options.long_slots:
        return False
    if not options.long_slots:
        model.add_linear_expression_in_domain(timing.start, short)
        model.add(timing.end == timing.start + timing.work)
        return True
    if not options.short_ranges:
        model.add_allowed_assignments([timing.start, timing.end], options.long_slots)
        return True
    name = timing.start.name
    timing.is_short = model.new_bool_var(f"{name}_short")
    timing.short_start = model.new_int_var_from_domain(short, f"{name}_sstart")
    long_starts = cp_model.Domain.from_values([a for a, _ in options.long_slots])
    long_ends = cp_model.Domain.from_values([b for _, b in options.long_slots])
    timing.long_start = model.new_int_var_from_domain(long_starts, f"{name}_lstart")
    timing.long_end = model.new_int_var_from_domain(long_ends, f"{name}_lend")
    model.add_allowed_assignments([timing.long_start, timing.long_end], options.long_slots)
    model.add(timing.start == timing.short_start).only_enforce_if(timing.is_short)
    model.add(timing.end == timing.start + timing.work).only_enforce_if(timing.is_short)
    model.add(timing.start == timing.long_start).only_enforce_if(~timing.is_short)
    model.add(timing.end == timing.long_end).only_enforce_if(~timing.is_short)
    return True


def add_operations(
    model: cp_model.CpModel, problem: Problem, mv: ModelVars, placements: PlacementCache
) -> None:
    """Σ_o x_wo = 1; Σ_m y_m = x_wo; y_m ⇒ (S, E) = timing on m's windows; E_k ≤ S_k+1."""
    for wo_idx, work_order in enumerate(problem.work_orders):
        wov = mv.work_orders[wo_idx]
        model.add_exactly_one(wov.option_lits)
        for o, _option in enumerate(work_order.options):
            chosen = wov.option_lits[o]
            steps = wov.ops[o]
            for op_vars in steps:
                for windows_idx, timing in op_vars.timing.items():
                    group = [
                        lit
                        for m, lit in op_vars.machine_lits.items()
                        if problem.machines[m].windows_idx == windows_idx
                    ]
                    if not add_working_windows(model, timing, placements):
                        for lit in group:
                            model.add(lit == 0)
                        continue
                    if timing.start is not op_vars.start:
                        for lit in group:
                            model.add(op_vars.start == timing.start).only_enforce_if(lit)
                            model.add(op_vars.end == timing.end).only_enforce_if(lit)
                model.add(sum(op_vars.machine_lits.values()) == chosen)
            for before, after in itertools.pairwise(steps):
                model.add(after.start >= before.end).only_enforce_if(chosen)
            model.add(wov.start == steps[0].start).only_enforce_if(chosen)
            model.add(wov.end == steps[-1].end).only_enforce_if(chosen)
        shortest = min(option.work for option in work_order.options)
        model.add(wov.end >= wov.start + shortest)


def add_bom_precedence(model: cp_model.CpModel, problem: Problem, mv: ModelVars) -> None:
    """WS_parent ≥ WE_component + L(plant(component), plant(parent))."""
    for child_idx, child in enumerate(problem.work_orders):
        if child.parent_idx is None:
            continue
        parent = problem.work_orders[child.parent_idx]
        child_vars, parent_vars = mv.work_orders[child_idx], mv.work_orders[child.parent_idx]
        pairs = {(a, b): problem.lead[a][b] for a in child.plants for b in parent.plants}
        usable = [lead for lead in pairs.values() if lead is not None]
        floor = min(usable)
        model.add(parent_vars.start >= child_vars.end + floor)
        for (a, b), lead in pairs.items():
            a_lit, b_lit = child_vars.plant_lits[a], parent_vars.plant_lits[b]
            if lead is None:
                model.add_bool_or([~a_lit, ~b_lit])
            elif lead > floor:
                model.add(parent_vars.start >= child_vars.end + lead).only_enforce_if(
                    [a_lit, b_lit]
                )


def add_deliveries(model: cp_model.CpModel, problem: Problem, mv: ModelVars) -> None:
    """A_r ≥ WE_root + L(plant, region); T_r ≥ A_r − due_r; makespan ≥ A_r."""
    for order_idx, order in enumerate(problem.orders):
        root = mv.work_orders[order.root_idx]
        ov = mv.orders[order_idx]
        for plant_idx, lead in order.delivery_lead.items():
            model.add(ov.arrival >= root.end + lead).only_enforce_if(root.plant_lits[plant_idx])
        model.add(ov.arrival >= root.end + min(order.delivery_lead.values()))
        model.add(ov.tardiness >= ov.arrival - order.due)
        model.add(mv.makespan >= ov.arrival)


def add_machine_capacity(model: cp_model.CpModel, problem: Problem, mv: ModelVars) -> None:
    """At any instant a machine runs at most ``units`` operations."""
    for machine_idx, intervals in mv.intervals_by_machine.items():
        units = problem.machines[machine_idx].units
        if units == 1:
            model.add_no_overlap(intervals)
        elif units < len(intervals):
            model.add_cumulative(intervals, [1] * len(intervals), units)
