"""Heads, tails, the redundant machine-load bounds built on them, and the bounds of
the every-machine-free relaxation."""

from __future__ import annotations

from datetime import time, timedelta

from hypothesis import HealthCheck, assume, given, settings
from ortools.sat.python import cp_model

from tests.conftest import at, build_item, build_machine, build_network, build_order, hours
from tests.strategies import networks
from xiezuo.domain import (
    BomLine,
    Calendar,
    Item,
    Lane,
    Network,
    Operation,
    Order,
    Plant,
    Routing,
    validate_network,
)
from xiezuo.planning.model.build import add_hints, build_model
from xiezuo.planning.model.constraints import (
    add_bom_precedence,
    add_deliveries,
    add_load_bounds,
    add_operations,
)
from xiezuo.planning.model.variables import PlacementCache, create_variables
from xiezuo.planning.params import PlanParams
from xiezuo.planning.problem.bounds import heads_and_tails, relaxation_bounds
from xiezuo.planning.problem.compile import compile_problem
from xiezuo.planning.problem.extract import arrivals, score
from xiezuo.planning.search.heuristic import dispatch, first_plan
from xiezuo.planning.solve import plan

HOUR = 60


def _roll_at_a_mill_at_b(order: Order) -> Network:
    """A roll forged 4 h at A, 3 h on the lane to B, where the mill takes 2 h + 1 h."""
    return build_network(
        plants=(
            Plant(id="A", machines=(build_machine("press", "forging"),)),
            Plant(id="B", machines=(build_machine("fit", "assembly"),)),
        ),
        items=(
            build_item("ROLL", ("forging", 4)),
            build_item(
                "MILL", ("assembly", 2), ("assembly", 1), bom=(BomLine(item_id="ROLL", quantity=1),)
            ),
        ),
        orders=(order,),
        lanes=(Lane(origin="A", destination="B", lead_time=hours(3)),),
    )


def test_heads_and_tails_follow_components_lanes_and_steps() -> None:
    network = _roll_at_a_mill_at_b(build_order("o1", "MILL", 100))
    problem = compile_problem(network)
    bounds = heads_and_tails(problem)
    mill = next(w for w, wo in enumerate(problem.work_orders) if wo.work_order.item_id == "MILL")
    (roll,) = problem.work_orders[mill].children
    assert (bounds.head[roll], bounds.tail[roll]) == (0, (3 + 2 + 1) * HOUR)
    assert (bounds.head[mill], bounds.tail[mill]) == ((4 + 3) * HOUR, 0)
    (option,) = problem.work_orders[mill].options
    assert bounds.of_step(mill, option, 1) == ((4 + 3 + 2) * HOUR, 0)


def _relaxed_makespan(network: Network, *, with_load_bounds: bool) -> int:
    """Least makespan when machines may run any number of jobs at once, save for what
    the load bounds say."""
    problem = compile_problem(network)
    horizon = 1000 * HOUR
    model = cp_model.CpModel()
    placements = PlacementCache(problem, horizon)
    mv = create_variables(model, problem, horizon, placements)
    add_operations(model, problem, mv, placements, horizon)
    add_bom_precedence(model, problem, mv)
    add_deliveries(model, problem, mv)
    if with_load_bounds:
        add_load_bounds(model, problem, mv)
    model.minimize(mv.makespan)
    solver = cp_model.CpSolver()
    assert solver.solve(model) == cp_model.OPTIMAL
    return int(solver.objective_value)


def test_load_bounds_add_up_the_work_a_machine_must_do_after_its_releases() -> None:
    """Three 10 h jobs on one lathe, two released at 15 h: 15 + 2 x 10 = 35 h."""
    network = build_network(
        plants=(Plant(id="A", machines=(build_machine("lathe", "machining"),)),),
        items=(build_item("P", ("machining", 10)),),
        orders=(
            build_order("o1", "P", 100),
            build_order("o2", "P", 100, release=at(15)),
            build_order("o3", "P", 100, release=at(15)),
        ),
    )
    assert _relaxed_makespan(network, with_load_bounds=False) == 25 * HOUR
    assert _relaxed_makespan(network, with_load_bounds=True) == 35 * HOUR


def test_load_bounds_share_work_among_units_and_eligible_machines() -> None:
    """Six 10 h jobs a two-unit lathe or a mill can do: 60 h over three units, 20 h."""
    network = build_network(
        plants=(
            Plant(
                id="A",
                machines=(
                    build_machine("lathe", "machining", units=2),
                    build_machine("mill", "machining"),
                ),
            ),
        ),
        items=(build_item("P", ("machining", 10)),),
        orders=tuple(build_order(f"o{i}", "P", 100) for i in range(6)),
    )
    assert _relaxed_makespan(network, with_load_bounds=True) == 20 * HOUR


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(networks())
def test_the_model_with_its_load_bounds_admits_every_greedy_plan(network: Network) -> None:
    """Redundant constraints must never cut off a feasible plan: fix every decision of a
    plan the heuristics built, and the whole model must still be satisfiable."""
    validate_network(network)
    problem = compile_problem(network)
    greedy = first_plan(problem, 1.0)
    assume(greedy is not None and problem.orders)
    assert greedy is not None
    built = build_model(problem, problem.window_cap)
    assert built is not None
    model, mv = built
    add_hints(model, problem, mv, greedy)
    solver = cp_model.CpSolver()
    solver.parameters.fix_variables_to_their_hinted_value = True
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 20
    assert solver.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def test_load_bounds_of_a_routing_not_taken_bind_nothing() -> None:
    """The long routing's lathe step could not start before 50 h, but the short routing
    at the other plant is taken: 5 h, not 51 h."""
    two_ways = Item(
        id="P",
        weight_t=5,
        precision_grade=8,
        routings=(
            Routing(
                id="long",
                operations=(
                    Operation(process="forging", run_per_unit=hours(50)),
                    Operation(process="machining", run_per_unit=hours(1)),
                ),
            ),
            Routing(
                id="short", operations=(Operation(process="machining", run_per_unit=hours(5)),)
            ),
        ),
    )
    network = build_network(
        plants=(
            Plant(
                id="A",
                machines=(build_machine("press", "forging"), build_machine("lathe", "machining")),
            ),
            Plant(id="B", machines=(build_machine("lathe", "machining"),)),
        ),
        items=(two_ways,),
        orders=(build_order("o1", "P", 100),),
    )
    assert _relaxed_makespan(network, with_load_bounds=True) == 5 * HOUR


ONE_SHIFT = Calendar(
    working_days=(0, 1, 2, 3, 4, 5, 6),
    shifts_per_day=1,
    shift_length=timedelta(hours=8),
    first_shift_start=time(6, 0),
)


def test_relaxation_waits_for_working_time() -> None:
    """12 h of work on an 06:00-14:00 calendar, from Tuesday 00:00: 8 h on the first day,
    4 h the next, so it arrives at 34 h; due at 20 h with priority 3, 3 x 14 h late."""
    network = build_network(
        plants=(Plant(id="A", machines=(build_machine("lathe", "machining"),)),),
        items=(build_item("P", ("machining", 12)),),
        orders=(build_order("o1", "P", 20, priority=3),),
        calendar=ONE_SHIFT,
    )
    bounds = relaxation_bounds(compile_problem(network))
    assert bounds.arrival == (34 * HOUR,)
    assert bounds.weighted_tardiness == 3 * 14 * HOUR
    assert bounds.makespan == 34 * HOUR


def test_relaxation_follows_components_and_lanes() -> None:
    """Roll 4 h at A, 3 h on the lane, then 2 h + 1 h at B: the mill arrives at 10 h."""
    network = _roll_at_a_mill_at_b(build_order("o1", "MILL", 6, priority=2))
    bounds = relaxation_bounds(compile_problem(network))
    assert bounds.arrival == (10 * HOUR,)
    assert bounds.weighted_tardiness == 2 * 4 * HOUR


def test_relaxation_makespan_counts_the_load_of_a_machine() -> None:
    """Three 10 h jobs only one lathe can do: each alone arrives at 10 h, all of them
    not before 30 h."""
    network = build_network(
        plants=(Plant(id="A", machines=(build_machine("lathe", "machining"),)),),
        items=(build_item("P", ("machining", 10)),),
        orders=tuple(build_order(f"o{i}", "P", 100) for i in range(3)),
    )
    bounds = relaxation_bounds(compile_problem(network))
    assert bounds.arrival == (10 * HOUR,) * 3
    assert bounds.makespan == 30 * HOUR


def test_the_plan_reports_the_relaxation_bound_when_it_is_stronger() -> None:
    """An order that cannot be on time: the plan's bound says so, and as the plan
    reaches it, the plan is optimal with no gap."""
    network = build_network(
        plants=(Plant(id="A", machines=(build_machine("lathe", "machining"),)),),
        items=(build_item("P", ("machining", 12)),),
        orders=(build_order("o1", "P", 20, priority=3),),
        calendar=ONE_SHIFT,
    )
    result = plan(network, PlanParams(time_limit_s=2, workers=1))
    assert result.tardiness_bound == result.tardiness_hours == 3 * 14
    assert result.gap == 0


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(networks())
def test_relaxation_bounds_every_plan(network: Network) -> None:
    """No order arrives before its relaxed arrival in any plan: the greedy plans, the
    engine's plan; so neither tardiness nor makespan falls below the bounds."""
    validate_network(network)
    problem = compile_problem(network)
    assume(problem.orders)
    bounds = relaxation_bounds(problem)
    for candidate in (first_plan(problem, 0.5), dispatch(problem, 0.5)):
        if candidate is None:
            continue
        values = score(problem, candidate)
        assert all(
            bound <= arrival
            for bound, arrival in zip(bounds.arrival, arrivals(problem, candidate), strict=True)
        )
        assert bounds.weighted_tardiness <= values.weighted_tardiness
        assert bounds.makespan <= values.makespan
    result = plan(network, PlanParams(time_limit_s=1, workers=1))
    if result.schedule is not None and not result.unplanned:
        assert result.tardiness_hours is not None
        assert result.makespan is not None
        assert bounds.weighted_tardiness <= round(result.tardiness_hours * HOUR)
        assert bounds.makespan <= result.makespan // timedelta(minutes=1)
