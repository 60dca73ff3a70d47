"""Orders as the network sees them: groups, ex-works due dates, hard deadlines."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import ROUND_THE_CLOCK, START, at, hours
from tests.strategies import networks
from xiezuo.domain import (
    Item,
    Lane,
    Machine,
    Network,
    Operation,
    Order,
    Plan,
    Plant,
    Progress,
    Routing,
    StepReport,
    StepStatus,
    validate_network,
)
from xiezuo.errors import ModelError
from xiezuo.planning.params import PlanParams
from xiezuo.planning.solve import plan
from xiezuo.planning.validation.audit import audit_plan

if TYPE_CHECKING:
    from datetime import datetime

FAST = PlanParams(time_limit_s=10, workers=2)


def _network(*orders: Order, lead_h: float = 0) -> Network:
    """One lathe (one unit, round the clock); a JOB takes it for 48 h."""
    job = Item(
        id="JOB",
        weight_t=1,
        precision_grade=8,
        routings=(
            Routing(id="main", operations=(Operation(process="turning", run_per_unit=hours(48)),)),
        ),
    )
    lathe = Machine(id="lathe", process="turning", units=1, max_weight_t=5, precision_grade=6)
    network = Network(
        start=START,
        calendar=ROUND_THE_CLOCK,
        processes=("turning",),
        regions=("R",),
        plants=(Plant(id="A", machines=(lathe,)), Plant(id="B", machines=())),
        items=(job,),
        orders=orders,
        lanes=(Lane(origin="A", destination="R", lead_time=hours(lead_h)),),
    )
    validate_network(network)
    return network


def _order(order_id: str, **fields: object) -> Order:
    return Order(id=order_id, region="R", item_id="JOB", **fields)  # type: ignore[arg-type]


def _arrival(result: Plan, order_id: str) -> datetime:
    assert result.schedule is not None
    return next(d.arrival for d in result.schedule.deliveries if d.order_id == order_id)


def _notes(result: Plan, kind: str) -> dict[str, str]:
    return {e.subject: e.message for e in result.explanations if e.kind == kind}


def test_a_group_is_as_late_as_its_last_order_and_counts_once() -> None:
    """Two 2-day jobs on one lathe, both due after 2 days: one is on time, the other
    2 days late. Alone, the heavy order goes first (1 × 48 h); grouped, the group is
    2 days late whichever goes first, counted once with the heavier weight (3 × 48 h),
    not once per order."""
    light, heavy = _order("light", due=at(48)), _order("heavy", due=at(48), priority=3)
    alone = plan(_network(light, heavy), FAST)
    assert alone.tardiness_hours == pytest.approx(48)
    network = _network(replace(light, group="mill"), replace(heavy, group="mill"))
    grouped = plan(network, FAST)
    assert grouped.tardiness_hours == pytest.approx(3 * 48)
    arrivals = sorted(_arrival(grouped, o) for o in ("light", "heavy"))
    assert arrivals == [at(48), at(96)]
    assert audit_plan(network, grouped) == ()


def test_the_validator_counts_a_group_once() -> None:
    """A plan whose figure counts the grouped orders one by one is caught."""
    light, heavy = _order("light", due=at(48)), _order("heavy", due=at(48), priority=3)
    network = _network(replace(light, group="mill"), replace(heavy, group="mill"))
    result = plan(network, FAST)
    per_order = replace(result, tardiness_hours=48.0, tardiness_bound=48.0)
    found = audit_plan(network, per_order)
    assert [v.rule for v in found] == ["figures"]
    assert "states a weighted tardiness of 48 h" in found[0].message
    assert "are 144 priority-weighted hours late" in found[0].message


def test_a_deadline_is_kept_even_when_another_order_pays_for_it() -> None:
    """Without the deadline the heavy order goes first and the light one is 2 days
    late; the light order's deadline forces it first, and the heavy one is late."""
    light, heavy = _order("light", due=at(48)), _order("heavy", due=at(48), priority=5)
    network = _network(replace(light, deadline=at(48)), heavy)
    result = plan(network, FAST)
    assert _arrival(result, "light") <= at(48)
    assert result.tardiness_hours == pytest.approx(5 * 48)
    assert _notes(result, "deadline") == {}
    assert audit_plan(network, result) == ()


def test_an_impossible_deadline_is_reported_with_its_earliest_arrival() -> None:
    """A 2-day job cannot arrive within a day: the plan says so, with the proven
    earliest arrival, and still plans the order."""
    network = _network(_order("rush", deadline=at(24)))
    result = plan(network, FAST)
    assert _arrival(result, "rush") == at(48)
    note = _notes(result, "deadline")["rush"]
    assert note.startswith("deadline impossible: earliest arrival 1958-07-03 00:00")
    assert "after the deadline 1958-07-02 00:00" in note
    assert audit_plan(network, result) == ()


def test_a_missed_deadline_without_a_reason_is_a_violation() -> None:
    """The validator does not take a late arrival past a deadline silently."""
    result = plan(_network(_order("light", due=at(48)), _order("heavy", due=at(96))), FAST)
    light_at = _arrival(result, "light")
    tight = _network(_order("light", due=at(48)), _order("heavy", due=at(96), deadline=light_at))
    found = audit_plan(tight, result)
    assert [(v.rule, v.subject) for v in found] == [("deadline", "order heavy")]


def test_ex_works_lateness_counts_the_later_miss() -> None:
    """Transport takes a day: the job leaves after 2 days and arrives after 3. Due in
    the region after 4 days it is on time there, but due ex works after 1 day it is a
    day late; the two misses are not added up."""
    network = _network(_order("export", due=at(96), due_ex_works=at(24)), lead_h=24)
    result = plan(network, FAST)
    assert result.tardiness_hours == pytest.approx(24)
    assert _notes(result, "late")["export"].startswith(
        "leaves its plant 1.0 d after its ex-works due date"
    )
    assert audit_plan(network, result) == ()
    both = _network(_order("export", due=at(48), due_ex_works=at(24)), lead_h=24)
    assert plan(both, FAST).tardiness_hours == pytest.approx(24)


def test_order_rules_name_the_order() -> None:
    with pytest.raises(ModelError, match="responsible plant 'Z'"):
        _network(_order("o", responsible_plant="Z"))
    with pytest.raises(ModelError, match="deadline must come after the release"):
        _order("o", release=at(10), deadline=at(5))
    assert _network(_order("o", responsible_plant="B")).orders[0].responsible_plant == "B"


@settings(max_examples=25, deadline=None)
@given(networks(with_gangs=True), st.data())
def test_every_plan_with_groups_deadlines_and_ex_works_dates_passes_the_validator(
    network: Network, data: st.DataObject
) -> None:
    """Random groups, ex-works due dates and deadlines (some out of reach): the plan
    keeps each deadline or says why not, and its figures count groups once."""
    day = st.integers(1, 20).map(lambda d: START + timedelta(days=d))
    # A deadline comes after the order's release (releases are within 2 days).
    later_day = st.integers(3, 20).map(lambda d: START + timedelta(days=d))
    orders = tuple(
        replace(
            order,
            group=data.draw(st.none() | st.sampled_from(["G1", "G2"])),
            due_ex_works=data.draw(st.none() | day),
            deadline=data.draw(st.none() | later_day),
        )
        for order in network.orders
    )
    network = replace(network, orders=orders)
    validate_network(network)
    result = plan(network, PlanParams(time_limit_s=2, workers=1))
    assert result.status.has_schedule
    assert audit_plan(network, result) == ()


def test_deadlines_no_plan_can_keep_together_are_declared_with_the_proof() -> None:
    """Each 2-day job alone makes its 2-day deadline, but the lathe makes only one of
    them in time: the solver proves it, and the plan says so for the one it misses."""
    network = _network(_order("a", deadline=at(48)), _order("b", deadline=at(48)))
    result = plan(network, FAST)
    notes = _notes(result, "deadline")
    assert len(notes) == 1
    (missed,) = notes
    assert _arrival(result, missed) == at(96)
    assert notes[missed] == (
        "deadline missed: arrives 1958-07-05 00:00, after the deadline 1958-07-03 00:00; "
        "the solver proved that no plan keeps every deadline"
    )
    assert audit_plan(network, result) == ()


def test_a_replan_counts_a_group_once_when_one_of_its_orders_is_already_made() -> None:
    """Both jobs are due after a day; "a" was made in the first 2 days (a day late),
    "b" can only start at the status date and ends 3 days 2 h late. The group is as
    late as "b", counted once: 74 h, not 74 h + 24 h."""
    network = _network(_order("a", due=at(24), group="pair"), _order("b", due=at(24), group="pair"))
    done = StepReport(
        work_order_id="a:JOB",
        step=1,
        status=StepStatus.DONE,
        plant_id="A",
        machine_id="lathe",
        unit=0,
        start=at(0),
        end=at(48),
    )
    progress = Progress(as_of=at(50), steps=(done,))
    result = plan(network, FAST, progress=progress)
    assert _arrival(result, "b") == at(98)
    assert result.tardiness_hours == pytest.approx(74)
    assert result.tardiness_bound is not None
    assert result.tardiness_bound <= 74
    assert audit_plan(network, result, progress=progress) == ()
