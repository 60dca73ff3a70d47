"""Use case: plan a base scenario and its what-if variants side by side, and compare.

Every file is read here first, so a bad one stops the comparison before any solve;
then every scenario is planned with the same parameters (seed, time limit, workers)
by the scenarios' executor: in this process, over local processes, or on a Dask
cluster (docs/cluster.md). The plans come back here to be measured and compared.

Solver noise and significance
    A difference in weighted tardiness between base and variant is *significant* only
    when it is larger than the solvers' own gaps (the rule is in
    :mod:`xiezuo.scenarios.significance`, shared with ``xiezuo advise``).
    Per-order differences inherit the verdict: an arrival that moves, or an order
    that turns late or on time, is significant only when the tardiness difference
    is. Orders added, cancelled, or left out by one plan and not the other are
    always significant: they differ in what is planned, not in how well.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from xiezuo.domain import Plan
from xiezuo.errors import InputError, PlanningError
from xiezuo.io import is_benchmark_file
from xiezuo.io.variant import is_variant_file, load_variant
from xiezuo.planning.analysis.netting import net_materials
from xiezuo.planning.validation.audit import audit_plan
from xiezuo.scenarios.executor import SolveJob, solve_many
from xiezuo.scenarios.significance import Significance as Significance  # compare's API
from xiezuo.scenarios.significance import judge
from xiezuo.services.planning import load_network
from xiezuo.services.staff import staff_report

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from datetime import datetime, timedelta
    from pathlib import Path

    from xiezuo.domain import Network
    from xiezuo.io.variant import VariantInfo
    from xiezuo.planning.params import PlanParams, ProgressEvent
    from xiezuo.scenarios.executor import ExecutorSpec, Outcome


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


def default_jobs(scenarios: int) -> int:
    """One process per scenario, at most one per CPU."""
    return max(1, min(scenarios, os.cpu_count() or 1))


def compare_variants(
    base: Path,
    variants: Sequence[Path],
    params: PlanParams,
    executor: ExecutorSpec,
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
        several plans run at once so they do not compete for cores.
    executor:
        Where the plans are solved: in this process, over local processes or on a
        Dask cluster.
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
        solve starts. Also a cluster that cannot be reached (see
        :func:`~xiezuo.scenarios.executor.solve_many`).
    PlanningError
        A solve failed for another reason than its input (a bug, or a lost worker).
    """
    paths = [base, *variants]
    loaded = [_load(path) for path in paths]
    labels = _labels([name for _, name, _ in loaded])
    report = on_progress or (lambda _: None)
    for idx, label in enumerate(labels):
        report(ScenarioProgress(index=idx, label=label))

    def news(idx: int, event: ProgressEvent) -> None:
        report(ScenarioProgress(index=idx, label=labels[idx], event=event))

    def done(idx: int, _: Outcome) -> None:
        report(ScenarioProgress(index=idx, label=labels[idx], done=True))

    outcomes = solve_many(
        [SolveJob(network=network, params=params) for network, _, _ in loaded],
        executor=executor,
        on_progress=news,
        on_done=done,
    )
    results = [
        measure(network, _plan_of(outcome, path), label=label, path=path, info=info)
        for (network, _, info), outcome, path, label in zip(
            loaded, outcomes, paths, labels, strict=True
        )
    ]
    base_result, *variant_results = results
    return Comparison(
        base=base_result,
        variants=tuple(compare_results(base_result, result) for result in variant_results),
    )


def _plan_of(outcome: Outcome, path: Path) -> Plan:
    if isinstance(outcome, Plan):
        return outcome
    if outcome.is_bad_input:
        raise InputError(str(path), "", outcome.message.removeprefix(f"{path}: "))
    raise PlanningError(f"{path}: the solve failed: {outcome}")


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
    verdict = judge(base.plan, variant.plan)
    return VariantComparison(
        result=variant,
        tardiness_delta=verdict.delta,
        noise=verdict.noise,
        significance=verdict.significance,
        orders=tuple(_order_differences(base, variant, verdict.significance)),
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
