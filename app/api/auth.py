"""HTTP Basic auth for everything but the public paths, with credentials compared in constant time.

Deny by default: the public paths are listed (the ingest socket, health checks, the snippet and
demo), so a page added later is protected without anyone remembering to protect it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Awaitable, Sequence

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

# Open to anyone: pages embed the snippet and open the socket from other sites; load balancers
# and orchestrators probe health; the OpenAPI document describes the API but holds no data.
PUBLIC_PATHS = ("/socket", "/healthz", "/readyz", "/static", "/demo", "/openapi.json", "/favicon.ico")

REALM = "Application"

# Set on a request's scope by a layer before this one that authenticated it otherwise (a
# read-only token, app/api/bearer.py): it passes here, with what that layer allowed it.
AUTHENTICATED = "video_metrics.authenticated"


class BasicAuth:
    """ASGI middleware: a request to a non-public path needs the configured user and password."""

    def __init__(
        self, app: ASGIApp, *, user: str, password: str, public: Sequence[str] = PUBLIC_PATHS
    ) -> None:
        if not user or not password:
            raise ValueError("BasicAuth needs a user and a password")
        self.app = app
        self._credentials = BasicCredentials(user, password)
        self._public = tuple(path.rstrip("/") for path in public)

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # Passing through returns the app's awaitable rather than awaiting it: a public websocket
        # (the ingest socket, open for minutes) then keeps no frame of this layer alive.
        if (
            scope["type"] not in ("http", "websocket")
            or self._is_public(scope["path"])
            or scope.get(AUTHENTICATED) is True
        ):
            return self.app(scope, receive, send)
        return self._guard(scope, receive, send)

    async def _guard(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope)
        if self._is_preflight(scope, headers) or self._credentials.admit(headers.get("authorization")):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        await _unauthorized(send, page="text/html" in headers.get("accept", ""))

    def _is_public(self, path: str) -> bool:
        return any(path == public or path.startswith(public + "/") for public in self._public)

    @staticmethod
    def _is_preflight(scope: Scope, headers: Headers) -> bool:
        # Browsers send CORS preflights without credentials; they carry no data either way.
        return (
            scope["type"] == "http"
            and scope["method"] == "OPTIONS"
            and "origin" in headers
            and "access-control-request-method" in headers
        )


class BasicCredentials:
    """The configured user and password, and whether an Authorization header carries them: for
    this middleware, and for the MCP endpoint, which accepts them too (app/mcp/access.py)."""

    def __init__(self, user: str, password: str) -> None:
        # Digests of equal length, so that comparing them reveals nothing, not even the length.
        self._user = _digest(user.encode("utf-8"))
        self._password = _digest(password.encode("utf-8"))

    def admit(self, header: str | None) -> bool:
        if header is None:
            return False
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            return False
        user, colon, password = decoded.partition(b":")
        if not colon:
            return False
        # Both comparisons always run: which one failed is not told by the time taken.
        user_ok = hmac.compare_digest(_digest(user), self._user)
        password_ok = hmac.compare_digest(_digest(password), self._password)
        return user_ok & password_ok


def _digest(value: bytes) -> bytes:
    return hashlib.sha256(value).digest()


# What a person sees who cancels the browser's sign-in dialog, or whose sign-in failed: the
# dialog comes back on reload. No script, no style from elsewhere: it needs no policy of its own.
_SIGN_IN_PAGE = b"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in - video-metrics</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><h1>Sign in to video-metrics</h1>
<p>This server asks for its user name and password (<code>METRICS_USER</code> and
<code>METRICS_PASSWORD</code>). <a href="">Reload this page</a> to sign in again.</p></body></html>
"""


async def _unauthorized(send: Send, *, page: bool = False) -> None:
    """401 with the challenge that makes a browser ask for credentials (again, after a wrong
    pair); a page for browsers that asked for one, the API's JSON error otherwise."""
    body = _SIGN_IN_PAGE
    media = b"text/html; charset=utf-8"
    if not page:
        media = b"application/json"
        body = json.dumps(
            {"error": "authorization: send the METRICS_USER and METRICS_PASSWORD with HTTP Basic auth"}
        ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 401,
            "headers": [
                (b"content-type", media),
                (b"content-length", str(len(body)).encode()),
                (b"www-authenticate", f'Basic realm="{REALM}"'.encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
