"""Constraint families of the CP-SAT model, one function each.

Notation: x_wo = work order w made by option o; y_m = operation runs on machine m;
S, E = operation start and end; WS_w, WE_w = work-order start and end; A_r = arrival
of order r at its customer; L(a, b) = lane lead time.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from xiezuo.planning.model.variables import (
    STOP_CHECK_EVERY,
    ModelVars,
    Piece,
    PlacementCache,
    TimingVars,
)
from xiezuo.planning.problem.bounds import heads_and_tails
from xiezuo.planning.problem.timeline import PERIOD

if TYPE_CHECKING:
    from collections.abc import Callable

    from xiezuo.planning.problem.compile import Problem


def add_working_windows(
    model: cp_model.CpModel,
    timing: TimingVars,
    placements: PlacementCache,
    horizon: int,
    enforced_by: list[cp_model.IntVar] | None = None,
) -> bool:
    """S lies in one window with E = S + work, or S is a window start and E its finish.

    Spanning placements are encoded by weekday: E = S + span(S mod week) from a small
    table, with the few starts near holidays in a table of their own. A table over every
    window start would make CP-SAT encode each start value as a Boolean.
    ``enforced_by`` is for start and end vars shared with other machines: work inside a
    window then only restricts the start on these machines (their intervals fix the end).
    Returns ``False`` when the work cannot be placed at all before the horizon.
    """
    options = placements.get(timing.windows_idx, timing.work)
    if options.is_empty:
        return False
    if enforced_by is not None:
        ranges = options.short_ranges
        if ranges != ((0, horizon - timing.work),):
            domain = cp_model.Domain.from_intervals([list(r) for r in ranges])
            for lit in enforced_by:
                model.add_linear_expression_in_domain(timing.start, domain).only_enforce_if(lit)
        return True
    name = timing.start.name
    pieces = []
    if options.short_ranges:
        domain = cp_model.Domain.from_intervals([list(r) for r in options.short_ranges])
        start = model.new_int_var_from_domain(domain, f"{name}_short")
        end = model.new_int_var(0, domain.max() + timing.work, f"{name}_short_end")
        model.add(end == start + timing.work)
        pieces.append(Piece("short", start, end))
    if options.periodic_starts:
        start = model.new_int_var_from_domain(
            cp_model.Domain.from_values(options.periodic_starts), f"{name}_periodic"
        )
        residue = model.new_int_var(0, PERIOD - 1, f"{name}_residue")
        model.add_modulo_equality(residue, start, PERIOD)
        spans = [span for _, span in options.span_by_residue]
        span = model.new_int_var_from_domain(
            cp_model.Domain.from_values(sorted(set(spans))), f"{name}_pspan"
        )
        model.add_allowed_assignments([residue, span], options.span_by_residue)
        end = model.new_int_var(0, max(options.periodic_starts) + max(spans), f"{name}_pend")
        model.add(end == start + span)
        pieces.append(Piece("periodic", start, end, residue=residue, span=span))
    if options.exceptional:
        start = model.new_int_var_from_domain(
            cp_model.Domain.from_values([a for a, _ in options.exceptional]), f"{name}_exc"
        )
        end = model.new_int_var_from_domain(
            cp_model.Domain.from_values(sorted({b for _, b in options.exceptional})),
            f"{name}_exc_end",
        )
        model.add_allowed_assignments([start, end], options.exceptional)
        pieces.append(
            Piece("exceptional", start, end, starts=frozenset(a for a, _ in options.exceptional))
        )
    if len(pieces) == 1:
        model.add(timing.start == pieces[0].start)
        model.add(timing.end == pieces[0].end)
    else:
        for piece in pieces:
            piece.chosen = model.new_bool_var(f"{name}_{piece.kind}_chosen")
            model.add(timing.start == piece.start).only_enforce_if(piece.chosen)
            model.add(timing.end == piece.end).only_enforce_if(piece.chosen)
        model.add_exactly_one(p.chosen for p in pieces if p.chosen is not None)
    timing.pieces = pieces
    return True


def add_operations(
    model: cp_model.CpModel,
    problem: Problem,
    mv: ModelVars,
    placements: PlacementCache,
    horizon: int,
    should_stop: Callable[[], bool] = lambda: False,
) -> bool:
    """Σ_o x_wo = 1; Σ_m y_m = x_wo; y_m ⇒ (S, E) = timing on m's windows; E_k ≤ S_k+1.

    Ends early, the model unfinished, once ``should_stop()`` (asked every few work
    orders); whether every work order was done.
    """
    for wo_idx, work_order in enumerate(problem.work_orders):
        if wo_idx % STOP_CHECK_EVERY == 0 and should_stop():
            return False
        wov = mv.work_orders[wo_idx]
        model.add_exactly_one(wov.option_lits)
        for o, _option in enumerate(work_order.options):
            chosen = wov.option_lits[o]
            steps = wov.ops[o]
            for op_vars in steps:
                for key, timing in op_vars.timing.items():
                    group = [
                        lit
                        for m, lit in op_vars.machine_lits.items()
                        if op_vars.group_of_machine[m] == key
                    ]
                    is_shared = timing.start is op_vars.start and len(op_vars.timing) > 1
                    enforced_by = group if is_shared else None
                    if not add_working_windows(model, timing, placements, horizon, enforced_by):
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
    return True


def add_bom_precedence(model: cp_model.CpModel, problem: Problem, mv: ModelVars) -> None:
    """WS_after ≥ WE_before + L(plant(before), plant(after)) for every component and its
    parent, and every design and the work it gates; in a replan, WS_w ≥ the time the
    components already made reach the plant of the chosen option."""
    for after_idx, after in enumerate(problem.work_orders):
        for o, option in enumerate(after.options):
            if option.ready > after.release:
                start = mv.work_orders[after_idx].start
                model.add(start >= option.ready).only_enforce_if(
                    mv.work_orders[after_idx].option_lits[o]
                )
        for before_idx in after.predecessors:
            before = problem.work_orders[before_idx]
            before_vars, after_vars = mv.work_orders[before_idx], mv.work_orders[after_idx]
            pairs = {(a, b): problem.lead[a][b] for a in before.plants for b in after.plants}
            usable = [lead for lead in pairs.values() if lead is not None]
            floor = min(usable)
            model.add(after_vars.start >= before_vars.end + floor)
            for (a, b), lead in pairs.items():
                a_lit, b_lit = before_vars.plant_lits[a], after_vars.plant_lits[b]
                if lead is None:
                    model.add_bool_or([~a_lit, ~b_lit])
                elif lead > floor:
                    model.add(after_vars.start >= before_vars.end + lead).only_enforce_if(
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
        if order.due is None:
            model.add(ov.tardiness == 0)
        else:
            model.add(ov.tardiness >= ov.arrival - order.due)
        model.add(mv.makespan >= ov.arrival)


def add_machine_capacity(model: cp_model.CpModel, problem: Problem, mv: ModelVars) -> None:
    """At any instant the operations on a machine hold at most ``units`` units (a gang
    of k holds k), less the units held by work under way, frozen work and downtime (a
    replan's reservations), and the units lent while a loan is pulled."""
    held: dict[int, list[tuple[cp_model.IntervalVar, int]]] = {}
    for r in problem.reservations:
        interval = model.new_fixed_size_interval_var(
            r.start, r.end - r.start, f"held_m{r.machine_idx}_{r.start}"
        )
        held.setdefault(r.machine_idx, []).append((interval, r.count))
    for h in problem.lever_holds:
        interval = model.new_optional_fixed_size_interval_var(
            h.start, h.end - h.start, mv.levers[h.lever], f"lent_m{h.machine_idx}_l{h.lever}"
        )
        held.setdefault(h.machine_idx, []).append((interval, h.count))
    for machine_idx, uses in mv.intervals_by_machine.items():
        units = problem.machines[machine_idx].units
        everything = uses + held.get(machine_idx, [])
        if units == 1:
            model.add_no_overlap([i for i, _ in everything])
        elif units < sum(count for _, count in everything):
            model.add_cumulative(
                [i for i, _ in everything], [count for _, count in everything], units
            )


_LOAD_CUTS = 4  # thresholds per machine and direction for the load bounds


@dataclass(frozen=True, slots=True)
class _Load:
    """An operation as a machine-load bound sees it."""

    lit: cp_model.IntVar
    work: int
    head: int
    tail: int


def _head(load: _Load) -> int:
    return load.head


def _tail(load: _Load) -> int:
    return load.tail


def add_load_bounds(model: cp_model.CpModel, problem: Problem, mv: ModelVars) -> None:
    """u_m · (makespan − θ − τ) ≥ Σ work · y_m over the operations with head ≥ θ (τ their
    least tail), and the same with tails and heads swapped: redundant, for the bound.

    The linear relaxation of these with Σ_m y_m = x_wo is the classic machine-load
    bound of the flexible job shop (work shared fractionally among eligible machines),
    refined by release dates and tails as in energetic reasoning; the solver's own
    propagation of machine sequences finds little of it on its own. With no operation
    on the machine the bound says makespan ≥ θ + τ, which holds when each operation
    counted must run somewhere, so only operations of work orders with a single plant
    and routing are counted (the others only add load, so the bound stays valid).
    Counting them would need an indicator "one of them runs here", and those slowed the
    search on the bundled example (1,400 h unproven at 30 s, against 1,280 h proven in
    15 s without).
    """
    heads_tails = heads_and_tails(problem)
    on_machine: dict[int, list[_Load]] = {}
    for wo_idx, work_order in enumerate(problem.work_orders):
        if len(work_order.options) != 1:
            continue  # optional: it may run nowhere at all (see above)
        for option, op_vars_list in zip(
            work_order.options, mv.work_orders[wo_idx].ops, strict=True
        ):
            for step, (op, op_vars) in enumerate(zip(option.ops, op_vars_list, strict=True)):
                head, tail = heads_tails.of_step(wo_idx, option, step)
                for alt, (machine_idx, work) in enumerate(zip(op.machines, op.works, strict=True)):
                    on_machine.setdefault(machine_idx, []).append(
                        _Load(op_vars.machine_lits[alt], work * op.gang(alt), head, tail)
                    )
    for machine_idx, entries in on_machine.items():
        units = problem.machines[machine_idx].units
        if problem.machines[machine_idx].machine_id is None:
            continue  # an office has no real capacity
        for near, far in ((_head, _tail), (_tail, _head)):
            thresholds = sorted({near(entry) for entry in entries})
            count = min(_LOAD_CUTS, len(thresholds))
            picks = {
                thresholds[i * (len(thresholds) - 1) // max(1, count - 1)] for i in range(count)
            }
            for threshold in sorted(picks):
                chosen = [entry for entry in entries if near(entry) >= threshold]
                reserve = units * (threshold + min(far(entry) for entry in chosen))
                load = cp_model.LinearExpr.weighted_sum(
                    [entry.lit for entry in chosen], [entry.work for entry in chosen]
                )
                model.add(units * mv.makespan >= load + reserve)


def add_material_stock(
    model: cp_model.CpModel, problem: Problem, mv: ModelVars, horizon: int
) -> None:
    """Stock of every warehouse stays ≥ 0: stock + supplies − draws, each draw leaving the
    source warehouse one lane lead time before the step that uses it starts.

    Σ_a q_{need,a} = quantity · x_wo, with q_{need,a} > 0 ⇔ z_{need,a}: each need of a
    chosen option is drawn in full, from one warehouse or pooled from several.
    A reservoir constraint would say this directly, but CP-SAT expands optional reservoir
    events quadratically; the equivalent cumulative is linear in size. Each draw holds
    its quantity from departure to the end of time, and each supply is "held" by a
    fixed interval until it arrives, against a capacity of everything that ever comes.
    """
    end_of_time = horizon + max(
        (lead for row in problem.lead for lead in row if lead is not None), default=0
    )
    uses: dict[tuple[int, int], list[tuple[cp_model.IntervalVar, cp_model.LinearExprT]]] = {}
    for wo_idx, work_order in enumerate(problem.work_orders):
        wov = mv.work_orders[wo_idx]
        for o, option in enumerate(work_order.options):
            for n, (material, quantity, step) in enumerate(option.needs):
                lits = wov.source_lits[o][n]
                amounts = wov.draw_quantities[o][n]
                model.add(sum(amounts.values()) == quantity * wov.option_lits[o])
                start = wov.ops[o][step].start
                for source, lit in lits.items():
                    model.add(amounts[source] >= 1).only_enforce_if(lit)
                    model.add(amounts[source] == 0).only_enforce_if(~lit)
                    lead = problem.lead[source][option.plant_idx]
                    assert lead is not None, "sources are plants with a lane"
                    model.add(start >= lead).only_enforce_if(lit)  # leaves after the start
                    draw = model.new_optional_interval_var(
                        start - lead,
                        end_of_time - start + lead,
                        end_of_time,
                        lit,
                        f"wo{wo_idx}_o{o}_need{n}_from{source}",
                    )
                    uses.setdefault((source, material), []).append((draw, amounts[source]))
    for key, draws in uses.items():
        initial, arrivals = problem.warehouses[key]
        pending = [
            (model.new_fixed_size_interval_var(0, when, f"supply_{key}_{i}"), quantity)
            for i, (when, quantity) in enumerate(arrivals)
            if when > 0
        ]
        everything = draws + pending
        capacity = initial + sum(quantity for _, quantity in arrivals)
        model.add_cumulative([i for i, _ in everything], [q for _, q in everything], capacity)


def add_crews(model: cp_model.CpModel, problem: Problem, mv: ModelVars, horizon: int) -> None:
    """Σ crew of running operations ≤ people of the skill at the plant, at every instant
    (a gang of k needs k crews; floor bays are counted the same way).

    The capacity drops as staff are seconded and rises as trainees qualify; fixed
    intervals fill the gap between a plant's peak headcount and its headcount then.
    A people loan raises the borrower's capacity by the people lent, blocked again
    outside their stay and, within it, unless the loan is pulled; the lender's people
    are away (an interval of their number) only if it is pulled.
    """
    demands: dict[tuple[int, int], list[tuple[cp_model.IntervalVar, int]]] = {}
    for wo_idx, work_order in enumerate(problem.work_orders):
        wov = mv.work_orders[wo_idx]
        for o, option in enumerate(work_order.options):
            for op, op_vars in zip(option.ops, wov.ops[o], strict=True):
                for alt, interval in op_vars.intervals.items():
                    for skill, people in op.crew_of(alt):
                        demands.setdefault((option.plant_idx, skill), []).append((interval, people))
    for key, uses in demands.items():
        steps = problem.staff.get(key, ((0, 0),))
        peak = max(level for _, level in steps)
        bounds = [t for t, _ in steps] + [max(horizon, steps[-1][0] + 1)]
        blockers = [
            (model.new_fixed_size_interval_var(a, b - a, f"crew_gap_{key}_{a}"), peak - level)
            for (a, level), b in zip(steps, bounds[1:], strict=True)
            if level < peak and a < b
        ]
        blockers += _people_lent(model, problem, mv, key, horizon)
        capacity = peak + sum(
            loan.count for loan in problem.people_loans if (loan.borrower, loan.skill) == key
        )
        everything = uses + blockers
        model.add_cumulative([i for i, _ in everything], [d for _, d in everything], capacity)


def _people_lent(
    model: cp_model.CpModel, problem: Problem, mv: ModelVars, key: tuple[int, int], horizon: int
) -> list[tuple[cp_model.IntervalVar, int]]:
    """Intervals that take people lent in or out of a plant's capacity of a skill."""
    found = []
    for loan in problem.people_loans:
        pulled = mv.levers[loan.lever]
        name = f"people_l{loan.lever}"
        if (loan.lender, loan.skill) == key and loan.back > loan.leave:
            away = model.new_optional_fixed_size_interval_var(
                loan.leave, loan.back - loan.leave, pulled, f"{name}_away"
            )
            found.append((away, loan.count))
        if (loan.borrower, loan.skill) != key:
            continue
        end = max(horizon, loan.go_back + 1)
        for a, b in ((0, loan.arrive), (loan.go_back, end)):
            if a < b:
                found.append(
                    (model.new_fixed_size_interval_var(a, b - a, f"{name}_{a}"), loan.count)
                )
        if loan.go_back > loan.arrive:
            unless = model.new_optional_fixed_size_interval_var(
                loan.arrive, loan.go_back - loan.arrive, ~pulled, f"{name}_unless"
            )
            found.append((unless, loan.count))
    return found


def add_levers(model: cp_model.CpModel, problem: Problem, mv: ModelVars) -> None:
    """Work on a lever's machines only if the lever is pulled, and the levers pulled
    within the budget. A lever pulled without use costs and is never better, so the
    lever-cost phase (or any plan read back) leaves it out."""
    if not problem.levers:
        return
    for wov, compiled in zip(mv.work_orders, problem.work_orders, strict=True):
        for option_vars, option in zip(wov.ops, compiled.options, strict=True):
            for op_vars, op in zip(option_vars, option.ops, strict=True):
                for alt, lit in op_vars.machine_lits.items():
                    lever = problem.machines[op.machines[alt]].lever
                    if lever >= 0:
                        model.add_implication(lit, mv.levers[lever])
    # A replan: work under way or frozen on a lever's machines has pulled it already; its
    # cost is spent, outside the budget left for the levers still to decide.
    in_use = {
        problem.machines[r.machine_idx].lever
        for r in problem.reservations
        if r.unit is not None and problem.machines[r.machine_idx].lever >= 0
    }
    for lever in in_use:
        model.add(mv.levers[lever] == 1)
    if problem.lever_budget is not None:
        open_levers = [i for i in range(len(problem.levers)) if i not in in_use]
        costs = [problem.levers[i].cost for i in open_levers]
        pulled = [mv.levers[i] for i in open_levers]
        model.add(cp_model.LinearExpr.weighted_sum(pulled, costs) <= problem.lever_budget)
