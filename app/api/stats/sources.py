"""Plays per page and time bucket."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from app import zones
from app.api.buckets import bucket_sql
from app.api.stats import rollup
from app.api.stats.scope import Connection, Scope
from app.intervals import Interval


@dataclass(frozen=True, slots=True)
class SourceRow:
    start: datetime
    path: str
    host: str
    views: int


async def sources(
    connection: Connection,
    scope: Scope,
    interval: Interval,
    minimum_watch_seconds: float,
    *,
    timescale: bool,
    zone: ZoneInfo = zones.UTC_ZONE,
    use_rollup: bool = True,
) -> list[SourceRow]:
    """Plays by the page they happened on, per bucket; most viewed pages first in each bucket.

    From the sources rollups where they give the same rows (app/api/stats/rollup.py);
    `use_rollup=False` is for the test that holds the two to each other.
    """
    grain = rollup.sources_grain(scope.key_id, interval, minimum_watch_seconds)
    periods = None
    if grain == "hour":
        periods = rollup.full_hours(scope.start, scope.end)
    elif grain == "day":
        periods = rollup.full_days(scope.start, scope.end)
    if use_rollup and grain is not None and periods is not None and not scope.filters:
        statement, bucket_values = rollup.sources_sql(grain, interval, zone, timescale=timescale)
        subject: object = scope.key_id if grain == "hour" else list(scope.video_ids)
        rows = await connection.fetch(
            statement, subject, *periods, minimum_watch_seconds, scope.start, scope.end, *bucket_values
        )
        return [SourceRow(row["bucket"], row["page_url"], row["page_host"], row["views"]) for row in rows]
    where, args = scope.condition()
    args.append(minimum_watch_seconds)
    where = scope.narrowed(where, args)
    bucket = bucket_sql(interval, zone, "s.started_at", len(args) + 1, timescale=timescale)
    rows = await connection.fetch(
        f"""
        SELECT {bucket.expression} AS bucket, s.page_url, s.page_host, count(*) AS views
        FROM sessions s
        WHERE {where} AND s.watched >= $4
        GROUP BY 1, 2, 3 ORDER BY 1, 4 DESC, 2, 3
        """,  # noqa: S608 (fixed fragments; values are bound)
        *args,
        *bucket.values,
    )
    return [SourceRow(row["bucket"], row["page_url"], row["page_host"], row["views"]) for row in rows]
