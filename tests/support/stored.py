"""Reading back what the server stored, waiting for the writer (it flushes within a second or two)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import asyncpg

_SELECT = """
SELECT s.*, v.metadata, v.identifier, v.duration, k.key
FROM sessions s JOIN videos v ON v.id = s.video_id JOIN keys k ON k.id = s.key_id
WHERE k.key = $1 AND s.final
ORDER BY s.started_at, s.id
"""


async def final_sessions(
    db: asyncpg.Connection, key: str, count: int, timeout: float = 5.0, *, at_least: bool = False
) -> list[dict[str, Any]]:
    """The key's final session rows once there are `count` of them (fails after `timeout`);
    with `at_least`, once there are `count` or more."""
    deadline = time.monotonic() + timeout
    while True:
        rows = [dict(row) for row in await db.fetch(_SELECT, key)]
        if len(rows) >= count or time.monotonic() > deadline:
            if at_least:
                assert len(rows) >= count, f"expected {count} or more stored sessions, found {len(rows)}"
            else:
                assert len(rows) == count, f"expected {count} stored sessions, found {len(rows)}"
            return rows
        await asyncio.sleep(0.05)


async def stored_rows(db: asyncpg.Connection, key: str) -> int:
    """Every row of the key's sessions, final or checkpoint: what "stored once" is counted by."""
    count: int = await db.fetchval(
        "SELECT count(*) FROM sessions s JOIN keys k ON k.id = s.key_id WHERE k.key = $1", key
    )
    return count
