"""Who is calling a tool, and what they may read.

Over HTTP every call carries credentials, checked by the MCP SDK's auth support (its
`AuthenticationMiddleware` and `RequireAuthMiddleware`, which answer a call without them with
401 and the discovery document's address): a read-only token (`Bearer`), which reads its keys,
or the server's Basic credentials (METRICS_USER / METRICS_PASSWORD), which read every key. The
SDK puts what was admitted into a context variable for the call; `current_reach` reads it. Over
stdio there are no credentials: the process that launched the server is trusted with what it
was started for (every key, or the keys given with `--key`).
"""

from __future__ import annotations

from typing import Any

import asyncpg
from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser, BearerAuthBackend
from mcp.server.auth.provider import AccessToken
from starlette.authentication import AuthCredentials, AuthenticationBackend, AuthenticationError, BaseUser
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, Response

from app import tokens
from app.api.auth import BasicCredentials
from app.api.params import Reach
from app.db.reads import Reads

# The one scope a credential here grants: reading.
READ = "read"
_ADMIN = "admin"


def current_reach(default: Reach) -> Reach:
    """What the current call may read: its credentials' keys, or `default` without credentials."""
    access = get_access_token()
    if access is None:
        return default
    keys = (access.claims or {}).get("keys")
    return Reach(None if keys is None else frozenset(keys))


class TokenVerifier:
    """The SDK's `TokenVerifier` for read-only tokens: each call looks the token up in the
    database (the primary), so a revoked token is refused at the next call."""

    def __init__(self) -> None:
        self._reads: Reads | None = None

    def attach(self, reads: Reads) -> None:
        self._reads = reads

    async def verify_token(self, token: str) -> AccessToken | None:
        if self._reads is None:
            raise Unavailable("the server is still starting; try again in a moment")
        try:
            async with self._reads.primary.acquire() as connection:
                grant = await tokens.verify(connection, token)
        except (OSError, TimeoutError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError):
            raise Unavailable("the database is not reachable right now; try again shortly") from None
        if grant is None:
            return None
        # The client id names the token, so that an MCP session opened with one token cannot be
        # used with another (the SDK binds sessions to it).
        return AccessToken(
            token=token, client_id=f"token-{grant.id}", scopes=[READ], claims={"keys": list(grant.keys)}
        )


class Credentials(AuthenticationBackend):
    """Bearer tokens as the SDK checks them, and the server's Basic credentials when it has any."""

    def __init__(self, verifier: TokenVerifier, basic: BasicCredentials | None) -> None:
        self._bearer = BearerAuthBackend(verifier)
        self._basic = basic

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        header = conn.headers.get("authorization", "")
        if header[:6].lower() == "basic ":
            if self._basic is None or not self._basic.admit(header):
                return None
            admin = AccessToken(token="", client_id=_ADMIN, scopes=[READ], claims={"keys": None})
            return AuthCredentials([READ]), AuthenticatedUser(admin)
        found: Any = await self._bearer.authenticate(conn)
        return found  # type: ignore[no-any-return]


class Unavailable(AuthenticationError):
    """The credentials could not be checked (the database is away): neither admitted nor refused."""


def unavailable(conn: HTTPConnection, error: AuthenticationError) -> Response:
    """The answer when credentials could not be checked: 503, as the REST API answers then."""
    return JSONResponse({"error": str(error)}, status_code=503)
