"""``xiezuo serve``: the shared planning server (REST API, OpenAPI and web dashboard).

Without ``--database`` (or ``XIEZUO_DATABASE``) it keeps its data in the SQLite file
``xiezuo.db`` of the working folder, created on first use. ``--demo`` loads the
Chongqing example, makes a planner and a plant user, prints their tokens and starts
the first plan.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
import uvicorn

from xiezuo.api.app import create_app
from xiezuo.cli._shared import fail, guarded, say
from xiezuo.cli.db import DatabaseOption, database_errors, database_url, shown
from xiezuo.services.demo import Demo, prepare_demo

if TYPE_CHECKING:
    from fastapi import FastAPI

EXAMPLE = Path("examples") / "chongqing-1958.yaml"
# A source checkout keeps the example beside src/; an installed xiezuo is run from one.
_CHECKOUT = Path(__file__).resolve().parents[3]


def serve(
    database: DatabaseOption = None,
    host: Annotated[
        str, typer.Option(help="Address to listen on; 0.0.0.0 opens it to the network.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Load examples/chongqing-1958.yaml, add the users planner and wj (plant WJ), "
            "print their tokens and plan once.",
        ),
    ] = False,
) -> None:
    """Run the shared planning server until Ctrl-C."""
    url = database_url(database)
    _check_port(host, port)
    with database_errors(url):
        app = create_app(url)
        setup = guarded(lambda: _prepare_demo(app)) if demo else None
    address = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
    say(f"Database: {shown(url)}")
    if setup is not None:
        say(f"Network {setup.network_key!r} loaded from {EXAMPLE}.")
        for name, (role, token) in setup.token_by_user.items():
            say(f"  {name} ({role}) token: ", (token, "bold"))
        if setup.job_id is not None:
            say(
                f"Planning it now: job {setup.job_id}, "
                f"{address}/networks/{setup.network_key}/jobs/{setup.job_id}"
            )
    say(f"Dashboard: {address}/  (log in with a token)   API: {address}/docs")
    uvicorn.run(app, host=host, port=port, log_level="info")


def _prepare_demo(app: FastAPI) -> Demo:
    with app.state.sessions() as session:
        return prepare_demo(session, _example(), app.state.job_runner)


def _example() -> Path:
    found = next((f / EXAMPLE for f in (Path.cwd(), _CHECKOUT) if (f / EXAMPLE).is_file()), None)
    if found is None:
        fail(f"cannot find {EXAMPLE} for --demo; run xiezuo serve --demo in the xiezuo folder")
    return found


def _check_port(host: str, port: int) -> None:
    """Refuse a busy or impossible address now, with the reason, rather than after start-up."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        family, kind, proto, _, address = infos[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
