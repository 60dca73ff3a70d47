"""A 16-variant sweep of the bundled example, on 1, 2 and 4 local workers.

    python benchmarks/fanout.py [--time-limit 5] [--workers 1 2 4] [--out FILE.json]

The sweep is what a planner asks before a meeting: eight orders due a few days
earlier, one at a time, and eight machine groups coming into service a week or two
late (variant files over examples/chongqing-1958.yaml, written to a temporary folder
and read by ``load_variant``, as ``xiezuo compare`` reads them). Every variant is
solved with the same seed, the same time limit and one solver thread, through
``solve_many`` on each executor in turn:

- local processes: 1 worker is the serial baseline (this process), then pools of 2
  and 4 spawned processes;
- a Dask ``LocalCluster`` of 1, 2 and 4 single-threaded worker processes.

Reported per run: wall time, speed-up against the 1-worker run of the same kind in
this same run, the mean weighted tardiness of the 16 plans (against the serial
baseline's), and the validator's verdict on every plan. A time-limited solve takes
its whole limit whatever the load, so wall time shrinks with more workers even past
the cores; what is lost then is search per plan, which the tardiness column shows.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path

import distributed

from xiezuo.domain import Network, Plan
from xiezuo.io.scenario import load_scenario
from xiezuo.io.variant import load_variant
from xiezuo.planning.params import PlanParams
from xiezuo.planning.validation.audit import audit_plan
from xiezuo.scenarios.executor import ExecutorSpec, SolveJob, solve_many

EXAMPLE = Path(__file__).parent.parent / "examples" / "chongqing-1958.yaml"
DUE_SHIFTS = (3, 7)
"""Days an order's due date is pulled in, alternately."""
MACHINE_DELAYS = (7, 14)
"""Days a machine group comes into service late, alternately."""


@dataclass(frozen=True, slots=True)
class Run:
    kind: str
    workers: int
    wall_s: float
    mean_tardiness_h: float
    violations: int
    failures: int


def write_variants(folder: Path, network: Network, count: int = 16) -> list[Path]:
    """Half due-date shifts of orders spread over the list, half machine groups late."""
    orders = network.orders[:: max(1, len(network.orders) // (count // 2))][: count // 2]
    groups = [(plant.id, machine.id) for plant in network.plants for machine in plant.machines]
    groups = groups[:: max(1, len(groups) // (count - len(orders)))][: count - len(orders)]
    texts: list[tuple[str, str]] = []
    for idx, order in enumerate(orders):
        assert order.due is not None, f"{order.id} has no due date"
        shift = DUE_SHIFTS[idx % len(DUE_SHIFTS)]
        due = (order.due - timedelta(days=shift)).date().isoformat()
        texts.append(
            (
                f"due-{order.id}",
                f"{{change: set_order, order: {order.id}, due: {due}}}",
            )
        )
    for idx, (plant_id, machine_id) in enumerate(groups):
        days = MACHINE_DELAYS[idx % len(MACHINE_DELAYS)]
        texts.append(
            (
                f"late-{plant_id}-{machine_id}",
                f"{{change: delay_machine, plant: {plant_id}, machine: {machine_id}, "
                f"days: {days}}}",
            )
        )
    paths = []
    for name, change in texts:
        path = folder / f"{name}.yaml"
        path.write_text(f"base: {EXAMPLE}\nname: {name}\nchanges: [{change}]\n", encoding="utf-8")
        paths.append(path)
    return paths


def measure(
    kind: str, workers: int, jobs: list[SolveJob], networks: list[Network], executor: ExecutorSpec
) -> Run:
    began = time.monotonic()
    outcomes = solve_many(jobs, executor=executor)
    wall = time.monotonic() - began
    plans = [o for o in outcomes if isinstance(o, Plan)]
    failures = [o for o in outcomes if not isinstance(o, Plan)]
    if failures:
        raise SystemExit(f"{len(failures)} solves failed on {executor.where}: {failures[0]}")
    violations = sum(
        len(audit_plan(network, outcome))
        for network, outcome in zip(networks, outcomes, strict=True)
        if isinstance(outcome, Plan)
    )
    run = Run(
        kind=kind,
        workers=workers,
        wall_s=wall,
        mean_tardiness_h=statistics.fmean(p.tardiness_hours or 0.0 for p in plans),
        violations=violations,
        failures=len(failures),
    )
    print(
        f"{kind:<10} {workers} worker(s): {wall:6.1f} s, mean weighted tardiness "
        f"{run.mean_tardiness_h:,.1f} h, {violations} violations, {run.failures} failures",
        flush=True,
    )
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=5.0, help="seconds per solve")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--kinds", nargs="+", choices=["processes", "dask"], default=["processes", "dask"]
    )
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()
    counts = sorted(set(args.workers) | {1})
    params = PlanParams(time_limit_s=args.time_limit, workers=1, seed=args.seed)
    with tempfile.TemporaryDirectory() as folder:
        paths = write_variants(Path(folder), load_scenario(EXAMPLE))
        networks = [load_variant(path)[0] for path in paths]
    jobs = [SolveJob(network=network, params=params) for network in networks]
    print(
        f"{len(jobs)} variants of {EXAMPLE.name}, {args.time_limit:g} s each, one solver "
        f"thread; {os.cpu_count()} CPUs",
        flush=True,
    )
    runs: list[Run] = []
    if "processes" in args.kinds:
        runs.extend(measure("processes", n, jobs, networks, ExecutorSpec(jobs=n)) for n in counts)
    for n in counts if "dask" in args.kinds else []:
        with distributed.LocalCluster(
            n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster:
            spec = ExecutorSpec(cluster=cluster.scheduler_address)
            runs.append(measure("dask", n, jobs, networks, spec))
    print()
    print("| executor | workers | wall (s) | speed-up | mean weighted tardiness (h) | vs serial |")
    print("|---|---:|---:|---:|---:|---:|")
    serial = runs[0]
    for run in runs:
        one = next(r for r in runs if r.kind == run.kind and r.workers == 1)
        print(
            f"| {run.kind} | {run.workers} | {run.wall_s:.1f} | "
            f"{one.wall_s / run.wall_s:.2f} | {run.mean_tardiness_h:,.1f} | "
            f"{run.mean_tardiness_h / max(serial.mean_tardiness_h, 1e-9):.2f} |"
        )
    if args.out is not None:
        record = {
            "variants": len(jobs),
            "time_limit_s": args.time_limit,
            "seed": args.seed,
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "dask": importlib.metadata.version("distributed"),
            "runs": [asdict(run) for run in runs],
        }
        args.out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
