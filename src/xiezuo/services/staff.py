"""The staff report: skilled people needed against people available, per plant and skill.

For each plant and skill the report gives the headcount over time (staffing, minus
secondments, plus qualified trainees, minus trainers while they teach) and, for a
plan, the people its operations keep at work over time. From the two it finds the
peak, the person-hours booked against those available, and the days on which people
rather than machines held the plan back.

Everything here is a pure function of a network and an optional plan.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from itertools import pairwise
from typing import TYPE_CHECKING

from xiezuo.errors import ModelError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from xiezuo.domain import Network, Plan, Plant, Routing, ScheduledOperation

Steps = tuple[tuple[datetime, int], ...]
"""A step function of time: ``(from, value)`` pairs in time order."""

_HOUR = timedelta(hours=1)
_TICK = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True, kw_only=True)
class StaffEvent:
    """A change in a plant's people on a day: a secondment, a return, a training."""

    when: datetime
    description: str

    @property
    def day(self) -> date:
        return self.when.date()


@dataclass(frozen=True, slots=True, kw_only=True)
class SkillLine:
    """People of one skill at one plant: those it has, and those the plan keeps at work.

    ``capacity`` and ``load`` are step functions ``(from, people)`` starting at the
    horizon start; ``load`` is empty without a plan. The plan-derived figures are
    ``None`` (or empty) without a plan.

    ``peak_utilisation`` is the highest ratio of people at work to people on staff
    at any instant, first reached at ``tightest_at``, so a small crew after a
    secondment can be tighter than the largest crew (the peak of 7 turners of 8 is
    88 % while 6 of 6 a week later is 100 %); it is infinite when a plan puts
    people to work where there are none, which :mod:`xiezuo.planning.validation.audit`
    reports as a broken plan.
    ``booked_hours`` is each crew's size times its operation's working time;
    ``available_hours`` integrates the headcount over the plant's working calendar
    from the horizon start to the plan's last operation end.
    ``people_limited_days`` are the days people, not machines, held the plan back:
    see :func:`staff_report`.
    """

    plant_id: str
    skill: str
    capacity: Steps
    load: Steps = ()
    peak_load: int = 0
    peak_at: datetime | None = None
    peak_utilisation: float | None = None
    tightest_at: datetime | None = None
    booked_hours: float | None = None
    available_hours: float | None = None
    people_limited_days: tuple[date, ...] = ()
    events: tuple[StaffEvent, ...] = ()

    def capacity_at(self, instant: datetime) -> int:
        """People of the skill on staff at ``instant``."""
        return _level_at(self.capacity, instant)

    def load_at(self, instant: datetime) -> int:
        """People of the skill the plan keeps at work at ``instant``."""
        return _level_at(self.load, instant)

    @property
    def utilisation(self) -> float | None:
        """Booked over available person-hours; ``None`` without a plan or without hours."""
        if self.booked_hours is None or not self.available_hours:
            return None
        return self.booked_hours / self.available_hours


@dataclass(frozen=True, slots=True, kw_only=True)
class StaffReport:
    """Skill lines for every plant and skill that has people or needs them.

    ``end`` is the plan's last operation end, ``None`` without a plan (or with a plan
    that schedules nothing); ``has_plan`` says whether a schedule was read at all.
    """

    start: datetime
    end: datetime | None
    has_plan: bool
    lines: tuple[SkillLine, ...]

    @property
    def plant_ids(self) -> tuple[str, ...]:
        """Plants with at least one line, in report order."""
        return tuple(dict.fromkeys(line.plant_id for line in self.lines))

    def lines_of(self, plant_id: str) -> tuple[SkillLine, ...]:
        return tuple(line for line in self.lines if line.plant_id == plant_id)

    @property
    def events(self) -> tuple[tuple[str, StaffEvent], ...]:
        """Every line's staff changes as ``(plant, event)``, in date order across lines.

        Ties keep report order, so one plant's changes of a day stay together.
        """
        dated = [(line.plant_id, event) for line in self.lines for event in line.events]
        return tuple(sorted(dated, key=lambda pair: pair[1].when))


@dataclass(frozen=True, slots=True)
class _CrewUse:
    operation: ScheduledOperation
    size: int


def staff_report(network: Network, plan: Plan | None) -> StaffReport:
    """Skill load against capacity over time, per plant and skill.

    A plant and skill get a line when the plant has staffing, secondments or
    trainings (as trainees or trainers) in the skill, when one of its machines has
    the process of an operation needing the skill, or when the plan has such an
    operation there. Lines follow the network's plant order, then its skill order.

    An operation's crew is that of its routing step (the work order's routing, step
    ``step``); the crew is at work from the operation's start to its end, as the
    validator counts it, with crews ending at an instant handing over to crews
    starting then.

    A day is *people-limited* for a skill when, at some instant of it,

    - every person of the skill on staff is at work (or there is nobody),
    - an operation at the plant needing the skill is still to start, and
    - a machine at the plant of a process used by operations needing the skill is
      in working time and has a unit free.

    So the plan waits for people while a machine that could take the work stands
    idle. It is a pointer for the planner, not a proof: materials or precedence may
    hold that operation back too.

    Parameters
    ----------
    network
        The scenario's network.
    plan
        A plan for that network, or ``None`` for capacity and staff changes only; a
        plan without a schedule counts as having no operations.

    Returns
    -------
    StaffReport

    Raises
    ------
    ModelError
        If the plan does not fit the network: an operation of an unassigned work
        order, or of an unknown plant, item, routing or routing step. Every such
        operation is listed.
    """
    schedule = None if plan is None else plan.schedule
    operations = () if schedule is None else schedule.operations
    uses = _crew_uses(network, plan) if plan is not None else {}
    end = max((op.end for op in operations), default=None)
    ops_by_plant: dict[str, list[ScheduledOperation]] = defaultdict(list)
    for op in operations:
        ops_by_plant[op.plant_id].append(op)
    lines = []
    for plant_id, skill in _plant_skills(network, uses):
        capacity = network.staff_capacity(plant_id, skill)
        events = _events(network, plant_id, skill)
        plant = network.plant_by_id.get(plant_id)
        # A plant only staff records name is left to validate_network; show its people.
        if schedule is None or plant is None:
            lines.append(
                SkillLine(plant_id=plant_id, skill=skill, capacity=capacity, events=events)
            )
            continue
        skill_uses = uses.get((plant_id, skill), [])
        load = _steps_of(
            network.start,
            [
                c
                for u in skill_uses
                for c in ((u.operation.start, u.size), (u.operation.end, -u.size))
            ],
        )
        peak_load = max(people for _, people in load)
        peak_utilisation, tightest_at = _tightest(capacity, load)
        lines.append(
            SkillLine(
                plant_id=plant_id,
                skill=skill,
                capacity=capacity,
                load=load,
                peak_load=peak_load,
                peak_at=next(t for t, people in load if people == peak_load) if peak_load else None,
                peak_utilisation=peak_utilisation,
                tightest_at=tightest_at,
                booked_hours=sum((u.size * u.operation.work / _HOUR for u in skill_uses), 0.0),
                available_hours=_available_hours(network, plant, capacity, end),
                people_limited_days=_people_limited_days(
                    network, plant, capacity, load, skill_uses, ops_by_plant[plant_id], end
                ),
                events=events,
            )
        )
    return StaffReport(
        start=network.start, end=end, has_plan=schedule is not None, lines=tuple(lines)
    )


def _crew_uses(network: Network, plan: Plan) -> dict[tuple[str, str], list[_CrewUse]]:
    """Crews of the plan's operations by plant and skill; fails on operations that do not fit."""
    if plan.schedule is None:
        return {}
    assignments = {wa.work_order_id: wa for wa in plan.schedule.work_orders}
    uses: dict[tuple[str, str], list[_CrewUse]] = defaultdict(list)
    problems = []
    for op in plan.schedule.operations:
        what = f"operation {op.step} of work order {op.work_order_id!r}"
        wa = assignments.get(op.work_order_id)
        item = None if wa is None else network.item_by_id.get(wa.item_id)
        routing = None if wa is None or item is None else _routing(item.routings, wa.routing_id)
        if wa is None:
            problems.append(f"{what}: the plan assigns no such work order")
        elif item is None:
            problems.append(f"{what}: the network has no item {wa.item_id!r}")
        elif routing is None:
            problems.append(f"{what}: item {wa.item_id!r} has no routing {wa.routing_id!r}")
        elif not 1 <= op.step <= len(routing.operations):
            problems.append(
                f"{what}: routing {routing.id!r} has steps 1 to {len(routing.operations)}"
            )
        elif op.plant_id not in network.plant_by_id:
            problems.append(f"{what}: the network has no plant {op.plant_id!r}")
        else:
            for crew in routing.operations[op.step - 1].crew:
                # A gang of k units needs the crew k times.
                uses[op.plant_id, crew.skill].append(_CrewUse(op, crew.size * op.gang))
    if problems:
        raise ModelError(problems, source="the plan does not fit the scenario")
    return uses


def _routing(routings: Iterable[Routing], routing_id: str) -> Routing | None:
    return next((r for r in routings if r.id == routing_id), None)


def _plant_skills(
    network: Network, uses: dict[tuple[str, str], list[_CrewUse]]
) -> tuple[tuple[str, str], ...]:
    pairs: set[tuple[str, str]] = set(uses)
    pairs.update((s.plant_id, s.skill) for s in network.staffing)
    pairs.update((s.plant_id, s.skill) for s in network.secondments)
    for t in network.trainings:
        pairs.add((t.plant_id, t.skill))
        if t.trainer_skill is not None and t.trainers:
            pairs.add((t.plant_id, t.trainer_skill))
    for plant in network.plants:
        processes = {m.process for m in plant.machines}
        pairs.update(
            (plant.id, crew.skill)
            for item in network.items
            for routing in item.routings
            for operation in routing.operations
            if operation.process in processes
            for crew in operation.crew
        )
    plant_idx = {plant.id: idx for idx, plant in enumerate(network.plants)}
    skill_idx = {skill: idx for idx, skill in enumerate(network.skills)}
    return tuple(
        sorted(
            pairs,
            key=lambda p: (
                plant_idx.get(p[0], len(plant_idx)),
                p[0],
                skill_idx.get(p[1], len(skill_idx)),
                p[1],
            ),
        )
    )


def _events(network: Network, plant_id: str, skill: str) -> tuple[StaffEvent, ...]:
    events = []
    for s in network.secondments:
        if (s.plant_id, s.skill) != (plant_id, skill):
            continue
        people = _people(s.count, skill)
        events.append(
            StaffEvent(
                when=s.start,
                description=f"{people} seconded to {s.region}"
                if s.region
                else f"{people} seconded away",
            )
        )
        if s.end is not None:
            events.append(
                StaffEvent(
                    when=s.end,
                    description=f"{people} back from {s.region or 'secondment'}",
                )
            )
    for t in network.trainings:
        if t.plant_id != plant_id:
            continue
        if t.skill == skill:
            people = _people(t.count, skill)
            starts, qualifies = _verb("start", t.count), _verb("qualify", t.count)
            events.append(StaffEvent(when=t.start, description=f"{people} {starts} training"))
            events.append(
                StaffEvent(when=t.ends, description=f"{people} {qualifies} after training")
            )
        if t.trainer_skill == skill and t.trainers:
            trainers = _people(t.trainers, skill)
            trainees = _people(t.count, t.skill)
            starts = _verb("start", t.trainers)
            events.append(
                StaffEvent(when=t.start, description=f"{trainers} {starts} training {trainees}")
            )
            events.append(
                StaffEvent(when=t.ends, description=f"{trainers} back from training {trainees}")
            )
    return tuple(sorted(events, key=lambda e: e.when))


def _verb(verb: str, count: int) -> str:
    """``verb`` agreeing with ``count`` people: "1 turner qualifies", "2 turners qualify"."""
    if count != 1:
        return verb
    return f"{verb[:-1]}ies" if verb.endswith("y") else f"{verb}s"


def _people(count: int, skill: str) -> str:
    if count == 1:
        return f"1 {skill}"
    if skill.endswith("man"):
        return f"{count} {skill[:-3]}men"
    if skill.endswith(("s", "sh", "ch", "x")):
        return f"{count} {skill}es"
    return f"{count} {skill}s"


def _steps_of(start: datetime, changes: Iterable[tuple[datetime, int]]) -> Steps:
    """A step function from 0 at ``start`` and ``(when, change)`` pairs, one step per instant."""
    net: dict[datetime, int] = defaultdict(int)
    for when, change in changes:
        net[max(when, start)] += change
    steps = [(start, 0)]
    level = 0
    for when in sorted(net):
        level += net[when]
        if when == steps[-1][0]:
            steps[-1] = (when, level)
        elif level != steps[-1][1]:
            steps.append((when, level))
    return tuple(steps)


def _level_at(steps: Steps, instant: datetime) -> int:
    """The step function's value at ``instant``; 0 before its first step."""
    idx = bisect_right(steps, instant, key=lambda step: step[0])
    return steps[idx - 1][1] if idx else 0


def _tightest(capacity: Steps, load: Steps) -> tuple[float | None, datetime | None]:
    """The highest share of people at work, and the first instant it is reached."""
    peak: float | None = None
    peak_at: datetime | None = None
    for instant in sorted({t for t, _ in capacity} | {t for t, _ in load}):
        people = _level_at(load, instant)
        if people <= 0:
            continue
        staff = _level_at(capacity, instant)
        ratio = people / staff if staff > 0 else math.inf
        if peak is None or ratio > peak:
            peak, peak_at = ratio, instant
    return peak, peak_at


def _available_hours(
    network: Network, plant: Plant, capacity: Steps, end: datetime | None
) -> float:
    if end is None:
        return 0.0
    calendar = plant.calendar or network.calendar
    cuts = [t for t, _ in capacity]
    total = timedelta(0)
    for lo, hi in calendar.windows(network.start, end):
        points = [lo, *(t for t in cuts if lo < t < hi), hi]
        for a, b in pairwise(points):
            total += (b - a) * max(_level_at(capacity, a), 0)
    return total / _HOUR


def _people_limited_days(
    network: Network,
    plant: Plant,
    capacity: Steps,
    load: Steps,
    skill_uses: list[_CrewUse],
    plant_ops: list[ScheduledOperation],
    end: datetime | None,
) -> tuple[date, ...]:
    if not skill_uses or end is None:
        return ()
    processes = {u.operation.process for u in skill_uses}
    starts = {u.operation.start for u in skill_uses}
    # Demand waits only until the last operation needing the skill starts.
    last_start = min(max(starts), end)
    zone = network.start.tzinfo
    days: set[date] = set()
    for machine in plant.machines:
        if machine.process not in processes:
            continue
        running = _steps_of(
            network.start,
            [
                c
                for op in plant_ops
                if op.machine_id == machine.id
                for c in ((op.start, 1), (op.end, -1))
            ],
        )
        cuts = sorted({t for steps in (capacity, load, running) for t, _ in steps} | starts)
        for lo, hi in network.machine_windows(plant, machine, network.start, last_start):
            points = [lo, *(t for t in cuts if lo < t < hi), hi]
            for a, b in pairwise(points):
                if (
                    _level_at(load, a) >= _level_at(capacity, a)
                    and _level_at(running, a) < machine.units
                ):
                    days.update(_days(a, b, zone))
    return tuple(sorted(days))


def _days(start: datetime, end: datetime, zone: tzinfo | None) -> Iterator[date]:
    """Dates touched by ``[start, end)`` in ``zone``."""
    day = start.astimezone(zone).date()
    last = (end - _TICK).astimezone(zone).date()
    while day <= last:
        yield day
        day += timedelta(days=1)
