"""Replans from progress that deviates from the plan, as properties over generated networks.

:func:`tests.strategies.progresses` reports work done earlier or later than planned,
on other units, groups or plants, started with hours, units made good or scrap, whole
work orders finished, parts in stock, counts, receipts, machines down and secondments.
Whatever :func:`~xiezuo.domain.progress_rules.check_progress` accepts, the engine must
replan, and the independent validator, judging with the same progress, previous plan
and frozen window, must find nothing wrong; also when the previous plan is itself a
replan. The hand cases below are the validator and checker bugs these properties found.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.conftest import at, build_item, build_machine, build_network, build_order, hours
from tests.strategies import networks, progress_features, progresses
from xiezuo.domain import (
    BomLine,
    CrewNeed,
    MachineDown,
    Network,
    Operation,
    Plant,
    Progress,
    Routing,
    Staffing,
    StepReport,
    StepStatus,
    UnplannedReason,
    validate_network,
)
from xiezuo.domain.progress_rules import check_progress
from xiezuo.planning.params import PlanParams
from xiezuo.planning.solve import plan
from xiezuo.planning.validation.audit import audit_plan


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(networks(), st.data())
def test_every_replan_of_accepted_progress_passes_the_validator(
    network: Network, data: st.DataObject
) -> None:
    validate_network(network)
    first = plan(network, PlanParams(time_limit_s=1, workers=1))
    if first.schedule is None:
        event("no first plan")
        return
    progress = data.draw(progresses(network, first), label="progress")
    previous = first if data.draw(st.booleans(), label="with the previous plan") else None
    frozen_days = data.draw(st.sampled_from([0, 1, 2]), label="frozen days")
    problems = check_progress(network, progress, previous)
    if problems:
        event("progress refused")
        event(f"refused for {'.'.join(str(p) for p in problems[0].path if isinstance(p, str))}")
        return
    event("progress accepted")
    for feature in progress_features(progress):
        event(feature)
    params = PlanParams(time_limit_s=1, workers=1, frozen_days=frozen_days)
    result = plan(network, params, progress=progress, previous=previous)
    assert result.schedule is not None, result.status
    violations = audit_plan(
        network, result, progress=progress, previous=previous, frozen_days=frozen_days
    )
    assert violations == (), "\n".join(f"{v.rule}: {v.message}" for v in violations)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(networks(), st.data())
def test_a_replan_of_a_replan_passes_the_validator(network: Network, data: st.DataObject) -> None:
    """Day two's progress deviates from day one's replan, which is its previous plan: its
    reported work (facts, perhaps outside working time), finished parts and material in
    transit meet the frozen window."""
    validate_network(network)
    fast = PlanParams(time_limit_s=1, workers=1)
    first = plan(network, fast)
    if first.schedule is None:
        return
    day1 = data.draw(progresses(network, first), label="day one")
    if check_progress(network, day1, first):
        return
    previous = plan(network, fast, progress=day1, previous=first)
    if previous.schedule is None:
        return
    day2 = data.draw(progresses(network, previous), label="day two")
    if check_progress(network, day2, previous):
        event("day two refused")
        return
    frozen_days = data.draw(st.sampled_from([0, 1, 2]), label="frozen days")
    params = replace(fast, frozen_days=frozen_days)
    result = plan(network, params, progress=day2, previous=previous)
    assert result.schedule is not None, result.status
    violations = audit_plan(
        network, result, progress=day2, previous=previous, frozen_days=frozen_days
    )
    assert violations == (), "\n".join(f"{v.rule}: {v.message}" for v in violations)


def test_an_order_needing_a_machine_down_for_good_is_confirmed_unplaceable() -> None:
    """The validator once let a downtime for good end in the far future, after which
    the press was free again, so it called the engine's unplaceable order makeable."""
    network = build_network(
        (Plant(id="P", machines=(build_machine("press", "forging", units=2),)),),
        (build_item("PART", ("forging", 4)),),
        (build_order("O1", "PART", 100),),
    )
    down = MachineDown(plant_id="P", machine_id="press", start=at(-50))
    progress = Progress(as_of=at(7), down=(down,))
    assert check_progress(network, progress) == ()
    result = plan(network, PlanParams(time_limit_s=1, workers=1), progress=progress)
    assert [(u.order_id, u.reason) for u in result.unplanned] == [
        ("O1", UnplannedReason.UNPLACEABLE)
    ]
    assert audit_plan(network, result, progress=progress) == ()


def test_an_order_begun_where_no_crew_can_finish_it_is_confirmed_missing_capability() -> None:
    """Step 1 was forged at Q, which has no turner for step 2: the work order must be
    finished where it began, so the engine leaves the order out, and the validator once
    refuted that because P could make the part from scratch."""
    plain = build_item("PART", ("forging", 4), ("machining", 3))
    forged, turned = plain.routings[0].operations
    crewed = replace(turned, crew=(CrewNeed(skill="turner", size=1),))
    part = replace(plain, routings=(Routing(id="main", operations=(forged, crewed)),))
    shop = (build_machine("press", "forging"), build_machine("lathe", "machining"))
    network = replace(
        build_network(
            (Plant(id="P", machines=shop), Plant(id="Q", machines=shop)),
            (plain,),
            (build_order("O1", "PART", 100),),
        ),
        items=(part,),
        skills=("turner",),
        staffing=(Staffing(plant_id="P", skill="turner", headcount=1),),
    )
    validate_network(network)
    done = StepReport(
        work_order_id="O1:PART",
        step=1,
        status=StepStatus.DONE,
        plant_id="Q",
        machine_id="press",
        start=at(0),
        end=at(4),
    )
    progress = Progress(as_of=at(5), steps=(done,))
    assert check_progress(network, progress) == ()
    result = plan(network, PlanParams(time_limit_s=1, workers=1), progress=progress)
    assert [(u.order_id, u.reason) for u in result.unplanned] == [
        ("O1", UnplannedReason.MISSING_CAPABILITY)
    ]
    assert audit_plan(network, result, progress=progress) == ()


def test_a_step_started_on_a_group_gone_by_the_status_date_is_refused() -> None:
    """Still running at the status date on a lathe that left service the day before: the
    replan could only end it before the status date, so the checker refuses it."""
    lathe = replace(build_machine("lathe", "machining"), available_until=at(24))
    network = build_network(
        (Plant(id="P", machines=(lathe,)),),
        (build_item("PART", ("machining", 30)),),
        (build_order("O1", "PART", 100),),
    )
    started = StepReport(
        work_order_id="O1:PART",
        step=1,
        status=StepStatus.STARTED,
        plant_id="P",
        machine_id="lathe",
        start=at(0),
    )
    (problem,) = check_progress(network, Progress(as_of=at(48), steps=(started,)))
    assert problem.path == ("steps", 0, "status")
    assert "leaves service at 1958-07-02 00:00; report it done" in problem.message
    assert check_progress(network, Progress(as_of=at(23), steps=(started,))) == ()


def test_work_begun_where_a_machine_is_down_for_good_is_confirmed_unplaceable() -> None:
    """Forging began at P, whose only lathe is then down for good: the part must be
    finished where it began, so the order cannot be made; the validator once found Q's
    lathe for it and refuted the engine."""
    shop = (build_machine("press", "forging"), build_machine("lathe", "machining"))
    network = build_network(
        (Plant(id="P", machines=shop), Plant(id="Q", machines=shop)),
        (build_item("PART", ("forging", 4), ("machining", 3)),),
        (build_order("O1", "PART", 100),),
    )
    started = StepReport(
        work_order_id="O1:PART",
        step=1,
        status=StepStatus.STARTED,
        plant_id="P",
        machine_id="press",
        start=at(0),
    )
    down = MachineDown(plant_id="P", machine_id="lathe", start=at(2))
    progress = Progress(as_of=at(2), steps=(started,), down=(down,))
    assert check_progress(network, progress) == ()
    result = plan(network, PlanParams(time_limit_s=1, workers=1), progress=progress)
    assert [(u.order_id, u.reason) for u in result.unplanned] == [
        ("O1", UnplannedReason.UNPLACEABLE)
    ]
    assert audit_plan(network, result, progress=progress) == ()


def test_work_gated_by_a_design_still_being_drawn_waits_for_its_end_in_the_plan() -> None:
    """The drawings run on until 10:30; the part they gate needs 10 h of the press, which
    leaves service at 15:00: the order cannot be made. The validator once let the
    gated part start at the status date, the drawings' own start, and refuted the engine."""
    designer = CrewNeed(skill="designer", size=1)
    drawings = replace(
        build_item("DRAWINGS", ("forging", 1)),
        routings=(
            Routing(
                id="main",
                operations=(Operation(process=None, run_per_unit=hours(10), crew=(designer,)),),
            ),
        ),
    )
    product = build_item(
        "PRODUCT",
        ("assembly", 1),
        bom=(
            BomLine(item_id="DRAWINGS", quantity=1, is_design=True),
            BomLine(item_id="PART", quantity=1),
        ),
    )
    press = replace(build_machine("press", "forging"), available_until=at(15))
    base = build_network(
        (Plant(id="P", machines=(press, build_machine("bench", "assembly"))),),
        (build_item("DRAWINGS", ("forging", 1)), build_item("PART", ("forging", 10)), product),
        (build_order("O1", "PRODUCT", 100),),
    )
    network = replace(
        base,
        items=tuple(drawings if i.id == "DRAWINGS" else i for i in base.items),
        skills=("designer",),
        staffing=(Staffing(plant_id="P", skill="designer", headcount=1),),
    )
    validate_network(network)
    drawing = StepReport(
        work_order_id="O1:PRODUCT/DRAWINGS",
        step=1,
        status=StepStatus.STARTED,
        plant_id="P",
        machine_id=None,
        start=at(0),
        work_done=timedelta(minutes=30),
    )
    progress = Progress(as_of=at(1), steps=(drawing,))
    assert check_progress(network, progress) == ()
    result = plan(network, PlanParams(time_limit_s=1, workers=1), progress=progress)
    assert [(u.order_id, u.reason) for u in result.unplanned] == [
        ("O1", UnplannedReason.UNPLACEABLE)
    ]
    assert audit_plan(network, result, progress=progress) == ()
