"""Recording sessions the way a browser does: a real websocket to the real server, play and pause."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from tests.support.phoenix import CHROME_LINUX, PhoenixSocket, ok
from tests.support.server import ServerProcess

FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0"
EDGE_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)


@dataclass(frozen=True)
class Watch:
    """One playback session: which video, on which page, in which browser, which segments."""

    metadata: dict[str, Any]
    segments: list[tuple[float, float]]
    duration: float
    identifier: str | None = None
    page: str = "https://shop.example.com/products/shoes"
    user_agent: str = CHROME_LINUX
    extra: dict[str, Any] = field(default_factory=dict)


async def record(server: ServerProcess, key: str, watch: Watch) -> None:
    """Join, play and pause each segment, leave: the session is written when it ends."""
    sock = await PhoenixSocket.open(server.ws_url(source_url=watch.page), watch.user_agent)
    topic = f"session:{uuid.uuid4().hex[:20]}"
    extra: dict[str, Any] = {"source_url": watch.page}
    if watch.identifier is not None:
        extra["identifier"] = watch.identifier
    join_ref, reply = await sock.join(topic, key, watch.metadata, **extra)
    assert ok(reply), reply
    for start, end in watch.segments:
        await sock.push(join_ref, topic, {"name": "play", "from": start, "duration": watch.duration})
        await sock.push(join_ref, topic, {"name": "pause", "to": end, "duration": watch.duration})
    await sock.send([join_ref, sock.next_ref(), topic, "phx_leave", {}])
    await sock.close()


async def record_all(
    server: ServerProcess, key: str, db: asyncpg.Connection, watches: list[Watch]
) -> list[uuid.UUID]:
    """Record every session and wait until all are stored; their ids in the order given."""
    ids: list[uuid.UUID] = []
    for watch in watches:
        before = await _stored(db, key)
        await record(server, key, watch)
        ids.append(await _next_stored(db, key, before))
    return ids


async def _stored(db: asyncpg.Connection, key: str) -> set[uuid.UUID]:
    rows = await db.fetch(
        "SELECT s.id FROM sessions s JOIN keys k ON k.id = s.key_id WHERE k.key = $1 AND s.final",
        key,
    )
    return {row["id"] for row in rows}


async def _next_stored(db: asyncpg.Connection, key: str, before: set[uuid.UUID]) -> uuid.UUID:
    deadline = time.monotonic() + 10.0
    while time.monotonic() < deadline:
        new = await _stored(db, key) - before
        if new:
            assert len(new) == 1, new
            return new.pop()
        await asyncio.sleep(0.05)
    raise AssertionError("the session was not stored in time")


async def move(db: asyncpg.Connection, session_id: uuid.UUID, started_at: Any) -> None:
    """Give a recorded session another start time, to place it in a bucket of a test's choosing.

    Deleted and inserted again rather than updated: TimescaleDB cannot move a row between
    chunks with an UPDATE of the partition column (timescale/timescaledb#1052)."""
    await db.execute(
        """
        WITH moved AS (DELETE FROM sessions WHERE id = $1 RETURNING *)
        INSERT INTO sessions (id, started_at, ended_at, key_id, video_id, browser, platform, device,
                              page_host, page_url, segments, watched, unique_watched, final)
        SELECT id, $2, greatest(ended_at, $2), key_id, video_id, browser, platform, device,
               page_host, page_url, segments, watched, unique_watched, final
        FROM moved
        """,
        session_id,
        started_at,
    )
