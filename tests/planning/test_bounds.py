"""Heads, tails and the redundant machine-load bounds built on them."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from ortools.sat.python import cp_model

from tests.conftest import at, build_item, build_machine, build_network, build_order, hours
from tests.strategies import networks
from xiezuo.domain import BomLine, Item, Lane, Network, Operation, Plant, Routing, validate_network
from xiezuo.planning.bounds import heads_and_tails
from xiezuo.planning.compile import compile_problem
from xiezuo.planning.constraints import (
    add_bom_precedence,
    add_deliveries,
    add_load_bounds,
    add_operations,
)
from xiezuo.planning.heuristic import first_plan
from xiezuo.planning.model import add_hints, build_model
from xiezuo.planning.variables import PlacementCache, create_variables

HOUR = 60


def test_heads_and_tails_follow_components_lanes_and_steps() -> None:
    network = build_network(
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
        orders=(build_order("o1", "MILL", 100),),
        lanes=(Lane(origin="A", destination="B", lead_time=hours(3)),),
    )
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
    model, mv = build_model(problem, problem.window_cap)
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
