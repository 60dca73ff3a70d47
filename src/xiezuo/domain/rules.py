"""Rules that span objects: references, BOM cycles, lanes, and who can make what.

:func:`validate_network` raises one :class:`ModelError` listing every broken rule.
:func:`find_issues` reports what a valid network still cannot do (missing
capability), which is a finding for the planner, not an error in the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from xiezuo.domain.explosion import explosion_problems
from xiezuo.domain.levers import LeverKind, PulledLever
from xiezuo.errors import ModelError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

    from xiezuo.domain.levers import Lever
    from xiezuo.domain.network import Item, Machine, Network, Operation, Plant, Routing
    from xiezuo.domain.plan import ScheduledOperation


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """Something a planner should know about a valid network: ``kind`` is a short tag."""

    kind: str
    subject: str
    message: str


def capable_machines(
    item: Item, operation: Operation, plant: Plant, *, with_levers: bool = False
) -> tuple[Machine, ...]:
    """Machines of ``plant`` that can run ``operation`` of ``item`` (none for engineering):
    those that hold the part, and portable ones ganged around it in a floor bay.

    Machine groups that exist only if a lever is pulled (a shed) count only
    ``with_levers``: what a plant can make is judged on what it surely has."""
    # The listed machines as a set: run_time_on per machine would scan every machine
    # time for every machine, quadratic on benchmark instances with dozens of each.
    listed = {t.machine_id for t in operation.machine_times if t.plant_id in (None, plant.id)}
    return tuple(
        m
        for m in plant.machines
        if (operation.run_per_unit is not None or m.id in listed)
        and (with_levers or m.lever is None)
        and m.process == operation.process
        and gang_sizes(item, operation, plant, m)
    )


def is_on_floor(item: Item, operation: Operation, machine: Machine) -> bool:
    """Whether ``machine`` can do the step only by being brought to the part on the
    floor: the part is too heavy for it."""
    return machine.max_weight_t < item.required_weight(operation)


def gang_sizes(item: Item, operation: Operation, plant: Plant, machine: Machine) -> tuple[int, ...]:
    """How many units of ``machine`` may work the step together; empty when it cannot.

    Without a gang a capable machine works alone. A part too heavy for the machine needs
    a portable gang and a floor bay at the plant that takes its weight.
    """
    weight, grade = item.required_weight(operation), item.required_grade(operation)
    if machine.precision_grade > grade:
        return ()
    on_floor = is_on_floor(item, operation, machine)
    if on_floor and (plant.floor is None or plant.floor.max_weight_t < weight):
        return ()
    if operation.gang is None:
        return () if on_floor else (1,)
    return operation.gang.sizes(machine.units, on_floor=on_floor)


def capable_routings(item: Item, plant: Plant) -> tuple[Routing, ...]:
    """Routings of ``item`` whose every machine step has a capable machine in ``plant``.

    Engineering steps need people only; whether the plant has them is checked where
    headcount is known (the planning engine), since it changes over time.
    """
    return tuple(
        routing
        for routing in item.routings
        if all(op.is_staff_only or capable_machines(item, op, plant) for op in routing.operations)
    )


def capable_plants(network: Network, item: Item) -> tuple[Plant, ...]:
    """Plants that can make ``item`` by at least one of its routings."""
    return tuple(p for p in network.plants if capable_routings(item, p))


def validate_network(network: Network) -> None:
    """Check every cross-object rule of ``network``.

    Raises
    ------
    ModelError
        Listing every problem: duplicate IDs, unresolved references, BOM cycles,
        orders that explode beyond the size limits of :mod:`xiezuo.domain.explosion`,
        undeclared processes, missing transport lanes.
    """
    problems = list(_reference_problems(network))
    problems += _gang_problems(network)
    problems += _lever_problems(network)
    problems += _material_problems(network)
    problems += _staff_problems(network)
    if not problems:
        problems += _cycle_problems(network)
    if not problems:
        problems += explosion_problems(network)
    if not problems:
        problems += _lane_problems(network)
    if problems:
        raise ModelError(problems)


def _gang_problems(network: Network) -> Iterator[str]:
    """A gang larger than every machine group of its process could never be formed:
    most likely a typo, so it is refused rather than silently capped."""
    largest: dict[str, int] = {}
    for _, machine in network.iter_machines():
        largest[machine.process] = max(largest.get(machine.process, 0), machine.units)
    for item in network.items:
        for routing in item.routings:
            for step, op in enumerate(routing.operations, start=1):
                if op.gang is None or op.process is None:
                    continue
                most = largest.get(op.process, 0)
                floor_min = op.gang.floor_min_units or 0
                for what, k in (("gang min", op.gang.min_units), ("floor min", floor_min)):
                    if k > most:
                        yield (
                            f"item {item.id!r} routing {routing.id!r} step {step}: {what} {k} "
                            f"is more than the {most} units of the largest {op.process} "
                            "machine group"
                        )
                if op.gang.max_units > most:
                    yield (
                        f"item {item.id!r} routing {routing.id!r} step {step}: gang max "
                        f"{op.gang.max_units} is more than the {most} units of the largest "
                        f"{op.process} machine group"
                    )


def levers_used(
    network: Network, operations: Iterable[ScheduledOperation]
) -> tuple[PulledLever, ...]:
    """The levers whose capacity ``operations`` use (a step in a shed), as a plan lists
    them, in the network's order."""
    used = {
        machine.lever
        for op in operations
        if op.machine_id is not None
        for machine in network.plant_by_id[op.plant_id].machines
        if machine.id == op.machine_id and machine.lever is not None
    }
    return tuple(PulledLever.of(lever) for lever in network.levers if lever.id in used)


def _lever_problems(network: Network) -> Iterator[str]:
    """Each lever at a known plant with exactly one machine group of its own there (a
    shed's, or a loan's borrowed units), working no earlier than the lever allows; a
    loan from another plant's group of at least as many units, of the same kind."""
    for dup in sorted(_duplicates([lever.id for lever in network.levers])):
        yield f"lever ID {dup!r} is used more than once"
    levers = {lever.id: lever for lever in network.levers}
    for lever in network.levers:
        where = f"lever {lever.id!r}"
        plant = network.plant_by_id.get(lever.plant_id)
        if plant is None:
            yield f"{where}: unknown plant {lever.plant_id!r}"
            continue
        if lever.kind is LeverKind.PEOPLE_LOAN:
            yield from _people_loan_problems(network, lever)
            continue
        groups = [m for m in plant.machines if m.lever == lever.id]
        if len(groups) != 1 or (lever.kind is LeverKind.SHED and groups[0].id != lever.machine_id):
            yield f"{where}: plant {plant.id!r} needs exactly one machine group of this lever"
            continue
        (group,) = groups
        if group.available_from is None or group.available_from < lever.usable_from:
            yield (
                f"{where}: machine group {group.id!r} works from "
                f"{lever.usable_from:%Y-%m-%d %H:%M} (the decision and lead time), not before"
            )
        if lever.kind is LeverKind.MACHINE_LOAN:
            yield from _loan_problems(network, lever, group)
    for plant, machine in network.iter_machines():
        if machine.lever is not None and (
            machine.lever not in levers or levers[machine.lever].plant_id != plant.id
        ):
            yield (
                f"plant {plant.id!r} machine {machine.id!r}: lever {machine.lever!r} "
                "is not a lever of this plant"
            )


def _people_loan_problems(network: Network, lever: Lever) -> Iterator[str]:
    """People of a declared skill, from a known plant, no more than it ever has."""
    where = f"lever {lever.id!r}"
    if lever.skill not in network.skills:
        yield f"{where}: unknown skill {lever.skill!r}"
        return
    if lever.lender_id not in network.plant_by_id:
        yield f"{where}: unknown lending plant {lever.lender_id!r}"
        return
    most = max(people for _, people in network.staff_capacity(lever.lender_id, lever.skill))
    if lever.units > most:
        yield (
            f"{where}: lends {lever.units} {lever.skill} people, but {lever.lender_id!r} "
            f"has at most {most}"
        )


def _loan_problems(network: Network, lever: Lever, borrowed: Machine) -> Iterator[str]:
    where = f"lever {lever.id!r}"
    lender = network.plant_by_id.get(lever.lender_id or "")
    if lender is None:
        yield f"{where}: unknown lending plant {lever.lender_id!r}"
        return
    lent = next((m for m in lender.machines if m.id == lever.machine_id), None)
    if lent is None or lent.lever is not None:
        yield f"{where}: plant {lender.id!r} has no machine group {lever.machine_id!r} to lend"
        return
    if lever.units > lent.units:
        yield (
            f"{where}: lends {lever.units} units, but {lender.id!r} machine group "
            f"{lent.id!r} has {lent.units}"
        )
    same = (borrowed.process, borrowed.max_weight_t, borrowed.precision_grade) == (
        lent.process,
        lent.max_weight_t,
        lent.precision_grade,
    )
    if not same or borrowed.units != lever.units:
        yield f"{where}: the borrowed group {borrowed.id!r} must be {lever.units} of {lent.id!r}"
    if borrowed.available_until is None or borrowed.available_until > lever.usable_until:
        yield (
            f"{where}: the borrowed machines leave {lever.usable_until:%Y-%m-%d %H:%M} "
            "to be back by the loan's end"
        )


def _duplicates(ids: list[str]) -> set[str]:
    seen: set[str] = set()
    return {i for i in ids if i in seen or seen.add(i)}  # type: ignore[func-returns-value]


def _reference_problems(network: Network) -> Iterator[str]:
    for what, ids in (
        ("plant", [p.id for p in network.plants]),
        ("item", [i.id for i in network.items]),
        ("order", [o.id for o in network.orders]),
        ("region", list(network.regions)),
        ("process", list(network.processes)),
    ):
        for dup in sorted(_duplicates(ids)):
            yield f"{what} ID {dup!r} is used more than once"
    processes = set(network.processes)
    for plant, machine in network.iter_machines():
        if machine.process not in processes:
            yield (
                f"plant {plant.id!r} machine {machine.id!r}: process {machine.process!r} "
                f"is not declared (known: {', '.join(sorted(processes))})"
            )
    for item in network.items:
        for line in item.bom:
            if line.item_id not in network.item_by_id:
                yield f"item {item.id!r}: BOM names unknown item {line.item_id!r}"
        for routing in item.routings:
            for step, op in enumerate(routing.operations, start=1):
                where = f"item {item.id!r} routing {routing.id!r} step {step}"
                if op.process is not None and op.process not in processes:
                    yield f"{where}: process {op.process!r} is not declared"
                for machine_time in op.machine_times:
                    if not any(
                        machine_time.matches(p.id, m.id) for p, m in network.iter_machines()
                    ):
                        plant_id = machine_time.plant_id
                        yield (
                            f"{where}: machine time names unknown machine "
                            f"{machine_time.machine_id!r}"
                            + (f" in plant {plant_id!r}" if plant_id else "")
                        )
    regions = set(network.regions)
    for order in network.orders:
        if order.item_id not in network.item_by_id:
            yield f"order {order.id!r}: unknown item {order.item_id!r}"
        if order.region not in regions:
            yield f"order {order.id!r}: unknown region {order.region!r}"
        if order.plant_id is not None and order.plant_id not in network.plant_by_id:
            yield f"order {order.id!r}: pinned to unknown plant {order.plant_id!r}"
    places = set(network.plant_by_id) | regions
    for lane in network.lanes:
        if lane.origin not in network.plant_by_id:
            yield f"lane {lane.origin!r} -> {lane.destination!r}: origin is not a plant"
        if lane.destination not in places:
            yield (
                f"lane {lane.origin!r} -> {lane.destination!r}: destination is neither "
                "a plant nor a region"
            )


def _material_problems(network: Network) -> Iterator[str]:
    materials = {m.id for m in network.materials}
    for dup in sorted(_duplicates([m.id for m in network.materials])):
        yield f"material ID {dup!r} is used more than once"
    for item in network.items:
        for line in item.materials:
            if line.material_id not in materials:
                yield f"item {item.id!r}: uses material {line.material_id!r}, which is not defined"
            shortest = min(len(r.operations) for r in item.routings)
            if line.step is not None and line.step > shortest:
                yield (
                    f"item {item.id!r}: material {line.material_id!r} is taken at step "
                    f"{line.step}, but a routing has only {shortest} steps"
                )
    seen: set[tuple[str, str]] = set()
    for lot in network.stock:
        key = (lot.plant_id, lot.material_id)
        if lot.plant_id not in network.plant_by_id:
            yield f"stock of {lot.material_id!r}: unknown plant {lot.plant_id!r}"
        if lot.material_id not in materials:
            yield f"stock at plant {lot.plant_id!r}: material {lot.material_id!r} is not defined"
        if key in seen:
            yield (
                f"stock of {lot.material_id!r} at plant {lot.plant_id!r} is given twice; "
                "add the quantities"
            )
        seen.add(key)
    for supply in network.supplies:
        if supply.plant_id not in network.plant_by_id:
            yield f"supply of {supply.material_id!r}: unknown plant {supply.plant_id!r}"
        if supply.material_id not in materials:
            yield (
                f"supply to plant {supply.plant_id!r}: material {supply.material_id!r} "
                "is not defined"
            )


def _staff_problems(network: Network) -> Iterator[str]:
    skills = set(network.skills)
    for dup in sorted(_duplicates(list(network.skills))):
        yield f"skill {dup!r} is declared more than once"
    needs = [
        (f"item {item.id!r} routing {routing.id!r} step {step}", crew.skill)
        for item in network.items
        for routing in item.routings
        for step, op in enumerate(routing.operations, start=1)
        for crew in op.crew
    ]
    people = [
        *((f"staffing at plant {s.plant_id!r}", s.plant_id, s.skill) for s in network.staffing),
        *(
            (f"secondment from plant {s.plant_id!r}", s.plant_id, s.skill)
            for s in network.secondments
        ),
        *((f"training at plant {t.plant_id!r}", t.plant_id, t.skill) for t in network.trainings),
        *(
            (f"training at plant {t.plant_id!r}", t.plant_id, t.trainer_skill)
            for t in network.trainings
            if t.trainer_skill is not None
        ),
    ]
    for where, skill in needs:
        if skill not in skills:
            yield f"{where}: crew skill {skill!r} is not declared"
    for where, plant_id, skill in people:
        if skill not in skills:
            yield f"{where}: skill {skill!r} is not declared"
        if plant_id not in network.plant_by_id:
            yield f"{where}: unknown plant {plant_id!r}"
    regions = set(network.regions)
    for s in network.secondments:
        if s.region and s.region not in regions:
            yield f"secondment from plant {s.plant_id!r}: unknown region {s.region!r}"
    pairs = {(p, s) for _, p, s in people if s in skills and p in network.plant_by_id}
    for plant_id, skill in sorted(pairs):
        for when, level in network.staff_capacity(plant_id, skill):
            if level < 0:
                yield (
                    f"plant {plant_id!r} would have {level} people of skill {skill!r} from "
                    f"{when:%Y-%m-%d %H:%M}: "
                    "more people are seconded or training others than it has"
                )
                break


def _cycle_problems(network: Network) -> Iterator[str]:
    # Depth-first without recursion: a BOM thousands of levels deep is valid.
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for item in network.items:
        if item.id in state:
            continue
        state[item.id] = 1
        path = [item.id]
        lines = [iter(item.bom)]
        while lines:
            line = next(lines[-1], None)
            if line is None:
                lines.pop()
                state[path.pop()] = 2
            elif state.get(line.item_id) == 1:
                cycle = [*path[path.index(line.item_id) :], line.item_id]
                yield f"BOM cycle: {' -> '.join(cycle)}"
            elif line.item_id not in state:
                state[line.item_id] = 1
                path.append(line.item_id)
                lines.append(iter(network.item_by_id[line.item_id].bom))


def _lane_problems(network: Network) -> Iterator[str]:
    """Every lane a plan could use must exist: a missing lane is not a free one."""
    makers = {item.id: capable_plants(network, item) for item in network.items}
    missing: set[tuple[str, str]] = set()
    for order in network.orders:
        item = network.item_by_id[order.item_id]
        plants = makers[item.id]
        if order.plant_id is not None:
            plants = tuple(p for p in plants if p.id == order.plant_id)
        missing |= {
            (p.id, order.region) for p in plants if network.lead_time(p.id, order.region) is None
        }
    for item in network.items:
        for line in item.bom:
            for parent_plant in makers[item.id]:
                missing |= {
                    (p.id, parent_plant.id)
                    for p in makers[line.item_id]
                    if network.lead_time(p.id, parent_plant.id) is None
                }
    for origin, destination in sorted(missing):
        yield (
            f"no lane from {origin!r} to {destination!r}, but a plan may need one; "
            "add it under lanes with its lead time"
        )


def find_issues(network: Network) -> tuple[Finding, ...]:
    """What a valid network cannot do: items and orders no plant can make, late releases,
    orders due before the horizon starts (late whatever the plan)."""
    findings: list[Finding] = []
    makers = {item.id: capable_plants(network, item) for item in network.items}
    for item in network.items:
        if makers[item.id]:
            continue
        reasons = []
        for routing in item.routings:
            for step, op in enumerate(routing.operations, start=1):
                if not any(capable_machines(item, op, p) for p in network.plants):
                    reasons.append(
                        f"routing {routing.id!r} step {step} needs {op.process} for "
                        f"{item.required_weight(op):g} t at IT{item.required_grade(op)} or finer"
                    )
        findings.append(
            Finding(
                kind="missing capability",
                subject=f"item {item.id}",
                message=(
                    f"missing capability: no plant can make item {item.id!r} "
                    f"({'; '.join(reasons) or 'no single plant has every step of a routing'})"
                ),
            )
        )
    for order in network.orders:
        for item_id in unmakeable_items(network, order.item_id, makers):
            findings.append(
                Finding(
                    kind="missing capability",
                    subject=f"order {order.id}",
                    message=(
                        f"missing capability: order {order.id!r} cannot be made because "
                        f"no plant can make {item_id!r}"
                    ),
                )
            )
        if order.plant_id is not None:
            plant = network.plant_by_id[order.plant_id]
            if not capable_routings(network.item_by_id[order.item_id], plant):
                findings.append(
                    Finding(
                        kind="missing capability",
                        subject=f"order {order.id}",
                        message=(
                            f"missing capability: order {order.id!r} is pinned to plant "
                            f"{plant.id!r}, which cannot make {order.item_id!r}"
                        ),
                    )
                )
        if order.due is not None and order.due <= network.start:
            findings.append(
                Finding(
                    kind="due before start",
                    subject=f"order {order.id}",
                    message=(
                        f"order {order.id!r} is due {order.due:%Y-%m-%d %H:%M}, not after the "
                        f"horizon starts ({network.start:%Y-%m-%d %H:%M}), so it is late "
                        "whatever the plan"
                    ),
                )
            )
        if order.release is not None and order.due is not None and order.release >= order.due:
            findings.append(
                Finding(
                    kind="late release",
                    subject=f"order {order.id}",
                    message=f"order {order.id!r} is released on or after its due date",
                )
            )
    return tuple(findings)


def unmakeable_items(
    network: Network,
    item_id: str,
    makers: Mapping[str, tuple[Plant, ...]] | None = None,
) -> tuple[str, ...]:
    """Items in the BOM tree of ``item_id`` (itself included) that no plant can make.

    ``makers`` (item ID to its capable plants, for every item) spares callers that ask
    for many orders working out the same items' plants again.
    """
    found: list[str] = []
    seen: set[str] = set()
    stack = [item_id]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        item = network.item_by_id[current]
        plants = capable_plants(network, item) if makers is None else makers[current]
        if not plants:
            found.append(current)
        stack.extend(line.item_id for line in item.bom)
    return tuple(sorted(found))
