"""Retention on plain PostgreSQL: the sweep deletes sessions older than the setting, and only them."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest

from app.db import retention
from app.db.migrate import has_timescaledb
from app.db.pool import create_pool
from app.intervals import Interval
from tests.support.databases import migrated_pool, with_database
from tests.support.server import ServerFactory, ServerProcess


@pytest.fixture
async def pool(database_url: str, server: ServerProcess) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(database_url, max_size=2)
    yield pool
    await pool.close()


async def test_sweep_deletes_only_sessions_past_the_retention(
    pool: asyncpg.Pool, api_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with pool.acquire() as connection:
        if await has_timescaledb(connection):
            pytest.skip("on TimescaleDB the job drops chunks (tests/db/test_timescale.py)")
        key_id = await connection.fetchval("SELECT id FROM keys WHERE key = $1", api_key)
        video_id = await connection.fetchval(
            "INSERT INTO videos (key_id, metadata) VALUES ($1, $2) RETURNING id", key_id, {"r": 1}
        )
        now = datetime.now(UTC)
        ages = [timedelta(days=400), timedelta(days=366), timedelta(days=364), timedelta(days=1)]
        for age in ages:
            await connection.execute(
                """
                INSERT INTO sessions (id, started_at, ended_at, key_id, video_id, browser, platform,
                    device, page_host, page_url, segments, watched, unique_watched, final)
                VALUES ($1, $2, $2, $3, $4, 'other', 'other', 'other', 'h', 'https://h/', '{}', 0, 0, true)
                """,
                uuid.uuid4(),
                now - age,
                key_id,
                video_id,
            )
    monkeypatch.setattr(retention, "BATCH_ROWS", 1)  # several batches, to cover the loop
    deleted = await retention.sweep(pool, Interval(months=12))
    assert deleted >= 2  # ours, and any older rows other tests left (none are that old)
    async with pool.acquire() as connection:
        left = await connection.fetch(
            "SELECT started_at FROM sessions WHERE video_id = $1 ORDER BY started_at", video_id
        )
    assert len(left) == 2
    assert all(now - row["started_at"] < timedelta(days=365) for row in left)


async def test_each_run_is_logged_and_counted_at_metrics(
    make_server: ServerFactory, database_url: str
) -> None:
    """The job runs at start: a database of its own, so that a short retention drops nothing of
    other tests'."""
    async with migrated_pool(database_url, "retention") as pool:
        async with pool.acquire() as connection:
            key_id = await connection.fetchval("INSERT INTO keys (key) VALUES ('r') RETURNING id")
            video_id = await connection.fetchval(
                "INSERT INTO videos (key_id, metadata) VALUES ($1, $2) RETURNING id", key_id, {"r": 1}
            )
            for age in (timedelta(days=400), timedelta(days=1)):
                await connection.execute(
                    """
                    INSERT INTO sessions (id, started_at, ended_at, key_id, video_id, browser,
                        platform, device, page_host, page_url, segments, watched, unique_watched,
                        final)
                    VALUES ($1, $2, $2, $3, $4, 'other', 'other', 'other', 'h', 'https://h/', '{}',
                            0, 0, true)
                    """,
                    uuid.uuid4(), datetime.now(UTC) - age, key_id, video_id,
                )  # fmt: skip
        url = with_database(database_url, await pool.fetchval("SELECT current_database()"))
        server = await asyncio.to_thread(make_server(url, METRICS_RETENTION="1 year").start)
        try:
            line = await until_logged(server, "event=retention_run")
            assert "dropped_sessions=1 " in line and "older_than='12 months'" in line
            async with httpx.AsyncClient(base_url=server.base_url) as client:
                text = (await client.get("/metrics")).text
            figures = dict(
                line.rsplit(" ", 1)
                for line in text.splitlines()
                if line.startswith("video_metrics_retention")
            )
            assert float(figures["video_metrics_retention_sessions_dropped_total"]) == 1
            assert float(figures["video_metrics_retention_runs_total"]) == 1
            assert float(figures["video_metrics_retention_last_run_dropped_sessions"]) == 1
            assert time.time() - float(figures["video_metrics_retention_last_run_timestamp_seconds"]) < 600
            assert await pool.fetchval("SELECT count(*) FROM sessions") == 1
        finally:
            await asyncio.to_thread(server.stop)


async def until_logged(server: ServerProcess, event: str, within: float = 15.0) -> str:
    deadline = time.monotonic() + within
    while True:
        for line in server.logs().splitlines():
            if event in line:
                return line
        assert time.monotonic() < deadline, f"no {event} in the log"
        await asyncio.sleep(0.1)
