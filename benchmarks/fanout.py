"""A 16-variant sweep of the bundled example, on 1, 2 and 4 local workers.

    python benchmarks/fanout.py [--time-limit 5] [--workers 1 2 4] [--rounds 2]
                                [--kinds processes dask] [--out FILE.json]

The sweep is what a planner asks before a meeting: eight orders due a few days
earlier, one at a time, and eight machine groups coming into service a week or two
late (variant files over examples/chongqing-1958.yaml, written to a temporary folder
and read by ``load_variant``, as ``xiezuo compare`` reads them). Every variant is
solved with the same seed, the same time limit and one solver thread, through
``solve_many`` on each executor in turn:

- local processes: 1 worker is the serial baseline (this process), then pools of 2
  and 4 spawned processes;
- a Dask ``LocalCluster`` of 1, 2 and 4 single-threaded worker processes.

Every setting runs ``--rounds`` times, the order reversed each round, so that other
users' load on a shared machine falls alike on all. Reported per setting: mean wall
time, speed-up against the 1-worker setting of the same kind, the plans' own mean
runtime, their mean weighted tardiness, the validator's violations and the machine's
load average as the runs began. A time-limited solve takes its whole limit however
busy the cores are, so wall time can shrink past the cores' count; what is lost then
is search per plan (and the work outside the search, which is not limited, slows).
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
    round: int
    wall_s: float
    mean_solve_s: float
    """Mean of the plans' own runtime: grows when solves share cores."""
    mean_tardiness_h: float
    violations: int
    load_before: float
    """The machine's one-minute load average as the run began (other users included)."""


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
    kind: str,
    workers: int,
    round_idx: int,
    jobs: list[SolveJob],
    networks: list[Network],
    executor: ExecutorSpec,
) -> Run:
    load_before = os.getloadavg()[0]
    began = time.monotonic()
    outcomes = solve_many(jobs, executor=executor)
    wall = time.monotonic() - began
    plans = [o for o in outcomes if isinstance(o, Plan)]
    failures = [o for o in outcomes if not isinstance(o, Plan)]
    if failures:
        raise SystemExit(f"{len(failures)} solves failed on {executor.where}: {failures[0]}")
    run = Run(
        kind=kind,
        workers=workers,
        round=round_idx,
        wall_s=wall,
        mean_solve_s=statistics.fmean(p.runtime_s for p in plans),
        mean_tardiness_h=statistics.fmean(p.tardiness_hours or 0.0 for p in plans),
        violations=sum(
            len(audit_plan(network, p)) for network, p in zip(networks, plans, strict=True)
        ),
        load_before=load_before,
    )
    print(
        f"round {round_idx} {kind:<9} {workers} worker(s): {wall:6.1f} s "
        f"(solves {run.mean_solve_s:.1f} s each), mean weighted tardiness "
        f"{run.mean_tardiness_h:,.1f} h, {run.violations} violations, load {load_before:.1f}",
        flush=True,
    )
    return run


def run_one(
    kind: str, workers: int, round_idx: int, jobs: list[SolveJob], networks: list[Network]
) -> Run:
    if kind == "processes":
        return measure(kind, workers, round_idx, jobs, networks, ExecutorSpec(jobs=workers))
    with distributed.LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        spec = ExecutorSpec(cluster=cluster.scheduler_address)
        return measure(kind, workers, round_idx, jobs, networks, spec)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=5.0, help="seconds per solve")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--kinds", nargs="+", choices=["processes", "dask"], default=["processes", "dask"]
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="runs of every setting, in turn forwards and backwards, so that a change "
        "in the machine's other load falls alike on all",
    )
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()
    settings = [(kind, n) for kind in args.kinds for n in sorted(set(args.workers) | {1})]
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
    for round_idx in range(args.rounds):
        order = settings if round_idx % 2 == 0 else settings[::-1]
        runs.extend(run_one(kind, n, round_idx, jobs, networks) for kind, n in order)
    print()
    print(
        "| executor | workers | wall (s) | speed-up | solve (s) | "
        "mean weighted tardiness (h) | violations | load |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")

    def mean(kind: str, n: int, field: str) -> float:
        return statistics.fmean(
            getattr(r, field) for r in runs if r.kind == kind and r.workers == n
        )

    for kind, n in settings:
        wall = mean(kind, n, "wall_s")
        print(
            f"| {kind} | {n} | {wall:.1f} | {mean(kind, 1, 'wall_s') / wall:.2f} | "
            f"{mean(kind, n, 'mean_solve_s'):.1f} | {mean(kind, n, 'mean_tardiness_h'):,.1f} | "
            f"{sum(r.violations for r in runs if r.kind == kind and r.workers == n)} | "
            f"{mean(kind, n, 'load_before'):.1f} |"
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
