"""Hypothesis strategies that build small valid networks.

:func:`networks` draws every feature the engine plans for (calendars with holidays,
machine availability, per-machine run times, alternative routings, steel from stock
and supplies, crews with secondments and training, engineering steps, design lines,
lanes, releases, pinned orders), each in some examples only; :func:`features` names
the ones a network has, so a property can report them with ``hypothesis.event``.
:func:`progresses` draws what a plant would report against a plan of such a network,
deviating from it, for replanning; :func:`progress_features` names its kinds of record.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta

from hypothesis import strategies as st

from tests.conftest import START
from xiezuo.domain import (
    BomLine,
    Calendar,
    CrewNeed,
    FinishedWorkOrder,
    FloorBays,
    Gang,
    Item,
    ItemKind,
    Lane,
    Machine,
    MachineDown,
    MachineTime,
    Material,
    MaterialLine,
    Network,
    Operation,
    Order,
    PartStock,
    Plan,
    Plant,
    Progress,
    Receipt,
    Routing,
    ScheduledOperation,
    Secondment,
    Staffing,
    StepReport,
    StepStatus,
    StockCount,
    StockLot,
    Supply,
    Training,
    WorkOrder,
    capable_machines,
    capable_routings,
    check_progress,
    design_gates,
    explode_orders,
)

PROCESSES = ("casting", "forging", "machining", "assembly")
TURNER, DESIGNER = "turner", "designer"
DRAWINGS = "DRAWINGS"


def hours(n: int) -> timedelta:
    return timedelta(hours=n)


@st.composite
def calendars(draw: st.DrawFn) -> Calendar:
    shifts = draw(st.integers(1, 3))
    days = draw(st.sampled_from([(0, 1, 2, 3, 4), (0, 1, 2, 3, 4, 5), tuple(range(7))]))
    return Calendar(
        working_days=days,
        shifts_per_day=shifts,
        shift_length=timedelta(hours=8),
        first_shift_start=time(draw(st.sampled_from([0, 6, 8])), 0),
        holidays=tuple(
            START.date() + timedelta(days=d)
            for d in draw(st.lists(st.integers(0, 20), max_size=2, unique=True))
        ),
    )


@st.composite
def _machine(draw: st.DrawFn, machine_id: str, process: str, *, with_availability: bool) -> Machine:
    """A machine group; with availability, it may arrive late or leave early (the
    latter sometimes within days, so work must fit before it goes)."""
    available_from = available_until = None
    if with_availability and draw(st.booleans()):
        if draw(st.booleans()):
            available_from = START + hours(draw(st.integers(-24, 96)))
        if draw(st.booleans()):
            available_until = START + hours(draw(st.integers(100, 600)))
    return Machine(
        id=machine_id,
        process=process,
        units=draw(st.integers(1, 2)),
        max_weight_t=draw(st.sampled_from([10.0, 30.0, 60.0])),
        precision_grade=draw(st.sampled_from([6, 8])),
        calendar=draw(st.none() | calendars()),
        available_from=available_from,
        available_until=available_until,
    )


@st.composite
def _plants(draw: st.DrawFn, *, with_availability: bool) -> tuple[Plant, ...]:
    """1-3 plants; the first has every process, later ones lack some. A process may
    have a second machine group, and group IDs repeat across plants, so a machine
    time without a plant applies at every plant that has the group."""
    plants = []
    for p in range(draw(st.integers(1, 3))):
        machines = []
        for process in PROCESSES:
            if p > 0 and draw(st.booleans()):
                continue
            groups = 2 if draw(st.integers(0, 3)) == 0 else 1
            machines += [
                draw(_machine(f"{process}-{g}", process, with_availability=with_availability))
                for g in range(groups)
            ]
        plants.append(
            Plant(id=f"P{p}", calendar=draw(st.none() | calendars()), machines=tuple(machines))
        )
    return tuple(plants)


@st.composite
def _machine_step(
    draw: st.DrawFn,
    process: str,
    plants: tuple[Plant, ...],
    *,
    with_machine_times: bool,
    with_turners: bool,
) -> Operation:
    """A machine step. With machine times, it either keeps a run time that the listed
    machines override or runs only on the listed machines; each listed time is for
    one plant or, without a plant, for the group wherever it stands."""
    run_per_unit: timedelta | None = hours(draw(st.integers(1, 12)))
    machine_times: tuple[MachineTime, ...] = ()
    if with_machine_times and draw(st.booleans()):
        groups = sorted({(p.id, m.id) for p in plants for m in p.machines if m.process == process})
        listed = draw(st.lists(st.sampled_from(groups), min_size=1, max_size=3, unique=True))
        machine_times = tuple(
            MachineTime(
                machine_id=machine_id,
                plant_id=draw(st.sampled_from([None, plant_id])),
                run_per_unit=hours(draw(st.integers(1, 12))),
            )
            for plant_id, machine_id in listed
        )
        if draw(st.booleans()):
            run_per_unit = None
    return Operation(
        process=process,
        setup=hours(draw(st.integers(0, 2))),
        run_per_unit=run_per_unit,
        machine_times=machine_times,
        crew=(
            (CrewNeed(skill=TURNER, size=draw(st.integers(1, 2))),)
            if with_turners and process == "machining"
            else ()
        ),
    )


@st.composite
def _engineering_step(draw: st.DrawFn) -> Operation:
    """Work for designers alone, in the plant's working time."""
    return Operation(
        process=None,
        setup=hours(draw(st.integers(0, 1))),
        run_per_unit=hours(draw(st.integers(1, 8))),
        crew=(CrewNeed(skill=DESIGNER, size=draw(st.integers(1, 2))),),
    )


@st.composite
def _routing(
    draw: st.DrawFn,
    routing_id: str,
    plants: tuple[Plant, ...],
    *,
    with_machine_times: bool,
    with_turners: bool,
    with_engineering: bool,
) -> Routing:
    steps = [
        draw(
            _machine_step(
                process,
                plants,
                with_machine_times=with_machine_times,
                with_turners=with_turners,
            )
        )
        for process in draw(st.lists(st.sampled_from(PROCESSES[:3]), min_size=1, max_size=3))
    ]
    if with_engineering and draw(st.booleans()):
        steps.insert(draw(st.integers(0, len(steps))), draw(_engineering_step()))
    return Routing(id=routing_id, operations=tuple(steps))


@st.composite
def _staff(
    draw: st.DrawFn, plant_ids: list[str], skills: tuple[str, ...], *, with_changes: bool
) -> tuple[tuple[Staffing, ...], tuple[Secondment, ...], tuple[Training, ...]]:
    """Headcounts (the first plant has two or three of each skill, so most crews fit
    somewhere), and with changes secondments away and trainings. People seconded or
    training others never exceed the headcount, so capacity stays non-negative
    (trainees who arrive only add to it)."""
    staffing = tuple(
        Staffing(plant_id=p, skill=s, headcount=draw(st.integers(0 if p != plant_ids[0] else 2, 3)))
        for p in plant_ids
        for s in skills
    )
    if not with_changes:
        return staffing, (), ()
    spare = {(s.plant_id, s.skill): s.headcount for s in staffing}
    secondments = []
    trainings = []
    for (plant_id, skill), people in spare.items():
        if people and draw(st.booleans()):
            count = draw(st.integers(1, people))
            spare[plant_id, skill] -= count
            start = START + hours(draw(st.integers(-24, 200)))
            length = draw(st.none() | st.integers(8, 240))
            secondments.append(
                Secondment(
                    plant_id=plant_id,
                    skill=skill,
                    count=count,
                    start=start,
                    end=None if length is None else start + hours(length),
                    region=draw(st.sampled_from(["", "R"])),
                )
            )
    for plant_id in plant_ids:
        if not draw(st.booleans()):
            continue
        trainer_skill = draw(st.none() | st.sampled_from(skills))
        free = 0 if trainer_skill is None else spare[plant_id, trainer_skill]
        trainers = draw(st.integers(1, free)) if free else 0
        if trainer_skill is not None:
            spare[plant_id, trainer_skill] -= trainers
        trainings.append(
            Training(
                plant_id=plant_id,
                skill=draw(st.sampled_from(skills)),
                count=draw(st.integers(1, 2)),
                start=START + hours(draw(st.integers(-24, 120))),
                duration=hours(draw(st.integers(8, 120))),
                trainer_skill=trainer_skill,
                trainers=trainers,
            )
        )
    return staffing, tuple(secondments), tuple(trainings)


@st.composite
def _ganged(
    draw: st.DrawFn, plants: tuple[Plant, ...], parts: list[Item]
) -> tuple[tuple[Plant, ...], list[Item]]:
    """Gangs on some machine steps of the parts, within the largest group of each
    process; floor bays at some plants, and some parts too heavy for every machine
    (made only on the floor, by a portable gang, or not at all)."""
    largest: dict[str, int] = {}
    for plant in plants:
        for machine in plant.machines:
            largest[machine.process] = max(largest.get(machine.process, 0), machine.units)
    plants = tuple(
        replace(plant, floor=FloorBays(bays=draw(st.integers(1, 2)), max_weight_t=100.0))
        if draw(st.booleans())
        else plant
        for plant in plants
    )

    def ganged(op: Operation) -> Operation:
        most = largest.get(op.process or "", 0)
        if op.is_staff_only or most < 2 or not draw(st.booleans()):
            return op
        low = draw(st.integers(1, most))
        gang = Gang(
            min_units=low,
            max_units=draw(st.integers(low, most)),
            efficiency=((2, draw(st.sampled_from([1.0, 0.9, 0.55]))),),
            floor_min_units=draw(st.none() | st.integers(1, most)),
        )
        return replace(op, gang=gang)

    parts = [
        replace(
            part,
            weight_t=draw(st.sampled_from([part.weight_t, 80.0])),
            routings=tuple(
                replace(r, operations=tuple(ganged(op) for op in r.operations))
                for r in part.routings
            ),
        )
        for part in parts
    ]
    return plants, parts


@st.composite
def networks(
    draw: st.DrawFn, *, with_engineering: bool = True, with_gangs: bool = False
) -> Network:
    """1-3 plants; parts with 1-2 routings of 1-3 steps; a product of 1-3 parts; 1-4
    orders. Each optional feature is drawn per network, so it shows up in some
    examples and its interactions with the others in fewer.

    ``with_engineering`` ``False`` leaves out engineering steps and design lines, for
    searches that plan machines only. ``with_gangs`` may add gangs and floor bays,
    which replans do not take yet.
    """
    with_steel = draw(st.booleans())
    with_turners = draw(st.booleans())
    with_machine_times = draw(st.booleans())
    with_availability = draw(st.booleans())
    with_engineering_steps = with_engineering and draw(st.booleans())
    with_design = with_engineering and draw(st.booleans())
    skills = tuple(
        skill
        for skill, used in (
            (TURNER, with_turners),
            (DESIGNER, with_engineering_steps or with_design),
        )
        if used
    )
    plants = draw(_plants(with_availability=with_availability))
    parts = []
    for i in range(draw(st.integers(1, 3))):
        routings = [
            draw(
                _routing(
                    routing_id,
                    plants,
                    with_machine_times=with_machine_times,
                    with_turners=with_turners,
                    with_engineering=with_engineering_steps,
                )
            )
            for routing_id in (["main", "alt"] if draw(st.integers(0, 3)) == 0 else ["main"])
        ]
        shortest = min(len(r.operations) for r in routings)
        parts.append(
            Item(
                id=f"PART{i}",
                weight_t=draw(st.sampled_from([5.0, 10.0])),
                precision_grade=8,
                materials=(
                    (
                        MaterialLine(
                            material_id="steel",
                            quantity=draw(st.integers(1, 2)),
                            step=draw(st.none() | st.integers(1, shortest)),
                        ),
                    )
                    if with_steel
                    else ()
                ),
                routings=tuple(routings),
            )
        )
    design = (
        Item(
            id=DRAWINGS,
            weight_t=0.1,
            precision_grade=8,
            routings=(
                Routing(
                    id="drawing",
                    operations=tuple(
                        draw(_engineering_step()) for _ in range(draw(st.integers(1, 2)))
                    ),
                ),
            ),
        )
        if with_design
        else None
    )
    components = draw(st.lists(st.sampled_from(parts), min_size=1, max_size=3, unique=True))
    design_lines = (BomLine(item_id=DRAWINGS, quantity=1, is_design=True),) if design else ()
    product = Item(
        id="PRODUCT",
        kind=ItemKind.PRODUCT,
        weight_t=8.0,
        precision_grade=8,
        bom=(
            *design_lines,
            *(BomLine(item_id=c.id, quantity=draw(st.integers(1, 2))) for c in components),
        ),
        routings=(
            Routing(
                id="main",
                operations=(
                    draw(
                        _machine_step(
                            "assembly",
                            plants,
                            with_machine_times=with_machine_times,
                            with_turners=False,
                        )
                    ),
                ),
            ),
        ),
    )
    if with_gangs and draw(st.booleans()):
        plants, parts = draw(_ganged(plants, parts))
    items = (*parts, product, *((design,) if design else ()))
    plant_ids = [p.id for p in plants]
    orders = tuple(
        Order(
            id=f"O{k}",
            region="R",
            item_id=draw(st.sampled_from(["PRODUCT", *(p.id for p in parts)])),
            quantity=draw(st.integers(1, 2)),
            due=draw(st.none() | st.integers(1, 20).map(lambda d: START + timedelta(days=d))),
            priority=draw(st.integers(1, 5)),
            release=draw(st.none() | st.integers(0, 48).map(lambda h: START + hours(h))),
            plant_id=draw(st.none() | st.none() | st.sampled_from(plant_ids)),
        )
        for k in range(draw(st.integers(1, 4)))
    )
    lanes = [
        Lane(origin=a.id, destination=b.id, lead_time=hours(draw(st.integers(0, 48))))
        for a in plants
        for b in plants
        if a.id != b.id
    ] + [Lane(origin=a.id, destination="R", lead_time=timedelta(hours=24)) for a in plants]
    stock = tuple(
        StockLot(plant_id=p, material_id="steel", quantity=draw(st.integers(0, 12)))
        for p in plant_ids
        if with_steel and (p == plant_ids[0] or draw(st.booleans()))
    )
    supplies = tuple(
        Supply(
            plant_id=draw(st.sampled_from(plant_ids)),
            material_id="steel",
            quantity=draw(st.integers(1, 6)),
            arrives=START + hours(draw(st.integers(0, 200))),
        )
        for _ in range(draw(st.integers(0, 3)) if with_steel else 0)
    )
    staffing, secondments, trainings = (
        draw(_staff(plant_ids, skills, with_changes=draw(st.booleans())))
        if skills
        else ((), (), ())
    )
    return Network(
        calendar=draw(st.just(Calendar()) | calendars()),
        materials=(Material(id="steel", unit="t"),) if with_steel else (),
        stock=stock,
        supplies=supplies,
        skills=skills,
        staffing=staffing,
        secondments=secondments,
        trainings=trainings,
        start=START,
        processes=PROCESSES,
        regions=("R",),
        plants=plants,
        items=items,
        orders=orders,
        lanes=tuple(lanes),
    )


def features(network: Network) -> tuple[str, ...]:
    """The optional features ``network`` has, as short labels for ``hypothesis.event``."""
    machines = [m for _, m in network.iter_machines()]
    ops = [op for item in network.items for r in item.routings for op in r.operations]
    times = [t for op in ops for t in op.machine_times]
    found = {
        "machine times": bool(times),
        "machine times only (no run_per_unit)": any(
            op.machine_times and op.run_per_unit is None for op in ops
        ),
        "machine times overriding run_per_unit": any(
            op.machine_times and op.run_per_unit is not None for op in ops
        ),
        "machine time for one plant": any(t.plant_id is not None for t in times),
        "machine time for every plant": any(t.plant_id is None for t in times),
        "engineering step": any(op.is_staff_only for op in ops),
        "design line": any(line.is_design for item in network.items for line in item.bom),
        "crew on a machine step": any(op.crew and not op.is_staff_only for op in ops),
        "secondment": bool(network.secondments),
        "training": bool(network.trainings),
        "training with trainers": any(t.trainers for t in network.trainings),
        "machine available_from": any(m.available_from for m in machines),
        "machine available_until": any(m.available_until for m in machines),
        "machine calendar": any(m.calendar for m in machines),
        "plant calendar": any(p.calendar for p in network.plants),
        "holiday": any(
            c.holidays
            for c in (
                network.calendar,
                *(p.calendar for p in network.plants),
                *(m.calendar for m in machines),
            )
            if c
        ),
        "alternative routings": any(len(item.routings) > 1 for item in network.items),
        "steel": bool(network.materials),
        "steel supply": bool(network.supplies),
        "pinned order": any(o.plant_id for o in network.orders),
        "released order": any(o.release for o in network.orders),
        "order without due date": any(o.due is None for o in network.orders),
        "several plants": len(network.plants) > 1,
        "ganged step": any(op.gang for op in ops),
        "portable gang": any(op.gang and op.gang.floor_min_units for op in ops),
        "floor bays": any(p.floor for p in network.plants),
    }
    return tuple(label for label, present in found.items() if present)


def _is_free(
    busy: dict[tuple[str, str, int], list[tuple[datetime, datetime | None]]],
    key: tuple[str, str, int],
    start: datetime,
    end: datetime | None,
) -> bool:
    """Whether a unit is free over [start, end), ``None`` being for as long as it runs."""
    for held_start, held_end in busy.get(key, ()):
        if (end is None or held_start < end) and (held_end is None or start < held_end):
            return False
    return True


@st.composite
def _step_extras(
    draw: st.DrawFn, quantity: int, total: timedelta | None, *, done: bool
) -> tuple[timedelta | None, int | None, int]:
    """What a report says of the work behind it, as (work_done, quantity_done, scrapped):
    nothing, hours, units made good, or scrap."""
    if done:
        return None, quantity if draw(st.booleans()) else None, 0
    kind = draw(st.sampled_from(["none", "work_done", "quantity_done", "scrapped"]))
    if kind == "work_done" and total is not None and total > timedelta(0):
        minutes = int(total / timedelta(minutes=1))
        return timedelta(minutes=draw(st.integers(0, minutes - 1))), None, 0
    if kind == "quantity_done":
        return None, draw(st.integers(0, quantity - 1)), 0
    if kind == "scrapped":
        return None, draw(st.integers(0, quantity - 1)), draw(st.integers(1, 3))
    return None, None, 0


@st.composite
def progresses(draw: st.DrawFn, network: Network, plan: Plan) -> Progress:
    """Progress that deviates from ``plan`` as a plant's would, mostly within the rules.

    Work orders are visited components first. Each is left alone, reported step by step
    (its first steps done, the next maybe started, each shifted from its planned times,
    perhaps on another unit or group, or at another plant that can make it) once its
    components and designs are complete and have travelled, or reported finished. Then
    parts in stock, stock counts and receipts of steel, machines down (some units or
    all, for a while or for good, from before or after the status date) and
    secondments. Reports that would clash on a unit are left out, so most draws pass
    :func:`~xiezuo.domain.progress_rules.check_progress`; the rest test its refusals.
    """
    schedule = plan.schedule
    # After the plan's own status date, if it is a replan. Some status dates fall on a
    # planned start or end, where off-by-one slips hide.
    base = plan.as_of or START
    boundaries = sorted(
        {t for o in schedule.operations for t in (o.start, o.end) if base <= t <= base + hours(720)}
        if schedule is not None
        else set()
    )
    as_of = draw(
        st.integers(0, 96).map(lambda h: base + hours(h))
        | st.integers(96, 720).map(lambda h: base + hours(h))  # most of the work behind
        | (st.sampled_from(boundaries) if boundaries else st.nothing()),
        label="status date",
    )
    assignment_by_wo = (
        {} if schedule is None else {a.work_order_id: a for a in schedule.work_orders}
    )
    planned_by_step = (
        {} if schedule is None else {(o.work_order_id, o.step): o for o in schedule.operations}
    )
    work_orders = explode_orders(network)
    gates = design_gates(work_orders)
    children: dict[str, list[str]] = {}
    for wo in work_orders:
        if wo.parent_id is not None:
            children.setdefault(wo.parent_id, []).append(wo.id)
    pinned = {o.id: o.plant_id for o in network.orders}
    ready_by_wo: dict[str, tuple[str, datetime]] = {}  # complete: plant and when
    running: set[str] = set()  # work orders with a started step
    busy: dict[tuple[str, str, int], list[tuple[datetime, datetime | None]]] = {}
    steps: list[StepReport] = []
    finished: list[FinishedWorkOrder] = []
    for wo in reversed(work_orders):
        item = network.item_by_id[wo.item_id]
        plants = [p for p in network.plants if capable_routings(item, p)]
        if wo.parent_id is None and pinned[wo.order_id] is not None:
            plants = [p for p in plants if p.id == pinned[wo.order_id]]
        fate = draw(
            st.sampled_from(["nothing", "steps", "steps", "steps", "finished"]), label="fate"
        )
        if not plants or fate == "nothing":
            continue
        planned_plant = assignment_by_wo.get(wo.id)
        plant = next((p for p in plants if planned_plant and p.id == planned_plant.plant_id), None)
        if plant is None or draw(st.integers(0, 4)) == 0:
            plant = draw(st.sampled_from(plants), label="plant")
        needs = [*children.get(wo.id, ()), *gates.get(wo.id, ())]
        arrivals = [
            ready_by_wo[n][1] + (network.lead_time(ready_by_wo[n][0], plant.id) or timedelta(0))
            for n in needs
            if n in ready_by_wo
        ]
        earliest = max([START, *arrivals])
        if fate == "finished":
            if any(w == wo.id or w.startswith(wo.id + "/") for w in running) or earliest > as_of:
                continue
            span = int((as_of - earliest) / timedelta(minutes=1))
            when = earliest + timedelta(minutes=draw(st.integers(0, span), label="finished at"))
            finished.append(
                FinishedWorkOrder(work_order_id=wo.id, plant_id=plant.id, finished=when)
            )
            ready_by_wo[wo.id] = (plant.id, when)
            continue
        if len(arrivals) < len(needs):
            continue  # a component or design is not complete: no step may have begun
        routings = capable_routings(item, plant)
        routing = next(
            (r for r in routings if planned_plant and r.id == planned_plant.routing_id),
            routings[0],
        )
        if draw(st.integers(0, 3), label="another routing") == 0:
            routing = draw(st.sampled_from(routings), label="routing")
        last = draw(st.integers(1, len(routing.operations)), label="steps reported")
        cursor = earliest
        for step, op in enumerate(routing.operations[:last], start=1):
            report = _draw_step(
                draw,
                network,
                wo,
                plant,
                step,
                op,
                cursor,
                as_of,
                planned_by_step.get((wo.id, step)),
                busy,
                is_last=step == last,
            )
            if report is None:
                break
            steps.append(report)
            if report.end is None:
                running.add(wo.id)
                break
            cursor = report.end
            if step == len(routing.operations):
                ready_by_wo[wo.id] = (plant.id, report.end)
    progress = Progress(
        as_of=as_of,
        steps=tuple(steps),
        finished=tuple(finished),
        parts=draw(_parts(network)),
        counts=draw(_counts(network)),
        receipts=draw(_receipts(network, as_of)),
        down=draw(_downs(network, as_of)),
        secondments=draw(_progress_secondments(network, as_of)),
    )
    # Downtime and secondments are drawn blind to the reports and the headcount; most of
    # those that clash are left out (some stay, so the checker's refusals are seen too).
    if draw(st.integers(0, 4), label="keep clashes") == 0:
        return progress
    clashing = {p.path[:2] for p in check_progress(network, progress)}
    return replace(
        progress,
        down=tuple(d for i, d in enumerate(progress.down) if ("down", i) not in clashing),
        secondments=tuple(
            s for i, s in enumerate(progress.secondments) if ("secondments", i) not in clashing
        ),
    )


def _draw_step(
    draw: st.DrawFn,
    network: Network,
    wo: WorkOrder,
    plant: Plant,
    step: int,
    op: Operation,
    cursor: datetime,
    as_of: datetime,
    planned: ScheduledOperation | None,
    busy: dict[tuple[str, str, int], list[tuple[datetime, datetime | None]]],
    *,
    is_last: bool,
) -> StepReport | None:
    """One step report after ``cursor``: done when it ended by ``as_of`` (the last one
    maybe started instead), else started; ``None`` when it cannot have begun or no
    unit was free for it."""
    # Mostly near its planned time; sometimes as soon as the step before allows (a step
    # planned for next week done this week).
    is_early = draw(st.integers(0, 3), label="early") == 0
    if planned is not None and planned.plant_id == plant.id and not is_early:
        start = planned.start + hours(draw(st.integers(-8, 8), label="shift"))
        length = max(hours(1), planned.end - planned.start + hours(draw(st.integers(-4, 8))))
    else:
        start = cursor + hours(draw(st.integers(0, 6), label="wait"))
        length = hours(draw(st.integers(1, 12), label="length"))
    start = max(start, cursor)
    machine: Machine | None = None
    if not op.is_staff_only:
        machines = capable_machines(network.item_by_id[wo.item_id], op, plant)
        machine = next((m for m in machines if planned and m.id == planned.machine_id), None)
        if machine is None or draw(st.integers(0, 4)) == 0:
            machine = draw(st.sampled_from(machines), label="machine")
        if machine.available_from is not None:
            start = max(start, machine.available_from)
    if start > as_of:
        return None
    end: datetime | None = start + length
    if end is None or end > as_of or (is_last and draw(st.booleans(), label="last started")):
        end = None
    unit = 0
    if machine is not None:
        until = machine.available_until
        # A started step still runs at the status date, so its group is in service then.
        gone = until is not None and (until <= as_of if end is None else until < end)
        if gone:
            return None
        preferred = planned.unit if planned and planned.machine_id == machine.id else 0
        if draw(st.integers(0, 3)) == 0:
            preferred = draw(st.integers(0, machine.units - 1), label="unit")
        free = [
            u
            for u in sorted(range(machine.units), key=lambda u: u != preferred)
            if _is_free(busy, (plant.id, machine.id, u), start, end)
        ]
        if not free:
            return None
        unit = free[0]
        busy.setdefault((plant.id, machine.id, unit), []).append((start, end))
    total = op.duration(wo.quantity, plant.id, "" if machine is None else machine.id)
    work_done, quantity_done, scrapped = draw(
        _step_extras(wo.quantity, total, done=end is not None)
    )
    return StepReport(
        work_order_id=wo.id,
        step=step,
        status=StepStatus.STARTED if end is None else StepStatus.DONE,
        plant_id=plant.id,
        machine_id=None if machine is None else machine.id,
        unit=unit,
        start=start,
        end=end,
        work_done=work_done,
        quantity_done=quantity_done,
        scrapped=scrapped,
    )


@st.composite
def _parts(draw: st.DrawFn, network: Network) -> tuple[PartStock, ...]:
    """Finished parts of items at plants that can make them, each plant and item once."""
    makers = sorted(
        (p.id, item.id)
        for item in network.items
        for p in network.plants
        if capable_routings(item, p)
    )
    if not makers:
        return ()
    chosen = draw(st.lists(st.sampled_from(makers), max_size=2, unique=True), label="parts")
    return tuple(
        PartStock(plant_id=p, item_id=i, quantity=draw(st.integers(1, 3))) for p, i in chosen
    )


@st.composite
def _counts(draw: st.DrawFn, network: Network) -> tuple[StockCount, ...]:
    if not network.materials:
        return ()
    plant_ids = draw(st.lists(st.sampled_from([p.id for p in network.plants]), unique=True))
    return tuple(
        StockCount(plant_id=p, material_id="steel", quantity=draw(st.integers(0, 20)))
        for p in plant_ids
    )


@st.composite
def _receipts(draw: st.DrawFn, network: Network, as_of: datetime) -> tuple[Receipt, ...]:
    if not network.materials:
        return ()
    span = int((as_of - START) / timedelta(minutes=1))
    return tuple(
        Receipt(
            plant_id=draw(st.sampled_from([p.id for p in network.plants])),
            material_id="steel",
            quantity=draw(st.integers(1, 10)),
            arrived=START + timedelta(minutes=draw(st.integers(0, span))),
        )
        for _ in range(draw(st.integers(0, 2), label="receipts"))
    )


@st.composite
def _downs(draw: st.DrawFn, network: Network, as_of: datetime) -> tuple[MachineDown, ...]:
    """Up to two machine groups down, some units or all, from before or after ``as_of``,
    for a while or for good."""
    groups = [(p.id, m) for p, m in network.iter_machines()]
    chosen = draw(
        st.lists(st.sampled_from(range(len(groups))), max_size=2, unique=True), label="down"
    )
    downs = []
    for idx in chosen:
        plant_id, machine = groups[idx]
        start = draw(
            st.just(as_of) | st.integers(-48, 72).map(lambda h: as_of + hours(h)),
            label="down from",
        )
        length = draw(st.none() | st.integers(1, 120), label="down for")
        downs.append(
            MachineDown(
                plant_id=plant_id,
                machine_id=machine.id,
                units=draw(st.none() | st.integers(1, machine.units)),
                start=start,
                end=None if length is None else start + hours(length),
            )
        )
    return tuple(downs)


@st.composite
def _progress_secondments(
    draw: st.DrawFn, network: Network, as_of: datetime
) -> tuple[Secondment, ...]:
    """Someone sent away since the scenario, from some hours before or after ``as_of``."""
    staffed = [(s.plant_id, s.skill) for s in network.staffing if s.headcount]
    if not staffed or not draw(st.booleans(), label="secondment"):
        return ()
    plant_id, skill = draw(st.sampled_from(staffed))
    start = as_of + hours(draw(st.integers(-24, 48)))
    length = draw(st.none() | st.integers(8, 100))
    return (
        Secondment(
            plant_id=plant_id,
            skill=skill,
            count=1,
            start=start,
            end=None if length is None else start + hours(length),
        ),
    )


def progress_features(progress: Progress) -> tuple[str, ...]:
    """The kinds of record ``progress`` has, as short labels for ``hypothesis.event``."""
    steps = progress.steps
    started = [s for s in steps if s.status is StepStatus.STARTED]
    found = {
        "step done": len(started) < len(steps),
        "step started": bool(started),
        "started with work_done": any(s.work_done is not None for s in started),
        "started with quantity_done": any(s.quantity_done is not None for s in started),
        "started with scrap": any(s.scrapped for s in started),
        "engineering step reported": any(s.machine_id is None for s in steps),
        "finished work order": bool(progress.finished),
        "finished end product": any(
            ":" in f.work_order_id and "/" not in f.work_order_id for f in progress.finished
        ),
        "parts in stock": bool(progress.parts),
        "stock count": bool(progress.counts),
        "receipt": bool(progress.receipts),
        "machine down": bool(progress.down),
        "whole group down": any(d.units is None for d in progress.down),
        "down for good": any(d.end is None for d in progress.down),
        "down from before the status date": any(d.start < progress.as_of for d in progress.down),
        "secondment": bool(progress.secondments),
    }
    return tuple(label for label, present in found.items() if present)
