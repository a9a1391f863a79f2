"""Plays and sources from the trigger-kept rollups (migrations/004 and 007), when exact.

A key's sessions over weeks are millions of rows; its plays rollup is at most one row per hour
and watched-second class, its sources rollup one per hour and page, a video's sources rollup one
per day and page. A rollup answers the whole hours (or days) inside the timeframe; the sessions
themselves answer the partial ones at either end. It is used only where that gives exactly the
numbers the sessions would: see `usable` and `sources_grain`.

The rollups are kept per UTC hour and day; a bucket of another time zone need not be made of
whole ones. So each rollup period's bucket is computed once (not once per rollup row: a bucket
outside UTC costs more), with whether the whole period lies in that bucket: its first and last
microsecond fall in the same bucket, and the zone's offset is the same at both (so nothing in
between moves the wall clock). Rollup rows of such `clean` periods are used; a period that holds a
bucket boundary is read from its sessions. In Europe/Berlin or Pacific/Kiritimati every hour is
clean; in Asia/Kolkata (+5:30) day buckets leave one hour a day to the sessions, hour buckets all.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from app import zones
from app.api.buckets import bucket_sql
from app.api.categories import BROWSERS, DEVICES, PLATFORMS
from app.intervals import Interval

HOUR_MICROSECONDS = 3_600_000_000
DAY_MICROSECONDS = 24 * HOUR_MICROSECONDS
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
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


def full_days(start: datetime, end: datetime) -> tuple[datetime, datetime] | None:
    """[first, last): the whole UTC days inside the inclusive timeframe [start, end], if any."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    day = timedelta(days=1)
    floor_start = start.replace(hour=0, minute=0, second=0, microsecond=0)
    first = floor_start if floor_start == start else floor_start + day
    last = end.replace(hour=0, minute=0, second=0, microsecond=0)
    return (first, last) if first < last else None


def periods(
    interval: Interval, zone: ZoneInfo, grain: str, first: int, *, timescale: bool
) -> tuple[str, tuple[object, ...]]:
    """A CTE `periods`: the rollup's hours (or days) from $2 to before $3, each with its bucket
    and whether it lies whole in that bucket (`clean`); the bucket's values bind from `first`."""
    start = bucket_sql(interval, zone, "g.period", first, timescale=timescale)
    last = f"(g.period + INTERVAL '{grain}' - INTERVAL '1 microsecond')"
    end = bucket_sql(interval, zone, last, first, timescale=timescale)
    if zones.is_utc(zone):
        # UTC buckets of whole hours (or days) start on whole hours (or days).
        clean = "true"
    else:
        zone_sql = f"${first + 1}::text"

        def offset(moment: str) -> str:
            return f"(({moment} AT TIME ZONE {zone_sql}) - ({moment} AT TIME ZONE 'UTC'))"

        clean = f"({start.expression} = {end.expression} AND {offset('g.period')} = {offset(last)})"
    cte = f"""
        WITH periods AS MATERIALIZED (
            SELECT g.period, {start.expression} AS bucket, {clean} AS clean
            FROM generate_series($2::timestamptz, $3::timestamptz - INTERVAL '{grain}',
                                 INTERVAL '{grain}') AS g(period)
        )"""  # noqa: S608 (fixed fragments; values are bound)
    return cte, start.values


def plays_sql(interval: Interval, zone: ZoneInfo, *, timescale: bool) -> tuple[str, tuple[object, ...]]:
    """The statement and its bucket values. Parameters: $1 key id, $2 first full hour, $3 end
    of the full hours, $4 minimum class, $5 timeframe start, $6 timeframe end, $7 minimum
    seconds, $8 bucket width and, outside UTC, $9 the zone's name.

    The rollup's rows (one per hour and watched-second class) are summed per hour first, and
    joined to the hours' buckets. Impressions are counted in every class (a page that never
    played is a session of class 0); plays, their breakdowns, the impressions that became plays
    and the completions among the plays only in the classes from the minimum on."""
    cte, values = periods(interval, zone, "1 hour", 8, timescale=timescale)
    raw = bucket_sql(interval, zone, "s.started_at", 8, timescale=timescale)
    assert raw.values == values
    play = "s.watched >= $7"
    raw_counts = ", ".join(
        f"({column.split('_')[0]} = '{column.split('_', 1)[1]}' AND {play})::int"
        for column in _BREAKDOWN_COLUMNS
    )
    played = "FILTER (WHERE p.watched_class >= $4)"
    hourly = ", ".join(f"sum(p.{column}) {played} AS {column}" for column in _BREAKDOWN_COLUMNS)
    sums = ", ".join(f"coalesce(sum({column}), 0)::bigint AS {column}" for column in _BREAKDOWN_COLUMNS)
    from_sessions = f"""SELECT {raw.expression}, ({play})::int,
                   CASE WHEN {play} THEN s.watched ELSE 0 END,
                   CASE WHEN {play} THEN s.unique_watched ELSE 0 END,
                   s.impression::int, (s.impression AND {play})::int, (s.completed AND {play})::int,
                   {raw_counts}"""
    statement = f"""{cte}
        SELECT bucket, coalesce(sum(views), 0)::bigint AS views, coalesce(sum(watched), 0) AS total_view_time,
               coalesce(sum(unique_watched), 0) AS unique_view_time,
               coalesce(sum(impressions), 0)::bigint AS impressions,
               coalesce(sum(impressed_plays), 0)::bigint AS impressed_plays,
               coalesce(sum(completions), 0)::bigint AS completions, {sums}
        FROM (
            SELECT periods.bucket, p.views, p.watched, p.unique_watched, p.impressions,
                   p.impressed_plays, p.completions,
                   {", ".join(f"p.{column}" for column in _BREAKDOWN_COLUMNS)}
            FROM (
                SELECT p.hour, sum(p.views) {played} AS views, sum(p.watched) {played} AS watched,
                       sum(p.unique_watched) {played} AS unique_watched,
                       sum(p.impressions) AS impressions, sum(p.impressions) {played} AS impressed_plays,
                       sum(p.completions) {played} AS completions, {hourly}
                FROM plays_hourly p
                WHERE p.key_id = $1 AND p.hour >= $2 AND p.hour < $3
                  AND (p.watched_class >= $4 OR p.impressions <> 0)
                GROUP BY p.hour
            ) AS p
            JOIN periods ON periods.period = p.hour AND periods.clean
            UNION ALL
            {from_sessions}
            FROM sessions s
            WHERE s.key_id = $1 AND ({play} OR s.impression)
              AND ((s.started_at >= $5 AND s.started_at < $2)
                   OR (s.started_at >= $3 AND s.started_at <= $6))
            UNION ALL
            {from_sessions}
            FROM periods JOIN sessions s ON s.key_id = $1 AND s.started_at >= periods.period
                                        AND s.started_at < periods.period + INTERVAL '1 hour'
            WHERE NOT periods.clean AND ({play} OR s.impression)
        ) AS parts
        GROUP BY bucket HAVING sum(views) > 0 OR sum(impressions) > 0 ORDER BY bucket
    """  # noqa: S608 (fixed fragments; values are bound)
    return statement, values


# minimum_watch_seconds the sources rollups count at: their plays_N columns (migration 007).
SOURCES_THRESHOLDS = (0, 1, 3, 5, 10, 30, 60)


def sources_grain(key_id: int | None, interval: Interval, minimum_watch_seconds: float) -> str | None:
    """Which sources rollup gives the exact answer: "hour" for a whole key and buckets of whole
    hours, "day" for videos and buckets of whole days; months are whole days. None when neither
    does: a minimum between the thresholds, or buckets the rollup's grain does not divide."""
    if minimum_watch_seconds not in SOURCES_THRESHOLDS:
        return None
    grain = HOUR_MICROSECONDS if key_id is not None else DAY_MICROSECONDS
    if interval.months == 0 and interval.microseconds % grain != 0:
        return None
    return "hour" if key_id is not None else "day"


def sources_sql(
    grain: str, interval: Interval, zone: ZoneInfo, *, timescale: bool
) -> tuple[str, tuple[object, ...]]:
    """The statement and its bucket values. Parameters: $1 key id (hour) or video ids (day), $2
    first full hour or day, $3 end of the full ones, $4 minimum seconds (one of the thresholds),
    $5 timeframe start, $6 timeframe end, $7 bucket width and, outside UTC, $8 the zone's name.

    Rows are one per period and page; in UTC each row's bucket is cheap arithmetic, in another
    zone each period's bucket is computed once and joined."""
    column = "p.hour" if grain == "hour" else "p.day"
    length = "1 hour" if grain == "hour" else "24 hours"
    raw = bucket_sql(interval, zone, "s.started_at", 7, timescale=timescale)
    if grain == "hour":
        table, rolled_scope, raw_scope = "sources_hourly", "p.key_id = $1", "s.key_id = $1"
    else:
        table = "sources_daily"
        rolled_scope, raw_scope = "p.video_id = ANY($1::bigint[])", "s.video_id = ANY($1::bigint[])"
    plays = " ".join(f"WHEN {n} THEN p.plays_{n}" for n in SOURCES_THRESHOLDS)
    from_sessions = f"SELECT {raw.expression}, s.page_url, s.page_host, 1"
    if zones.is_utc(zone):
        rolled = bucket_sql(interval, zone, column, 7, timescale=timescale)
        cte, bucket, join, dirty, values = "", rolled.expression, "", "", rolled.values
    else:
        cte, values = periods(interval, zone, length, 7, timescale=timescale)
        bucket = "periods.bucket"
        join = f"JOIN periods ON periods.period = {column} AND periods.clean"
        dirty = f"""
            UNION ALL
            {from_sessions}
            FROM periods JOIN sessions s ON {raw_scope} AND s.started_at >= periods.period
                                        AND s.started_at < periods.period + INTERVAL '{length}'
            WHERE NOT periods.clean AND s.watched >= $4"""
    assert raw.values == values
    statement = f"""{cte}
        SELECT bucket, page_url, page_host, sum(views)::bigint AS views
        FROM (
            SELECT {bucket} AS bucket, p.page_url, p.page_host, CASE $4::float8 {plays} END AS views
            FROM {table} p {join}
            WHERE {rolled_scope} AND {column} >= $2 AND {column} < $3
            UNION ALL
            {from_sessions}
            FROM sessions s
            WHERE {raw_scope} AND s.watched >= $4
              AND ((s.started_at >= $5 AND s.started_at < $2)
                   OR (s.started_at >= $3 AND s.started_at <= $6)){dirty}
        ) AS parts
        GROUP BY 1, 2, 3 HAVING sum(views) > 0 ORDER BY 1, 4 DESC, 2, 3
    """  # noqa: S608 (fixed fragments; values are bound)
    return statement, values
