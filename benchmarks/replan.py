"""Replanning the bundled example: stability and speed against a replan from scratch.

    python benchmarks/replan.py --time-limit 30 --workers 2 [--busy] [--scenario FILE]

1. Plans the scenario once (the previous plan).
2. Replans with an empty progress and the previous plan: moved operations (must be 0)
   and weighted tardiness (same or better).
3. Builds a day's progress from the previous plan (steps ended by the status date
   done at their planned times, steps running then started, on their units) and puts
   one unit of the machine group busiest in the following week down for a week.
4. Replans from that progress twice with the same limits: from scratch (no previous
   plan, no stability cost) and stably (the previous plan, a frozen day, the stability
   cost). Reports the time to the first plan, operations moved against the previous
   plan (``xiezuo diff``'s measure), and weighted tardiness; the bars of issue 16 are a
   first plan within 5 s, at most a third of the scratch replan's moves, and at most
   5 % more weighted tardiness.

``--busy`` keeps the other core busy with a spinning process, as on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from xiezuo.domain import MachineDown, Network, Plan, Progress, StepStatus
from xiezuo.domain.progress_rules import check_progress
from xiezuo.io import load_scenario
from xiezuo.planning.params import PlanParams, ProgressEvent
from xiezuo.planning.solve import plan
from xiezuo.planning.validation.audit import audit_plan
from xiezuo.services.diff import diff_plans
from xiezuo.services.progress import progress_as_planned

EXAMPLE = Path(__file__).parent.parent / "examples" / "chongqing-1958.yaml"


@dataclass
class Run:
    name: str
    plan: Plan
    first_plan_s: float | None
    moved: int
    compared: int
    violations: int

    def row(self) -> str:
        first = "-" if self.first_plan_s is None else f"{self.first_plan_s:.1f} s"
        return (
            f"{self.name:<22} first plan {first:>7}  weighted tardiness "
            f"{self.plan.tardiness_hours or 0:>9,.1f} h  moved {self.moved:>4} of "
            f"{self.compared:<4} validator {self.violations} violations  "
            f"runtime {self.plan.runtime_s:.1f} s"
        )


def _spin() -> None:
    while True:
        pass


def day_of_progress(network: Network, previous: Plan, days: float = 1.0) -> Progress:
    """What a plant would report after ``days`` if the previous plan ran as planned, and
    a unit of the group busiest in the following week down for a week."""
    assert previous.schedule is not None
    as_of = network.start + timedelta(days=days)
    steps = progress_as_planned(previous, as_of).steps
    week = as_of + timedelta(days=7)
    load = Counter(
        (op.plant_id, op.machine_id)
        for op in previous.schedule.operations
        if op.machine_id is not None and as_of <= op.start < week
    )
    running = {(s.plant_id, s.machine_id) for s in steps if s.status is StepStatus.STARTED}
    plant_id, machine_id = next(key for key, _ in load.most_common() if key not in running)
    assert machine_id is not None
    down = MachineDown(plant_id=plant_id, machine_id=machine_id, units=1, start=as_of, end=week)
    progress = Progress(as_of=as_of, steps=tuple(steps), down=(down,))
    problems = check_progress(network, progress, previous)
    if problems:
        raise SystemExit(f"the generated progress does not check: {problems[:3]}")
    return progress


def timed(
    name: str,
    network: Network,
    params: PlanParams,
    previous: Plan,
    *,
    progress: Progress | None,
    anchored: bool,
) -> Run:
    first: list[float] = []

    def on_progress(event: ProgressEvent) -> None:
        if event.objective is not None and not first:
            first.append(event.elapsed_s)

    result = plan(
        network,
        params,
        progress=progress,
        previous=previous if anchored else None,
        on_progress=on_progress,
    )
    diff = diff_plans(previous, result, network=network)
    violations = audit_plan(
        network,
        result,
        progress=progress,
        previous=previous if anchored else None,
        frozen_days=params.frozen_days if anchored else 0,
    )
    return Run(
        name,
        result,
        first[0] if first else None,
        diff.headline.moved_operations,
        diff.headline.compared_operations,
        len(violations),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", type=Path, default=EXAMPLE)
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--frozen-days", type=float, default=1.0)
    parser.add_argument(
        "--stability",
        type=float,
        default=None,
        help="hours of weighted tardiness per moved step; default: moves after tardiness",
    )
    parser.add_argument("--busy", action="store_true", help="keep the other core busy")
    parser.add_argument("--out", type=Path, help="write the figures as JSON")
    args = parser.parse_args()
    spinner = None
    if args.busy:
        spinner = multiprocessing.Process(target=_spin, daemon=True)
        spinner.start()
    try:
        network = load_scenario(args.scenario)
        base = PlanParams(time_limit_s=args.time_limit, workers=args.workers, seed=args.seed)
        started = time.monotonic()
        previous = plan(network, base)
        print(
            f"previous plan: weighted tardiness {previous.tardiness_hours:,.1f} h, "
            f"{time.monotonic() - started:.1f} s",
            flush=True,
        )
        runs = [
            timed(
                "empty progress, stable",
                network,
                base,
                previous,
                progress=Progress(as_of=network.start),
                anchored=True,
            )
        ]
        print(runs[-1].row(), flush=True)
        progress = day_of_progress(network, previous)
        down = progress.down[0]
        print(
            f"progress: {len(progress.steps)} steps reported by {progress.as_of:%Y-%m-%d %H:%M}; "
            f"one unit of {down.plant_id}/{down.machine_id} down for a week",
            flush=True,
        )
        scratch = PlanParams(
            time_limit_s=args.time_limit, workers=args.workers, seed=args.seed, stability=0
        )
        stable = PlanParams(
            time_limit_s=args.time_limit,
            workers=args.workers,
            seed=args.seed,
            frozen_days=args.frozen_days,
            stability=args.stability,
        )
        runs.append(
            timed(
                "day 1, from scratch", network, scratch, previous, progress=progress, anchored=False
            )
        )
        print(runs[-1].row(), flush=True)
        runs.append(
            timed("day 1, stable", network, stable, previous, progress=progress, anchored=True)
        )
        print(runs[-1].row(), flush=True)
    finally:
        if spinner is not None:
            spinner.terminate()
    empty, from_scratch, kept = runs
    base_tardiness = previous.tardiness_hours or 0.0
    scratch_tardiness = from_scratch.plan.tardiness_hours or 0.0
    kept_tardiness = kept.plan.tardiness_hours or 0.0
    checks = {
        "empty progress moves nothing": empty.moved == 0,
        "empty progress: same or better tardiness": (empty.plan.tardiness_hours or 0)
        <= base_tardiness + 1e-6,
        "stable replan: first plan within 5 s": kept.first_plan_s is not None
        and kept.first_plan_s <= 5.0,
        "stable replan moves at most a third of scratch's": 3 * kept.moved <= from_scratch.moved,
        "stable replan: at most 5 % more tardiness": kept_tardiness
        <= 1.05 * scratch_tardiness + 1e-6,
        "validator accepts every replan": all(r.violations == 0 for r in runs),
    }
    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    if args.out:
        args.out.write_text(
            json.dumps(
                {
                    "time_limit_s": args.time_limit,
                    "workers": args.workers,
                    "busy": args.busy,
                    "stability": args.stability,
                    "previous_tardiness_h": base_tardiness,
                    "runs": [
                        {
                            "name": r.name,
                            "first_plan_s": r.first_plan_s,
                            "tardiness_h": r.plan.tardiness_hours,
                            "moved": r.moved,
                            "compared": r.compared,
                            "violations": r.violations,
                            "runtime_s": r.plan.runtime_s,
                        }
                        for r in runs
                    ],
                    "checks": checks,
                },
                indent=2,
            )
        )
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
