"""Resuming a session on rejoin: the same page and video element, reconnected, is one session.

Phoenix clients rejoin every channel with the same topic after a reconnect (a network blip, a
server restart) or a channel error. The topic is 21 random characters made per video element per
page load, so a session's id is derived from the key and the topic, and a join of a topic that
already has a recent row continues that row instead of counting a second play.
"""

from __future__ import annotations

import asyncio
import itertools
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


# Joins waiting for their lookup at once (a reconnect storm) are asked in one query each this many.
BATCH = 500


class Resumption:
    """Finds the stored part of a session that a join continues, if there is one.

    The joins that arrive while a lookup is on its way are looked up together in the next query:
    when every page of a site reconnects at once, the database is asked a few times rather than
    once per page, and thousands of joins do not each queue for a pool connection (which left
    memory behind per socket and held the writer's connections up)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._waiting: dict[uuid.UUID, asyncio.Future[Prior | None]] = {}
        self._asking: asyncio.Task[None] | None = None

    async def prior(self, session: uuid.UUID) -> Prior | None:
        """The latest row of this session within the resume window; None when there is none or
        the database cannot say (the join then starts afresh rather than wait)."""
        waiting = self._waiting.get(session)
        if waiting is None:
            waiting = asyncio.get_running_loop().create_future()
            self._waiting[session] = waiting
            if self._asking is None:
                self._asking = asyncio.ensure_future(self._ask_while_waiting())
        # Shielded: a join given up (its socket closed) must not cancel another's answer.
        return await asyncio.shield(waiting)

    async def _ask_while_waiting(self) -> None:
        """Look up the waiting sessions, a batch at a time, until none waits."""
        batch: dict[uuid.UUID, asyncio.Future[Prior | None]] = {}
        try:
            while self._waiting:
                batch = dict(itertools.islice(self._waiting.items(), BATCH))
                for session in batch:
                    del self._waiting[session]
                try:
                    found = await self._look_up(list(batch))
                except Exception as error:  # not the database's: the joins fail as they would have
                    for waiting in batch.values():
                        if not waiting.done():
                            waiting.set_exception(error)
                    continue
                for session, waiting in batch.items():
                    if not waiting.done():
                        waiting.set_result(found.get(session))
        finally:
            self._asking = None
            # Cancelled (the server stopping): no join waits for ever.
            for waiting in (*batch.values(), *self._waiting.values()):
                if not waiting.done():
                    waiting.cancel()
            self._waiting.clear()

    async def _look_up(self, sessions: list[uuid.UUID]) -> dict[uuid.UUID, Prior]:
        try:
            rows = await self._pool.fetch(
                """
                SELECT DISTINCT ON (s.id) s.*, g.code AS error_code, g.message AS error_message
                FROM sessions s
                LEFT JOIN error_groups g ON g.key_id = s.key_id AND g.fingerprint = s.error_fingerprint
                WHERE s.id = ANY($1::uuid[])
                  AND s.started_at > now() - interval '1 day'
                  AND s.ended_at > now() - make_interval(secs => $2)
                ORDER BY s.id, s.ended_at DESC
                """,
                sessions,
                RESUME_WINDOW_SECONDS,
            )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            return {}
        return {row["id"]: _prior(row) for row in rows}


def _prior(row: asyncpg.Record) -> Prior:
    segments = tuple(Segment(float(start), float(end)) for start, end in row["segments"])
    return Prior(row["started_at"].timestamp(), segments, restored(dict(row)))
