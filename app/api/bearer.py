"""Read-only tokens on the REST API: `Authorization: Bearer <token>` reads the sessions of the
token's keys through the read endpoints, and nothing else.

A token is looked up in the database at every request (on the primary, never a standby that may
lag), so a revoked one is refused at once. A valid token on a read endpoint lets the request
through with the token's `Reach` on it, which the routes hand to the parameter layer: a question
about another key is a 403 there, and one that names no key is narrowed to the token's keys. Any
other path under /api (keys, deletion) is a 403: a read token never manages anything.
"""

from __future__ import annotations

import json
import logging

import asyncpg
from starlette.datastructures import Headers
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from app import tokens
from app.api.auth import AUTHENTICATED
from app.api.params import EVERY_KEY, Endpoint, Reach

log = logging.getLogger("video_metrics.api")

# What a token may read: the query endpoints and the export of its keys' sessions.
READABLE = frozenset({*(f"/api/v1/{endpoint.value}" for endpoint in Endpoint), "/api/v1/export"})
READ_METHODS = frozenset({"GET", "HEAD", "POST", "OPTIONS"})
_GUARDED = "/api/"
_REACH = "video_metrics.reach"


def reach_of(connection: HTTPConnection) -> Reach:
    """What the request may read: a token's keys, or every key (Basic auth, or auth off)."""
    reach = connection.scope.get(_REACH)
    return reach if isinstance(reach, Reach) else EVERY_KEY


def bearer_token(headers: Headers) -> str | None:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


class BearerTokens:
    """ASGI middleware: a request under /api that carries a Bearer token is answered as that
    token may be (401 unknown or revoked, 403 not a read); others pass untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(_GUARDED):
            await self.app(scope, receive, send)
            return
        token = bearer_token(Headers(scope=scope))
        if token is None:
            await self.app(scope, receive, send)
            return
        try:
            async with scope["app"].state.pool.acquire() as connection:
                grant = await tokens.verify(connection, token)
        except (OSError, TimeoutError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError) as error:
            log.warning("event=token_check_unavailable error=%r", str(error))
            await _refuse(send, 503, "the database is not reachable right now; try again shortly")
            return
        if grant is None:
            await _refuse(
                send,
                401,
                "authorization: this token is not valid (unknown, revoked or mistyped); "
                "create one with `video-metrics tokens create --key KEY`",
                challenge='Bearer realm="video-metrics", error="invalid_token"',
            )
            return
        if scope["path"] not in READABLE or scope["method"] not in READ_METHODS:
            readable = ", ".join(sorted(path.removeprefix("/api/v1/") for path in READABLE))
            await _refuse(
                send,
                403,
                f"authorization: a read-only token reads {readable}; managing keys and deleting "
                "sessions need METRICS_USER and METRICS_PASSWORD",
            )
            return
        scope[_REACH] = Reach(frozenset(grant.keys))
        scope[AUTHENTICATED] = True
        await self.app(scope, receive, send)


async def _refuse(send: Send, status: int, message: str, challenge: str | None = None) -> None:
    answer = {"error": message}
    if status != 503:
        answer["parameter"] = "authorization"
    body = json.dumps(answer).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if challenge is not None:
        headers.append((b"www-authenticate", challenge.encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
