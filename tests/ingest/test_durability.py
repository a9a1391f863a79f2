"""Nothing recorded is lost: not at shutdown, not while the database is away, not twice."""

from __future__ import annotations

import asyncio
import json
import signal
import time
import uuid

import asyncpg
import pytest

from app.db.pool import init_connection
from tests.support.databases import fresh_database
from tests.support.files import until_gone
from tests.support.phoenix import PhoenixSocket, ok, topic
from tests.support.proxy import DatabaseProxy
from tests.support.server import ServerFactory, ServerProcess
from tests.support.stored import final_sessions, stored_rows


async def open_playing(server: ServerProcess, key: str, sockets: int, per_socket: int) -> list[PhoenixSocket]:
    opened = []
    for s in range(sockets):
        sock = await PhoenixSocket.open(server.ws_url())
        for i in range(per_socket):
            n = s * per_socket + i
            ref, reply = await sock.join(topic(n), key, {"vid": n % 7})
            assert ok(reply)
            assert ok(await sock.push(ref, topic(n), {"name": "play", "from": 0, "duration": 600}))
        opened.append(sock)
    return opened


async def test_sigterm_with_200_playing_sessions_stores_all_200(
    make_server: ServerFactory, api_key: str, db: asyncpg.Connection
) -> None:
    server = make_server().start()
    sockets = await open_playing(server, api_key, sockets=10, per_socket=20)
    await asyncio.sleep(1.0)
    assert await asyncio.to_thread(server.stop, signal.SIGTERM) in (0, -signal.SIGTERM)
    rows = await final_sessions(db, api_key, 200)
    assert len({row["id"] for row in rows}) == 200
    assert all(row["watched"] >= 1.0 for row in rows)
    for sock in sockets:
        await sock.close()


async def test_database_away_for_10_seconds_loses_nothing_and_stores_nothing_twice(
    make_server: ServerFactory, api_key: str, db: asyncpg.Connection, database_url: str
) -> None:
    proxy = DatabaseProxy(database_url)
    await proxy.start()
    # Started from a thread: the proxy runs on this test's event loop and must keep serving.
    server = await asyncio.to_thread(make_server(proxy.url).start)
    sock = await PhoenixSocket.open(server.ws_url())
    refs = {}
    for n in range(6):
        refs[n], reply = await sock.join(topic(n), api_key, {"vid": "outage"})
        assert ok(reply)
        await sock.push(refs[n], topic(n), {"name": "play", "from": 0, "duration": 600})

    await proxy.cut()
    # Sessions end while the database is away: three leave, one more joins (the key is known),
    # and the socket closes, ending the rest.
    for n in range(3):
        await sock.push(refs[n], topic(n), {"name": "pause", "to": "2.00", "duration": 600})
        assert ok(await sock.call([refs[n], sock.next_ref(), topic(n), "phx_leave", {}]))
    late, reply = await sock.join(topic(99), api_key, {"vid": "outage"})
    assert ok(reply)
    await sock.push(late, topic(99), {"name": "play", "from": 0, "duration": 600})
    await asyncio.sleep(1.0)
    await sock.close()
    await asyncio.sleep(9.0)
    assert await stored_rows(db, api_key) == 0
    await proxy.start()

    rows = await final_sessions(db, api_key, 7, timeout=15)
    assert len({row["id"] for row in rows}) == 7
    # Three paused at 2 s and left; the late one played about 1 s; three played until the close.
    assert sum(1 for row in rows if row["watched"] == 2.0) == 3
    assert all(row["watched"] >= 0.9 for row in rows)
    await asyncio.sleep(1.0)  # any retried batch has landed by now: still one row each
    assert len(await final_sessions(db, api_key, 7)) == 7
    assert "event=write_failed" in server.logs()
    await asyncio.to_thread(server.stop)
    await proxy.cut()


async def test_sessions_unwritten_at_exit_are_journaled_and_stored_at_next_start(
    make_server: ServerFactory, api_key: str, db: asyncpg.Connection, database_url: str
) -> None:
    proxy = DatabaseProxy(database_url)
    await proxy.start()
    server = await asyncio.to_thread(make_server(proxy.url, METRICS_SHUTDOWN_FLUSH_SECONDS="1").start)
    sock = await PhoenixSocket.open(server.ws_url())
    for n in range(3):
        ref, _ = await sock.join(topic(n), api_key, {"vid": "journal"})
        await sock.push(ref, topic(n), {"name": "play", "from": 0, "duration": 600})
    await proxy.cut()
    assert await asyncio.to_thread(server.stop, signal.SIGTERM) in (0, -signal.SIGTERM)
    journal = server.data_dir / "pending-sessions.jsonl"
    assert len(journal.read_text().splitlines()) == 3
    await sock.close()

    # The same data folder, the database back: the journal is written and removed.
    await proxy.start()
    again = await asyncio.to_thread(ServerProcess(proxy.url, server.data_dir).start)
    try:
        rows = await final_sessions(db, api_key, 3)
        assert all(row["watched"] > 0 for row in rows)
        await until_gone(journal)
    finally:
        await asyncio.to_thread(again.stop)
        await proxy.cut()


async def test_a_journal_line_that_cannot_be_read_is_set_aside_and_the_rest_stored(
    make_server: ServerFactory, api_key: str, db: asyncpg.Connection, database_url: str
) -> None:
    """A journal edited by hand, or cut short by a full disk, must not stop the server starting."""
    first = await asyncio.to_thread(make_server().start)
    sock = await PhoenixSocket.open(first.ws_url())
    ref, _ = await sock.join(topic(1), api_key, {"vid": "template"})
    await sock.push(ref, topic(1), {"name": "play", "from": 0, "duration": 60})
    await sock.push(ref, topic(1), {"name": "pause", "to": "4.00", "duration": 60})
    await sock.close()
    [template] = await final_sessions(db, api_key, 1)
    await asyncio.to_thread(first.stop)

    # Two rows as a stop would have journaled them, and a line between them that is not one.
    def row(n: int) -> str:
        return json.dumps(
            {
                "id": str(uuid.uuid4()),
                "started_at": template["started_at"].isoformat(),
                "ended_at": template["ended_at"].isoformat(),
                "key_id": template["key_id"],
                "metadata": {"vid": f"journaled-{n}"},
                "identifier": None,
                "duration": 60.0,
                "browser": "firefox",
                "platform": "linux",
                "device": "desktop",
                "page_host": "example.com",
                "page_url": "/watch",
                "segments": [[0.0, 7.0]],
                "watched": 7.0,
                "unique_watched": 7.0,
                "final": True,
            }
        )

    journal = first.data_dir / "pending-sessions.jsonl"
    journal.write_text(f'{row(1)}\n{{"id": "cut short\n{row(2)}\n')
    again = await asyncio.to_thread(ServerProcess(database_url, first.data_dir).start)
    try:
        rows = await final_sessions(db, api_key, 3)
        assert sorted(r["metadata"]["vid"] for r in rows) == ["journaled-1", "journaled-2", "template"]
        [line] = (first.data_dir / "rejected-sessions.jsonl").read_text().splitlines()
        assert json.loads(line)["line"] == '{"id": "cut short'
        assert "event=journal_line_unreadable file=pending-sessions.jsonl line=2" in again.logs()
        await until_gone(journal)
    finally:
        await asyncio.to_thread(again.stop)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
async def test_clean_exit_codes(make_server: ServerFactory, sig: int) -> None:
    server = make_server().start()
    # uvicorn re-raises the signal after a graceful shutdown, so the status may say so.
    assert await asyncio.to_thread(server.stop, sig) in (0, -sig)
    assert "event=ingest_stopping" in server.logs()
    assert "Application shutdown complete" in server.logs()
    assert "Traceback" not in server.logs()


async def test_a_crash_at_the_worst_moment_loses_at_most_one_interval_of_any_session(
    make_server: ServerFactory, api_key: str, db: asyncpg.Connection
) -> None:
    """A first group of sessions sets the rhythm; a second group opens just after the first
    group's checkpoint and plays; `kill -9` comes just before the second group's next checkpoint.
    Every session is then stored, none more than one interval (and a second) short of what it
    played, none twice, and after a restart every row is final, closed at its last checkpoint."""
    interval = 2.0
    server = make_server(METRICS_CHECKPOINT_INTERVAL=str(interval)).start()
    first = await open_playing(server, api_key, sockets=1, per_socket=10)
    await asyncio.sleep(interval + 0.1)  # the first group's checkpoint has just happened
    opened = time.monotonic()
    second = []
    for s in range(3):
        sock = await PhoenixSocket.open(server.ws_url())
        for i in range(10):
            n = 100 + s * 10 + i
            ref, reply = await sock.join(topic(n), api_key, {"vid": n % 7})
            assert ok(reply)
            assert ok(await sock.push(ref, topic(n), {"name": "play", "from": 0, "duration": 600}))
        second.append(sock)
    # Just before the second group's second checkpoint: they played almost two intervals, and
    # the database has only their first checkpoint.
    await asyncio.sleep(max(0.0, opened + 2 * interval - 0.25 - time.monotonic()))
    killed = time.monotonic()
    await asyncio.to_thread(server.stop, signal.SIGKILL)
    played_second = killed - opened
    played_first = played_second + interval + 0.1

    rows = await db.fetch(
        "SELECT s.id, s.watched, s.final FROM sessions s JOIN keys k ON k.id = s.key_id WHERE k.key = $1",
        api_key,
    )
    assert len(rows) == 40 and len({row["id"] for row in rows}) == 40  # every session, once
    assert not any(row["final"] for row in rows)  # no shutdown: checkpoints only
    watched = sorted(row["watched"] for row in rows)
    assert watched[0] >= played_second - interval - 1.0, (watched, played_second)
    assert watched[-1] <= played_first + 0.5

    restarted = make_server(METRICS_CHECKPOINT_INTERVAL=str(interval)).start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        final = await db.fetchval(
            "SELECT count(*) FILTER (WHERE s.final) FROM sessions s JOIN keys k ON k.id = s.key_id "
            "WHERE k.key = $1",
            api_key,
        )
        if final == 40:
            break
        await asyncio.sleep(0.25)
    after = await db.fetch(
        "SELECT s.id, s.watched, s.final, s.process_id FROM sessions s JOIN keys k ON k.id = s.key_id "
        "WHERE k.key = $1",
        api_key,
    )
    assert len(after) == 40 and all(row["final"] and row["process_id"] is None for row in after)
    assert sorted(row["watched"] for row in after) == watched  # closed where the checkpoint left them
    # Any running process may have done it (in the suite others share the database); without
    # any other, the restarted server did.
    assert restarted.process is not None and restarted.process.poll() is None
    for sock in first + second:
        await sock.ws.wait_closed()


async def test_final_row_replaces_the_checkpoint(
    make_server: ServerFactory, api_key: str, db: asyncpg.Connection
) -> None:
    server = make_server(METRICS_CHECKPOINT_INTERVAL="1").start()
    sock = await PhoenixSocket.open(server.ws_url())
    ref, _ = await sock.join(topic(2), api_key, {"vid": "long"})
    await sock.push(ref, topic(2), {"name": "play", "from": 0, "duration": 600})
    await asyncio.sleep(2.5)
    await sock.push(ref, topic(2), {"name": "pause", "to": "2.00", "duration": 600})
    await sock.close()
    [row] = await final_sessions(db, api_key, 1)
    assert row["segments"] == [[0, 2.0]]
    assert await stored_rows(db, api_key) == 1


async def test_a_row_the_database_refuses_is_set_aside_and_the_rest_are_stored(
    make_server: ServerFactory, database_url: str
) -> None:
    """A row refused as data must not block the rows behind it, nor stop the writer."""
    async with fresh_database(database_url, "reject") as url:
        server = await asyncio.to_thread(make_server(url).start)
        db = await asyncpg.connect(url)
        await init_connection(db)
        try:
            await db.execute("INSERT INTO keys (key) VALUES ('k')")
            # Stands for any row the database refuses as data: this page's rows break a rule.
            await db.execute(
                "ALTER TABLE sessions ADD CONSTRAINT test_refuse CHECK (page_host <> 'refused.example')"
            )
            sock = await PhoenixSocket.open(server.ws_url())
            for n, host in enumerate(["ok.example", "refused.example", "ok.example"]):
                ref, reply = await sock.join(topic(n), "k", {"vid": n}, source_url=f"https://{host}/watch")
                assert ok(reply)
                await sock.push(ref, topic(n), {"name": "play", "from": 0, "duration": 10})
            await sock.close()  # all three end at once: one batch
            rows = await final_sessions(db, "k", 2)
            assert {row["page_host"] for row in rows} == {"ok.example"}
            [line] = (server.data_dir / "rejected-sessions.jsonl").read_text().splitlines()
            rejected = json.loads(line)
            assert rejected["session"]["page_host"] == "refused.example"
            assert "test_refuse" in rejected["reason"]
            assert "event=session_rejected" in server.logs()

            # The writer is still alive: a later session is stored.
            sock = await PhoenixSocket.open(server.ws_url())
            ref, _ = await sock.join(topic(9), "k", {"vid": 9})
            await sock.push(ref, topic(9), {"name": "play", "from": 0, "duration": 10})
            await sock.close()
            assert len(await final_sessions(db, "k", 3)) == 3
        finally:
            await db.close()
            await asyncio.to_thread(server.stop)
