"""`serve --workers N` as an operator runs it: N processes on one port, one database, and each with
folders of its own; a killed worker's viewers drop out of the live count within 15 s."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

import asyncpg
import httpx

from tests.support.phoenix import PhoenixSocket, ok, topic
from tests.support.server import ServerFactory
from tests.support.stored import final_sessions


def children(pid: int) -> list[int]:
    """Worker processes of the server: the children uvicorn spawned (multiprocessing's spawn)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat[stat.rindex(")") + 2 :].split()[1])
            if parent == pid and b"spawn_main" in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
    return found


async def fresh_live_rows(db: asyncpg.Connection) -> list[asyncpg.Record]:
    return await db.fetch(
        "SELECT process_id, playing FROM live_processes WHERE updated_at > now() - interval '10 seconds'"
    )


async def test_two_workers_share_the_port_and_the_database(
    make_server: ServerFactory, db: asyncpg.Connection
) -> None:
    # Other servers of the suite may share the database (the session's shared one): their live
    # rows are not this server's.
    others = {row["process_id"] for row in await fresh_live_rows(db)}
    server = make_server(METRICS_WORKERS="2", METRICS_CHECKPOINT_INTERVAL="1").start()
    assert server.process is not None
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        key = (await client.post("/api/v1/keys")).json()["key"]
    for _ in range(100):
        workers = children(server.process.pid)
        if len(workers) == 2:
            break
        await asyncio.sleep(0.2)
    assert len(workers) == 2
    await asyncio.sleep(1.5)  # both have published
    ours = {row["process_id"] for row in await fresh_live_rows(db)} - others

    sockets = []
    for n in range(24):
        sock = await PhoenixSocket.open(server.ws_url())
        ref, reply = await sock.join(topic(n), key, {"vid": n % 3})
        assert ok(reply)
        assert ok(await sock.push(ref, topic(n), {"name": "play", "from": 0, "duration": 600}))
        sockets.append(sock)
    await asyncio.sleep(2.0)  # each worker publishes its live row every second
    rows = [row for row in await fresh_live_rows(db) if row["process_id"] in ours]
    assert len(rows) == 2  # one per worker
    assert sum(row["playing"] for row in rows) == 24
    assert (server.data_dir / "worker-1").is_dir()  # the second worker's own files

    # A worker killed outright: its viewers leave the count within 15 s (uvicorn starts another).
    on_killed = {row["process_id"]: row["playing"] for row in rows}
    os.kill(workers[0], signal.SIGKILL)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        now = [row for row in await fresh_live_rows(db) if row["process_id"] in on_killed]
        if len(now) == 1:
            break
        await asyncio.sleep(0.5)
    [survivor] = now
    assert survivor["playing"] == on_killed[survivor["process_id"]]

    for sock in sockets:
        await sock.close()
    await asyncio.to_thread(server.stop)
    # Every session stored once: those on the survivor ended at the close, those on the killed
    # worker at their last checkpoint (made final by the next start, or any other process).
    rows_stored = await db.fetchval(
        "SELECT count(DISTINCT s.id) FROM sessions s JOIN keys k ON k.id = s.key_id WHERE k.key = $1", key
    )
    assert rows_stored == 24
    # The survivor's are final at once; the killed worker's too once a sweep has run (it may have).
    await final_sessions(db, key, survivor["playing"], timeout=10, at_least=True)
