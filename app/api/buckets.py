"""Time buckets: where each session's bucket starts, exactly as TimescaleDB's `time_bucket` puts it.

In UTC that is `time_bucket(width, ts)`. In another zone it is `time_bucket(width, ts, zone)` of
TimescaleDB 2.28: the moment's wall-clock time in the zone is bucketed as a UTC timestamp would
be (origin 2000-01-03, a Monday, for fixed widths; 2000-01-01 for widths in months), that
wall-clock start is read back as an instant the way PostgreSQL reads local times
(app/zones.py), and when that instant lies after the moment (the start was a wall-clock time a
fall-back change repeated, read as its later instant) whole widths are stepped back until it
does not. So a day bucket starts at local midnight and lasts 23 or 25 hours across a
daylight-saving change, while an hour bucket stays one hour.

On TimescaleDB the SQL is `time_bucket` itself. On plain PostgreSQL it is arithmetic of the same
definition, so that the two never disagree: `date_bin` is not used because PostgreSQL minor
releases before February 2024 rounded timestamps before the origin the wrong way.

`bucket_start` is the definition in Python; the property tests hold the SQL to it. The
stepping back in months is done in UTC: the API's connections use UTC (app/db/pool.py), which
is what `time_bucket` steps back in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from app import zones
from app.intervals import Interval

# time_bucket's default origins: a Monday for fixed widths (so weeks start on Monday), and the
# first of a month for month widths.
FIXED_ORIGIN = datetime(2000, 1, 3, tzinfo=UTC)
MONTH_ORIGIN = datetime(2000, 1, 1, tzinfo=UTC)
_FIXED_ORIGIN_EPOCH_MICROSECONDS = 946_857_600_000_000


def bucket_start(width: Interval, moment: datetime, zone: ZoneInfo = zones.UTC_ZONE) -> datetime:
    """The start of the bucket of `width` in `zone` that holds `moment`: time_bucket's definition."""
    if zones.is_utc(zone):
        return _utc_bucket(width, moment)
    wall = _utc_bucket(width, zones.local(moment, zone).replace(tzinfo=UTC)).replace(tzinfo=None)
    start = zones.instant(wall, zone)
    if start <= moment:
        return start
    if width.months:
        while start > moment:
            start = zones.months_before(start, width.months)
        return start
    step = timedelta(microseconds=width.microseconds)
    return start + (moment - start) // step * step


def _utc_bucket(width: Interval, moment: datetime) -> datetime:
    if width.months:
        months = (moment.year - MONTH_ORIGIN.year) * 12 + moment.month - 1
        start = months // width.months * width.months
        return datetime(MONTH_ORIGIN.year + start // 12, start % 12 + 1, 1, tzinfo=UTC)
    step = timedelta(microseconds=width.microseconds)
    return FIXED_ORIGIN + (moment - FIXED_ORIGIN) // step * step


@dataclass(frozen=True, slots=True)
class BucketSql:
    """A SQL expression for a column's bucket start, and the values to bind to its placeholders
    (the width, and for another zone than UTC its name), in order."""

    expression: str
    values: tuple[object, ...]


def bucket_sql(width: Interval, zone: ZoneInfo, column: str, first: int, *, timescale: bool) -> BucketSql:
    """The bucket of `column` (a timestamptz column name from our own code, never from input).

    The width is bound to `$first` and, outside UTC, the zone's name to `$first + 1`; the SQL
    text depends only on which form is needed, so statements stay few and cacheable."""
    width_sql = f"${first}"
    if zones.is_utc(zone):
        return _utc_sql(width, column, width_sql, timescale=timescale)
    zone_sql = f"${first + 1}::text"
    if timescale:
        if width.months:
            expression = f"time_bucket(make_interval(months => {width_sql}::int), {column}, {zone_sql})"
            return BucketSql(expression, (width.months, zone.key))
        # A width in microseconds only (no days), so that stepping back is exact in any session.
        expression = f"time_bucket({width_sql}::bigint * INTERVAL '1 microsecond', {column}, {zone_sql})"
        return BucketSql(expression, (width.microseconds, zone.key))
    wall = f"({column} AT TIME ZONE {zone_sql})"
    if width.months:
        months = f"((extract(year FROM {wall}) - 2000) * 12 + extract(month FROM {wall}) - 1)"
        start = f"(floor({months} / {width_sql}::int) * {width_sql}::int)::int"
        read = f"((TIMESTAMP '2000-01-01' + make_interval(months => {start})) AT TIME ZONE {zone_sql})"
        back = f"make_interval(months => {width_sql}::int)"
        stepped = f"(({read} AT TIME ZONE 'UTC') - {back}) AT TIME ZONE 'UTC'"
        expression = f"(CASE WHEN {read} <= {column} THEN {read} ELSE {stepped} END)"
        return BucketSql(expression, (width.months, zone.key))
    step = f"{width_sql}::bigint"
    since_origin = f"((extract(epoch FROM {wall}) * 1000000)::bigint - {_FIXED_ORIGIN_EPOCH_MICROSECONDS})"
    remainder = f"mod(mod({since_origin}, {step}) + {step}, {step})"
    read = f"(({wall} - {remainder} * INTERVAL '1 microsecond') AT TIME ZONE {zone_sql})"
    late = f"greatest(extract(epoch FROM ({read} - {column})) * 1000000, 0)"
    expression = f"({read} - ceil({late} / {step})::bigint * {step} * INTERVAL '1 microsecond')"
    return BucketSql(expression, (width.microseconds, zone.key))


def _utc_sql(width: Interval, column: str, width_sql: str, *, timescale: bool) -> BucketSql:
    if width.months:
        if timescale:
            return BucketSql(f"time_bucket(make_interval(months => {width_sql}), {column})", (width.months,))
        utc = f"({column} AT TIME ZONE 'UTC')"
        months = f"((extract(year FROM {utc}) - 2000) * 12 + extract(month FROM {utc}) - 1)"
        start = f"(floor({months} / {width_sql}::int) * {width_sql}::int)::int"
        expression = f"((TIMESTAMP '2000-01-01' + make_interval(months => {start})) AT TIME ZONE 'UTC')"
        return BucketSql(expression, (width.months,))
    if timescale:
        return BucketSql(
            f"time_bucket({width_sql}::interval, {column})", (timedelta(microseconds=width.microseconds),)
        )
    # extract(epoch ...) is numeric since PostgreSQL 14, so the microseconds are exact; the
    # remainder (always below the width) is subtracted from the timestamp itself.
    since_origin = f"((extract(epoch FROM {column}) * 1000000)::bigint - {_FIXED_ORIGIN_EPOCH_MICROSECONDS})"
    step = f"{width_sql}::bigint"
    remainder = f"mod(mod({since_origin}, {step}) + {step}, {step})"
    return BucketSql(f"({column} - {remainder} * INTERVAL '1 microsecond')", (width.microseconds,))
