"""Objective terms of the CP-SAT model."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

if TYPE_CHECKING:
    from xiezuo.planning.model.variables import ModelVars
    from xiezuo.planning.problem.compile import Problem


def weighted_tardiness(problem: Problem, mv: ModelVars) -> cp_model.LinearExprT:
    """Σ_r priority_r · T_r, in minutes late at the customer."""
    return sum(
        order.weight * ov.tardiness for order, ov in zip(problem.orders, mv.orders, strict=True)
    )


def first_objective(
    model: cp_model.CpModel, problem: Problem, mv: ModelVars
) -> cp_model.LinearExprT:
    """Weighted tardiness, plus in a stable replan that weighs moves the cost of each
    step moved against the previous plan (see :func:`add_moves`)."""
    tardiness = weighted_tardiness(problem, mv)
    if not problem.move_cost:
        return tardiness
    add_moves(model, problem, mv)
    moves = cp_model.LinearExpr.weighted_sum(mv.moves, [problem.move_cost] * len(mv.moves))
    return cp_model.LinearExpr.sum([tardiness, moves])


def add_moves(model: cp_model.CpModel, problem: Problem, mv: ModelVars) -> cp_model.LinearExprT:
    """Σ moved steps: one literal per anchor, in ``mv.moves``, made once. A step is
    unmoved only on its previous option and machine, starting within the tolerance of
    its previous start. Moves after tardiness are added only for their own phase, so
    the tardiness phase searches the same model as a fresh plan."""
    if not mv.moves:
        for a in problem.anchors:
            moved = model.new_bool_var(f"moved_wo{a.wo_idx}_{a.op_idx}")
            mv.moves.append(moved)
            op_vars = mv.work_orders[a.wo_idx].ops[a.option_idx][a.op_idx]
            spec = problem.work_orders[a.wo_idx].options[a.option_idx].ops[a.op_idx]
            on_machine = [
                lit
                for alt, lit in op_vars.machine_lits.items()
                if spec.machines[alt] == a.machine_idx
            ]
            if not on_machine:
                model.add(moved == 1)
                continue
            model.add_bool_or(on_machine).only_enforce_if(~moved)
            model.add(op_vars.start >= a.start - a.tolerance).only_enforce_if(~moved)
            model.add(op_vars.start <= a.start + a.tolerance).only_enforce_if(~moved)
    return cp_model.LinearExpr.sum(mv.moves)


def lever_cost(problem: Problem, mv: ModelVars) -> cp_model.LinearExprT:
    """Σ cost · pulled over the levers, in hundredths: the phase after tardiness (and
    moves), so a lever is pulled only where it makes orders less late, and among equally
    punctual plans the cheapest set of levers wins."""
    costs = [lever.cost for lever in problem.levers]
    return cp_model.LinearExpr.weighted_sum(mv.levers, costs)
