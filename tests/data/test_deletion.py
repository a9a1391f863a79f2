"""Deletion end to end: afterwards nothing of the scope is left in any table or file, the API
answers zeros, and everything else is untouched. On plain PostgreSQL, and on TimescaleDB with
compressed chunks when TIMESCALEDB_URL names a server."""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from app.db.pool import init_connection
from tests.api.sessions import FIREFOX_WINDOWS, Watch, move, record_all
from tests.support.databases import fresh_database
from tests.support.phoenix import PhoenixSocket, error_reason, ok
from tests.support.server import ServerFactory, ServerProcess
from tests.support.traces import file_traces, id_traces, text_traces

TIMESCALE_URL = os.environ.get("TIMESCALEDB_URL")


@dataclass
class Store:
    server: ServerProcess
    db: asyncpg.Connection
    timescale: bool


@pytest.fixture(params=["postgresql", "timescaledb"])
async def store(
    request: pytest.FixtureRequest, make_server: ServerFactory, database_url: str
) -> AsyncIterator[Store]:
    if request.param == "postgresql":
        server = await asyncio.to_thread(make_server(METRICS_CHECKPOINT_INTERVAL="0.5").start)
        db = await asyncpg.connect(database_url)
        await init_connection(db)
        yield Store(server, db, timescale=False)
        await db.close()
        return
    if TIMESCALE_URL is None:
        pytest.skip("needs a TimescaleDB server: set TIMESCALEDB_URL (not packaged for Debian or PyPI)")
    async with fresh_database(TIMESCALE_URL, "wtdata_deletion") as url:
        server = await asyncio.to_thread(make_server(url, METRICS_CHECKPOINT_INTERVAL="0.5").start)
        db = await asyncpg.connect(url)
        await init_connection(db)
        try:
            yield Store(server, db, timescale=True)
        finally:
            await db.close()
            await asyncio.to_thread(server.stop)


async def api(server: ServerProcess, method: str, path: str, **params: Any) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=60) as client:
        if method == "GET":
            query = {name: v if isinstance(v, str) else json.dumps(v) for name, v in params.items()}
            return await client.get(path, params=query)
        return await client.request(method, path, json=params)


async def new_key(db: asyncpg.Connection, name: str) -> tuple[str, int]:
    key = f"{name}-{uuid.uuid4().hex[:10]}"
    key_id = await db.fetchval("INSERT INTO keys (key) VALUES ($1) RETURNING id", key)
    return key, int(key_id)


async def compress_old_chunks(store: Store) -> int:
    """On TimescaleDB, compress every chunk older than 30 days (as the compression policy would)."""
    if not store.timescale:
        return 0
    rows = await store.db.fetch(
        "SELECT compress_chunk(c, if_not_compressed => true) "
        "FROM show_chunks('sessions', older_than => interval '30 days') AS c"
    )
    return len(rows)


async def plays_of(server: ServerProcess, query: dict[str, Any]) -> int:
    answer = await api(
        server, "GET", "/api/v1/plays", query=query, timeframe="3 years", minimum_watch_seconds=0
    )
    assert answer.status_code == 200, answer.text
    return sum(bucket["views"] for bucket in answer.json()["views"])


async def until_checkpointed(db: asyncpg.Connection, key_id: int, within: float = 15.0) -> None:
    """Wait for the checkpoint row (final = false) of a session still open."""
    deadline = time.monotonic() + within
    query = "SELECT count(*) FROM sessions WHERE key_id = $1 AND NOT final"
    while not await db.fetchval(query, key_id):
        assert time.monotonic() < deadline, "no checkpoint of the open session"
        await asyncio.sleep(0.1)


async def rollups_match_sessions(db: asyncpg.Connection, key_id: int, *, deleted_from: bool = True) -> None:
    """The trigger-kept rollups count what the sessions hold; of a key a deletion touched, no
    row is left counting nothing."""
    views = await db.fetchval("SELECT coalesce(sum(views), 0) FROM plays_hourly WHERE key_id = $1", key_id)
    hourly = await db.fetchval(
        "SELECT coalesce(sum(plays_0), 0) FROM sources_hourly WHERE key_id = $1", key_id
    )
    daily = await db.fetchval(
        "SELECT coalesce(sum(plays_0), 0) FROM sources_daily d JOIN videos v ON v.id = d.video_id "
        "WHERE v.key_id = $1",
        key_id,
    )
    sessions = await db.fetchval("SELECT count(*) FROM sessions WHERE key_id = $1", key_id)
    assert views == hourly == daily == sessions
    if not deleted_from:
        return  # moving sessions in these tests (a delete and an insert) leaves empty rows
    empty = await db.fetchval(
        "SELECT count(*) FROM plays_hourly WHERE key_id = $1 AND views = 0", key_id
    ) + await db.fetchval("SELECT count(*) FROM sources_hourly WHERE key_id = $1 AND plays_0 = 0", key_id)
    assert empty == 0


async def test_a_whole_key_and_everything_derived_goes(store: Store) -> None:
    server, db = store.server, store.db
    mark = uuid.uuid4().hex
    gone, gone_id = await new_key(db, "gone")
    kept, kept_id = await new_key(db, "kept")
    page = f"https://gone-{mark}.example/watch"
    g1, g2 = {"vid": "g1", "mark": mark}, {"vid": "g2", "mark": mark}
    ids = await record_all(
        server,
        gone,
        db,
        [
            Watch(g1, [(0, 12)], 30, "gone one", page=page),
            Watch(g1, [(0, 5), (3, 8)], 30, "gone one", page=page, user_agent=FIREFOX_WINDOWS),
            Watch(g2, [(2, 9)], 60, f"label-{mark}", page=page),
        ],
    )
    [kept_session] = await record_all(server, kept, db, [Watch({"vid": "k1"}, [(0, 4)], 20, "kept")])
    # Sessions of other ages, in chunks that TimescaleDB compresses.
    await move(db, ids[0], datetime.now(UTC) - timedelta(days=60))
    await move(db, ids[2], datetime.now(UTC) - timedelta(days=400))
    await move(db, kept_session, datetime.now(UTC) - timedelta(days=60))
    compressed = await compress_old_chunks(store)
    assert compressed >= 2 or not store.timescale
    # A session still open, checkpointed (a row with final = false) while it plays.
    sock = await PhoenixSocket.open(server.ws_url(page))
    open_topic = f"session:{uuid.uuid4().hex[:20]}"
    ref, reply = await sock.join(open_topic, gone, g2, source_url=page)
    assert ok(reply)
    assert ok(await sock.push(ref, open_topic, {"name": "play", "from": 0, "duration": 60}))
    await until_checkpointed(db, gone_id)
    video_ids = [row["id"] for row in await db.fetch("SELECT id FROM videos WHERE key_id = $1", gone_id)]
    # A per-minute sample of its live viewers, as app/live.py writes them (by key and metadata).
    await db.execute(
        "INSERT INTO watching_minutes (minute, key_id, video, metadata, identifier, playing)"
        " VALUES (date_trunc('minute', now()) - interval '5 minutes', $1,"
        " sha256(convert_to($2::jsonb::text, 'UTF8')), $2::jsonb, 'gone one', 1)",
        gone_id,
        g2,
    )
    assert await plays_of(server, {"key": gone}) == 4
    before = {
        "sessions": await db.fetchval("SELECT count(*) FROM sessions"),
        "kept": await plays_of(server, {"key": kept}),
    }

    dry = await api(server, "DELETE", "/api/v1/sessions", query={"key": gone}, dry_run=True)
    assert dry.json() == {"dry_run": True, "sessions": 4, "videos": 2, "waiting": 1, "key_revoked": False}
    assert await db.fetchval("SELECT count(*) FROM sessions") == before["sessions"]  # nothing went

    done = await api(server, "DELETE", "/api/v1/sessions", query={"key": gone}, revoke_key=True)
    assert done.status_code == 200, done.text
    assert done.json() == {"dry_run": False, "sessions": 4, "videos": 2, "waiting": 1, "key_revoked": True}

    # The open session was ended without being stored: its channel is closed at its next frame.
    await sock.send([ref, sock.next_ref(), open_topic, "event", {"name": "pause", "to": 3, "duration": 60}])
    assert (await sock.recv())[2:4] == [open_topic, "phx_close"]
    await sock.close()
    _, refused = await (await PhoenixSocket.open(server.ws_url())).join(open_topic, gone, g1)
    assert error_reason(refused) == "invalid key"

    # Nothing of the key or its videos is left anywhere: every table the catalog lists (chunks
    # and compressed chunks included), and every file of the server's data folder.
    await asyncio.sleep(1.0)  # let a write that was under way land, if one could
    assert await id_traces(db, "key_id", [gone_id]) == []
    assert await id_traces(db, "video_id", video_ids) == []
    assert await db.fetchval("SELECT count(*) FROM videos WHERE id = ANY($1::bigint[])", video_ids) == 0
    assert await text_traces(db, [mark, gone], skip=("keys",)) == []
    assert await db.fetchval("SELECT disabled_at IS NOT NULL FROM keys WHERE key = $1", gone)
    assert file_traces(server.data_dir, [mark, gone]) == []
    assert "event=sessions_deleted scope=key before=none" in server.logs()

    # The API answers zeros for it; the other key is untouched.
    assert await plays_of(server, {"key": gone}) == 0
    assert await plays_of(server, {"video": g1}) == 0
    exported = await api(server, "GET", "/api/v1/export", query={"key": gone}, format="jsonl")
    assert (exported.status_code, exported.text) == (200, "")
    assert await plays_of(server, {"key": kept}) == before["kept"] == 1
    assert await db.fetchval("SELECT count(*) FROM sessions") == before["sessions"] - 4
    await rollups_match_sessions(db, kept_id, deleted_from=False)

    again = await api(server, "DELETE", "/api/v1/sessions", query={"key": gone})
    assert again.json() == {"dry_run": False, "sessions": 0, "videos": 0, "waiting": 0, "key_revoked": False}


async def test_one_video_before_a_date_keeps_the_rest(store: Store) -> None:
    server, db = store.server, store.db
    mark = uuid.uuid4().hex
    key, key_id = await new_key(db, "partial")
    v1, v2 = {"vid": "v1", "mark": mark}, {"vid": "v2", "mark": mark}
    ids = await record_all(
        server,
        key,
        db,
        [
            *(Watch(v1, [segment], 30, "one") for segment in [(0, 10), (0, 3), (5, 6)]),
            Watch(v2, [(0, 7)], 30, f"two-{mark}"),
        ],
    )
    await move(db, ids[0], datetime(2023, 1, 10, 12, tzinfo=UTC))
    await move(db, ids[1], datetime.now(UTC) - timedelta(days=90))
    await move(db, ids[3], datetime.now(UTC) - timedelta(days=90))
    await compress_old_chunks(store)
    cut = (datetime.now(UTC) - timedelta(days=30)).date().isoformat()

    dry = await api(server, "DELETE", "/api/v1/sessions", query={"video": v1}, before=cut, dry_run="true")
    assert dry.json() == {"dry_run": True, "sessions": 2, "videos": 0, "waiting": 0, "key_revoked": False}
    done = await api(server, "DELETE", "/api/v1/sessions", query={"video": v1}, before=cut)
    assert done.json() == {"dry_run": False, "sessions": 2, "videos": 0, "waiting": 0, "key_revoked": False}
    left = await db.fetch("SELECT id FROM sessions WHERE key_id = $1 ORDER BY started_at", key_id)
    assert [row["id"] for row in left] == [ids[3], ids[2]]
    await rollups_match_sessions(db, key_id)
    assert await plays_of(server, {"video": v1}) == 1
    assert await plays_of(server, {"key": key}) == 2

    # By label: the second video and its one session go, and the video with them.
    by_label = await api(server, "DELETE", "/api/v1/sessions", identifier=f"two-{mark}")
    assert by_label.json() == {
        "dry_run": False,
        "sessions": 1,
        "videos": 1,
        "waiting": 0,
        "key_revoked": False,
    }
    assert await db.fetchval("SELECT count(*) FROM videos WHERE key_id = $1", key_id) == 1
    assert await plays_of(server, {"key": key}) == 1
    await rollups_match_sessions(db, key_id)
    assert await text_traces(db, [f"two-{mark}"]) == []


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({}, "query"),
        ({"query": {"key": "k"}, "dry_run": "maybe"}, "dry_run"),
        ({"query": {"key": "k"}, "before": "last tuesday"}, "before"),
        ({"query": {"key": "k"}, "before": -1}, "before"),
        ({"query": {"key": "k"}, "before": "0001-01-01T00:00:00+14:00"}, "before"),
        ({"query": {"video": {"a": 1}}, "revoke_key": True}, "revoke_key"),
        ({"query": {"key": "k"}, "revoke_key": "yes"}, "revoke_key"),
        ({"query": {"key": "k"}, "timeframe": "7 days"}, "timeframe"),
    ],
)
async def test_bad_parameters_are_refused_and_nothing_is_deleted(
    server: ServerProcess, params: dict[str, Any], parameter: str
) -> None:
    response = await api(server, "DELETE", "/api/v1/sessions", **params)
    assert response.status_code == 400, response.text
    assert response.json()["parameter"] == parameter


async def test_other_methods_are_refused(server: ServerProcess) -> None:
    response = await api(server, "GET", "/api/v1/sessions", query={"key": "k"})
    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE, OPTIONS"
