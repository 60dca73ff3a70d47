"""Objective and bound over time on the bundled example (issue: first plan < 10 s, best < 60 s).

Run: python benchmarks/example_plan.py [SCENARIO] [--time-limit 60] [--workers 2]
Prints each progress event and a summary: time to the first feasible plan, time to
the best plan, final objective values, bound and gap, and the validator's verdict.
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

from xiezuo.io import load_scenario
from xiezuo.planning.params import PlanParams, ProgressEvent
from xiezuo.planning.solve import plan
from xiezuo.planning.validate import validate_plan

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "chongqing-1958.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("scenario", nargs="?", type=Path, default=EXAMPLE)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    started = time.monotonic()
    network = load_scenario(args.scenario)
    loaded = time.monotonic() - started
    events: list[ProgressEvent] = []

    def record(event: ProgressEvent) -> None:
        events.append(event)
        objective = "" if event.objective is None else f"{event.objective:10.1f}"
        bound = "" if event.bound is None else f"{event.bound:10.1f}"
        print(
            f"{loaded + event.elapsed_s:7.2f} s  {event.phase:9}  "
            f"obj {objective:>10}  bound {bound:>10}"
        )

    params = PlanParams(time_limit_s=args.time_limit, workers=args.workers, seed=args.seed)
    result = plan(network, params, on_progress=record)
    assert result.schedule is not None
    violations = validate_plan(network, result.schedule, unplanned=result.unplanned_orders)
    solutions = [e for e in events if e.objective is not None]
    first = solutions[0]
    best_tardiness = min(
        e.objective for e in solutions if e.phase == "tardiness" and e.objective is not None
    )
    time_to_best = next(
        e.elapsed_s for e in solutions if e.phase == "tardiness" and e.objective == best_tardiness
    )
    late = sum(1 for d in result.schedule.deliveries if d.is_late)
    gap = "n/a" if result.gap is None else f"{result.gap:.1%}"
    print()
    print(f"machine: {platform.node()} ({platform.machine()}), workers {args.workers}")
    print(
        f"scenario: {args.scenario.name}: {len(network.orders)} orders, "
        f"{len(result.schedule.work_orders)} work orders, "
        f"{len(result.schedule.operations)} operations"
    )
    print(
        f"load: {loaded:.2f} s; first feasible plan: {loaded + first.elapsed_s:.2f} s "
        f"(weighted tardiness {first.objective:.1f} h)"
    )
    print(
        f"best weighted tardiness {best_tardiness:.1f} h reached at {loaded + time_to_best:.2f} s"
    )
    print(
        f"final: {result.status.value}; "
        f"{len(result.schedule.deliveries) - late} on time, {late} late, "
        f"{len(result.unplanned_orders)} unplanned; tardiness {result.tardiness_hours:.1f} h "
        f"(bound {result.tardiness_bound:.1f} h); makespan {result.makespan} "
        f"(bound {result.makespan_bound}); gap {gap}; "
        f"runtime {result.runtime_s:.1f} s"
    )
    print(f"validator: {'accepts the plan' if not violations else f'{len(violations)} violations'}")


if __name__ == "__main__":
    main()
