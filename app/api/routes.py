"""The /api/v1 routes: read parameters, ask the answer of an endpoint, give it as JSON or CSV.

The answers themselves are plain functions (app/api/answers/) that other faces share. Every
failure a client can cause is a 4xx with `{"error": ...}` naming what was wrong; a database that
is away is a 503. Nothing a client sends can produce a 500.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import asyncpg
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from app.api import deletion, export, keys, tables
from app.api.answers import ANSWERS, iso
from app.api.bearer import reach_of
from app.api.metrics import API_REQUESTS, metrics
from app.api.openapi import openapi
from app.api.params import (
    KEY_PATTERN,
    KEY_RULE,
    Endpoint,
    Format,
    OutOfReach,
    ParamError,
    from_json_body,
    from_query_string,
    merge,
    parse_new_key,
    parse_params,
)
from app.api.stats import Connection, Database
from app.api.stats.seconds import TooManySeconds
from app.db.reads import Reads

log = logging.getLogger("video_metrics.api")

# Parameters fit in a few hundred bytes; the limit only keeps a hostile body from costing memory.
MAX_BODY_BYTES = 64 * 1024

Handler = Callable[[Request], Awaitable[Response]]


class _TooLarge(Exception):
    pass


def api_routes() -> list[BaseRoute]:
    """The routes to mount at /api/v1."""
    queries: list[BaseRoute] = []
    for endpoint in Endpoint:
        handler = _query(endpoint)
        queries.append(Route(f"/{endpoint.value}", _Dispatch(endpoint.value, GET=handler, POST=handler)))
    return [
        *queries,
        Route("/keys", _Dispatch("keys", GET=_list_keys, POST=_create_key)),
        Route("/keys/{key:path}", _Dispatch("key", DELETE=_revoke_key)),
        Route("/export", _Dispatch("export", GET=_export, POST=_export)),
        Route("/sessions", _Dispatch("sessions", DELETE=_delete_sessions)),
    ]


def root_routes() -> list[BaseRoute]:
    """The routes outside /api/v1: the OpenAPI document and Prometheus metrics."""
    return [
        Route("/openapi.json", openapi, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
    ]


def error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status)


class _Dispatch:
    """One ASGI endpoint per path that dispatches on the method itself, so that any wrong method
    gets a JSON 405 naming the allowed ones (Starlette's own is plain text), and so that no
    failure a client can cause escapes as a 500. Being a class, Starlette routes every method
    to it."""

    def __init__(self, name: str, **handlers: Handler) -> None:
        self.name = name
        self.handlers = dict(handlers)
        if "GET" in self.handlers:
            self.handlers["HEAD"] = self.handlers["GET"]
        self.allowed = ", ".join(sorted(self.handlers.keys() | {"OPTIONS"}))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        request = Request(scope, receive)
        response = await self.respond(request)
        await response(scope, receive, send)
        API_REQUESTS.labels(self.name, str(response.status_code)).observe(time.perf_counter() - started)

    async def respond(self, request: Request) -> Response:
        if request.method == "OPTIONS":
            return Response(status_code=204, headers={"Allow": self.allowed})
        handler = self.handlers.get(request.method)
        if handler is None:
            refusal = error(
                405,
                f"method: {request.method} is not allowed here; use {self.allowed}",
                parameter="method",
            )
            refusal.headers["Allow"] = self.allowed
            return refusal
        try:
            return await handler(request)
        except OutOfReach as problem:  # a read-only token asking about another key
            return error(403, str(problem), parameter=problem.parameter)
        except ParamError as problem:
            return error(400, str(problem), parameter=problem.parameter)
        except TooManySeconds as too_many:
            message = (
                f"ranges: per-second engagement {too_many}; ask for ranges (for example ranges=100), "
                "a longer interval or a shorter timeframe"
            )
            return error(400, message, parameter="ranges")
        except _TooLarge:
            return error(413, f"body: larger than {MAX_BODY_BYTES} bytes", parameter="body")
        except asyncpg.InvalidParameterValueError as problem:
            # The one value PostgreSQL checks itself: a time zone its own data do not know.
            if "time zone" not in str(problem):
                raise
            message = "timezone: not known to the database; update its time zone data or use another zone"
            return error(400, message, parameter="timezone")
        except asyncpg.QueryCanceledError:
            return error(503, "the query took too long; ask for a shorter timeframe")
        except (OSError, TimeoutError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError) as e:
            log.warning("event=api_database_unavailable path=%s error=%r", request.url.path, str(e))
            return error(503, "the database is not reachable right now; try again shortly")


async def _raw(request: Request) -> dict[str, Any]:
    """Parameters from the query string and, for any method, a JSON body."""
    query_string = from_query_string(request.query_params.multi_items())
    return merge(query_string, from_json_body(await _body(request)))


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _query(endpoint: Endpoint) -> Handler:
    """The handler of a query endpoint: its answer, as CSV when asked for, else JSON."""
    answer = ANSWERS[endpoint]

    async def handle(request: Request) -> Response:
        params = parse_params(
            await _raw(request), endpoint, request.app.state.settings.zone, reach_of(request)
        )
        as_csv = params.format is Format.CSV or (params.format is None and tables.wants_csv(request))
        # Live rows are on the primary only (an unlogged table); stored sessions may be read from
        # a standby (app/db/reads.py).
        pool = _pool(request) if endpoint in LIVE_ENDPOINTS else _read_pool(request)
        primary = None if pool is _pool(request) else _pool(request)
        async with pool.acquire() as connection:
            db = Database(connection, await _timescale(request, connection), primary)
            body = await answer(db, params, datetime.now(UTC))
        if as_csv:
            return tables.csv_response(endpoint, params, body)
        return JSONResponse(body)

    return handle


async def _timescale(request: Request, connection: Connection) -> bool:
    """Whether time_bucket is there; asked once per application, the answer kept on its state."""
    known: bool | None = getattr(request.app.state, "api_timescale", None)
    if known is None:
        known = (await Database.of(connection)).timescale
        request.app.state.api_timescale = known
    return known


def _pool(request: Request) -> asyncpg.Pool:
    """The primary: writes, keys and live rows."""
    pool: asyncpg.Pool = request.app.state.pool
    return pool


def _read_pool(request: Request) -> asyncpg.Pool:
    """Reads of stored sessions: the standby while it serves them, else the primary."""
    reads: Reads = request.app.state.reads
    return reads.pool()


LIVE_ENDPOINTS = frozenset({Endpoint.WATCHING})


async def _create_key(request: Request) -> Response:
    custom = parse_new_key(await _raw(request))
    async with _pool(request).acquire() as connection:
        try:
            key = await keys.create_key(connection, custom)
        except keys.KeyExists:
            return error(409, "key: this key already exists; choose another", parameter="key")
    return JSONResponse({"key": key}, status_code=201)


async def _list_keys(request: Request) -> Response:
    raw = await _raw(request)
    for name in raw:
        raise ParamError(str(name)[:100], "unknown parameter; listing keys takes none")
    async with _pool(request).acquire() as connection:
        rows = await keys.list_keys(connection)
    return JSONResponse(
        {
            "keys": [
                {
                    "key": row.key,
                    "created_at": iso(row.created_at),
                    "disabled_at": None if row.disabled_at is None else iso(row.disabled_at),
                    "demo": row.demo,
                }
                for row in rows
            ]
        }
    )


async def _revoke_key(request: Request) -> Response:
    key = request.path_params["key"]
    if not KEY_PATTERN.fullmatch(key):
        return error(404, "key: no such key (keys are " + KEY_RULE + ")", parameter="key")
    async with _pool(request).acquire() as connection:
        disabled_at = await keys.revoke_key(connection, key)
    if disabled_at is None:
        return error(404, "key: no such key", parameter="key")
    return JSONResponse({"message": "Key revoked"})


async def _export(request: Request) -> Response:
    return await export.answer(request, await _raw(request))


async def _delete_sessions(request: Request) -> Response:
    return await deletion.answer(request, await _raw(request))
