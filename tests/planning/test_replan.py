"""Replanning from progress on small networks whose answers are known by hand, and as
properties over generated networks: every replan passes the independent validator
judged against the same progress, and a replan with nothing reported moves nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import START, at, build_item, build_machine, build_network, build_order, hours
from tests.strategies import networks
from xiezuo.domain import (
    BomLine,
    Calendar,
    CrewNeed,
    FinishedWorkOrder,
    Item,
    ItemKind,
    Lane,
    MachineDown,
    Material,
    MaterialLine,
    Network,
    Operation,
    PartSource,
    PartStock,
    Plan,
    Plant,
    Progress,
    Routing,
    ScheduledOperation,
    Secondment,
    Staffing,
    StepReport,
    StepStatus,
    StockCount,
    StockLot,
    Supply,
    validate_network,
)
from xiezuo.domain.progress_rules import check_progress
from xiezuo.planning.params import PlanParams
from xiezuo.planning.solve import plan
from xiezuo.planning.validation.audit import audit_plan
from xiezuo.services.diff import diff_plans
from xiezuo.services.progress import progress_as_planned

FAST = PlanParams(time_limit_s=5, workers=2)
SCRATCH = replace(FAST, stability=0)


def _shop(units: int = 1) -> Plant:
    return Plant(
        id="P",
        machines=(
            build_machine("press", "forging", units),
            build_machine("lathe", "machining", units),
        ),
    )


def _replan(
    network: Network,
    progress: Progress,
    previous: Plan | None = None,
    params: PlanParams = FAST,
) -> Plan:
    assert check_progress(network, progress, previous) == ()
    result = plan(network, params, progress=progress, previous=previous)
    assert result.schedule is not None
    assert result.as_of == progress.as_of
    violations = audit_plan(
        network, result, progress=progress, previous=previous, frozen_days=params.frozen_days
    )
    assert violations == ()
    return result


def _op(result: Plan, work_order_id: str, step: int) -> ScheduledOperation:
    assert result.schedule is not None
    return next(
        op
        for op in result.schedule.operations
        if (op.work_order_id, op.step) == (work_order_id, step)
    )


def test_a_done_component_fixes_when_its_parent_can_start() -> None:
    """The component was forged at Q in 6 h (not the planned 4 h); the parent at P waits
    for it to travel the 5 h lane, past the status date."""
    network = build_network(
        (Plant(id="P", machines=(build_machine("bench", "assembly"),)), _q_forge()),
        (build_item("COMP", ("forging", 4)), _product()),
        (build_order("O1", "PRODUCT", 100),),
        lanes=(Lane(origin="Q", destination="P", lead_time=hours(5)),),
    )
    done = StepReport(
        work_order_id="O1:PRODUCT/COMP",
        step=1,
        status=StepStatus.DONE,
        plant_id="Q",
        machine_id="press",
        start=at(0),
        end=at(6),
    )
    result = _replan(network, Progress(as_of=at(7), steps=(done,)))
    kept = _op(result, "O1:PRODUCT/COMP", 1)
    assert (kept.start, kept.end, kept.plant_id) == (at(0), at(6), "Q")
    assert _op(result, "O1:PRODUCT", 1).start == at(11)


def test_a_started_step_keeps_its_unit_and_runs_on_for_its_remaining_work() -> None:
    network = build_network(
        (_shop(units=2),),
        (build_item("PART", ("forging", 4), ("machining", 3)),),
        (build_order("O1", "PART", 100),),
    )
    progress = Progress(
        as_of=at(9),
        steps=(
            StepReport(
                work_order_id="O1:PART",
                step=1,
                status=StepStatus.DONE,
                plant_id="P",
                machine_id="press",
                unit=1,
                start=at(0),
                end=at(8),
            ),
            StepReport(
                work_order_id="O1:PART",
                step=2,
                status=StepStatus.STARTED,
                plant_id="P",
                machine_id="lathe",
                unit=1,
                start=at(8),
            ),
        ),
    )
    result = _replan(network, progress)
    running = _op(result, "O1:PART", 2)
    # Three hours of work, one done by the status date: two left.
    assert (running.unit, running.start, running.end) == (1, at(8), at(11))


def test_quantity_done_leaves_the_run_time_of_the_units_still_to_make() -> None:
    network = build_network(
        (_shop(),),
        (build_item("PART", ("machining", 2)),),
        (build_order("O1", "PART", 100, quantity=5),),
    )
    started = StepReport(
        work_order_id="O1:PART",
        step=1,
        status=StepStatus.STARTED,
        plant_id="P",
        machine_id="lathe",
        start=at(0),
        quantity_done=2,
        scrapped=1,
    )
    result = _replan(network, Progress(as_of=at(7), steps=(started,)))
    # 2 good of 5: three units of 2 h each from the status date.
    assert _op(result, "O1:PART", 1).end == at(13)


def _two_orders(urgent: str) -> Network:
    return build_network(
        (_shop(),),
        (build_item("PART", ("forging", 4)),),
        (
            build_order(
                "O1", "PART", 4 if urgent == "O1" else 50, priority=5 if urgent == "O1" else 1
            ),
            build_order(
                "O2", "PART", 4 if urgent == "O2" else 50, priority=5 if urgent == "O2" else 1
            ),
        ),
    )


def test_the_frozen_window_keeps_the_previous_plan_where_a_new_plan_would_swap() -> None:
    previous = plan(_two_orders("O1"), FAST)
    assert _op(previous, "O1:PART", 1).start == at(0)
    pulled_in = _two_orders("O2")
    nothing = Progress(as_of=START)
    thawed = _replan(pulled_in, nothing, params=SCRATCH)
    assert _op(thawed, "O2:PART", 1).start == at(0)
    frozen = _replan(pulled_in, nothing, previous, replace(SCRATCH, frozen_days=1))
    for wo in ("O1:PART", "O2:PART"):
        assert _op(frozen, wo, 1) == _op(previous, wo, 1)


def test_a_machine_down_moves_exactly_the_work_that_needs_it() -> None:
    network = build_network(
        (_shop(),),
        (
            build_item("FORGED", ("forging", 4), ("machining", 3)),
            build_item("TURNED", ("machining", 2)),
        ),
        (build_order("O1", "FORGED", 100), build_order("O2", "TURNED", 100)),
    )
    previous = plan(network, FAST)
    down = MachineDown(plant_id="P", machine_id="press", start=START, end=at(10))
    result = _replan(network, Progress(as_of=START, down=(down,)), previous)
    assert _op(result, "O1:FORGED", 1).start == at(10)
    assert _op(result, "O2:TURNED", 1) == _op(previous, "O2:TURNED", 1)
    moved = diff_plans(previous, result, network=network)
    assert {op.work_order_id for op in moved.operations if op.is_moved} == {"O1:FORGED"}


def _q_forge() -> Plant:
    return Plant(id="Q", machines=(build_machine("press", "forging"),))


def _product() -> Item:
    return build_item("PRODUCT", ("assembly", 2), bom=(BomLine(item_id="COMP", quantity=1),))


def _kit() -> Network:
    return build_network(
        (
            Plant(
                id="P",
                machines=(build_machine("bench", "assembly"), build_machine("press", "forging")),
            ),
        ),
        (build_item("COMP", ("forging", 4)), _product()),
        (build_order("O1", "PRODUCT", 100),),
    )


def test_finished_parts_in_stock_stand_in_for_the_work_below_them() -> None:
    result = _replan(
        _kit(), Progress(as_of=at(1), parts=(PartStock(plant_id="P", item_id="COMP", quantity=1),))
    )
    assert result.schedule is not None
    assert {a.work_order_id for a in result.schedule.work_orders} == {"O1:PRODUCT"}
    (part,) = result.schedule.finished_parts
    assert (part.work_order_id, part.source, part.ready) == (
        "O1:PRODUCT/COMP",
        PartSource.STOCK,
        at(1),
    )
    assert _op(result, "O1:PRODUCT", 1).start == at(1)


def test_a_work_order_reported_finished_is_not_made_again() -> None:
    finished = FinishedWorkOrder(work_order_id="O1:PRODUCT/COMP", plant_id="P", finished=at(3))
    result = _replan(_kit(), Progress(as_of=at(5), finished=(finished,)))
    assert result.schedule is not None
    assert [p.source for p in result.schedule.finished_parts] == [PartSource.REPORTED]
    assert not [op for op in result.schedule.operations if op.work_order_id == "O1:PRODUCT/COMP"]


def test_an_order_whose_product_is_finished_is_delivered_and_counts_its_lateness() -> None:
    finished = FinishedWorkOrder(work_order_id="O1:PRODUCT", plant_id="P", finished=at(110))
    result = _replan(_kit(), Progress(as_of=at(120), finished=(finished,)))
    assert result.schedule is not None
    (delivery,) = result.schedule.deliveries
    assert delivery.arrival == at(110)
    assert result.tardiness_hours == 10


def test_a_stock_count_replaces_the_books() -> None:
    steel = Material(id="steel", unit="t")
    item = replace(
        build_item("PART", ("forging", 4)),
        materials=(MaterialLine(material_id="steel", quantity=10),),
    )
    network = replace(
        build_network(
            (_shop(),), (build_item("PART", ("forging", 4)),), (build_order("O1", "PART", 100),)
        ),
        items=(item,),
        materials=(steel,),
        supplies=(Supply(plant_id="P", material_id="steel", quantity=10, arrives=at(50)),),
    )
    validate_network(network)
    waits = _replan(network, Progress(as_of=at(1)))
    assert _op(waits, "O1:PART", 1).start == at(50)
    counted = Progress(
        as_of=at(1), counts=(StockCount(plant_id="P", material_id="steel", quantity=10),)
    )
    assert _op(_replan(network, counted), "O1:PART", 1).start == at(1)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(networks(), st.integers(0, 72), st.booleans(), st.data())
def test_every_replan_of_progress_as_planned_passes_the_validator(
    network: Network, hours_in: int, frozen: bool, data: st.DataObject
) -> None:
    validate_network(network)
    previous = plan(network, PlanParams(time_limit_s=1, workers=1))
    if previous.schedule is None:
        return
    as_of = START + timedelta(hours=hours_in)
    down: tuple[MachineDown, ...] = ()
    machines = [(p.id, m.id) for p, m in network.iter_machines()]
    wants_down = data.draw(st.booleans(), label="a machine down")
    if machines and wants_down:
        plant_id, machine_id = data.draw(st.sampled_from(machines), label="which")
        down = (
            MachineDown(
                plant_id=plant_id,
                machine_id=machine_id,
                units=1,
                start=as_of,
                end=as_of + hours(24),
            ),
        )
    progress = progress_as_planned(previous, as_of, down=down)
    if check_progress(network, progress, previous):
        return  # the down unit is running a started step: refused, rightly
    params = PlanParams(time_limit_s=1, workers=1, frozen_days=1 if frozen else 0)
    result = plan(network, params, progress=progress, previous=previous)
    assert result.status.has_schedule
    violations = audit_plan(
        network, result, progress=progress, previous=previous, frozen_days=params.frozen_days
    )
    assert violations == ()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_a_replan_with_nothing_reported_moves_nothing(network: Network) -> None:
    validate_network(network)
    previous = plan(network, PlanParams(time_limit_s=1, workers=1))
    if previous.schedule is None:
        return
    result = plan(
        network,
        PlanParams(time_limit_s=1, workers=1),
        progress=Progress(as_of=START),
        previous=previous,
    )
    assert diff_plans(previous, result, network=network).headline.moved_operations == 0
    assert (result.tardiness_hours or 0) <= (previous.tardiness_hours or 0) + 1e-9


# Found by the properties over deviating progress (tests/planning/test_replan_properties.py).


def _steel_short_kit() -> Network:
    """PRODUCT = COMP + PART; PART needs 1 t of steel at its step 2; no steel anywhere."""
    part = replace(
        build_item("PART", ("forging", 4), ("machining", 3)),
        materials=(MaterialLine(material_id="steel", quantity=1, step=2),),
    )
    network = replace(
        build_network(
            (
                Plant(
                    id="P",
                    machines=(
                        build_machine("press", "forging"),
                        build_machine("lathe", "machining"),
                        build_machine("bench", "assembly"),
                    ),
                ),
            ),
            (
                build_item("PART", ("forging", 4), ("machining", 3)),
                build_item("COMP", ("forging", 2)),
                build_item(
                    "PRODUCT",
                    ("assembly", 2),
                    bom=(BomLine(item_id="COMP", quantity=1), BomLine(item_id="PART", quantity=1)),
                ),
            ),
            (build_order("O2", "PRODUCT", 100),),
        ),
        materials=(Material(id="steel", unit="t"),),
    )
    network = replace(network, items=tuple(part if i.id == "PART" else i for i in network.items))
    validate_network(network)
    return network


def test_an_order_left_out_short_of_material_has_no_assignment_for_its_started_step() -> None:
    started = StepReport(
        work_order_id="O2:PRODUCT/COMP",
        step=1,
        status=StepStatus.STARTED,
        plant_id="P",
        machine_id="press",
        start=at(0),
    )
    _replan(_steel_short_kit(), Progress(as_of=at(1), steps=(started,)))  # audit finds 4 violations


def test_an_order_left_out_short_of_material_has_no_finished_parts() -> None:
    finished = FinishedWorkOrder(work_order_id="O2:PRODUCT/COMP", plant_id="P", finished=at(1))
    _replan(_steel_short_kit(), Progress(as_of=at(2), finished=(finished,)))  # audit finds 4


def _lathe_shop() -> Network:
    return build_network(
        (Plant(id="P", machines=(build_machine("lathe", "machining"),)),),
        (build_item("PART", ("machining", 3)),),
        (build_order("O1", "PART", 100, quantity=2),),
    )


def test_a_step_running_longer_than_its_estimate_still_ends_after_the_status_date() -> None:
    """7 h of work (1 h setup + 2 x 3 h) started 10 h before the status date, still running."""
    started = StepReport(
        work_order_id="O1:PART",
        step=1,
        status=StepStatus.STARTED,
        plant_id="P",
        machine_id="lathe",
        start=at(0),
    )
    _replan(_lathe_shop(), Progress(as_of=at(10), steps=(started,)))  # ends at at(10)


def test_scrap_is_made_again_after_the_status_date() -> None:
    """One unit good, one scrapped: the scrapped one is made again, 3 h from the status date."""
    started = StepReport(
        work_order_id="O1:PART",
        step=1,
        status=StepStatus.STARTED,
        plant_id="P",
        machine_id="lathe",
        start=at(0),
        quantity_done=1,
        scrapped=1,
    )
    result = _replan(_lathe_shop(), Progress(as_of=at(7), steps=(started,)))
    assert _op(result, "O1:PART", 1).end == at(10)


def test_work_done_beyond_the_estimate_with_scrap_still_ends_after_the_status_date() -> None:
    started = StepReport(
        work_order_id="O1:PART",
        step=1,
        status=StepStatus.STARTED,
        plant_id="P",
        machine_id="lathe",
        start=at(0),
        work_done=hours(7),
        scrapped=1,
    )
    _replan(_lathe_shop(), Progress(as_of=at(7), steps=(started,)))  # ends at at(7)


# extra imports: from xiezuo.domain import FinishedWorkOrder, PartStock


def test_a_finished_component_below_a_product_in_stock_is_not_shipped() -> None:
    network = build_network(
        (Plant(id="P", machines=(build_machine("bench", "assembly"),)), _q_forge()),
        (build_item("COMP", ("forging", 4)), _product()),
        (build_order("O1", "PRODUCT", 100),),
        lanes=(Lane(origin="Q", destination="P", lead_time=hours(5)),),
    )
    progress = Progress(
        as_of=at(2),
        finished=(
            FinishedWorkOrder(work_order_id="O1:PRODUCT/COMP", plant_id="Q", finished=at(1)),
        ),
        parts=(PartStock(plant_id="P", item_id="PRODUCT", quantity=1),),
    )
    _replan(network, progress)  # shipment Q -> P of COMP: a 'reported' violation


def test_done_steps_below_a_finished_product_are_history_not_plan() -> None:
    done = StepReport(
        work_order_id="O1:PRODUCT/COMP",
        step=1,
        status=StepStatus.DONE,
        plant_id="P",
        machine_id="press",
        start=at(0),
        end=at(4),
    )
    finished = FinishedWorkOrder(work_order_id="O1:PRODUCT", plant_id="P", finished=at(6))
    _replan(_kit(), Progress(as_of=at(8), steps=(done,), finished=(finished,)))


def test_done_steps_below_a_finished_component_are_history_not_plan() -> None:
    network = build_network(
        (
            Plant(
                id="P",
                machines=(build_machine("bench", "assembly"), build_machine("press", "forging")),
            ),
        ),
        (
            build_item("SUB", ("forging", 4)),
            build_item("COMP", ("forging", 4), bom=(BomLine(item_id="SUB", quantity=1),)),
            _product(),
        ),
        (build_order("O1", "PRODUCT", 100),),
    )
    done = StepReport(
        work_order_id="O1:PRODUCT/COMP/SUB",
        step=1,
        status=StepStatus.DONE,
        plant_id="P",
        machine_id="press",
        start=at(0),
        end=at(4),
    )
    finished = FinishedWorkOrder(work_order_id="O1:PRODUCT/COMP", plant_id="P", finished=at(6))
    _replan(network, Progress(as_of=at(8), steps=(done,), finished=(finished,)))


def test_a_frozen_step_drawing_from_two_warehouses_in_transit() -> None:
    """Q sends 1 t and R 2 t of steel, departing at 0 and arriving at P at 10 h."""
    part = replace(
        build_item("PART", ("forging", 4)),
        materials=(MaterialLine(material_id="steel", quantity=3),),
    )
    network = replace(
        build_network(
            (
                Plant(id="P", machines=(build_machine("press", "forging"),)),
                Plant(id="Q", machines=()),
                Plant(id="R", machines=()),
            ),
            (build_item("PART", ("forging", 4)),),
            (build_order("O1", "PART", 100),),
            lanes=(
                Lane(origin="Q", destination="P", lead_time=hours(10)),
                Lane(origin="R", destination="P", lead_time=hours(10)),
            ),
        ),
        items=(part,),
        materials=(Material(id="steel", unit="t"),),
        stock=(
            StockLot(plant_id="Q", material_id="steel", quantity=1),
            StockLot(plant_id="R", material_id="steel", quantity=2),
        ),
    )
    validate_network(network)
    previous = plan(network, FAST)
    _replan(network, Progress(as_of=at(5)), previous, replace(FAST, frozen_days=1))  # ValueError


def test_a_started_step_whose_group_has_no_shift_left_before_it_leaves() -> None:
    """08:00-16:00 lathe leaving service at 22:00; a 16 h step started at 08:00 with 4 h
    done; status date 20:00: no working time is left before the lathe goes."""
    day = Calendar(
        working_days=tuple(range(7)),
        shifts_per_day=1,
        shift_length=hours(8),
        first_shift_start=time(8, 0),
    )
    lathe = replace(build_machine("lathe", "machining"), calendar=day, available_until=at(22))
    network = build_network(
        (Plant(id="P", machines=(lathe,)),),
        (build_item("PART", ("machining", 16)),),
        (build_order("O1", "PART", 100),),
    )
    started = StepReport(
        work_order_id="O1:PART",
        step=1,
        status=StepStatus.STARTED,
        plant_id="P",
        machine_id="lathe",
        start=at(8),
        work_done=hours(4),
    )
    _replan(network, Progress(as_of=at(20), steps=(started,)))  # ends at(16)


def test_a_reported_step_outside_shift_is_not_frozen_when_no_longer_reported() -> None:
    day = Calendar(
        working_days=tuple(range(7)),
        shifts_per_day=1,
        shift_length=hours(8),
        first_shift_start=time(6, 0),
    )
    network = build_network(
        (Plant(id="P", machines=(build_machine("press", "forging"),)),),
        (build_item("PART", ("forging", 4)),),
        (build_order("O1", "PART", 100),),
        calendar=day,
    )
    started = StepReport(
        work_order_id="O1:PART",
        step=1,
        status=StepStatus.STARTED,
        plant_id="P",
        machine_id="press",
        start=at(2),
    )
    previous = _replan(network, Progress(as_of=at(2), steps=(started,)))
    _replan(network, Progress(as_of=at(2)), previous, replace(FAST, frozen_days=1))  # calendar


def test_a_frozen_step_whose_crew_is_seconded_away_is_unfrozen() -> None:
    drawing = Item(
        id="DRAWING",
        kind=ItemKind.PART,
        weight_t=0.1,
        precision_grade=8,
        routings=(
            Routing(
                id="main",
                operations=(
                    Operation(
                        process=None,
                        run_per_unit=hours(20),
                        crew=(CrewNeed(skill="designer", size=2),),
                    ),
                ),
            ),
        ),
    )
    base = build_network(
        (Plant(id="P", machines=(build_machine("press", "forging"),)),),
        (build_item("DRAWING", ("forging", 1)),),
        (build_order("O1", "DRAWING", 100),),
    )
    network = replace(
        base,
        items=(drawing,),
        skills=("designer",),
        staffing=(Staffing(plant_id="P", skill="designer", headcount=2),),
    )
    validate_network(network)
    previous = plan(network, FAST)  # the drawing from 0 h to 20 h
    away = Secondment(plant_id="P", skill="designer", count=1, start=at(10), end=at(40))
    progress = Progress(as_of=at(0), secondments=(away,))
    _replan(network, progress, previous, replace(FAST, frozen_days=1))  # crew violation
