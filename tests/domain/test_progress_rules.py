"""Progress against its network: each broken rule is found at its record, in words."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from tests.conftest import ROUND_THE_CLOCK, START, at, hours
from xiezuo.domain import (
    BomLine,
    CrewNeed,
    FinishedWorkOrder,
    Item,
    ItemKind,
    Lane,
    Machine,
    MachineDown,
    Material,
    Network,
    Operation,
    Order,
    PartStock,
    Plan,
    PlanStatus,
    Plant,
    Progress,
    ProgressProblem,
    Receipt,
    Routing,
    Schedule,
    Secondment,
    Staffing,
    StepReport,
    StepStatus,
    StockCount,
    WorkOrderAssignment,
    check_progress,
    explode_orders,
    routing_of,
    validate_network,
)
from xiezuo.errors import ModelError

DONE, STARTED = StepStatus.DONE, StepStatus.STARTED
SHAFT_WO = "O1:PUMP/SHAFT"  # 2 shafts for the pump, made at A (or B's big lathe)
DESIGN_WO = "O1:PUMP/DESIGN"  # the pump's drawings: gates the shafts
PUMP_WO = "O1:PUMP"  # assembled at B
SPARES_WO = "O2:SHAFT"  # 3 spare shafts, pinned to plant A


def _machine(machine_id: str, process: str, units: int = 1, max_t: float = 50) -> Machine:
    return Machine(
        id=machine_id, process=process, units=units, max_weight_t=max_t, precision_grade=6
    )


def _network() -> Network:
    machining = Operation(process="machining", setup=hours(1), run_per_unit=hours(2))
    shaft = Item(
        id="SHAFT",
        weight_t=8,
        precision_grade=6,
        routings=(
            Routing(
                id="forged",
                operations=(Operation(process="forging", run_per_unit=hours(4)), machining),
            ),
            Routing(id="turned", operations=(replace(machining, run_per_unit=hours(3)),)),
            Routing(
                id="long",
                operations=(
                    Operation(process="forging", run_per_unit=hours(4)),
                    machining,
                    machining,
                ),
            ),
        ),
    )
    design = Item(
        id="DESIGN",
        weight_t=0.1,
        precision_grade=12,
        routings=(
            Routing(
                id="main",
                operations=(
                    Operation(
                        process=None,
                        run_per_unit=hours(8),
                        crew=(CrewNeed(skill="draughtsman", size=1),),
                    ),
                ),
            ),
        ),
    )
    pump = Item(
        id="PUMP",
        kind=ItemKind.PRODUCT,
        weight_t=20,
        precision_grade=9,
        bom=(
            BomLine(item_id="SHAFT", quantity=2),
            BomLine(item_id="DESIGN", quantity=1, is_design=True),
        ),
        routings=(
            Routing(id="main", operations=(Operation(process="assembly", run_per_unit=hours(10)),)),
        ),
    )
    network = Network(
        start=START,
        calendar=ROUND_THE_CLOCK,
        processes=("forging", "machining", "assembly"),
        regions=("R",),
        plants=(
            Plant(
                id="A",
                machines=(_machine("press", "forging"), _machine("lathes", "machining", units=2)),
            ),
            Plant(
                id="B",
                machines=(
                    _machine("lathe", "machining", max_t=5),
                    _machine("big-lathe", "machining"),
                    _machine("bay", "assembly"),
                ),
            ),
            Plant(id="C", machines=(_machine("press", "forging"),)),
        ),
        items=(shaft, design, pump),
        orders=(
            Order(id="O1", region="R", item_id="PUMP"),
            Order(id="O2", region="R", item_id="SHAFT", quantity=3, plant_id="A"),
        ),
        lanes=(
            Lane(origin="A", destination="B", lead_time=timedelta(days=1)),
            Lane(origin="B", destination="A", lead_time=timedelta(days=1)),
            Lane(origin="C", destination="A", lead_time=timedelta(days=1)),
            Lane(origin="C", destination="B", lead_time=timedelta(days=1)),
            *(Lane(origin=p, destination="R", lead_time=timedelta(0)) for p in "ABC"),
        ),
        materials=(Material(id="steel", unit="t"),),
        skills=("draughtsman",),
        staffing=(
            Staffing(plant_id="A", skill="draughtsman", headcount=2),
            Staffing(plant_id="B", skill="draughtsman", headcount=1),
        ),
    )
    validate_network(network)
    return network


NETWORK = _network()
AS_OF = at(48)


def step(
    work_order: str,
    n: int,
    status: StepStatus,
    plant: str,
    machine: str | None,
    start_h: float,
    end_h: float | None = None,
    **kw: object,
) -> StepReport:
    return StepReport(
        work_order_id=work_order,
        step=n,
        status=status,
        plant_id=plant,
        machine_id=machine,
        start=at(start_h),
        end=None if end_h is None else at(end_h),
        **kw,  # type: ignore[arg-type]
    )


def check(
    as_of: datetime = AS_OF, previous: Plan | None = None, **records: object
) -> tuple[ProgressProblem, ...]:
    return check_progress(NETWORK, Progress(as_of=as_of, **records), previous)  # type: ignore[arg-type]


def only(problems: tuple[ProgressProblem, ...]) -> ProgressProblem:
    assert len(problems) == 1, problems
    return problems[0]


def _finished(work_order: str, plant: str, h: float) -> FinishedWorkOrder:
    return FinishedWorkOrder(work_order_id=work_order, plant_id=plant, finished=at(h))


DESIGN_DONE = _finished(DESIGN_WO, "B", 0)  # at A a day later


# The spare shafts forged (3 x 4 h) and half turned on A: a consistent story.
SPARES_FORGED = step(SPARES_WO, 1, DONE, "A", "press", 0, 12)
SPARES_TURNING = step(SPARES_WO, 2, STARTED, "A", "lathes", 12, quantity_done=1)


def test_a_consistent_progress_has_no_problems() -> None:
    design = step(DESIGN_WO, 1, DONE, "B", None, 0, 8)  # reaches A a day later
    shafts = step(SHAFT_WO, 1, DONE, "A", "lathes", 32, 39, unit=1)  # turned
    assert (
        check(
            steps=(SPARES_FORGED, SPARES_TURNING, design, shafts),
            parts=(PartStock(plant_id="A", item_id="SHAFT", quantity=2),),
            counts=(StockCount(plant_id="A", material_id="steel", quantity=5),),
            receipts=(Receipt(plant_id="A", material_id="steel", quantity=3, arrived=at(30)),),
            down=(MachineDown(plant_id="A", machine_id="lathes", units=1, start=at(40)),),
        )
        == ()
    )


def test_an_empty_progress_at_the_network_start_is_fine() -> None:
    assert check(as_of=START) == ()


@pytest.mark.parametrize(
    ("as_of", "words"), [(at(-1), "before the network starts"), (at(24 * 3654), "ten years")]
)
def test_status_date_outside_the_horizon_is_refused(as_of: datetime, words: str) -> None:
    problem = only(check(as_of=as_of))
    assert problem.path == ("as_of",)
    assert words in problem.message


def test_instants_without_a_zone_are_refused() -> None:
    """On creation: a naive instant beside a zoned one could not even be compared."""
    with pytest.raises(ModelError, match="time zone"):
        replace(SPARES_TURNING, start=SPARES_TURNING.start.replace(tzinfo=None))


# -- references ---------------------------------------------------------------------


def test_unknown_work_order_suggests_the_close_one_of_its_order() -> None:
    problem = only(check(steps=(step("O1:PUMP/SHAFTS", 1, DONE, "A", "press", 0, 4),)))
    assert problem.path == ("steps", 0, "work_order_id")
    assert "unknown work order 'O1:PUMP/SHAFTS'; did you mean 'O1:PUMP/SHAFT'?" in problem.message


def test_unknown_order_in_a_work_order_suggests_an_end_product() -> None:
    problem = only(check(steps=(step("O3:PUMP", 1, DONE, "B", "bay", 0, 10),)))
    assert "did you mean 'O1:PUMP'?" in problem.message


def test_unknown_plant_is_refused() -> None:
    problem = only(check(steps=(step(SPARES_WO, 1, DONE, "AA", "press", 0, 12),)))
    assert problem.path == ("steps", 0, "plant_id")
    assert "unknown plant 'AA'; did you mean 'A'?" in problem.message


def test_unknown_machine_group_of_the_plant_is_refused() -> None:
    problem = only(check(steps=(step(SPARES_WO, 2, STARTED, "A", "lathe", 12),)))
    assert problem.path == ("steps", 0, "machine_id")
    assert "plant 'A' has no machine group 'lathe'; did you mean 'lathes'?" in problem.message


def test_unit_beyond_the_group_is_refused() -> None:
    problem = only(check(steps=(SPARES_FORGED, replace(SPARES_TURNING, unit=2))))
    assert problem.path == ("steps", 1, "unit")
    assert "has 2 units, numbered from 0 to 1" in problem.message


def test_step_on_a_machine_group_before_it_comes_into_service_is_refused() -> None:
    lathes = NETWORK.plant_by_id["A"].machine("lathes")
    network = replace(
        NETWORK,
        plants=(
            replace(
                NETWORK.plant_by_id["A"],
                machines=(
                    NETWORK.plant_by_id["A"].machine("press"),
                    replace(lathes, available_from=at(20), available_until=at(40)),
                ),
            ),
            *NETWORK.plants[1:],
        ),
    )
    early = check_progress(network, Progress(as_of=AS_OF, steps=(SPARES_FORGED, SPARES_TURNING)))
    assert only(early).path == ("steps", 1, "start")
    assert "'lathes' at 'A', which comes into service only at 1958-07-01 20:00" in (
        only(early).message
    )
    done = step(SPARES_WO, 2, DONE, "A", "lathes", 30, 45)
    late = check_progress(network, Progress(as_of=AS_OF, steps=(SPARES_FORGED, done)))
    assert only(late).path == ("steps", 1, "end")
    assert "the group leaves service at 1958-07-02 16:00" in only(late).message


# -- routings -----------------------------------------------------------------------


def test_step_beyond_the_only_routing_is_refused() -> None:
    problem = only(check(steps=(step(PUMP_WO, 2, DONE, "B", "bay", 0, 10),)))
    assert problem.path == ("steps", 0, "step")
    assert problem.message == "step 2 of 'O1:PUMP' does not fit: routing 'main' has 1 step"


def test_machine_of_another_process_is_refused() -> None:
    problem = only(check(steps=(step(PUMP_WO, 1, DONE, "B", "big-lathe", 0, 10),)))
    assert problem.path == ("steps", 0, "machine_id")
    assert "is assembly work, but 'big-lathe' at 'B' does machining" in problem.message


def test_step_fitting_no_routing_gives_the_reason_for_each() -> None:
    problem = only(check(steps=(step(SHAFT_WO, 1, DONE, "B", "lathe", 30, 40),)))
    assert problem.path == ("steps", 0, "machine_id")
    assert "fits no routing of item 'SHAFT'" in problem.message
    assert "routing 'forged' is forging work, but 'lathe' at 'B' does machining" in problem.message
    assert "'lathe' at 'B' cannot take step 1 of routing 'turned': it needs 8 t" in problem.message


def test_engineering_step_with_a_machine_is_refused() -> None:
    problem = only(check(steps=(step(DESIGN_WO, 1, DONE, "B", "big-lathe", 0, 8),)))
    assert problem.path == ("steps", 0, "machine_id")
    assert "engineering work" in problem.message
    assert "leave the machine out" in problem.message


def test_machine_step_without_a_machine_is_refused() -> None:
    problem = only(check(steps=(step(PUMP_WO, 1, DONE, "B", None, 0, 10),)))
    assert problem.path == ("steps", 0, "machine_id")
    assert "needs its machine group named" in problem.message


def test_steps_fitting_different_routings_are_refused() -> None:
    turned = step(SPARES_WO, 1, DONE, "A", "lathes", 0, 10)  # only 'turned' has it
    second = step(SPARES_WO, 2, DONE, "A", "lathes", 10, 17)  # 'turned' has one step
    problem = only(check(steps=(turned, second)))
    assert problem.path == ("steps", 0, "step")
    assert "fit no single routing of item 'SHAFT'" in problem.message


def test_plant_that_cannot_finish_the_routing_is_refused() -> None:
    problem = only(check(steps=(step(SHAFT_WO, 1, DONE, "C", "press", 0, 8),)))
    assert problem.path == ("steps", 0, "plant_id")
    assert "'C' cannot finish 'O1:PUMP/SHAFT'" in problem.message
    assert "step 2 needs machining" in problem.message


def test_routing_of_prefers_the_previous_plan_then_the_first_fitting() -> None:
    spares = next(wo for wo in explode_orders(NETWORK) if wo.id == SPARES_WO)

    def routing_id(reports: tuple[StepReport, ...], previous: str | None = None) -> str | None:
        routing = routing_of(NETWORK, spares, reports, previous)
        return None if routing is None else routing.id

    assert routing_id(()) == "forged"
    assert routing_id((), "turned") == "turned"
    assert routing_id((SPARES_FORGED,), "long") == "long"
    assert routing_id((SPARES_FORGED,), "turned") == "forged"  # 'turned' does not fit
    assert routing_id((step(SPARES_WO, 4, DONE, "A", "press", 0, 4),)) is None


def _previous(routing_id: str) -> Plan:
    assignment = WorkOrderAssignment(
        work_order_id=SHAFT_WO,
        order_id="O1",
        item_id="SHAFT",
        quantity=2,
        parent_id=PUMP_WO,
        plant_id="A",
        routing_id=routing_id,
        start=START,
        end=at(20),
    )
    schedule = Schedule(work_orders=(assignment,), operations=(), shipments=(), deliveries=())
    return Plan(status=PlanStatus.FEASIBLE, schedule=schedule)


def test_previous_routing_decides_whether_a_component_is_complete() -> None:
    reports = (
        step(SHAFT_WO, 1, DONE, "A", "press", 24, 32),
        step(SHAFT_WO, 2, DONE, "A", "lathes", 32, 37),
        step(PUMP_WO, 1, STARTED, "B", "bay", 61),
    )
    finished = (DESIGN_DONE,)
    assert check(as_of=at(72), steps=reports, finished=finished, previous=_previous("forged")) == ()
    problem = only(
        check(as_of=at(72), steps=reports, finished=finished, previous=_previous("long"))
    )
    assert problem.path == ("steps", 2, "step")
    assert "its component 'O1:PUMP/SHAFT' is not reported finished" in problem.message


# -- the chain of steps -------------------------------------------------------------


def test_done_step_after_a_missing_one_is_refused() -> None:
    problem = only(check(steps=(step(SPARES_WO, 2, DONE, "A", "lathes", 12, 19),)))
    assert problem.path == ("steps", 0, "step")
    assert problem.message.startswith("step 2 of 'O2:SHAFT' is reported done but step 1 is not")


def test_step_after_a_started_one_is_refused() -> None:
    started = step(SPARES_WO, 1, STARTED, "A", "press", 0)
    problem = only(check(steps=(started, SPARES_TURNING)))
    assert problem.path == ("steps", 1, "step")
    assert "is reported started but step 1 is only started" in problem.message


def test_step_starting_before_the_one_before_ends_is_refused() -> None:
    problem = only(check(steps=(SPARES_FORGED, replace(SPARES_TURNING, start=at(11)))))
    assert problem.path == ("steps", 1, "start")
    assert "before step 1 ends (1958-07-01 12:00)" in problem.message


def test_step_reported_twice_is_refused() -> None:
    problem = only(check(steps=(SPARES_FORGED, SPARES_FORGED)))
    assert problem.path == ("steps", 1, "step")
    assert "reported twice (also at steps[0])" in problem.message


def test_work_order_at_two_plants_is_refused() -> None:
    second = step(SHAFT_WO, 2, STARTED, "B", "big-lathe", 40)
    problem = only(check(steps=(step(SHAFT_WO, 1, DONE, "A", "press", 30, 38), second)))
    assert problem.path == ("steps", 1, "plant_id")
    assert "a work order is made at one plant" in problem.message


def test_pinned_order_reported_at_another_plant_is_refused() -> None:
    problem = only(check(steps=(step(SPARES_WO, 1, STARTED, "B", "big-lathe", 0),)))
    assert problem.path == ("steps", 0, "plant_id")
    assert "order 'O2' is pinned to plant 'A'" in problem.message


# -- dates and quantities -----------------------------------------------------------


@pytest.mark.parametrize(
    ("report", "field", "words"),
    [
        (step(SPARES_WO, 1, STARTED, "A", "press", 49), "start", "after the status date"),
        (step(SPARES_WO, 1, DONE, "A", "press", 40, 50), "end", "after the status date"),
        (step(SPARES_WO, 1, DONE, "A", "press", -5, 8), "start", "before the network starts"),
    ],
)
def test_step_dates_outside_start_and_status_date_are_refused(
    report: StepReport, field: str, words: str
) -> None:
    problem = only(check(steps=(report,)))
    assert problem.path == ("steps", 0, field)
    assert words in problem.message


@pytest.mark.parametrize(
    ("report", "words"),
    [
        (replace(SPARES_FORGED, quantity_done=4), "4 units made good, but the work order makes 3"),
        (replace(SPARES_FORGED, quantity_done=2), "done with 2 of its 3 units made good"),
        (replace(SPARES_TURNING, quantity_done=3), "all 3 units made good: report it done"),
    ],
)
def test_quantity_done_must_fit_the_work_order(report: StepReport, words: str) -> None:
    reports = (report,) if report.step == 1 else (SPARES_FORGED, report)
    problem = only(check(steps=reports))
    assert problem.path[-1] == "quantity_done"
    assert words in problem.message


def test_started_step_with_every_unit_good_is_refused_even_with_scrap() -> None:
    """quantity_done counts good units: all of them good is a done step, whatever was
    scrapped on the way."""
    report = replace(SPARES_TURNING, quantity_done=3, scrapped=1)
    problem = only(check(steps=(SPARES_FORGED, report)))
    assert problem.path == ("steps", 1, "quantity_done")
    assert "report it done" in problem.message
    assert check(steps=(SPARES_FORGED, replace(report, quantity_done=2))) == ()


def test_work_done_covering_the_whole_step_is_refused() -> None:
    # 1 h setup + 3 units x 2 h = 7 h of turning.
    report = replace(SPARES_TURNING, work_done=hours(7))
    problem = only(check(steps=(SPARES_FORGED, report)))
    assert problem.path == ("steps", 1, "work_done")
    assert "takes 7 h in all there: report it done" in problem.message
    assert check(steps=(SPARES_FORGED, replace(report, work_done=hours(6.5)))) == ()


# -- finished work orders, components and designs -----------------------------------


def test_finished_work_orders_ready_in_time_let_their_parent_begin() -> None:
    finished = (_finished(SHAFT_WO, "A", 10), _finished(DESIGN_WO, "B", 5))
    assert check(finished=finished, steps=(step(PUMP_WO, 1, STARTED, "B", "bay", 34),)) == ()


def test_work_order_finished_twice_is_refused() -> None:
    problem = only(check(finished=(_finished(SHAFT_WO, "A", 10), _finished(SHAFT_WO, "A", 11))))
    assert problem.path == ("finished", 1, "work_order_id")
    assert "finished twice" in problem.message


def test_work_order_finished_and_reported_by_steps_is_refused() -> None:
    problem = only(check(steps=(SPARES_FORGED,), finished=(_finished(SPARES_WO, "A", 20),)))
    assert problem.path == ("finished", 0, "work_order_id")
    assert "report it one way" in problem.message


def test_work_order_finished_where_it_cannot_be_made_is_refused() -> None:
    problem = only(check(finished=(_finished(SHAFT_WO, "C", 10),)))
    assert problem.path == ("finished", 0, "plant_id")
    assert "'C', which cannot make 'SHAFT'" in problem.message


def test_work_order_finished_after_the_status_date_is_refused() -> None:
    problem = only(check(finished=(_finished(SHAFT_WO, "A", 50),)))
    assert problem.path == ("finished", 0, "finished")


def test_started_step_below_a_finished_work_order_is_refused() -> None:
    problem = only(
        check(
            finished=(_finished(PUMP_WO, "B", 40),),
            steps=(step(DESIGN_WO, 1, STARTED, "B", None, 30),),
        )
    )
    assert problem.path == ("steps", 0, "status")
    assert "'O1:PUMP' is reported finished, which includes everything below it" in (problem.message)


def test_done_steps_below_a_finished_work_order_are_history() -> None:
    reports = (step(DESIGN_WO, 1, DONE, "B", None, 0, 8),)
    assert check(finished=(_finished(PUMP_WO, "B", 40),), steps=reports) == ()


def test_parent_begun_without_its_component_is_refused() -> None:
    finished = (_finished(DESIGN_WO, "B", 5),)
    problem = only(check(finished=finished, steps=(step(PUMP_WO, 1, STARTED, "B", "bay", 40),)))
    assert problem.path == ("steps", 0, "step")
    assert "its component 'O1:PUMP/SHAFT' is not reported finished" in problem.message


def test_component_must_reach_the_parent_plant_before_it_begins() -> None:
    finished = (_finished(SHAFT_WO, "A", 20), _finished(DESIGN_WO, "B", 5))
    problem = only(check(finished=finished, steps=(step(PUMP_WO, 1, STARTED, "B", "bay", 40),)))
    assert problem.path == ("steps", 0, "start")
    assert "only ready 1958-07-01 20:00, then travels 1 day to 'B'" in problem.message


def test_work_gated_by_a_design_waits_for_it() -> None:
    design = step(DESIGN_WO, 1, DONE, "B", None, 0, 30)  # reaches A a day later
    problem = only(check(steps=(design, step(SHAFT_WO, 1, STARTED, "A", "press", 40))))
    assert problem.path == ("steps", 1, "start")
    assert "its design 'O1:PUMP/DESIGN' is only ready" in problem.message


# -- machine units and downtime -----------------------------------------------------


def test_two_steps_on_one_unit_at_once_are_refused() -> None:
    other = step(SHAFT_WO, 1, DONE, "A", "press", 30, 38)
    forged = step(SPARES_WO, 1, DONE, "A", "press", 25, 37)
    problem = only(check(steps=(forged, other), finished=(DESIGN_DONE,)))
    assert problem.path == ("steps", 1, "unit")
    assert "a unit runs one step at a time" in problem.message


def test_a_started_step_holds_its_unit_from_its_start() -> None:
    later = step(SHAFT_WO, 1, DONE, "A", "lathes", 30, 37)  # turned, on unit 0 too
    problem = only(check(steps=(SPARES_FORGED, SPARES_TURNING, later), finished=(DESIGN_DONE,)))
    assert problem.path == ("steps", 2, "unit")


def test_steps_may_follow_each_other_on_one_unit() -> None:
    forged = step(SPARES_WO, 1, DONE, "A", "press", 12, 24)
    other = step(SHAFT_WO, 1, STARTED, "A", "press", 24)
    assert check(steps=(forged, other), finished=(DESIGN_DONE,)) == ()


def test_more_units_down_than_the_group_has_is_refused() -> None:
    down = MachineDown(plant_id="A", machine_id="lathes", units=3, start=at(50))
    problem = only(check(down=(down,)))
    assert problem.path == ("down", 0, "units")
    assert "3 units of 'lathes' at 'A' are reported down, but it has 2" in problem.message


def test_downtimes_together_beyond_the_group_are_refused() -> None:
    first = MachineDown(plant_id="A", machine_id="lathes", units=1, start=at(50), end=at(60))
    second = MachineDown(plant_id="A", machine_id="lathes", start=at(55))
    problem = only(check(down=(first, second)))
    assert problem.path == ("down", 1, "units")
    assert "3 units of 'lathes' at 'A' are reported down at 1958-07-03 07:00" in problem.message


def test_started_step_on_a_unit_that_is_down_is_refused() -> None:
    down = MachineDown(plant_id="A", machine_id="lathes", units=2, start=at(40))
    problem = only(check(steps=(SPARES_FORGED, SPARES_TURNING), down=(down,)))
    assert problem.path == ("down", 0, "units")
    assert "has 2 units down and 1 step reported at work on it" in problem.message


def test_downtime_after_the_status_date_is_left_to_the_replan() -> None:
    down = MachineDown(plant_id="A", machine_id="lathes", start=at(50))
    assert check(steps=(SPARES_FORGED, SPARES_TURNING), down=(down,)) == ()


def test_downtime_of_an_unknown_machine_group_is_refused() -> None:
    problem = only(check(down=(MachineDown(plant_id="B", machine_id="press", start=at(50)),)))
    assert problem.path == ("down", 0, "machine_id")


# -- parts, materials, people -------------------------------------------------------


def test_parts_of_an_unknown_item_are_refused() -> None:
    problem = only(check(parts=(PartStock(plant_id="A", item_id="SHAFTS", quantity=1),)))
    assert problem.path == ("parts", 0, "item_id")
    assert "did you mean 'SHAFT'?" in problem.message


def test_parts_given_twice_are_refused() -> None:
    parts = PartStock(plant_id="A", item_id="SHAFT", quantity=1)
    problem = only(check(parts=(parts, parts)))
    assert problem.path == ("parts", 1)
    assert "add the quantities" in problem.message


def test_parts_at_a_plant_that_cannot_make_them_are_refused() -> None:
    problem = only(check(parts=(PartStock(plant_id="C", item_id="SHAFT", quantity=1),)))
    assert problem.path == ("parts", 0, "plant_id")


def test_a_material_counted_twice_is_refused() -> None:
    count = StockCount(plant_id="A", material_id="steel", quantity=1)
    problem = only(check(counts=(count, replace(count, quantity=2))))
    assert problem.path == ("counts", 1)
    assert "one count of a material" in problem.message


def test_count_of_an_unknown_material_is_refused() -> None:
    problem = only(check(counts=(StockCount(plant_id="A", material_id="steal", quantity=1),)))
    assert problem.path == ("counts", 0, "material_id")
    assert "did you mean 'steel'?" in problem.message


def test_receipt_after_the_status_date_is_refused() -> None:
    receipt = Receipt(plant_id="A", material_id="steel", quantity=1, arrived=at(49))
    problem = only(check(receipts=(receipt,)))
    assert problem.path == ("receipts", 0, "arrived")


def test_secondment_of_an_unknown_skill_is_refused() -> None:
    secondment = Secondment(plant_id="A", skill="drafter", count=1, start=at(50))
    problem = only(check(secondments=(secondment,)))
    assert problem.path == ("secondments", 0, "skill")


def test_seconding_more_people_than_the_plant_has_is_refused() -> None:
    secondment = Secondment(plant_id="B", skill="draughtsman", count=2, start=at(50))
    problem = only(check(secondments=(secondment,)))
    assert problem.path == ("secondments", 0, "count")
    assert "plant 'B' would have -1 people of skill 'draughtsman'" in problem.message
