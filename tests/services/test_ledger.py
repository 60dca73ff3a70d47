"""The cooperation ledger: promises between plants, waits, help given and received."""

from __future__ import annotations

from dataclasses import replace
from datetime import time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import at, build_item, build_machine, build_network, build_order, hours
from tests.strategies import networks, progresses
from xiezuo.domain import (
    BomLine,
    Calendar,
    Delivery,
    Explanation,
    FinishedPart,
    FinishedWorkOrder,
    Lane,
    Network,
    PartSource,
    Plan,
    PlanStatus,
    Plant,
    Progress,
    Schedule,
    ScheduledOperation,
    Secondment,
    Shipment,
    StepReport,
    StepStatus,
    WorkOrderAssignment,
)
from xiezuo.errors import InputError, ModelError
from xiezuo.planning.params import PlanParams
from xiezuo.planning.solve import plan as plan_network
from xiezuo.services.ledger import (
    DEFAULT_RISK_SLACK,
    PromiseState,
    build_ledger,
    check_promises,
    critical_chain,
    help_given_and_received,
    ledger_for_plant,
    promises,
)

BLANK = "O1:PUMP/BLANK"
PUMP = "O1:PUMP"
DAY_SHIFT = Calendar(
    working_days=tuple(range(7)),
    shifts_per_day=1,
    shift_length=timedelta(hours=8),
    first_shift_start=time(8, 0),
)


def pump_network(b_calendar: Calendar | None = None, due_h: float = 30) -> Network:
    """A forges a blank (5 h) that travels 10 h to B, which assembles a pump from it (3 h)."""
    return build_network(
        plants=(
            Plant(id="A", machines=(build_machine("press", "forging"),)),
            Plant(id="B", calendar=b_calendar, machines=(build_machine("bay", "assembly"),)),
        ),
        items=(
            build_item("BLANK", ("forging", 5)),
            build_item("PUMP", ("assembly", 3), bom=(BomLine(item_id="BLANK", quantity=1),)),
        ),
        orders=(build_order("O1", "PUMP", due_h),),
        lanes=(Lane(origin="A", destination="B", lead_time=hours(10)),),
    )


def _operation(
    wo: str, plant: str, machine: str, start_h: float, end_h: float
) -> ScheduledOperation:
    return ScheduledOperation(
        work_order_id=wo,
        step=1,
        process="forging" if plant == "A" else "assembly",
        plant_id=plant,
        machine_id=machine,
        unit=0,
        start=at(start_h),
        end=at(end_h),
        work=hours(end_h - start_h),
    )


def pump_plan(pump_start_h: float = 15, due_h: float = 30) -> Plan:
    """The blank is forged 0-5 h at A and reaches B at 15 h; B assembles from ``pump_start_h``."""
    pump_end_h = pump_start_h + 3
    return Plan(
        status=PlanStatus.FEASIBLE,
        schedule=Schedule(
            work_orders=(
                WorkOrderAssignment(
                    work_order_id=PUMP,
                    order_id="O1",
                    item_id="PUMP",
                    quantity=1,
                    parent_id=None,
                    plant_id="B",
                    routing_id="main",
                    start=at(pump_start_h),
                    end=at(pump_end_h),
                ),
                WorkOrderAssignment(
                    work_order_id=BLANK,
                    order_id="O1",
                    item_id="BLANK",
                    quantity=1,
                    parent_id=PUMP,
                    plant_id="A",
                    routing_id="main",
                    start=at(0),
                    end=at(5),
                ),
            ),
            operations=(
                _operation(BLANK, "A", "press", 0, 5),
                _operation(PUMP, "B", "bay", pump_start_h, pump_end_h),
            ),
            shipments=(
                Shipment(
                    work_order_id=BLANK, origin="A", destination="B", depart=at(5), arrive=at(15)
                ),
            ),
            deliveries=(
                Delivery(
                    order_id="O1",
                    plant_id="B",
                    region="R",
                    finish=at(pump_end_h),
                    arrival=at(pump_end_h),
                    due=at(due_h),
                ),
            ),
        ),
        explanations=(Explanation(kind="late", subject="O1", message="it waits for A"),),
    )


def test_b_waits_on_a_in_the_engines_plan() -> None:
    """The engine's plan of the pump: one promise, A to B, arriving just when B needs it."""
    network = pump_network()
    result = plan_network(network, PlanParams(time_limit_s=2, workers=1))
    ledger = build_ledger(network, result)
    (promise,) = ledger.promises
    assert (promise.origin, promise.destination, promise.work_order_id) == ("A", "B", BLANK)
    assert (promise.order_id, promise.item_id, promise.quantity) == ("O1", "BLANK", 1)
    assert promise.arrive == at(15)
    assert promise.need == at(15)
    assert promise.slack == timedelta(0)
    assert promise.is_on_time
    (wait,) = ledger.waits
    assert (wait.waiting, wait.on, wait.promises, wait.late) == ("B", "A", 1, 0)
    help_by_plant = {h.plant_id: h for h in ledger.help}
    assert help_by_plant["A"].given == hours(5)
    assert help_by_plant["A"].received == timedelta(0)
    assert help_by_plant["B"].received == hours(5)
    assert help_by_plant["B"].own == hours(3)
    assert help_by_plant["A"].by_region == (("R", hours(5)),)
    assert ledger.late_orders == ()


def test_working_slack_counts_only_the_receiving_plants_hours() -> None:
    """Arriving 15:00 on 1 July for 09:00 next day: 18 calendar hours, 2 of B's day-shift hours."""
    (promise,) = promises(pump_network(b_calendar=DAY_SHIFT), pump_plan(pump_start_h=33))
    assert promise.slack == hours(18)
    assert promise.working_slack == hours(2)


def test_a_part_arriving_after_its_need_has_negative_slack() -> None:
    (promise,) = promises(pump_network(), pump_plan(pump_start_h=12))
    assert promise.slack == hours(-3)
    assert promise.working_slack == hours(-3)
    assert not promise.is_on_time


def test_a_late_orders_chain_names_the_promise_and_the_plants() -> None:
    network = pump_network(due_h=10)
    plan = pump_plan(due_h=10)
    chain = critical_chain(network, plan, "O1")
    assert chain.is_late
    assert chain.lateness == hours(8)
    assert [link.work_order_id for link in chain.links] == [PUMP, BLANK]
    assert [p.work_order_id for p in chain.promises] == [BLANK]
    assert chain.responsible == (("A", hours(5)), ("B", hours(3)))
    assert chain.transport == hours(10)
    assert chain.explanation == "it waits for A"
    assert [c.order_id for c in build_ledger(network, plan).late_orders] == ["O1"]


def test_asking_for_an_order_the_plan_does_not_deliver_names_it() -> None:
    with pytest.raises(InputError, match=r"no order 'O9'.*late orders: O1"):
        critical_chain(pump_network(due_h=10), pump_plan(due_h=10), "O9")


def test_a_ledger_narrowed_to_a_plant_keeps_its_promises_and_all_help() -> None:
    ledger = build_ledger(pump_network(due_h=10), pump_plan(due_h=10))
    for plant_id in ("A", "B"):
        narrowed = ledger_for_plant(ledger, plant_id)
        assert narrowed.plant_id == plant_id
        assert narrowed.promises == ledger.promises
        assert narrowed.help == ledger.help
    with pytest.raises(InputError, match=r"no plant 'C'; its plants: A, B"):
        ledger_for_plant(ledger, "C")


def test_a_shipment_of_an_unknown_work_order_does_not_fit() -> None:
    plan = pump_plan()
    assert plan.schedule is not None
    stray = replace(plan.schedule.shipments[0], work_order_id="O7:PUMP/BLANK")
    schedule = replace(plan.schedule, shipments=(*plan.schedule.shipments, stray))
    with pytest.raises(ModelError, match=r"does not fit.*O7:PUMP/BLANK"):
        promises(pump_network(), replace(plan, schedule=schedule))


def _check(
    progress: Progress, risk_slack: timedelta = DEFAULT_RISK_SLACK
) -> tuple[PromiseState, str]:
    (checked,) = check_promises(pump_network(), pump_plan(), progress, risk_slack=risk_slack)
    return checked.state, checked.reason


def _step(status: StepStatus, end_h: float | None = None) -> StepReport:
    return StepReport(
        work_order_id=BLANK,
        step=1,
        status=status,
        plant_id="A",
        machine_id="press",
        start=at(0),
        end=None if end_h is None else at(end_h),
    )


def test_a_part_finished_by_its_date_is_kept() -> None:
    progress = Progress(as_of=at(6), steps=(_step(StepStatus.DONE, 4),))
    assert _check(progress)[0] is PromiseState.KEPT


def test_a_part_finished_after_its_date_is_late() -> None:
    finished = FinishedWorkOrder(work_order_id=BLANK, plant_id="A", finished=at(7))
    assert _check(Progress(as_of=at(8), finished=(finished,)))[0] is PromiseState.LATE


def test_a_part_not_finished_when_its_date_has_passed_is_late() -> None:
    state, reason = _check(Progress(as_of=at(7), steps=(_step(StepStatus.STARTED),)))
    assert state is PromiseState.LATE
    assert "not reported finished" in reason


def test_a_part_behind_its_planned_progress_is_at_risk() -> None:
    """The forging was planned to start at 0 h; at 2 h nothing is reported."""
    state, reason = _check(Progress(as_of=at(2)), risk_slack=timedelta(0))
    assert state is PromiseState.AT_RISK
    assert "not started" in reason


def test_a_step_planned_to_start_at_the_status_date_is_not_behind() -> None:
    assert _check(Progress(as_of=at(0)), risk_slack=timedelta(0))[0] is PromiseState.ON_TRACK


def test_a_part_with_little_slack_is_at_risk_and_with_enough_on_track() -> None:
    started = Progress(as_of=at(2), steps=(_step(StepStatus.STARTED),))
    assert _check(started, risk_slack=hours(1))[0] is PromiseState.AT_RISK
    assert _check(started, risk_slack=timedelta(0))[0] is PromiseState.ON_TRACK


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(networks())
def test_the_ledger_is_the_plans_shipments_and_help_balances(network: Network) -> None:
    """Promises are exactly the shipments, slack is need minus arrival, and every hour of
    help one plant gives is an hour another receives."""
    result = plan_network(network, PlanParams(time_limit_s=2, workers=1))
    assert result.schedule is not None
    ledger = build_ledger(network, result)
    as_shipments = {
        (p.work_order_id, p.origin, p.destination, p.depart, p.arrive) for p in ledger.promises
    }
    assert len(ledger.promises) == len(result.schedule.shipments)
    assert as_shipments == {
        (s.work_order_id, s.origin, s.destination, s.depart, s.arrive)
        for s in result.schedule.shipments
    }
    starts = {wa.work_order_id: wa.start for wa in result.schedule.work_orders}
    for promise in ledger.promises:
        assert promise.slack == promise.need - promise.arrive
        assert promise.need <= starts[promise.parent_id]
        assert promise.is_on_time  # the engine's plans never make a plant wait past its need
    assert sum(w.promises for w in ledger.waits) == len(ledger.promises)
    for delivery in result.schedule.deliveries:
        chain = critical_chain(network, result, delivery.order_id)
        held = sum((link.held for link in chain.links), timedelta(0))
        assert held + chain.transport == chain.links[0].end - chain.links[-1].ready
    help_rows = help_given_and_received(network, result)
    given = sum((h.given for h in help_rows), timedelta(0))
    received = sum((h.received for h in help_rows), timedelta(0))
    assert given == received
    work = sum((op.work * op.gang for op in result.schedule.operations), timedelta(0))
    assert sum((h.own + h.given for h in help_rows), timedelta(0)) == work


def test_a_ganged_step_helps_with_every_unit_it_holds() -> None:
    plan = pump_plan()
    assert plan.schedule is not None
    ganged = tuple(
        replace(op, units=(0, 1)) if op.work_order_id == BLANK else op
        for op in plan.schedule.operations
    )
    schedule = replace(plan.schedule, operations=ganged)
    help_rows = help_given_and_received(pump_network(), replace(plan, schedule=schedule))
    help_by_plant = {h.plant_id: h for h in help_rows}
    assert help_by_plant["A"].given == hours(10)
    assert help_by_plant["B"].received == hours(10)


def test_people_seconded_to_a_region_are_lent_within_the_plan() -> None:
    """Two smiths away from A for 10 h of a plan that ends at 18 h; one more from 16 h on."""
    network = replace(
        pump_network(),
        secondments=(
            Secondment(plant_id="A", skill="smith", count=2, start=at(0), end=at(10), region="S"),
            Secondment(plant_id="A", skill="smith", count=1, start=at(16), region="S"),
        ),
    )
    help_by_plant = {h.plant_id: h for h in help_given_and_received(network, pump_plan())}
    assert help_by_plant["A"].lent == (("S", hours(22)),)
    assert help_by_plant["B"].lent == ()


def test_drawings_are_needed_by_the_first_work_they_gate_at_the_receiving_plant() -> None:
    """A draws the pump (0-2 h, at B by 4 h); B forges the blank from 5 h, before the
    pump's assembly at 8 h, and the blank may not start without the drawings."""
    network = build_network(
        plants=(
            Plant(id="A", machines=(build_machine("press", "forging"),)),
            Plant(
                id="B",
                machines=(build_machine("press", "forging"), build_machine("bay", "assembly")),
            ),
        ),
        items=(
            build_item("DRAWINGS", ("forging", 2)),
            build_item("BLANK", ("forging", 3)),
            build_item(
                "PUMP",
                ("assembly", 3),
                bom=(
                    BomLine(item_id="DRAWINGS", quantity=1, is_design=True),
                    BomLine(item_id="BLANK", quantity=1),
                ),
            ),
        ),
        orders=(build_order("O1", "PUMP", 30),),
        lanes=(Lane(origin="A", destination="B", lead_time=hours(2)),),
    )

    def assignment(
        wo: str, item: str, plant: str, start_h: float, end_h: float
    ) -> WorkOrderAssignment:
        return WorkOrderAssignment(
            work_order_id=wo,
            order_id="O1",
            item_id=item,
            quantity=1,
            parent_id=None if wo == PUMP else PUMP,
            plant_id=plant,
            routing_id="main",
            start=at(start_h),
            end=at(end_h),
        )

    drawings, blank = f"{PUMP}/DRAWINGS", f"{PUMP}/BLANK"
    plan = Plan(
        status=PlanStatus.FEASIBLE,
        schedule=Schedule(
            work_orders=(
                assignment(PUMP, "PUMP", "B", 8, 11),
                assignment(drawings, "DRAWINGS", "A", 0, 2),
                assignment(blank, "BLANK", "B", 5, 8),
            ),
            operations=(
                _operation(drawings, "A", "press", 0, 2),
                _operation(blank, "B", "press", 5, 8),
                _operation(PUMP, "B", "bay", 8, 11),
            ),
            shipments=(
                Shipment(
                    work_order_id=drawings, origin="A", destination="B", depart=at(2), arrive=at(4)
                ),
            ),
            deliveries=(
                Delivery(
                    order_id="O1",
                    plant_id="B",
                    region="R",
                    finish=at(11),
                    arrival=at(11),
                    due=at(30),
                ),
            ),
        ),
    )
    (promise,) = promises(network, plan)
    assert promise.is_design
    assert promise.need == at(5)
    assert promise.slack == hours(1)


def test_a_part_a_replan_covers_from_stock_is_a_kept_promise() -> None:
    plan = pump_plan()
    assert plan.schedule is not None
    in_stock = FinishedPart(
        work_order_id=BLANK,
        item_id="BLANK",
        quantity=1,
        plant_id="A",
        ready=at(3),
        source=PartSource.STOCK,
    )
    schedule = replace(
        plan.schedule,
        work_orders=tuple(wa for wa in plan.schedule.work_orders if wa.work_order_id != BLANK),
        operations=tuple(op for op in plan.schedule.operations if op.work_order_id != BLANK),
        finished_parts=(in_stock,),
    )
    replanned = replace(plan, schedule=schedule, as_of=at(3))
    (checked,) = check_promises(pump_network(), replanned, Progress(as_of=at(3)))
    assert checked.promise.item_id == "BLANK"
    assert checked.state is PromiseState.KEPT
    assert checked.finished == at(3)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(networks(), st.data())
def test_every_promise_gets_one_state_that_fits_the_progress(
    network: Network, data: st.DataObject
) -> None:
    """A part reported finished is kept or late; one not finished after its date is late."""
    result = plan_network(network, PlanParams(time_limit_s=1, workers=1))
    assert result.schedule is not None
    progress = data.draw(progresses(network, result), label="progress")
    checks = check_promises(network, result, progress)
    assert [c.promise for c in checks] == list(promises(network, result))
    done = {(r.work_order_id, r.step) for r in progress.steps if r.status is StepStatus.DONE}
    reported_finished = {f.work_order_id for f in progress.finished}
    planned_steps: dict[str, set[int]] = {}
    for op in result.schedule.operations:
        planned_steps.setdefault(op.work_order_id, set()).add(op.step)
    for check in checks:
        wo_id = check.promise.work_order_id
        if wo_id in reported_finished or (
            planned_steps.get(wo_id) and all((wo_id, step) in done for step in planned_steps[wo_id])
        ):
            assert check.finished is not None
        if check.finished is not None:
            assert check.state in (PromiseState.KEPT, PromiseState.LATE)
            assert (check.state is PromiseState.KEPT) == (check.finished <= check.promise.depart)
        elif progress.as_of > check.promise.depart:
            assert check.state is PromiseState.LATE
        else:
            assert check.state in (PromiseState.AT_RISK, PromiseState.ON_TRACK)
