"""The dashboard's routes: one HTML shell for every page, under a strict Content-Security-Policy.

The dashboard is a face of the public REST API and nothing else (static/dashboard/, plain ES
modules without a build step): the server only hands out the shell at each page's path, so that
a pasted link and a reload land on the same view, and its modules. It sits behind the same Basic
auth as the API (app/api/auth.py protects every path that is not listed as public).

The policy allows scripts and styles from this server only, and two inline scripts by their
hashes: the import map that lets the vendored Preact modules import each other by name (an import
map cannot be an external file), and the three lines that set the chosen theme before the first
paint (a file would hold up the page). No eval, no inline handlers, no request to another origin.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from app.web import STATIC_DIR, StaticHeaders

DASHBOARD_DIR = STATIC_DIR / "dashboard"
SHELL = DASHBOARD_DIR / "index.html"
# Each page's path and module; the shell's router (static/dashboard/app.js and pages/index.js)
# picks the page from the path and loads its module. No path collides with /api, /static,
# /socket, /demo, /metrics, /healthz, /readyz or /openapi.json.
PAGES = {
    "/": "pages/overview.js",
    "/videos": "pages/videos.js",
    "/video": "pages/video.js",
    "/quality": "pages/quality.js",
    "/live": "pages/live.js",
    "/keys": "pages/keys.js",
}
# Modules change with the server: revalidated on every load (a cheap 304 by ETag), so that an
# upgrade never runs a mix of old and new modules. The vendored files carry their version in
# their path and keep the static files' caching.
MODULE_CACHE_CONTROL = "no-cache"

_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL)
_IMPORT_MAP = re.compile(r'<script type="importmap">(.*?)</script>', re.DOTALL)
_PRELOAD_HERE = "<!-- modulepreload -->"
# The module that asks the API while the others load, and the app.
PREFETCH = "prefetch.js"
APP = "app.js"
_RELATIVE_IMPORT = re.compile(r'^(?:import|export)\b[^;]*?\bfrom\s+"(\.{1,2}/[^"]+)"', re.MULTILINE)


def dashboard_routes() -> list[BaseRoute]:
    """The pages, and the dashboard's own modules (mounted before /static, which they are in)."""
    modules = StaticHeaders(StaticFiles(directory=DASHBOARD_DIR), cache_control=MODULE_CACHE_CONTROL)
    return [
        *(Route(path, shell, methods=["GET"]) for path in PAGES),
        Mount("/static/dashboard", app=modules, name="dashboard"),
    ]


@cache
def _shell(path: str) -> tuple[bytes, str]:
    """A page's shell and its policy, made once: the policy names the inline scripts' hashes."""
    page = SHELL.read_text(encoding="utf-8")
    page = page.replace(_PRELOAD_HERE, "\n".join(preload_links(page, PAGES[path])))
    return page.encode("utf-8"), content_security_policy(page)


def preload_links(page: str, module: str) -> list[str]:
    """A modulepreload link for each module the page at hand runs, so that they are fetched at
    once instead of one level of imports after another: first those prefetch.js needs, so that
    the view's API requests start as early as they can, then the vendored ones the import map
    names, the app's and the page's own (benchmarks/dashboard_benchmark.py measures it). The
    other pages' modules are loaded when they are shown."""
    found = _IMPORT_MAP.search(page)
    vendored = list(json.loads(found.group(1))["imports"].values()) if found else []
    first = _graph(DASHBOARD_DIR / PREFETCH)
    then: list[Path] = []
    for start in (APP, module):
        then += [path for path in _graph(DASHBOARD_DIR / start) if path not in first + then]
    own = ["/static/dashboard/" + path.relative_to(DASHBOARD_DIR).as_posix() for path in first + then]
    hrefs = [*own[: len(first)], *vendored, *own[len(first) :]]
    return [f'<link rel="modulepreload" href="{html.escape(href)}">' for href in hrefs]


def _graph(module: Path) -> list[Path]:
    """`module` and every dashboard module it imports, directly or not (static, relative imports:
    the pages, imported when shown, are not part of the app's graph)."""
    found: list[Path] = []
    waiting = [module.resolve()]
    while waiting:
        current = waiting.pop(0)
        if current in found or not current.is_file():
            continue
        found.append(current)
        text = current.read_text(encoding="utf-8")
        waiting += [(current.parent / name).resolve() for name in _RELATIVE_IMPORT.findall(text)]
    return found


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
    body, policy = _shell(request.url.path)
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
