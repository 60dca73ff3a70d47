"""The FastAPI application of the shared planning server.

:func:`create_app` builds the app for one database: it brings the schema to the newest
migration, keeps an engine and a session factory in ``app.state``, mounts the routers
and turns xiezuo's errors into JSON bodies like FastAPI's own:

- :class:`~xiezuo.errors.InputError` → 422 ``{"detail": [{"loc": [...], "msg": ...}]}``
  with ``loc`` the entity path (``["orders", 3, "item"]``);
- :class:`~xiezuo.errors.ModelError` → 422, one entry per broken rule;
- :class:`~xiezuo.errors.NotFoundError` → 404, :class:`~xiezuo.errors.ConflictError` → 409.

Nothing connects at import time.
"""

from __future__ import annotations

import math
import re
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from xiezuo.api.routers import (
    audit,
    entities,
    ledger,
    pages,
    plans,
    progress,
    sheets,
    tables,
    users,
)
from xiezuo.api.routers import networks as network_routes
from xiezuo.errors import ConflictError, InputError, ModelError, NotFoundError, StorageError
from xiezuo.io.yaml_source import MAX_FILE_BYTES
from xiezuo.services.jobs import JobRunner
from xiezuo.storage.database import make_engine, session_factory, upgrade

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

MAX_BODY_BYTES = MAX_FILE_BYTES + 2**20
"""Largest request body: the largest scenario file a network may be, and its envelope;
a bigger one is a 413 before it is read into memory."""
_STEP = re.compile(r"\[(\d+)\]|\.?([^.\[]+)")
_LINE = re.compile(r" \(line \d+\)$")


def create_app(database_url: str) -> FastAPI:
    """The server for the database at ``database_url`` (SQLite file or PostgreSQL URL).

    The schema is upgraded to the newest migration first, so a new or old database
    both work; ``app.state.engine`` and ``app.state.sessions`` serve the routes, and
    ``app.state.job_runner`` runs the solve jobs in worker threads while the app runs
    (from its startup to its shutdown).
    """
    upgrade(database_url)
    engine = make_engine(database_url)
    sessions = session_factory(engine)
    runner = JobRunner(sessions)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        runner.start()  # first marks the jobs a killed server left running as failed
        yield
        runner.stop()
        engine.dispose()

    app = FastAPI(
        title="xiezuo",
        summary="The shared planning server of a network of plants.",
        version="1",
        lifespan=lifespan,
        max_body_size=MAX_BODY_BYTES,
    )
    app.state.database_url = database_url
    app.state.engine = engine
    app.state.sessions = sessions
    app.state.job_runner = runner
    for router in (
        users.router,
        network_routes.router,
        entities.router,
        audit.router,
        plans.router,
        ledger.router,
        sheets.router,
        tables.router,
        progress.router,
        pages.router,  # last: its catch-all for static files must not shadow the API
    ):
        app.include_router(router)
    app.add_exception_handler(RequestValidationError, _request_error)
    app.add_exception_handler(InputError, _input_error)
    app.add_exception_handler(ModelError, _model_error)
    app.add_exception_handler(StorageError, _storage_error)
    return app


def error_loc(location: str) -> list[str | int]:
    """``orders[3].item (line 12)`` as ``["orders", 3, "item"]``, FastAPI's form of a place."""
    path = _LINE.sub("", location)
    if not path or path.startswith("line "):
        return [path] if path else []
    return [int(index) if index else name for index, name in _STEP.findall(path)]


async def _request_error(_request: Request, exc: Exception) -> JSONResponse:
    # FastAPI's own 422, but a NaN or Infinity in the echoed input (Python's json reads
    # them) is shown as text: JSON has no such numbers, and rendering them would fail.
    assert isinstance(exc, RequestValidationError)
    return JSONResponse({"detail": _finite(jsonable_encoder(exc.errors()))}, status_code=422)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value


async def _input_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InputError)
    return JSONResponse(
        {"detail": [{"loc": error_loc(exc.location), "msg": str(exc), "type": "input"}]},
        status_code=422,
    )


async def _model_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ModelError)
    problems = [{"loc": [], "msg": problem, "type": "rule"} for problem in exc.problems]
    return JSONResponse({"detail": problems}, status_code=422)


async def _storage_error(_request: Request, exc: Exception) -> JSONResponse:
    code = 404 if isinstance(exc, NotFoundError) else 409
    assert isinstance(exc, NotFoundError | ConflictError | StorageError)
    return JSONResponse({"detail": str(exc)}, status_code=code)
