"""The webhook against a real HTTP receiver the test runs: signed batches, the receiver down for
30 s, a batch it refuses, a server restarted while batches wait, and a receiver that hangs."""

from __future__ import annotations

import asyncio
import json
import signal
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest

from app.data.columns import NAMES
from tests.api.sessions import Watch, record, record_all
from tests.support.receiver import Receiver
from tests.support.server import ServerFactory, ServerProcess
from tests.support.stored import final_sessions
from tests.support.traces import file_traces

SECRET = "a-webhook-secret-of-some-length"
FAST = {"METRICS_SINK_RETRY_MAX_SECONDS": "1", "METRICS_SINK_BATCH_WAIT": "0.2"}


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver(SECRET)
    await receiver.start()
    yield receiver
    await receiver.stop()


def webhook(receiver: Receiver, **env: str) -> dict[str, str]:
    return {"METRICS_WEBHOOK_URL": receiver.url, "METRICS_WEBHOOK_SECRET": SECRET, **FAST, **env}


def watches(count: int, **metadata: Any) -> list[Watch]:
    run = uuid.uuid4().hex[:8]
    return [
        Watch({"vid": f"w{n}", "run": run, **metadata}, [(0, 2 + n)], 60, f"video {n}") for n in range(count)
    ]


async def figures(server: ServerProcess) -> dict[str, float]:
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        text = (await client.get("/metrics")).text
    found = {}
    for line in text.splitlines():
        if line.startswith("video_metrics_sink_") and 'sink="webhook"' in line:
            name, value = line.rsplit(" ", 1)
            found[name.split("{")[0]] = float(value)
    return found


async def test_signed_batches_of_export_shaped_sessions(
    make_server: ServerFactory, receiver: Receiver, api_key: str, db: asyncpg.Connection
) -> None:
    server = await asyncio.to_thread(make_server(**webhook(receiver, METRICS_SINK_BATCH_WAIT="1")).start)
    ids = await record_all(server, api_key, db, watches(3))
    sessions = await receiver.until_sessions(3)
    assert receiver.bad_signatures == 0
    assert sorted(session["session_id"] for session in sessions) == sorted(map(str, ids))
    assert all(list(session) == list(NAMES) for session in sessions)
    assert {session["key"] for session in sessions} == {api_key}
    assert all(session["final"] for session in sessions)
    # The same values as the export gives for them.
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        exported = await client.get(
            "/api/v1/export", params={"query": json.dumps({"key": api_key}), "format": "jsonl"}
        )
    by_id = {line["session_id"]: line for line in map(json.loads, exported.text.splitlines())}
    for session in sessions:
        assert session == by_id[session["session_id"]]
    assert all(
        isinstance(body["batch_id"], str) and isinstance(body["timestamp"], int) for body in receiver.bodies
    )
    numbers = await figures(server)
    assert numbers["video_metrics_sink_delivered_sessions_total"] == 3
    assert numbers["video_metrics_sink_up"] == 1


async def test_a_receiver_down_for_30_seconds_gets_every_session_once_after(
    make_server: ServerFactory, receiver: Receiver, api_key: str, db: asyncpg.Connection
) -> None:
    server = await asyncio.to_thread(make_server(**webhook(receiver)).start)
    await receiver.stop()
    recorded = []
    for _ in range(6):  # sessions end over the whole outage
        batch = watches(2)
        recorded += await record_all(server, api_key, db, batch)
        await asyncio.sleep(5.0)
    # Ingest and the database writes went on as usual: every session is stored already.
    assert len(await final_sessions(db, api_key, 12)) == 12
    numbers = await figures(server)
    assert numbers["video_metrics_sink_up"] == 0
    assert numbers["video_metrics_sink_failures_total"] >= 2
    assert numbers["video_metrics_sink_spilled_sessions"] == 12  # all on disk while it is away
    assert "event=sink_failed sink=webhook" in server.logs()

    await receiver.start()
    sessions = await receiver.until_sessions(12)
    ids = [session["session_id"] for session in sessions]
    assert sorted(ids) == sorted(map(str, recorded))  # each session once
    assert "event=sink_recovered sink=webhook" in server.logs()
    numbers = await figures(server)
    assert (numbers["video_metrics_sink_spilled_sessions"], numbers["video_metrics_sink_up"]) == (0, 1)


async def test_a_refused_batch_is_set_aside_with_its_reason_and_the_rest_delivered(
    make_server: ServerFactory, receiver: Receiver, api_key: str, db: asyncpg.Connection
) -> None:
    receiver.refuse = lambda body: any(session["metadata"].get("poison") for session in body["sessions"])
    server = await asyncio.to_thread(make_server(**webhook(receiver, METRICS_SINK_BATCH_SIZE="1")).start)
    good = await record_all(server, api_key, db, watches(2))
    [bad] = await record_all(server, api_key, db, watches(1, poison=True))
    good += await record_all(server, api_key, db, watches(2))
    sessions = await receiver.until_sessions(4)
    assert sorted(session["session_id"] for session in sessions) == sorted(map(str, good))
    refused_file = server.data_dir / "sinks" / "webhook" / "refused.jsonl"
    [entry] = [json.loads(line) for line in refused_file.read_text().splitlines()]
    assert entry["reason"] == "HTTP 400: a session in this batch is not acceptable"
    assert [session["id"] for session in entry["sessions"]] == [str(bad)]
    assert len(receiver.refused) == 1  # refused once, not retried
    assert (await figures(server))["video_metrics_sink_refused_sessions_total"] == 1
    assert "event=sink_refused sink=webhook sessions=1" in server.logs()


async def test_batches_waiting_at_a_restart_are_delivered_after_it(
    make_server: ServerFactory, receiver: Receiver, api_key: str, db: asyncpg.Connection
) -> None:
    server = await asyncio.to_thread(make_server(**webhook(receiver)).start)
    await receiver.stop()
    ids = await record_all(server, api_key, db, watches(4))
    assert await asyncio.to_thread(server.stop, signal.SIGTERM) in (0, -signal.SIGTERM)
    spool = list((server.data_dir / "sinks" / "webhook").glob("spool-*.jsonl"))
    assert sum(len(path.read_text().splitlines()) for path in spool) == 4

    await receiver.start()
    again = await asyncio.to_thread(
        ServerProcess(server.env["DATABASE_URL"], server.data_dir, **webhook(receiver)).start
    )
    try:
        sessions = await receiver.until_sessions(4)
        assert sorted(session["session_id"] for session in sessions) == sorted(map(str, ids))
    finally:
        await asyncio.to_thread(again.stop)


async def test_a_receiver_that_hangs_slows_nothing_and_memory_stays_bounded(
    make_server: ServerFactory, receiver: Receiver, api_key: str, db: asyncpg.Connection
) -> None:
    receiver.hang = True
    env = webhook(receiver, METRICS_SINK_SEND_TIMEOUT="2", METRICS_SINK_QUEUE_LIMIT="2")
    server = await asyncio.to_thread(make_server(**env).start)
    for watch in watches(8):
        await record(server, api_key, watch)
    assert len(await final_sessions(db, api_key, 8)) == 8  # stored as fast as ever
    numbers = await figures(server)
    assert numbers["video_metrics_sink_queued_sessions"] <= 2 + 1  # the limit, and the batch in flight
    receiver.hang = False
    await receiver.until_sessions(8)


async def test_a_deletion_reaches_the_sessions_waiting_for_the_webhook(
    make_server: ServerFactory, receiver: Receiver, db: asyncpg.Connection, server: ServerProcess
) -> None:
    """`server`: the shared one has migrated the schema."""
    gone, kept = f"gone-{uuid.uuid4().hex[:8]}", f"kept-{uuid.uuid4().hex[:8]}"
    await db.executemany("INSERT INTO keys (key) VALUES ($1)", [(gone,), (kept,)])
    hooked = await asyncio.to_thread(make_server(**webhook(receiver)).start)
    await receiver.stop()
    mark = uuid.uuid4().hex
    await record_all(hooked, gone, db, watches(2, mark=mark))
    [kept_id] = await record_all(hooked, kept, db, watches(1))
    deadline = time.monotonic() + 15
    while not file_traces(hooked.data_dir / "sinks", [mark]):  # waiting on disk for the receiver
        assert time.monotonic() < deadline
        await asyncio.sleep(0.1)
    async with httpx.AsyncClient(base_url=hooked.base_url) as client:
        answer = await client.request("DELETE", "/api/v1/sessions", json={"query": {"key": gone}})
    assert answer.json()["sessions"] == 2
    assert "sink_copies=2" in hooked.logs()
    assert file_traces(hooked.data_dir, [mark]) == []
    await receiver.start()
    sessions = await receiver.until_sessions(1)
    await asyncio.sleep(1.0)  # anything else waiting would have come with it
    assert [session["session_id"] for session in receiver.sessions] == [str(kept_id)]
    assert {session["key"] for session in sessions} == {kept}
