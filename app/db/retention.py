"""Retention: sessions older than METRICS_RETENTION are dropped.

On TimescaleDB a retention policy drops whole chunks in the background. On plain PostgreSQL a
periodic job deletes old rows in bounded batches so that it never holds long locks. Either way
the rollups (plays, sources) are kept in step: a dropped chunk fires no row triggers, so on
TimescaleDB their rows are removed here.
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg

from app.db.migrate import has_timescaledb
from app.intervals import Interval

log = logging.getLogger("video_metrics.retention")

# How often the job runs, and how many rows the plain-PostgreSQL sweep deletes per statement.
SWEEP_SECONDS = 3600.0
BATCH_ROWS = 10_000

# Trigger-kept rollups of sessions (migrations 004, 007 and 021) and their time column.
_ROLLUPS = (
    ("plays_hourly", "hour"),
    ("sources_hourly", "hour"),
    ("sources_daily", "day"),
    ("impressions_hourly", "hour"),
    ("qoe_hourly", "hour"),
    ("startup_hourly", "hour"),
    ("countries_hourly", "hour"),
)

# Serialises policy changes when several processes start at once.
_LOCK_ID = 0x5649_4445_4F52  # "VIDEOR"


async def apply_policy(pool: asyncpg.Pool, retention: Interval) -> bool:
    """Make TimescaleDB's retention policy drop chunks after `retention`; False without the
    extension. Left alone when it already says so, so restarts keep the job and its history."""
    async with pool.acquire() as connection:
        if not await has_timescaledb(connection):
            return False
        async with connection.transaction():
            await connection.execute("SELECT pg_advisory_xact_lock($1)", _LOCK_ID)
            current = await connection.fetchval(
                """
                SELECT (config ->> 'drop_after')::interval = $1::text::interval
                FROM timescaledb_information.jobs
                WHERE proc_name = 'policy_retention' AND hypertable_name = 'sessions'
                """,
                str(retention),
            )
            if current:
                return True
            await connection.execute("SELECT remove_retention_policy('sessions', if_exists => true)")
            await connection.execute(
                "SELECT add_retention_policy('sessions', drop_after => $1::text::interval)",
                str(retention),
            )
    log.info("event=retention_policy drop_after=%r", str(retention))
    return True


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


async def run(pool: asyncpg.Pool, retention: Interval) -> None:
    """Keep the table within the retention until cancelled."""
    timescale = False
    try:
        timescale = await apply_policy(pool, retention)
    except Exception as error:
        # e.g. the Apache-licensed build has no policies: sweep by rows instead.
        log.warning("event=retention_policy_failed error=%r fallback=periodic_delete", str(error))
    while True:
        try:
            if timescale:
                trimmed = await trim_rollup_to_chunks(pool)
                if trimmed:
                    log.info("event=rollup_trimmed rows=%d", trimmed)
            else:
                deleted = await sweep(pool, retention)
                if deleted:
                    log.info("event=retention_sweep deleted=%d", deleted)
        except Exception as error:  # the database is away: the next round tries again
            log.warning("event=retention_failed error=%r", str(error))
        await asyncio.sleep(SWEEP_SECONDS)
