"""Resuming a session on rejoin: the same page and video element, reconnected, is one session.

Phoenix clients rejoin every channel with the same topic after a reconnect (a network blip, a
server restart) or a channel error. The topic is 21 random characters made per video element per
page load, so a session's id is derived from the key and the topic, and a join of a topic that
already has a recent row continues that row instead of counting a second play.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import asyncpg

from app.ingest.quality import Quality, restored
from app.ingest.session import Segment

# Fixed so that every process derives the same id for the same key and topic.
_NAMESPACE = uuid.UUID("7c1f5a6e-3b4d-5e8f-9a0b-1c2d3e4f5a6b")

# A rejoin later than this after the session's last row starts a new session: the client's
# reconnect schedule (1, 5, 10, then every 25 s) rejoins well within it.
RESUME_WINDOW_SECONDS = 600.0


def session_id(key_id: int, topic: str) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"{key_id}:{topic}")


@dataclass(frozen=True, slots=True)
class Prior:
    """What an earlier part of the session stored: its start, the segments watched, and how
    well it played so far."""

    started_at: float
    segments: tuple[Segment, ...]
    quality: Quality = field(default_factory=Quality)


class Resumption:
    """Finds the stored part of a session that a join continues, if there is one."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def prior(self, session: uuid.UUID) -> Prior | None:
        """The latest row of this session within the resume window; None when there is none or
        the database cannot say (the join then starts afresh rather than wait)."""
        try:
            row = await self._pool.fetchrow(
                """
                SELECT s.*, g.code AS error_code, g.message AS error_message
                FROM sessions s
                LEFT JOIN error_groups g ON g.key_id = s.key_id AND g.fingerprint = s.error_fingerprint
                WHERE s.id = $1
                  AND s.started_at > now() - interval '1 day'
                  AND s.ended_at > now() - make_interval(secs => $2)
                ORDER BY s.ended_at DESC LIMIT 1
                """,
                session,
                RESUME_WINDOW_SECONDS,
            )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            return None
        if row is None:
            return None
        segments = tuple(Segment(float(start), float(end)) for start, end in row["segments"])
        return Prior(row["started_at"].timestamp(), segments, restored(dict(row)))
