"""Engagement: who watched which part of the video, per second of it or in equal ranges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from app import zones
from app.api.buckets import bucket_sql
from app.api.stats import range_counts
from app.api.stats.scope import Connection, Scope
from app.intervals import Interval

# Per-second engagement lists at most this many seconds of video (about 11.5 days).
MAX_SECOND = 1_000_000


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
    """For each bucket and each second of video, the sessions that watched part of that second.

    A session counts once per second however often it rewatched it; a segment [a, b] touches the
    seconds floor(a) .. ceil(b) - 1 (it overlaps each by more than zero).
    """
    where, args = scope.condition()
    args.append(MAX_SECOND)
    where = scope.narrowed(_plays_only(where, args, minimum_watch_seconds), args)
    bucket = bucket_sql(interval, zone, "s.started_at", len(args) + 1, timescale=timescale)
    rows = await connection.fetch(
        f"""
        SELECT bucket, second, count(*) AS views
        FROM (
            SELECT {bucket.expression} AS bucket, watched.second
            FROM sessions s
            CROSS JOIN LATERAL (
                SELECT DISTINCT g.second
                FROM generate_subscripts(s.segments, 1) AS i
                CROSS JOIN LATERAL generate_series(
                    least(greatest(floor(s.segments[i][1]), 0), $4::float8)::int,
                    least(greatest(ceil(s.segments[i][2]), 0), $4::float8)::int - 1
                ) AS g(second)
                WHERE s.segments[i][2] > s.segments[i][1]
            ) AS watched
            WHERE {where}
        ) AS seconds
        GROUP BY bucket, second ORDER BY bucket, second
        """,  # noqa: S608 (fixed fragments; values are bound)
        *args,
        *bucket.values,
    )
    result: list[PerSecondBucket] = []
    for row in rows:
        if not result or result[-1].start != row["bucket"]:
            result.append(PerSecondBucket(row["bucket"], []))
        result[-1].per_second.append(SecondViews(row["second"], row["views"]))
    return result


async def duration(connection: Connection, scope: Scope) -> float | None:
    """The length the ranges cut: the longest stored duration of the videos in scope, else the
    furthest point any session in the window reached."""
    if scope.key_id is not None:
        stored = await connection.fetchval("SELECT max(duration) FROM videos WHERE key_id = $1", scope.key_id)
    else:
        stored = await connection.fetchval(
            "SELECT max(duration) FROM videos WHERE id = ANY($1::bigint[])", list(scope.video_ids)
        )
    if stored is not None and 0 < stored < float("inf"):
        return float(stored)
    where, args = scope.condition()
    where = scope.narrowed(where, args)
    reached = await connection.fetchval(
        f"""
        SELECT max(s.segments[i][2])
        FROM sessions s CROSS JOIN LATERAL generate_subscripts(s.segments, 1) AS i
        WHERE {where}
        """,  # noqa: S608 (fixed fragments; values are bound)
        *args,
    )
    if reached is not None and 0 < reached < float("inf"):
        return float(reached)
    return None


async def ranges(
    connection: Connection,
    scope: Scope,
    length: float,
    count: int,
    *,
    minimum_watch_seconds: float | None = None,
    single_pass: bool = True,
) -> list[RangeViewers]:
    """`length` cut into `count` equal ranges; for each, the sessions that overlap it by > 0 s
    and their rewatches of it.

    In one parallel pass over the sessions (app/api/stats/range_counts.py) wherever that is exact;
    `single_pass=False` is for the test that holds it to the per-segment definition.
    """
    where, args = scope.condition()
    args += [length, count]
    where = scope.narrowed(_plays_only(where, args, minimum_watch_seconds), args)
    if single_pass and range_counts.exact_for(length):
        statement = range_counts.single_pass(where, by_video=scope.key_id is None)
    else:
        statement = range_counts.per_segment(where)
    rows = await connection.fetch(statement, *args)
    return [
        RangeViewers(row["range"], row["range_from"], row["range_to"], row["viewers"], row["rewatches"])
        for row in rows
    ]
