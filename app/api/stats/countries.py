"""The country breakdown of plays per bucket: the countries the plays came from, as the server
placed each connection with the operator's GeoIP file (app/ingest/country.py), and `unknown`.

A whole key's buckets of whole hours at the thresholds the country rollup keeps (migrations/021:
0, 1, 3, 5, 10, 30, 60 seconds) come from `countries_hourly`, which holds only the placed
sessions (without a GeoIP file there are none, and no row is written); the bucket's `unknown`
plays are then its plays less the placed ones. Everything else is counted from the sessions.
`use_rollup=False` is for the test that holds the two to each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from app import zones
from app.api.buckets import bucket_sql
from app.api.params import UNKNOWN_COUNTRY
from app.api.stats import rollup
from app.api.stats.scope import Connection, Scope
from app.intervals import Interval

Countries = dict[str, int]


async def countries(
    connection: Connection,
    scope: Scope,
    interval: Interval,
    minimum_watch_seconds: float,
    plays: Mapping[datetime, int],
    *,
    timescale: bool,
    zone: ZoneInfo = zones.UTC_ZONE,
    use_rollup: bool = True,
) -> dict[datetime, Countries]:
    """Plays per bucket and country, most first (then by code); `plays` are the buckets' plays,
    which the placed countries are taken from to leave the unknown ones."""
    hours = rollup.full_hours(scope.start, scope.end)
    if (
        use_rollup
        and hours
        and not scope.filters
        and minimum_watch_seconds in rollup.SOURCES_THRESHOLDS
        and rollup.usable(scope.key_id, interval, minimum_watch_seconds)
    ):
        cte, values = rollup.periods(interval, zone, "1 hour", 7, timescale=timescale)
        raw = bucket_sql(interval, zone, "s.started_at", 7, timescale=timescale)
        assert raw.values == values
        rows = await connection.fetch(
            _rolled(cte, raw.expression),
            scope.key_id,
            *hours,
            minimum_watch_seconds,
            scope.start,
            scope.end,
            *values,
        )
        placed: dict[datetime, Countries] = {}
        for row in rows:
            placed.setdefault(row["bucket"], {})[row["country"]] = row["plays"]
        for start, count in plays.items():
            unknown = count - sum(placed.get(start, {}).values())
            if unknown > 0:
                placed.setdefault(start, {})[UNKNOWN_COUNTRY] = unknown
        return {start: _ordered(found) for start, found in placed.items()}
    where, args = scope.condition()
    args.append(minimum_watch_seconds)
    where = scope.narrowed(where, args)
    bucket = bucket_sql(interval, zone, "s.started_at", len(args) + 1, timescale=timescale)
    rows = await connection.fetch(
        f"""
        SELECT {bucket.expression} AS bucket, s.country, count(*) AS plays
        FROM sessions s
        WHERE {where} AND s.watched >= $4
        GROUP BY 1, 2
        """,  # noqa: S608 (fixed fragments; values are bound)
        *args,
        *bucket.values,
    )
    counted: dict[datetime, Countries] = {}
    for row in rows:
        counted.setdefault(row["bucket"], {})[row["country"]] = row["plays"]
    return {start: _ordered(found) for start, found in counted.items()}


def _ordered(found: Countries) -> Countries:
    return dict(sorted(found.items(), key=lambda item: (-item[1], item[0])))


def _rolled(periods: str, raw_bucket: str) -> str:
    """Parameters: $1 key id, $2 first whole hour, $3 end of the whole hours, $4 minimum seconds
    (one of the thresholds), $5 timeframe start, $6 timeframe end, then the bucket's values."""
    plays = " ".join(f"WHEN {n} THEN c.plays_{n}" for n in rollup.SOURCES_THRESHOLDS)
    placed = "s.country <> 'unknown' AND s.watched >= $4"
    return f"""{periods}
        SELECT bucket, country, sum(plays)::bigint AS plays
        FROM (
            SELECT periods.bucket, c.country, CASE $4::float8 {plays} END AS plays
            FROM countries_hourly c JOIN periods ON periods.period = c.hour AND periods.clean
            WHERE c.key_id = $1 AND c.hour >= $2 AND c.hour < $3
            UNION ALL
            SELECT {raw_bucket}, s.country, 1
            FROM sessions s
            WHERE s.key_id = $1 AND {placed}
              AND ((s.started_at >= $5 AND s.started_at < $2) OR (s.started_at >= $3 AND s.started_at <= $6))
            UNION ALL
            SELECT {raw_bucket}, s.country, 1
            FROM periods JOIN sessions s ON s.key_id = $1 AND s.started_at >= periods.period
                                        AND s.started_at < periods.period + INTERVAL '1 hour'
            WHERE NOT periods.clean AND {placed}
        ) AS parts
        GROUP BY 1, 2 HAVING sum(plays) > 0
    """  # noqa: S608 (fixed fragments; values are bound)
