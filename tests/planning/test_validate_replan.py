"""The validator judges replans: a hand-made valid replan passes, and each replan rule
broken alone is named alone.

The network makes presses (two frames each, assembled at P1) and spare frames (cast and
milled at P1, or at P2, 24 h away). Every plant works 08:00-16:00 every day. The
replan is dated 2 July 08:00 (``AS_OF``):

- ORD-1's frames were cast (done, CAST2 unit 1) and are being milled (started, MILL2);
  the milling ends at 11:00, the frames travel to P1 and the press is assembled.
- ORD-2, a spare frame, is covered by the frame lying in stock at P2.
- ORD-3's frames are reported finished at P2 on 1 July 15:00; they travel to P1.
- ORD-4, a spare frame, is made from scratch on 2 July, drawing 10 steel at P2.

MILL-S at P2 is down on 2 and 3 July.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.plans import at, op
from xiezuo.domain import (
    BomLine,
    Calendar,
    CrewNeed,
    Delivery,
    Explanation,
    FinishedPart,
    FinishedWorkOrder,
    Item,
    ItemKind,
    Lane,
    Machine,
    MachineDown,
    Material,
    MaterialDraw,
    MaterialLine,
    Network,
    Operation,
    Order,
    PartSource,
    PartStock,
    Plan,
    PlanStatus,
    Plant,
    Progress,
    Receipt,
    Routing,
    Schedule,
    Secondment,
    Shipment,
    Staffing,
    StepReport,
    StepStatus,
    StockCount,
    StockLot,
    Supply,
    WorkOrderAssignment,
    explode_orders,
    validate_network,
)
from xiezuo.errors import PlanningError
from xiezuo.io import read_instance
from xiezuo.io.plan_file import read_plan
from xiezuo.planning.validation.audit import audit_plan, validate_plan
from xiezuo.planning.validation.replan import frozen_until, opening_stock

AS_OF = at(2, 8)
FRAME_1 = "ORD-1:PRESS/FRAME"
PRESS_1 = "ORD-1:PRESS"
SPARE_2 = "ORD-2:FRAME"
FRAME_3 = "ORD-3:PRESS/FRAME"
PRESS_3 = "ORD-3:PRESS"
SPARE_4 = "ORD-4:FRAME"


def make_network() -> Network:
    frame = Item(
        id="FRAME",
        weight_t=1,
        precision_grade=8,
        routings=(
            Routing(
                id="cast-mill",
                operations=(
                    Operation(
                        process="cast", setup=timedelta(hours=1), run_per_unit=timedelta(hours=2)
                    ),
                    Operation(process="mill", run_per_unit=timedelta(hours=3)),
                ),
            ),
        ),
        materials=(MaterialLine(material_id="steel", quantity=10, step=1),),
    )
    press = Item(
        id="PRESS",
        kind=ItemKind.PRODUCT,
        weight_t=5,
        precision_grade=8,
        bom=(BomLine(item_id="FRAME", quantity=2),),
        routings=(
            Routing(
                id="assemble",
                operations=(
                    Operation(
                        process="assemble",
                        run_per_unit=timedelta(hours=3),
                        crew=(CrewNeed(skill="fitter", size=1),),
                    ),
                ),
            ),
        ),
    )
    due = at(10, 16)
    network = Network(
        start=at(1, 8),
        calendar=Calendar(
            working_days=tuple(range(7)),
            shifts_per_day=1,
            shift_length=timedelta(hours=8),
            first_shift_start=time(8, 0),
        ),
        processes=("cast", "mill", "assemble"),
        regions=("EAST",),
        plants=(
            Plant(
                id="P1",
                machines=(
                    Machine(id="ASM", process="assemble", max_weight_t=20, precision_grade=6),
                    Machine(id="CAST1", process="cast", max_weight_t=10, precision_grade=6),
                    Machine(id="MILL1", process="mill", max_weight_t=10, precision_grade=6),
                ),
            ),
            Plant(
                id="P2",
                machines=(
                    Machine(
                        id="CAST2", process="cast", units=2, max_weight_t=10, precision_grade=6
                    ),
                    Machine(
                        id="MILL2", process="mill", units=2, max_weight_t=10, precision_grade=6
                    ),
                    Machine(id="MILL-S", process="mill", max_weight_t=2, precision_grade=6),
                ),
            ),
        ),
        items=(press, frame),
        orders=(
            Order(id="ORD-1", region="EAST", item_id="PRESS", due=due),
            Order(id="ORD-2", region="EAST", item_id="FRAME", due=due, plant_id="P2"),
            Order(id="ORD-3", region="EAST", item_id="PRESS", due=due),
            Order(id="ORD-4", region="EAST", item_id="FRAME", due=due, plant_id="P2"),
        ),
        lanes=(
            Lane(origin="P2", destination="P1", lead_time=timedelta(hours=24)),
            Lane(origin="P1", destination="P2", lead_time=timedelta(hours=24)),
            Lane(origin="P1", destination="EAST", lead_time=timedelta(hours=48)),
            Lane(origin="P2", destination="EAST", lead_time=timedelta(hours=72)),
        ),
        materials=(Material(id="steel", unit="kg"),),
        stock=(StockLot(plant_id="P2", material_id="steel", quantity=30),),
        supplies=(
            Supply(plant_id="P2", material_id="steel", quantity=20, arrives=at(1, 12)),
            Supply(plant_id="P2", material_id="steel", quantity=5, arrives=at(6, 8)),
        ),
        skills=("fitter",),
        staffing=(Staffing(plant_id="P1", skill="fitter", headcount=1),),
    )
    validate_network(network)
    return network


def make_progress(**changes: Any) -> Progress:
    progress = Progress(
        as_of=AS_OF,
        steps=(
            StepReport(
                work_order_id=FRAME_1,
                step=1,
                status=StepStatus.DONE,
                plant_id="P2",
                machine_id="CAST2",
                unit=1,
                start=at(1, 8),
                end=at(1, 13),
            ),
            StepReport(
                work_order_id=FRAME_1,
                step=2,
                status=StepStatus.STARTED,
                plant_id="P2",
                machine_id="MILL2",
                start=at(1, 13),
            ),
        ),
        finished=(FinishedWorkOrder(work_order_id=FRAME_3, plant_id="P2", finished=at(1, 15)),),
        parts=(PartStock(plant_id="P2", item_id="FRAME", quantity=1),),
        down=(MachineDown(plant_id="P2", machine_id="MILL-S", start=at(2, 0), end=at(4, 0)),),
    )
    return replace(progress, **changes)


def assignment(wo_id: str, plant: str, start: datetime, end: datetime) -> WorkOrderAssignment:
    """A work order of this network: a press, or a frame (two for a press)."""
    order_id, path = wo_id.split(":")
    item = path.split("/")[-1]
    parent = None if "/" not in path else wo_id.rsplit("/", 1)[0]
    is_press = item == "PRESS"
    return WorkOrderAssignment(
        work_order_id=wo_id,
        order_id=order_id,
        item_id=item,
        quantity=1 if parent is None else 2,
        parent_id=parent,
        plant_id=plant,
        routing_id="assemble" if is_press else "cast-mill",
        start=start,
        end=end,
    )


def make_schedule() -> Schedule:
    """The valid replan described in the module docstring."""
    return Schedule(
        work_orders=(
            assignment(PRESS_1, "P1", at(3, 11), at(3, 14)),
            assignment(FRAME_1, "P2", at(1, 8), at(2, 11)),
            assignment(PRESS_3, "P1", at(3, 8), at(3, 11)),
            assignment(SPARE_4, "P2", at(2, 8), at(2, 14)),
        ),
        operations=(
            replace(op(FRAME_1, 1, "cast", "CAST2", at(1, 8), at(1, 13), 5), unit=1),
            op(FRAME_1, 2, "mill", "MILL2", at(1, 13), at(2, 11), 6),
            op(PRESS_1, 1, "assemble", "ASM", at(3, 11), at(3, 14), 3, plant="P1"),
            op(PRESS_3, 1, "assemble", "ASM", at(3, 8), at(3, 11), 3, plant="P1"),
            op(SPARE_4, 1, "cast", "CAST2", at(2, 8), at(2, 11), 3),
            op(SPARE_4, 2, "mill", "MILL2", at(2, 11), at(2, 14), 3),
        ),
        shipments=(
            ship(FRAME_1, at(2, 11)),
            ship(FRAME_3, at(1, 15)),
        ),
        deliveries=(
            deliver("ORD-1", "P1", at(3, 14), 48),
            deliver("ORD-2", "P2", AS_OF, 72),
            deliver("ORD-3", "P1", at(3, 11), 48),
            deliver("ORD-4", "P2", at(2, 14), 72),
        ),
        material_draws=(draw(at(2, 8)),),
        finished_parts=(
            FinishedPart(
                work_order_id=SPARE_2,
                item_id="FRAME",
                quantity=1,
                plant_id="P2",
                ready=AS_OF,
                source=PartSource.STOCK,
            ),
            FinishedPart(
                work_order_id=FRAME_3,
                item_id="FRAME",
                quantity=2,
                plant_id="P2",
                ready=at(1, 15),
                source=PartSource.REPORTED,
            ),
        ),
    )


def ship(wo_id: str, depart: datetime) -> Shipment:
    return Shipment(
        work_order_id=wo_id,
        origin="P2",
        destination="P1",
        depart=depart,
        arrive=depart + timedelta(hours=24),
    )


def deliver(order_id: str, plant: str, finish: datetime, lead_hours: int) -> Delivery:
    return Delivery(
        order_id=order_id,
        plant_id=plant,
        region="EAST",
        finish=finish,
        arrival=finish + timedelta(hours=lead_hours),
        due=at(10, 16),
    )


def draw(depart: datetime) -> MaterialDraw:
    """ORD-4's steel for its casting, from its own plant's warehouse."""
    return MaterialDraw(
        work_order_id=SPARE_4,
        step=1,
        material_id="steel",
        quantity=10,
        origin="P2",
        destination="P2",
        depart=depart,
        arrive=depart,
    )


def make_plan(schedule: Schedule | None = None, **changes: Any) -> Plan:
    schedule = schedule or make_schedule()
    plan = Plan(
        status=PlanStatus.FEASIBLE,
        schedule=schedule,
        tardiness_hours=0.0,
        makespan=max(d.arrival for d in schedule.deliveries) - at(1, 8),
        as_of=AS_OF,
    )
    return replace(plan, **changes)


def rules(schedule: Schedule, progress: Progress | None = None, **kwargs: Any) -> set[str]:
    found = validate_plan(make_network(), schedule, progress=progress or make_progress(), **kwargs)
    return {v.rule for v in found}


def move_op(schedule: Schedule, wo_id: str, step: int, **changes: Any) -> Schedule:
    """The schedule with one operation changed and its work order's times following it."""
    operations = tuple(
        replace(o, **changes) if (o.work_order_id, o.step) == (wo_id, step) else o
        for o in schedule.operations
    )
    mine = [o for o in operations if o.work_order_id == wo_id]
    work_orders = tuple(
        replace(wa, start=min(o.start for o in mine), end=max(o.end for o in mine))
        if wa.work_order_id == wo_id
        else wa
        for wa in schedule.work_orders
    )
    return replace(schedule, operations=operations, work_orders=work_orders)


def test_the_valid_replan_passes_the_audit() -> None:
    previous = make_plan()
    found = audit_plan(
        make_network(), make_plan(), progress=make_progress(), previous=previous, frozen_days=1
    )
    assert found == ()


def test_the_replan_without_its_progress_is_refused() -> None:
    """Finished parts, history placed as it happened and steps that draw nothing are
    valid only as the facts of a progress."""
    found = {v.rule for v in validate_plan(make_network(), make_schedule())}
    assert found == {"reported", "work_order", "placement", "material", "shipment"}


def test_a_done_step_moved_by_a_minute_is_named_reported() -> None:
    schedule = move_op(make_schedule(), FRAME_1, 1, start=at(1, 8, 1), end=at(1, 13, 1))
    assert rules(schedule) == {"reported"}


def test_a_started_step_on_another_unit_is_named_reported() -> None:
    schedule = move_op(make_schedule(), FRAME_1, 2, unit=1)
    found = validate_plan(make_network(), schedule, progress=make_progress())
    assert [v.rule for v in found] == ["reported"]
    assert "has unit 1, but it was 0" in found[0].message


def test_a_started_step_ending_by_the_status_date_is_named_reported() -> None:
    schedule = move_op(make_schedule(), FRAME_1, 2, end=AS_OF)
    found = validate_plan(make_network(), schedule, progress=make_progress())
    assert {v.rule for v in found} - {"bom_precedence", "shipment", "delivery"} == {"reported"}
    assert any("still running at the status date" in v.message for v in found)


def test_a_reported_step_left_out_of_the_plan_is_named_reported() -> None:
    schedule = make_schedule()
    operations = tuple(o for o in schedule.operations if (o.work_order_id, o.step) != (FRAME_1, 1))
    found = validate_plan(
        make_network(), replace(schedule, operations=operations), progress=make_progress()
    )
    messages = [v.message for v in found if v.rule == "reported"]
    assert messages == [f"work order {FRAME_1!r} step 1, reported done, is not in the plan"]


def test_new_work_before_the_status_date_is_named_status_date() -> None:
    schedule = move_op(make_schedule(), SPARE_4, 1, start=at(1, 8), end=at(1, 11))
    schedule = replace(schedule, material_draws=(draw(at(1, 8)),))
    assert rules(schedule) == {"status_date"}


def test_a_draw_before_the_status_date_is_named_status_date() -> None:
    schedule = replace(make_schedule(), material_draws=(draw(at(1, 15)),))
    found = validate_plan(make_network(), schedule, progress=make_progress())
    assert [v.rule for v in found] == ["status_date"]
    assert "before the status date" in found[0].message


def test_a_draw_for_a_reported_step_is_named_status_date() -> None:
    extra = replace(draw(AS_OF), work_order_id=FRAME_1, quantity=20)
    schedule = make_schedule()
    schedule = replace(schedule, material_draws=(*schedule.material_draws, extra))
    found = validate_plan(make_network(), schedule, progress=make_progress())
    assert {v.rule for v in found} - {"stock"} == {"status_date"}
    assert any("reported done" in v.message for v in found)


def test_a_plan_dated_otherwise_than_its_progress_is_named_status_date() -> None:
    plan = make_plan(as_of=at(2, 9))
    found = audit_plan(make_network(), plan, progress=make_progress())
    assert [v.rule for v in found] == ["status_date"]


def test_a_finished_part_at_the_wrong_plant_is_named_reported() -> None:
    schedule = make_schedule()
    parts = tuple(
        replace(p, plant_id="P1") if p.work_order_id == FRAME_3 else p
        for p in schedule.finished_parts
    )
    assert rules(replace(schedule, finished_parts=parts)) == {"reported"}


def test_a_finished_part_ready_too_early_is_named_reported() -> None:
    schedule = make_schedule()
    parts = tuple(
        replace(p, ready=at(1, 14)) if p.work_order_id == FRAME_3 else p
        for p in schedule.finished_parts
    )
    found = validate_plan(
        make_network(), replace(schedule, finished_parts=parts), progress=make_progress()
    )
    assert [v.rule for v in found] == ["reported"]
    assert "ready" in found[0].message


def test_a_finished_work_order_without_its_part_is_named_reported() -> None:
    schedule = make_schedule()
    parts = tuple(p for p in schedule.finished_parts if p.work_order_id != FRAME_3)
    found = rules(replace(schedule, finished_parts=parts))
    assert found == {"reported"}


def test_the_stock_part_used_twice_is_named_reported() -> None:
    """ORD-4 also claims the one frame in stock instead of being made."""
    schedule = make_schedule()
    stock_part = replace(schedule.finished_parts[0], work_order_id=SPARE_4)
    schedule = replace(
        schedule,
        work_orders=tuple(wa for wa in schedule.work_orders if wa.work_order_id != SPARE_4),
        operations=tuple(o for o in schedule.operations if o.work_order_id != SPARE_4),
        material_draws=(),
        finished_parts=(*schedule.finished_parts, stock_part),
        deliveries=tuple(
            deliver("ORD-4", "P2", AS_OF, 72) if d.order_id == "ORD-4" else d
            for d in schedule.deliveries
        ),
    )
    found = validate_plan(make_network(), schedule, progress=make_progress())
    assert [v.rule for v in found] == ["reported"]
    assert "takes 2 x 'FRAME' from the parts in stock at 'P2', but 1 lie there" in found[0].message


def test_work_planned_below_a_finished_work_order_is_named_reported() -> None:
    schedule = make_schedule()
    again = assignment(FRAME_3, "P2", at(2, 8), at(2, 11))
    found = validate_plan(
        make_network(),
        replace(schedule, work_orders=(*schedule.work_orders, again)),
        progress=make_progress(),
    )
    assert "reported" in {v.rule for v in found}
    assert any("finished or lies below a finished work order" in v.message for v in found)


def test_an_operation_on_a_machine_that_is_down_is_named_machine_down() -> None:
    schedule = move_op(make_schedule(), SPARE_4, 2, machine_id="MILL-S")
    found = validate_plan(make_network(), schedule, progress=make_progress())
    assert [v.rule for v in found] == ["machine_down"]
    assert "while 1 of its 1 units are down" in found[0].message


def test_a_unit_down_leaves_the_others_to_the_plan() -> None:
    """CAST2 has two units; with one down, one operation at a time still fits."""
    down = MachineDown(plant_id="P2", machine_id="CAST2", units=1, start=AS_OF, end=at(3, 8))
    assert rules(make_schedule(), make_progress(down=(down,))) == set()
    both = replace(down, units=2)
    assert rules(make_schedule(), make_progress(down=(both,))) == {"machine_down"}


def test_reported_work_on_a_machine_down_is_a_fact_not_a_violation() -> None:
    down = MachineDown(plant_id="P2", machine_id="MILL2", start=at(1, 14), end=at(2, 10))
    assert rules(make_schedule(), make_progress(down=(down,))) == set()


def test_a_frozen_operation_moved_is_named_frozen() -> None:
    previous = make_plan(move_op(make_schedule(), SPARE_4, 2, start=at(2, 12), end=at(2, 15)))
    found = validate_plan(
        make_network(),
        make_schedule(),
        progress=make_progress(),
        previous=previous,
        frozen_days=1,
    )
    assert [v.rule for v in found] == ["frozen"]
    assert f"{SPARE_4}#2" in found[0].message


def test_a_frozen_operation_moved_with_an_explanation_is_accepted() -> None:
    previous = make_plan(move_op(make_schedule(), SPARE_4, 2, start=at(2, 12), end=at(2, 15)))
    why = Explanation(kind="unfrozen", subject=f"{SPARE_4}#2", message="MILL2 is free earlier")
    plan = make_plan(explanations=(why,))
    found = audit_plan(
        make_network(), plan, progress=make_progress(), previous=previous, frozen_days=1
    )
    assert found == ()


def test_an_operation_after_the_frozen_window_may_move() -> None:
    """A quarter day is 2 working hours: the milling at 11:00 lies after the window."""
    previous = make_plan(move_op(make_schedule(), SPARE_4, 2, start=at(2, 12), end=at(2, 15)))
    found = validate_plan(
        make_network(),
        make_schedule(),
        progress=make_progress(),
        previous=previous,
        frozen_days=0.25,
    )
    assert found == ()


def test_the_frozen_window_counts_working_days_of_the_network_calendar() -> None:
    calendar = make_network().calendar
    assert frozen_until(calendar, AS_OF, 1) == at(2, 16)
    assert frozen_until(calendar, AS_OF, 2.5) == at(4, 12)
    assert frozen_until(calendar, at(2, 20), 1) == at(3, 16)


def test_a_frozen_window_needs_a_progress() -> None:
    with pytest.raises(PlanningError, match="pass the progress"):
        validate_plan(make_network(), make_schedule(), previous=make_plan(), frozen_days=1)


def test_the_stock_at_the_status_date_takes_out_what_reported_work_used() -> None:
    """30 in stock, 20 supplied on 1 July, 20 taken by ORD-1's casting and 20 by ORD-3's
    finished frames: 10 are left, and ORD-4 draws them; the supply after the status
    date is not counted yet."""
    network = make_network()
    expected = {wo.id: wo for wo in explode_orders(network)}
    assert opening_stock(network, make_progress(), expected) == {("P2", "steel"): 10}
    received = make_progress(
        receipts=(Receipt(plant_id="P2", material_id="steel", quantity=7, arrived=at(1, 9)),)
    )
    assert opening_stock(network, received, expected) == {("P2", "steel"): 17}


def test_a_counted_warehouse_holds_its_count() -> None:
    counted = make_progress(counts=(StockCount(plant_id="P2", material_id="steel", quantity=5),))
    found = validate_plan(make_network(), make_schedule(), progress=counted)
    assert [v.rule for v in found] == ["stock"]


def test_the_progress_secondments_join_the_network_s_for_the_crews() -> None:
    away = Secondment(plant_id="P1", skill="fitter", count=1, start=at(3, 0), end=at(4, 0))
    assert rules(make_schedule(), make_progress(secondments=(away,))) == {"crew"}


def test_new_work_is_placed_in_windows_that_open_at_the_status_date() -> None:
    """Two frames take 5 h to cast: from a status date at 12:00 the 4 h left of the day
    are less than that, so the casting starts at once and pauses overnight, as work
    longer than its window does."""
    network = replace(
        make_network(),
        orders=(Order(id="ORD-5", region="EAST", item_id="FRAME", quantity=2, plant_id="P2"),),
    )
    frames = "ORD-5:FRAME"
    schedule = Schedule(
        work_orders=(
            replace(
                assignment(SPARE_4, "P2", at(2, 12), at(3, 15)),
                work_order_id=frames,
                order_id="ORD-5",
                quantity=2,
            ),
        ),
        operations=(
            op(frames, 1, "cast", "CAST2", at(2, 12), at(3, 9), 5),
            op(frames, 2, "mill", "MILL2", at(3, 9), at(3, 15), 6),
        ),
        shipments=(),
        deliveries=(replace(deliver("ORD-5", "P2", at(3, 15), 72), due=None),),
        material_draws=(replace(draw(at(2, 12)), work_order_id=frames, quantity=20),),
    )
    progress = Progress(as_of=at(2, 12))
    assert validate_plan(network, schedule, progress=progress) == ()
    assert {v.rule for v in validate_plan(network, schedule)} == {"placement"}


DATA = Path(__file__).parents[1] / "data"


def cut(network: Network, plan: Plan, fraction: float) -> tuple[Plan, Progress]:
    """The plan as a replan of its own progress at a fraction of its span: what started
    before the status date is reported, done or started."""
    schedule = plan.schedule
    assert schedule is not None
    last = max(o.end for o in schedule.operations)
    as_of = (network.start + (last - network.start) * fraction).replace(second=0, microsecond=0)
    steps = tuple(
        StepReport(
            work_order_id=o.work_order_id,
            step=o.step,
            status=StepStatus.DONE if o.end <= as_of else StepStatus.STARTED,
            plant_id=o.plant_id,
            machine_id=o.machine_id,
            unit=o.unit,
            start=o.start,
            end=o.end if o.end <= as_of else None,
        )
        for o in schedule.operations
        if o.start < as_of
    )
    return replace(plan, as_of=as_of), Progress(as_of=as_of, steps=steps)


@pytest.mark.parametrize("name", ["ft06.txt", "mk01.fjs", "10J2F.txt"])
@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.8])
def test_an_engine_plan_cut_at_a_status_date_is_a_replan_of_its_own_progress(
    name: str, fraction: float
) -> None:
    """Reported work is judged as fact and new work from the status date on, so the
    engine's plan stays valid, and keeps every frozen operation, whatever is reported."""
    network = read_instance(DATA / "benchmarks" / name)
    plan = read_plan(DATA / "plans" / f"{Path(name).stem}.json")
    replan, progress = cut(network, plan, fraction)
    assert progress.steps
    assert audit_plan(network, replan, progress=progress, previous=plan, frozen_days=2) == ()


def test_a_work_order_begun_at_one_plant_is_made_there() -> None:
    schedule = make_schedule()
    moved = tuple(
        replace(wa, plant_id="P1") if wa.work_order_id == FRAME_1 else wa
        for wa in schedule.work_orders
    )
    found = validate_plan(
        make_network(), replace(schedule, work_orders=moved), progress=make_progress()
    )
    assert "ran at 'P2'" in next(v.message for v in found if v.rule == "reported")


@pytest.mark.parametrize("name", ["ft06.txt", "mk01.fjs", "10J2F.txt"])
def test_a_done_step_of_an_engine_plan_moved_a_minute_is_named_reported(name: str) -> None:
    network = read_instance(DATA / "benchmarks" / name)
    replan, progress = cut(network, read_plan(DATA / "plans" / f"{Path(name).stem}.json"), 0.5)
    done = next(r for r in progress.steps if r.status is StepStatus.DONE and r.step > 1)
    assert replan.schedule is not None
    assert done.end is not None
    schedule = move_op(
        replan.schedule,
        done.work_order_id,
        done.step,
        start=done.start - timedelta(minutes=1),
        end=done.end - timedelta(minutes=1),
    )
    found = validate_plan(network, schedule, progress=progress)
    assert {v.rule for v in found} == {"reported"}
