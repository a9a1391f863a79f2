"""Plays of a whole key from the hourly rollup (migrations/004_plays_hourly.sql), when exact.

A key's sessions over weeks are millions of rows; its rollup is at most one row per hour and
watched-second class. The rollup answers the full hours inside the timeframe; the sessions
themselves answer the partial hours at either end. It is used only where that gives exactly the
numbers the sessions would: see `usable`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from app.api.buckets import bucket_sql
from app.api.categories import BROWSERS, DEVICES, PLATFORMS
from app.intervals import Interval

HOUR_MICROSECONDS = 3_600_000_000
MAX_CLASS = 600  # watched_class is floor(watched) capped here

_BREAKDOWN_COLUMNS = [
    *(f"browser_{v}" for v in BROWSERS),
    *(f"device_{v}" for v in DEVICES),
    *(f"platform_{v}" for v in PLATFORMS),
]


def usable(key_id: int | None, interval: Interval, minimum_watch_seconds: float) -> bool:
    """Exact only for a whole key, a whole number of seconds within the classes, and buckets
    made of whole UTC hours (every bucket origin is on an hour)."""
    whole_hours = interval.months > 0 or interval.microseconds % HOUR_MICROSECONDS == 0
    minimum = minimum_watch_seconds
    return key_id is not None and whole_hours and minimum == int(minimum) and 0 <= minimum <= MAX_CLASS


def full_hours(start: datetime, end: datetime) -> tuple[datetime, datetime] | None:
    """[first, last): the whole hours inside the inclusive timeframe [start, end], if any."""
    hour = timedelta(hours=1)
    floor_start = start.replace(minute=0, second=0, microsecond=0)
    first = floor_start if floor_start == start else floor_start + hour
    last = end.replace(minute=0, second=0, microsecond=0)
    return (first, last) if first < last else None


def plays_sql(interval: Interval, *, timescale: bool) -> tuple[str, object]:
    """The statement and its bucket width. Parameters: $1 key id, $2 first full hour, $3 end of
    the full hours, $4 minimum class, $5 timeframe start, $6 timeframe end, $7 minimum seconds,
    $8 bucket width."""
    rolled = bucket_sql(interval, "p.hour", "$8", timescale=timescale)
    raw = bucket_sql(interval, "s.started_at", "$8", timescale=timescale)
    assert rolled.value == raw.value
    raw_counts = ", ".join(
        f"({column.split('_')[0]} = '{column.split('_', 1)[1]}')::int" for column in _BREAKDOWN_COLUMNS
    )
    sums = ", ".join(f"sum({column})::bigint AS {column}" for column in _BREAKDOWN_COLUMNS)
    statement = f"""
        SELECT bucket, sum(views)::bigint AS views, sum(watched) AS total_view_time,
               sum(unique_watched) AS unique_view_time, {sums}
        FROM (
            SELECT {rolled.expression} AS bucket, p.views, p.watched, p.unique_watched,
                   {", ".join(f"p.{column}" for column in _BREAKDOWN_COLUMNS)}
            FROM plays_hourly p
            WHERE p.key_id = $1 AND p.hour >= $2 AND p.hour < $3 AND p.watched_class >= $4
            UNION ALL
            SELECT {raw.expression}, 1, s.watched, s.unique_watched, {raw_counts}
            FROM sessions s
            WHERE s.key_id = $1 AND s.watched >= $7
              AND ((s.started_at >= $5 AND s.started_at < $2)
                   OR (s.started_at >= $3 AND s.started_at <= $6))
        ) AS parts
        GROUP BY bucket HAVING sum(views) > 0 ORDER BY bucket
    """  # noqa: S608 (fixed fragments; values are bound)
    return statement, rolled.value
