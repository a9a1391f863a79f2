"""TimescaleDB-only behaviour: the retention job's chunk drops, rollup trimming, and the sweep on chunks.

These run when TIMESCALEDB_URL names a TimescaleDB server (it is not packaged for Debian or PyPI,
so CI on plain PostgreSQL cannot run them; the plain-PostgreSQL paths are tested elsewhere).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from app.db import retention
from app.intervals import Interval
from tests.support.databases import migrated_pool

TIMESCALE_URL = os.environ.get("TIMESCALEDB_URL")

pytestmark = pytest.mark.skipif(
    TIMESCALE_URL is None,
    reason="needs a TimescaleDB server: set TIMESCALEDB_URL (not packaged for Debian or PyPI)",
)


@pytest.fixture
async def pool() -> AsyncIterator[asyncpg.Pool]:
    assert TIMESCALE_URL is not None
    async with migrated_pool(TIMESCALE_URL, "tsdb") as pool:
        yield pool


async def insert_sessions(pool: asyncpg.Pool, ages: list[timedelta]) -> None:
    async with pool.acquire() as connection:
        key_id = await connection.fetchval("INSERT INTO keys (key) VALUES ('k') RETURNING id")
        video_id = await connection.fetchval(
            "INSERT INTO videos (key_id, metadata) VALUES ($1, $2) RETURNING id", key_id, {"v": 1}
        )
        now = datetime.now(UTC)
        for age in ages:
            await connection.execute(
                """
                INSERT INTO sessions (id, started_at, ended_at, key_id, video_id, browser, platform,
                    device, page_host, page_url, segments, watched, unique_watched, final)
                VALUES ($1, $2, $2, $3, $4, 'chrome', 'linux', 'desktop', 'h', 'https://h/',
                        '{{0,5}}', 5, 5, true)
                """,
                uuid.uuid4(), now - age, key_id, video_id,
            )  # fmt: skip


async def test_sweep_on_a_hypertable_deletes_only_old_rows(pool: asyncpg.Pool) -> None:
    """The fallback sweep once named rows by ctid, which repeats across chunks: it deleted
    recent sessions that shared a ctid with old ones."""
    recent = [timedelta(days=d) for d in (1, 8, 15)]
    await insert_sessions(pool, [timedelta(days=d) for d in (800, 807, 814)] + recent)
    assert await retention.sweep(pool, Interval(months=24)) == 3
    assert await pool.fetchval("SELECT count(*) FROM sessions") == 3


async def test_the_job_drops_old_chunks_counts_their_sessions_and_retires_the_old_policy(
    pool: asyncpg.Pool,
) -> None:
    await insert_sessions(pool, [timedelta(days=d) for d in (800, 807, 1)])
    # What earlier versions installed: a policy whose work nobody could count.
    await pool.execute("SELECT add_retention_policy('sessions', drop_after => interval '2 years')")
    await retention.remove_policy(pool)
    jobs = "SELECT count(*) FROM timescaledb_information.jobs WHERE proc_name = 'policy_retention'"
    assert await pool.fetchval(jobs) == 0
    chunks = await pool.fetchval(
        "SELECT count(*) FROM show_chunks('sessions', older_than => interval '2 years')"
    )
    done = await retention.run_once(pool, Interval(months=24), timescale=True)
    # Two rows (one per dropped session's hour or day) in each of plays_hourly, sources_hourly,
    # sources_daily and videos_daily; the sessions had no quality events and no country.
    assert done == retention.Run("drop_chunks", sessions=2, chunks=chunks, rollup_rows=8)
    assert await pool.fetchval("SELECT count(*) FROM sessions") == 1
    again = await retention.run_once(pool, Interval(months=24), timescale=True)
    assert again == retention.Run("drop_chunks", 0, 0, 0)


async def test_rollup_follows_dropped_chunks(pool: asyncpg.Pool) -> None:
    await insert_sessions(pool, [timedelta(days=800), timedelta(days=1)])
    assert await pool.fetchval("SELECT sum(views) FROM plays_hourly") == 2
    assert await pool.fetchval("SELECT sum(plays_0) FROM sources_daily") == 2
    await pool.execute("SELECT drop_chunks('sessions', older_than => interval '2 years')")
    assert await pool.fetchval("SELECT count(*) FROM sessions") == 1
    # One row each from plays_hourly, sources_hourly, sources_daily and videos_daily (the sessions
    # had no quality events and no country: the quality rollups hold none of them).
    assert await retention.trim_rollup_to_chunks(pool) == 4
    assert await pool.fetchval("SELECT sum(views) FROM plays_hourly") == 1
    assert await pool.fetchval("SELECT sum(plays_0) FROM sources_hourly") == 1
    assert await pool.fetchval("SELECT sum(plays_0) FROM sources_daily") == 1
    assert await pool.fetchval("SELECT sum(plays_0) FROM videos_daily") == 1


async def test_sessions_are_a_compressed_hypertable_without_the_default_index(
    pool: asyncpg.Pool,
) -> None:
    row = await pool.fetchrow(
        "SELECT compression_enabled FROM timescaledb_information.hypertables "
        "WHERE hypertable_name = 'sessions'"
    )
    assert row is not None and row["compression_enabled"]
    indexes = {r["indexname"] for r in await pool.fetch(
        "SELECT indexname FROM pg_indexes WHERE tablename = 'sessions'"
    )}  # fmt: skip
    assert "sessions_started_at_idx" not in indexes
