"""Live viewers as the server processes publish them (app/live.py), read across all of them."""

from __future__ import annotations

from app.api.stats.scope import Connection

# A process refreshes its row about every second; a row older than this is from a process that
# died without saying so, and is not counted.
STALE_AFTER = 10.0


async def playing_now(connection: Connection) -> int:
    """Sessions playing right now across every live process."""
    total = await connection.fetchval(
        """
        SELECT coalesce(sum(playing), 0) FROM live_processes
        WHERE updated_at > now() - make_interval(secs => $1)
        """,
        STALE_AFTER,
    )
    return int(total)
