"""Why a plan's late orders are late."""

from __future__ import annotations

from dataclasses import replace
from datetime import time, timedelta

from tests.conftest import (
    ROUND_THE_CLOCK,
    START,
    at,
    build_crewed_part,
    build_item,
    build_machine,
    build_network,
    build_order,
    hours,
)
from xiezuo.domain import (
    BomLine,
    Calendar,
    CrewNeed,
    Item,
    Lane,
    Network,
    Operation,
    Order,
    Plant,
    Routing,
    Staffing,
    validate_network,
)
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


def _staffed(
    plants: tuple[Plant, ...],
    items: tuple[Item, ...],
    orders: tuple[Order, ...],
    staffing: Staffing,
    lanes: tuple[Lane, ...] = (),
) -> Network:
    """A round-the-clock network whose plants hold ``staffing``'s people."""
    network = Network(
        start=START,
        calendar=ROUND_THE_CLOCK,
        processes=("machining", "assembly"),
        regions=("R",),
        plants=plants,
        items=items,
        orders=orders,
        lanes=lanes + tuple(Lane(origin=p.id, destination="R", lead_time=hours(0)) for p in plants),
        skills=(staffing.skill,),
        staffing=(staffing,),
    )
    validate_network(network)
    return network


def _late_note(network: Network, subject: str | None = None) -> str:
    result = plan(network, PlanParams(time_limit_s=10, workers=1))
    notes = [e for e in result.explanations if e.kind == "late"]
    if subject is not None:
        notes = [e for e in notes if e.subject == subject]
    (note,) = notes
    return note.message


def test_a_wait_for_a_crew_names_the_skill_the_plant_and_who_holds_the_people() -> None:
    """Two lathes, one turner: the second part waits 10 h for the turner, not a machine."""
    network = _staffed(
        plants=(Plant(id="A", machines=(build_machine("lathe", "machining", units=2),)),),
        items=(build_crewed_part("P", 10, "turner", 1),),
        orders=(build_order("o1", "P", 10, priority=5), build_order("o2", "P", 10)),
        staffing=Staffing(plant_id="A", skill="turner", headcount=1),
    )
    message = _late_note(network)
    assert "for people: 1 turner at A for 0.4 d behind o1" in message
    assert "busy machines" not in message


def test_a_wait_for_drawings_names_the_design_and_its_transport() -> None:
    """The drawings take 30 h at B and a day to reach A; the parts below need 5 h: the mill
    waits for drawings, then for their transport."""
    drawings = Item(
        id="DRAWINGS",
        weight_t=1,
        precision_grade=8,
        routings=(
            Routing(
                id="main",
                operations=(
                    Operation(
                        process=None,
                        run_per_unit=hours(30),
                        crew=(CrewNeed(skill="draughtsman", size=1),),
                    ),
                ),
            ),
        ),
    )
    network = _staffed(
        plants=(Plant(id="A", machines=(build_machine("bay", "assembly"),)), Plant(id="B")),
        items=(
            drawings,
            build_item(
                "MILL",
                ("assembly", 5),
                bom=(BomLine(item_id="DRAWINGS", quantity=1, is_design=True),),
            ),
        ),
        orders=(build_order("o1", "MILL", 20),),
        staffing=Staffing(plant_id="B", skill="draughtsman", headcount=1),
        lanes=(Lane(origin="B", destination="A", lead_time=hours(24)),),
    )
    message = _late_note(network)
    assert "for drawings: DRAWINGS from B for 2.2 d" in message
    assert "in transport: B → A for 1.0 d" in message


def test_a_wait_for_a_busy_machine_names_the_unit_and_the_order_ahead() -> None:
    network = build_network(
        plants=(Plant(id="A", machines=(build_machine("lathe", "machining"),)),),
        items=(build_item("P", ("machining", 12)),),
        orders=(build_order("o1", "P", 12, priority=5), build_order("o2", "P", 12)),
    )
    message = _late_note(network, "o2")
    assert "for busy machines: A/lathe for 0.5 d behind o1" in message


def test_a_wait_for_a_machine_not_yet_in_service_names_the_date() -> None:
    """The only lathe comes into service two days in: the part waits for it, not for a busy
    machine or for working hours."""
    lathe = replace(build_machine("lathe", "machining"), available_from=at(48))
    network = build_network(
        plants=(Plant(id="A", machines=(lathe,)),),
        items=(build_item("P", ("machining", 12)),),
        orders=(build_order("o1", "P", 12),),
    )
    message = _late_note(network)
    assert "for machines to come into service: A/lathe on 1958-07-03 for 2.0 d" in message
    assert "busy machines" not in message
