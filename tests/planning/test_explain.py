"""Why a plan's late orders are late."""

from __future__ import annotations

from datetime import time, timedelta

from tests.conftest import build_item, build_machine, build_network, build_order
from xiezuo.domain import Calendar, Plant
from xiezuo.planning.params import PlanParams
from xiezuo.planning.solve import plan

DAY_SHIFT = Calendar(
    working_days=(0, 1, 2, 3, 4, 5, 6),
    shifts_per_day=1,
    shift_length=timedelta(hours=8),
    first_shift_start=time(6, 0),
)


def test_an_order_late_even_alone_is_explained_by_its_proven_earliest_arrival() -> None:
    """12 h of work on a day shift cannot arrive before 34 h: 14 h (0.6 d) after its due."""
    network = build_network(
        plants=(Plant(id="A", machines=(build_machine("lathe", "machining"),)),),
        items=(build_item("P", ("machining", 12)),),
        orders=(build_order("o1", "P", 20),),
        calendar=DAY_SHIFT,
    )
    result = plan(network, PlanParams(time_limit_s=2, workers=1))
    (note,) = [e for e in result.explanations if e.kind == "late"]
    assert "even with every machine free it could not arrive before 0.6 d" in note.message
