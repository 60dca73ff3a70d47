"""Whether a :class:`~xiezuo.domain.progress.Progress` fits its network, and on which routing.

Each progress record checks its own local rules when it is made. The rules here span
records and the network: every ID names something the network has, a work order's
step reports form one chain on one routing at one plant, what is reported has
happened by the status date, no machine unit runs two steps at once, and no machine
group has more units down and at work than it owns. A replan built on a progress that
breaks one of them would have to contradict a reported fact, so
:func:`check_progress` finds them all before any planning starts.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from xiezuo.domain.explosion import design_gates, explode_order
from xiezuo.domain.progress import StepStatus
from xiezuo.domain.rules import capable_machines, capable_routings
from xiezuo.domain.staff import capacity_steps

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from xiezuo.domain.explosion import WorkOrder
    from xiezuo.domain.network import Item, Machine, Network, Plant, Routing
    from xiezuo.domain.plan import Plan
    from xiezuo.domain.progress import Progress, StepReport

MAX_PROGRESS_SPAN: Final = timedelta(days=3653)
"""The status date and every dated record lie within ten years of the network start,
the span a scenario's own events may cover."""

_Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class ProgressProblem:
    """One reason a progress does not fit its network.

    ``path`` leads to the record and field at fault, by the names of
    :class:`~xiezuo.domain.progress.Progress` and its records: ``("steps", 3, "unit")``
    is the ``unit`` of the fourth step report; ``("as_of",)`` is the status date.
    """

    path: _Path
    message: str


def routing_of(
    network: Network,
    work_order: WorkOrder,
    reports: Sequence[StepReport],
    previous_routing_id: str | None = None,
) -> Routing | None:
    """The routing a work order's step reports were made on.

    A routing fits when every reported step exists in it and ran where it may run (an
    engineering step without a machine; a machine step on a machine group of its
    process that can take the part), and the plant of the reports can do all its
    steps, since the rest of the work order must be made there too.

    Parameters
    ----------
    network:
        The network the work order belongs to.
    work_order:
        A work order of one of the network's orders.
    reports:
        The step reports of that work order (possibly none).
    previous_routing_id:
        The routing the previous plan gave the work order; preferred when it fits.

    Returns
    -------
    Routing or None
        The previous plan's routing if it fits, else the item's first routing that
        fits; ``None`` when none does (:func:`check_progress` says why).
    """
    item = network.item_by_id[work_order.item_id]
    fitting = [r for r in item.routings if _fits(network, item, r, reports)]
    for routing in fitting:
        if routing.id == previous_routing_id:
            return routing
    return fitting[0] if fitting else None


def _fits(network: Network, item: Item, routing: Routing, reports: Sequence[StepReport]) -> bool:
    if any(_misfit(network, item, routing, report) for report in reports):
        return False
    return not reports or routing in capable_routings(
        item, network.plant_by_id[reports[0].plant_id]
    )


def _misfit(
    network: Network, item: Item, routing: Routing, report: StepReport
) -> tuple[str, str] | None:
    """Why ``report`` cannot be a step of ``routing``, as (field, reason); ``None`` if it can."""
    operations = routing.operations
    if report.step > len(operations):
        return "step", f"routing {routing.id!r} has {_count(len(operations), 'step')}"
    op = operations[report.step - 1]
    where = f"step {report.step} of routing {routing.id!r}"
    if op.process is None:
        if report.machine_id is not None:
            return "machine_id", (
                f"{where} is engineering work, done by people without a machine; "
                "leave the machine out"
            )
        return None
    if report.machine_id is None:
        return "machine_id", f"{where} is {op.process} work and needs its machine group named"
    plant = network.plant_by_id.get(report.plant_id)
    machine = _machine(plant, report.machine_id)
    if plant is None or machine is None:
        return "machine_id", f"{where} cannot run on an unknown machine group"
    if machine.process != op.process:
        return "machine_id", (
            f"{where} is {op.process} work, but {machine.id!r} at {plant.id!r} does "
            f"{machine.process}"
        )
    if machine not in capable_machines(item, op, plant, with_levers=True):
        if op.run_time_on(plant.id, machine.id) is None:
            return "machine_id", (
                f"{where} may run only on the machine groups its machine times list, "
                f"and {machine.id!r} at {plant.id!r} is not one of them"
            )
        return "machine_id", (
            f"{machine.id!r} at {plant.id!r} cannot take {where}: it needs "
            f"{item.required_weight(op):g} t at IT{item.required_grade(op)} or finer, and the "
            f"machine takes {machine.max_weight_t:g} t at IT{machine.precision_grade}"
        )
    return None


def _machine(plant: Plant | None, machine_id: str | None) -> Machine | None:
    if plant is None:
        return None
    return next((m for m in plant.machines if m.id == machine_id), None)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def check_progress(
    network: Network, progress: Progress, previous: Plan | None = None
) -> tuple[ProgressProblem, ...]:
    """Every way ``progress`` contradicts ``network`` or itself.

    Parameters
    ----------
    network:
        The validated network the progress reports on.
    progress:
        The reported facts.
    previous:
        The plan the work followed, if any: its routings are preferred when the
        reports fit them.

    Returns
    -------
    tuple of ProgressProblem
        Empty when the progress is fine, else one problem per broken rule, in the order
        of the records, each a sentence that names the IDs involved.
    """
    return _Checker(network, progress, previous).problems()


class _Checker:
    """One pass over a progress, collecting problems; records with bad IDs are skipped
    by the later rules, which would only repeat the same cause."""

    def __init__(self, network: Network, progress: Progress, previous: Plan | None) -> None:
        self.network = network
        self.progress = progress
        self.zone = network.start.tzinfo
        self.found: list[ProgressProblem] = []
        work_orders = [wo for o in network.orders for wo in explode_order(network, o)]
        self.work_order_by_id = {wo.id: wo for wo in work_orders}
        self.gates = design_gates(tuple(work_orders))
        self.children_by_id: dict[str, list[str]] = {}
        for wo in work_orders:
            if wo.parent_id is not None:
                self.children_by_id.setdefault(wo.parent_id, []).append(wo.id)
        self.pinned_plant_by_order = {o.id: o.plant_id for o in network.orders}
        self.routing_id_by_work_order: dict[str, str] = {}
        if previous is not None and previous.schedule is not None:
            self.routing_id_by_work_order = {
                a.work_order_id: a.routing_id for a in previous.schedule.work_orders
            }
        # Filled by the step rules: the step reports with known IDs, by work order.
        self.step_idx_by_work_order: dict[str, list[int]] = {}
        self.routing_by_work_order: dict[str, Routing] = {}
        self.finished_idx_by_work_order: dict[str, int] = {}

    def add(self, path: _Path, message: str) -> None:
        self.found.append(ProgressProblem(path, message))

    def at(self, when: datetime) -> str:
        return f"{when.astimezone(self.zone):%Y-%m-%d %H:%M}"

    def problems(self) -> tuple[ProgressProblem, ...]:
        if not self.check_zones():
            return tuple(self.found)
        self.check_status_date()
        self.check_steps()
        self.check_finished()
        self.check_work_orders()
        self.check_units()
        self.check_down()
        self.check_parts()
        self.check_materials()
        self.check_secondments()
        return tuple(self.found)

    # -- dates ------------------------------------------------------------------------

    def check_zones(self) -> bool:
        """Instants without a zone cannot be compared; nothing else is checked then.
        Progress records refuse them on creation; secondments are the scenario's kind."""
        p = self.progress
        instants: list[tuple[_Path, datetime | None]] = [
            *((("secondments", i, "start"), s.start) for i, s in enumerate(p.secondments)),
            *((("secondments", i, "end"), s.end) for i, s in enumerate(p.secondments)),
        ]
        for path, when in instants:
            if when is not None and when.tzinfo is None:
                self.add(path, "the instant must carry a time zone")
        return not self.found

    def check_status_date(self) -> None:
        start, as_of = self.network.start, self.progress.as_of
        if as_of < start:
            self.add(
                ("as_of",),
                f"the status date {self.at(as_of)} is before the network starts "
                f"({self.at(start)}); progress reports on the horizon of the scenario",
            )
        elif as_of - start > MAX_PROGRESS_SPAN:
            self.add(
                ("as_of",),
                f"the status date {self.at(as_of)} is more than {MAX_PROGRESS_SPAN.days:,} days "
                f"(ten years) after the network starts ({self.at(start)})",
            )

    def check_happened(self, path: _Path, what: str, when: datetime) -> bool:
        """A reported fact lies between the network start and the status date."""
        if when > self.progress.as_of:
            self.add(
                path,
                f"{what} {self.at(when)}, after the status date {self.at(self.progress.as_of)}; "
                "report only what has happened by then",
            )
            return False
        if when < self.network.start:
            start = self.network.start
            self.add(path, f"{what} {self.at(when)}, before the network starts ({self.at(start)})")
            return False
        return True

    def check_near(self, path: _Path, what: str, when: datetime | None) -> None:
        if when is not None and abs(when - self.network.start) > MAX_PROGRESS_SPAN:
            self.add(
                path,
                f"{what} {self.at(when)} is more than {MAX_PROGRESS_SPAN.days:,} days (ten years) "
                f"from the network start, {self.at(self.network.start)}",
            )

    # -- references -------------------------------------------------------------------

    def known_work_order(self, path: _Path, work_order_id: str) -> WorkOrder | None:
        wo = self.work_order_by_id.get(work_order_id)
        if wo is not None:
            return wo
        # Suggest among the named order's work orders, else the orders' end products:
        # matching against every work order of a network could mean 200,000 of them.
        order_id = work_order_id.partition(":")[0]
        known = [w.id for w in self.work_order_by_id.values() if w.order_id == order_id]
        if not known:
            known = [w.id for w in self.work_order_by_id.values() if w.parent_id is None]
        self.add(
            path,
            _unknown("work order", work_order_id, known)
            + " (work orders are named ORDER:ITEM/COMPONENT/...)",
        )
        return None

    def known_plant(self, path: _Path, plant_id: str) -> Plant | None:
        plant = self.network.plant_by_id.get(plant_id)
        if plant is None:
            self.add(path, _unknown("plant", plant_id, self.network.plant_by_id))
        return plant

    def known_machine(self, path: _Path, plant: Plant, machine_id: str) -> Machine | None:
        machine = _machine(plant, machine_id)
        if machine is None:
            known = [m.id for m in plant.machines]
            self.add(
                path,
                f"plant {plant.id!r} has no machine group {machine_id!r}{_hint(machine_id, known)}",
            )
        return machine

    def known(self, path: _Path, what: str, value: str, known: Iterable[str]) -> bool:
        known = list(known)
        if value in known:
            return True
        self.add(path, _unknown(what, value, known))
        return False

    # -- step reports -----------------------------------------------------------------

    def check_steps(self) -> None:
        first_idx_by_step: dict[tuple[str, int], int] = {}
        for idx, report in enumerate(self.progress.steps):
            path: _Path = ("steps", idx)
            wo = self.known_work_order((*path, "work_order_id"), report.work_order_id)
            plant = self.known_plant((*path, "plant_id"), report.plant_id)
            if wo is None or plant is None:
                continue
            name = f"step {report.step} of {wo.id!r}"
            if report.machine_id is not None:
                machine = self.known_machine((*path, "machine_id"), plant, report.machine_id)
                if machine is None:
                    continue
                if report.unit >= machine.units:
                    self.add(
                        (*path, "unit"),
                        f"{name} names unit {report.unit}, but {machine.id!r} at {plant.id!r} "
                        f"has {_count(machine.units, 'unit')}, numbered from 0 to "
                        f"{machine.units - 1}",
                    )
                    continue
                if not self.check_available(path, name, report, machine):
                    continue
            key = (wo.id, report.step)
            if key in first_idx_by_step:
                self.add(
                    (*path, "step"),
                    f"{name} is reported twice (also at steps[{first_idx_by_step[key]}]); "
                    "keep one report per step",
                )
                continue
            first_idx_by_step[key] = idx
            ok = self.check_happened((*path, "start"), f"{name} starts", report.start)
            if report.end is not None:
                ok = self.check_happened((*path, "end"), f"{name} ends", report.end) and ok
            ok = self.check_quantity(path, name, report, wo) and ok
            if ok:
                self.step_idx_by_work_order.setdefault(wo.id, []).append(idx)

    def check_available(self, path: _Path, name: str, report: StepReport, machine: Machine) -> bool:
        """A step ran while its machine group was in service (``available_from`` to
        ``available_until`` in the scenario)."""
        where = f"{machine.id!r} at {report.plant_id!r}"
        if machine.available_from is not None and report.start < machine.available_from:
            self.add(
                (*path, "start"),
                f"{name} starts {self.at(report.start)} on {where}, which comes into service "
                f"only at {self.at(machine.available_from)}",
            )
            return False
        until = machine.available_until
        end = report.end or report.start
        if until is not None and end > until:
            self.add(
                (*path, "end" if report.end else "start"),
                f"{name} runs on {where} until {self.at(end)}, but the group leaves service at "
                f"{self.at(until)}",
            )
            return False
        as_of = self.progress.as_of
        if until is not None and report.end is None and until <= as_of:
            # A started step still runs at the status date, which the group is gone by.
            self.add(
                (*path, "status"),
                f"{name} is reported started, so still running at the status date "
                f"{self.at(as_of)}, but {where} leaves service at {self.at(until)}; report it "
                "done, with its end",
            )
            return False
        return True

    def check_quantity(self, path: _Path, name: str, report: StepReport, wo: WorkOrder) -> bool:
        done = report.quantity_done
        if done is None:
            return True
        if done > wo.quantity:
            self.add(
                (*path, "quantity_done"),
                f"{name} reports {done} units made good, but the work order makes {wo.quantity}",
            )
            return False
        if report.status is StepStatus.DONE and done != wo.quantity:
            self.add(
                (*path, "quantity_done"),
                f"{name} is reported done with {done} of its {wo.quantity} units made good; "
                "report it started until every unit is made good",
            )
            return False
        if report.status is StepStatus.STARTED and done == wo.quantity:
            self.add(
                (*path, "quantity_done"),
                f"{name} has all {wo.quantity} units made good: report it done, with its end",
            )
            return False
        return True

    # -- finished work orders ---------------------------------------------------------

    def check_finished(self) -> None:
        first_idx_by_work_order: dict[str, int] = {}
        for idx, finished in enumerate(self.progress.finished):
            path: _Path = ("finished", idx)
            wo = self.known_work_order((*path, "work_order_id"), finished.work_order_id)
            plant = self.known_plant((*path, "plant_id"), finished.plant_id)
            if wo is None or plant is None:
                continue
            if wo.id in first_idx_by_work_order:
                self.add(
                    (*path, "work_order_id"),
                    f"{wo.id!r} is reported finished twice (also at "
                    f"finished[{first_idx_by_work_order[wo.id]}]); keep one",
                )
                continue
            first_idx_by_work_order[wo.id] = idx
            if wo.id in self.step_idx_by_work_order:
                first = self.step_idx_by_work_order[wo.id][0]
                self.add(
                    (*path, "work_order_id"),
                    f"{wo.id!r} is reported finished and also step by step (steps[{first}]); "
                    "report it one way: finished, or every step done",
                )
                continue
            item = self.network.item_by_id[wo.item_id]
            if not capable_routings(item, plant):
                self.add(
                    (*path, "plant_id"),
                    f"{wo.id!r} is reported finished at {plant.id!r}, which cannot make "
                    f"{item.id!r} by any routing; report it at the plant that made it",
                )
                continue
            if not self.check_pinned((*path, "plant_id"), wo, plant.id):
                continue
            what = f"{wo.id!r} is finished"
            if self.check_happened((*path, "finished"), what, finished.finished):
                self.finished_idx_by_work_order[wo.id] = idx

    def check_pinned(self, path: _Path, wo: WorkOrder, plant_id: str) -> bool:
        pinned = self.pinned_plant_by_order.get(wo.order_id)
        if wo.parent_id is None and pinned is not None and pinned != plant_id:
            self.add(
                path,
                f"{wo.id!r} is reported at {plant_id!r}, but order {wo.order_id!r} is pinned "
                f"to plant {pinned!r}, which builds its end product",
            )
            return False
        return True

    # -- work orders reported step by step ----------------------------------------------

    def check_work_orders(self) -> None:
        steps = self.progress.steps
        for wo_id, idxs in self.step_idx_by_work_order.items():
            wo = self.work_order_by_id[wo_id]
            reports = [steps[i] for i in idxs]
            plant_id = reports[0].plant_id
            elsewhere = next((i for i in idxs if steps[i].plant_id != plant_id), None)
            if elsewhere is not None:
                self.add(
                    ("steps", elsewhere, "plant_id"),
                    f"{wo_id!r} is reported at {steps[elsewhere].plant_id!r} and at {plant_id!r} "
                    f"(steps[{idxs[0]}]); a work order is made at one plant",
                )
                continue
            if not self.check_pinned(("steps", idxs[0], "plant_id"), wo, plant_id):
                continue
            previous_id = self.routing_id_by_work_order.get(wo_id)
            routing = routing_of(self.network, wo, reports, previous_id)
            if routing is None:
                self.explain_no_routing(wo, idxs)
                continue
            self.routing_by_work_order[wo_id] = routing
            self.check_chain(wo, routing, idxs)
        for wo_id, idxs in self.step_idx_by_work_order.items():
            if wo_id in self.routing_by_work_order:
                self.check_prerequisites(wo_id, idxs)
        self.check_below_finished()

    def explain_no_routing(self, wo: WorkOrder, idxs: list[int]) -> None:
        network, steps = self.network, self.progress.steps
        item = network.item_by_id[wo.item_id]
        routings = item.routings
        misfits = {i: [_misfit(network, item, r, steps[i]) for r in routings] for i in idxs}
        lone = [i for i in idxs if all(misfits[i])]
        for i in lone:
            misfit = [m for m in misfits[i] if m is not None]
            name = f"step {steps[i].step} of {wo.id!r}"
            if len(routings) == 1:
                self.add(("steps", i, misfit[0][0]), f"{name} does not fit: {misfit[0][1]}")
            else:
                self.add(
                    ("steps", i, misfit[0][0]),
                    f"{name} fits no routing of item {item.id!r}: "
                    + "; ".join(reason for _, reason in misfit),
                )
        if lone:
            return
        plant = network.plant_by_id[steps[idxs[0]].plant_id]
        fitting = [
            r for r in routings if not any(_misfit(network, item, r, steps[i]) for i in idxs)
        ]
        if fitting:
            lacks = [_missing_capability(item, r, plant) for r in fitting]
            self.add(
                ("steps", idxs[0], "plant_id"),
                f"{plant.id!r} cannot finish {wo.id!r}: " + "; ".join(lacks),
            )
            return
        reasons = []
        for r_idx in range(len(routings)):
            first = next(m for i in idxs if (m := misfits[i][r_idx]) is not None)
            reasons.append(first[1])
        self.add(
            ("steps", idxs[0], "step"),
            f"the steps reported for {wo.id!r} fit no single routing of item {item.id!r}: "
            + "; ".join(reasons),
        )

    def check_chain(self, wo: WorkOrder, routing: Routing, idxs: list[int]) -> None:
        """Done steps are 1..k, a started step is k+1, each starts after the one before ends."""
        steps = self.progress.steps
        by_step = {steps[i].step: i for i in idxs}
        for idx in idxs:
            report = steps[idx]
            name = f"step {report.step} of {wo.id!r}"
            status = "done" if report.status is StepStatus.DONE else "started"
            before = by_step.get(report.step - 1)
            if report.step > 1 and before is None:
                self.add(
                    ("steps", idx, "step"),
                    f"{name} is reported {status} but step {report.step - 1} is not; "
                    "report the steps before it done",
                )
                continue
            if before is not None:
                earlier = steps[before]
                if earlier.end is None:
                    self.add(
                        ("steps", idx, "step"),
                        f"{name} is reported {status} but step {earlier.step} is only started; "
                        "a work order's steps run one after another",
                    )
                    continue
                if report.start < earlier.end:
                    self.add(
                        ("steps", idx, "start"),
                        f"{name} starts {self.at(report.start)}, before step {earlier.step} "
                        f"ends ({self.at(earlier.end)})",
                    )
                    continue
            if report.work_done is not None and not report.scrapped:
                self.check_work_done(idx, wo, routing)

    def check_work_done(self, idx: int, wo: WorkOrder, routing: Routing) -> None:
        report = self.progress.steps[idx]
        op = routing.operations[report.step - 1]
        # Engineering work has no machine times, so any machine ID gives its own run time.
        run = op.run_time_on(report.plant_id, report.machine_id or "")
        if run is None or report.work_done is None:
            return
        total = op.setup + run * wo.quantity
        if report.work_done >= total:
            hours = timedelta(hours=1)
            self.add(
                ("steps", idx, "work_done"),
                f"step {report.step} of {wo.id!r} reports {report.work_done / hours:g} h of work "
                f"done, but takes {total / hours:g} h in all there: report it done, with its end",
            )

    def ready_at(self, wo_id: str) -> datetime | None:
        """When a work order is known to be complete: finished, or its last step done."""
        if wo_id in self.finished_idx_by_work_order:
            return self.progress.finished[self.finished_idx_by_work_order[wo_id]].finished
        routing = self.routing_by_work_order.get(wo_id)
        if routing is None:
            return None
        steps = self.progress.steps
        last = [steps[i] for i in self.step_idx_by_work_order[wo_id]]
        last_step = max(last, key=lambda r: r.step)
        if last_step.step == len(routing.operations) and last_step.end is not None:
            return last_step.end
        return None

    def plant_of(self, wo_id: str) -> str:
        if wo_id in self.finished_idx_by_work_order:
            return self.progress.finished[self.finished_idx_by_work_order[wo_id]].plant_id
        return self.progress.steps[self.step_idx_by_work_order[wo_id][0]].plant_id

    def check_prerequisites(self, wo_id: str, idxs: list[int]) -> None:
        """Work begun on a work order needs its components and its design there first."""
        steps = self.progress.steps
        first = min(idxs, key=lambda i: steps[i].step)
        begun, plant_id = steps[first].start, steps[first].plant_id
        needs = [(c, "component") for c in self.children_by_id.get(wo_id, ())]
        needs += [(g, "design") for g in self.gates.get(wo_id, ())]
        for need_id, kind in needs:
            ready = self.ready_at(need_id)
            name = f"step {steps[first].step} of {wo_id!r}"
            if ready is None:
                self.add(
                    ("steps", first, "step"),
                    f"{name} is reported begun ({self.at(begun)}), but its {kind} {need_id!r} is "
                    "not reported finished or with every step done; report it so",
                )
                return
            lead = self.network.lead_time(self.plant_of(need_id), plant_id) or timedelta(0)
            if ready + lead > begun:
                days = lead / timedelta(days=1)
                travel = f", then travels {days:g} day{'' if days == 1 else 's'} to {plant_id!r}"
                self.add(
                    ("steps", first, "start"),
                    f"{name} starts {self.at(begun)}, but its {kind} {need_id!r} is only ready "
                    f"{self.at(ready)}{travel if lead else ''}",
                )
                return

    def check_below_finished(self) -> None:
        """A finished work order includes everything below it: nothing there is under way."""
        steps = self.progress.steps
        for finished_id in self.finished_idx_by_work_order:
            prefix = finished_id + "/"
            for wo_id, idxs in self.step_idx_by_work_order.items():
                if not wo_id.startswith(prefix):
                    continue
                for idx in idxs:
                    if steps[idx].status is StepStatus.STARTED:
                        self.add(
                            ("steps", idx, "status"),
                            f"step {steps[idx].step} of {wo_id!r} is reported started, but "
                            f"{finished_id!r} is reported finished, which includes everything "
                            "below it",
                        )

    # -- machine units ----------------------------------------------------------------

    def machine_steps(self) -> list[int]:
        """Step reports on a machine that passed the rules above."""
        steps = self.progress.steps
        return [
            i
            for wo_id, idxs in self.step_idx_by_work_order.items()
            if wo_id in self.routing_by_work_order
            for i in idxs
            if steps[i].machine_id is not None
        ]

    def check_units(self) -> None:
        """No unit runs two steps at once; a started step holds its unit from its start on."""
        steps = self.progress.steps
        by_unit: dict[tuple[str, str | None, int], list[int]] = {}
        for i in self.machine_steps():
            by_unit.setdefault((steps[i].plant_id, steps[i].machine_id, steps[i].unit), []).append(
                i
            )
        for (plant_id, machine_id, unit), idxs in by_unit.items():
            idxs.sort(key=lambda i: steps[i].start)
            holder: int | None = None  # the report whose end is the latest so far
            for idx in idxs:
                report = steps[idx]
                if holder is not None:
                    held = steps[holder]
                    if held.end is None or report.start < held.end:
                        self.add(
                            ("steps", idx, "unit"),
                            f"step {report.step} of {report.work_order_id!r} and step {held.step} "
                            f"of {held.work_order_id!r} (steps[{holder}]) are both reported on "
                            f"unit {unit} of {machine_id!r} at {plant_id!r} at "
                            f"{self.at(report.start)}; a unit runs one step at a time",
                        )
                        continue
                if holder is None or _later_end(report.end, steps[holder].end):
                    holder = idx

    # -- machines down ----------------------------------------------------------------

    def check_down(self) -> None:
        by_group: dict[tuple[str, str], list[int]] = {}
        for idx, down in enumerate(self.progress.down):
            path: _Path = ("down", idx)
            plant = self.known_plant((*path, "plant_id"), down.plant_id)
            machine = (
                None
                if plant is None
                else self.known_machine((*path, "machine_id"), plant, down.machine_id)
            )
            self.check_near((*path, "start"), "the machine is down from", down.start)
            self.check_near((*path, "end"), "the machine is down until", down.end)
            if machine is None:
                continue
            if down.units is not None and down.units > machine.units:
                self.add(
                    (*path, "units"),
                    f"{down.units} units of {machine.id!r} at {down.plant_id!r} are reported down, "
                    f"but it has {machine.units}",
                )
                continue
            by_group.setdefault((down.plant_id, machine.id), []).append(idx)
        steps = self.progress.steps
        steps_by_group: dict[tuple[str, str], list[int]] = {}
        for i in self.machine_steps():
            machine_id = steps[i].machine_id
            assert machine_id is not None
            steps_by_group.setdefault((steps[i].plant_id, machine_id), []).append(i)
        for (plant_id, machine_id), idxs in by_group.items():
            machine = self.network.plant_by_id[plant_id].machine(machine_id)
            self.check_group_load(
                machine, plant_id, idxs, steps_by_group.get((plant_id, machine_id), [])
            )

    def check_group_load(
        self, machine: Machine, plant_id: str, down_idxs: list[int], step_idxs: list[int]
    ) -> None:
        """Units down never exceed the group's units, nor, up to the status date, units
        down plus the reported steps at work on it."""
        downs, steps = self.progress.down, self.progress.steps
        down_events: list[tuple[datetime, int, _Path]] = []
        for i in down_idxs:
            units, until = downs[i].units or machine.units, downs[i].end
            down_events.append((downs[i].start, units, ("down", i)))
            if until is not None:
                down_events.append((until, -units, ("down", i)))
        name = f"{machine.id!r} at {plant_id!r}"
        overload = _first_overload(down_events, machine.units)
        if overload is not None:
            when, level, path = overload
            self.add(
                (*path, "units"),
                f"{level} units of {name} are reported down at {self.at(when)}, but it has "
                f"{machine.units}",
            )
            return
        step_events: list[tuple[datetime, int, _Path]] = []
        for i in step_idxs:
            end = steps[i].end
            step_events.append((steps[i].start, 1, ("steps", i)))
            if end is not None:
                step_events.append((end, -1, ("steps", i)))
        as_of = self.progress.as_of
        events = [e for e in (*down_events, *step_events) if e[0] <= as_of]
        overload = _first_overload(events, machine.units)
        if overload is not None:
            when, level, path = overload
            at_work = sum(
                1 for i in step_idxs if steps[i].start <= when and _later_end(steps[i].end, when)
            )
            self.add(
                (*path, "units" if path[0] == "down" else "unit"),
                f"{name} has {_count(level - at_work, 'unit')} down and "
                f"{_count(at_work, 'step')} reported at work on it at {self.at(when)}, but only "
                f"{_count(machine.units, 'unit')}; a step cannot run on a unit that is down",
            )

    # -- parts, stock counts, receipts ------------------------------------------------

    def check_parts(self) -> None:
        first_idx_by_key: dict[tuple[str, str], int] = {}
        for idx, parts in enumerate(self.progress.parts):
            path: _Path = ("parts", idx)
            plant = self.known_plant((*path, "plant_id"), parts.plant_id)
            if not self.known((*path, "item_id"), "item", parts.item_id, self.network.item_by_id):
                continue
            if plant is None:
                continue
            key = (plant.id, parts.item_id)
            if key in first_idx_by_key:
                self.add(
                    path,
                    f"parts of {parts.item_id!r} at {plant.id!r} are already given at "
                    f"parts[{first_idx_by_key[key]}]; add the quantities",
                )
                continue
            first_idx_by_key[key] = idx
            if not capable_routings(self.network.item_by_id[parts.item_id], plant):
                self.add(
                    (*path, "plant_id"),
                    f"parts of {parts.item_id!r} are reported at {plant.id!r}, which cannot make "
                    "them by any routing; report them at the plant that made them",
                )

    def check_materials(self) -> None:
        materials = [m.id for m in self.network.materials]
        first_idx_by_key: dict[tuple[str, str], int] = {}
        for idx, count in enumerate(self.progress.counts):
            path: _Path = ("counts", idx)
            plant = self.known_plant((*path, "plant_id"), count.plant_id)
            material_ok = self.known(
                (*path, "material_id"), "material", count.material_id, materials
            )
            if plant is None or not material_ok:
                continue
            key = (plant.id, count.material_id)
            if key in first_idx_by_key:
                self.add(
                    path,
                    f"the count of {count.material_id!r} at {plant.id!r} is already given at "
                    f"counts[{first_idx_by_key[key]}]; a warehouse has one count of a material",
                )
            first_idx_by_key.setdefault(key, idx)
        for idx, receipt in enumerate(self.progress.receipts):
            path = ("receipts", idx)
            plant = self.known_plant((*path, "plant_id"), receipt.plant_id)
            material_ok = self.known(
                (*path, "material_id"), "material", receipt.material_id, materials
            )
            if plant is not None and material_ok:
                what = f"the receipt of {receipt.material_id!r} at {plant.id!r} arrived"
                self.check_happened((*path, "arrived"), what, receipt.arrived)

    # -- secondments ------------------------------------------------------------------

    def check_secondments(self) -> None:
        network = self.network
        valid = []
        for idx, s in enumerate(self.progress.secondments):
            path: _Path = ("secondments", idx)
            ok = self.known_plant((*path, "plant_id"), s.plant_id) is not None
            ok = self.known((*path, "skill"), "skill", s.skill, network.skills) and ok
            if s.region:
                ok = self.known((*path, "region"), "region", s.region, network.regions) and ok
            self.check_near((*path, "start"), "the secondment starts", s.start)
            self.check_near((*path, "end"), "the secondment ends", s.end)
            if ok:
                valid.append((idx, s))
        secondments = (*network.secondments, *(s for _, s in valid))
        seen: set[tuple[str, str]] = set()
        for idx, s in valid:
            if (s.plant_id, s.skill) in seen:
                continue
            seen.add((s.plant_id, s.skill))
            steps = capacity_steps(
                s.plant_id, s.skill, network.staffing, secondments, network.trainings, network.start
            )
            for when, level in steps:
                if level < 0:
                    self.add(
                        ("secondments", idx, "count"),
                        f"plant {s.plant_id!r} would have {level} people of skill {s.skill!r} "
                        f"from {self.at(when)}: more people are seconded or training others "
                        "than it has",
                    )
                    break


def _later_end(end: datetime | None, than: datetime | None) -> bool:
    """Whether ``end`` is later than ``than``; ``None`` (still running) is latest."""
    if than is None:
        return False
    return end is None or end > than


def _first_overload(
    events: list[tuple[datetime, int, _Path]], capacity: int
) -> tuple[datetime, int, _Path] | None:
    """The first instant the summed level of ``(instant, change, path)`` events exceeds
    ``capacity``, with that level and the path of the last record starting then.

    Ends sort before starts at one instant, so a record may begin as another ends.
    """
    level = 0
    ordered = sorted(events, key=lambda e: (e[0], e[1]))
    for n, (when, change, path) in enumerate(ordered):
        level += change
        is_last_then = n + 1 == len(ordered) or ordered[n + 1][0] != when
        if is_last_then and level > capacity:
            return when, level, path
    return None


def _missing_capability(item: Item, routing: Routing, plant: Plant) -> str:
    """The first machine step of ``routing`` that ``plant`` has no machine group for."""
    step, op = next(
        (step, op)
        for step, op in enumerate(routing.operations, start=1)
        if not op.is_staff_only and not capable_machines(item, op, plant)
    )
    return (
        f"by routing {routing.id!r} its step {step} needs {op.process} for "
        f"{item.required_weight(op):g} t at IT{item.required_grade(op)} or finer, "
        "which the plant has no machine group for"
    )


def _unknown(what: str, value: str, known: Iterable[str]) -> str:
    return f"unknown {what} {value!r}{_hint(value, known)}"


def _hint(value: str, known: Iterable[str]) -> str:
    """The closest known name, else the known names when they are few."""
    names = sorted(known)
    close = difflib.get_close_matches(value, names, n=1)
    if close:
        return f"; did you mean {close[0]!r}?"
    if 0 < len(names) <= 12:
        return f" (known: {', '.join(names)})"
    return ""
