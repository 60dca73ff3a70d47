"""The crew rule at the instant people leave: work held over [start, end)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from tests.conftest import ROUND_THE_CLOCK, START, at, build_crewed_part, build_machine, build_order
from xiezuo.domain import (
    Lane,
    Network,
    Plant,
    Schedule,
    Secondment,
    Staffing,
    validate_network,
)
from xiezuo.planning.params import PlanParams
from xiezuo.planning.solve import plan
from xiezuo.planning.validation.audit import validate_plan


def turned_part_network() -> Network:
    """Two 1 h turning jobs, two turners, both seconded for good after the first hour."""
    part = build_crewed_part("PART", 1, "turner", 1)
    plant = Plant(
        id="P0",
        machines=(build_machine("lathe-a", "machining"), build_machine("lathe-b", "machining")),
    )
    network = Network(
        start=START,
        calendar=ROUND_THE_CLOCK,
        processes=("machining",),
        regions=("R",),
        plants=(plant,),
        items=(part,),
        orders=(build_order("O1", "PART", 24), build_order("O2", "PART", 24)),
        lanes=(Lane(origin="P0", destination="R", lead_time=timedelta(0)),),
        skills=("turner",),
        staffing=(Staffing(plant_id="P0", skill="turner", headcount=2),),
        secondments=(Secondment(plant_id="P0", skill="turner", count=2, start=at(1)),),
    )
    validate_network(network)
    return network


def test_crews_that_finish_as_their_people_leave_are_within_capacity() -> None:
    network = turned_part_network()
    result = plan(network, PlanParams(time_limit_s=2, workers=1))
    assert result.schedule is not None
    assert {op.end for op in result.schedule.operations} == {at(1)}
    assert validate_plan(network, result.schedule) == ()


def test_a_crew_that_starts_as_its_people_leave_is_refused() -> None:
    network = turned_part_network()
    result = plan(network, PlanParams(time_limit_s=2, workers=1))
    assert result.schedule is not None
    late = result.schedule.operations[0]
    moved = replace(late, start=at(1), end=at(2))
    schedule: Schedule = replace(
        result.schedule,
        operations=(moved, *result.schedule.operations[1:]),
    )
    rules = {v.rule for v in validate_plan(network, schedule)}
    assert "crew" in rules
