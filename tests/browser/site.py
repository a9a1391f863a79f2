"""Pages at made-up origins (http://shop.example.test/…), served by Playwright's request routing.

The snippet is embedded on other people's sites, so the tests load it the same way: a page on one
origin, the snippet and the socket on another. Assets are read from `static/` when no server is
involved; video requests get byte ranges, as a real file server gives them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

STATIC = Path(__file__).resolve().parents[2] / "static"

_TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".webm": "video/webm"}


class Site:
    """Serves `pages` (path → HTML) and `static/` files at `origin` inside one browser context."""

    def __init__(self, origin: str = "http://shop.example.test") -> None:
        self.origin = origin
        self.pages: dict[str, str] = {}
        self.files: dict[str, bytes] = {}  # name → body, served before static/

    def url(self, path: str) -> str:
        return self.origin + path

    def page(self, path: str, html: str) -> str:
        self.pages[path] = html
        return self.url(path)

    async def install(self, context: Any) -> None:
        await context.route(self.origin + "/**", self._fulfil)

    async def _fulfil(self, route: Any) -> None:
        request = route.request
        path = urlsplit(request.url).path
        if path in self.pages:
            await route.fulfill(status=200, content_type="text/html", body=self.pages[path])
            return
        name = path.lstrip("/")
        file = STATIC / name
        if name not in self.files and (not re.fullmatch(r"[\w.-]+", name) or not file.is_file()):
            await route.fulfill(status=404, body="not found")
            return
        if name not in self.files:
            self.files[name] = file.read_bytes()
        body = self.files[name]
        headers = {"Accept-Ranges": "bytes", "Access-Control-Allow-Origin": "*"}
        kind = _TYPES.get(Path(name).suffix, "application/octet-stream")
        wanted = re.fullmatch(r"bytes=(\d+)-(\d*)", request.headers.get("range", ""))
        if wanted:
            start = int(wanted.group(1))
            end = int(wanted.group(2)) if wanted.group(2) else len(body) - 1
            end = min(end, len(body) - 1)
            headers["Content-Range"] = f"bytes {start}-{end}/{len(body)}"
            await route.fulfill(status=206, content_type=kind, headers=headers, body=body[start : end + 1])
            return
        await route.fulfill(status=200, content_type=kind, headers=headers, body=body)


def video_page(script: str, *, snippet: str = "/metrics.js", video: str = "/demo.webm") -> str:
    """A page with one muted video `#v` and the snippet loaded as a classic script."""
    return f"""<!doctype html>
<html><body>
<video id="v" src="{video}" preload="auto" muted playsinline></video>
<script src="{snippet}"></script>
<script>{script}</script>
</body></html>"""
