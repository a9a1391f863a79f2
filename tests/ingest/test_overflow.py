"""A long database outage under load: memory stays bounded, and still nothing is lost or doubled.

Past `METRICS_WRITE_QUEUE_LIMIT` sessions waiting in memory, rows wait on disk
(app/ingest/journal.py) and are written once the database is back.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.support.files import until_gone
from tests.support.phoenix import PhoenixSocket, ok, topic
from tests.support.proxy import DatabaseProxy
from tests.support.server import ServerFactory, ServerProcess
from tests.support.stored import final_sessions, stored_rows


@pytest.fixture
async def proxy(database_url: str) -> AsyncIterator[DatabaseProxy]:
    proxy = DatabaseProxy(database_url)
    await proxy.start()
    yield proxy
    await proxy.cut()


async def join_playing(server: ServerProcess, key: str, count: int) -> tuple[PhoenixSocket, list[str]]:
    """`count` sessions playing on one socket, joined while the database can still check the key."""
    sock = await PhoenixSocket.open(server.ws_url())
    refs = []
    for n in range(count):
        ref, reply = await sock.join(topic(n), key, {"vid": n})
        assert ok(reply)
        await sock.push(ref, topic(n), {"name": "play", "from": 0, "duration": 600})
        refs.append(ref)
    return sock, refs


async def leave(sock: PhoenixSocket, ref: str, n: int) -> None:
    await sock.push(ref, topic(n), {"name": "pause", "to": "3.00", "duration": 600})
    assert ok(await sock.call([ref, sock.next_ref(), topic(n), "phx_leave", {}]))


def lines(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


async def until_lines(path: Path, count: int, within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while (seen := lines(path)) != count:
        assert time.monotonic() < deadline, f"{path.name} has {seen} lines, not {count}"
        await asyncio.sleep(0.05)


async def metric(server: ServerProcess, name: str) -> float:
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        text = (await client.get("/metrics")).text
    [value] = [line.split()[-1] for line in text.splitlines() if line.startswith(name + " ")]
    return float(value)


async def test_past_the_limit_sessions_wait_on_disk_and_are_all_stored_once(
    make_server: ServerFactory, proxy: DatabaseProxy, api_key: str, db: asyncpg.Connection
) -> None:
    server = await asyncio.to_thread(make_server(proxy.url, METRICS_WRITE_QUEUE_LIMIT="5").start)
    overflow = server.data_dir / "overflow-sessions.jsonl"
    sock, refs = await join_playing(server, api_key, 12)
    await proxy.cut()

    for n in range(5):  # at the limit: all in memory
        await leave(sock, refs[n], n)
    await asyncio.sleep(0.5)  # five flush intervals of the test server
    assert not overflow.exists()
    assert await metric(server, "video_metrics_write_queue_depth") == 5

    for n in range(5, 12):  # past it: each on disk
        await leave(sock, refs[n], n)
    await until_lines(overflow, 7)
    assert await metric(server, "video_metrics_write_queue_depth") == 5
    assert await metric(server, "video_metrics_sessions_overflowed_total") == 7
    assert "event=sessions_overflowed" in server.logs()
    assert await stored_rows(db, api_key) == 0

    await proxy.start()
    rows = await final_sessions(db, api_key, 12, timeout=15)
    assert sorted(row["metadata"]["vid"] for row in rows) == list(range(12))
    assert all(row["watched"] == 3.0 for row in rows)
    assert await stored_rows(db, api_key) == 12
    await until_gone(overflow, server.data_dir / "overflow-sessions.writing.jsonl")
    await sock.close()
    await asyncio.to_thread(server.stop)


async def test_checkpoints_replace_the_waiting_row_of_their_session(
    make_server: ServerFactory, proxy: DatabaseProxy, api_key: str, db: asyncpg.Connection
) -> None:
    """Open sessions checkpoint every interval; while the database is away that must not grow
    the queue, or a long outage would overflow with nothing but stale checkpoints."""
    server = await asyncio.to_thread(
        make_server(proxy.url, METRICS_WRITE_QUEUE_LIMIT="4", METRICS_CHECKPOINT_INTERVAL="0.5").start
    )
    sock, _ = await join_playing(server, api_key, 4)
    await proxy.cut()
    await asyncio.sleep(3.0)  # six checkpoints of each of the four
    assert not (server.data_dir / "overflow-sessions.jsonl").exists()
    assert await metric(server, "video_metrics_write_queue_depth") == 4
    await sock.close()  # the final rows replace the checkpoints
    await proxy.start()
    rows = await final_sessions(db, api_key, 4, timeout=15)
    assert all(row["watched"] >= 3.0 for row in rows)
    assert await stored_rows(db, api_key) == 4
    await asyncio.to_thread(server.stop)


async def test_a_stop_during_the_outage_keeps_memory_and_overflow_for_the_next_start(
    make_server: ServerFactory,
    proxy: DatabaseProxy,
    api_key: str,
    db: asyncpg.Connection,
) -> None:
    server = await asyncio.to_thread(
        make_server(proxy.url, METRICS_WRITE_QUEUE_LIMIT="2", METRICS_SHUTDOWN_FLUSH_SECONDS="1").start
    )
    sock, refs = await join_playing(server, api_key, 5)
    await proxy.cut()
    for n in range(5):
        await leave(sock, refs[n], n)
    await until_lines(server.data_dir / "overflow-sessions.jsonl", 3)
    assert await asyncio.to_thread(server.stop, signal.SIGTERM) in (0, -signal.SIGTERM)
    assert lines(server.data_dir / "pending-sessions.jsonl") == 2
    await sock.close()

    await proxy.start()
    again = await asyncio.to_thread(ServerProcess(proxy.url, server.data_dir).start)
    try:
        rows = await final_sessions(db, api_key, 5, timeout=15)
        assert sorted(row["metadata"]["vid"] for row in rows) == list(range(5))
        assert await stored_rows(db, api_key) == 5
        names = ["pending-sessions.jsonl", "overflow-sessions.jsonl", "overflow-sessions.writing.jsonl"]
        await until_gone(*(server.data_dir / name for name in names))
    finally:
        await asyncio.to_thread(again.stop)
