"""Live viewers: the one run-time fact ingest publishes and the API reads, through the database.

Each process writes, in its own row of `live_processes`, how many of its sessions are playing:
in all, and per video and page (migrations/012). The API sums the fresh rows
(app/api/stats/watching.py), so an answer covers every process that shares the database, not
just the one that serves the request; a process that died without saying so stops counting
when its row goes stale. Every process also samples the sum once a minute into
`watching_minutes`, for the peaks; the first to sample a minute writes it.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import Counter
from datetime import datetime

import asyncpg
import orjson

from app.ingest.hub import Playing

log = logging.getLogger("video_metrics.live")

# A process refreshes its row every PUBLISH_INTERVAL seconds; a row older than STALE_AFTER is
# from a process that died without saying so.
PUBLISH_INTERVAL = 1.0
STALE_AFTER = 10.0
# How long after the start of a minute it is sampled: the rows are then at most this old.
SAMPLE_DELAY = 1.5


async def publish(pool: asyncpg.Pool, process_id: uuid.UUID, playing: Counter[Playing]) -> None:
    """Replace this process's row: the count of its playing sessions, and per video and page."""
    by = orjson.dumps(
        [
            {
                "k": where.key_id,
                "m": orjson.Fragment(where.metadata),
                "i": where.identifier,
                "u": where.page_url,
                "h": where.page_host,
                "n": count,
            }
            for where, count in playing.items()
        ]
    ).decode()
    await pool.execute(
        """
        INSERT INTO live_processes (process_id, playing, playing_by, updated_at)
        VALUES ($1, $2, $3::text::jsonb, now())
        ON CONFLICT (process_id) DO UPDATE
        SET playing = EXCLUDED.playing, playing_by = EXCLUDED.playing_by, updated_at = now()
        """,
        process_id,
        sum(playing.values()),
        by,
    )


async def withdraw(pool: asyncpg.Pool, process_id: uuid.UUID) -> None:
    await pool.execute("DELETE FROM live_processes WHERE process_id = $1", process_id)


# The live rows of every fresh process, one per process, video and page.
LIVE_ROWS = """
    SELECT (e ->> 'k')::bigint AS key_id, e -> 'm' AS metadata, e ->> 'i' AS identifier,
           e ->> 'u' AS page_url, e ->> 'h' AS page_host, (e ->> 'n')::int AS playing
    FROM live_processes p CROSS JOIN LATERAL jsonb_array_elements(p.playing_by) AS e
    WHERE p.updated_at > now() - make_interval(secs => $1)
"""


async def sample(pool: asyncpg.Pool, at: datetime | None = None) -> int:
    """Write the viewers of every video playing now under the current minute (the database's
    clock; a test names another), unless another process has written that minute's rows
    already; return how many rows were written."""
    status = await pool.execute(
        f"""
        INSERT INTO watching_minutes (minute, key_id, video, metadata, identifier, playing)
        SELECT date_trunc('minute', coalesce($2, now())), key_id,
               sha256(convert_to(metadata::text, 'UTF8')),
               metadata, max(identifier), sum(playing)
        FROM ({LIVE_ROWS}) AS live
        GROUP BY key_id, metadata
        HAVING sum(playing) > 0
        ON CONFLICT (key_id, minute, video) DO NOTHING
        """,  # noqa: S608 (a fixed fragment)
        STALE_AFTER,
        at,
    )
    return int(status.split()[-1])


async def sample_every_minute(pool: asyncpg.Pool) -> None:
    """Sample shortly after the start of each minute until cancelled."""
    while True:
        await asyncio.sleep(60 - time.time() % 60 + SAMPLE_DELAY)
        try:
            await sample(pool)
        except Exception as error:  # the database is away; the next minute tries again
            log.warning("event=watching_sample_failed error=%r", str(error))
