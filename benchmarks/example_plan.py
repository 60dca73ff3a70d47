"""Objective and bound over time on the bundled example (issue: first plan < 10 s, best < 60 s).

Run: python benchmarks/example_plan.py [SCENARIO] [--time-limit 60] [--workers 2]
Prints each improvement and a summary: time to the first feasible plan, time to the
best plan, final objective values, bound and gap, and the validator's verdict.

Over time, against a baseline (issue 15: a solve that uses its time):

    git worktree add /tmp/base a3beca4
    python benchmarks/example_plan.py --over-time --baseline /tmp/base/src --time-limit 60

runs this engine and the baseline's (its ``src`` directory) alternately, each in a
process of its own, with 1 and 2 workers, on an idle machine and with a
``while True: pass`` process keeping one core busy, and prints weighted tardiness and
makespan at 2, 5, 10, 20, 30 and 60 s with the ratios of this engine to the baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from xiezuo.io import load_scenario
from xiezuo.planning.params import PlanParams, ProgressEvent
from xiezuo.planning.solve import plan
from xiezuo.planning.validation.audit import validate_plan

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "chongqing-1958.yaml"
CHECKPOINTS_S = (2, 5, 10, 20, 30, 60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("scenario", nargs="?", type=Path, default=EXAMPLE)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--over-time", action="store_true", help="the table over time")
    parser.add_argument("--baseline", type=Path, help="src directory of the baseline engine")
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.trace:
        trace(args.scenario, args.time_limit, args.workers, args.seed)
    elif args.over_time:
        over_time(args.scenario, args.time_limit, args.seed, args.baseline)
    else:
        single(args.scenario, args.time_limit, args.workers, args.seed)


def trace(scenario: Path, time_limit: float, workers: int, seed: int) -> None:
    """One solve in this process, every event and the result as JSON lines on stdout."""
    network = load_scenario(scenario)

    def record(event: ProgressEvent) -> None:
        line = {
            "phase": event.phase,
            "elapsed": event.elapsed_s,
            "objective": event.objective,
            "bound": event.bound,
        }
        print(json.dumps(line), flush=True)

    params = PlanParams(time_limit_s=time_limit, workers=workers, seed=seed)
    result = plan(network, params, on_progress=record)
    makespan = None if result.makespan is None else result.makespan.total_seconds() / 3600
    bound = None if result.makespan_bound is None else result.makespan_bound.total_seconds() / 3600
    summary = {
        "tardiness": result.tardiness_hours,
        "tardiness_bound": result.tardiness_bound,
        "makespan": makespan,
        "makespan_bound": bound,
        "runtime": result.runtime_s,
    }
    print(json.dumps({"result": summary}), flush=True)


def _solve_in_child(
    src: Path, scenario: Path, time_limit: float, workers: int, seed: int
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    environment = dict(os.environ, PYTHONPATH=str(src))
    command = [sys.executable, __file__, str(scenario), "--trace"]
    command += ["--time-limit", str(time_limit), "--workers", str(workers), "--seed", str(seed)]
    output = subprocess.run(
        command, env=environment, capture_output=True, text=True, check=True
    ).stdout
    records = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    return [r for r in records if "phase" in r], records[-1]["result"]


def _at(events: list[dict[str, Any]], phase: str, moment: float) -> float | None:
    values = [
        e["objective"]
        for e in events
        if e["phase"] == phase and e["elapsed"] <= moment and e["objective"] is not None
    ]
    return min(values) if values else None


def over_time(scenario: Path, time_limit: float, seed: int, baseline: Path | None) -> None:
    """Both engines, alternating, under each load; then the table."""
    engines = {"this": ROOT / "src"}
    if baseline is not None:
        engines["baseline"] = baseline
    checkpoints = [c for c in CHECKPOINTS_S if c <= time_limit]
    rows = []
    for busy in (False, True):
        spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if busy else None
        try:
            for workers in (1, 2):
                for name, src in engines.items():
                    started = time.monotonic()
                    events, result = _solve_in_child(src, scenario, time_limit, workers, seed)
                    print(
                        f"ran {name}, {workers} workers, busy core {busy}: "
                        f"{time.monotonic() - started:.0f} s",
                        file=sys.stderr,
                        flush=True,
                    )
                    rows.append((busy, workers, name, events, result))
        finally:
            if spinner is not None:
                spinner.kill()
                spinner.wait()
    print(
        f"machine: {platform.node()} ({platform.machine()}), {os.cpu_count()} CPUs, "
        f"load average before the last run {os.getloadavg()[0]:.1f}; seed {seed}"
    )
    header = ["busy core", "workers", "engine"]
    header += [f"T@{c}s" for c in checkpoints] + [f"M@{c}s" for c in checkpoints]
    header += ["T final (bound)", "M final d (bound)"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    by_key = {
        (busy, workers, name): (events, result) for busy, workers, name, events, result in rows
    }
    for busy, workers, name, events, result in rows:
        cells = ["yes" if busy else "no", str(workers), name]
        cells += [_hours(_at(events, "tardiness", c)) for c in checkpoints]
        cells += [_days(_at(events, "makespan", c)) for c in checkpoints]
        cells.append(f"{_hours(result['tardiness'])} ({_hours(result['tardiness_bound'])})")
        cells.append(f"{_days(result['makespan'])} ({_days(result['makespan_bound'])})")
        print("| " + " | ".join(cells) + " |")
    if baseline is None:
        return
    print()
    print("ratio this / baseline, final weighted tardiness and makespan:")
    for busy in (False, True):
        for workers in (1, 2):
            mine, base = by_key[busy, workers, "this"][1], by_key[busy, workers, "baseline"][1]
            print(
                f"  busy core {'yes' if busy else 'no '}, {workers} workers: "
                f"tardiness {_ratio(mine['tardiness'], base['tardiness'])}, "
                f"makespan {_ratio(mine['makespan'], base['makespan'])}"
            )


def _hours(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def _days(value: float | None) -> str:
    return "–" if value is None else f"{value / 24:.1f}"


def _ratio(mine: float | None, base: float | None) -> str:
    if mine is None or not base:
        return "–"
    return f"{mine / base:.3f}"


def single(scenario: Path, time_limit: float, workers: int, seed: int) -> None:
    started = time.monotonic()
    network = load_scenario(scenario)
    loaded = time.monotonic() - started
    events: list[ProgressEvent] = []
    shown: list[tuple[str, float | None, float | None]] = []

    def record(event: ProgressEvent) -> None:
        events.append(event)
        state = (event.phase, event.objective, event.bound)
        if shown and shown[-1] == state:
            return  # a heartbeat: nothing new
        shown.append(state)
        objective = "" if event.objective is None else f"{event.objective:10.1f}"
        bound = "" if event.bound is None else f"{event.bound:10.1f}"
        print(
            f"{loaded + event.elapsed_s:7.2f} s  {event.phase:9}  {event.search:14}  "
            f"obj {objective:>10}  bound {bound:>10}"
        )

    params = PlanParams(time_limit_s=time_limit, workers=workers, seed=seed)
    result = plan(network, params, on_progress=record)
    assert result.schedule is not None
    violations = validate_plan(network, result.schedule, unplanned=result.unplanned)
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
    print(f"machine: {platform.node()} ({platform.machine()}), workers {workers}")
    print(
        f"scenario: {scenario.name}: {len(network.orders)} orders, "
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
        f"{len(result.unplanned)} unplanned; tardiness {result.tardiness_hours:.1f} h "
        f"(bound {result.tardiness_bound:.1f} h); makespan {result.makespan} "
        f"(bound {result.makespan_bound}); gap {gap}; "
        f"runtime {result.runtime_s:.1f} s"
    )
    print(f"validator: {'accepts the plan' if not violations else f'{len(violations)} violations'}")


if __name__ == "__main__":
    main()
