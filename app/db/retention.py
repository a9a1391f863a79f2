"""Retention: sessions older than METRICS_RETENTION are dropped, by a job that says what it did.

Every hour (and at start) the job runs once and reports it: a log line with how many sessions
went and when, and Prometheus figures (`video_metrics_retention_*`). On TimescaleDB it drops the
chunks wholly older than the retention itself (counting their sessions first), rather than
leaving it to a background policy in the database, whose work could not be counted; a policy an
earlier version installed is removed. On plain PostgreSQL it deletes old rows in bounded batches
so that it never holds long locks. Either way the rollups (plays, sources) are kept in step: a
dropped chunk fires no row triggers, so on TimescaleDB their rows are removed here.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from app import telemetry
from app.api.stats import engagement_hours
from app.db.migrate import has_timescaledb
from app.intervals import Interval

log = logging.getLogger("video_metrics.retention")

# How often the job runs, and how many rows the plain-PostgreSQL sweep deletes per statement.
SWEEP_SECONDS = 3600.0
BATCH_ROWS = 10_000

# Trigger-kept rollups of sessions (migrations 004, 007, 011, 021 and 023) and their time column.
_ROLLUPS = (
    ("plays_hourly", "hour"),
    ("sources_hourly", "hour"),
    ("sources_daily", "day"),
    ("videos_daily", "day"),
    ("impressions_hourly", "hour"),
    ("qoe_hourly", "hour"),
    ("startup_hourly", "hour"),
    ("startup_daily", "day"),
    ("countries_hourly", "hour"),
)

# Serialises chunk drops when several processes run the job at once.
_LOCK_ID = 0x5649_4445_4F52  # "VIDEOR"


@dataclass(frozen=True, slots=True)
class Run:
    """What one run of the job did."""

    method: str  # "drop_chunks" (TimescaleDB) or "delete" (plain PostgreSQL)
    sessions: int
    chunks: int
    rollup_rows: int
    watching_samples: int = 0  # per-minute live samples (migration 012) past the retention


async def remove_policy(pool: asyncpg.Pool) -> None:
    """Remove the retention policy earlier versions installed: the job drops chunks itself now."""
    async with pool.acquire() as connection:
        if not await has_timescaledb(connection):
            return
        exists = await connection.fetchval(
            """
            SELECT EXISTS (SELECT 1 FROM timescaledb_information.jobs
                           WHERE proc_name = 'policy_retention' AND hypertable_name = 'sessions')
            """
        )
        if exists:
            await connection.execute("SELECT remove_retention_policy('sessions', if_exists => true)")
            log.info("event=retention_policy_removed reason='the job drops chunks itself'")


async def _remove_policy_if_allowed(pool: asyncpg.Pool) -> None:
    try:
        await remove_policy(pool)
    except asyncpg.PostgresError as error:  # a build without policies has none to remove
        log.warning("event=retention_policy_not_removed error=%r", str(error))


async def drop_chunks(pool: asyncpg.Pool, retention: Interval) -> tuple[int, int]:
    """Drop the chunks wholly older than the retention; return (sessions in them, chunks).

    One transaction under an advisory lock, so that several processes running the job at once
    neither drop twice nor count what another dropped."""
    async with pool.acquire() as connection, connection.transaction():
        await connection.execute("SELECT pg_advisory_xact_lock($1)", _LOCK_ID)
        boundary: datetime = await connection.fetchval("SELECT now() - $1::text::interval", str(retention))
        sessions = await connection.fetchval(
            """
            SELECT count(*) FROM sessions WHERE started_at < (
                SELECT max(range_end) FROM timescaledb_information.chunks
                WHERE hypertable_name = 'sessions' AND range_end <= $1)
            """,
            boundary,
            timeout=SWEEP_SECONDS,
        )
        dropped = await connection.fetch(
            "SELECT drop_chunks('sessions', older_than => $1::timestamptz)", boundary, timeout=SWEEP_SECONDS
        )
    return int(sessions), len(dropped)


async def sweep(pool: asyncpg.Pool, retention: Interval) -> int:
    """Delete sessions older than the retention, batch by batch; return how many went.

    Rows are named by their primary key, never by ctid: a ctid is unique only within one table,
    and a hypertable is many (its chunks)."""
    total = 0
    while True:
        status = await pool.execute(
            """
            DELETE FROM sessions
            WHERE started_at < now() - $1::text::interval
              AND (id, started_at) IN (
                SELECT id, started_at FROM sessions
                WHERE started_at < now() - $1::text::interval
                LIMIT $2
              )
            """,
            str(retention),
            BATCH_ROWS,
        )
        deleted = int(status.split()[-1])
        total += deleted
        if deleted < BATCH_ROWS:
            return total


async def trim_rollup_to_chunks(pool: asyncpg.Pool) -> int:
    """Remove rollup hours (and days) older than the oldest chunk left: their sessions were
    dropped. Return how many rows went, over the plays and sources rollups.

    Exact, because chunk boundaries fall on whole UTC days (weeks since the Unix epoch)."""
    total = 0
    for table, column in _ROLLUPS:
        status = await pool.execute(
            f"""
            DELETE FROM {table}
            WHERE {column} < coalesce(
                (SELECT min(range_start) FROM timescaledb_information.chunks
                 WHERE hypertable_name = 'sessions'),
                'infinity')
            """  # noqa: S608 (table and column names from _ROLLUPS, not input)
        )
        total += int(status.split()[-1])
    return total


async def run_once(pool: asyncpg.Pool, retention: Interval, *, timescale: bool) -> Run:
    if timescale:
        sessions, chunks = await drop_chunks(pool, retention)
        rolled = await trim_rollup_to_chunks(pool)
        run = Run("drop_chunks", sessions, chunks, rolled, await trim_watching_minutes(pool, retention))
    else:
        run = Run("delete", await sweep(pool, retention), 0, 0, await trim_watching_minutes(pool, retention))
    await forget_engagement(pool, retention)
    return run


async def forget_engagement(pool: asyncpg.Pool, retention: Interval) -> None:
    """Engagement parts kept for hours whose sessions went (app/api/stats/engagement_hours.py).
    After the sessions went: a part counted before is removed, one counted after is right."""
    async with pool.acquire() as connection, connection.transaction():
        boundary: datetime = await connection.fetchval("SELECT now() - $1::text::interval", str(retention))
        await engagement_hours.forget_before(connection, boundary)


async def trim_watching_minutes(pool: asyncpg.Pool, retention: Interval) -> int:
    """Drop per-minute viewer samples older than the retention, as their sessions go."""
    status = await pool.execute(
        "DELETE FROM watching_minutes WHERE minute < now() - $1::text::interval", str(retention)
    )
    return int(status.split()[-1])


async def run(pool: asyncpg.Pool, retention: Interval) -> None:
    """Keep the table within the retention until cancelled: a run at start, then every hour."""
    timescale = False
    while True:
        started = time.perf_counter()
        try:
            if not timescale:  # asked again after a failure, in case the database was away
                async with pool.acquire() as connection:
                    timescale = await has_timescaledb(connection)
                if timescale:
                    await _remove_policy_if_allowed(pool)
            done = await run_once(pool, retention, timescale=timescale)
        except Exception as error:  # the database is away: the next round tries again
            telemetry.RETENTION_FAILURES.inc()
            log.warning("event=retention_failed error=%r retry_in=%.0f", str(error), SWEEP_SECONDS)
        else:
            seconds = time.perf_counter() - started
            telemetry.RETENTION_RUNS.inc()
            telemetry.RETENTION_DROPPED.inc(done.sessions)
            telemetry.RETENTION_LAST_DROPPED.set(done.sessions)
            telemetry.RETENTION_LAST_RUN.set(time.time())
            log.info(
                "event=retention_run method=%s older_than=%r dropped_sessions=%d dropped_chunks=%d "
                "rollup_rows=%d watching_samples=%d seconds=%.3f next_in=%.0f",
                done.method,
                str(retention),
                done.sessions,
                done.chunks,
                done.rollup_rows,
                done.watching_samples,
                seconds,
                SWEEP_SECONDS,
            )
        await asyncio.sleep(SWEEP_SECONDS)
