"""Reports read a ganged operation as work on each unit it holds, by each crew it needs."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import ROUND_THE_CLOCK, START, at, hours
from xiezuo.domain import (
    CrewNeed,
    Gang,
    Item,
    Lane,
    Machine,
    Network,
    Operation,
    Order,
    Plant,
    Routing,
    Staffing,
)
from xiezuo.planning.params import PlanParams
from xiezuo.planning.solve import plan
from xiezuo.services.reports import plant_lines
from xiezuo.services.staff import staff_report


def _ganged() -> Network:
    """A 10 h step that two lathes, with two turners each, finish in 5 h."""
    step = Operation(
        process="turning",
        run_per_unit=hours(10),
        gang=Gang(max_units=2),
        crew=(CrewNeed(skill="turner", size=2),),
    )
    return Network(
        start=START,
        calendar=ROUND_THE_CLOCK,
        processes=("turning",),
        regions=("R",),
        plants=(
            Plant(
                id="A",
                machines=(
                    Machine(
                        id="lathe", process="turning", units=2, max_weight_t=5, precision_grade=6
                    ),
                ),
            ),
        ),
        items=(
            Item(
                id="P",
                weight_t=1,
                precision_grade=8,
                routings=(Routing(id="m", operations=(step,)),),
            ),
        ),
        orders=(Order(id="o", region="R", item_id="P", due=at(5)),),
        lanes=(Lane(origin="A", destination="R", lead_time=timedelta(0)),),
        skills=("turner",),
        staffing=(Staffing(plant_id="A", skill="turner", headcount=4),),
    )


def test_a_gang_loads_every_unit_and_books_every_crew() -> None:
    network = _ganged()
    result = plan(network, PlanParams(time_limit_s=5, workers=1))
    assert result.schedule is not None
    assert [op.gang for op in result.schedule.operations] == [2]
    (line,) = plant_lines(network, result)
    assert line.work_hours == 10.0  # 5 h on each of two lathes
    (turners,) = staff_report(network, result).lines
    assert turners.peak_load == 4
    assert turners.booked_hours == 20.0
