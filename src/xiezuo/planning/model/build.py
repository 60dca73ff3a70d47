"""The CP-SAT model of a problem: building it, hinting a plan into it, reading a plan out."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from xiezuo.planning.model.constraints import (
    add_bom_precedence,
    add_crews,
    add_deliveries,
    add_levers,
    add_load_bounds,
    add_machine_capacity,
    add_material_stock,
    add_operations,
)
from xiezuo.planning.model.variables import ModelVars, PlacementCache, TimingVars, create_variables
from xiezuo.planning.problem.solution import OpPlacement, Solution, WorkOrderPlacement
from xiezuo.planning.problem.timeline import PERIOD

if TYPE_CHECKING:
    from collections.abc import Callable

    from xiezuo.planning.problem.compile import Problem


def build_model(
    problem: Problem, horizon: int, should_stop: Callable[[], bool] = lambda: False
) -> tuple[cp_model.CpModel, ModelVars] | None:
    """Every variable and constraint of ``problem`` up to ``horizon``; no objective.

    ``None`` once ``should_stop()`` (asked between constraint families and every few
    work orders): a large network's model can take longer to build than the time left,
    and a model the search has no time for is worth nothing.
    """
    model = cp_model.CpModel()
    placements = PlacementCache(problem, horizon)
    mv = create_variables(model, problem, horizon, placements, should_stop)
    if len(mv.work_orders) < len(problem.work_orders):
        return None
    if not add_operations(model, problem, mv, placements, horizon, should_stop):
        return None
    families = (
        add_bom_precedence,
        add_deliveries,
        add_levers,
        add_machine_capacity,
        add_load_bounds,
        partial(add_material_stock, horizon=horizon),
        partial(add_crews, horizon=horizon),
    )
    for add_family in families:
        if should_stop():
            return None
        add_family(model, problem, mv)
    return model, mv


def add_hints(model: cp_model.CpModel, problem: Problem, mv: ModelVars, solution: Solution) -> None:
    """Hint every decision of ``solution`` in place of any earlier hints: the solver
    starts from a complete plan."""
    model.clear_hints()  # type: ignore[no-untyped-call]  # untyped in OR-Tools' stubs
    for wo_idx, placement in enumerate(solution):
        wov = mv.work_orders[wo_idx]
        for o, lit in enumerate(wov.option_lits):
            model.add_hint(lit, o == placement.option_idx)
            for n, source_lits in enumerate(wov.source_lits[o]):
                drawn = dict(placement.draws[n]) if o == placement.option_idx else {}
                for source, source_lit in source_lits.items():
                    model.add_hint(source_lit, source in drawn)
                    model.add_hint(wov.draw_quantities[o][n][source], drawn.get(source, 0))
            if o != placement.option_idx:
                for op_vars in wov.ops[o]:
                    for machine_lit in op_vars.machine_lits.values():
                        model.add_hint(machine_lit, False)
        plant = problem.work_orders[wo_idx].options[placement.option_idx].plant_idx
        for plant_idx, lit in wov.plant_lits.items():
            if not any(lit is option_lit for option_lit in wov.option_lits):
                model.add_hint(lit, plant_idx == plant)
        model.add_hint(wov.start, placement.start)
        model.add_hint(wov.end, placement.end)
        option = problem.work_orders[wo_idx].options[placement.option_idx]
        for op_vars, op, spec in zip(
            wov.ops[placement.option_idx], placement.ops, option.ops, strict=True
        ):
            model.add_hint(op_vars.start, op.start)
            model.add_hint(op_vars.end, op.end)
            chosen = spec.alternative(op.machine_idx, op.gang)
            for alt, lit in op_vars.machine_lits.items():
                model.add_hint(lit, alt == chosen)
            timing = op_vars.timing[op_vars.group_of_machine[chosen]]
            if timing.start is not op_vars.start:
                model.add_hint(timing.start, op.start)
                model.add_hint(timing.end, op.end)
            _hint_pieces(model, timing, op.start, op.end)
    times = [
        solution[o.root_idx].end
        + o.delivery_lead[
            problem.work_orders[o.root_idx].options[solution[o.root_idx].option_idx].plant_idx
        ]
        for o in problem.orders
    ]
    for order, ov, arrival in zip(problem.orders, mv.orders, times, strict=True):
        model.add_hint(ov.arrival, arrival)
        model.add_hint(ov.tardiness, order.tardiness(arrival))
    model.add_hint(mv.makespan, max(times))
    pulled = set(problem.levers_pulled(solution))
    for i, lever_lit in enumerate(mv.levers):
        model.add_hint(lever_lit, i in pulled)
    for a, moved in zip(problem.anchors, mv.moves, strict=False):
        placement = solution[a.wo_idx]
        if placement.option_idx != a.option_idx:
            model.add_hint(moved, True)
            continue
        op = placement.ops[a.op_idx]
        model.add_hint(
            moved, op.machine_idx != a.machine_idx or abs(op.start - a.start) > a.tolerance
        )


def _hint_pieces(model: cp_model.CpModel, timing: TimingVars, start: int, end: int) -> None:
    if end - start == timing.work:
        kind = "short"
    elif any(start in piece.starts for piece in timing.pieces):
        kind = "exceptional"
    else:
        kind = "periodic"
    for piece in timing.pieces:
        if piece.chosen is not None:
            model.add_hint(piece.chosen, piece.kind == kind)
        if piece.kind == kind:
            model.add_hint(piece.start, start)
            model.add_hint(piece.end, end)
            if piece.span is not None and piece.residue is not None:
                model.add_hint(piece.span, end - start)
                model.add_hint(piece.residue, start % PERIOD)


def read_solution(problem: Problem, mv: ModelVars, solver: cp_model.CpSolver) -> Solution:
    placements = []
    for wov, compiled in zip(mv.work_orders, problem.work_orders, strict=True):
        option_idx = next(o for o, lit in enumerate(wov.option_lits) if solver.boolean_value(lit))
        ops = []
        for op_vars, spec in zip(
            wov.ops[option_idx], compiled.options[option_idx].ops, strict=True
        ):
            alt = next(a for a, lit in op_vars.machine_lits.items() if solver.boolean_value(lit))
            ops.append(
                OpPlacement(
                    spec.machines[alt],
                    0,
                    solver.value(op_vars.start),
                    solver.value(op_vars.end),
                    gang=spec.gang(alt),
                )
            )
        draws = tuple(
            tuple(
                (source, solver.value(amounts[source]))
                for source, lit in lits.items()
                if solver.boolean_value(lit)
            )
            for lits, amounts in zip(
                wov.source_lits[option_idx], wov.draw_quantities[option_idx], strict=True
            )
        )
        placements.append(WorkOrderPlacement(option_idx, tuple(ops), draws))
    return tuple(placements)
