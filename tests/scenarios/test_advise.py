"""xiezuo advise: bottlenecks from the explanations, levers as valid variants, gains measured."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xiezuo.domain import Explanation, Plan, PlanStatus, Schedule
from xiezuo.domain.rules import validate_network
from xiezuo.io.plan_file import read_plan
from xiezuo.io.scenario import load_scenario_spec, network_from_spec
from xiezuo.io.scenario_data import spec_from_data
from xiezuo.io.variant import AddUnits, apply_changes
from xiezuo.planning.params import PlanParams
from xiezuo.planning.solve import plan
from xiezuo.scenarios.advise import (
    Advice,
    Lateness,
    Lever,
    LeverKind,
    LeverOutcome,
    OrderGain,
    advice_record,
    advise,
    find_bottlenecks,
    generate_levers,
)
from xiezuo.scenarios.executor import ExecutorSpec
from xiezuo.scenarios.generate import GeneratorOptions, generate_scenario
from xiezuo.scenarios.significance import Significance

DATA = Path(__file__).parents[1] / "data"
ONE_LATHE = DATA / "advise" / "one-lathe.yaml"
EXAMPLE = Path(__file__).parents[2] / "examples" / "chongqing-1958.yaml"
QUICK = PlanParams(time_limit_s=10, workers=1, seed=0)
USELESS = Lever(
    kind=LeverKind.SHED,
    name="a second mill",
    summary="one more mill at WORKS",
    changes=(AddUnits(change="add_units", plant="WORKS", machine="mill", units=1),),
    cost=500.0,
)


@pytest.fixture(scope="module")
def one_lathe() -> Advice:
    spec = load_scenario_spec(ONE_LATHE)
    return advise(spec, QUICK, ExecutorSpec(jobs=1), source=str(ONE_LATHE), levers=[USELESS])


def test_the_late_order_waits_behind_the_single_lathe(one_lathe: Advice) -> None:
    assert [o.order_id for o in one_lathe.late] == ["SHAFT-B"]
    assert one_lathe.late[0].late_by == timedelta(days=6)
    (bottleneck,) = one_lathe.bottlenecks
    assert bottleneck.label == "WORKS/lathe"
    assert bottleneck.orders == ("SHAFT-B",)
    assert bottleneck.wait_hours == pytest.approx(20 * 24)


def test_a_shed_lathe_puts_the_late_order_on_time(one_lathe: Advice) -> None:
    ((outcome, gain),) = one_lathe.levers_for("SHAFT-B")
    assert outcome.lever.kind is LeverKind.SHED
    assert outcome.lever.name == "shed WORKS/lathe"
    assert gain.saved == timedelta(days=6)
    assert gain.is_on_time_now
    assert one_lathe.base.tardiness_hours == pytest.approx(144)
    assert outcome.tardiness_after == pytest.approx(0)
    assert outcome.significance is Significance.SIGNIFICANT
    assert one_lathe.summary() == (
        "One more unit of WORKS/lathe from 2030-01-21 (a shed, 14 days to build) puts "
        "SHAFT-B on time (weighted tardiness 144 h → 0 h).",
    )


def test_a_unit_off_the_chain_shows_no_gain(one_lathe: Advice) -> None:
    outcome = next(o for o in one_lathe.outcomes if o.lever is USELESS)
    assert outcome.plan is not None
    assert outcome.tardiness_delta == pytest.approx(0)
    assert not outcome.is_significant_gain
    assert [g.saved for g in outcome.gains] == [timedelta(0)]


def test_no_other_lever_fits_a_lathe_that_works_round_the_clock(one_lathe: Advice) -> None:
    """Three shifts, seven days, one lathe in the network: no shift, gang or loan."""
    assert {o.lever.name for o in one_lathe.outcomes} == {"a second mill", "shed WORKS/lathe"}


def test_the_record_holds_each_lever_as_variant_changes(one_lathe: Advice) -> None:
    record = json.loads(json.dumps(advice_record(one_lathe)))
    lever = next(lever for lever in record["levers"] if lever["name"] == "shed WORKS/lathe")
    assert lever["changes"][0]["machine"]["available_from"] == "2030-01-21"
    assert lever["orders"] == [
        {
            "order": "SHAFT-B",
            "late_hours_before": 144.0,
            "late_hours_after": 0.0,
            "saved_hours": 144.0,
            "on_time": True,
        }
    ]
    assert record["late_orders"][0]["order"] == "SHAFT-B"


# -- levers on the example --------------------------------------------------------------


@pytest.fixture(scope="module")
def example_plan() -> Plan:
    return read_plan(DATA / "plans" / "chongqing-1958.json")


def test_every_generated_lever_is_a_valid_variant_of_the_example(example_plan: Plan) -> None:
    spec = load_scenario_spec(EXAMPLE)
    network = network_from_spec(spec, str(EXAMPLE))
    levers = generate_levers(spec, network, example_plan, limit=50)
    assert {lever.kind for lever in levers} >= {LeverKind.SHED, LeverKind.SHIFT}
    earlier = next(lever for lever in levers if lever.kind is LeverKind.EARLIER)
    assert earlier.name == "earlier CAC/heavy-borer"
    rushed, _ = apply_changes(spec, earlier.changes, earlier.name)
    borer = rushed.plant_by_id["CAC"].machine("heavy-borer").available_from
    assert borer is not None
    assert borer.date().isoformat() == "1958-08-04"  # 18 August less two weeks
    for lever in levers:
        changed, lines = apply_changes(spec, lever.changes, lever.name)
        validate_network(changed)
        assert changed != network
        assert len(lines) == len(lever.changes)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=1, max_value=100_000))
def test_levers_on_generated_networks_apply_and_validate(seed: int) -> None:
    spec = spec_from_data(generate_scenario(GeneratorOptions(operations=150, seed=seed)), "gen")
    network = network_from_spec(spec, "gen")
    base = plan(network, PlanParams(time_limit_s=2, workers=1, seed=0))
    levers = generate_levers(spec, network, base, limit=50)
    assert len({lever.name for lever in levers}) == len(levers)
    for lever in levers:
        changed, _ = apply_changes(spec, lever.changes, lever.name)
        validate_network(changed)
        assert changed != network


def test_levers_are_capped_and_named_once(example_plan: Plan) -> None:
    spec = load_scenario_spec(EXAMPLE)
    network = network_from_spec(spec, str(EXAMPLE))
    levers = generate_levers(spec, network, example_plan, limit=3)
    assert len(levers) == 3
    assert len({lever.name for lever in levers}) == 3


def test_waits_for_people_machines_and_service_are_read_from_the_explanations(
    example_plan: Plan,
) -> None:
    network = network_from_spec(load_scenario_spec(EXAMPLE), str(EXAMPLE))
    message = (
        "arrives 3.8 d late; on its critical path it waits for working hours 41.6 d; "
        "for drawings: DRAWINGS-50K from CMT for 5.3 d; for busy machines: CAC/heavy-borer "
        "for 4.5 d behind GZ-EAF-01, SC-MILL-02; CMT/fitting-bay for 0.5 d behind X; for "
        "people: 4 fitter at CAC for 1.0 d behind SC-MILL-02; in transport: CAC → CMT for "
        "1.0 d; for busy machines: NOWHERE/lathe for 9.0 d; for machines to come into "
        "service: CAC/heavy-borer on 1958-08-18 for 36.0 d; for cranes: CMT/fitting-bay "
        "for 9.0 d"
    )
    order = next(o for o in network.orders if o.id == "YN-MILL-03")
    plan = replace(
        example_plan,
        explanations=(Explanation(kind="late", subject=order.id, message=message),),
    )
    machines, crews = find_bottlenecks(network, plan)
    weight = order.priority * 24
    assert [b.label for b in machines] == ["CAC/heavy-borer", "CMT/fitting-bay"]
    assert [b.wait_hours for b in machines] == pytest.approx([40.5 * weight, 0.5 * weight])
    assert [c.label for c in crews] == ["4 fitter at CAC"]
    assert crews[0].wait_hours == pytest.approx(weight)


def test_without_explanations_the_most_loaded_groups_of_late_orders_stand_in(
    example_plan: Plan,
) -> None:
    network = network_from_spec(load_scenario_spec(EXAMPLE), str(EXAMPLE))
    machines, crews = find_bottlenecks(network, replace(example_plan, explanations=()))
    assert machines
    assert crews == ()
    assert all(b.wait_hours == 0 for b in machines)


# -- loans, known by hand ------------------------------------------------------------------


def _advise(path: Path) -> Advice:
    return advise(load_scenario_spec(path), QUICK, ExecutorSpec(jobs=1), source=str(path))


def test_a_lathe_lent_by_an_idle_plant_puts_the_late_order_on_time() -> None:
    path = DATA / "advise" / "loan.yaml"
    advice = _advise(path)
    loan = next(o for o in advice.outcomes if o.lever.kind is LeverKind.MACHINE_LOAN)
    assert loan.lever.name == "loan SPARE/big-lathes to WORKS"
    assert loan.is_significant_gain
    assert [g.is_on_time_now for g in loan.gains] == [True]
    spec = load_scenario_spec(path)
    lent, _ = apply_changes(spec, loan.lever.changes, "loan")
    works, spare = lent.plant_by_id["WORKS"], lent.plant_by_id["SPARE"]
    assert spare.machine("big-lathes").units == 1
    arrived = works.machine("big-lathes-from-SPARE")
    assert arrived.units == 1
    # One day on the lane and two to take the lathe down and set it up again.
    assert arrived.available_from == lent.start + timedelta(days=3)


def test_a_turner_lent_fixes_a_wait_for_people_that_a_shed_lathe_cannot() -> None:
    advice = _advise(DATA / "advise" / "turners.yaml")
    assert [c.label for c in advice.crews] == ["1 turner at WORKS"]
    by_kind = {o.lever.kind: o for o in advice.outcomes}
    people = by_kind[LeverKind.PEOPLE_LOAN]
    assert people.lever.name == "lend turner SPARE to WORKS"
    assert people.is_significant_gain
    assert [g.saved for g in people.gains] == [timedelta(days=6)]
    shed = by_kind[LeverKind.SHED]
    assert shed.tardiness_delta == pytest.approx(0)
    assert [o.lever.name for o, _ in advice.levers_for("SHAFT-B")] == [people.lever.name]


# -- reading the outcomes -------------------------------------------------------------------


def _lateness(order_id: str, late_days: float | None) -> Lateness:
    due = datetime(2030, 2, 10, tzinfo=UTC)
    arrival = None if late_days is None else due + timedelta(days=late_days)
    return Lateness(order_id=order_id, priority=1, due=due, arrival=arrival)


def test_a_lever_that_plans_an_order_left_out_comes_first_and_is_said() -> None:
    left_out, late = _lateness("LEFT-OUT", None), _lateness("LATE", 4)
    gains = (
        OrderGain(before=left_out, after=_lateness("LEFT-OUT", 2)),
        OrderGain(before=late, after=_lateness("LATE", 1)),
    )
    empty = Schedule(work_orders=(), operations=(), shipments=(), deliveries=())
    base = Plan(status=PlanStatus.OPTIMAL, schedule=empty, tardiness_hours=500, tardiness_bound=500)
    after = replace(base, tardiness_hours=200, tardiness_bound=200)
    outcome = LeverOutcome(
        lever=USELESS,
        plan=after,
        tardiness_delta=-300,
        noise=0,
        significance=Significance.SIGNIFICANT,
        gains=gains,
    )
    advice = Advice(
        base=base,
        late=(left_out, late),
        bottlenecks=(),
        crews=(),
        outcomes=(outcome,),
        params=QUICK,
    )
    assert [gain.before.order_id for _, gain in advice.levers_for("LEFT-OUT")] == ["LEFT-OUT"]
    assert gains[0].is_now_planned
    assert gains[0].saved is None
    assert advice.summary() == (
        "One more mill at WORKS plans LEFT-OUT, left out before and saves LATE 3.0 days "
        "(weighted tardiness 500 h → 200 h).",
    )


def test_levers_solved_in_two_processes_measure_what_they_measure_here(
    one_lathe: Advice,
) -> None:
    spec = load_scenario_spec(ONE_LATHE)
    pooled = advise(spec, QUICK, ExecutorSpec(jobs=2), source=str(ONE_LATHE), levers=[USELESS])
    assert [(o.lever.name, o.tardiness_after) for o in pooled.outcomes] == [
        (o.lever.name, o.tardiness_after) for o in one_lathe.outcomes
    ]
