"""Plays per time bucket, with their view time, browser / device / platform / country
breakdowns, and the impressions, play rate, completions and completion rate beside them.

Definitions (docs/METRICS.md): `impressions` are the sessions of the bucket whose player was
shown with a source (this server's snippet says so; the published client never does);
`play_rate` is the share of them that became plays; `completions` are the plays that completed
the video; `completion_rate` their share of the plays. A bucket is listed when it has a play or
an impression.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from app import zones
from app.api.buckets import bucket_sql
from app.api.categories import BROWSERS, DEVICES, PLATFORMS
from app.api.stats import rollup
from app.api.stats.countries import countries
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
    country: dict[str, int]
    impressions: int
    impressed_plays: int
    completions: int

    @property
    def play_rate(self) -> float | None:
        """Plays among the impressions ÷ impressions, 0 to 1."""
        return None if not self.impressions else self.impressed_plays / self.impressions

    @property
    def completion_rate(self) -> float | None:
        """Completed plays ÷ plays, 0 to 1."""
        return None if not self.views else self.completions / self.views


def _counts(column: str, values: tuple[str, ...]) -> str:
    return ", ".join(
        f"count(*) FILTER (WHERE s.{column} = '{value}' AND s.watched >= $4) AS {column}_{value}"
        for value in values
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
            SELECT {bucket.expression} AS bucket, count(*) FILTER (WHERE s.watched >= $4) AS views,
                   coalesce(sum(s.watched) FILTER (WHERE s.watched >= $4), 0) AS total_view_time,
                   coalesce(sum(s.unique_watched) FILTER (WHERE s.watched >= $4), 0) AS unique_view_time,
                   count(*) FILTER (WHERE s.impression) AS impressions,
                   count(*) FILTER (WHERE s.impression AND s.watched >= $4) AS impressed_plays,
                   count(*) FILTER (WHERE s.completed AND s.watched >= $4) AS completions,
                   {_BREAKDOWNS}
            FROM sessions s
            WHERE {where} AND (s.watched >= $4 OR s.impression)
            GROUP BY 1 ORDER BY 1
            """,  # noqa: S608 (fixed fragments; values are bound)
            *args,
            *bucket.values,
        )
    by_country = await countries(
        connection,
        scope,
        interval,
        minimum_watch_seconds,
        {row["bucket"]: row["views"] for row in rows},
        timescale=timescale,
        zone=zone,
        use_rollup=use_rollup,
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
            country=by_country.get(row["bucket"], {}),
            impressions=row["impressions"],
            impressed_plays=row["impressed_plays"],
            completions=row["completions"],
        )
        for row in rows
    ]
