"""Use case: plan a base scenario and its what-if variants side by side, and compare.

Every scenario is planned with the same parameters (seed, time limit, workers) in its
own process, which loads its own file: a plan is a pure function of the file and the
parameters, and one slow solve does not hold up the others' processes.

Solver noise and significance
    A time-limited plan is not proven optimal: its weighted tardiness ``T`` lies
    somewhere above its proven bound ``B``, and another search would land elsewhere in
    ``[B, T]``. The width of that band is the plan's gap times its value, ``T - B``.
    A difference in weighted tardiness between base and variant is therefore
    *significant* only when it is larger than the wider of the two bands,
    ``|T_v - T_b| > max(T_b - B_b, T_v - B_v)``; smaller, and it may be the search,
    not the change. Without a bound on either side nothing can be said ("unknown").
    Per-order differences inherit the verdict: an arrival that moves, or an order
    that turns late or on time, is significant only when the tardiness difference
    is. Orders added, cancelled, or left out by one plan and not the other are
    always significant: they differ in what is planned, not in how well.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from enum import StrEnum
from queue import Empty
from typing import TYPE_CHECKING, Protocol

from xiezuo.errors import InputError, ModelError
from xiezuo.io import is_benchmark_file
from xiezuo.io.variant import is_variant_file, load_variant
from xiezuo.planning.analysis.netting import net_materials
from xiezuo.planning.solve import plan as plan_network
from xiezuo.planning.validation.audit import audit_plan
from xiezuo.services.planning import load_network
from xiezuo.services.staff import staff_report

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from datetime import datetime, timedelta
    from pathlib import Path

    from xiezuo.domain import Network, Plan
    from xiezuo.io.variant import VariantInfo
    from xiezuo.planning.params import PlanParams, ProgressEvent


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderOutcome:
    """Where an order ends up in one plan: ``arrival`` is ``None`` when it is unplanned."""

    order_id: str
    due: datetime | None
    arrival: datetime | None

    @property
    def is_planned(self) -> bool:
        return self.arrival is not None

    @property
    def is_late(self) -> bool:
        return self.arrival is not None and self.due is not None and self.arrival > self.due


@dataclass(frozen=True, slots=True, kw_only=True)
class PeakPeople:
    """The tightest skill of a plan: most people at work over people on staff."""

    plant_id: str
    skill: str
    utilisation: float
    """People at work over people on staff at the tightest instant (may exceed 1 only in a
    plan the validator refuses)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ScenarioResult:
    """One scenario's plan and its key figures.

    ``short_materials`` are the materials whose net need exceeds stock and every supply
    (the materials report's *net shortage*), ``early_short_materials`` those that run
    out at some need date even if later supplies cover them (its *first runs out*);
    both come from the plan-free netting, so they change with orders and supplies,
    not with the solver. ``violations`` counts what the independent validator finds.
    """

    label: str
    path: Path
    description: str
    base: Path | None
    """The file a variant is laid over; ``None`` for a scenario."""
    changes: tuple[str, ...]
    start: datetime
    plan: Plan
    orders: tuple[OrderOutcome, ...]
    short_materials: tuple[str, ...]
    early_short_materials: tuple[str, ...]
    peak_people: PeakPeople | None
    violations: int

    @property
    def late(self) -> int:
        return sum(1 for o in self.orders if o.is_late)

    @property
    def unplanned(self) -> int:
        return sum(1 for o in self.orders if not o.is_planned)

    @property
    def on_time(self) -> int:
        return len(self.orders) - self.late - self.unplanned


class Significance(StrEnum):
    NONE = "no difference"
    SIGNIFICANT = "significant"
    NOT_SIGNIFICANT = "not significant"
    UNKNOWN = "unknown"  # a plan without a bound: the band cannot be told


class OrderChange(StrEnum):
    LATER = "later"
    EARLIER = "earlier"
    NOW_LATE = "now late"
    NOW_ON_TIME = "now on time"
    NOW_UNPLANNED = "now unplanned"
    NOW_PLANNED = "now planned"
    ADDED = "added"
    CANCELLED = "cancelled"


_STRUCTURAL = {
    OrderChange.NOW_UNPLANNED,
    OrderChange.NOW_PLANNED,
    OrderChange.ADDED,
    OrderChange.CANCELLED,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderDifference:
    """An order whose outcome differs between the base plan and a variant's.

    ``shift`` is the variant's arrival minus the base's (``None`` unless both plan it);
    ``change`` says what matters most: a status change before a mere shift.
    """

    order_id: str
    base: OrderOutcome | None
    variant: OrderOutcome | None
    shift: timedelta | None
    change: OrderChange
    is_significant: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class VariantComparison:
    """A variant's result against the base: tardiness difference, its verdict, orders.

    ``noise`` is the band a difference must exceed, ``max(T_b - B_b, T_v - B_v)``
    in weighted hours (``None`` without both bounds).
    """

    result: ScenarioResult
    tardiness_delta: float | None
    noise: float | None
    significance: Significance
    orders: tuple[OrderDifference, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Comparison:
    base: ScenarioResult
    variants: tuple[VariantComparison, ...]

    @property
    def results(self) -> tuple[ScenarioResult, ...]:
        return (self.base, *(v.result for v in self.variants))


@dataclass(frozen=True, slots=True, kw_only=True)
class ScenarioProgress:
    """News of one scenario's solve: first neither ``event`` nor ``done`` (every file is
    read and the scenario waits), then ``event`` while it runs, ``done`` once finished."""

    index: int
    """0 for the base, then the variants in the order given."""
    label: str
    event: ProgressEvent | None = None
    done: bool = False


class _Sink(Protocol):
    def put(self, item: ScenarioProgress, /) -> None: ...


def default_jobs(scenarios: int) -> int:
    """One process per scenario, at most one per CPU."""
    return max(1, min(scenarios, os.cpu_count() or 1))


def compare_variants(
    base: Path,
    variants: Sequence[Path],
    params: PlanParams,
    jobs: int,
    *,
    on_progress: Callable[[ScenarioProgress], None] | None = None,
) -> Comparison:
    """Plan the base and every variant with the same parameters, and compare them.

    Parameters
    ----------
    base:
        The scenario (or variant) the others are compared with.
    variants:
        Variant (or scenario) files.
    params:
        Solver settings for every plan; callers usually give ``workers=1`` when
        ``jobs > 1`` so the processes do not compete for cores.
    jobs:
        Plans solved at once, each in its own process; 1 solves them one after the
        other in this process.
    on_progress:
        Called in this thread with solver news of each scenario and when it is done.

    Returns
    -------
    Comparison
        Each scenario's key figures, and each variant's differences from the base with
        their significance (see the module docstring for the rule).

    Raises
    ------
    InputError, ModelError
        A file is bad; every file is loaded here first, so this happens before any
        solve starts.
    """
    paths = [base, *variants]
    labels = _labels([_load(path)[1] for path in paths])
    report = on_progress or (lambda _: None)
    for idx, label in enumerate(labels):
        report(ScenarioProgress(index=idx, label=label))
    if jobs <= 1:
        sink = _CallbackSink(report)
        results = [
            _plan_one(idx, path, label, params, sink)
            for idx, (path, label) in enumerate(zip(paths, labels, strict=True))
        ]
    else:
        results = _plan_in_processes(paths, labels, params, jobs, report)
    base_result, *variant_results = results
    return Comparison(
        base=base_result,
        variants=tuple(compare_results(base_result, result) for result in variant_results),
    )


def _load(path: Path) -> tuple[Network, str, VariantInfo | None]:
    """A scenario, benchmark instance or variant, with its default label."""
    if not is_benchmark_file(path) and is_variant_file(path):
        network, info = load_variant(path)
        return network, info.name, info
    return load_network(path), path.stem, None


def _labels(names: Sequence[str]) -> list[str]:
    """The names, made unique by a number where two scenarios share one."""
    labels: list[str] = []
    for name in names:
        label, count = name, 1
        while label in labels:
            count += 1
            label = f"{name} #{count}"
        labels.append(label)
    return labels


class _CallbackSink:
    def __init__(self, report: Callable[[ScenarioProgress], None]) -> None:
        self.report = report

    def put(self, item: ScenarioProgress, /) -> None:
        self.report(item)


@dataclass(frozen=True, slots=True)
class _Failure:
    """A child's error as text: the error classes do not survive pickling."""

    message: str


def _plan_in_processes(
    paths: Sequence[Path],
    labels: Sequence[str],
    params: PlanParams,
    jobs: int,
    report: Callable[[ScenarioProgress], None],
) -> list[ScenarioResult]:
    # spawn, not fork: the parent may run threads (a progress display), and a forked
    # child would inherit their locks.
    context = multiprocessing.get_context("spawn")
    with (
        context.Manager() as manager,
        ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool,
    ):
        queue = manager.Queue()
        futures: dict[Future[ScenarioResult | _Failure], int] = {
            pool.submit(_plan_child, idx, path, label, params, queue): idx
            for idx, (path, label) in enumerate(zip(paths, labels, strict=True))
        }
        results: dict[int, ScenarioResult] = {}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            _drain(queue, report)
            for future in done:
                outcome = future.result()
                idx = futures[future]
                if isinstance(outcome, _Failure):
                    raise InputError(str(paths[idx]), "", outcome.message)
                results[idx] = outcome
        _drain(queue, report)
    return [results[idx] for idx in range(len(paths))]


def _drain(queue: _Queue, report: Callable[[ScenarioProgress], None]) -> None:
    while True:
        try:
            item = queue.get_nowait()
        except Empty:
            return
        report(item)


class _Queue(Protocol):
    def get_nowait(self) -> ScenarioProgress: ...


def _plan_child(
    idx: int, path: Path, label: str, params: PlanParams, sink: _Sink
) -> ScenarioResult | _Failure:
    """The work of one process: load the file, plan it, measure the plan."""
    try:
        return _plan_one(idx, path, label, params, sink)
    except (InputError, ModelError) as exc:  # a PlanningError is a bug: it goes on, to exit 3
        return _Failure(str(exc).removeprefix(f"{path}: "))


def _plan_one(idx: int, path: Path, label: str, params: PlanParams, sink: _Sink) -> ScenarioResult:
    network, _, info = _load(path)

    def forward(event: ProgressEvent) -> None:
        sink.put(ScenarioProgress(index=idx, label=label, event=event))

    plan = plan_network(network, params, on_progress=forward)
    result = measure(network, plan, label=label, path=path, info=info)
    sink.put(ScenarioProgress(index=idx, label=label, done=True))
    return result


def measure(
    network: Network, plan: Plan, *, label: str, path: Path, info: VariantInfo | None = None
) -> ScenarioResult:
    """A plan's key figures: orders, tardiness, material, people, validator verdict."""
    schedule = plan.schedule
    arrival_by_order = (
        {} if schedule is None else {d.order_id: d.arrival for d in schedule.deliveries}
    )
    orders = tuple(
        OrderOutcome(order_id=o.id, due=o.due, arrival=arrival_by_order.get(o.id))
        for o in network.orders
    )
    netting = net_materials(network)
    peak = None
    for line in staff_report(network, plan).lines:
        if line.peak_utilisation is not None and (
            peak is None or line.peak_utilisation > peak.utilisation
        ):
            peak = PeakPeople(
                plant_id=line.plant_id, skill=line.skill, utilisation=line.peak_utilisation
            )
    return ScenarioResult(
        label=label,
        path=path,
        description="" if info is None else info.description,
        base=None if info is None else info.base,
        changes=() if info is None else info.changes,
        start=network.start,
        plan=plan,
        orders=orders,
        short_materials=tuple(b.material_id for b in netting.balances if b.net_shortage),
        early_short_materials=tuple(
            b.material_id for b in netting.balances if b.first_short is not None
        ),
        peak_people=peak,
        violations=len(audit_plan(network, plan)),
    )


def compare_results(base: ScenarioResult, variant: ScenarioResult) -> VariantComparison:
    """A variant's differences from the base, judged by the significance rule."""
    delta = noise = None
    significance = Significance.UNKNOWN
    b, v = base.plan, variant.plan
    if b.tardiness_hours is not None and v.tardiness_hours is not None:
        delta = v.tardiness_hours - b.tardiness_hours
        if b.tardiness_bound is not None and v.tardiness_bound is not None:
            noise = max(
                0.0, b.tardiness_hours - b.tardiness_bound, v.tardiness_hours - v.tardiness_bound
            )
            if abs(delta) > noise:
                significance = Significance.SIGNIFICANT
            elif delta == 0:
                significance = Significance.NONE
            else:
                significance = Significance.NOT_SIGNIFICANT
    return VariantComparison(
        result=variant,
        tardiness_delta=delta,
        noise=noise,
        significance=significance,
        orders=tuple(_order_differences(base, variant, significance)),
    )


def _order_differences(
    base: ScenarioResult, variant: ScenarioResult, significance: Significance
) -> list[OrderDifference]:
    before = {o.order_id: o for o in base.orders}
    after = {o.order_id: o for o in variant.orders}
    order_ids = [*before, *(order_id for order_id in after if order_id not in before)]
    differences = []
    for order_id in order_ids:
        old, new = before.get(order_id), after.get(order_id)
        change = _change(old, new)
        if change is None:
            continue
        shift = None
        if old is not None and new is not None and old.arrival and new.arrival:
            shift = new.arrival - old.arrival
        differences.append(
            OrderDifference(
                order_id=order_id,
                base=old,
                variant=new,
                shift=shift,
                change=change,
                is_significant=change in _STRUCTURAL or significance is Significance.SIGNIFICANT,
            )
        )
    return differences


def _change(old: OrderOutcome | None, new: OrderOutcome | None) -> OrderChange | None:
    if old is None:
        return OrderChange.ADDED
    if new is None:
        return OrderChange.CANCELLED
    if old.is_planned != new.is_planned:
        return OrderChange.NOW_PLANNED if new.is_planned else OrderChange.NOW_UNPLANNED
    if old.is_late != new.is_late:
        return OrderChange.NOW_LATE if new.is_late else OrderChange.NOW_ON_TIME
    if old.arrival is None or new.arrival is None or old.arrival == new.arrival:
        return None
    return OrderChange.LATER if new.arrival > old.arrival else OrderChange.EARLIER
