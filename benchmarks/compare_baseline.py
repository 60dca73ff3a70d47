"""xiezuo against the plain textbook CP-SAT model, same instances, limits and cores.

Run: python benchmarks/compare_baseline.py PATH... [--time-limit 60] [--workers 2]
     [--out comparison.csv]

Instances are solved alternately (baseline, then xiezuo) in one process so both see
the same machine load. Prints per-instance makespans and gaps to the best-known
results, the mean gap of each and their ratio (xiezuo / baseline; below 1 is better).
Instances without a best-known value (dfjsp, dpfsp) are compared on makespan alone.
"""

from __future__ import annotations

import argparse
import csv
import platform
import statistics
from datetime import timedelta
from pathlib import Path

from baseline import solve_baseline

from xiezuo.io import read_instance
from xiezuo.planning.params import PlanParams
from xiezuo.planning.solve import plan
from xiezuo.planning.validate import validate_plan
from xiezuo.services.bench import bks_for, find_instances


def _gap(value: int | None, best: int | None) -> float | None:
    if value is None or not best:
        return None
    return 100.0 * (value - best) / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    rows = []
    print(
        f"machine: {platform.node()} ({platform.machine()}); {args.time_limit:g} s, "
        f"{args.workers} workers each"
    )
    print(f"{'instance':14} {'bks':>6} {'baseline':>9} {'xiezuo':>8} {'gap base':>9} {'gap xz':>8}")
    for path in find_instances(args.paths):
        network = read_instance(path)
        best = bks_for(path, None).get(path.stem)
        base = solve_baseline(network, args.time_limit, args.workers, args.seed)
        ours = plan(
            network, PlanParams(time_limit_s=args.time_limit, workers=args.workers, seed=args.seed)
        )
        assert ours.schedule is not None
        assert ours.makespan is not None
        assert validate_plan(network, ours.schedule, unplanned=ours.unplanned_orders) == ()
        makespan = ours.makespan // timedelta(minutes=1)
        row = (
            path.stem,
            best,
            base.makespan,
            makespan,
            _gap(base.makespan, best),
            _gap(makespan, best),
        )
        rows.append(row)
        gap_base = "" if row[4] is None else f"{row[4]:.2f}%"
        gap_ours = "" if row[5] is None else f"{row[5]:.2f}%"
        print(
            f"{path.stem:14} {best or '':>6} {base.makespan or '':>9} {makespan:>8} "
            f"{gap_base:>9} {gap_ours:>8}",
            flush=True,
        )

    with_bks = [r for r in rows if r[4] is not None and r[5] is not None]
    if with_bks:
        mean_base = statistics.fmean(r[4] for r in with_bks)  # type: ignore[misc]
        mean_ours = statistics.fmean(r[5] for r in with_bks)  # type: ignore[misc]
        ratio = mean_ours / mean_base if mean_base else float("nan")
        worse = [r[0] for r in with_bks if r[5] - r[4] > 1.0]  # type: ignore[operator]
        print(
            f"mean gap to best known: baseline {mean_base:.2f}%, xiezuo {mean_ours:.2f}%, "
            f"ratio {ratio:.2f}; xiezuo worse by more than 1 point on: {worse or 'none'}"
        )
    compared = [r for r in rows if r[2] is not None]
    if compared:
        ratio = statistics.fmean(r[3] / r[2] for r in compared)  # type: ignore[operator]
        print(f"mean makespan ratio xiezuo / baseline over {len(compared)} instances: {ratio:.3f}")
    if args.out:
        with args.out.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(
                ["instance", "bks", "baseline", "xiezuo", "gap_baseline_pct", "gap_xiezuo_pct"]
            )
            writer.writerows(rows)


if __name__ == "__main__":
    main()
