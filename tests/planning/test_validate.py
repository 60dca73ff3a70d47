"""The plan validator: a hand-made correct schedule passes, and each broken rule is caught."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest

from tests.plans import FRAME, PRESS, SPARE, at, make_schedule
from xiezuo.domain import (
    BomLine,
    Calendar,
    CrewNeed,
    Explanation,
    Item,
    ItemKind,
    Lane,
    Machine,
    MachineTime,
    Material,
    MaterialDraw,
    MaterialLine,
    Network,
    Operation,
    Order,
    Plan,
    PlanStatus,
    Plant,
    Routing,
    Schedule,
    Staffing,
    StockLot,
    Supply,
    UnplannedOrder,
    UnplannedReason,
    validate_network,
)
from xiezuo.planning import solve
from xiezuo.planning.params import PlanParams
from xiezuo.planning.validation.audit import Violation, audit_plan, validate_plan


def make_network() -> Network:
    """Two plants, 08:00-16:00 every day: frames are cast and milled, presses assembled.

    ORD-1 is a press of two frames; frames are made at P2 and shipped to P1 (24 h).
    ORD-2 is a spare frame pinned to P2 and released on 3 July. MILL2 arrives at 13:00 on
    1 July, so that day's window is 3 h: the frames' 6 h of milling start when it opens
    and pause overnight.
    """
    frame_routing = Routing(
        id="cast-mill",
        operations=(
            Operation(
                process="cast",
                setup=timedelta(hours=1),
                run_per_unit=timedelta(hours=2),
                precision_grade=11,  # a casting is machined to the item's grade afterwards
            ),
            Operation(process="mill", run_per_unit=timedelta(hours=3)),
        ),
    )
    return Network(
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
                    Machine(id="CAST1", process="cast", max_weight_t=10, precision_grade=9),
                    Machine(id="MILL1", process="mill", max_weight_t=10, precision_grade=6),
                ),
            ),
            Plant(
                id="P2",
                machines=(
                    Machine(
                        id="CAST2", process="cast", units=2, max_weight_t=10, precision_grade=9
                    ),
                    Machine(
                        id="MILL2",
                        process="mill",
                        max_weight_t=10,
                        precision_grade=6,
                        available_from=at(1, 13),
                    ),
                    Machine(id="MILL-S", process="mill", max_weight_t=2, precision_grade=6),
                ),
            ),
        ),
        items=(
            Item(
                id="PRESS",
                kind=ItemKind.PRODUCT,
                weight_t=10,
                precision_grade=7,
                bom=(BomLine(item_id="FRAME", quantity=2),),
                routings=(
                    Routing(
                        id="assemble",
                        operations=(
                            Operation(process="assemble", run_per_unit=timedelta(hours=3)),
                        ),
                    ),
                ),
            ),
            Item(id="FRAME", weight_t=5, precision_grade=8, routings=(frame_routing,)),
        ),
        orders=(
            Order(id="ORD-1", region="EAST", item_id="PRESS", due=at(10, 16)),
            Order(
                id="ORD-2",
                region="EAST",
                item_id="FRAME",
                due=at(10, 16),
                release=at(3, 8),
                plant_id="P2",
            ),
        ),
        lanes=(
            Lane(origin="P2", destination="P1", lead_time=timedelta(hours=24)),
            Lane(origin="P1", destination="P2", lead_time=timedelta(hours=24)),
            Lane(origin="P1", destination="EAST", lead_time=timedelta(hours=48)),
            Lane(origin="P2", destination="EAST", lead_time=timedelta(hours=72)),
        ),
    )


def replace_op(schedule: Schedule, work_order_id: str, step: int, **changes: Any) -> Schedule:
    operations = tuple(
        replace(o, **changes) if (o.work_order_id, o.step) == (work_order_id, step) else o
        for o in schedule.operations
    )
    return replace(schedule, operations=operations)


def replace_work_order(schedule: Schedule, work_order_id: str, **changes: Any) -> Schedule:
    work_orders = tuple(
        replace(wa, **changes) if wa.work_order_id == work_order_id else wa
        for wa in schedule.work_orders
    )
    return replace(schedule, work_orders=work_orders)


def violations_of(rule: str, violations: tuple[Violation, ...]) -> list[str]:
    return [v.message for v in violations if v.rule == rule]


def test_the_hand_made_network_is_valid() -> None:
    validate_network(make_network())


def test_a_correct_schedule_has_no_violations() -> None:
    assert validate_plan(make_network(), make_schedule()) == ()


def test_shifts_follow_the_network_zone_not_the_schedule_offsets() -> None:
    """A schedule written in UTC (or read back from a file) is judged by Shanghai shifts."""
    schedule = make_schedule()
    in_utc = replace(
        schedule,
        operations=tuple(
            replace(o, start=o.start.astimezone(UTC), end=o.end.astimezone(UTC))
            for o in schedule.operations
        ),
    )
    assert validate_plan(make_network(), in_utc) == ()


def test_a_missing_work_order_is_reported() -> None:
    schedule = make_schedule()
    schedule = replace(
        schedule, work_orders=tuple(wa for wa in schedule.work_orders if wa.work_order_id != FRAME)
    )
    messages = violations_of("work_order", validate_plan(make_network(), schedule))
    assert any(FRAME in m and "not scheduled" in m for m in messages)


def test_a_duplicated_work_order_is_reported() -> None:
    schedule = make_schedule()
    schedule = replace(schedule, work_orders=(*schedule.work_orders, schedule.work_orders[0]))
    messages = violations_of("work_order", validate_plan(make_network(), schedule))
    assert any(PRESS in m and "more than once" in m for m in messages)


def test_an_unknown_work_order_is_reported() -> None:
    schedule = make_schedule()
    ghost = replace(schedule.work_orders[0], work_order_id="ORD-9:PRESS")
    schedule = replace(schedule, work_orders=(*schedule.work_orders, ghost))
    messages = violations_of("work_order", validate_plan(make_network(), schedule))
    assert any("ORD-9:PRESS" in m for m in messages)


def test_a_wrong_quantity_is_reported() -> None:
    schedule = replace_work_order(make_schedule(), FRAME, quantity=3)
    messages = violations_of("work_order", validate_plan(make_network(), schedule))
    assert any(FRAME in m and "quantity 3" in m and "2" in m for m in messages)


def test_a_wrong_parent_is_reported() -> None:
    schedule = replace_work_order(make_schedule(), FRAME, parent_id=None)
    messages = violations_of("work_order", validate_plan(make_network(), schedule))
    assert any(FRAME in m and "parent" in m for m in messages)


def without_spare(schedule: Schedule) -> Schedule:
    return replace(
        schedule,
        work_orders=tuple(wa for wa in schedule.work_orders if wa.order_id != "ORD-2"),
        operations=tuple(o for o in schedule.operations if o.work_order_id != SPARE),
        deliveries=tuple(d for d in schedule.deliveries if d.order_id != "ORD-2"),
    )


def spare_pinned_to_p1(network: Network) -> Network:
    """ORD-2 pinned to P1, which cannot cast: an order no plant may make as asked."""
    orders = tuple(replace(o, plant_id="P1") if o.id == "ORD-2" else o for o in network.orders)
    p1, p2 = network.plants
    p1 = replace(p1, machines=tuple(m for m in p1.machines if m.process != "cast"))
    return replace(network, orders=orders, plants=(p1, p2))


def test_an_order_left_out_for_a_reason_that_holds_may_be_absent() -> None:
    network = spare_pinned_to_p1(make_network())
    reason = UnplannedOrder(
        order_id="ORD-2", reason=UnplannedReason.MISSING_CAPABILITY, message="P1 cannot cast"
    )
    assert validate_plan(network, without_spare(make_schedule()), unplanned=(reason,)) == ()
    assert validate_plan(network, without_spare(make_schedule()), unplanned=("ORD-2",)) == ()


def test_an_order_the_network_can_make_may_not_be_left_out() -> None:
    violations = validate_plan(make_network(), without_spare(make_schedule()), ("ORD-2",))
    assert {v.rule for v in violations} == {"unplanned"}
    (message,) = violations_of("unplanned", violations)
    assert "'ORD-2'" in message
    assert "can make it" in message


def test_a_reason_that_does_not_hold_is_reported() -> None:
    network = spare_pinned_to_p1(make_network())
    reason = UnplannedOrder(
        order_id="ORD-2", reason=UnplannedReason.SHORT_OF_MATERIAL, message="no steel"
    )
    messages = violations_of(
        "unplanned", validate_plan(network, without_spare(make_schedule()), (reason,))
    )
    assert any("short_of_material" in m and "stock and supplies" in m for m in messages)


@pytest.mark.parametrize(
    ("unplanned", "problem"),
    [
        (("ORD-9",), "no such order"),
        (("ORD-1",), "some of its work is scheduled"),
    ],
)
def test_an_unplanned_order_must_be_known_and_absent(
    unplanned: tuple[str, ...], problem: str
) -> None:
    violations = validate_plan(spare_pinned_to_p1(make_network()), make_schedule(), unplanned)
    assert any(problem in m for m in violations_of("unplanned", violations))


def test_an_order_listed_twice_is_reported() -> None:
    network = spare_pinned_to_p1(make_network())
    violations = validate_plan(network, without_spare(make_schedule()), ("ORD-2", "ORD-2"))
    assert violations_of("unplanned", violations) == [
        "order 'ORD-2' is listed as unplanned more than once"
    ]


def test_a_routing_the_plant_cannot_run_is_reported() -> None:
    schedule = replace_work_order(make_schedule(), PRESS, plant_id="P2")
    messages = violations_of("routing", validate_plan(make_network(), schedule))
    assert any("'P2'" in m and "'PRESS'" in m and "'assemble'" in m for m in messages)


def test_an_unknown_routing_is_reported() -> None:
    schedule = replace_work_order(make_schedule(), FRAME, routing_id="forge")
    messages = violations_of("routing", validate_plan(make_network(), schedule))
    assert any(FRAME in m and "'forge'" in m for m in messages)


def test_a_pinned_order_made_elsewhere_is_reported() -> None:
    schedule = replace_work_order(make_schedule(), SPARE, plant_id="P1")
    messages = violations_of("pinned_plant", validate_plan(make_network(), schedule))
    assert any(SPARE in m and "'P1'" in m and "'P2'" in m for m in messages)


def test_a_missing_step_is_reported() -> None:
    schedule = make_schedule()
    schedule = replace(
        schedule,
        operations=tuple(o for o in schedule.operations if (o.work_order_id, o.step) != (SPARE, 2)),
    )
    messages = violations_of("operation_steps", validate_plan(make_network(), schedule))
    assert any(SPARE in m and "[1]" in m and "[1, 2]" in m for m in messages)


def test_a_wrong_process_is_reported() -> None:
    schedule = replace_op(make_schedule(), SPARE, 2, process="cast")
    messages = violations_of("operation_steps", validate_plan(make_network(), schedule))
    assert any(SPARE in m and "'cast'" in m and "'mill'" in m for m in messages)


def test_a_machine_of_another_plant_is_reported() -> None:
    schedule = replace_op(make_schedule(), SPARE, 2, plant_id="P1", machine_id="MILL1")
    messages = violations_of("machine", validate_plan(make_network(), schedule))
    assert any(SPARE in m and "'P1'" in m for m in messages)


def test_a_machine_of_another_process_is_reported() -> None:
    schedule = replace_op(make_schedule(), SPARE, 2, machine_id="CAST2")
    messages = violations_of("machine", validate_plan(make_network(), schedule))
    assert any(SPARE in m and "'CAST2'" in m for m in messages)


def test_an_incapable_machine_is_reported() -> None:
    schedule = replace_op(make_schedule(), SPARE, 2, machine_id="MILL-S")
    messages = violations_of("machine", validate_plan(make_network(), schedule))
    assert any(SPARE in m and "'MILL-S'" in m and "5 t" in m for m in messages)


def test_a_unit_out_of_range_is_reported() -> None:
    schedule = replace_op(make_schedule(), SPARE, 1, unit=2)
    messages = violations_of("machine", validate_plan(make_network(), schedule))
    assert any(SPARE in m and "unit 2" in m and "'CAST2'" in m for m in messages)


def test_an_operation_ending_before_it_starts_is_reported() -> None:
    schedule = replace_op(make_schedule(), SPARE, 2, end=at(3, 11))
    messages = violations_of("calendar", validate_plan(make_network(), schedule))
    assert any(SPARE in m and "not before its end" in m for m in messages)


def test_wrong_recorded_work_is_reported() -> None:
    schedule = replace_op(make_schedule(), SPARE, 2, work=timedelta(hours=2))
    messages = violations_of("calendar", validate_plan(make_network(), schedule))
    assert any(SPARE in m and "2 h" in m and "3 h" in m for m in messages)


def test_too_little_working_time_is_reported() -> None:
    """Milling the frames needs 6 h; 13:00 to 08:00 next day holds only 3 working hours."""
    schedule = replace_op(make_schedule(), FRAME, 2, end=at(2, 8))
    messages = violations_of("calendar", validate_plan(make_network(), schedule))
    assert any(FRAME in m and "only 3 h" in m and "'MILL2'" in m for m in messages)


def test_a_start_in_non_working_time_is_reported() -> None:
    schedule = replace_op(make_schedule(), FRAME, 2, start=at(1, 16))
    messages = violations_of("calendar", validate_plan(make_network(), schedule))
    assert any(FRAME in m and "does not work" in m and "16:00" in m for m in messages)


def test_overlapping_operations_are_reported() -> None:
    schedule = replace_op(make_schedule(), SPARE, 1, start=at(1, 12), end=at(1, 15))
    messages = violations_of("overlap", validate_plan(make_network(), schedule))
    assert any(SPARE in m and FRAME in m and "'CAST2'" in m for m in messages)


def test_a_contained_overlap_behind_a_short_operation_is_reported() -> None:
    """An op inside a long one is caught even when a short op sits between them."""
    schedule = make_schedule()
    schedule = replace_op(schedule, SPARE, 1, start=at(1, 9), end=at(1, 10))
    schedule = replace_op(schedule, SPARE, 2, machine_id="CAST2", process="cast")
    schedule = replace_op(schedule, SPARE, 2, start=at(1, 11), end=at(1, 12))
    messages = violations_of("overlap", validate_plan(make_network(), schedule))
    assert sum(FRAME in m for m in messages) == 2


def test_a_step_starting_before_the_previous_one_ends_is_reported() -> None:
    schedule = replace_op(make_schedule(), SPARE, 2, start=at(3, 10), end=at(3, 13))
    messages = violations_of("routing_precedence", validate_plan(make_network(), schedule))
    assert any(SPARE in m and "step 2" in m and "step 1" in m for m in messages)


def test_an_assembly_before_its_component_arrives_is_reported() -> None:
    schedule = replace_op(make_schedule(), PRESS, 1, start=at(3, 8), end=at(3, 11))
    messages = violations_of("bom_precedence", validate_plan(make_network(), schedule))
    assert any(PRESS in m and FRAME in m and "24 h" in m for m in messages)


def test_a_missing_shipment_is_reported() -> None:
    schedule = replace(make_schedule(), shipments=())
    messages = violations_of("shipment", validate_plan(make_network(), schedule))
    assert any(FRAME in m and "no shipment" in m for m in messages)


def test_a_shipment_leaving_too_early_is_reported() -> None:
    schedule = make_schedule()
    early = replace(schedule.shipments[0], depart=at(2, 10), arrive=at(3, 10))
    messages = violations_of(
        "shipment", validate_plan(make_network(), replace(schedule, shipments=(early,)))
    )
    assert any(FRAME in m and "departs" in m for m in messages)


def test_a_shipment_with_the_wrong_transit_time_is_reported() -> None:
    schedule = make_schedule()
    quick = replace(schedule.shipments[0], arrive=at(3, 9))
    messages = violations_of(
        "shipment", validate_plan(make_network(), replace(schedule, shipments=(quick,)))
    )
    assert any(FRAME in m and "not 24 h" in m for m in messages)


def test_a_shipment_of_a_same_plant_component_is_reported() -> None:
    schedule = make_schedule()
    extra = replace(schedule.shipments[0], work_order_id=SPARE)
    schedule = replace(schedule, shipments=(*schedule.shipments, extra))
    messages = violations_of("shipment", validate_plan(make_network(), schedule))
    assert any(SPARE in m for m in messages)


def test_a_missing_lane_is_reported() -> None:
    network = make_network()
    network = replace(network, lanes=tuple(lane for lane in network.lanes if lane.origin != "P2"))
    messages = violations_of("lane", validate_plan(network, make_schedule()))
    assert any(FRAME in m and "'P2'" in m and "'P1'" in m for m in messages)
    assert any("ORD-2" in m and "'EAST'" in m for m in messages)


def test_an_operation_before_the_release_is_reported() -> None:
    schedule = make_schedule()
    schedule = replace_op(schedule, SPARE, 1, start=at(2, 8), end=at(2, 11))
    schedule = replace_work_order(schedule, SPARE, start=at(2, 8))
    messages = violations_of("release", validate_plan(make_network(), schedule))
    assert any(SPARE in m and "release of order 'ORD-2'" in m for m in messages)


def test_an_operation_before_the_network_start_is_reported() -> None:
    network = replace(make_network(), start=at(1, 9))
    messages = violations_of("release", validate_plan(network, make_schedule()))
    assert any(FRAME in m and "network start" in m for m in messages)


def test_a_missing_delivery_is_reported() -> None:
    schedule = make_schedule()
    schedule = replace(schedule, deliveries=schedule.deliveries[:1])
    messages = violations_of("delivery", validate_plan(make_network(), schedule))
    assert any("'ORD-2'" in m and "no delivery" in m for m in messages)


def test_a_duplicated_delivery_is_reported() -> None:
    schedule = make_schedule()
    schedule = replace(schedule, deliveries=(*schedule.deliveries, schedule.deliveries[0]))
    messages = violations_of("delivery", validate_plan(make_network(), schedule))
    assert any("'ORD-1'" in m and "2 deliveries" in m for m in messages)


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("plant_id", "P2", "plant 'P2'"),
        ("finish", at(3, 15), "finish 1958-07-03T15:00:00+08:00"),
        ("arrival", at(5, 15), "arrival 1958-07-05T15:00:00+08:00"),
        ("due", at(9, 16), "due date 1958-07-09T16:00:00+08:00"),
    ],
)
def test_a_wrong_delivery_field_is_reported(field: str, value: Any, named: str) -> None:
    schedule = make_schedule()
    wrong = replace(schedule.deliveries[0], **{field: value})
    schedule = replace(schedule, deliveries=(wrong, *schedule.deliveries[1:]))
    messages = violations_of("delivery", validate_plan(make_network(), schedule))
    assert any("'ORD-1'" in m and named in m for m in messages)


def test_assignment_times_must_match_the_operations() -> None:
    schedule = replace_work_order(make_schedule(), FRAME, end=at(2, 12))
    messages = violations_of("assignment_times", validate_plan(make_network(), schedule))
    assert any(FRAME in m and "1958-07-02T11:00:00+08:00" in m for m in messages)


def test_violations_name_their_subject() -> None:
    schedule = replace_op(make_schedule(), SPARE, 1, unit=5)
    (violation,) = validate_plan(make_network(), schedule)
    assert violation.subject == f"work order {SPARE} step 1"


def with_frame_mill(network: Network, mill: Operation) -> Network:
    """The frame's milling replaced by ``mill``, and a second full-size mill MILL3 at P2."""
    frame = network.item_by_id["FRAME"]
    (routing,) = frame.routings
    routing = replace(routing, operations=(routing.operations[0], mill))
    p1, p2 = network.plants
    mill3 = Machine(id="MILL3", process="mill", max_weight_t=10, precision_grade=6)
    items = tuple(replace(i, routings=(routing,)) if i.id == "FRAME" else i for i in network.items)
    return replace(network, items=items, plants=(p1, replace(p2, machines=(*p2.machines, mill3))))


ONLY_ON_MILL2 = Operation(
    process="mill",
    machine_times=(MachineTime(machine_id="MILL2", run_per_unit=timedelta(hours=3)),),
)


def test_a_step_with_machine_times_only_passes_on_a_listed_machine() -> None:
    assert validate_plan(with_frame_mill(make_network(), ONLY_ON_MILL2), make_schedule()) == ()


def test_a_step_moved_to_a_machine_it_has_no_time_for_is_reported() -> None:
    network = with_frame_mill(make_network(), ONLY_ON_MILL2)
    schedule = replace_op(make_schedule(), SPARE, 2, machine_id="MILL3")
    violations = validate_plan(network, schedule)
    assert {v.rule for v in violations} == {"machine"}
    assert "'MILL3'" in violations[0].message
    assert "only on 'MILL2'" in violations[0].message


def test_a_step_with_machine_times_cut_to_a_minute_is_reported() -> None:
    network = with_frame_mill(make_network(), ONLY_ON_MILL2)
    schedule = replace_op(make_schedule(), SPARE, 2, end=at(3, 11, 1), work=timedelta(minutes=1))
    messages = violations_of("calendar", validate_plan(network, schedule))
    assert any(SPARE in m and "3 h" in m for m in messages)


def test_a_machine_time_override_sets_the_work_on_that_machine() -> None:
    """Milling takes 3 h per unit, but 1 h on MILL3: 3 h recorded there is wrong."""
    faster = Operation(
        process="mill",
        run_per_unit=timedelta(hours=3),
        machine_times=(MachineTime(machine_id="MILL3", run_per_unit=timedelta(hours=1)),),
    )
    network = with_frame_mill(make_network(), faster)
    schedule = replace_op(make_schedule(), SPARE, 2, machine_id="MILL3")
    messages = violations_of("calendar", validate_plan(network, schedule))
    assert any("'MILL3'" in m and "records 3 h" in m and "need 1 h" in m for m in messages)


def test_work_that_fits_a_window_but_is_split_over_a_night_is_reported() -> None:
    """The spare's 3 h of milling fit the 08:00-16:00 window, so 15:00-10:00 is wrong."""
    schedule = make_schedule()
    schedule = replace_op(schedule, SPARE, 2, start=at(3, 15), end=at(4, 10))
    schedule = replace_work_order(schedule, SPARE, end=at(4, 10))
    violations = validate_plan(make_network(), schedule)
    placement = violations_of("placement", violations)
    assert len(placement) == 1
    assert "fits in the working window" in placement[0]
    assert "1958-07-03T18:00:00+08:00" in placement[0]  # where the work would be done


def test_work_holding_its_unit_after_it_is_done_is_reported() -> None:
    schedule = replace_op(make_schedule(), SPARE, 2, end=at(3, 15))
    messages = violations_of("placement", validate_plan(make_network(), schedule))
    assert any(SPARE in m and "not at 1958-07-03T15:00:00+08:00" in m for m in messages)


def test_long_work_must_start_when_its_window_opens() -> None:
    """6 h of milling do not fit the 3 h window of 1 July, so they start at 13:00."""
    schedule = replace_op(make_schedule(), FRAME, 2, start=at(1, 14), end=at(2, 12))
    messages = violations_of("placement", validate_plan(make_network(), schedule))
    assert any(FRAME in m and "starts when that window opens" in m for m in messages)


def test_long_work_must_end_when_its_work_is_done() -> None:
    schedule = replace_op(make_schedule(), FRAME, 2, end=at(2, 12))
    messages = violations_of("placement", validate_plan(make_network(), schedule))
    assert any(FRAME in m and "1958-07-02T11:00:00+08:00" in m for m in messages)


def with_steel(network: Network) -> Network:
    """Frames take 1 t of steel per unit at casting; P2 holds 3 t."""
    items = tuple(
        replace(i, materials=(MaterialLine(material_id="steel", quantity=1, step=1),))
        if i.id == "FRAME"
        else i
        for i in network.items
    )
    return replace(
        network,
        items=items,
        materials=(Material(id="steel", unit="t"),),
        stock=(StockLot(plant_id="P2", material_id="steel", quantity=3),),
    )


def steel_draw(work_order_id: str, quantity: int, start: datetime) -> MaterialDraw:
    return MaterialDraw(
        work_order_id=work_order_id,
        step=1,
        material_id="steel",
        quantity=quantity,
        origin="P2",
        destination="P2",
        depart=start,
        arrive=start,
    )


def test_steel_drawn_in_full_passes() -> None:
    schedule = replace(
        make_schedule(),
        material_draws=(steel_draw(FRAME, 2, at(1, 8)), steel_draw(SPARE, 1, at(3, 8))),
    )
    assert validate_plan(with_steel(make_network()), schedule) == ()


def test_a_negative_draw_hiding_a_shortage_is_reported() -> None:
    """Drawing 3 + (-1) for the frames would leave 1 t for the spare out of thin air."""
    network = with_steel(make_network())
    network = replace(network, stock=(replace(network.stock[0], quantity=2),))
    schedule = replace(
        make_schedule(),
        material_draws=(
            steel_draw(FRAME, 3, at(1, 8)),
            steel_draw(FRAME, -1, at(1, 8)),
            steel_draw(SPARE, 1, at(3, 8)),
        ),
    )
    violations = validate_plan(network, schedule)
    assert any("-1 steel" in m and "positive" in m for m in violations_of("material", violations))


def test_an_order_short_of_material_may_be_left_out() -> None:
    network = with_steel(make_network())
    network = replace(network, stock=(replace(network.stock[0], quantity=2),))
    schedule = replace(
        without_spare(make_schedule()), material_draws=(steel_draw(FRAME, 2, at(1, 8)),)
    )
    short = UnplannedOrder(
        order_id="ORD-2", reason=UnplannedReason.SHORT_OF_MATERIAL, message="no steel left"
    )
    assert validate_plan(network, schedule, (short,)) == ()
    more = replace(network, stock=(replace(network.stock[0], quantity=3),))
    assert {v.rule for v in validate_plan(more, schedule, (short,))} == {"unplanned"}


def test_an_order_whose_only_machine_leaves_too_soon_may_be_left_out() -> None:
    """The only caster leaves before its first shift ends: no frame can be cast."""
    network = make_network()
    p1, p2 = network.plants
    machines = tuple(
        replace(m, available_until=at(1, 9)) if m.process == "cast" else m
        for m in (*p1.machines, *p2.machines)
    )
    network = replace(
        network,
        plants=(
            replace(p1, machines=machines[: len(p1.machines)]),
            replace(p2, machines=machines[len(p1.machines) :]),
        ),
    )
    unplaceable = tuple(
        UnplannedOrder(order_id=o, reason=UnplannedReason.UNPLACEABLE, message="too brief")
        for o in ("ORD-1", "ORD-2")
    )
    empty = Schedule(work_orders=(), operations=(), shipments=(), deliveries=())
    assert validate_plan(network, empty, unplaceable) == ()
    assert {v.rule for v in validate_plan(make_network(), empty, unplaceable)} == {"unplanned"}


def casters_leaving_before_steel_arrives(supply_day: int) -> Network:
    """No steel in stock; 3 t arrive on ``supply_day``; every caster leaves on 4 July."""
    network = with_steel(make_network())
    plants = tuple(
        replace(
            plant,
            machines=tuple(
                replace(m, available_until=at(4, 16)) if m.process == "cast" else m
                for m in plant.machines
            ),
        )
        for plant in network.plants
    )
    return replace(
        network,
        plants=plants,
        stock=(replace(network.stock[0], quantity=0),),
        supplies=(
            Supply(plant_id="P2", material_id="steel", quantity=3, arrives=at(supply_day, 8)),
        ),
    )


def test_an_order_whose_material_comes_after_its_machines_leave_may_be_left_out() -> None:
    unplaceable = tuple(
        UnplannedOrder(order_id=o, reason=UnplannedReason.UNPLACEABLE, message="too late")
        for o in ("ORD-1", "ORD-2")
    )
    empty = Schedule(work_orders=(), operations=(), shipments=(), deliveries=())
    assert validate_plan(casters_leaving_before_steel_arrives(5), empty, unplaceable) == ()
    refuted = validate_plan(casters_leaving_before_steel_arrives(2), empty, unplaceable)
    assert [v.rule for v in refuted] == ["unplanned", "unplanned"]


def casters_leaving(hour: int) -> Network:
    """The spare released at once; every caster leaves on 1 July at ``hour``."""
    network = make_network()
    plants = tuple(
        replace(
            plant,
            machines=tuple(
                replace(m, units=1, available_until=at(1, hour)) if m.process == "cast" else m
                for m in plant.machines
            ),
        )
        for plant in network.plants
    )
    orders = tuple(replace(o, release=None) for o in network.orders)
    return replace(network, plants=plants, orders=orders)


def test_an_order_crowded_out_by_the_plans_other_work_may_be_left_out() -> None:
    """The frames are cast 08:00-13:00; the spare's 3 h of casting fit before the
    casters leave at 16:00, not at 15:00."""
    spare = UnplannedOrder(order_id="ORD-2", reason=UnplannedReason.UNPLACEABLE, message="")
    schedule = without_spare(make_schedule())
    assert validate_plan(casters_leaving(15), schedule, (spare,)) == ()
    refuted = validate_plan(casters_leaving(16), schedule, (spare,))
    assert [v.rule for v in refuted] == ["unplanned"]


def design_before_a_leaving_press(press_leaves_h: float, design_lead_h: float = 0) -> Network:
    """A mill of drawings (20 h of design, gating the rest) and a part (5 h on a press
    that leaves ``press_leaves_h`` hours after the start), assembled at plant A. The
    only designer works at A, or, with ``design_lead_h``, at plant B that many hours
    from A: the part is makeable only if the press stays for 25 h plus the lead."""
    start = datetime(1958, 7, 1, tzinfo=UTC)
    always = Calendar(
        working_days=(0, 1, 2, 3, 4, 5, 6), shifts_per_day=3, shift_length=timedelta(hours=8)
    )

    def item(item_id: str, operation: Operation, bom: tuple[BomLine, ...] = ()) -> Item:
        routings = (Routing(id="main", operations=(operation,)),)
        kind = ItemKind.PRODUCT if bom else ItemKind.PART
        return Item(
            id=item_id, kind=kind, weight_t=5, precision_grade=8, bom=bom, routings=routings
        )

    def machine(machine_id: str, process: str, **kw: Any) -> Machine:
        return Machine(id=machine_id, process=process, max_weight_t=50, precision_grade=6, **kw)

    press = machine("press", "forging", available_until=start + timedelta(hours=press_leaves_h))
    design_plant = "B" if design_lead_h else "A"
    lanes = [Lane(origin=p, destination="R", lead_time=timedelta(0)) for p in ("A", "B")]
    lanes += [
        Lane(origin=a, destination=b, lead_time=timedelta(hours=design_lead_h))
        for a, b in (("A", "B"), ("B", "A"))
    ]
    network = Network(
        start=start,
        calendar=always,
        processes=("forging", "assembly"),
        regions=("R",),
        plants=(Plant(id="A", machines=(press, machine("bench", "assembly"))), Plant(id="B")),
        items=(
            item(
                "DRAWINGS",
                Operation(
                    process=None,
                    run_per_unit=timedelta(hours=20),
                    crew=(CrewNeed(skill="designer", size=1),),
                ),
            ),
            item("PART", Operation(process="forging", run_per_unit=timedelta(hours=5))),
            item(
                "MILL",
                Operation(process="assembly", run_per_unit=timedelta(hours=1)),
                bom=(
                    BomLine(item_id="DRAWINGS", quantity=1, is_design=True),
                    BomLine(item_id="PART", quantity=1),
                ),
            ),
        ),
        orders=(
            Order(
                id="o1", region="R", item_id="MILL", due=start + timedelta(hours=100), priority=1
            ),
        ),
        lanes=tuple(lanes),
        skills=("designer",),
        staffing=(Staffing(plant_id=design_plant, skill="designer", headcount=1),),
    )
    validate_network(network)
    return network


def test_an_order_whose_design_holds_its_work_until_the_machine_leaves_may_be_left_out() -> None:
    """The drawings take 20 h and gate the part, whose press leaves at 15 h: the part
    cannot start until the press is gone, though it fits beside the drawings."""
    network = design_before_a_leaving_press(15)
    plan = solve.plan(network, PlanParams(time_limit_s=1, workers=1))
    assert [(u.order_id, u.reason) for u in plan.unplanned] == [("o1", UnplannedReason.UNPLACEABLE)]
    assert audit_plan(network, plan) == ()
    makeable = design_before_a_leaving_press(26)
    refuted = audit_plan(makeable, plan)
    assert [v.rule for v in refuted] == ["unplanned"]
    made = solve.plan(makeable, PlanParams(time_limit_s=1, workers=1))
    assert made.unplanned == ()
    assert audit_plan(makeable, made) == ()


@pytest.mark.parametrize(
    ("press_leaves_h", "design_lead_h", "makeable"),
    [(24, 0, False), (26, 0, True), (27, 3, False), (29, 3, True)],
)
def test_designs_gate_the_earliest_finish_of_an_unplaceable_order(
    press_leaves_h: float, design_lead_h: float, makeable: bool
) -> None:
    """The part starts once the drawings are done (20 h) and have travelled from the
    designer's plant, and takes 5 h on the press."""
    network = design_before_a_leaving_press(press_leaves_h, design_lead_h)
    unplaceable = UnplannedOrder(order_id="o1", reason=UnplannedReason.UNPLACEABLE, message="")
    empty = Schedule(work_orders=(), operations=(), shipments=(), deliveries=())
    found = [v.rule for v in validate_plan(network, empty, (unplaceable,))]
    assert found == (["unplanned"] if makeable else [])


def steel_drawn_later(press_leaves_h: float) -> Network:
    """Two rings of 1 t of steel and 5 h on a press that leaves ``press_leaves_h`` hours
    after the start. The warehouse holds 1 t at the start and receives 1 t at 20 h;
    ring ``a`` is released at 10 h, ring ``b`` at once."""
    start = datetime(1958, 7, 1, tzinfo=UTC)
    always = Calendar(
        working_days=(0, 1, 2, 3, 4, 5, 6), shifts_per_day=3, shift_length=timedelta(hours=8)
    )
    ring = Item(
        id="RING",
        weight_t=5,
        precision_grade=8,
        materials=(MaterialLine(material_id="steel", quantity=1),),
        routings=(
            Routing(
                id="main",
                operations=(Operation(process="forging", run_per_unit=timedelta(hours=5)),),
            ),
        ),
    )
    press = Machine(
        id="press",
        process="forging",
        max_weight_t=50,
        precision_grade=6,
        available_until=start + timedelta(hours=press_leaves_h),
    )
    far = start + timedelta(days=10)
    network = Network(
        start=start,
        calendar=always,
        processes=("forging",),
        regions=("R",),
        plants=(Plant(id="A", machines=(press,)),),
        items=(ring,),
        orders=(
            Order(
                id="a",
                region="R",
                item_id="RING",
                due=start + timedelta(hours=15),
                release=start + timedelta(hours=10),
            ),
            Order(id="b", region="R", item_id="RING", due=far),
        ),
        lanes=(Lane(origin="A", destination="R", lead_time=timedelta(0)),),
        materials=(Material(id="steel", unit="t"),),
        stock=(StockLot(plant_id="A", material_id="steel", quantity=1),),
        supplies=(
            Supply(
                plant_id="A",
                material_id="steel",
                quantity=1,
                arrives=start + timedelta(hours=20),
            ),
        ),
    )
    validate_network(network)
    return network


def test_material_the_plan_draws_later_is_not_left_for_an_unplaceable_order() -> None:
    """Ring a draws the only steel at 10 h, so ring b waits for the steel arriving at
    20 h and needs the press until 25 h: unplaceable if the press leaves at 24 h,
    though the steel is in the warehouse from the start until 10 h."""
    network = steel_drawn_later(24)
    plan = solve.plan(network, PlanParams(time_limit_s=1, workers=1))
    assert [(u.order_id, u.reason) for u in plan.unplanned] == [("b", UnplannedReason.UNPLACEABLE)]
    assert plan.schedule is not None
    assert [d.depart for d in plan.schedule.material_draws] == [network.start + timedelta(hours=10)]
    assert audit_plan(network, plan) == ()
    refuted = audit_plan(steel_drawn_later(26), plan)
    assert [v.rule for v in refuted] == ["unplanned"]


@pytest.mark.parametrize(("press_leaves_h", "makeable"), [(24, False), (26, True)])
def test_material_must_travel_to_the_plant_of_an_unplaceable_order(
    press_leaves_h: float, makeable: bool
) -> None:
    """The only steel lies at warehouse B, 20 h from the press at A: the ring can start
    at 20 h and needs the press until 25 h."""
    network = steel_drawn_later(press_leaves_h)
    lanes = (
        *network.lanes,
        Lane(origin="B", destination="A", lead_time=timedelta(hours=20)),
        Lane(origin="B", destination="R", lead_time=timedelta(0)),
    )
    network = replace(
        network,
        plants=(*network.plants, Plant(id="B")),
        orders=network.orders[1:],
        lanes=lanes,
        stock=(StockLot(plant_id="B", material_id="steel", quantity=1),),
        supplies=(),
    )
    validate_network(network)
    plan = solve.plan(network, PlanParams(time_limit_s=1, workers=1))
    assert [u.order_id for u in plan.unplanned] == ([] if makeable else ["b"])
    assert audit_plan(network, plan) == ()
    unplaceable = UnplannedOrder(order_id="b", reason=UnplannedReason.UNPLACEABLE, message="")
    empty = Schedule(work_orders=(), operations=(), shipments=(), deliveries=())
    found = [v.rule for v in validate_plan(network, empty, (unplaceable,))]
    assert found == (["unplanned"] if makeable else [])


def test_instants_decades_from_the_start_are_refused_without_laying_out_shifts() -> None:
    schedule = replace_op(make_schedule(), SPARE, 2, end=datetime(2390, 7, 3, 14, tzinfo=UTC))
    violations = validate_plan(make_network(), schedule)
    assert [v.rule for v in violations] == ["horizon"]
    assert "2390-07-03" in violations[0].message


def make_plan(schedule: Schedule | None = None, **figures: Any) -> Plan:
    """The hand-made schedule as a plan with its true figures: nothing late, the spare
    arriving last, 5 days 6 hours after the start."""
    stated: dict[str, Any] = {
        "status": PlanStatus.FEASIBLE,
        "tardiness_hours": 0.0,
        "tardiness_bound": 0.0,
        "makespan": timedelta(days=5, hours=6),
        "makespan_bound": timedelta(days=2),
    }
    stated.update(figures)
    return Plan(schedule=make_schedule() if schedule is None else schedule, **stated)


def test_a_plan_with_its_true_figures_passes_the_audit() -> None:
    assert audit_plan(make_network(), make_plan()) == ()


@pytest.mark.parametrize(
    ("figures", "problem"),
    [
        ({"tardiness_hours": 3.0}, "weighted tardiness of 3 h"),
        ({"makespan": timedelta(days=4)}, "makespan of 96 h"),
        ({"makespan": None}, "no makespan"),
        ({"tardiness_hours": None}, "no weighted tardiness"),
        ({"makespan_bound": timedelta(days=6)}, "is above it"),
        ({"tardiness_bound": -1.0}, "is negative"),
        ({"status": PlanStatus.OPTIMAL}, "'optimal', but the bound on its makespan"),
        ({"status": PlanStatus.INFEASIBLE}, "'infeasible' but has a schedule"),
    ],
)
def test_figures_that_disagree_with_the_schedule_are_reported(
    figures: dict[str, Any], problem: str
) -> None:
    violations = audit_plan(make_network(), make_plan(**figures))
    assert {v.rule for v in violations} == {"figures"}
    assert any(problem in v.message for v in violations)


def test_late_deliveries_count_by_priority() -> None:
    """ORD-1 due 5 July 10:00 arrives 4 h late; at priority 3 that is 12 weighted hours."""
    network = make_network()
    orders = tuple(
        replace(o, due=at(5, 10), priority=3) if o.id == "ORD-1" else o for o in network.orders
    )
    schedule = make_schedule()
    schedule = replace(
        schedule,
        deliveries=(replace(schedule.deliveries[0], due=at(5, 10)), *schedule.deliveries[1:]),
    )
    network = replace(network, orders=orders)
    late = (Explanation(kind="late", subject="ORD-1", message="4 h late"),)
    assert audit_plan(network, make_plan(schedule, tardiness_hours=12.0, explanations=late)) == ()
    assert {v.rule for v in audit_plan(network, make_plan(schedule, explanations=late))} == {
        "figures"
    }
    unexplained = audit_plan(network, make_plan(schedule, tardiness_hours=12.0))
    assert [v.message for v in unexplained] == ["order 'ORD-1' is late but not explained as late"]


def test_a_plan_without_a_schedule_states_no_figures() -> None:
    plan = Plan(status=PlanStatus.OPTIMAL, schedule=None, makespan=timedelta(hours=1))
    messages = [v.message for v in audit_plan(make_network(), plan)]
    assert any("'optimal' but has no schedule" in m for m in messages)
    assert any("states a makespan" in m for m in messages)
    assert audit_plan(make_network(), Plan(status=PlanStatus.INFEASIBLE, schedule=None)) == ()
