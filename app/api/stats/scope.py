"""The sessions a question is about: which videos (a key's, or some by metadata and label) and
when; and the database connection the questions are asked on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from app.api.params import NO_FILTERS, Filters, VideoQuery

# A connection of its own or one borrowed from the pool: the queries take either.
Connection: TypeAlias = "asyncpg.Connection[Any] | PoolConnectionProxy[Any]"


@dataclass(frozen=True, slots=True)
class Database:
    """A connection, and whether the server it reaches has TimescaleDB's `time_bucket`; when the
    connection is a read standby's, the primary, where what is kept for later questions is
    written (app/api/stats/engagement_hours.py)."""

    connection: Connection
    timescale: bool
    primary: asyncpg.Pool | None = None

    @classmethod
    async def of(cls, connection: Connection) -> Database:
        found = await connection.fetchval(
            "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb')"
        )
        return cls(connection, bool(found))


@dataclass(frozen=True, slots=True)
class Scope:
    """The sessions a question is about: all of a key's, or those of some videos; a time window."""

    start: datetime
    end: datetime
    key_id: int | None = None
    video_ids: tuple[int, ...] = ()
    filters: Filters = NO_FILTERS

    def condition(self) -> tuple[str, list[object]]:
        """A WHERE clause over `sessions s` taking $1..$3, and its arguments."""
        if self.key_id is not None:
            return "s.key_id = $1 AND s.started_at BETWEEN $2 AND $3", [
                self.key_id,
                self.start,
                self.end,
            ]
        return "s.video_id = ANY($1::bigint[]) AND s.started_at BETWEEN $2 AND $3", [
            list(self.video_ids),
            self.start,
            self.end,
        ]

    def narrowed(self, where: str, args: list[object]) -> str:
        """`where` with the filters' conditions, their values appended to `args` (so numbered
        after every placeholder the caller bound before)."""
        for column, value in self.filters.columns():
            args.append(value)
            where += f" AND s.{column} = ${len(args)}"
        return where

    def during(self, start: datetime, end: datetime) -> Scope:
        """The same videos in another window."""
        return Scope(start, end, self.key_id, self.video_ids, self.filters)


def matching(videos: VideoQuery, first: int, prefix: str = "") -> tuple[list[str], list[object]]:
    """The conditions a video query puts on rows with key_id, metadata and identifier columns
    (`prefix` names their table), with placeholders from `first`, and their values."""
    conditions: list[str] = []
    args: list[object] = []
    within = None if videos.within is None else list(videos.within)
    for value, condition in (
        (videos.key, f"{prefix}key_id = (SELECT id FROM keys WHERE key = ${{}})"),  # noqa: S608
        (videos.video, f"{prefix}metadata @> ${{}}::jsonb"),
        (videos.identifier, f"{prefix}identifier = ${{}}"),
        # A reader's reach (a read-only token's keys): only their videos.
        (within, f"{prefix}key_id IN (SELECT id FROM keys WHERE key = ANY(${{}}::text[]))"),  # noqa: S608
    ):
        if value is not None:
            conditions.append(condition.format(first + len(args)))
            args.append(value)
    return conditions, args


async def scope_for(
    connection: Connection,
    videos: VideoQuery,
    start: datetime,
    end: datetime,
    filters: Filters = NO_FILTERS,
) -> Scope | None:
    """Resolve which videos a query names; None when it names none (the answer is then empty)."""
    if videos.key_only:
        key_id = await connection.fetchval("SELECT id FROM keys WHERE key = $1", videos.key)
        return None if key_id is None else Scope(start, end, key_id=int(key_id), filters=filters)
    conditions, args = matching(videos, 1, "v.")
    if not conditions:
        return None
    rows = await connection.fetch(
        f"SELECT v.id FROM videos v WHERE {' AND '.join(conditions)} ORDER BY v.id",  # noqa: S608
        *args,
    )
    if not rows:
        return None
    return Scope(start, end, video_ids=tuple(int(row["id"]) for row in rows), filters=filters)
