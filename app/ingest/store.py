"""How a batch of session rows is stored: one transaction that stages them (COPY for a large
batch) and upserts the videos, the error groups and the sessions, then adds the batch's changes to
the rollups grouped (migrations/060); the statements are in app/ingest/rows.py.

Rows are upserts keyed by session id, so a batch that is stored twice (its commit succeeded but
the answer was lost) still leaves one row per session. The row that knows most wins: a row only
replaces one that ended no later than it, so a late checkpoint never overwrites a final row, while
a session resumed after a reconnect (which carries the earlier segments) does.
"""

from __future__ import annotations

import asyncpg

from app.ingest.record import SessionRecord
from app.ingest.rows import (
    APPLY_ROLLUPS,
    BATCHED_ROLLUPS,
    COLUMNS,
    STAGE_ROW,
    STAGING,
    UPSERT_ERROR_GROUPS,
    UPSERT_SESSIONS,
    UPSERT_VIDEOS,
)

# Batches at least this large are staged with COPY; smaller ones with one pipelined insert.
COPY_THRESHOLD = 64
# One round trip each: the staging table with the batched rollups' setup, then the sessions'
# upsert with the rollups it changed (neither takes arguments).
_BEGIN = f"{STAGING};{BATCHED_ROLLUPS}"
_UPSERT = f"{UPSERT_SESSIONS};{APPLY_ROLLUPS}"


async def store(pool: asyncpg.Pool, batch: list[SessionRecord]) -> None:
    """Store the rows in one transaction (the caller retries or sets aside on failure)."""
    rows = [tuple(getattr(record, column) for column in COLUMNS) for record in batch]
    async with pool.acquire() as connection, connection.transaction():
        await connection.execute(_BEGIN)
        if len(rows) >= COPY_THRESHOLD:
            await connection.copy_records_to_table("incoming_sessions", records=rows, columns=COLUMNS)
        else:
            await connection.executemany(STAGE_ROW, rows)
        await connection.execute(UPSERT_VIDEOS)
        if any(record.error_fingerprint is not None for record in batch):
            await connection.execute(UPSERT_ERROR_GROUPS)
        await connection.execute(_UPSERT)
