"""Deletion on request: a scope's sessions, everything derived from them, and the rows of them
still waiting in this process, in one step; or, as a dry run, how much that would be.

In the database it is one transaction: the sessions (checkpoints of open ones included; on
TimescaleDB compressed chunks included), the derived rows (app/data/derived.py), the videos left
without a session, and the key when asked to revoke it. In this process, the scope's open
sessions end without being stored, and rows not stored yet (the writer's queue and files) and
copies waiting for the sinks are dropped. What went is logged as counts and the shape of the
scope, never its values.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from app.api import keys
from app.api.stats import Connection, engagement_hours
from app.data import deletion_sql
from app.data.derived import DERIVED
from app.data.matching import RecordMatch, canonical
from app.data.params import DeletionParams
from app.data.scope import LATEST, Resolved, resolve
from app.db.migrate import has_timescaledb
from app.ingest.hub import Hub
from app.ingest.record import SessionRecord
from app.ingest.writer import Writer

log = logging.getLogger("video_metrics.deletion")

# A large deletion (millions of rows, compressed chunks) may take long; it is not cut off at the
# pool's usual minute.
LIMIT = 3600.0  # seconds

Matches = Callable[[SessionRecord], bool]


class Waiting(Protocol):
    """Sessions not stored yet, held by this process (the writer) or on disk (a stopped server's
    files): counted for a dry run, and dropped while the stored ones are deleted."""

    def waiting(self, matches: Matches) -> int: ...

    def forgetting(self, matches: Matches) -> AbstractAsyncContextManager[int]: ...


class Copies(Protocol):
    """Copies of stored sessions on their way elsewhere (the sinks)."""

    async def forget(self, matches: Matches) -> int: ...


@dataclass(frozen=True, slots=True)
class Deletion:
    """The answer: what went (or, in a dry run, would go)."""

    dry_run: bool
    sessions: int  # stored sessions
    videos: int  # videos left without a session
    waiting: int  # sessions of this process still open or not stored yet
    key_revoked: bool


async def delete(
    connection: Connection,
    params: DeletionParams,
    *,
    waiting: Waiting | None = None,
    copies: Copies | None = None,
) -> Deletion:
    resolved = await resolve(connection, params.videos, with_videos=True)
    matches = await _record_match(connection, params, resolved)
    before = params.before or LATEST
    if params.dry_run:
        sessions, videos = await _plan(connection, resolved, before, params.before is not None)
        held = waiting.waiting(matches) if waiting is not None else 0
        return Deletion(True, sessions, videos, held, False)
    async with _forgetting(waiting, matches) as dropped:
        sessions, videos, derived, revoked = await _delete_stored(connection, params, resolved, before)
    copied = await copies.forget(matches) if copies is not None else 0
    log.info(
        "event=sessions_deleted scope=%s before=%s keys=%s sessions=%d videos=%d derived_rows=%d "
        "waiting=%d sink_copies=%d key_revoked=%s",
        _shape(params),
        "none" if params.before is None else params.before.isoformat(),
        ",".join(map(str, resolved.key_ids)) or "none",
        sessions,
        videos,
        derived,
        dropped,
        copied,
        str(revoked).lower(),
    )
    return Deletion(False, sessions, videos, dropped, revoked)


def _shape(params: DeletionParams) -> str:
    """Which parts the scope had (key, video, identifier), not what they said."""
    videos = params.videos
    parts = [name for name, value in (("key", videos.key), ("video", videos.video)) if value is not None]
    return "+".join([*parts, *(["identifier"] if videos.identifier is not None else [])])


@contextlib.asynccontextmanager
async def _forgetting(waiting: Waiting | None, matches: Matches) -> AsyncIterator[int]:
    if waiting is None:
        yield 0
        return
    async with waiting.forgetting(matches) as dropped:
        yield dropped


def _args(resolved: Resolved, before: datetime) -> tuple[Any, ...]:
    if resolved.key_id is not None:
        return (resolved.key_id, before)
    return (list(resolved.key_ids), list(resolved.video_ids), before)


async def _plan(
    connection: Connection, resolved: Resolved, before: datetime, partial: bool
) -> tuple[int, int]:
    """How many sessions the scope holds before `before`, and how many videos would be left
    without one."""
    if resolved.empty:
        return 0, 0
    whole_key = resolved.key_id is not None
    args = _args(resolved, before)
    sessions = await connection.fetchval(deletion_sql.count_sessions(whole_key), *args, timeout=LIMIT)
    kept = await _videos_kept(connection, resolved, before) if partial else set()
    return int(sessions), len(set(resolved.video_ids) - kept)


async def _videos_kept(connection: Connection, resolved: Resolved, before: datetime) -> set[int]:
    rows = await connection.fetch(
        deletion_sql.videos_kept(resolved.key_id is not None),
        *_args(resolved, before),
        timeout=LIMIT,
    )
    return {int(row["video_id"]) for row in rows}


async def _delete_stored(
    connection: Connection, params: DeletionParams, resolved: Resolved, before: datetime
) -> tuple[int, int, int, bool]:
    """Sessions, derived rows, emptied videos and the key if asked, in one transaction:
    (sessions, videos, derived rows, whether the key was revoked)."""
    async with connection.transaction():
        # First, so that no engagement part counted before this commits is kept after it.
        await engagement_hours.forget(connection, list(resolved.key_ids))
        revoked = False
        if params.revoke_key and params.videos.key is not None:
            revoked = await keys.revoke_key(connection, params.videos.key) is not None
        if resolved.empty:
            return 0, 0, 0, revoked
        whole_key = resolved.key_id is not None
        video_ids = list(resolved.video_ids)
        if await has_timescaledb(connection):
            await connection.execute(deletion_sql.NO_DECOMPRESSION_LIMIT)
        await connection.execute(deletion_sql.LOCK_VIDEOS, video_ids, timeout=LIMIT)
        status = await connection.execute(
            deletion_sql.delete_sessions(whole_key), *_args(resolved, before), timeout=LIMIT
        )
        sessions = int(status.split()[-1])
        derived = 0
        for table in DERIVED:
            status = await connection.execute(
                table.statement(),
                *table.args(list(resolved.key_ids), video_ids, before),
                timeout=LIMIT,
            )
            derived += int(status.split()[-1])
        kept = await _videos_kept(connection, resolved, before) if params.before is not None else set()
        gone = [video for video in video_ids if video not in kept]
        status = await connection.execute(deletion_sql.DELETE_VIDEOS, gone, timeout=LIMIT)
        videos = int(status.split()[-1])
    return sessions, videos, derived, revoked


async def _record_match(connection: Connection, params: DeletionParams, resolved: Resolved) -> RecordMatch:
    """The scope as a test of rows not stored yet: the videos it resolved to, and its terms."""
    query = params.videos
    key_id = None
    if query.key is not None:
        found = await connection.fetchval(deletion_sql.KEY_ID, query.key)
        key_id = -1 if found is None else int(found)
    identities: frozenset[tuple[int, str]] = frozenset()
    if resolved.key_id is None and resolved.video_ids:
        rows = await connection.fetch(deletion_sql.VIDEO_IDENTITIES, list(resolved.video_ids))
        identities = frozenset((int(row["key_id"]), canonical(row["metadata"])) for row in rows)
    return RecordMatch(
        key_id=key_id,
        video=query.video,
        identifier=query.identifier,
        videos=identities,
        before=params.before,
    )


class InProcess:
    """What this server process holds of sessions not stored yet: sessions still open (ended
    without being stored, and their channels closed) and rows waiting in the writer."""

    def __init__(self, hub: Hub, writer: Writer) -> None:
        self._hub = hub
        self._writer = writer

    def waiting(self, matches: Matches) -> int:
        """Open, or waiting to be written (an open session's checkpoint may be both: once)."""
        return len(self._hub.forget(matches, time.time(), count_only=True) | self._writer.waiting(matches))

    @contextlib.asynccontextmanager
    async def forgetting(self, matches: Matches) -> AsyncIterator[int]:
        ended = self._hub.forget(matches, time.time())
        async with self._writer.forgetting(matches) as dropped:
            yield len(ended | dropped)
