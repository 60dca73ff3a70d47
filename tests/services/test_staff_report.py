"""The staff report: capacity, load, peaks, people-limited days and staff changes."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date

import pytest

from tests.conftest import ROUND_THE_CLOCK, START, at, hours
from xiezuo.domain import (
    CrewNeed,
    Item,
    Machine,
    Network,
    Operation,
    Plan,
    PlanStatus,
    Plant,
    Routing,
    Schedule,
    ScheduledOperation,
    Secondment,
    Staffing,
    Training,
    WorkOrderAssignment,
)
from xiezuo.errors import ModelError
from xiezuo.services.staff import SkillLine, StaffReport, staff_report

# One plant with two lathes and one turner. The turner is seconded to Yunnan on
# 3 July and back on 4 July; two trainee turners, taught by a fitter, qualify on
# 6 July.
NETWORK = Network(
    name="staff",
    start=START,
    processes=("machining",),
    skills=("turner", "fitter"),
    plants=(
        Plant(
            id="WJ",
            calendar=ROUND_THE_CLOCK,
            machines=(
                Machine(
                    id="lathe", process="machining", units=2, max_weight_t=10, precision_grade=7
                ),
            ),
        ),
    ),
    items=(
        Item(
            id="SHAFT",
            weight_t=1,
            precision_grade=7,
            routings=(
                Routing(
                    id="R1",
                    operations=(
                        Operation(
                            process="machining",
                            run_per_unit=hours(4),
                            crew=(CrewNeed(skill="turner", size=1),),
                        ),
                    ),
                ),
            ),
        ),
    ),
    staffing=(
        Staffing(plant_id="WJ", skill="turner", headcount=1),
        Staffing(plant_id="WJ", skill="fitter", headcount=2),
    ),
    secondments=(
        Secondment(
            plant_id="WJ", skill="turner", count=1, start=at(48), end=at(72), region="Yunnan"
        ),
    ),
    trainings=(
        Training(
            plant_id="WJ",
            skill="turner",
            count=2,
            start=at(0),
            duration=hours(120),
            trainer_skill="fitter",
            trainers=1,
        ),
    ),
)


def _plan(*spans: tuple[float, float]) -> Plan:
    """One shaft work order per span, each machined on lathe unit 0."""
    work_orders = tuple(
        WorkOrderAssignment(
            work_order_id=f"WO-{idx}",
            order_id=f"ORD-{idx}",
            item_id="SHAFT",
            quantity=1,
            parent_id=None,
            plant_id="WJ",
            routing_id="R1",
            start=at(start),
            end=at(end),
        )
        for idx, (start, end) in enumerate(spans, start=1)
    )
    operations = tuple(
        ScheduledOperation(
            work_order_id=f"WO-{idx}",
            step=1,
            process="machining",
            plant_id="WJ",
            machine_id="lathe",
            unit=0,
            start=at(start),
            end=at(end),
            work=hours(end - start),
        )
        for idx, (start, end) in enumerate(spans, start=1)
    )
    return Plan(
        status=PlanStatus.FEASIBLE,
        schedule=Schedule(
            work_orders=work_orders, operations=operations, shipments=(), deliveries=()
        ),
    )


# Two shafts back to back on one lathe: the second lathe unit stands idle while the
# one turner works on the first.
BACK_TO_BACK = _plan((2, 6), (6, 10))


def _line(report: StaffReport, skill: str) -> SkillLine:
    return next(line for line in report.lines if (line.plant_id, line.skill) == ("WJ", skill))


def test_every_plant_skill_with_staff_changes_or_crews_gets_a_line_in_network_order() -> None:
    report = staff_report(NETWORK, BACK_TO_BACK)
    assert [(line.plant_id, line.skill) for line in report.lines] == [
        ("WJ", "turner"),
        ("WJ", "fitter"),
    ]


def test_capacity_steps_follow_secondment_and_training() -> None:
    turner = _line(staff_report(NETWORK, None), "turner")
    assert turner.capacity == ((at(0), 1), (at(48), 0), (at(72), 1), (at(120), 3))
    assert turner.capacity_at(at(60)) == 0


def test_trainers_are_off_the_capacity_while_they_teach() -> None:
    fitter = _line(staff_report(NETWORK, None), "fitter")
    assert fitter.capacity == ((at(0), 1), (at(120), 2))


def test_load_counts_crews_from_start_to_end_with_handover_between_back_to_back_crews() -> None:
    turner = _line(staff_report(NETWORK, BACK_TO_BACK), "turner")
    assert turner.load == ((at(0), 0), (at(2), 1), (at(10), 0))
    assert turner.load_at(at(6)) == 1


def test_peak_load_is_reported_with_when_it_first_happens() -> None:
    turner = _line(staff_report(NETWORK, BACK_TO_BACK), "turner")
    assert (turner.peak_load, turner.peak_at) == (1, at(2))
    assert turner.peak_utilisation == 1.0


def test_tightest_instant_is_where_the_share_at_work_is_highest_not_the_peak_crew() -> None:
    """One turner of one at 100 h is tighter than two of three after the training."""
    turner = _line(staff_report(NETWORK, _plan((100, 104), (121, 125), (121, 125))), "turner")
    assert (turner.peak_load, turner.peak_at) == (2, at(121))
    assert (turner.peak_utilisation, turner.tightest_at) == (1.0, at(100))
    assert (turner.load_at(at(100)), turner.capacity_at(at(100))) == (1, 1)


def test_skill_without_crews_has_no_peak() -> None:
    fitter = _line(staff_report(NETWORK, BACK_TO_BACK), "fitter")
    assert (fitter.peak_load, fitter.peak_at, fitter.peak_utilisation) == (0, None, None)


def test_booked_person_hours_are_set_against_capacity_over_the_plant_calendar() -> None:
    """Round the clock, one turner for the 10 hours up to the last operation's end."""
    turner = _line(staff_report(NETWORK, BACK_TO_BACK), "turner")
    assert turner.booked_hours == pytest.approx(8)
    assert turner.available_hours == pytest.approx(10)
    assert turner.utilisation == pytest.approx(0.8)


def test_a_day_is_people_limited_when_the_only_turner_works_and_a_lathe_unit_is_idle() -> None:
    report = staff_report(NETWORK, BACK_TO_BACK)
    assert _line(report, "turner").people_limited_days == (date(1958, 7, 1),)
    assert _line(report, "fitter").people_limited_days == ()


def test_no_day_is_people_limited_when_nothing_waits_for_the_turner() -> None:
    assert _line(staff_report(NETWORK, _plan((2, 6))), "turner").people_limited_days == ()


def test_no_day_is_people_limited_while_a_turner_is_free() -> None:
    network = replace(
        NETWORK,
        staffing=(Staffing(plant_id="WJ", skill="turner", headcount=2),),
    )
    assert _line(staff_report(network, BACK_TO_BACK), "turner").people_limited_days == ()


def test_days_without_any_turner_are_people_limited_while_work_waits() -> None:
    """The turner is in Yunnan on 3 July and the shaft waits for his return."""
    turner = _line(staff_report(NETWORK, _plan((80, 84))), "turner")
    assert turner.people_limited_days == (date(1958, 7, 3),)


def test_utilisation_is_infinite_when_a_plan_puts_people_to_work_where_there_are_none() -> None:
    turner = _line(staff_report(NETWORK, _plan((50, 54))), "turner")
    assert math.isinf(turner.peak_utilisation or 0.0)


def test_events_list_secondment_and_training_in_planners_words() -> None:
    report = staff_report(NETWORK, None)
    assert [(e.day, e.description) for e in _line(report, "turner").events] == [
        (date(1958, 7, 1), "2 turners start training"),
        (date(1958, 7, 3), "1 turner seconded to Yunnan"),
        (date(1958, 7, 4), "1 turner back from Yunnan"),
        (date(1958, 7, 6), "2 turners qualify after training"),
    ]
    assert [e.description for e in _line(report, "fitter").events] == [
        "1 fitter starts training 2 turners",
        "1 fitter back from training 2 turners",
    ]


def test_report_events_run_in_date_order_across_skills() -> None:
    events = staff_report(NETWORK, None).events
    assert [(plant_id, e.day.isoformat(), e.description) for plant_id, e in events] == [
        ("WJ", "1958-07-01", "2 turners start training"),
        ("WJ", "1958-07-01", "1 fitter starts training 2 turners"),
        ("WJ", "1958-07-03", "1 turner seconded to Yunnan"),
        ("WJ", "1958-07-04", "1 turner back from Yunnan"),
        ("WJ", "1958-07-06", "2 turners qualify after training"),
        ("WJ", "1958-07-06", "1 fitter back from training 2 turners"),
    ]


def test_report_without_plan_has_capacity_only() -> None:
    report = staff_report(NETWORK, None)
    turner = _line(report, "turner")
    assert (report.has_plan, report.end) == (False, None)
    assert (turner.load, turner.booked_hours, turner.people_limited_days) == ((), None, ())


def test_report_spans_from_the_horizon_start_to_the_last_operation_end() -> None:
    report = staff_report(NETWORK, BACK_TO_BACK)
    assert (report.start, report.end, report.has_plan) == (START, at(10), True)


def test_plan_that_does_not_fit_the_network_names_every_bad_operation() -> None:
    schedule = BACK_TO_BACK.schedule
    assert schedule is not None
    bad = replace(
        BACK_TO_BACK,
        schedule=replace(
            schedule,
            work_orders=(replace(schedule.work_orders[0], routing_id="R9"),),
        ),
    )
    with pytest.raises(ModelError, match=r"(?s)WO-1.*no routing 'R9'.*WO-2.*assigns no such"):
        staff_report(NETWORK, bad)
