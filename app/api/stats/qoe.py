"""Quality of experience per time bucket: startup, rebuffering, failures, exits before start,
seeks and bitrate of the views, in total and per browser, device and platform.

Definitions (docs/METRICS.md, "Ratios"): a view is a session with a play intent; every figure
but the percentiles is a ratio of sums over the views of a bucket (app/api/stats/qoe_sql.py
lists them); the startup percentiles are exact, the values `percentile_disc` gives over the
views that started. A ratio whose denominator is zero is None (no view, no watch time, no seek,
no bitrate reported), never a made-up 0.

A whole key's buckets of whole hours come from the quality rollups where that is exact (the
same hours as app/api/stats/rollup.py takes for plays); `use_rollup=False` is for the test that
holds the two to each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from app import zones
from app.api.buckets import bucket_sql
from app.api.stats import qoe_sql, rollup
from app.api.stats.scope import Connection, Scope
from app.intervals import Interval

# Sums of seconds are kept to the microsecond, as every stored duration is: the rollups add and
# take away floats, and what they leave at "zero" must not become a denominator.
_DECIMALS = 6
_MICROSECOND = timedelta(microseconds=1)
# GROUPING(browser, device, platform) of each grouping set of qoe_sql.from_sessions.
_LEVELS = {7: None, 3: "browser", 5: "device", 6: "platform"}


@dataclass(frozen=True, slots=True)
class Sums:
    """The sums every figure is a ratio of, over some views (qoe_sql.SUMS, in its order)."""

    views: int = 0
    watch_time: float = 0.0
    rebuffer_count: int = 0
    rebuffer_time: float = 0.0
    rebuffered_views: int = 0
    seek_count: int = 0
    seek_time: float = 0.0
    failures: int = 0
    startup_failures: int = 0
    exits_before_start: int = 0
    bitrate_time: float = 0.0
    bitrate_bits: float = 0.0

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> Sums:
        return cls(**{f.name: row[f.name] for f in fields(cls)})

    def __add__(self, other: Sums) -> Sums:
        return Sums(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})


@dataclass(frozen=True, slots=True)
class Figures:
    """The quality of some views: percentages 0 to 100, times in seconds, bitrate in bits per
    second, frequency per minute of watch time; None where there is nothing to divide by."""

    sessions: int
    startup_time_p50: float | None
    startup_time_p95: float | None
    rebuffer_percentage: float | None
    rebuffer_frequency: float | None
    rebuffered_sessions_percentage: float | None
    playback_failure_percentage: float | None
    startup_failure_percentage: float | None
    exits_before_start_percentage: float | None
    seek_latency: float | None
    average_bitrate: float | None


NAMES = tuple(f.name for f in fields(Figures))


def figures(sums: Sums, p50: float | None = None, p95: float | None = None) -> Figures:
    watch = round(sums.watch_time, _DECIMALS)
    views = sums.views
    return Figures(
        sessions=views,
        startup_time_p50=p50,
        startup_time_p95=p95,
        rebuffer_percentage=_percent(round(sums.rebuffer_time, _DECIMALS), watch),
        rebuffer_frequency=_ratio(sums.rebuffer_count * 60, watch),
        rebuffered_sessions_percentage=_percent(sums.rebuffered_views, views),
        playback_failure_percentage=_percent(sums.failures, views),
        startup_failure_percentage=_percent(sums.startup_failures, views),
        exits_before_start_percentage=_percent(sums.exits_before_start, views),
        seek_latency=_ratio(round(sums.seek_time, _DECIMALS), sums.seek_count),
        average_bitrate=_ratio(sums.bitrate_bits, round(sums.bitrate_time, _DECIMALS)),
    )


def _ratio(part: float, whole: float) -> float | None:
    return None if whole <= 0 else max(0.0, part / whole)


def _percent(part: float, whole: float) -> float | None:
    # Each view's stalls are within its watch time (migrations/020), so the sum is too; the
    # microsecond tolerance the schema allows is not let past 100.
    ratio = _ratio(part, whole)
    return None if ratio is None else min(100.0, 100.0 * ratio)


EMPTY = figures(Sums())


@dataclass(frozen=True, slots=True)
class QoeBucket:
    start: datetime
    total: Figures
    browser: dict[str, Figures]
    device: dict[str, Figures]
    platform: dict[str, Figures]


class _Bucket:
    """What the statements said about one bucket, before it becomes a QoeBucket."""

    def __init__(self) -> None:
        self.sums: dict[str | None, Sums] = {}  # None: the total; "browser:chrome", ...
        self.percentiles: dict[str | None, tuple[float | None, float | None]] = {}

    def finished(self, start: datetime) -> QoeBucket:
        def of(group: str | None) -> Figures:
            sums = self.sums.get(group)
            return EMPTY if sums is None else figures(sums, *self.percentiles.get(group, (None, None)))

        split = {
            dimension: {value: of(f"{dimension}:{value}") for value in values}
            for dimension, values in qoe_sql.DIMENSIONS
        }
        return QoeBucket(start, of(None), split["browser"], split["device"], split["platform"])


async def qoe(
    connection: Connection,
    scope: Scope,
    interval: Interval,
    *,
    timescale: bool,
    zone: ZoneInfo = zones.UTC_ZONE,
    use_rollup: bool = True,
) -> list[QoeBucket]:
    """The views of the scope by the bucket of their start time; buckets without views left out."""
    hours = rollup.full_hours(scope.start, scope.end)
    # Filters need joint counts (chrome on mobile), which the marginal rollups do not keep.
    if use_rollup and hours and not scope.filters and rollup.usable(scope.key_id, interval, 0):
        buckets = await _rolled(connection, scope, hours, interval, zone, timescale=timescale)
    else:
        buckets = await _from_sessions(connection, scope, interval, zone, timescale=timescale)
    return [
        buckets[start].finished(start)
        for start in sorted(buckets)
        if buckets[start].sums.get(None, Sums()).views > 0
    ]


async def _from_sessions(
    connection: Connection, scope: Scope, interval: Interval, zone: ZoneInfo, *, timescale: bool
) -> dict[datetime, _Bucket]:
    where, args = scope.condition()
    where = scope.narrowed(where, args)
    bucket = bucket_sql(interval, zone, "s.started_at", len(args) + 1, timescale=timescale)
    first = len(args) + len(bucket.values) + 1
    rows = await connection.fetch(
        qoe_sql.from_sessions(where, bucket, first, first + 1),
        *args,
        *bucket.values,
        *(p for _, p in qoe_sql.PERCENTILES),
    )
    buckets: dict[datetime, _Bucket] = {}
    for row in rows:
        found = buckets.setdefault(row["bucket"], _Bucket())
        dimension = _LEVELS[row["level"]]
        group = None if dimension is None else f"{dimension}:{row[dimension]}"
        found.sums[group] = Sums.of(row)
        found.percentiles[group] = (row["p50"], row["p95"])
    return buckets


async def _rolled(
    connection: Connection,
    scope: Scope,
    hours: tuple[datetime, datetime],
    interval: Interval,
    zone: ZoneInfo,
    *,
    timescale: bool,
) -> dict[datetime, _Bucket]:
    periods, values = rollup.periods(interval, zone, "1 hour", 6, timescale=timescale)
    raw = bucket_sql(interval, zone, "s.started_at", 6, timescale=timescale)
    assert raw.values == values
    bound = (scope.key_id, *hours, scope.start, scope.end, *values)
    buckets: dict[datetime, _Bucket] = {}
    for row in await connection.fetch(qoe_sql.rolled_sums(periods, raw), *bound):
        found = buckets.setdefault(row["bucket"], _Bucket())
        sums = Sums.of(row)
        found.sums[f"{row['dimension']}:{row['value']}"] = sums
        if row["dimension"] == "browser":  # the browsers partition the views: their sum is the total
            found.sums[None] = found.sums.get(None, Sums()) + sums
    first = 6 + len(values)
    # UTC days read whole where buckets are at least a day long; finer buckets would take
    # most of each day's hours away from it again.
    days = rollup.full_days(hours[0], hours[1] - _MICROSECOND) if _days_long(interval) else None
    days = days or (hours[0], hours[0])
    statement = qoe_sql.rolled_percentiles(interval, zone, raw, first, timescale=timescale)
    percentiles = (p for _, p in qoe_sql.PERCENTILES)
    for row in await connection.fetch(statement, *bound, *percentiles, *days):
        found = buckets.setdefault(row["bucket"], _Bucket())
        for group in qoe_sql.GROUPS:
            key = None if group == "total" else group.replace("_", ":", 1)
            found.percentiles[key] = (_seconds(row[f"{group}_p50"]), _seconds(row[f"{group}_p95"]))
    return buckets


def _days_long(interval: Interval) -> bool:
    return interval.months > 0 or interval.microseconds >= rollup.DAY_MICROSECONDS


def _seconds(startup_class: int | None) -> float | None:
    """A startup class (hundredths of a second) as the stored time: the same double."""
    return None if startup_class is None else startup_class / 100
