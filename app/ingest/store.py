"""How a batch of session rows is stored: one transaction that stages them and upserts the videos
and the sessions. The statements are built from a constant column list; values are bound.

Rows are upserts keyed by session id, so a batch that is stored twice (its commit succeeded but
the answer was lost) still leaves one row per session. The row that knows most wins: a row only
replaces one that ended no later than it, so a late checkpoint never overwrites a final row, while
a session resumed after a reconnect (which carries the earlier segments) does.
"""

from __future__ import annotations

import asyncpg

from app.ingest.record import SessionRecord

COLUMNS = (
    "id",
    "started_at",
    "ended_at",
    "key_id",
    "metadata",
    "identifier",
    "duration",
    "browser",
    "platform",
    "device",
    "page_host",
    "page_url",
    "segments",
    "watched",
    "unique_watched",
    "final",
    "process_id",
)

_STAGING = """
CREATE TEMP TABLE IF NOT EXISTS incoming_sessions (
    id uuid, started_at timestamptz, ended_at timestamptz, key_id bigint, metadata jsonb,
    identifier text, duration double precision, browser text, platform text, device text,
    page_host text, page_url text, segments double precision[], watched double precision,
    unique_watched double precision, final boolean, process_id uuid
) ON COMMIT DELETE ROWS
"""

# Built from the constant column list above; nothing from input reaches it.
_STAGE_ROW = f"""
INSERT INTO incoming_sessions ({", ".join(COLUMNS)})
VALUES ({", ".join(f"${i}" for i in range(1, len(COLUMNS) + 1))})
"""  # noqa: S608

# One video per (key, metadata); jsonb equality, not text equality, decides what is the same video.
_UPSERT_VIDEOS = """
INSERT INTO videos (key_id, metadata, identifier, duration)
SELECT DISTINCT ON (key_id, metadata) key_id, metadata, identifier, duration
FROM incoming_sessions
ORDER BY key_id, metadata, ended_at DESC
ON CONFLICT (key_id, metadata) DO UPDATE
SET identifier = coalesce(EXCLUDED.identifier, videos.identifier),
    duration = coalesce(EXCLUDED.duration, videos.duration)
"""

_UPSERT_SESSIONS = """
INSERT INTO sessions (id, started_at, ended_at, key_id, video_id, browser, platform, device,
                      page_host, page_url, segments, watched, unique_watched, final, process_id)
SELECT i.id, i.started_at, i.ended_at, i.key_id, v.id, i.browser, i.platform, i.device,
       i.page_host, i.page_url, i.segments, i.watched, i.unique_watched, i.final, i.process_id
FROM incoming_sessions i JOIN videos v ON v.key_id = i.key_id AND v.metadata = i.metadata
-- A stable order takes row locks (sessions, and the rollup rows its trigger updates) in the same
-- order in every process, which keeps concurrent batches from deadlocking.
ORDER BY i.key_id, i.started_at, i.id
ON CONFLICT (id, started_at) DO UPDATE
SET ended_at = EXCLUDED.ended_at, segments = EXCLUDED.segments, watched = EXCLUDED.watched,
    unique_watched = EXCLUDED.unique_watched, final = EXCLUDED.final, process_id = EXCLUDED.process_id
WHERE EXCLUDED.ended_at >= sessions.ended_at
"""

# Batches at least this large are staged with COPY; smaller ones with one pipelined insert.
COPY_THRESHOLD = 64


async def store(pool: asyncpg.Pool, batch: list[SessionRecord]) -> None:
    """Store the rows in one transaction (the caller retries or sets aside on failure)."""
    rows = [tuple(getattr(record, column) for column in COLUMNS) for record in batch]
    async with pool.acquire() as connection, connection.transaction():
        await connection.execute(_STAGING)
        if len(rows) >= COPY_THRESHOLD:
            await connection.copy_records_to_table("incoming_sessions", records=rows, columns=COLUMNS)
        else:
            await connection.executemany(_STAGE_ROW, rows)
        await connection.execute(_UPSERT_VIDEOS)
        await connection.execute(_UPSERT_SESSIONS)
