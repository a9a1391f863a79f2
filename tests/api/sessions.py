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
    """One playback session: which video, on which page, in which browser, which segments; and
    the quality events this server's snippet would send (docs/PROTOCOL.md), before them."""

    metadata: dict[str, Any]
    segments: list[tuple[float, float]]
    duration: float
    identifier: str | None = None
    page: str = "https://shop.example.com/products/shoes"
    user_agent: str = CHROME_LINUX
    events: list[dict[str, Any]] = field(default_factory=list)
    # Seconds the session stays open before it leaves: the server holds every quality duration
    # within the session's length, so a summary of 0.8 s needs a session at least that long.
    hold: float = 0.0


async def record(server: ServerProcess, key: str, watch: Watch) -> None:
    """Join, send the quality events, play and pause each segment, leave: the session is
    written when it ends."""
    sock = await PhoenixSocket.open(server.ws_url(source_url=watch.page), watch.user_agent)
    topic = f"session:{uuid.uuid4().hex[:20]}"
    extra: dict[str, Any] = {"source_url": watch.page}
    if watch.identifier is not None:
        extra["identifier"] = watch.identifier
    join_ref, reply = await sock.join(topic, key, watch.metadata, **extra)
    assert ok(reply), reply
    for event in watch.events:
        assert ok(await sock.push(join_ref, topic, event)), event
    for start, end in watch.segments:
        await sock.push(join_ref, topic, {"name": "play", "from": start, "duration": watch.duration})
        await sock.push(join_ref, topic, {"name": "pause", "to": end, "duration": watch.duration})
    if watch.hold:
        await asyncio.sleep(watch.hold)
    await sock.send([join_ref, sock.next_ref(), topic, "phx_leave", {}])
    await sock.close()


async def record_at_once(
    server: ServerProcess, key: str, db: asyncpg.Connection, watches: list[Watch]
) -> list[uuid.UUID]:
    """Record every session at the same time (each on a page of its own, which names it) and
    wait until all are stored; their ids in the order given."""
    pages = [watch.page for watch in watches]
    assert len(set(pages)) == len(pages), "each session needs a page of its own here"
    await asyncio.gather(*(record(server, key, watch) for watch in watches))
    deadline = time.monotonic() + 20.0
    while True:
        rows = await db.fetch(
            "SELECT s.id, s.page_url FROM sessions s JOIN keys k ON k.id = s.key_id"
            " WHERE k.key = $1 AND s.final",
            key,
        )
        found = {row["page_url"]: row["id"] for row in rows}
        if all(page.split("?")[0].split("#")[0] in found for page in pages):
            return [found[page.split("?")[0].split("#")[0]] for page in pages]
        assert time.monotonic() < deadline, "the sessions were not stored in time"
        await asyncio.sleep(0.05)


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
    """Give a recorded session another start time, to place it in a bucket of a test's choosing;
    every other column (the quality ones too) stays as it was.

    Deleted and inserted again rather than updated: TimescaleDB cannot move a row between
    chunks with an UPDATE of the partition column (timescale/timescaledb#1052)."""
    await db.execute(
        """
        WITH moved AS (DELETE FROM sessions WHERE id = $1 RETURNING *)
        INSERT INTO sessions
        SELECT (jsonb_populate_record(NULL::sessions, to_jsonb(moved) || jsonb_build_object(
                    'started_at', $2::timestamptz, 'ended_at', greatest(moved.ended_at, $2::timestamptz)))).*
        FROM moved
        """,
        session_id,
        started_at,
    )
