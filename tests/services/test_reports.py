"""The plan summary a planner reads: orders with their plants, plants with their load."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import ROUND_THE_CLOCK, START, at, hours
from xiezuo.domain import Item, Lane, Machine, Network, Operation, Order, Plant, Routing
from xiezuo.domain.levers import PulledLever
from xiezuo.io import load_scenario
from xiezuo.planning.params import PlanParams
from xiezuo.planning.solve import plan
from xiezuo.services.reports import OrderLine, order_lines, plant_lines


def _network() -> Network:
    lathe = Machine(id="lathe", process="machining", units=2, max_weight_t=5, precision_grade=6)
    return Network(
        start=START,
        calendar=ROUND_THE_CLOCK,
        processes=("machining",),
        regions=("R",),
        plants=(Plant(id="A", machines=(lathe,)),),
        items=(
            Item(
                id="P",
                weight_t=1,
                precision_grade=8,
                routings=(
                    Routing(
                        id="main",
                        operations=(Operation(process="machining", run_per_unit=hours(12)),),
                    ),
                ),
            ),
        ),
        orders=(
            Order(id="late", region="R", item_id="P", quantity=2, due=at(12)),
            Order(id="early", region="R", item_id="P", due=at(100)),
        ),
        lanes=(Lane(origin="A", destination="R", lead_time=timedelta(0)),),
    )


def test_order_lines_are_sorted_by_due_date_and_flag_lateness() -> None:
    network = _network()
    lines = order_lines(network, plan(network, PlanParams(time_limit_s=5)))
    assert [line.order_id for line in lines] == ["late", "early"]
    assert [line.is_late for line in lines] == [True, False]
    assert lines[0].plants == ("A",)
    assert lines[0].item_id == "P"


def test_an_order_the_plan_leaves_out_has_a_line_without_delivery() -> None:
    network = _network()
    heavy = replace(network.items[0], id="HEAVY", weight_t=50)  # no lathe takes it
    network = replace(
        network,
        items=(*network.items, heavy),
        orders=(*network.orders, Order(id="heavy", region="R", item_id="HEAVY", due=at(50))),
    )
    result = plan(network, PlanParams(time_limit_s=5))
    assert result.unplanned_orders == ("heavy",)
    lines = order_lines(network, result)
    assert [line.order_id for line in lines] == ["late", "heavy", "early"]
    (heavy_line,) = (line for line in lines if line.order_id == "heavy")
    assert (heavy_line.delivery, heavy_line.plants, heavy_line.is_late) == (None, (), False)
    assert heavy_line.record()["planned"] is False


def test_record_gives_iso_instants_with_offset_and_lateness_in_hours() -> None:
    network = _network()
    (late, _) = order_lines(network, plan(network, PlanParams(time_limit_s=5)))
    record = late.record()
    assert tuple(record) == OrderLine.RECORD_FIELDS
    assert record["due"] == at(12).isoformat()
    assert late.delivery is not None
    assert record["arrival"] == late.delivery.arrival.isoformat()
    assert record["lateness_hours"] == pytest.approx((late.delivery.arrival - at(12)) / hours(1))
    assert (record["order"], record["plants"], record["late"]) == ("late", ["A"], True)


def test_plant_load_is_work_over_unit_hours_until_the_last_operation() -> None:
    network = _network()
    (line,) = plant_lines(network, plan(network, PlanParams(time_limit_s=5)))
    # 24 h and 12 h of work on two units over the 24 h until the last operation ends.
    assert line.work_hours == pytest.approx(36)
    assert line.capacity_hours == pytest.approx(48)
    assert line.busiest is not None
    assert line.busiest.machine_id == "lathe"
    assert line.utilisation == pytest.approx(0.75)


def test_a_ganged_step_loads_every_unit_it_holds() -> None:
    """A step on two units at once takes two units' hours of the group's capacity."""
    network = _network()
    result = plan(network, PlanParams(time_limit_s=5))
    assert result.schedule is not None
    first, *rest = result.schedule.operations
    ganged = replace(first, units=(0, 1))
    schedule = replace(result.schedule, operations=(ganged, *rest))
    (alone,) = plant_lines(network, result)
    (together,) = plant_lines(network, replace(result, schedule=schedule))
    assert together.work_hours - alone.work_hours == pytest.approx(first.work / timedelta(hours=1))


def test_a_shed_the_plan_does_not_pull_adds_no_capacity() -> None:
    """The shed lathe counts in a plant's capacity only in a plan that pulls its lever
    (this scenario's budget leaves it unpulled)."""
    network = load_scenario(Path(__file__).parents[1] / "data" / "advise" / "shed-lever.yaml")
    result = plan(network, PlanParams(time_limit_s=10, workers=1))
    assert result.schedule is not None
    assert result.schedule.levers == ()
    (shed,) = network.levers
    pulled = replace(result, schedule=replace(result.schedule, levers=(PulledLever.of(shed),)))
    (without,) = plant_lines(network, result)
    (with_shed,) = plant_lines(network, pulled)
    assert with_shed.capacity_hours > without.capacity_hours
