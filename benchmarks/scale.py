"""How planning scales with the size of the network (issue 20).

    python benchmarks/scale.py [--sizes 1000,5000,10000,20000,50000,100000]
        [--materials none,heavy] [--seeds 1] [--time-limit 120] [--workers 2]
        [--memory-limit-gb 16] [--out benchmarks/results/scale-DATE]
    python benchmarks/scale.py --plot benchmarks/results/scale-DATE.json [--png docs/scale.png]

For each size, material level and seed: ``xiezuo generate`` writes the network (JSON),
then ``xiezuo validate``, ``xiezuo plan --time-limit T --workers W --out PLAN`` and
``xiezuo verify`` each run in a child process of their own, so that every run's wall
time and peak memory (the child's own ``ru_maxrss``, read as it exits) are its own.
The child is the real command with one change: ``xiezuo plan`` logs its progress line
every second instead of every five, and the figures below are read from those lines:

- time to first plan: the first line with a weighted tardiness (±1 s), counted as the
  line counts, from when the command starts solving: reading and compiling the network
  included, starting Python and importing xiezuo not (that start-up alone,
  ``xiezuo validate --help``, is measured once and recorded; wall times include it);
- first-plan weighted tardiness: that line's value;
- per-stage times: when the search named in the line changes (reading and compiling
  until the engine's first event, first plan, building the model, whole model,
  neighbourhoods, tabu), from the same lines;
- final weighted tardiness, bound and gap, and late orders: from the plan file.

A run is killed after ``3 T + 300`` s or when it passes the memory limit (an address
space limit set on the child), and recorded as such. Results go to ``OUT.json`` and a
markdown table to ``OUT.md``; ``--plot`` draws time and memory against operations on
log-log axes with plotly, saved as PNG by headless Chromium (Playwright, a dev
dependency) so no image-export package is needed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from xiezuo.io.scenario_data import dump_scenario
from xiezuo.scenarios.generate import GeneratorOptions, MaterialLevel, generate_scenario

RESULTS = Path(__file__).parent / "results"
CHROMIUM = "/usr/bin/chromium"

# The child: the real command, its progress line every second, its peak memory written
# to the file named by XIEZUO_BENCH_RSS as it exits.
_CHILD = """
import os, resource, sys
import typer
import xiezuo.cli.plan as plan_module
from xiezuo.cli._shared import reported
from xiezuo.cli.check import validate, verify
plan_module._LOG_EVERY_S = 1.0
app = typer.Typer(pretty_exceptions_enable=False)
for command in (plan_module.plan, validate, verify):
    app.command()(reported(command))
try:
    app(sys.argv[1:], prog_name="xiezuo")
finally:
    with open(os.environ["XIEZUO_BENCH_RSS"], "w") as handle:
        handle.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
"""
_LINE = re.compile(r"^solving, (?P<s>\d+) s: (?P<status>.*)$")
_HOURS = re.compile(r"^(?P<value>[\d,.]+) h \(.*\); tardiness, ")


@dataclass
class Command:
    """One child process: its wall time, peak memory and exit status."""

    wall_s: float
    peak_rss_mb: float | None
    exit_code: int | None
    killed: str | None = None
    error: str | None = None
    """The last line on stderr when the command failed (exit status 2 or more)."""


@dataclass
class Run:
    operations: int
    materials: str
    seed: int
    time_limit_s: float
    workers: int
    plants: int = 0
    orders: int = 0
    file_mb: float = 0.0
    generate_s: float = 0.0
    validate: Command | None = None
    plan: Command | None = None
    verify: Command | None = None
    first_plan_s: float | None = None
    first_tardiness_h: float | None = None
    final_tardiness_h: float | None = None
    bound_h: float | None = None
    gap: float | None = None
    status: str | None = None
    late_orders: int | None = None
    planned_orders: int | None = None
    stages: dict[str, float] = field(default_factory=dict)
    """Seconds from the start of solving at which each search was first seen."""

    @property
    def improvement(self) -> float | None:
        if not self.first_tardiness_h or self.final_tardiness_h is None:
            return None
        return 1 - self.final_tardiness_h / self.first_tardiness_h


def run_command(args: list[str], timeout_s: float, memory_gb: float) -> tuple[Command, str]:
    """Run ``xiezuo ARGS`` in a child of its own; return its figures and its stderr."""
    with tempfile.NamedTemporaryFile(suffix=".rss", delete=False) as rss_file:
        rss_path = Path(rss_file.name)
    limit = int(memory_gb * 2**30)

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    env = {**os.environ, "XIEZUO_BENCH_RSS": str(rss_path), "COLUMNS": "200"}
    started = time.monotonic()
    killed = None
    try:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, *args],
            capture_output=True,
            text=True,
            timeout=timeout_s,
            env=env,
            preexec_fn=limit_memory,
            check=False,
        )
        code: int | None = done.returncode
        stderr = done.stderr
        if "MemoryError" in stderr or code == -9:
            killed = f"out of memory (limit {memory_gb:g} GB)"
    except subprocess.TimeoutExpired as exc:
        code, killed = None, f"still running after {timeout_s:.0f} s"
        stderr = exc.stderr.decode() if isinstance(exc.stderr, bytes) else exc.stderr or ""
    wall = time.monotonic() - started
    failed = code is None or code >= 2 or code < 0
    error = (stderr.strip().splitlines() or [""])[-1] if failed and not killed else None
    text = rss_path.read_text() if rss_path.exists() else ""
    rss_path.unlink(missing_ok=True)
    peak = int(text) / 1024 if text else None  # ru_maxrss is in KiB on Linux
    figures = Command(wall_s=wall, peak_rss_mb=peak, exit_code=code, killed=killed, error=error)
    return figures, stderr


def read_progress(stderr: str, run: Run) -> None:
    """Time to first plan, its tardiness and the stage times, from the progress lines."""
    for line in stderr.splitlines():
        match = _LINE.match(line.strip())
        if match is None:
            continue
        seconds, status = float(match["s"]), match["status"]
        figures = _HOURS.match(status)
        stage = "reading and compiling"
        if status != "reading the scenario":
            stage = status.rsplit("; ", 1)[-1]
        run.stages.setdefault(stage, seconds)
        if figures is not None and run.first_plan_s is None:
            run.first_plan_s = seconds
            run.first_tardiness_h = float(figures["value"].replace(",", ""))


def read_plan(path: Path, run: Run) -> None:
    plan = json.loads(path.read_text(encoding="utf-8"))
    run.status = plan["status"]
    run.final_tardiness_h = plan.get("tardiness_hours")
    run.bound_h = plan.get("tardiness_bound")
    run.gap = plan.get("gap")
    schedule = plan.get("schedule") or {}
    deliveries = schedule.get("deliveries", [])
    run.planned_orders = len(deliveries)
    run.late_orders = sum(
        datetime.fromisoformat(d["arrival"]) > datetime.fromisoformat(d["due"]) for d in deliveries
    )


def run_from_record(data: dict[str, Any]) -> Run:
    """A run read back from a results file (``--append``)."""
    commands = ("validate", "plan", "verify")
    run = Run(**{k: v for k, v in data.items() if k not in commands and k != "improvement"})
    for name in commands:
        setattr(run, name, None if data[name] is None else Command(**data[name]))
    return run


def measure(
    operations: int,
    materials: MaterialLevel,
    seed: int,
    args: argparse.Namespace,
    folder: Path,
) -> Run:
    run = Run(operations, materials.value, seed, args.time_limit, args.workers)
    scenario = folder / f"net-{operations}-{materials.value}-{seed}.json"
    plan_file = scenario.with_suffix(".plan.json")
    started = time.monotonic()
    data = generate_scenario(
        GeneratorOptions(operations=operations, materials=materials, seed=seed)
    )
    scenario.write_text(dump_scenario(data, "json"), encoding="utf-8")
    run.generate_s = time.monotonic() - started
    run.plants, run.orders = len(data["plants"]), len(data["orders"])
    run.file_mb = scenario.stat().st_size / 2**20
    timeout = 3 * args.time_limit + 300
    run.validate, _ = run_command(["validate", str(scenario)], timeout, args.memory_limit_gb)
    run.plan, stderr = run_command(
        [
            "plan",
            str(scenario),
            "--time-limit",
            str(args.time_limit),
            "--workers",
            str(args.workers),
            "--out",
            str(plan_file),
        ],
        timeout,
        args.memory_limit_gb,
    )
    read_progress(stderr, run)
    if plan_file.exists():
        read_plan(plan_file, run)
        run.verify, _ = run_command(
            ["verify", str(scenario), str(plan_file)], timeout, args.memory_limit_gb
        )
    return run


def _wall(command: Command | None) -> float | None:
    return None if command is None else command.wall_s


def _f(value: float | None, fmt: str = ",.0f", unit: str = "") -> str:
    return "–" if value is None else f"{value:{fmt}}{unit}"


def table(runs: list[Run]) -> str:
    """The runs as a markdown table, one row per run."""
    header = (
        "| ops | mat | seed | plants | orders | validate | plan wall | first plan | "
        "first WT h | final WT h | better | bound h | gap | late | plan peak MB | verify |"
    )
    rows = [header, "|" + "---|" * (header.count("|") - 1)]
    for r in runs:
        plan = r.plan
        wall = "–" if plan is None else f"{plan.wall_s:.0f} s"
        if plan is not None and (plan.killed or plan.error):
            wall += f" ({plan.killed or plan.error})"
        late = "–" if r.late_orders is None else f"{r.late_orders}/{r.planned_orders}"
        rows.append(
            f"| {r.operations:,} | {r.materials} | {r.seed} | {r.plants} | {r.orders:,} "
            f"| {_f(_wall(r.validate), '.1f', ' s')} | {wall} "
            f"| {_f(r.first_plan_s, '.0f', ' s')} | {_f(r.first_tardiness_h)} "
            f"| {_f(r.final_tardiness_h)} | {_f(r.improvement, '.0%')} | {_f(r.bound_h)} "
            f"| {_f(r.gap, '.0%')} | {late} | {_f(None if plan is None else plan.peak_rss_mb)} "
            f"| {_f(_wall(r.verify), '.1f', ' s')} |"
        )
    rows.append("")
    rows.append("Stages (seconds from the start of solving at which each was first seen):")
    rows.append("")
    for r in runs:
        stages = ", ".join(f"{name} {s:.0f}" for name, s in r.stages.items())
        rows.append(f"- {r.operations:,} {r.materials} seed {r.seed}: {stages or '–'}")
    return "\n".join(rows) + "\n"


def plot(results: Path, png: Path) -> None:
    """Log-log time and memory against operations, per material level, as a PNG."""
    import plotly.graph_objects as go
    from playwright.sync_api import sync_playwright
    from plotly.subplots import make_subplots

    record = json.loads(results.read_text(encoding="utf-8"))
    figure = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=("Seconds against operations", "Peak memory (MB) of xiezuo plan"),
    )
    for materials, dash in (("none", "solid"), ("light", "dot"), ("heavy", "dash")):
        runs = sorted(
            (r for r in record["runs"] if r["materials"] == materials),
            key=lambda r: r["operations"],
        )
        if not runs:
            continue
        ops = [r["operations"] for r in runs]
        for name, values in (
            ("first plan", [r["first_plan_s"] for r in runs]),
            ("plan wall", [r["plan"]["wall_s"] if r["plan"] else None for r in runs]),
            ("validate", [r["validate"]["wall_s"] if r["validate"] else None for r in runs]),
            ("verify", [r["verify"]["wall_s"] if r["verify"] else None for r in runs]),
        ):
            figure.add_trace(
                go.Scatter(
                    x=ops,
                    y=values,
                    name=f"{name} ({materials})",
                    mode="lines+markers",
                    line={"dash": dash},
                ),
                row=1,
                col=1,
            )
        figure.add_trace(
            go.Scatter(
                x=ops,
                y=[r["plan"]["peak_rss_mb"] if r["plan"] else None for r in runs],
                name=f"peak memory ({materials})",
                mode="lines+markers",
                line={"dash": dash},
            ),
            row=1,
            col=2,
        )
    limit = record["time_limit_s"]
    sizes = sorted({r["operations"] for r in record["runs"]})
    figure.add_trace(
        go.Scatter(
            x=sizes,
            y=[limit + 5] * len(sizes),
            name=f"time limit + 5 s ({limit + 5:g} s)",
            mode="lines",
            line={"color": "grey", "dash": "dot"},
        ),
        row=1,
        col=1,
    )
    figure.update_xaxes(type="log", title="operations")
    figure.update_yaxes(type="log")
    figure.update_layout(
        title=f"xiezuo plan --time-limit {limit:g} --workers {record['workers']}, "
        f"generated networks ({record['date']}, commit {record['commit']})",
        width=1200,
        height=520,
        template="plotly_white",
    )
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "scale.html"
        figure.write_html(page, include_plotlyjs=True, full_html=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=[
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--no-first-run",
                ],
            )
            tab = browser.new_page(viewport={"width": 1200, "height": 520})
            tab.goto(page.as_uri())
            tab.wait_for_selector(".main-svg")
            tab.screenshot(path=str(png))
            browser.close()


def slope(xs: list[float], ys: list[float]) -> float | None:
    """Least-squares slope of log y against log x: 1 is linear growth."""
    pairs = [(math.log(x), math.log(y)) for x, y in zip(xs, ys, strict=True) if x and y]
    if len(pairs) < 2:
        return None
    mx = sum(p[0] for p in pairs) / len(pairs)
    my = sum(p[1] for p in pairs) / len(pairs)
    sxx = sum((p[0] - mx) ** 2 for p in pairs)
    return sum((p[0] - mx) * (p[1] - my) for p in pairs) / sxx if sxx else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,5000,10000,20000,50000,100000")
    parser.add_argument("--materials", default="none,heavy")
    parser.add_argument("--seeds", default="1")
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-limit-gb", type=float, default=16.0)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--keep", type=Path, default=None, help="Keep networks and plans here.")
    parser.add_argument(
        "--append", action="store_true", help="Add the runs to those already in OUT.json."
    )
    parser.add_argument("--plot", type=Path, default=None, help="Plot this results file.")
    parser.add_argument("--png", type=Path, default=Path("docs/scale.png"))
    args = parser.parse_args()
    if args.plot is not None:
        plot(args.plot, args.png)
        print(f"wrote {args.png}")
        return
    out = args.out or RESULTS / f"scale-{date.today().isoformat()}"
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    record: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="minutes"),
        "commit": commit,
        "time_limit_s": args.time_limit,
        "workers": args.workers,
        "cpus": os.cpu_count(),
        "runs": [],
    }
    # What every child pays before its work: Python, xiezuo and OR-Tools imported.
    startup, _ = run_command(["validate", "--help"], 120, args.memory_limit_gb)
    record["startup_s"] = startup.wall_s
    print(f"startup of a child (xiezuo validate --help): {startup.wall_s:.1f} s", flush=True)
    runs: list[Run] = []
    if args.append and out.with_suffix(".json").exists():
        earlier = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
        runs = [run_from_record(r) for r in earlier["runs"]]
        record["runs"] = earlier["runs"]
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        for operations in (int(s) for s in args.sizes.split(",")):
            for level in (MaterialLevel(m) for m in args.materials.split(",")):
                for seed in (int(s) for s in args.seeds.split(",")):
                    run = measure(operations, level, seed, args, folder)
                    runs.append(run)
                    record["runs"].append({**asdict(run), "improvement": run.improvement})
                    out.with_suffix(".json").write_text(json.dumps(record, indent=2) + "\n")
                    print(table([run]).splitlines()[2], flush=True)
    summary = f"Startup of each child (`xiezuo validate --help`): {startup.wall_s:.1f} s.\n\n"
    out.with_suffix(".md").write_text(summary + table(runs), encoding="utf-8")
    print(table(runs))
    for materials in {r.materials for r in runs}:
        mine = [r for r in runs if r.materials == materials and r.plan is not None]
        ops = [float(r.operations) for r in mine]
        first = slope(ops, [r.first_plan_s or 0.0 for r in mine])
        memory = slope(ops, [r.plan.peak_rss_mb or 0.0 for r in mine if r.plan])
        print(
            f"log-log slope ({materials}): first plan {_f(first, '.2f')}, "
            f"peak memory {_f(memory, '.2f')}"
        )


if __name__ == "__main__":
    main()
