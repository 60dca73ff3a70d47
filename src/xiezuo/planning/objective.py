"""Objective terms of the CP-SAT model."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

    from xiezuo.planning.compile import Problem
    from xiezuo.planning.variables import ModelVars


def weighted_tardiness(problem: Problem, mv: ModelVars) -> cp_model.LinearExprT:
    """Σ_r priority_r · T_r, in minutes late at the customer."""
    return sum(
        order.weight * ov.tardiness for order, ov in zip(problem.orders, mv.orders, strict=True)
    )
