"""CP-SAT variables in small typed records, one record per kind of decision."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from ortools.sat.python import cp_model

    from xiezuo.planning.problem.compile import Problem
    from xiezuo.planning.problem.timeline import Placements


@dataclass(slots=True)
class Piece:
    """One way to place an operation (inside a window, spanning usual breaks, or near a
    holiday) with its own start and end; ``chosen`` is ``None`` when it is the only way."""

    kind: str  # "short", "periodic" or "exceptional"
    start: cp_model.IntVar
    end: cp_model.IntVar
    chosen: cp_model.IntVar | None = None
    residue: cp_model.IntVar | None = None
    span: cp_model.IntVar | None = None
    starts: frozenset[int] = frozenset()  # of an exceptional piece, for hints


@dataclass(slots=True)
class TimingVars:
    """Start and end of one operation on machines that share one set of working windows."""

    start: cp_model.IntVar
    end: cp_model.IntVar
    work: int
    windows_idx: int
    pieces: list[Piece] = field(default_factory=list)
    span: cp_model.IntVar | None = None


@dataclass(slots=True)
class OpVars:
    start: cp_model.IntVar
    end: cp_model.IntVar
    # Alternative index (see CompiledOp) -> literal "the operation runs this way".
    machine_lits: dict[int, cp_model.IntVar]
    # (windows index, working minutes) -> timing on the alternatives that share both.
    timing: dict[tuple[int, int], TimingVars]
    group_of_machine: dict[int, tuple[int, int]]
    # Alternative index -> the operation's interval that way (present iff chosen).
    intervals: dict[int, cp_model.IntervalVar] = field(default_factory=dict)


@dataclass(slots=True)
class WorkOrderVars:
    option_lits: list[cp_model.IntVar]
    ops: list[list[OpVars]]  # per option, per routing step
    start: cp_model.IntVar
    end: cp_model.IntVar
    # Plant index -> literal "made at this plant".
    plant_lits: dict[int, cp_model.IntVar] = field(default_factory=dict)
    # Per option, per material need: source plant -> literal "drawn from its warehouse",
    # and source plant -> quantity drawn from it.
    source_lits: list[list[dict[int, cp_model.IntVar]]] = field(default_factory=list)
    draw_quantities: list[list[dict[int, cp_model.IntVar]]] = field(default_factory=list)


@dataclass(slots=True)
class OrderVars:
    arrival: cp_model.IntVar
    tardiness: cp_model.IntVar


@dataclass(slots=True)
class ModelVars:
    work_orders: list[WorkOrderVars]
    orders: list[OrderVars]
    makespan: cp_model.IntVar
    # Machine index -> (interval, units it holds) of every alternative on it.
    intervals_by_machine: dict[int, list[tuple[cp_model.IntervalVar, int]]]
    # One literal per stability anchor, once moves count (objective.add_moves).
    moves: list[cp_model.IntVar] = field(default_factory=list)
    # One literal per lever of the problem: "the plan pulls it".
    levers: list[cp_model.IntVar] = field(default_factory=list)


def _span(model: cp_model.CpModel, timing: TimingVars, horizon: int) -> cp_model.IntVar:
    """Calendar length of an operation that may pause over breaks (shared by its machines)."""
    if timing.span is None:
        timing.span = model.new_int_var(timing.work, horizon, f"{timing.start.name}_span")
        model.add(timing.span == timing.end - timing.start)
    return timing.span


class PlacementCache:
    """Placements by (windows, work), computed once: many operations share both."""

    def __init__(self, problem: Problem, horizon: int) -> None:
        self._problem = problem
        self._horizon = horizon
        self._cache: dict[tuple[int, int], Placements] = {}

    def get(self, windows_idx: int, work: int) -> Placements:
        key = (windows_idx, work)
        if key not in self._cache:
            windows = self._problem.windows[windows_idx]
            self._cache[key] = windows.placements(work, self._horizon)
        return self._cache[key]


# How many work orders a model-building loop handles between two asks whether to stop.
STOP_CHECK_EVERY = 64


def create_variables(
    model: cp_model.CpModel,
    problem: Problem,
    horizon: int,
    placements: PlacementCache,
    should_stop: Callable[[], bool] = lambda: False,
) -> ModelVars:
    """Create every decision variable; constraints that tie them come afterwards.

    Once ``should_stop()`` (asked every few work orders) the rest are left out, which
    leaves the model unfinished: the caller must not use it.
    """
    intervals: dict[int, list[tuple[cp_model.IntervalVar, int]]] = {}
    work_orders = []
    for wo_idx, work_order in enumerate(problem.work_orders):
        if wo_idx % STOP_CHECK_EVERY == 0 and should_stop():
            break
        name = f"wo{wo_idx}"
        option_lits = [model.new_bool_var(f"{name}_opt{o}") for o in range(len(work_order.options))]
        ops_by_option = []
        for o, option in enumerate(work_order.options):
            option_ops = []
            for op in option.ops:
                op_name = f"{name}_o{o}_s{op.step}"
                # Alternatives that share working windows and working time share timing.
                groups: dict[tuple[int, int], list[int]] = {}
                for alt, (machine_idx, work) in enumerate(zip(op.machines, op.works, strict=True)):
                    key = (problem.machines[machine_idx].windows_idx, work)
                    groups.setdefault(key, []).append(alt)
                start = model.new_int_var(0, horizon, f"{op_name}_start")
                end = model.new_int_var(0, horizon, f"{op_name}_end")
                timing = {}
                for key in groups:
                    windows_idx, work = key
                    options = placements.get(windows_idx, work)
                    is_fixed = not (options.periodic_starts or options.exceptional)
                    # Work that never spans a break shares the operation's start and end
                    # across machines, as in the textbook model: the strongest propagation.
                    if len(groups) == 1 or is_fixed:
                        timing[key] = TimingVars(start, end, work, windows_idx)
                    else:
                        timing[key] = TimingVars(
                            model.new_int_var(0, horizon, f"{op_name}_w{windows_idx}_{work}_start"),
                            model.new_int_var(0, horizon, f"{op_name}_w{windows_idx}_{work}_end"),
                            work,
                            windows_idx,
                        )
                machine_lits = {}
                group_of_machine = {}
                op_intervals: dict[int, cp_model.IntervalVar] = {}
                for key, alts in groups.items():
                    t = timing[key]
                    options = placements.get(t.windows_idx, t.work)
                    is_fixed = not (options.periodic_starts or options.exceptional)
                    for alt in alts:
                        machine_idx = op.machines[alt]
                        lit = model.new_bool_var(f"{op_name}_a{alt}_m{machine_idx}")
                        machine_lits[alt] = lit
                        group_of_machine[alt] = key
                        iv_name = f"{op_name}_a{alt}_iv"
                        size = t.work if is_fixed else _span(model, t, horizon)
                        interval = model.new_optional_interval_var(
                            t.start, size, t.end, lit, iv_name
                        )
                        intervals.setdefault(machine_idx, []).append((interval, op.gang(alt)))
                        op_intervals[alt] = interval
                option_ops.append(
                    OpVars(start, end, machine_lits, timing, group_of_machine, op_intervals)
                )
            ops_by_option.append(option_ops)
        work_order_vars = WorkOrderVars(
            option_lits=option_lits,
            ops=ops_by_option,
            start=model.new_int_var(work_order.release, horizon, f"{name}_start"),
            end=model.new_int_var(0, horizon, f"{name}_end"),
        )
        work_order_vars.source_lits = [
            [
                {
                    source: model.new_bool_var(f"{name}_o{o}_need{n}_from{source}")
                    for source in problem.sources(option.plant_idx, material)
                }
                for n, (material, _, _) in enumerate(option.needs)
            ]
            for o, option in enumerate(work_order.options)
        ]
        work_order_vars.draw_quantities = [
            [
                {
                    source: model.new_int_var(0, quantity, f"{name}_o{o}_need{n}_qty{source}")
                    for source in problem.sources(option.plant_idx, material)
                }
                for n, (material, quantity, _) in enumerate(option.needs)
            ]
            for o, option in enumerate(work_order.options)
        ]
        for plant_idx in work_order.plants:
            lits = [
                option_lits[o]
                for o, option in enumerate(work_order.options)
                if option.plant_idx == plant_idx
            ]
            if len(lits) == 1:
                work_order_vars.plant_lits[plant_idx] = lits[0]
            else:
                plant_lit = model.new_bool_var(f"{name}_plant{plant_idx}")
                model.add(plant_lit == sum(lits))
                work_order_vars.plant_lits[plant_idx] = plant_lit
        work_orders.append(work_order_vars)
    orders = [
        OrderVars(
            arrival=model.new_int_var(0, horizon, f"order{i}_arrival"),
            tardiness=model.new_int_var(0, horizon, f"order{i}_tardiness"),
        )
        for i in range(len(problem.orders))
    ]
    return ModelVars(
        work_orders=work_orders,
        orders=orders,
        makespan=model.new_int_var(0, horizon, "makespan"),
        intervals_by_machine=intervals,
        levers=[model.new_bool_var(f"lever{i}") for i in range(len(problem.levers))],
    )
