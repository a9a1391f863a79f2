"""Reads go to a real streaming standby while it is up and close enough, else to the primary."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest

from app.api import stats
from app.db.migrate import migrate
from app.db.pool import create_pool
from app.db.reads import Reads
from tests.api.rows import add_key, add_session, add_video
from tests.support.replication import Replicated
from tests.support.server import ServerFactory


@pytest.fixture(scope="module")
def replicated() -> Iterator[Replicated]:
    pair = Replicated().start()
    yield pair
    pair.stop()


@pytest.fixture
async def reads(replicated: Replicated) -> AsyncIterator[Reads]:
    primary = await create_pool(replicated.primary_url, max_size=2)
    async with primary.acquire() as connection:
        await migrate(connection)
    reads = Reads(primary, replicated.standby_url, max_lag=2.0)
    task = asyncio.create_task(reads.run())
    yield reads
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await primary.close()


async def until(condition: Callable[[], bool | Awaitable[bool]], seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result if isinstance(result, bool) else await result:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("condition not met in time")


async def in_recovery(pool: asyncpg.Pool) -> bool:
    return bool(await pool.fetchval("SELECT pg_is_in_recovery()"))


async def test_reads_go_to_the_standby_and_see_what_the_primary_wrote(reads: Reads) -> None:
    await until(lambda: reads.state.serving_reads)
    assert reads.state.lag_seconds is not None and reads.state.lag_seconds < 2.0
    assert await in_recovery(reads.pool())
    assert not await in_recovery(reads.primary)
    await reads.primary.execute("INSERT INTO keys (key) VALUES ('replicated-key')")

    async def seen() -> bool:
        return bool(await reads.pool().fetchval("SELECT count(*) FROM keys WHERE key = 'replicated-key'"))

    await until(seen, 10)
    assert reads.state.as_json()["standby"] == "ok"


async def test_a_standby_too_far_behind_hands_reads_back_to_the_primary(reads: Reads) -> None:
    await until(lambda: reads.state.serving_reads)
    standby = await asyncpg.connect(reads._standby_url or "")
    try:
        await standby.execute("SELECT pg_wal_replay_pause()")
        await until(lambda: not reads.state.serving_reads)
        assert reads.state.reachable and (reads.state.lag_seconds or 0) > 2.0
        assert reads.state.as_json()["standby"] == "behind"
        assert not await in_recovery(reads.pool())
        await standby.execute("SELECT pg_wal_replay_resume()")
        await until(lambda: reads.state.serving_reads)
        assert await in_recovery(reads.pool())
    finally:
        await standby.close()


async def test_a_standby_that_is_down_hands_reads_back_until_it_returns(
    reads: Reads, replicated: Replicated
) -> None:
    await until(lambda: reads.state.serving_reads)
    await asyncio.to_thread(replicated.stop_standby)
    try:
        await until(lambda: not reads.state.reachable)
        assert reads.state.as_json() == {
            "standby": "unreachable",
            "standby_lag_seconds": None,
            "reads_from": "primary",
        }
        assert not await in_recovery(reads.pool())
    finally:
        await asyncio.to_thread(replicated.start_standby)
    await until(lambda: reads.state.serving_reads, 30)
    assert await in_recovery(reads.pool())


async def test_without_a_standby_every_read_is_the_primarys(replicated: Replicated) -> None:
    primary = await create_pool(replicated.primary_url, max_size=1)
    try:
        reads = Reads(primary, None, max_lag=30.0)
        await reads.run()  # returns at once: nothing to watch
        assert reads.pool() is primary and reads.state.as_json() == {"standby": "none"}
    finally:
        await primary.close()


def reads_from(metrics: str, server: str) -> float:
    match = re.search(rf'^video_metrics_api_reads_total\{{server="{server}"\}} (\S+)$', metrics, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


async def test_a_server_reads_stored_sessions_from_the_standby_and_says_so(
    replicated: Replicated, make_server: ServerFactory
) -> None:
    server = make_server(replicated.primary_url, DATABASE_READ_URL=replicated.standby_url).start()
    async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as client:
        key = (await client.post("/api/v1/keys")).json()["key"]  # a write: on the primary

        async def serving() -> bool:
            return bool((await client.get("/readyz")).json().get("standby") == "ok")

        await until(serving)
        ready = (await client.get("/readyz")).json()
        assert ready["reads_from"] == "standby" and 0 <= ready["standby_lag_seconds"] < 5

        before = await client.get("/metrics")
        plays = await client.get("/api/v1/plays", params={"query": json.dumps({"key": key})})
        assert plays.status_code == 200, plays.text
        watching = await client.get("/api/v1/watching")  # live rows: the primary's
        assert watching.status_code == 200
        after = (await client.get("/metrics")).text
        assert reads_from(after, "standby") == reads_from(before.text, "standby") + 1
        assert "video_metrics_reads_on_standby 1.0" in after

        await asyncio.to_thread(replicated.stop_standby)
        try:

            async def primary_only() -> bool:
                return bool((await client.get("/readyz")).json().get("standby") == "unreachable")

            await until(primary_only)
            plays = await client.get("/api/v1/plays", params={"query": json.dumps({"key": key})})
            assert plays.status_code == 200, plays.text  # answered by the primary meanwhile
            assert (await client.get("/readyz")).status_code == 200
        finally:
            await asyncio.to_thread(replicated.start_standby)
        await until(serving, 30)
    server.stop()


async def test_engagement_parts_are_kept_on_the_primary_and_read_on_the_standby(reads: Reads) -> None:
    """A whole key's engagement asked on the standby: the settled hours' parts are counted and
    kept on the primary (the standby is read-only), and the answer is the direct count's."""
    await until(lambda: reads.state.serving_reads)
    now = datetime.now(UTC)
    async with reads.primary.acquire() as primary:
        key_id, _ = await add_key(primary)
        video = await add_video(primary, key_id, {"replicated": "engagement"}, duration=30.0)
        for minutes in range(0, 24 * 60, 37):
            await add_session(primary, key_id, video, now - timedelta(minutes=minutes), 20.0)
        written = await primary.fetchval("SELECT pg_current_wal_lsn()::text")

    async def replayed() -> bool:
        standby_lsn = await reads.pool().fetchval("SELECT pg_last_wal_replay_lsn()::text")
        return bool(
            await reads.primary.fetchval("SELECT $1::text::pg_lsn >= $2::text::pg_lsn", standby_lsn, written)
        )

    await until(replayed)
    scope = stats.Scope(now - timedelta(days=1), now, key_id=key_id)
    async with reads.pool().acquire() as standby:
        assert await standby.fetchval("SELECT pg_is_in_recovery()")
        on_standby = await stats.ranges(standby, scope, 30.0, 10, keeper=reads.primary)
        shares = await stats.retention(standby, scope, 30.0, 10, 1.0, keeper=reads.primary)
    kept = "SELECT count(*) FROM engagement_hours WHERE key_id = $1"
    assert await reads.primary.fetchval(kept, key_id) > 0
    async with reads.primary.acquire() as primary:
        assert on_standby == await stats.ranges(primary, scope, 30.0, 10, kept=False)
        assert shares == await stats.retention(primary, scope, 30.0, 10, 1.0, kept=False)
    assert [r.viewers for r in on_standby] == [39] * 7 + [0] * 3  # 0-20 s of a 30 s video
