"""Static bounds on when work can happen, from precedences alone.

The head of a work order is the least time from the network start to its start, the
tail the least time from its end to the last arrival at a customer, both following
components, designs and lanes with every step on its fastest machine. They are
counted in working minutes, never more than the calendar time they take, so every
bound built on them holds whatever the calendars.

:func:`relaxation_bounds` goes further with the calendars themselves: the earliest
arrival of every order if it had every machine, crew and warehouse to itself, and
from those, lower bounds on weighted tardiness and makespan that hold for every plan.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from graphlib import TopologicalSorter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xiezuo.planning.problem.compile import Option, Problem


@dataclass(frozen=True, slots=True)
class HeadsTails:
    head: tuple[int, ...]  # per work order: least minutes from the start to its start
    tail: tuple[int, ...]  # per work order: least minutes from its end to the makespan

    def of_step(self, wo_idx: int, option: Option, step: int) -> tuple[int, int]:
        """Head and tail of one step of ``option``, counting the steps before and after."""
        before = sum(op.min_work for op in option.ops[:step])
        after = sum(op.min_work for op in option.ops[step + 1 :])
        return self.head[wo_idx] + before, self.tail[wo_idx] + after


def heads_and_tails(problem: Problem) -> HeadsTails:
    """Longest paths through the precedence graph, forwards and backwards."""
    work_orders = problem.work_orders
    least_work = [min(option.work for option in wo.options) for wo in work_orders]

    def least_lead(before: int, after: int) -> int:
        leads = (
            problem.lead[a][b]
            for a in work_orders[before].plants
            for b in work_orders[after].plants
        )
        return min((lead for lead in leads if lead is not None), default=0)

    successors: list[list[int]] = [[] for _ in work_orders]
    for after, wo in enumerate(work_orders):
        for before in wo.predecessors:
            successors[before].append(after)
    order = list(
        TopologicalSorter({w: wo.predecessors for w, wo in enumerate(work_orders)}).static_order()
    )
    head = [0] * len(work_orders)
    for w in order:
        head[w] = max(
            [max(work_orders[w].release, min(o.ready for o in work_orders[w].options))]
            + [head[p] + least_work[p] + least_lead(p, w) for p in work_orders[w].predecessors]
        )
    tail = [0] * len(work_orders)
    for order_ in problem.orders:
        tail[order_.root_idx] = min(order_.delivery_lead.values(), default=0)
    for w in reversed(order):
        tail[w] = max(
            [tail[w]] + [least_lead(w, s) + least_work[s] + tail[s] for s in successors[w]]
        )
    return HeadsTails(tuple(head), tuple(tail))


@dataclass(frozen=True, slots=True)
class RelaxationBounds:
    """What every plan must concede, whatever the other orders do."""

    arrival: tuple[int, ...]  # per order: earliest possible arrival at the customer
    weighted_tardiness: int  # Σ weight · least lateness (a group: its latest order's)
    makespan: int  # the latest earliest arrival, or a machine's load, if later


def relaxation_bounds(problem: Problem) -> RelaxationBounds:
    """Lower bounds from planning each order as if it were alone in the network.

    Every machine is free, so each step runs at its earliest legal placement (the
    placement rule of :mod:`xiezuo.planning.problem.timeline`) on its fastest eligible machine
    for that start, after the step before, its components and designs (plus the least
    lane between the plants), its release, the first moment its material can have
    reached the plant and the first moment its plant has the crew. A later start never
    ends earlier, so each step ends no sooner in any plan, and neither does the order's
    arrival. The makespan is also at least the moment a machine that alone can do some
    work has had working time for all of it after the earliest of those steps could
    start, plus their least tail.
    """
    work_orders = problem.work_orders
    order = TopologicalSorter({w: wo.predecessors for w, wo in enumerate(work_orders)})
    # finish[w][plant]: earliest end of work order w made at that plant
    finish: list[dict[int, int]] = [{} for _ in work_orders]
    # machine -> (earliest start, work, least tail) of each step only it can run
    pinned: dict[int, list[tuple[int, int, int]]] = {}
    heads_tails = heads_and_tails(problem)
    for w in order.static_order():
        wo = work_orders[w]
        for option in wo.options:
            plant = option.plant_idx
            ready = _ready(problem, finish, w, plant)
            if ready is None:
                continue
            t = ready
            for k, op in enumerate(option.ops):
                t = max(
                    t, _material_ready(problem, option, k), _crew_ready(problem, plant, op.crew)
                )
                if len(wo.options) == 1 and len(op.machines) == 1:
                    tail = heads_tails.of_step(w, option, k)[1]
                    load = op.works[0] * op.gang(0)
                    pinned.setdefault(op.machines[0], []).append((t, load, tail))
                t = min(
                    _earliest_end(problem, m, t, work)
                    for m, work in zip(op.machines, op.works, strict=True)
                )
            finish[w][plant] = min(finish[w].get(plant, t), t)
    arrival, late = [], []
    for order_ in problem.orders:
        ends = finish[order_.root_idx]
        arrival.append(
            min(
                (end + order_.delivery_lead[plant] for plant, end in ends.items()),
                default=0,
            )
        )
        # Lateness grows with the end at each plant: the least over plants is a bound.
        late.append(
            min(
                (
                    order_.lateness(end + order_.delivery_lead[plant], plant)
                    for plant, end in ends.items()
                ),
                default=0,
            )
        )
    tardiness = problem.weighted_tardiness(late)
    loads = [_load_bound(problem, m, steps) for m, steps in pinned.items()]
    return RelaxationBounds(tuple(arrival), tardiness, max([*arrival, *loads, 0]))


def _ready(problem: Problem, finish: list[dict[int, int]], w: int, plant: int) -> int | None:
    """Earliest start of work order ``w`` at ``plant``; ``None`` if a predecessor can
    reach that plant from none of its own."""
    ready = max(
        problem.work_orders[w].release,
        min((o.ready for o in problem.work_orders[w].options if o.plant_idx == plant), default=0),
    )
    for p in problem.work_orders[w].predecessors:
        arrivals = [
            end + lead
            for source, end in finish[p].items()
            if (lead := problem.lead[source][plant]) is not None
        ]
        if not arrivals:
            return None
        ready = max(ready, min(arrivals))
    return ready


def _earliest_end(problem: Problem, machine_idx: int, ready: int, work: int) -> int:
    """End of the earliest legal placement from ``ready``; past the windows' reach,
    where no plan can place it, the bare working time still bounds it."""
    windows = problem.windows[problem.machines[machine_idx].windows_idx]
    placed = windows.earliest(ready, work)
    return ready + work if placed is None else placed[1]


def _material_ready(problem: Problem, option: Option, step: int) -> int:
    """Least start of ``step`` by which every material it takes can have reached the
    plant: the warehouses that can send it must together have received the quantity
    one lane lead time before (a draw leaves its warehouse then)."""
    ready = 0
    for material, quantity, need_step in option.needs:
        if need_step != step:
            continue
        events = []  # (earliest start it allows, quantity it makes available)
        for source in problem.sources(option.plant_idx, material):
            lead = problem.lead[source][option.plant_idx]
            assert lead is not None, "sources are plants with a lane"
            initial, supplies = problem.warehouses[source, material]
            events.append((lead, initial))
            events.extend((lead + when, amount) for when, amount in supplies)
        available = 0
        for at, amount in sorted(events):
            available += amount
            if available >= quantity:
                ready = max(ready, at)
                break
    return ready


def _crew_ready(problem: Problem, plant: int, crew: tuple[tuple[int, int], ...]) -> int:
    """First minute the plant has each skill's crew at all (staff steps are sorted)."""
    ready = 0
    for skill, people in crew:
        steps = problem.staff.get((plant, skill), ())
        first = next((at for at, level in steps if level >= people), 0)
        ready = max(ready, first)
    return ready


def _load_bound(problem: Problem, machine_idx: int, steps: list[tuple[int, int, int]]) -> int:
    """Makespan bound of one machine group: every unit busy on its calendar from the
    earliest start of the steps only it can run, until their work is done, plus their
    least tail. An engineering office has no real capacity and bounds nothing."""
    machine = problem.machines[machine_idx]
    if machine.machine_id is None:
        return 0
    first = min(start for start, _, _ in steps)
    per_unit = math.ceil(sum(work for _, work, _ in steps) / machine.units)
    tail = min(tail for _, _, tail in steps)
    done = problem.windows[machine.windows_idx].after_working(first, per_unit)
    return 0 if done is None else done + tail
