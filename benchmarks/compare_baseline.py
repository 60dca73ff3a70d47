"""xiezuo against the plain textbook CP-SAT model, same instances, limits and cores.

Run: python benchmarks/compare_baseline.py PATH... [--time-limit 60] [--workers 2]
     [--seed 0 [1 2 ...]] [--out comparison.csv] [--bench-out bench.csv]

Instances are solved alternately (baseline, then xiezuo) in one process so both see
the same machine load. Prints per-instance makespans and gaps to the best-known
results, the mean gap of each and their ratio (xiezuo / baseline; below 1 is better).
Instances without a best-known value (dfjsp, dpfsp) are compared on makespan alone.
With several seeds, every instance is solved once per seed by both, and the means run
over all those runs: one run of a flexible shop such as mk10 can land several units
away from the next, so a ratio from one seed says little.
"""

from __future__ import annotations

import argparse
import csv
import platform
import statistics
from dataclasses import dataclass
from pathlib import Path

from baseline import BaselineResult, solve_baseline

from xiezuo.errors import XiezuoError
from xiezuo.io import read_instance
from xiezuo.planning.params import PlanParams
from xiezuo.services.bench import (
    CSV_HEADER,
    BenchRow,
    bks_for,
    find_instances,
    mean_gaps,
    run_instance,
)

COLUMNS = (
    "instance",
    "seed",
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


@dataclass(frozen=True, slots=True)
class Pair:
    """One instance solved by both with one seed."""

    instance: str
    seed: int
    bks: int | None
    baseline: BaselineResult
    ours: BenchRow

    @property
    def gap_baseline(self) -> float | None:
        return _gap(self.baseline.makespan, self.bks)

    @property
    def gap_ours(self) -> float | None:
        return _gap(self.ours.makespan, self.bks)

    def as_csv(self) -> list[object]:
        values = (
            self.instance,
            self.seed,
            self.bks,
            self.baseline.makespan,
            self.baseline.lower_bound,
            self.ours.makespan,
            self.ours.lower_bound,
            self.gap_baseline,
            self.gap_ours,
            self.ours.time_to_best_s,
            self.ours.status,
        )
        return [_cell(value) for value in values]


def _summarise(pairs: list[Pair]) -> None:
    """Mean gaps and their ratio over every run, then per seed when there are several."""
    with_bks = [p for p in pairs if p.gap_baseline is not None and p.gap_ours is not None]
    seeds = sorted({p.seed for p in with_bks})
    groups = [("", with_bks)] if with_bks else []
    if len(seeds) > 1:
        groups += [(f" (seed {seed})", [p for p in with_bks if p.seed == seed]) for seed in seeds]
    for label, group in groups:
        mean_base = statistics.fmean(p.gap_baseline for p in group)  # type: ignore[misc]
        mean_ours = statistics.fmean(p.gap_ours for p in group)  # type: ignore[misc]
        ratio = mean_ours / mean_base if mean_base else float("nan")
        print(
            f"mean gap to best known{label} over {len(group)} runs: baseline {mean_base:.2f}%, "
            f"xiezuo {mean_ours:.2f}%, ratio {ratio:.2f}"
        )
    worse = [
        f"{p.instance} (seed {p.seed})"
        for p in with_bks
        if p.gap_ours - p.gap_baseline > 1.0  # type: ignore[operator]
    ]
    if with_bks:
        print(f"xiezuo worse by more than 1 point on: {', '.join(worse) or 'none'}")
    _, to_bound = mean_gaps([p.ours for p in pairs])
    if to_bound is not None:
        print(f"xiezuo's mean gap to its own bound: {to_bound:.2f}%")
    compared = [p for p in pairs if p.baseline.makespan is not None and p.ours.makespan is not None]
    if compared:
        ratio = statistics.fmean(p.ours.makespan / p.baseline.makespan for p in compared)  # type: ignore[operator]
        print(f"mean makespan ratio xiezuo / baseline over {len(compared)} runs: {ratio:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", dest="seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--out", type=Path, help="both results per instance, as CSV")
    parser.add_argument("--bench-out", type=Path, help="xiezuo's rows as `xiezuo bench --out`")
    args = parser.parse_args()
    try:
        paths = find_instances(args.paths)
    except XiezuoError as error:
        raise SystemExit(f"error: {error}") from None
    pairs: list[Pair] = []
    print(
        f"machine: {platform.node()} ({platform.machine()}); {args.time_limit:g} s, "
        f"{args.workers} workers each; seeds {' '.join(map(str, args.seeds))}"
    )
    print(
        f"{'instance':14} {'seed':>4} {'bks':>6} {'baseline':>9} {'xiezuo':>8} "
        f"{'gap base':>9} {'gap xz':>8}"
    )
    out = args.out.open("w", newline="", encoding="utf-8") if args.out else None
    bench_out = args.bench_out.open("w", newline="", encoding="utf-8") if args.bench_out else None
    writer = csv.writer(out) if out else None
    bench_writer = csv.writer(bench_out) if bench_out else None
    if writer:
        writer.writerow(COLUMNS)
    if bench_writer:
        bench_writer.writerow(CSV_HEADER)
    for path in paths:
        bks = bks_for(path, None)
        network = read_instance(path)
        for seed in args.seeds:
            params = PlanParams(time_limit_s=args.time_limit, workers=args.workers, seed=seed)
            base = solve_baseline(network, args.time_limit, args.workers, seed)
            ours = run_instance(path, params, bks)
            assert ours.status != "invalid plan", f"{path.stem}: the validator rejects the plan"
            pair = Pair(path.stem, seed, bks.get(path.stem), base, ours)
            pairs.append(pair)
            print(
                f"{path.stem:14} {seed:>4} {pair.bks or '':>6} {base.makespan or '':>9} "
                f"{ours.makespan or '':>8} {_text(pair.gap_baseline):>9} {_text(pair.gap_ours):>8}",
                flush=True,
            )
            for handle, line_writer, line in (
                (out, writer, pair.as_csv()),
                (bench_out, bench_writer, ours.as_csv()),
            ):
                if handle and line_writer:
                    line_writer.writerow(line)
                    handle.flush()
    _summarise(pairs)
    for handle in (out, bench_out):
        if handle:
            handle.close()


if __name__ == "__main__":
    main()
