"""Generated networks: valid, makeable, of the size asked for, the same for a seed, plannable."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xiezuo.domain import Network, find_issues
from xiezuo.domain.explosion import explode_orders
from xiezuo.errors import InputError
from xiezuo.io import parse_scenario
from xiezuo.io.scenario_data import dump_scenario
from xiezuo.planning.params import PlanParams
from xiezuo.planning.solve import plan
from xiezuo.planning.validation.audit import audit_plan
from xiezuo.scenarios.generate import (
    MAX_OPERATIONS,
    MIN_OPERATIONS,
    GeneratorOptions,
    MaterialLevel,
    generate_scenario,
)

options = st.builds(
    GeneratorOptions,
    operations=st.integers(MIN_OPERATIONS, 600),
    plants=st.none() | st.integers(1, 9),
    materials=st.sampled_from(MaterialLevel),
    seed=st.integers(0, 2**31 - 1),
)


def load(data: object, fmt: str = "json") -> Network:
    return parse_scenario(dump_scenario(data, fmt), "generated", fmt)


def operation_count(network: Network) -> int:
    return sum(
        len(network.item_by_id[wo.item_id].routings[0].operations) for wo in explode_orders(network)
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(options)
def test_a_generated_network_loads_and_every_order_can_be_made(chosen: GeneratorOptions) -> None:
    network = load(generate_scenario(chosen))
    assert find_issues(network) == ()
    if chosen.plants is not None:
        assert len(network.plants) == chosen.plants


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(options)
def test_a_generated_network_has_exactly_the_operations_asked_for(
    chosen: GeneratorOptions,
) -> None:
    network = load(generate_scenario(chosen))
    assert operation_count(network) == chosen.operations
    # Every routing of an item has as many steps as its first, so the count holds
    # whichever routings a plan picks.
    for item in network.items:
        assert len({len(r.operations) for r in item.routings}) == 1


@settings(max_examples=20, deadline=None)
@given(options)
def test_the_same_options_give_the_same_network(chosen: GeneratorOptions) -> None:
    assert dump_scenario(generate_scenario(chosen), "json") == dump_scenario(
        generate_scenario(chosen), "json"
    )


def test_seeds_give_different_networks() -> None:
    first, second = (
        generate_scenario(GeneratorOptions(operations=300, seed=seed)) for seed in (1, 2)
    )
    assert first != second


def test_a_network_reads_the_same_from_yaml_and_json() -> None:
    data = generate_scenario(GeneratorOptions(operations=400, materials=MaterialLevel.HEAVY))
    assert load(data, "yaml") == load(data, "json")


def test_a_larger_network_has_every_feature_a_planner_meets() -> None:
    network = load(
        generate_scenario(GeneratorOptions(operations=5000, materials=MaterialLevel.HEAVY, seed=3))
    )
    items = network.items
    assert {p.id[:2] for p in network.plants} == {"AS", "FG", "FD", "MC", "GW"}
    assert any(len(i.routings) > 1 for i in items), "alternative routings"
    assert any(line.is_design for i in items for line in i.bom), "design work"
    component_uses: dict[str, int] = {}
    for item in items:
        for line in item.bom:
            component_uses[line.item_id] = component_uses.get(line.item_id, 0) + 1
    assert max(component_uses.values()) > 1, "a part shared between assemblies"
    assert network.stock
    assert network.supplies
    assert network.staffing
    assert len({o.region for o in network.orders}) >= 3
    assert any(o.plant_id is not None for o in network.orders), "a pinned order"
    holidays = [p.calendar.holidays for p in network.plants if p.calendar is not None]
    assert any(holidays), "holidays"


def test_heavy_materials_are_short_at_the_start_and_enough_with_the_receipts() -> None:
    network = load(
        generate_scenario(GeneratorOptions(operations=3000, materials=MaterialLevel.HEAVY, seed=5))
    )
    need: dict[str, int] = {}
    for wo in explode_orders(network):
        for line in network.item_by_id[wo.item_id].materials:
            need[line.material_id] = need.get(line.material_id, 0) + wo.quantity * line.quantity
    stock = {m: sum(s.quantity for s in network.stock if s.material_id == m) for m in need}
    supplied = {m: sum(s.quantity for s in network.supplies if s.material_id == m) for m in need}
    assert all(stock[m] < need[m] <= stock[m] + supplied[m] for m in need)


@pytest.mark.parametrize(
    ("operations", "plants", "problem"),
    [
        (MIN_OPERATIONS - 1, None, "--ops"),
        (MAX_OPERATIONS + 1, None, "--ops"),
        (100, 0, "--plants"),
    ],
)
def test_options_out_of_range_are_refused(
    operations: int, plants: int | None, problem: str
) -> None:
    with pytest.raises(InputError, match=problem):
        GeneratorOptions(operations=operations, plants=plants)


@pytest.mark.parametrize(
    ("seed", "materials"),
    [(1, MaterialLevel.NONE), (2, MaterialLevel.LIGHT), (3, MaterialLevel.HEAVY)],
)
def test_the_engines_plan_for_a_generated_network_passes_the_validator(
    seed: int, materials: MaterialLevel
) -> None:
    network = load(
        generate_scenario(GeneratorOptions(operations=120, materials=materials, seed=seed))
    )
    result = plan(network, PlanParams(time_limit_s=3, workers=1, seed=seed))
    assert result.schedule is not None
    assert not result.unplanned
    assert audit_plan(network, result) == ()
