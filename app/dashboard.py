"""The dashboard's routes: one HTML shell for every page, under a strict Content-Security-Policy.

The dashboard is a face of the public REST API and nothing else (static/dashboard/, plain ES
modules without a build step): the server only hands out the shell at each page's path, so that
a pasted link and a reload land on the same view, and its modules. It sits behind the same Basic
auth as the API (app/api/auth.py protects every path that is not listed as public).

The policy allows scripts and styles from this server only, and one inline script by its hash:
the import map that lets the vendored Preact modules import each other by name (an import map
cannot be an external file). No eval, no inline handlers, no request to another origin.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from functools import cache

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from app.web import STATIC_DIR, StaticHeaders

DASHBOARD_DIR = STATIC_DIR / "dashboard"
SHELL = DASHBOARD_DIR / "index.html"
# Each page's path; the shell's router (static/dashboard/app.js) picks the page from it. None
# collides with /api, /static, /socket, /demo, /metrics, /healthz, /readyz or /openapi.json.
PAGES = ("/", "/videos", "/video", "/live", "/keys")
# Modules change with the server: revalidated on every load (a cheap 304 by ETag), so that an
# upgrade never runs a mix of old and new modules. The vendored files carry their version in
# their path and keep the static files' caching.
MODULE_CACHE_CONTROL = "no-cache"

_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL)
_IMPORT_MAP = re.compile(r'<script type="importmap">(.*?)</script>', re.DOTALL)
_PRELOAD_HERE = "<!-- modulepreload -->"
# Classic scripts, not modules.
_NOT_MODULES = ("theme.js",)


def dashboard_routes() -> list[BaseRoute]:
    """The pages, and the dashboard's own modules (mounted before /static, which they are in)."""
    modules = StaticHeaders(StaticFiles(directory=DASHBOARD_DIR), cache_control=MODULE_CACHE_CONTROL)
    return [
        *(Route(path, shell, methods=["GET"]) for path in PAGES),
        Mount("/static/dashboard", app=modules, name="dashboard"),
    ]


@cache
def _shell() -> tuple[bytes, str]:
    """The shell's bytes and its policy, read once: the policy names the inline scripts' hashes."""
    page = SHELL.read_text(encoding="utf-8").replace(
        _PRELOAD_HERE, "\n".join(preload_links(SHELL.read_text()))
    )
    return page.encode("utf-8"), content_security_policy(page)


def preload_links(page: str) -> list[str]:
    """A modulepreload link for every module of the dashboard and each one the import map names:
    fetched at once, the modules cost one round trip instead of one per level of imports (about
    300 ms of a first view on a loaded machine, measured by benchmarks/dashboard_benchmark.py)."""
    found = _IMPORT_MAP.search(page)
    vendored = list(json.loads(found.group(1))["imports"].values()) if found else []
    own = sorted(
        "/static/dashboard/" + path.relative_to(DASHBOARD_DIR).as_posix()
        for path in DASHBOARD_DIR.rglob("*.js")
        if path.name not in _NOT_MODULES
    )
    return [f'<link rel="modulepreload" href="{html.escape(href)}">' for href in [*own, *vendored]]


def content_security_policy(page: str) -> str:
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script.encode('utf-8')).digest()).decode()}'"
        for script in _INLINE_SCRIPT.findall(page)
    )
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src 'self' {hashes}".strip(),
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "font-src 'self'",
            "manifest-src 'self'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


async def shell(request: Request) -> Response:
    body, policy = _shell()
    return HTMLResponse(
        body,
        headers={
            "Content-Security-Policy": policy,
            "Cache-Control": "no-cache",
            "X-Content-Type-Options": "nosniff",
            # The URL holds the scope (an API key, a page filter): never sent elsewhere.
            "Referrer-Policy": "same-origin",
            "Cross-Origin-Opener-Policy": "same-origin",
        },
    )
