"""Plant clients reporting progress to a real server: lost and doubled reports, latencies,
and reports that survive ``kill -9``.

``python benchmarks/server_reports.py [--database sqlite|postgres] [--clients 20]
[--seconds 60] [--interval 0.5]`` starts ``create_app`` under uvicorn in a subprocess on
127.0.0.1 (a fresh SQLite file, or a fresh PostgreSQL database created on the server at
``XIEZUO_TEST_POSTGRES`` and dropped afterwards; ``--url`` gives an empty database
instead), imports the example network, plans it once and lets each client, a plant
user, report the steps of its plant's work orders as the plan has them (started, then
done) with stock counts in between, one report every ``--interval`` seconds on average,
for ``--seconds``. One report in twenty is sent twice with the same Idempotency-Key, as
a client does when an answer is lost; every tenth action also reads the current plan.
At the end every stored report is read back: *lost* are reports answered 2xx but not
stored, *doubled* are keys stored twice or a retry answered with another report. It
prints the counts and the p50/p99 latency of a report and of a plan read.

``--kill AFTER`` instead sends reports as fast as the clients can for AFTER seconds with
a plan job running, kills the server with SIGKILL, starts a new one on the same
database and checks that every report answered 2xx is there and that the killed job is
marked failed with the previous plan still current.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import psycopg
from sqlalchemy.engine import make_url

from xiezuo.errors import InputError
from xiezuo.io.progress import parse_progress
from xiezuo.io.scenario import read_input_data
from xiezuo.services import networks
from xiezuo.services.accounts import Role, add_user
from xiezuo.storage.database import make_engine, session_factory, upgrade

if TYPE_CHECKING:
    from collections.abc import Iterator

    from xiezuo.domain import Network

ROOT = Path(__file__).parents[1]
EXAMPLE = ROOT / "examples" / "chongqing-1958.yaml"
NETWORK = "chongqing"
POSTGRES_ADMIN = os.environ.get(
    "XIEZUO_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
MATERIALS = ("steel-plate", "steel-bar", "copper", "pig-iron")
RETRY_SHARE = 0.05
READ_EVERY = 10


# ---- the database and the server ------------------------------------------------------


@contextmanager
def database(kind: str, url: str | None = None) -> Iterator[str]:
    """A fresh, empty database of ``kind`` (``sqlite`` or ``postgres``), gone afterwards;
    or the empty database at ``url``, left as it is."""
    if url is not None:
        yield url
        return
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="xiezuo-bench-") as folder:
            yield f"sqlite:///{Path(folder) / 'xiezuo.db'}"
        return
    admin = make_url(POSTGRES_ADMIN)
    name = f"xiezuo_bench_{secrets.token_hex(4)}"
    connect = {
        "host": admin.host or "127.0.0.1",
        "port": admin.port or 5432,
        "user": admin.username or "postgres",
        "dbname": admin.database or "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**connect) as connection:  # type: ignore[arg-type]
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(**connect) as connection:  # type: ignore[arg-type]
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare(url: str, plants: list[str]) -> dict[str, str]:
    """Schema, the example network and users: ``planner`` and one user per plant."""
    upgrade(url)
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            networks.import_scenario(session, NETWORK, EXAMPLE, user="bench")
            tokens = {"planner": add_user(session, "planner", Role.PLANNER)}
            for plant in plants:
                tokens[plant] = add_user(session, f"plant-{plant}", Role.PLANT, plant)
            session.commit()
    finally:
        engine.dispose()
    return tokens


@dataclass
class Server:
    """``create_app(url)`` under uvicorn in a child process on a loopback port."""

    url: str
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> str:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        code = (
            "import uvicorn\n"
            "from xiezuo.api.app import create_app\n"
            f"uvicorn.run(create_app({self.url!r}), host='127.0.0.1', port={self.port}, "
            "log_level='warning')\n"
        )
        self.process = subprocess.Popen([sys.executable, "-c", code])
        base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{base}/openapi.json", timeout=1)
                return base
            except httpx.TransportError:
                if self.process.poll() is not None:
                    sys.exit(f"the server exited with status {self.process.returncode}")
                time.sleep(0.1)
        sys.exit("the server did not answer within a minute")

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(30)


# ---- what the plants report ------------------------------------------------------------


def plan_once(base: str, token: str, time_limit_s: float) -> dict[str, Any]:
    """Plan the network through the API and return the plan file's data."""
    headers = {"Authorization": f"Bearer {token}"}
    job = httpx.post(
        f"{base}/networks/{NETWORK}/jobs",
        json={"kind": "plan", "time_limit_s": time_limit_s, "reason": "benchmark"},
        headers=headers,
    ).json()
    while job["status"] not in {"done", "failed", "cancelled"}:
        time.sleep(0.5)
        job = httpx.get(f"{base}/networks/{NETWORK}/jobs/{job['id']}", headers=headers).json()
    if job["status"] != "done":
        sys.exit(f"the first plan failed: {job['error']}")
    plan: dict[str, Any] = httpx.get(
        f"{base}/networks/{NETWORK}/plans/current", headers=headers, timeout=30
    ).json()["plan"]
    return plan


def step_reports(plan: dict[str, Any], network: Network) -> dict[str, list[dict[str, Any]]]:
    """Per plant, the started and done reports of the work orders that may be reported
    alone (nothing needs reporting before their first step), in plan order."""
    by_work_order: dict[str, list[dict[str, Any]]] = {}
    for op in sorted(plan["schedule"]["operations"], key=lambda op: (op["start"], op["step"])):
        by_work_order.setdefault(op["work_order_id"], []).append(op)
    reports: dict[str, list[dict[str, Any]]] = {}
    for work_order, ops in by_work_order.items():
        first = _step(ops[0])
        alone = {"as_of": first["start"], "steps": [{**first, "status": "started"}]}
        try:
            parse_progress(json.dumps(alone), "check", "json", network)
        except InputError:
            continue  # its components or drawings would have to be reported first
        for op in ops:
            record = _step(op)
            reports.setdefault(op["plant_id"], []).extend(
                [
                    {"kind": "step_started", "record": record},
                    {
                        "kind": "step_done",
                        "record": {"work_order": work_order, "step": op["step"], "end": op["end"]},
                    },
                ]
            )
    return reports


def _step(op: dict[str, Any]) -> dict[str, Any]:
    record = {
        "work_order": op["work_order_id"],
        "step": op["step"],
        "plant": op["plant_id"],
        "start": op["start"],
    }
    if op["machine_id"] is not None:
        record |= {"machine": op["machine_id"], "unit": op["unit"]}
    return record


# ---- the clients -----------------------------------------------------------------------


@dataclass
class Tally:
    """What one client saw."""

    acked: dict[str, int] = field(default_factory=dict)  # key -> report id, answered 2xx
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    refusals: Counter[str] = field(default_factory=Counter)  # 4xx reasons, shortened
    retries: int = 0
    retry_mismatches: int = 0
    report_s: list[float] = field(default_factory=list)
    read_s: list[float] = field(default_factory=list)


def client(
    base: str,
    token: str,
    plant: str,
    steps: list[dict[str, Any]],
    until: float,
    interval_s: float,
    seed: int,
    tally: Tally,
) -> None:
    """One plant's reports until ``until`` (monotonic), or until the server is gone."""
    rng = random.Random(seed)
    headers = {"Authorization": f"Bearer {token}"}
    queue = list(steps)
    with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
        action = 0
        while time.monotonic() < until:
            action += 1
            if queue and rng.random() < 0.75:
                body = queue.pop(0)
            else:
                material = rng.choice(MATERIALS)
                body = {
                    "kind": "count",
                    "record": {
                        "plant": plant,
                        "material": material,
                        "quantity": rng.randint(0, 500),
                    },
                }
            key = str(uuid.uuid4())
            try:
                first = _post(http, body, key, tally)
                if first is not None and rng.random() < RETRY_SHARE:
                    tally.retries += 1
                    again = _post(http, body, key, tally)
                    if again is not None and again != first:
                        tally.retry_mismatches += 1
                if action % READ_EVERY == 0:
                    started = time.perf_counter()
                    answer = http.get(f"/networks/{NETWORK}/plans/current")
                    tally.read_s.append(time.perf_counter() - started)
                    tally.statuses[answer.status_code] += 1
            except httpx.TransportError as exc:
                tally.errors[type(exc).__name__] += 1
                if time.monotonic() < until:
                    time.sleep(0.2)
                continue
            if interval_s:
                time.sleep(rng.expovariate(1 / interval_s))


def _post(http: httpx.Client, body: dict[str, Any], key: str, tally: Tally) -> int | None:
    started = time.perf_counter()
    answer = http.post(f"/networks/{NETWORK}/progress", json=body, headers={"Idempotency-Key": key})
    tally.report_s.append(time.perf_counter() - started)
    tally.statuses[answer.status_code] += 1
    if not answer.is_success:
        tally.refusals[_reason(answer)] += 1
        return None
    report_id: int = answer.json()["id"]
    tally.acked.setdefault(key, report_id)
    return report_id


def _reason(answer: httpx.Response) -> str:
    """A refusal's message without its IDs and times, so alike refusals count together."""
    detail = answer.json().get("detail")
    message = detail[0]["msg"] if isinstance(detail, list) and detail else str(detail)
    return re.sub(r"'[^']*'|\d[\d:T.+-]*", "…", message)[:160]


def run_clients(
    base: str,
    tokens: dict[str, str],
    reports: dict[str, list[dict[str, Any]]],
    count: int,
    seconds: float,
    interval_s: float,
) -> list[Tally]:
    """``count`` clients, each a user of one plant; a plant's steps split among its clients."""
    plants = sorted(reports) or sorted(p for p in tokens if p != "planner")
    assigned = [plants[idx % len(plants)] for idx in range(count)]
    tallies = [Tally() for _ in range(count)]
    until = time.monotonic() + seconds
    threads = []
    for idx, plant in enumerate(assigned):
        mates = [i for i, p in enumerate(assigned) if p == plant]
        # A work order's reports stay with one client: split by work order.
        share = _by_work_order(reports.get(plant, []), mates.index(idx), len(mates))
        thread = threading.Thread(
            target=client,
            args=(base, tokens[plant], plant, share, until, interval_s, idx, tallies[idx]),
        )
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    return tallies


def _by_work_order(reports: list[dict[str, Any]], part: int, parts: int) -> list[dict[str, Any]]:
    """Part ``part`` of ``parts`` of a plant's reports, in the order things happened.

    Work orders that share a machine unit go to the same client: the plan has one step
    on a unit end before the next starts there, and only one client reporting both
    in that order keeps the reports from claiming the unit twice at once.
    """
    group_of: dict[str, str] = {}

    def root(name: str) -> str:
        while group_of.setdefault(name, name) != name:
            name = group_of[name]
        return name

    for r in reports:
        record = r["record"]
        if "machine" in record:
            unit = f"{record['machine']}#{record.get('unit', 0)}"
            group_of[root(record["work_order"])] = root(unit)
    groups: dict[str, list[str]] = {}
    for work_order in sorted({r["record"]["work_order"] for r in reports}):
        groups.setdefault(root(work_order), []).append(work_order)
    load = [0] * parts
    mine: set[str] = set()
    for members in sorted(groups.values(), key=len, reverse=True):
        lightest = load.index(min(load))
        load[lightest] += len(members)
        if lightest == part:
            mine.update(members)
    return sorted(
        (r for r in reports if r["record"]["work_order"] in mine),
        key=lambda r: (r["record"].get("end") or r["record"]["start"], r["kind"] == "step_started"),
    )


def stored_reports(base: str, token: str) -> list[dict[str, Any]]:
    headers = {"Authorization": f"Bearer {token}"}
    items: list[dict[str, Any]] = []
    while True:
        page = httpx.get(
            f"{base}/networks/{NETWORK}/progress",
            params={"limit": 500, "offset": len(items)},
            headers=headers,
            timeout=60,
        ).json()
        items += page["items"]
        if len(items) >= page["total"] or not page["items"]:
            return items


def judge(tallies: list[Tally], stored: list[dict[str, Any]]) -> dict[str, int]:
    acked = {key: rid for tally in tallies for key, rid in tally.acked.items()}
    stored_by_key = Counter(item["idempotency_key"] for item in stored)
    id_by_key = {item["idempotency_key"]: item["id"] for item in stored}
    return {
        "acknowledged": len(acked),
        "stored": len(stored),
        "lost": sum(1 for key in acked if key not in id_by_key),
        "doubled": sum(n - 1 for n in stored_by_key.values() if n > 1)
        + sum(t.retry_mismatches for t in tallies)
        + sum(1 for key, rid in acked.items() if key in id_by_key and id_by_key[key] != rid),
        "stored_unacknowledged": sum(1 for key in id_by_key if key not in acked),
    }


def percentiles(samples: list[float]) -> str:
    if len(samples) < 2:
        return "n/a"
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return f"p50 {cuts[49] * 1000:.1f} ms, p99 {cuts[98] * 1000:.1f} ms (n={len(samples)})"


# ---- the two runs ----------------------------------------------------------------------


def load(args: argparse.Namespace) -> None:
    with database(args.database, args.url) as url:
        network = networks.check_scenario(_example_data(), "example")
        tokens = prepare(url, [plant.id for plant in network.plants])
        server = Server(url)
        base = server.start()
        try:
            plan = plan_once(base, tokens["planner"], args.plan_time_limit)
            reports = step_reports(plan, network)
            started = time.monotonic()
            tallies = run_clients(base, tokens, reports, args.clients, args.seconds, args.interval)
            elapsed = time.monotonic() - started
            stored = stored_reports(base, tokens["planner"])
        finally:
            server.stop()
    verdict = judge(tallies, stored)
    statuses = sum((t.statuses for t in tallies), Counter[int]())
    errors = sum((t.errors for t in tallies), Counter[str]())
    print(f"database: {args.database}; {args.clients} clients for {elapsed:.0f} s")
    print(f"answers by status: {dict(sorted(statuses.items()))}; transport errors: {dict(errors)}")
    print(f"retries with the same key: {sum(t.retries for t in tallies)}")
    refusals = sum((t.refusals for t in tallies), Counter[str]())
    for reason, n in refusals.most_common(5):
        print(f"  refused {n}×: {reason}")
    print(
        f"reports acknowledged {verdict['acknowledged']}, stored {verdict['stored']}, "
        f"lost {verdict['lost']}, doubled {verdict['doubled']} "
        f"({verdict['acknowledged'] / elapsed:.1f} reports/s)"
    )
    print(f"report latency: {percentiles([s for t in tallies for s in t.report_s])}")
    print(f"plan read latency: {percentiles([s for t in tallies for s in t.read_s])}")
    if verdict["lost"] or verdict["doubled"]:
        sys.exit(1)


def kill(args: argparse.Namespace) -> None:
    with database(args.database, args.url) as url:
        network = networks.check_scenario(_example_data(), "example")
        tokens = prepare(url, [plant.id for plant in network.plants])
        server = Server(url)
        base = server.start()
        planner = {"Authorization": f"Bearer {tokens['planner']}"}
        try:
            plan = plan_once(base, tokens["planner"], args.plan_time_limit)
            reports = step_reports(plan, network)
            job = httpx.post(
                f"{base}/networks/{NETWORK}/jobs",
                json={"kind": "plan", "time_limit_s": 600, "reason": "killed mid-solve"},
                headers=planner,
            ).json()
            killer = threading.Timer(args.kill, server.kill)
            killer.start()
            tallies = run_clients(base, tokens, reports, args.clients, args.kill + 3, 0.0)
            killer.join()
            base = server.start()
            stored = stored_reports(base, tokens["planner"])
            after = httpx.get(f"{base}/networks/{NETWORK}/jobs/{job['id']}", headers=planner).json()
            current = httpx.get(f"{base}/networks/{NETWORK}", headers=planner).json()
        finally:
            server.stop()
    verdict = judge(tallies, stored)
    errors = sum((t.errors for t in tallies), Counter[str]())
    print(f"database: {args.database}; {args.clients} clients, SIGKILL after {args.kill:g} s")
    print(f"transport errors after the kill: {dict(errors)}")
    print(
        f"reports acknowledged {verdict['acknowledged']}, stored after restart "
        f"{verdict['stored']}, lost {verdict['lost']}, doubled {verdict['doubled']}, "
        f"stored but never acknowledged {verdict['stored_unacknowledged']}"
    )
    print(f"the job killed mid-solve: {after['status']}: {after['error']}")
    print(f"current plan after restart: {current['current_plan']}")
    if verdict["lost"] or verdict["doubled"] or after["status"] != "failed":
        sys.exit(1)
    if current["current_plan"] != 1:
        sys.exit(1)


def _example_data() -> Any:
    data, _ = read_input_data(EXAMPLE, "scenario")
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--url", help="an empty database to use instead of a fresh one")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--interval", type=float, default=0.5, help="mean seconds between reports")
    parser.add_argument("--plan-time-limit", type=float, default=10.0)
    parser.add_argument(
        "--kill", type=float, metavar="AFTER", help="SIGKILL the server after AFTER s"
    )
    args = parser.parse_args()
    if args.kill is not None:
        kill(args)
    else:
        load(args)


if __name__ == "__main__":
    main()
