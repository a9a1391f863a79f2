"""Plays per time bucket, with their view time and browser / device / platform breakdowns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from app import zones
from app.api.buckets import bucket_sql
from app.api.categories import BROWSERS, DEVICES, PLATFORMS
from app.api.stats import rollup
from app.api.stats.scope import Connection, Scope
from app.intervals import Interval


@dataclass(frozen=True, slots=True)
class PlaysBucket:
    start: datetime
    views: int
    total_view_time: float
    unique_total_view_time: float
    browser: dict[str, int]
    device: dict[str, int]
    platform: dict[str, int]


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
    zone: ZoneInfo = zones.UTC_ZONE,
    use_rollup: bool = True,
) -> list[PlaysBucket]:
    """Sessions watched at least `minimum_watch_seconds`, by the bucket of their start time.

    A whole key's plays come from the hourly rollup where it gives the same numbers
    (app/api/stats/rollup.py); `use_rollup=False` is for the test that holds the two to each other.
    """
    hours = rollup.full_hours(scope.start, scope.end)
    # The rollup knows no page and no joint breakdowns: filters are answered from the sessions.
    if (
        use_rollup
        and hours
        and not scope.filters
        and rollup.usable(scope.key_id, interval, minimum_watch_seconds)
    ):
        statement, bucket_values = rollup.plays_sql(interval, zone, timescale=timescale)
        rows = await connection.fetch(
            statement,
            scope.key_id,
            *hours,
            int(minimum_watch_seconds),
            scope.start,
            scope.end,
            minimum_watch_seconds,
            *bucket_values,
        )
    else:
        where, args = scope.condition()
        args.append(minimum_watch_seconds)
        where = scope.narrowed(where, args)
        bucket = bucket_sql(interval, zone, "s.started_at", len(args) + 1, timescale=timescale)
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
            *bucket.values,
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
