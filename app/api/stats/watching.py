"""Live viewers as the server processes publish them (app/live.py), read across all of them,
and the per-minute samples of them.

A live row names its video by key id and metadata (ingest does not know the video's id), so
`query` and `identifier` are matched against those as `scope_for` matches them against videos:
metadata containment, the key, the label, combined with AND. With none of them, the whole server.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.api.params import VideoQuery
from app.api.stats.scope import Connection, matching
from app.live import LIVE_ROWS, STALE_AFTER

# How many videos or pages `by` lists, most watched first.
TOP = 50


@dataclass(frozen=True, slots=True)
class VideoWatching:
    identifier: str | None
    metadata: Any
    watching: int


@dataclass(frozen=True, slots=True)
class PageWatching:
    path: str
    host: str
    watching: int


@dataclass(frozen=True, slots=True)
class Minute:
    minute: datetime
    watching: int


def _matching(videos: VideoQuery, first: int) -> tuple[str, list[object]]:
    """A condition over live rows or samples, from placeholder `first`: as scope_for's."""
    conditions, args = matching(videos, first)
    return " AND ".join(["true", *conditions]), args


_EVERY_VIDEO = VideoQuery()


async def playing_now(connection: Connection, videos: VideoQuery = _EVERY_VIDEO) -> int:
    """Sessions playing right now across every live process, of the videos asked about."""
    if videos == _EVERY_VIDEO:
        total = await connection.fetchval(
            """
            SELECT coalesce(sum(playing), 0) FROM live_processes
            WHERE updated_at > now() - make_interval(secs => $1)
            """,
            STALE_AFTER,
        )
        return int(total)
    where, args = _matching(videos, 2)
    total = await connection.fetchval(
        f"SELECT coalesce(sum(playing), 0) FROM ({LIVE_ROWS}) AS live WHERE {where}",  # noqa: S608
        STALE_AFTER,
        *args,
    )
    return int(total)


async def by_video(connection: Connection, videos: VideoQuery) -> list[VideoWatching]:
    where, args = _matching(videos, 2)
    rows = await connection.fetch(
        f"""
        SELECT max(identifier) AS identifier, metadata, sum(playing)::bigint AS watching
        FROM ({LIVE_ROWS}) AS live WHERE {where}
        GROUP BY key_id, metadata
        ORDER BY 3 DESC, 1, metadata::text LIMIT {TOP}
        """,  # noqa: S608 (fixed fragments; values are bound)
        STALE_AFTER,
        *args,
    )
    return [VideoWatching(row["identifier"], row["metadata"], int(row["watching"])) for row in rows]


async def by_page(connection: Connection, videos: VideoQuery) -> list[PageWatching]:
    where, args = _matching(videos, 2)
    rows = await connection.fetch(
        f"""
        SELECT page_url, page_host, sum(playing)::bigint AS watching
        FROM ({LIVE_ROWS}) AS live WHERE {where}
        GROUP BY page_url, page_host
        ORDER BY 3 DESC, 1, 2 LIMIT {TOP}
        """,  # noqa: S608 (fixed fragments; values are bound)
        STALE_AFTER,
        *args,
    )
    return [PageWatching(row["page_url"], row["page_host"], int(row["watching"])) for row in rows]


async def minutes(connection: Connection, videos: VideoQuery, start: datetime, end: datetime) -> list[Minute]:
    """The sampled viewers of the videos asked about, per minute from `start` to `end`;
    minutes when none of them was playing are left out."""
    where, args = _matching(videos, 3)
    rows = await connection.fetch(
        f"""
        SELECT minute, sum(playing)::bigint AS watching
        FROM watching_minutes
        WHERE minute BETWEEN $1 AND $2 AND {where}
        GROUP BY minute ORDER BY minute
        """,  # noqa: S608 (fixed fragments; values are bound)
        start,
        end,
        *args,
    )
    return [Minute(row["minute"], int(row["watching"])) for row in rows]
