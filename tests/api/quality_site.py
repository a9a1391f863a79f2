"""A site whose sessions carry quality events, recorded through the websocket as this server's
snippet sends them, then placed on two days; every number the tests expect is worked out by hand
from the table below.

The quality summaries end in a state that does not run on (paused, ended, or a hidden page), or
with a fatal error, so that nothing is added with the server's clock; each session stays open
1.5 s, longer than any duration it reports (the server holds them within the session's length).

Session, client, day, segments of the 30 s video; then the quality events:

* A  chrome/linux/desktop, day 1, 0-30 (completed): impression; paused: startup 0.2, watch 0.8,
     playing 0.5, one stall of 0.1, two seeks of 0.3 in all, 1 Mbit/s
* B  firefox/windows/desktop, day 1, 0-5: impression, viewable; paused: startup 0.1, watch 0.6,
     playing 0.5, 3 Mbit/s
* C  safari/ios/mobile, day 1, 0-29 (completed): no impression; ended: startup 0.2, watch 0.4,
     playing 0.2, two stalls of 0.1 in all, one seek of 0.2
* D  chrome/android/mobile, day 1, nothing watched: impression; starting on a hidden page,
     watch 0.5: gave up
* E  chrome/linux/desktop, day 2, nothing watched: impression; starting, watch 0.3, then error
     4 "x": a startup failure
* F  edge/windows/desktop, day 2, 0-0.5: impression; playing: startup 0.3, watch 0.6, playing
     0.3, then an hls.js error: a playback failure
* G  chrome/linux/desktop, day 2: impression only, a player shown and never played
* H  firefox/windows/desktop, day 2: the same hls.js error as F before any play: no view
* I  chrome/linux/desktop, day 2, 0-10: no quality events (the published client)
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from tests.api.sessions import (
    CHROME_ANDROID,
    EDGE_WINDOWS,
    FIREFOX_WINDOWS,
    SAFARI_IPHONE,
    Watch,
    move,
    record_at_once,
)
from tests.support.phoenix import CHROME_LINUX
from tests.support.server import ServerProcess

DAY1 = datetime(2024, 5, 1, 10, 10, tzinfo=UTC)
DAY2 = datetime(2024, 5, 2, 18, 30, tzinfo=UTC)
WINDOW = {
    "from": datetime(2024, 5, 1, tzinfo=UTC).timestamp(),
    "to": datetime(2024, 5, 4, tzinfo=UTC).timestamp(),
}
HLS_ERROR = {
    "name": "error",
    "code": "hls:fragLoadError",
    "message": "HTTP Error 403 for https://cdn.example/seg7.ts",
}
HLS_GROUP = ("hls:fragLoadError", "HTTP Error <n> for <url>")
MEDIA_GROUP = ("4", "x")


def _summary(state: str, **counters: Any) -> dict[str, Any]:
    return {"name": "playback", "state": state, "hidden": False, **counters}


IMPRESSION = {"name": "impression", "autoplay": False}
SESSIONS: dict[str, tuple[str, list[tuple[float, float]], list[dict[str, Any]]]] = {
    "A": (CHROME_LINUX, [(0, 30)], [
        IMPRESSION,
        _summary("playing", startup=0.2, watch=0.3, playing=0.1),
        _summary("paused", startup=0.2, watch=0.8, playing=0.5, rebuffers=1, rebuffering=0.1, seeks=2,
                 seeking=0.3, bitrate=1_000_000),
    ]),
    "B": (FIREFOX_WINDOWS, [(0, 5)], [
        IMPRESSION, {"name": "viewable"},
        _summary("paused", startup=0.1, watch=0.6, playing=0.5, bitrate=3_000_000),
    ]),
    "C": (SAFARI_IPHONE, [(0, 29)], [
        _summary("ended", startup=0.2, watch=0.4, playing=0.2, rebuffers=2, rebuffering=0.1, seeks=1,
                 seeking=0.2),
    ]),
    "D": (CHROME_ANDROID, [], [IMPRESSION, {**_summary("starting", watch=0.5), "hidden": True}]),
    "E": (CHROME_LINUX, [], [
        IMPRESSION, _summary("starting", watch=0.3), {"name": "error", "code": "4", "message": "x"},
    ]),
    "F": (EDGE_WINDOWS, [(0, 0.5)], [
        IMPRESSION, _summary("playing", startup=0.3, watch=0.6, playing=0.3), HLS_ERROR,
    ]),
    "G": (CHROME_LINUX, [], [IMPRESSION]),
    "H": (FIREFOX_WINDOWS, [], [HLS_ERROR]),
    "I": (CHROME_LINUX, [(0, 10)], []),
}  # fmt: skip
DAYS = {"A": DAY1, "B": DAY1, "C": DAY1, "D": DAY1 + timedelta(minutes=20)}


@dataclass
class QualitySite:
    server: ServerProcess
    key: str
    run: str
    ids: dict[str, uuid.UUID]
    started: dict[str, datetime]

    async def ask(self, endpoint: str, **params: Any) -> Any:
        """POST the parameters (the key's when no query is given) and the 200 answer."""
        params.setdefault("query", {"key": self.key})
        async with httpx.AsyncClient(base_url=self.server.base_url, timeout=60) as client:
            response = await client.post(f"/api/v1/{endpoint}", json=params)
        assert response.status_code == 200, response.text
        return response.json()

    async def refused(self, endpoint: str, **params: Any) -> tuple[int, str]:
        """The status and the parameter a refusal names."""
        async with httpx.AsyncClient(base_url=self.server.base_url, timeout=60) as client:
            response = await client.post(f"/api/v1/{endpoint}", json=params)
        return response.status_code, response.json().get("parameter", "")


async def record_quality_site(
    server: ServerProcess, database_url: str, auth: tuple[str, str] | None = None
) -> QualitySite:
    """Record the site with a new key (`auth`: the server's Basic auth user and password, when it
    asks for them: the dashboard's tests record it on their server)."""
    run = uuid.uuid4().hex[:10]
    async with httpx.AsyncClient(base_url=server.base_url, auth=auth) as client:
        key = (await client.post("/api/v1/keys")).json()["key"]
    watches = [
        Watch(
            {"clip": run},
            segments,
            30,
            "Quality clip",
            page=f"https://q.example/{name}",
            user_agent=agent,
            events=events,
            hold=1.5,
        )
        for name, (agent, segments, events) in SESSIONS.items()
    ]
    db = await asyncpg.connect(database_url)
    try:
        found = await record_at_once(server, key, db, watches)
        ids = dict(zip(SESSIONS, found, strict=True))
        started = {}
        for n, name in enumerate(SESSIONS):
            started[name] = DAYS.get(name, DAY2 + timedelta(minutes=n))
            await move(db, ids[name], started[name])
    finally:
        await db.close()
    return QualitySite(server, key, run, ids, started)


@pytest.fixture(scope="package")
async def quality_site(server: ServerProcess, database_url: str) -> QualitySite:
    """The site, recorded once per package that imports this fixture into its conftest (a few
    seconds: each session stays open 1.5 s); nothing changes it afterwards. Per package, not per
    run: its sessions are dated May 2024, and tests/db's retention sweep deletes every session
    older than a year from the shared database."""
    return await record_quality_site(server, database_url)
