"""Retention: sessions older than METRICS_RETENTION are dropped.

On TimescaleDB a retention policy drops whole chunks in the background. On plain PostgreSQL a
periodic job deletes old rows in bounded batches so that it never holds long locks.
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg

from app.db.migrate import has_timescaledb
from app.intervals import Interval

log = logging.getLogger("video_metrics.retention")

# How often the plain-PostgreSQL job looks for old rows, and how many it deletes per statement.
SWEEP_SECONDS = 3600.0
BATCH_ROWS = 10_000


async def apply_policy(pool: asyncpg.Pool, retention: Interval) -> bool:
    """Install (or update) TimescaleDB's retention policy; False when the extension is absent."""
    async with pool.acquire() as connection:
        if not await has_timescaledb(connection):
            return False
        async with connection.transaction():
            await connection.execute("SELECT remove_retention_policy('sessions', if_exists => true)")
            await connection.execute(
                "SELECT add_retention_policy('sessions', drop_after => $1::text::interval)",
                str(retention),
            )
    log.info("event=retention_policy drop_after=%r", str(retention))
    return True


async def sweep(pool: asyncpg.Pool, retention: Interval) -> int:
    """Delete sessions older than the retention, batch by batch; return how many went."""
    total = 0
    while True:
        status = await pool.execute(
            """
            DELETE FROM sessions WHERE ctid = ANY (ARRAY(
                SELECT ctid FROM sessions
                WHERE started_at < now() - $1::text::interval
                LIMIT $2
            ))
            """,
            str(retention),
            BATCH_ROWS,
        )
        deleted = int(status.split()[-1])
        total += deleted
        if deleted < BATCH_ROWS:
            return total


async def run(pool: asyncpg.Pool, retention: Interval) -> None:
    """Keep the table within the retention until cancelled."""
    try:
        if await apply_policy(pool, retention):
            return
    except Exception as error:
        log.warning("event=retention_policy_failed error=%r fallback=periodic_delete", str(error))
    while True:
        try:
            deleted = await sweep(pool, retention)
            if deleted:
                log.info("event=retention_sweep deleted=%d", deleted)
        except Exception as error:  # the database is away: the next sweep tries again
            log.warning("event=retention_sweep_failed error=%r", str(error))
        await asyncio.sleep(SWEEP_SECONDS)
