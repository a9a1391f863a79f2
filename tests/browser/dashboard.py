"""The dashboard's tests share one server (Basic auth on, as in production) and one recorded week.

Sessions are recorded through the websocket as a browser records them, then moved to chosen start
times (tests/api/sessions.py), so that a week and the week before it hold known plays, one of
them 00:30 on a Wednesday in Berlin, which is still Tuesday in UTC.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import asyncpg
import httpx

from tests.api.sessions import (
    CHROME_ANDROID,
    EDGE_WINDOWS,
    FIREFOX_WINDOWS,
    SAFARI_IPHONE,
    Watch,
    move,
    record_all,
)
from tests.support.server import ServerProcess

USER, PASSWORD = "owner", "dashboard-test-password"
RUN = uuid.uuid4().hex[:8]
ALPHA = {"dash": "alpha", "run": RUN}
BETA = {"dash": "beta", "run": RUN}
SHOP = "https://shop.example.com/watch/alpha"
BLOG = "https://blog.example.com/post"

# The week shown (Monday 6 to Sunday 12 May 2024 in Berlin) and the week before.
WEEK = {"range": "custom", "from": "2024-05-06", "to": "2024-05-12"}
# 00:30 on Wednesday 8 May in Berlin (CEST), 22:30 on Tuesday 7 May in UTC.
BOUNDARY = datetime(2024, 5, 7, 22, 30, tzinfo=UTC)


def utc(month: int, day: int, hour: int) -> datetime:
    return datetime(2024, month, day, hour, tzinfo=UTC)


# Each playback and when it started.
RECORDED: list[tuple[Watch, datetime]] = [
    (Watch(ALPHA, [(0, 40)], 100, "Alpha", SHOP), utc(5, 6, 9)),
    (Watch(ALPHA, [(0, 20), (10, 20)], 100, "Alpha", BLOG, FIREFOX_WINDOWS), utc(5, 7, 12)),
    (Watch(ALPHA, [(0, 100)], 100, "Alpha", SHOP, SAFARI_IPHONE), BOUNDARY),
    (Watch(BETA, [(0, 60)], 60, "Beta", SHOP, EDGE_WINDOWS), utc(5, 10, 15)),
    (Watch(ALPHA, [(0, 0.5)], 100, "Alpha", SHOP), utc(5, 11, 10)),  # half a second: no play
    # The week before.
    (Watch(ALPHA, [(0, 30)], 100, "Alpha", SHOP, CHROME_ANDROID), utc(5, 1, 10)),
    (Watch(BETA, [(0, 30)], 60, "Beta", BLOG), utc(5, 3, 10)),
]


@dataclass(frozen=True)
class Dashboard:
    server: ServerProcess
    key: str

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def url(self, path: str, **state: Any) -> str:
        query = urlencode({name: value for name, value in state.items() if value is not None})
        return f"{self.base_url}{path}?{query}" if query else self.base_url + path

    async def api(self, endpoint: str, **params: Any) -> Any:
        """What the API answers, JSON-encoding what is not a string, as the dashboard does."""
        query = {name: v if isinstance(v, str) else json.dumps(v) for name, v in params.items()}
        async with httpx.AsyncClient(base_url=self.base_url, auth=(USER, PASSWORD), timeout=20) as client:
            response = await client.get(f"/api/v1/{endpoint}", params=query)
        assert response.status_code == 200, response.text
        return response.json()


async def start(database_url: str, folder: Any) -> Dashboard:
    server = ServerProcess(database_url, folder, METRICS_USER=USER, METRICS_PASSWORD=PASSWORD).start()
    async with httpx.AsyncClient(base_url=server.base_url, auth=(USER, PASSWORD)) as client:
        key = (await client.post("/api/v1/keys", json={"key": f"dash-{RUN}"})).json()["key"]
    db = await asyncpg.connect(database_url)
    try:
        ids = await record_all(server, key, db, [watch for watch, _ in RECORDED])
        for session_id, (_, started) in zip(ids, RECORDED, strict=True):
            await move(db, session_id, started)
    finally:
        await db.close()
    return Dashboard(server, key)


def week(dashboard: Dashboard, zone: str = "Europe/Berlin", **more: Any) -> dict[str, Any]:
    """The URL state of the recorded week: the key, the week, the zone, compared with the week
    before, plays of at least 1 s."""
    return {"key": dashboard.key, **WEEK, "tz": zone, "compare": "previous", "min": "1", **more}


def api_params(state: dict[str, Any]) -> dict[str, Any]:
    """What the dashboard asks the API for a URL state (docs/DASHBOARD.md says the same)."""
    query: dict[str, Any] = {}
    if state.get("key"):
        query["key"] = state["key"]
    if state.get("video"):
        query["video"] = json.loads(state["video"])
    params: dict[str, Any] = {
        "query": query or {"video": {}},
        "timezone": state["tz"],
        "minimum_watch_seconds": int(state["min"]),
        "timeframe": {"from": state["from"], "to": state["to"]},
    }
    for name in ("page", "browser", "device", "platform"):
        if state.get(name):
            params[name] = state[name]
    return params


def context_options(**more: Any) -> dict[str, Any]:
    """A browser as the site owner's: signed in, English in the US, on Berlin's clock."""
    return {
        "http_credentials": {"username": USER, "password": PASSWORD},
        "locale": "en-US",
        "timezone_id": "Europe/Berlin",
        "viewport": {"width": 1280, "height": 900},
        "accept_downloads": True,
        **more,
    }


class Watcher:
    """Console errors, failed scripts and any request that leaves the server, for one page."""

    def __init__(self, page: Any, origin: str) -> None:
        self.errors: list[str] = []
        self.elsewhere: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        page.on("request", lambda request: self._request(request, origin))

    def _console(self, message: Any) -> None:
        if message.type in ("error", "warning"):
            self.errors.append(f"console {message.type}: {message.text}")

    def _request(self, request: Any, origin: str) -> None:
        if not request.url.startswith((origin, "data:", "blob:")):
            self.elsewhere.append(request.url)


async def ready(page: Any) -> None:
    """Every answer the view at the page's URL asked for has arrived and is drawn."""
    await page.wait_for_function(
        "() => document.documentElement.dataset.ready === location.pathname + location.search", timeout=20_000
    )


async def cards(page: Any) -> dict[str, dict[str, Any]]:
    found: list[dict[str, Any]] = await page.eval_on_selector_all(
        ".card",
        """cards => cards.map(card => ({
            id: card.dataset.metric,
            value: card.querySelector('.card-value').dataset.value,
            text: card.querySelector('.card-value').textContent.trim(),
            change: card.querySelector('.card-change')?.dataset.value ?? null,
            change_text:
                card.querySelector('.card-change')?.textContent.replace('Change:', '').trim() ?? null,
        }))""",
    )
    return {card.pop("id"): card for card in found}


async def table(page: Any, table_id: str) -> tuple[list[str], list[list[str]]]:
    """A table's columns and its rows' values as the cells' data attributes hold them."""
    found: dict[str, Any] = await page.eval_on_selector(
        f'table[data-table="{table_id}"]',
        """table => {
            const rows = [...table.tBodies[0].rows].map(row => [...row.querySelectorAll('td[data-column]')]);
            return {
                columns: rows.length ? rows[0].map(cell => cell.dataset.column) : [],
                rows: rows.map(cells => cells.map(cell => cell.dataset.value)),
            };
        }""",
    )
    return found["columns"], found["rows"]


async def downloaded_csv(page: Any, button: str) -> tuple[list[str], list[list[str]]]:
    async with page.expect_download() as info:
        await page.click(button)
    download = await info.value
    path = Path(await download.path())
    text = await asyncio.to_thread(path.read_bytes)
    rows = list(csv.reader(io.StringIO(text.decode("utf-8"), newline="")))
    return rows[0], rows[1:]


def same_cell(shown: str, written: str) -> bool:
    """A CSV cell and a table cell hold the same value: the same text, or the same number."""
    if shown == written:
        return True
    try:
        return float(shown) == float(written)
    except ValueError:
        return False


def number(text: str | None) -> float | None:
    return None if text in (None, "") else float(text)


def random_key() -> str:
    return "dash-new-" + secrets.token_hex(4)
