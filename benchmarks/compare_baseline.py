"""xiezuo against the plain textbook CP-SAT model, same instances, limits and cores.

Run: python benchmarks/compare_baseline.py PATH... [--time-limit 60] [--workers 2]
     [--out comparison.csv] [--bench-out bench.csv]

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
from pathlib import Path

from baseline import solve_baseline

from xiezuo.io import read_instance
from xiezuo.planning.params import PlanParams
from xiezuo.services.bench import CSV_HEADER, bks_for, find_instances, mean_gaps, run_instance

COLUMNS = (
    "instance",
    "bks",
    "baseline",
    "baseline_bound",
    "xiezuo",
    "xiezuo_bound",
    "gap_baseline_pct",
    "gap_xiezuo_pct",
    "xiezuo_time_to_best_s",
    "xiezuo_status",
)


def _gap(value: int | None, best: int | None) -> float | None:
    if value is None or not best:
        return None
    return 100.0 * (value - best) / best


def _cell(value: object) -> object:
    if value is None:
        return ""
    return f"{value:.2f}" if isinstance(value, float) else value


def _text(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}%"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, help="both results per instance, as CSV")
    parser.add_argument("--bench-out", type=Path, help="xiezuo's rows as `xiezuo bench --out`")
    args = parser.parse_args()
    params = PlanParams(time_limit_s=args.time_limit, workers=args.workers, seed=args.seed)

    rows = []
    bench_rows = []
    print(
        f"machine: {platform.node()} ({platform.machine()}); {args.time_limit:g} s, "
        f"{args.workers} workers each"
    )
    print(f"{'instance':14} {'bks':>6} {'baseline':>9} {'xiezuo':>8} {'gap base':>9} {'gap xz':>8}")
    out = args.out.open("w", newline="", encoding="utf-8") if args.out else None
    bench_out = args.bench_out.open("w", newline="", encoding="utf-8") if args.bench_out else None
    writer = csv.writer(out) if out else None
    bench_writer = csv.writer(bench_out) if bench_out else None
    if writer:
        writer.writerow(COLUMNS)
    if bench_writer:
        bench_writer.writerow(CSV_HEADER)
    for path in find_instances(args.paths):
        bks = bks_for(path, None)
        best = bks.get(path.stem)
        base = solve_baseline(read_instance(path), args.time_limit, args.workers, args.seed)
        ours = run_instance(path, params, bks)
        assert ours.status != "invalid plan", f"{path.stem}: the validator rejects the plan"
        row = (
            path.stem,
            best,
            base.makespan,
            base.lower_bound,
            ours.makespan,
            ours.lower_bound,
            _gap(base.makespan, best),
            _gap(ours.makespan, best),
            ours.time_to_best_s,
            ours.status,
        )
        rows.append(row)
        bench_rows.append(ours)
        print(
            f"{path.stem:14} {best or '':>6} {base.makespan or '':>9} {ours.makespan or '':>8} "
            f"{_text(row[6]):>9} {_text(row[7]):>8}",
            flush=True,
        )
        for handle, line_writer, line in (
            (out, writer, [_cell(v) for v in row]),
            (bench_out, bench_writer, ours.as_csv()),
        ):
            if handle and line_writer:
                line_writer.writerow(line)
                handle.flush()

    with_bks = [r for r in rows if r[6] is not None and r[7] is not None]
    if with_bks:
        mean_base = statistics.fmean(r[6] for r in with_bks)  # type: ignore[misc]
        mean_ours = statistics.fmean(r[7] for r in with_bks)  # type: ignore[misc]
        ratio = mean_ours / mean_base if mean_base else float("nan")
        worse = [r[0] for r in with_bks if r[7] - r[6] > 1.0]  # type: ignore[operator]
        print(
            f"mean gap to best known: baseline {mean_base:.2f}%, xiezuo {mean_ours:.2f}%, "
            f"ratio {ratio:.2f}; xiezuo worse by more than 1 point on: {worse or 'none'}"
        )
    _, to_bound = mean_gaps(bench_rows)
    if to_bound is not None:
        print(f"xiezuo's mean gap to its own bound: {to_bound:.2f}%")
    compared = [r for r in rows if r[2] is not None and r[4] is not None]
    if compared:
        ratio = statistics.fmean(r[4] / r[2] for r in compared)  # type: ignore[operator]
        print(f"mean makespan ratio xiezuo / baseline over {len(compared)} instances: {ratio:.3f}")
    for handle in (out, bench_out):
        if handle:
            handle.close()


if __name__ == "__main__":
    main()
