"""Fuzz the server's REST API from its OpenAPI document with schemathesis: no 5xx.

``python benchmarks/api_fuzz.py [--examples N] [--seed S] [--users planner,forge]``
builds the app (``create_app``) on a new SQLite file, imports ``examples/minimal.yaml``
as the network ``minimal``, makes one plan through a solve job, and then sends every
operation of ``/openapi.json`` ``N`` generated requests per user (default 200; the
committed test ``tests/api/test_openapi_fuzz.py`` sends 8). Path parameters are mostly
names that exist (the network, its plants, machines, items, orders, plan and job
numbers) so the requests reach the routes' code instead of stopping at a 404. Every
response is checked: no 5xx, the body matches the documented schema of its status and
its content type is the documented one. It prints each distinct failure once (method,
path, user, check, status, the request) and then the figures: requests, statuses,
time. ``--database postgresql+psycopg://...`` fuzzes a PostgreSQL database instead
(which must be empty).
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import hypothesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.errors import FailureGroup
from schemathesis.python import asgi

from xiezuo.api.app import create_app

if TYPE_CHECKING:
    import schemathesis

    from tests.api.test_openapi_fuzz import FuzzTarget

ROOT = Path(__file__).parents[1]


def fuzz_operation(
    operation: schemathesis.APIOperation[Any, Any, Any, Any],
    target: FuzzTarget,
    user: str,
    examples: int,
    seed: int,
    statuses: collections.Counter[tuple[str, int]],
    failures: dict[tuple[str, str, str, int], str],
) -> int:
    """Send ``examples`` requests to one operation; count statuses, keep each failure once."""
    from tests.api.test_openapi_fuzz import CHECKS, case_strategy

    sent = 0
    headers = {"Authorization": f"Bearer {target.tokens[user]}"}

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )
    @hypothesis.seed(seed)
    @given(
        case=st.sampled_from(list(GenerationMode)).flatmap(
            lambda mode: case_strategy(operation, target, mode)
        )
    )
    def run(case: schemathesis.Case[Any]) -> None:
        nonlocal sent
        response = case.call(headers=headers)
        sent += 1
        statuses[(user, response.status_code)] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:
            for failure in group.exceptions:
                key = (operation.label, user, failure.title, response.status_code)
                if key not in failures:
                    failures[key] = (
                        f"{case.as_curl_command(headers=headers)}\n  -> {response.status_code} "
                        f"{response.text[:400]}\n  {failure.message.strip()[:600]}"
                    )

    run()
    return sent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=200, help="requests per operation and user")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--users", default="planner,forge", help="comma-separated: planner,forge,works,viewer"
    )
    parser.add_argument("--database", help="a database URL (default: a new SQLite file)")
    parser.add_argument("--only", default="", help="fuzz only operations whose label contains this")
    args = parser.parse_args(argv)
    # The fuzzing setup is the committed test's, so both aim at the same data.
    sys.path.insert(0, str(ROOT))
    from tests.api.test_openapi_fuzz import fuzz_schema, prepare_target
    from tests.databases import sqlite_url

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(args.database or sqlite_url(Path(folder)))
        target = prepare_target(app)
        schema = fuzz_schema(app)
        statuses: collections.Counter[tuple[str, int]] = collections.Counter()
        failures: dict[tuple[str, str, str, int], str] = {}
        per_operation: dict[str, float] = {}
        sent = 0
        started = time.perf_counter()
        try:
            paths: dict[str, dict[str, Any]] = app.openapi()["paths"]
            for label in [f"{m.upper()} {path}" for path, ms in paths.items() for m in ms]:
                operation = schema.find_operation_by_label(label)
                if operation is None or args.only not in label:
                    continue
                began = time.perf_counter()
                for user in args.users.split(","):
                    sent += fuzz_operation(
                        operation, target, user, args.examples, args.seed, statuses, failures
                    )
                per_operation[operation.label] = time.perf_counter() - began
                print(f"{operation.label}: {per_operation[operation.label]:.1f} s", file=sys.stderr)
        finally:
            asgi.shutdown_lifespans()
            app.state.engine.dispose()
        elapsed = time.perf_counter() - started

    for (label, user, kind, status), text in sorted(failures.items()):
        print(f"FAILURE {label} as {user}: {kind} ({status})\n  {text}\n")
    by_status: dict[str, dict[int, int]] = collections.defaultdict(dict)
    for (user, status), count in sorted(statuses.items()):
        by_status[user][status] = count
    slowest = sorted(per_operation.items(), key=lambda pair: -pair[1])[:5]
    print(
        json.dumps(
            {
                "operations": len(per_operation),
                "requests": sent,
                "seconds": round(elapsed, 1),
                "requests_per_second": round(sent / elapsed, 1) if elapsed else None,
                "statuses_by_user": by_status,
                "server_errors": sum(n for (_, status), n in statuses.items() if status >= 500),
                "distinct_failures": len(failures),
                "slowest_operations_s": {label: round(s, 1) for label, s in slowest},
            },
            indent=2,
        )
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
