"""Advice: which lever fixes which late order, measured by re-solving.

A late order's explanation names what its critical chain waited for: busy machines of
a group, people of a skill at a plant. From a plan's late orders this module finds the
*bottlenecks* (the machine groups, and the crews, the late orders waited for longest,
weighted by priority), proposes *levers* that add capacity there, and measures each by
solving the scenario again with the lever pulled, with the same parameters, many at
once through :func:`~xiezuo.scenarios.executor.solve_many`. A lever is a what-if
variant (``docs/variants.md``): a few changes over the base scenario's file data, so
every lever passes every check a scenario file passes, and a planner can save it as a
variant file and plan it himself.

The levers generated, for each of the top bottleneck groups:

- an extra shift on the group (or Sunday work when its days are full), for the horizon;
- one more unit of the group in a shed, from the plan start plus
  :data:`SHED_BUILD_DAYS`;
- a group that comes into service during the horizon brought forward by
  :data:`RUSH_DAYS`;
- ganging: the group's process may run a step on several units at once, where the
  group has two units or more and no step of the process has a gang yet;
- a loan of a unit from the least-loaded plant with a group at least as capable, which
  keeps one unit fewer; the unit travels the lane between the plants plus
  :data:`MOVE_HANDLING_DAYS`;

and for each crew the late orders waited for, people of that skill lent from the plant
with the most to spare, travelling the lane between the plants. Gains are judged like
``xiezuo compare`` judges variants (:mod:`xiezuo.scenarios.significance`): a gain
smaller than the solvers' gaps may be the search, not the lever.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

from xiezuo.domain import Plan
from xiezuo.errors import InputError, ModelError, PlanningError
from xiezuo.io.variant import (
    AddMachine,
    DelayMachine,
    LendPeople,
    SetCalendar,
    SetGang,
    SetMachine,
    apply_changes,
    change_data,
)
from xiezuo.scenarios.executor import SolveJob, solve_many
from xiezuo.scenarios.significance import Significance, judge

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from xiezuo.domain import Calendar, Network
    from xiezuo.io.scenario_schema import MachineSpec, PlantSpec, ScenarioSpec
    from xiezuo.io.variant import Change
    from xiezuo.planning.params import PlanParams, ProgressEvent
    from xiezuo.scenarios.executor import ExecutorSpec, Outcome

SHED_BUILD_DAYS: Final = 14
"""Days from the plan start until a shed works: poles, matting and a machine set on a
concrete bed, as the plants of 1958 put them up."""
RUSH_DAYS: Final = 14
"""Days by which a group that comes into service during the horizon (a new shop) is
brought forward when its installation is rushed."""
MOVE_HANDLING_DAYS: Final = 2
"""Days to take a machine down, load it and set it up again, on top of the lane."""
BOTTLENECKS: Final = 2
"""Machine groups (and crews) that levers are generated for, the worst first."""
DEFAULT_MAX_LEVERS: Final = 8
GANG_EFFICIENCY: Final = {2: 0.9, 3: 0.8, 4: 0.75}
"""Share of full speed per gang size assumed by the ganging lever (as the example's
lathes): two units lose a tenth to coordination, four a quarter."""
MAX_GANG: Final = 4

_DAY_H = 24.0
_NOTICEABLE = timedelta(hours=1)
"""Smallest saving a summary sentence names."""


class LeverKind(StrEnum):
    SHIFT = "extra shift"
    SHED = "shed"
    EARLIER = "earlier service"
    GANG = "ganging"
    MACHINE_LOAN = "machine loan"
    PEOPLE_LOAN = "people loan"


@dataclass(frozen=True, slots=True, kw_only=True)
class Lever:
    """A change that adds capacity, as variant changes over the base scenario.

    ``name`` is short, for tables (``shed CTS/machine-shop``); ``summary`` says what it
    does in the planners' words; ``cost`` is ``None`` when nobody gave one.
    """

    kind: LeverKind
    name: str
    summary: str
    changes: tuple[Change, ...]
    cost: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Bottleneck:
    """A machine group late orders waited for: ``wait_hours`` is the priority-weighted
    time their critical chains stood behind it, ``orders`` the late orders that did."""

    plant_id: str
    machine_id: str
    wait_hours: float
    orders: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.plant_id}/{self.machine_id}"


@dataclass(frozen=True, slots=True, kw_only=True)
class CrewShortage:
    """A crew late orders waited for: ``people`` of ``skill`` at ``plant_id``."""

    plant_id: str
    skill: str
    people: int
    wait_hours: float
    orders: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.people} {self.skill} at {self.plant_id}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Lateness:
    """An order in one plan: ``arrival`` ``None`` when the plan leaves it out."""

    order_id: str
    priority: int
    due: datetime | None
    arrival: datetime | None

    @property
    def late_by(self) -> timedelta | None:
        """Time after the due date (zero when on time); ``None`` when unplanned."""
        if self.arrival is None:
            return None
        if self.due is None:
            return timedelta(0)
        return max(timedelta(0), self.arrival - self.due)

    @property
    def is_late(self) -> bool:
        return self.late_by is None or self.late_by > timedelta(0)


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderGain:
    """A base-late order with and without the lever."""

    before: Lateness
    after: Lateness

    @property
    def saved(self) -> timedelta | None:
        """Lateness cut by the lever (negative: made later); ``None`` if either plan
        leaves the order out."""
        if self.before.late_by is None or self.after.late_by is None:
            return None
        return self.before.late_by - self.after.late_by

    @property
    def is_on_time_now(self) -> bool:
        return not self.after.is_late

    @property
    def is_now_planned(self) -> bool:
        """The base leaves the order out; with the lever it is planned."""
        return self.before.arrival is None and self.after.arrival is not None

    @property
    def helps(self) -> bool:
        return self.is_now_planned or (self.saved or timedelta(0)) > timedelta(0)


@dataclass(frozen=True, slots=True, kw_only=True)
class LeverOutcome:
    """A lever measured: its plan, the network's tardiness difference and its verdict,
    and every base-late order with and without it. ``failure`` says why there is no
    plan (the scenario refused the lever, or the solve failed)."""

    lever: Lever
    plan: Plan | None
    failure: str | None = None
    is_refused: bool = False
    """The scenario refused the lever's changes (``failure`` says why): a lever given
    by hand that does not fit, not a failed solve."""
    tardiness_delta: float | None = None
    noise: float | None = None
    significance: Significance = Significance.UNKNOWN
    gains: tuple[OrderGain, ...] = ()

    @property
    def tardiness_after(self) -> float | None:
        return None if self.plan is None else self.plan.tardiness_hours

    @property
    def is_significant_gain(self) -> bool:
        return (
            self.significance is Significance.SIGNIFICANT
            and self.tardiness_delta is not None
            and self.tardiness_delta < 0
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Advice:
    """The base plan, its late orders, the bottlenecks found and every lever measured."""

    base: Plan
    late: tuple[Lateness, ...]
    bottlenecks: tuple[Bottleneck, ...]
    crews: tuple[CrewShortage, ...]
    outcomes: tuple[LeverOutcome, ...]
    params: PlanParams

    def levers_for(self, order_id: str) -> list[tuple[LeverOutcome, OrderGain]]:
        """The levers that cut the order's lateness (or plan it at all), the biggest
        cut first."""
        found = [
            (outcome, gain)
            for outcome in self.outcomes
            for gain in outcome.gains
            if gain.before.order_id == order_id and gain.helps
        ]
        return sorted(
            found,
            key=lambda pair: (not pair[1].is_now_planned, -(pair[1].saved or timedelta(0))),
        )

    def summary(self) -> tuple[str, ...]:
        """A few sentences: what the levers that beat the noise do, biggest gain first."""
        if self.base.schedule is None:
            return (
                f"The base plan has no schedule ({self.base.status.value}): there is "
                "nothing to measure levers against; a longer time limit may find one.",
            )
        if not self.late:
            return ("No order is late in the base plan: there is nothing to fix.",)
        winners = sorted(
            (o for o in self.outcomes if o.is_significant_gain),
            key=lambda o: o.tardiness_delta or 0.0,
        )
        sentences = [_sentence(outcome) for outcome in winners[:4]]
        measured = [o for o in self.outcomes if o.plan is not None]
        if not measured:
            found = "no lever was found" if not self.outcomes else "no lever could be measured"
            sentences.append(f"{_capital(found)} for the late orders' waits.")
        if not winners and measured:
            noise = max((o.noise for o in measured if o.noise is not None), default=None)
            band = "" if noise is None else f" ({noise:,.0f} weighted hours)"
            sentences.append(
                "No lever cuts the weighted tardiness by more than the solvers' noise"
                f"{band}; a longer time limit narrows it."
            )
        elif len(winners) > 4:
            sentences.append(f"{len(winners) - 4} more levers also beat the noise.")
        return tuple(sentences)


def _sentence(outcome: LeverOutcome) -> str:
    on_time = [g.before.order_id for g in outcome.gains if g.is_on_time_now]
    saved = sorted(
        (
            g
            for g in outcome.gains
            if not g.is_on_time_now and (g.saved or timedelta(0)) > _NOTICEABLE
        ),
        key=lambda g: -(g.saved or timedelta(0)),
    )
    planned = [
        g.before.order_id for g in outcome.gains if g.is_now_planned and not g.is_on_time_now
    ]
    parts = []
    if on_time:
        parts.append(f"puts {_names(on_time)} on time")
    if planned:
        parts.append(f"plans {_names(planned)}, left out before")
    if saved:
        shown = ", ".join(f"{g.before.order_id} {_days(g.saved)}" for g in saved[:3])
        more = f" and {len(saved) - 3} more" if len(saved) > 3 else ""
        parts.append(f"saves {shown}{more}")
    what = " and ".join(parts) or "cuts no late order's lateness by an hour"
    before = (outcome.tardiness_after or 0.0) - (outcome.tardiness_delta or 0.0)
    return (
        f"{_capital(outcome.lever.summary)} {what} (weighted tardiness {before:,.0f} h → "
        f"{outcome.tardiness_after or 0.0:,.0f} h)."
    )


def _names(order_ids: Sequence[str]) -> str:
    if len(order_ids) > 4:
        return f"{', '.join(order_ids[:4])} and {len(order_ids) - 4} more"
    if len(order_ids) > 1:
        return f"{', '.join(order_ids[:-1])} and {order_ids[-1]}"
    return order_ids[0]


def _days(span: timedelta | None) -> str:
    days = (span or timedelta(0)) / timedelta(days=1)
    return f"{days:.1f} days"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


# ---- what the late orders waited for ---------------------------------------------------

_KIND_PREFIXES: Final = (
    ("for busy machines: ", "machine"),
    ("for machines to come into service: ", "service"),
    ("for people: ", "people"),
    ("for drawings: ", "design"),
    ("in transport: ", "transport"),
    ("for working hours ", "calendar"),
)
_ANY_KIND = re.compile(r"^(?:for|in) [a-z ]+: ")
"""A kind of wait this module does not know yet: its entries are skipped, not taken
for the kind before it."""
_WAIT = re.compile(r"^(?P<label>.+) for (?P<days>\d+(?:\.\d+)?) d(?: behind .*)?$")
_IN_SERVICE = re.compile(r"^(?P<group>.+) on \d{4}-\d{2}-\d{2}$")
_CREW = re.compile(r"^(?P<people>\d+) (?P<skill>.+) at (?P<plant>.+)$")
_CHAIN = "on its critical path it waits "


def _waits(message: str) -> Iterable[tuple[str, str, float]]:
    """``(kind, label, days)`` of every wait an explanation names on the critical chain."""
    _, found, tail = message.partition(_CHAIN)
    if not found:
        return
    kind = ""
    for part in tail.split("; "):
        for prefix, name in _KIND_PREFIXES:
            if part.startswith(prefix):
                kind, part = name, part.removeprefix(prefix)
                break
        else:
            unknown = _ANY_KIND.match(part)
            if unknown is not None:
                kind, part = "", part[unknown.end() :]
        match = _WAIT.match(part)
        if match is not None and kind:
            yield kind, match["label"], float(match["days"])


def find_bottlenecks(
    network: Network, plan: Plan
) -> tuple[tuple[Bottleneck, ...], tuple[CrewShortage, ...]]:
    """The machine groups and crews the late orders' critical chains waited for, the
    longest priority-weighted wait first.

    The waits come from the plan's explanations (``docs/output.md``, "Why an order is
    late"): behind busy units, and for a group to come into service. When they name
    no machine, the groups that worked on late orders stand in,
    the most loaded first: a plan read from a file may carry no explanations.
    """
    priority = {order.id: order.priority for order in network.orders}
    groups = {f"{p.id}/{m.id}": (p.id, m.id) for p in network.plants for m in p.machines}
    plants = {p.id for p in network.plants}
    skills = set(network.skills)
    machine_waits: dict[tuple[str, str], float] = defaultdict(float)
    machine_orders: dict[tuple[str, str], set[str]] = defaultdict(set)
    crew_waits: dict[tuple[str, str, int], float] = defaultdict(float)
    crew_orders: dict[tuple[str, str, int], set[str]] = defaultdict(set)
    for explanation in plan.explanations:
        if explanation.kind != "late" or explanation.subject not in priority:
            continue
        weight = priority[explanation.subject]
        for kind, label, days in _waits(explanation.message):
            # Waiting for a group to come into service is waiting for its capacity too.
            service = _IN_SERVICE.match(label) if kind == "service" else None
            if service is not None:
                kind, label = "machine", service["group"]
            if kind == "machine" and label in groups:
                machine_waits[groups[label]] += weight * days * _DAY_H
                machine_orders[groups[label]].add(explanation.subject)
            crew = _CREW.match(label) if kind == "people" else None
            if crew is not None and crew["plant"] in plants and crew["skill"] in skills:
                key = (crew["plant"], crew["skill"], int(crew["people"]))
                crew_waits[key] += weight * days * _DAY_H
                crew_orders[key].add(explanation.subject)
    if not machine_waits:
        late = {lateness.order_id for lateness in late_orders(network, plan)}
        load = group_load(network, plan, orders=late)
        ranked = sorted(load, key=lambda key: -load[key])
        machine_orders.update(dict.fromkeys(ranked, late))
        machine_waits.update(dict.fromkeys(ranked, 0.0))
    bottlenecks = tuple(
        Bottleneck(
            plant_id=plant_id,
            machine_id=machine_id,
            wait_hours=hours,
            orders=tuple(sorted(machine_orders[plant_id, machine_id])),
        )
        for (plant_id, machine_id), hours in sorted(machine_waits.items(), key=lambda kv: -kv[1])
    )
    crews = tuple(
        CrewShortage(
            plant_id=plant_id,
            skill=skill,
            people=people,
            wait_hours=hours,
            orders=tuple(sorted(crew_orders[plant_id, skill, people])),
        )
        for (plant_id, skill, people), hours in sorted(crew_waits.items(), key=lambda kv: -kv[1])
    )
    return bottlenecks, crews


def late_orders(network: Network, plan: Plan) -> tuple[Lateness, ...]:
    """Every order of the network the plan delivers late or leaves out."""
    return tuple(o for o in order_lateness(network, plan).values() if o.is_late)


def order_lateness(network: Network, plan: Plan) -> dict[str, Lateness]:
    arrival = (
        {} if plan.schedule is None else {d.order_id: d.arrival for d in plan.schedule.deliveries}
    )
    return {
        order.id: Lateness(
            order_id=order.id,
            priority=order.priority,
            due=order.due,
            arrival=arrival.get(order.id),
        )
        for order in network.orders
    }


def group_load(
    network: Network, plan: Plan, *, orders: set[str] | None = None
) -> dict[tuple[str, str], float]:
    """Share of each machine group's unit-hours from the plan start to the plan's last
    operation that the plan keeps busy (only with ``orders``' work, if given)."""
    if plan.schedule is None or not plan.schedule.operations:
        return {}
    order_of = {wo.work_order_id: wo.order_id for wo in plan.schedule.work_orders}
    end = max(op.end for op in plan.schedule.operations)
    span_h = max((end - network.start) / timedelta(hours=1), 1.0)
    units = {(p.id, m.id): m.units for p in network.plants for m in p.machines}
    busy: dict[tuple[str, str], float] = defaultdict(float)
    for op in plan.schedule.operations:
        key = (op.plant_id, op.machine_id or "")
        if key not in units or (
            orders is not None and order_of.get(op.work_order_id) not in orders
        ):
            continue
        busy[key] += (op.end - op.start) / timedelta(hours=1) * len(op.units or (op.unit,))
    return {key: hours / (units[key] * span_h) for key, hours in busy.items()}


# ---- levers -----------------------------------------------------------------------------


def generate_levers(
    spec: ScenarioSpec, network: Network, plan: Plan, *, limit: int = DEFAULT_MAX_LEVERS
) -> tuple[Lever, ...]:
    """Levers at the plan's bottlenecks, the worst bottleneck's first, at most ``limit``.

    Parameters
    ----------
    spec:
        The base scenario's file data: levers are changes over it.
    network:
        The base scenario's network, built from ``spec``.
    plan:
        A plan of ``network``; its late orders' waits say where the bottlenecks are.
    limit:
        Most levers returned.
    """
    bottlenecks, crews = find_bottlenecks(network, plan)
    load = group_load(network, plan)
    levers: list[Lever] = []
    # The worst group's levers, the worst crew's, then the next group's and crew's.
    # Groups the file data declares as machines (not, say, a lever's shed).
    groups = [
        (plant, machine)
        for bottleneck in bottlenecks
        for plant in spec.plants
        if plant.id == bottleneck.plant_id
        for machine in plant.machines
        if machine.id == bottleneck.machine_id
    ]
    for rank in range(BOTTLENECKS):
        if rank < len(groups):
            plant, machine = groups[rank]
            levers.extend(
                lever
                for lever in (
                    _shed(network, plant, machine),
                    _earlier(network, plant, machine),
                    _shift(network, plant, machine),
                    _gang(spec, machine),
                    _machine_loan(spec, network, plant, machine, load),
                )
                if lever is not None
            )
        lever = _people_loan(spec, network, plan, crews[rank]) if rank < len(crews) else None
        if lever is not None:
            levers.append(lever)
    unique: dict[str, Lever] = {}
    for lever in levers:
        unique.setdefault(lever.name, lever)
    return tuple(unique.values())[:limit]


def _new_id(wanted: str, taken: Iterable[str]) -> str:
    taken = set(taken)
    found, count = wanted, 1
    while found in taken:
        count += 1
        found = f"{wanted}-{count}"
    return found


def _machine_ids(network: Network, plant_id: str) -> set[str]:
    """IDs the plant's machine groups use, its scenario levers' sheds included."""
    return {machine.id for machine in network.plant_by_id[plant_id].machines}


def _start_day(network: Network, days: int) -> date:
    return network.start.date() + timedelta(days=days)


def _shed(network: Network, plant: PlantSpec, machine: MachineSpec) -> Lever:
    since = _start_day(network, SHED_BUILD_DAYS)
    shed = machine.model_copy(
        update={
            "id": _new_id(f"{machine.id}-shed", _machine_ids(network, plant.id)),
            "units": 1,
            "available_from": since,
            "available_until": None,
        }
    )
    return Lever(
        kind=LeverKind.SHED,
        name=f"shed {plant.id}/{machine.id}",
        summary=f"one more unit of {plant.id}/{machine.id} from {since} (a shed, "
        f"{SHED_BUILD_DAYS} days to build)",
        changes=(AddMachine(change="add_machine", plant=plant.id, machine=shed),),
    )


def _earlier(network: Network, plant: PlantSpec, machine: MachineSpec) -> Lever | None:
    """A group that comes into service during the horizon, brought forward by
    :data:`RUSH_DAYS` (never before the plan start)."""
    since = machine.available_from
    if since is None:
        return None
    start = network.start.date()
    day = since.date() if isinstance(since, datetime) else since
    days = min(RUSH_DAYS, (day - start).days)
    if days <= 0:
        return None
    label = f"{plant.id}/{machine.id}"
    change = {"change": "delay_machine", "plant": plant.id, "machine": machine.id}
    return Lever(
        kind=LeverKind.EARLIER,
        name=f"earlier {label}",
        summary=f"{label} in service on {day - timedelta(days=days)} instead of {day} "
        f"(its installation rushed by {days} days)",
        changes=(DelayMachine.model_validate({**change, "days": -days}),),
    )


def _calendar_of(network: Network, plant_id: str, machine_id: str) -> Calendar:
    plant = network.plant_by_id[plant_id]
    return plant.machine(machine_id).calendar or plant.calendar or network.calendar


def _shift(network: Network, plant: PlantSpec, machine: MachineSpec) -> Lever | None:
    """A shift more on the group, or Sunday work when its days hold no more shifts."""
    calendar = _calendar_of(network, plant.id, machine.id)
    label = f"{plant.id}/{machine.id}"
    shifts = calendar.shifts_per_day + 1
    if shifts * calendar.shift_length <= timedelta(days=1):
        fields: dict[str, Any] = {"shifts_per_day": shifts}
        name, summary = (
            f"shift {label}",
            f"a shift more on {label} ({shifts} a day instead of {shifts - 1})",
        )
    elif 6 not in calendar.working_days:
        fields = {"working_days": [_WEEKDAYS[d] for d in sorted({*calendar.working_days, 6})]}
        name, summary = f"sunday {label}", f"Sunday work on {label}"
    else:
        return None
    change = {"change": "set_calendar", "plant": plant.id, "machine": machine.id}
    return Lever(
        kind=LeverKind.SHIFT,
        name=name,
        summary=summary,
        changes=(SetCalendar.model_validate({**change, "calendar": fields}),),
    )


_WEEKDAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _gang(spec: ScenarioSpec, machine: MachineSpec) -> Lever | None:
    """Gangs on the group's process, where none of its steps may gang yet and the group
    has units to gang."""
    if machine.units < 2:
        return None
    process = machine.process
    steps = (
        op
        for item in spec.items
        for operations in (
            *(routing.operations for routing in item.routings or ()),
            item.operations or (),
        )
        for op in operations
    )
    if any(g.process == process for g in spec.gangs) or any(
        op.process == process and op.gang is not None for op in steps
    ):
        return None
    largest = max(m.units for p in spec.plants for m in p.machines if m.process == process)
    size = min(largest, MAX_GANG)
    if size < 2:
        return None
    efficiency = {k: share for k, share in GANG_EFFICIENCY.items() if k <= size}
    gang = {"process": process, "max": size, "efficiency": efficiency}
    shares = ", ".join(f"{k} at {share:.0%}" for k, share in efficiency.items())
    return Lever(
        kind=LeverKind.GANG,
        name=f"gang {process}",
        summary=f"ganging on {process}: up to {size} units of a group on one step "
        f"(each unit's speed: {shares})",
        changes=(SetGang.model_validate({"change": "set_gang", "gang": gang}),),
    )


def _machine_loan(
    spec: ScenarioSpec,
    network: Network,
    plant: PlantSpec,
    machine: MachineSpec,
    load: dict[tuple[str, str], float],
) -> Lever | None:
    """A unit of the least-loaded group elsewhere that can do all the group can.

    A plant lends only a group of two units or more (never its last one), working from
    the horizon start to the end (a group that comes or goes within it is left alone),
    and only over a lane to the borrower.
    """
    lenders = [
        (load.get((lender.id, group.id), 0.0), lender.id, group)
        for lender in spec.plants
        if lender.id != plant.id and network.lead_time(lender.id, plant.id) is not None
        for group in lender.machines
        if group.process == machine.process
        and group.max_weight_t >= machine.max_weight_t
        and group.precision_grade <= machine.precision_grade
        and group.units >= 2
        and group.available_from is None
        and group.available_until is None
    ]
    if not lenders:
        return None
    busy, lender_id, group = min(lenders, key=lambda entry: (entry[0], entry[1], entry[2].id))
    lane = network.lead_time(lender_id, plant.id) or timedelta(0)
    move_days = math.ceil(lane / timedelta(days=1)) + MOVE_HANDLING_DAYS
    arrives = _start_day(network, move_days)
    lent = group.model_copy(
        update={
            "id": _new_id(f"{group.id}-from-{lender_id}", _machine_ids(network, plant.id)),
            "units": 1,
            "calendar": machine.calendar,
            "available_from": arrives,
        }
    )
    return Lever(
        kind=LeverKind.MACHINE_LOAN,
        name=f"loan {lender_id}/{group.id} to {plant.id}",
        summary=f"a unit of {lender_id}/{group.id} lent to {plant.id} (working there from "
        f"{arrives}; the group is {busy:.0%} busy in the plan)",
        changes=(
            SetMachine.model_validate(
                {
                    "change": "set_machine",
                    "plant": lender_id,
                    "machine": group.id,
                    "units": group.units - 1,
                }
            ),
            AddMachine(change="add_machine", plant=plant.id, machine=lent),
        ),
    )


def _people_loan(
    spec: ScenarioSpec, network: Network, plan: Plan, crew: CrewShortage
) -> Lever | None:
    """People of the crew's skill from the plant with the most to spare at its busiest."""
    peak = _peak_crews(network, plan)
    spare = [
        (staffing.headcount - peak.get((staffing.plant_id, crew.skill), 0), staffing.plant_id)
        for staffing in network.staffing
        if staffing.skill == crew.skill
        and staffing.plant_id != crew.plant_id
        and network.lead_time(staffing.plant_id, crew.plant_id) is not None
    ]
    spare = [(people, plant_id) for people, plant_id in spare if people >= 1]
    if not spare:
        return None
    people, lender_id = max(spare, key=lambda entry: (entry[0], entry[1]))
    count = min(people, crew.people)
    lane = network.lead_time(lender_id, crew.plant_id) or timedelta(0)
    travel = max(lane / timedelta(days=1), 1.0)
    start = _start_day(network, 0)
    change: dict[str, Any] = {"change": "lend_people", "from": lender_id, "to": crew.plant_id}
    change |= {"skill": crew.skill, "count": count, "start": start.isoformat()}
    who = f"{count} {crew.skill}{'' if count == 1 else 's'}"
    return Lever(
        kind=LeverKind.PEOPLE_LOAN,
        name=f"lend {crew.skill} {lender_id} to {crew.plant_id}",
        summary=f"{who} lent by {lender_id} to {crew.plant_id} (there after "
        f"{travel:g} day{'' if travel == 1 else 's'}; {lender_id} has {people} to spare "
        "at its busiest)",
        changes=(LendPeople.model_validate({**change, "travel_days": travel}),),
    )


def _peak_crews(network: Network, plan: Plan) -> dict[tuple[str, str], int]:
    """Most people of each ``(plant, skill)`` the plan keeps at work at once."""
    if plan.schedule is None:
        return {}
    routing_of = {wo.work_order_id: (wo.item_id, wo.routing_id) for wo in plan.schedule.work_orders}
    events: dict[tuple[str, str], list[tuple[datetime, int]]] = defaultdict(list)
    for op in plan.schedule.operations:
        item_id, routing_id = routing_of.get(op.work_order_id, ("", ""))
        item = network.item_by_id.get(item_id)
        routing = next((r for r in item.routings if r.id == routing_id), None) if item else None
        if routing is None or not 1 <= op.step <= len(routing.operations):
            continue
        gang = len(op.units or (op.unit,))
        for need in routing.operations[op.step - 1].crew:
            events[op.plant_id, need.skill].extend(
                ((op.start, need.size * gang), (op.end, -need.size * gang))
            )
    peak: dict[tuple[str, str], int] = {}
    for key, changes in events.items():
        level = top = 0
        for _, delta in sorted(changes, key=lambda change: (change[0], change[1])):
            level += delta
            top = max(top, level)
        peak[key] = top
    return peak


# ---- measuring -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class AdviceProgress:
    """News of one solve: ``index`` 0 is the base plan (when it is solved here), then
    the levers in order; first neither ``event`` nor ``done`` (it waits), then
    ``event`` while it runs, ``done`` once finished."""

    index: int
    label: str
    event: ProgressEvent | None = None
    done: bool = False


def advise(
    spec: ScenarioSpec,
    params: PlanParams,
    executor: ExecutorSpec,
    *,
    source: str,
    plan: Plan | None = None,
    max_levers: int = DEFAULT_MAX_LEVERS,
    levers: Sequence[Lever] = (),
    on_progress: Callable[[AdviceProgress], None] | None = None,
) -> Advice:
    """Find the plan's bottlenecks, pull each generated lever and measure it by re-solving.

    Parameters
    ----------
    spec:
        The base scenario's file data (:func:`~xiezuo.io.scenario.load_scenario_spec`).
    params:
        Solver settings of every solve (the base's too, when it is solved here); the
        same seed and time limit for all, so the levers are compared like with like.
    executor:
        Where the solves run: here, over local processes or on a Dask cluster.
    source:
        The scenario file's name, for errors.
    plan:
        The base plan, if one exists (made with the same settings, ideally); else it
        is solved first.
    max_levers:
        Most levers generated.
    levers:
        Levers measured besides the generated ones (a planner's own, with their
        costs); a generated lever of the same name gives way to one given here.
    on_progress:
        Called in this thread with news of each solve.

    Returns
    -------
    Advice
        Late orders of the base plan, the bottlenecks, and each lever with the
        lateness of every base-late order and the network's weighted tardiness with
        it, and whether the difference is more than solver noise.

    Raises
    ------
    InputError, ModelError
        The scenario is bad; or a cluster cannot be reached.
    PlanningError
        The base solve failed for another reason than its input.
    """
    network = _network(spec, source)
    report = on_progress or (lambda _: None)
    if plan is None:
        plan = _solve_base(network, params, executor, report)
    if plan.schedule is None:
        return Advice(base=plan, late=(), bottlenecks=(), crews=(), outcomes=(), params=params)
    offset = 1
    given = {lever.name for lever in levers}
    levers = [
        *levers,
        *(
            lever
            for lever in generate_levers(spec, network, plan, limit=max_levers)
            if lever.name not in given
        ),
    ]
    before = order_lateness(network, plan)
    late = tuple(o for o in before.values() if o.is_late)
    bottlenecks, crews = find_bottlenecks(network, plan)
    networks: list[Network | str] = []
    for lever in levers:
        try:
            networks.append(apply_changes(spec, lever.changes, f"{source} + {lever.name}")[0])
        except (InputError, ModelError) as exc:
            networks.append(str(exc))
    solvable = [
        (idx, candidate) for idx, candidate in enumerate(networks) if not isinstance(candidate, str)
    ]
    for idx, lever in enumerate(levers):
        report(AdviceProgress(index=offset + idx, label=lever.name))

    def news(job_idx: int, event: ProgressEvent) -> None:
        idx = solvable[job_idx][0]
        report(AdviceProgress(index=offset + idx, label=levers[idx].name, event=event))

    def done(job_idx: int, _: Outcome) -> None:
        idx = solvable[job_idx][0]
        report(AdviceProgress(index=offset + idx, label=levers[idx].name, done=True))

    outcomes = solve_many(
        [SolveJob(network=candidate, params=params) for _, candidate in solvable],
        executor=executor,
        on_progress=news,
        on_done=done,
    )
    plan_by_idx: dict[int, Outcome] = {
        idx: outcome for (idx, _), outcome in zip(solvable, outcomes, strict=True)
    }
    results = []
    for idx, lever in enumerate(levers):
        candidate = networks[idx]
        if isinstance(candidate, str):
            results.append(LeverOutcome(lever=lever, plan=None, failure=candidate, is_refused=True))
            continue
        results.append(_measure(lever, candidate, plan, plan_by_idx[idx], late))
    return Advice(
        base=plan,
        late=late,
        bottlenecks=bottlenecks,
        crews=crews,
        outcomes=tuple(results),
        params=params,
    )


def _network(spec: ScenarioSpec, source: str) -> Network:
    return apply_changes(spec, (), source)[0]


def _solve_base(
    network: Network,
    params: PlanParams,
    executor: ExecutorSpec,
    report: Callable[[AdviceProgress], None],
) -> Plan:
    label = "base plan"
    report(AdviceProgress(index=0, label=label))
    (outcome,) = solve_many(
        [SolveJob(network=network, params=params)],
        executor=executor,
        on_progress=lambda _, event: report(AdviceProgress(index=0, label=label, event=event)),
        on_done=lambda _, __: report(AdviceProgress(index=0, label=label, done=True)),
    )
    if isinstance(outcome, Plan):
        return outcome
    if outcome.is_bad_input:
        raise InputError(label, "", outcome.message)
    raise PlanningError(f"the base plan's solve failed: {outcome}")


def _measure(
    lever: Lever,
    network: Network,
    base: Plan,
    outcome: Outcome,
    late: Sequence[Lateness],
) -> LeverOutcome:
    if not isinstance(outcome, Plan):
        return LeverOutcome(lever=lever, plan=None, failure=str(outcome))
    verdict = judge(base, outcome)
    after = order_lateness(network, outcome)
    return LeverOutcome(
        lever=lever,
        plan=outcome,
        tardiness_delta=verdict.delta,
        noise=verdict.noise,
        significance=verdict.significance,
        gains=tuple(OrderGain(before=o, after=after[o.order_id]) for o in late),
    )


# ---- for machines ---------------------------------------------------------------------

ADVICE_FORMAT: Final = "xiezuo-advice"
ADVICE_VERSION: Final = 1


def advice_record(advice: Advice) -> dict[str, Any]:
    """The advice as JSON-ready data (``docs/advise.md``): hours as numbers, instants in
    ISO 8601 with their offset, each lever's changes as a variant file writes them."""
    params = advice.params
    return {
        "format": ADVICE_FORMAT,
        "version": ADVICE_VERSION,
        "settings": {
            "time_limit_s": params.time_limit_s,
            "workers": params.workers,
            "seed": params.seed,
        },
        "base": _plan_record(advice.base),
        "late_orders": [_lateness_record(o) for o in advice.late],
        "bottlenecks": [
            {
                "plant": b.plant_id,
                "machine": b.machine_id,
                "wait_hours": round(b.wait_hours, 2),
                "orders": list(b.orders),
            }
            for b in advice.bottlenecks
        ],
        "crews": [
            {
                "plant": c.plant_id,
                "skill": c.skill,
                "people": c.people,
                "wait_hours": round(c.wait_hours, 2),
                "orders": list(c.orders),
            }
            for c in advice.crews
        ],
        "levers": [_outcome_record(o) for o in advice.outcomes],
        "summary": list(advice.summary()),
    }


def _hours(span: timedelta | None) -> float | None:
    return None if span is None else round(span / timedelta(hours=1), 2)


def _plan_record(plan: Plan | None) -> dict[str, Any] | None:
    if plan is None:
        return None
    return {
        "status": plan.status.value,
        "tardiness_hours": plan.tardiness_hours,
        "tardiness_bound": plan.tardiness_bound,
        "runtime_s": round(plan.runtime_s, 2),
    }


def _lateness_record(lateness: Lateness) -> dict[str, Any]:
    return {
        "order": lateness.order_id,
        "priority": lateness.priority,
        "due": None if lateness.due is None else lateness.due.isoformat(),
        "arrival": None if lateness.arrival is None else lateness.arrival.isoformat(),
        "late_hours": _hours(lateness.late_by),
    }


def _outcome_record(outcome: LeverOutcome) -> dict[str, Any]:
    lever = outcome.lever
    return {
        "name": lever.name,
        "kind": lever.kind.value,
        "summary": lever.summary,
        "cost": lever.cost,
        "changes": [change_data(change) for change in lever.changes],
        "plan": _plan_record(outcome.plan),
        "failure": outcome.failure,
        "tardiness_delta_hours": outcome.tardiness_delta,
        "noise_hours": outcome.noise,
        "significance": outcome.significance.value,
        "orders": [
            {
                "order": gain.before.order_id,
                "late_hours_before": _hours(gain.before.late_by),
                "late_hours_after": _hours(gain.after.late_by),
                "saved_hours": _hours(gain.saved),
                "on_time": gain.is_on_time_now,
            }
            for gain in outcome.gains
        ],
    }
