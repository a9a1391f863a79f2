"""Every read query of the stats endpoints, in one place, with bind parameters only.

The SQL text is assembled from fixed fragments chosen by the *shape* of a question (a key or a list
of videos; month or fixed buckets; TimescaleDB or not), never from input text: every value the
caller sent travels as a bind parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from app.api import ranges as ranges_sql
from app.api import rollup, seconds
from app.api.buckets import bucket_sql
from app.api.categories import BROWSERS, DEVICES, PLATFORMS
from app.api.params import VideoQuery
from app.intervals import Interval

# A connection of its own or one borrowed from the pool: the queries take either.
Connection: TypeAlias = "asyncpg.Connection[Any] | PoolConnectionProxy[Any]"


@dataclass(frozen=True, slots=True)
class Scope:
    """The sessions a question is about: all of a key's, or those of some videos; a time window."""

    start: datetime
    end: datetime
    key_id: int | None = None
    video_ids: tuple[int, ...] = ()

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


@dataclass(frozen=True, slots=True)
class PlaysBucket:
    start: datetime
    views: int
    total_view_time: float
    unique_total_view_time: float
    browser: dict[str, int]
    device: dict[str, int]
    platform: dict[str, int]


@dataclass(frozen=True, slots=True)
class SourceRow:
    start: datetime
    path: str
    host: str
    views: int


@dataclass(frozen=True, slots=True)
class SecondViews:
    second: int
    views: int


@dataclass(frozen=True, slots=True)
class PerSecondBucket:
    start: datetime
    per_second: list[SecondViews]


@dataclass(frozen=True, slots=True)
class RangeViewers:
    range: int
    start: float
    end: float
    viewers: int


async def scope_for(
    connection: Connection, videos: VideoQuery, start: datetime, end: datetime
) -> Scope | None:
    """Resolve which videos a query names; None when it names none (the answer is then empty)."""
    if videos.key_only:
        key_id = await connection.fetchval("SELECT id FROM keys WHERE key = $1", videos.key)
        return None if key_id is None else Scope(start, end, key_id=int(key_id))
    conditions: list[str] = []
    args: list[object] = []
    if videos.key is not None:
        args.append(videos.key)
        conditions.append(f"v.key_id = (SELECT id FROM keys WHERE key = ${len(args)})")  # noqa: S608
    if videos.video is not None:
        args.append(videos.video)
        conditions.append(f"v.metadata @> ${len(args)}::jsonb")
    if videos.identifier is not None:
        args.append(videos.identifier)
        conditions.append(f"v.identifier = ${len(args)}")
    if not conditions:
        return None
    rows = await connection.fetch(
        f"SELECT v.id FROM videos v WHERE {' AND '.join(conditions)} ORDER BY v.id",  # noqa: S608
        *args,
    )
    if not rows:
        return None
    return Scope(start, end, video_ids=tuple(int(row["id"]) for row in rows))


def _counts(column: str, values: tuple[str, ...]) -> str:
    return ", ".join(
        f"count(*) FILTER (WHERE s.{column} = '{value}') AS {column}_{value}" for value in values
    )


_BREAKDOWNS = ", ".join(
    [_counts("browser", BROWSERS), _counts("device", DEVICES), _counts("platform", PLATFORMS)]
)


async def plays(
    connection: Connection,
    scope: Scope,
    interval: Interval,
    minimum_watch_seconds: float,
    *,
    timescale: bool,
    use_rollup: bool = True,
) -> list[PlaysBucket]:
    """Sessions watched at least `minimum_watch_seconds`, by the bucket of their start time.

    A whole key's plays come from the hourly rollup where it gives the same numbers
    (app/api/rollup.py); `use_rollup=False` is for the test that holds the two to each other.
    """
    hours = rollup.full_hours(scope.start, scope.end)
    if use_rollup and hours and rollup.usable(scope.key_id, interval, minimum_watch_seconds):
        statement, width = rollup.plays_sql(interval, timescale=timescale)
        rows = await connection.fetch(
            statement,
            scope.key_id,
            *hours,
            int(minimum_watch_seconds),
            scope.start,
            scope.end,
            minimum_watch_seconds,
            width,
        )
    else:
        where, args = scope.condition()
        bucket = bucket_sql(interval, "s.started_at", "$5", timescale=timescale)
        rows = await connection.fetch(
            f"""
            SELECT {bucket.expression} AS bucket, count(*) AS views,
                   sum(s.watched) AS total_view_time, sum(s.unique_watched) AS unique_view_time,
                   {_BREAKDOWNS}
            FROM sessions s
            WHERE {where} AND s.watched >= $4
            GROUP BY 1 ORDER BY 1
            """,  # noqa: S608 (fixed fragments; values are bound)
            *args,
            minimum_watch_seconds,
            bucket.value,
        )
    return [
        PlaysBucket(
            start=row["bucket"],
            views=row["views"],
            total_view_time=float(row["total_view_time"]),
            unique_total_view_time=float(row["unique_view_time"]),
            browser={value: row[f"browser_{value}"] for value in BROWSERS},
            device={value: row[f"device_{value}"] for value in DEVICES},
            platform={value: row[f"platform_{value}"] for value in PLATFORMS},
        )
        for row in rows
    ]


async def sources(
    connection: Connection,
    scope: Scope,
    interval: Interval,
    minimum_watch_seconds: float,
    *,
    timescale: bool,
    use_rollup: bool = True,
) -> list[SourceRow]:
    """Plays by the page they happened on, per bucket; most viewed pages first in each bucket.

    From the sources rollups where they give the same rows (app/api/rollup.py); `use_rollup=False`
    is for the test that holds the two to each other.
    """
    grain = rollup.sources_grain(scope.key_id, interval, minimum_watch_seconds)
    periods = None
    if grain == "hour":
        periods = rollup.full_hours(scope.start, scope.end)
    elif grain == "day":
        periods = rollup.full_days(scope.start, scope.end)
    if use_rollup and grain is not None and periods is not None:
        statement, width = rollup.sources_sql(grain, interval, timescale=timescale)
        subject: object = scope.key_id if grain == "hour" else list(scope.video_ids)
        rows = await connection.fetch(
            statement, subject, *periods, minimum_watch_seconds, scope.start, scope.end, width
        )
        return [SourceRow(row["bucket"], row["page_url"], row["page_host"], row["views"]) for row in rows]
    where, args = scope.condition()
    bucket = bucket_sql(interval, "s.started_at", "$5", timescale=timescale)
    rows = await connection.fetch(
        f"""
        SELECT {bucket.expression} AS bucket, s.page_url, s.page_host, count(*) AS views
        FROM sessions s
        WHERE {where} AND s.watched >= $4
        GROUP BY 1, 2, 3 ORDER BY 1, 4 DESC, 2, 3
        """,  # noqa: S608 (fixed fragments; values are bound)
        *args,
        minimum_watch_seconds,
        bucket.value,
    )
    return [SourceRow(row["bucket"], row["page_url"], row["page_host"], row["views"]) for row in rows]


async def per_second(
    connection: Connection, scope: Scope, interval: Interval, *, timescale: bool
) -> list[PerSecondBucket]:
    """For each bucket and each second of video, the sessions that watched part of that second
    (app/api/seconds.py); raises seconds.TooManySeconds when that is more than an answer lists."""
    where, args = scope.condition()
    bucket = bucket_sql(interval, "s.started_at", "$4", timescale=timescale)
    rows = await connection.fetch(
        seconds.runs_sql(where, bucket.expression), *args, bucket.value, seconds.MAX_SECOND
    )
    runs = [seconds.Run(row["bucket"], row["start"], row["stop"], row["viewers"]) for row in rows]
    return [
        PerSecondBucket(start, [SecondViews(second, views) for second, views in listed])
        for start, listed in seconds.expand(runs)
    ]


# The lengths ranges are cut from: what ingest keeps as a duration (app/ingest/session.py). Beyond
# these a stored number is not a video's length (and near 0 the range boundaries would underflow).
MIN_LENGTH = 0.000001
MAX_LENGTH = float(seconds.MAX_SECOND)


async def duration(connection: Connection, scope: Scope) -> float | None:
    """The length the ranges cut: the longest stored duration of the videos in scope, else the
    furthest point any session in the window reached."""
    if scope.key_id is not None:
        stored = await connection.fetchval(
            "SELECT max(duration) FROM videos WHERE key_id = $1 AND duration BETWEEN $2 AND $3",
            scope.key_id,
            MIN_LENGTH,
            MAX_LENGTH,
        )
    else:
        stored = await connection.fetchval(
            "SELECT max(duration) FROM videos WHERE id = ANY($1::bigint[]) AND duration BETWEEN $2 AND $3",
            list(scope.video_ids),
            MIN_LENGTH,
            MAX_LENGTH,
        )
    if stored is not None:
        return float(stored)
    where, args = scope.condition()
    reached = await connection.fetchval(
        f"""
        SELECT max(s.segments[i][2])
        FROM sessions s CROSS JOIN LATERAL generate_subscripts(s.segments, 1) AS i
        WHERE {where} AND s.segments[i][2] BETWEEN $4 AND $5
        """,  # noqa: S608 (fixed fragments; values are bound)
        *args,
        MIN_LENGTH,
        MAX_LENGTH,
    )
    return None if reached is None else float(reached)


async def ranges(
    connection: Connection, scope: Scope, length: float, count: int, *, single_pass: bool = True
) -> list[RangeViewers]:
    """`length` cut into `count` equal ranges; for each, the sessions that overlap it by > 0 s.

    In one parallel pass over the sessions (app/api/ranges.py) wherever that is exact;
    `single_pass=False` is for the test that holds it to the per-segment definition.
    """
    where, args = scope.condition()
    if single_pass and ranges_sql.exact_for(length):
        statement = ranges_sql.single_pass(where, by_video=scope.key_id is None)
    else:
        statement = ranges_sql.per_segment(where)
    rows = await connection.fetch(statement, *args, length, count)
    return [RangeViewers(row["range"], row["range_from"], row["range_to"], row["viewers"]) for row in rows]
