"""Retention on plain PostgreSQL: the sweep deletes sessions older than the setting, and only them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from app.db import retention
from app.db.migrate import has_timescaledb
from app.db.pool import create_pool
from app.intervals import Interval
from tests.support.server import ServerProcess


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
            pytest.skip("TimescaleDB drops chunks with its retention policy; this is the fallback")
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
