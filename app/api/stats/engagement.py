"""Engagement: who watched which part of the video, per second of it or in equal ranges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import asyncpg

from app import zones
from app.api.buckets import bucket_sql
from app.api.stats import engagement_hours, range_counts, seconds
from app.api.stats.scope import Connection, Scope
from app.intervals import Interval

MAX_SECOND = seconds.MAX_SECOND
# The lengths ranges are cut from: what ingest keeps as a duration (app/ingest/session.py). Beyond
# these a stored number is not a video's length (and near 0 the range boundaries would underflow).
MIN_LENGTH = 0.000001
MAX_LENGTH = float(seconds.MAX_SECOND)


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
    """The sessions that watched part of a range, and how often they came back to it: the
    segments overlapping it beyond each session's first."""

    range: int
    start: float
    end: float
    viewers: int
    rewatches: int


def _plays_only(where: str, args: list[object], minimum_watch_seconds: float | None) -> str:
    """Count only the plays when a minimum is asked for; every session otherwise (the contract's
    engagement). The condition is left out rather than made true, so that a video's sessions are
    still read from the index that covers their segments but not `watched`."""
    if minimum_watch_seconds is None:
        return where
    args.append(minimum_watch_seconds)
    return f"{where} AND s.watched >= ${len(args)}"


async def per_second(
    connection: Connection,
    scope: Scope,
    interval: Interval,
    *,
    timescale: bool,
    zone: ZoneInfo = zones.UTC_ZONE,
    minimum_watch_seconds: float | None = None,
) -> list[PerSecondBucket]:
    """For each bucket and each second of video, the sessions that watched part of that second
    (app/api/stats/seconds.py); raises seconds.TooManySeconds when that is more than an answer
    lists."""
    where, args = scope.condition()
    args.append(seconds.MAX_SECOND)
    max_second = f"${len(args)}"
    where = scope.narrowed(_plays_only(where, args, minimum_watch_seconds), args)
    bucket = bucket_sql(interval, zone, "s.started_at", len(args) + 1, timescale=timescale)
    rows = await connection.fetch(
        seconds.runs_sql(where, bucket.expression, max_second), *args, *bucket.values
    )
    runs = [seconds.Run(row["bucket"], row["start"], row["stop"], row["viewers"]) for row in rows]
    return [
        PerSecondBucket(start, [SecondViews(second, views) for second, views in listed])
        for start, listed in seconds.expand(runs)
    ]


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
    args += [MIN_LENGTH, MAX_LENGTH]
    where = scope.narrowed(where, args)
    reached = await connection.fetchval(
        f"""
        SELECT max(s.segments[i][2])
        FROM sessions s CROSS JOIN LATERAL generate_subscripts(s.segments, 1) AS i
        WHERE {where} AND s.segments[i][2] BETWEEN $4 AND $5
        """,  # noqa: S608 (fixed fragments; values are bound)
        *args,
    )
    return None if reached is None else float(reached)


async def ranges(
    connection: Connection,
    scope: Scope,
    length: float,
    count: int,
    *,
    minimum_watch_seconds: float | None = None,
    single_pass: bool = True,
    kept: bool = True,
    keeper: asyncpg.Pool | None = None,
) -> list[RangeViewers]:
    """`length` cut into `count` equal ranges; for each, the sessions that overlap it by > 0 s
    and their rewatches of it.

    In one parallel pass over the sessions (app/api/stats/range_counts.py) wherever that is exact,
    and for a key from the parts kept per hour (app/api/stats/engagement_hours.py);
    `single_pass=False` and `kept=False` are for the tests that hold each to the definition;
    `keeper` is the primary when `connection` is a read standby's.
    """
    exact = single_pass and range_counts.exact_for(length)
    if exact and scope.key_id is not None and kept:
        return await _key_ranges(connection, scope, length, count, minimum_watch_seconds, keeper)
    where, args = _ranges_where(scope, length, count, minimum_watch_seconds)
    if exact:
        statement = range_counts.single_pass(where, by_video=scope.key_id is None)
    else:
        statement = range_counts.per_segment(where)
    rows = await connection.fetch(statement, *args)
    return [
        RangeViewers(row["range"], row["range_from"], row["range_to"], row["viewers"], row["rewatches"])
        for row in rows
    ]


def _ranges_where(
    scope: Scope, length: float, count: int, minimum_watch_seconds: float | None
) -> tuple[str, list[object]]:
    """The scope's condition and its arguments, $4 length and $5 count after the scope's three."""
    where, args = scope.condition()
    args += [length, count]
    return scope.narrowed(_plays_only(where, args, minimum_watch_seconds), args), args


async def _key_ranges(
    connection: Connection,
    scope: Scope,
    length: float,
    count: int,
    minimum_watch_seconds: float | None,
    keeper: asyncpg.Pool | None,
) -> list[RangeViewers]:
    """A key's ranges added up from hours (app/api/stats/engagement_hours.py)."""

    def hourly(stretch: Scope) -> tuple[str, list[object]]:
        where, args = _ranges_where(stretch, length, count, minimum_watch_seconds)
        return range_counts.hourly_pass(where), args

    name = engagement_hours.question_name("ranges", scope, length, count, minimum_watch_seconds)
    question = engagement_hours.Question(name, count, hourly)
    sums = await engagement_hours.summed(connection, scope, question, keeper)
    again = sums.again + [0] * (count - len(sums.again))
    return [
        RangeViewers(r, length * r / count, length * (r + 1) / count, sums.counted[r], again[r])
        for r in range(count)
    ]
