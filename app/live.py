"""Live viewers: the one run-time fact ingest publishes and the API reads, through the database.

Each process writes its own count of playing sessions; the API sums the fresh rows, so the answer
covers every process that shares the database, not just the one that serves the request.
"""

from __future__ import annotations

import uuid

import asyncpg

# A process refreshes its row every PUBLISH_INTERVAL seconds; a row older than STALE_AFTER is
# from a process that died without saying so.
PUBLISH_INTERVAL = 1.0
STALE_AFTER = 10.0


async def publish(pool: asyncpg.Pool, process_id: uuid.UUID, playing: int) -> None:
    await pool.execute(
        """
        INSERT INTO live_processes (process_id, playing, updated_at) VALUES ($1, $2, now())
        ON CONFLICT (process_id) DO UPDATE SET playing = EXCLUDED.playing, updated_at = now()
        """,
        process_id,
        playing,
    )


async def withdraw(pool: asyncpg.Pool, process_id: uuid.UUID) -> None:
    await pool.execute("DELETE FROM live_processes WHERE process_id = $1", process_id)


async def watching(pool: asyncpg.Pool) -> int:
    """Sessions playing right now across every live process."""
    total = await pool.fetchval(
        """
        SELECT coalesce(sum(playing), 0) FROM live_processes
        WHERE updated_at > now() - make_interval(secs => $1)
        """,
        STALE_AFTER,
    )
    return int(total)
