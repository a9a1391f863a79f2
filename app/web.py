"""What the browser gets: the snippet and other static files, and the demo page with its key.

The snippet is embedded on other people's sites, so every static response may be used from any
origin (an ES module import needs `Access-Control-Allow-Origin`; a classic script tag does not) and
carries an ETag (from StaticFiles) with a short Cache-Control: the snippet's URL is stable, so a
new version must reach pages within the hour, while revalidation stays a cheap 304.
"""

from __future__ import annotations

import base64
import html
import logging
import secrets

import asyncpg
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.resources import resource_dir

log = logging.getLogger("video_metrics.web")

STATIC_DIR = resource_dir("static")
STATIC_CACHE_CONTROL = "public, max-age=3600"

DEMO_SETTING = "demo_key"
DEMO_KEY_PLACEHOLDER = "{{demo_key}}"
# Serialises the first start of several processes so that exactly one demo key is created.
_DEMO_LOCK_ID = 0x5649_4445_4F44  # "VIDEOD"


class StaticHeaders:
    """ASGI wrapper: cross-origin and caching headers on every successful static response."""

    def __init__(self, app: ASGIApp, cache_control: str = STATIC_CACHE_CONTROL) -> None:
        self.app = app
        self.cache_control = cache_control

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        module = str(scope.get("path", "")).endswith(".mjs")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400:
                headers = MutableHeaders(scope=message)
                headers["Cache-Control"] = self.cache_control
                headers["Access-Control-Allow-Origin"] = "*"
                # Pages that isolate themselves (COEP) may still load the snippet and the clip.
                headers["Cross-Origin-Resource-Policy"] = "cross-origin"
                headers["X-Content-Type-Options"] = "nosniff"
                if module:
                    # Browsers refuse a module script served with any other type; do not rely on
                    # the host's mime.types knowing `.mjs`.
                    headers["Content-Type"] = "text/javascript; charset=utf-8"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def web_routes() -> list[BaseRoute]:
    """The routes to mount in the app: `/static/…` and `/demo`."""
    static = StaticHeaders(StaticFiles(directory=STATIC_DIR))
    return [
        Route("/demo", demo_page, methods=["GET"]),
        Mount("/static", app=static, name="static"),
    ]


async def demo_page(request: Request) -> Response:
    """The demo page with the demo key filled in, so it records on a fresh server."""
    key = await demo_key(request)
    page = (STATIC_DIR / "demo.html").read_text(encoding="utf-8")
    page = page.replace(DEMO_KEY_PLACEHOLDER, html.escape(key, quote=True))
    return HTMLResponse(page, headers={"Cache-Control": "no-cache"})


async def demo_key(request: Request) -> str:
    """The demo key, looked up once per process (the lifespan may have done it already)."""
    state = request.app.state
    key: str | None = getattr(state, "demo_key", None)
    if key is None:
        key = await ensure_demo_key(state.pool)
        state.demo_key = key
    return key


async def ensure_demo_key(pool: asyncpg.Pool) -> str:
    """Return the demo key, creating it (a row in `keys`) on the first start of a new database.

    It is remembered in `server_settings`, not recognised by its text, so a key someone chose
    through the API is never mistaken for it, and a revoked demo key stays revoked.
    """
    async with pool.acquire() as connection, connection.transaction():
        await connection.execute("SELECT pg_advisory_xact_lock($1)", _DEMO_LOCK_ID)
        key: str | None = await connection.fetchval(
            "SELECT value FROM server_settings WHERE name = $1", DEMO_SETTING
        )
        if key is None:
            key = base64.b64encode(secrets.token_bytes(16)).decode()
            await connection.execute("INSERT INTO keys (key) VALUES ($1)", key)
            await connection.execute(
                "INSERT INTO server_settings (name, value) VALUES ($1, $2)", DEMO_SETTING, key
            )
            log.info("event=demo_key_created")
        return key
