"""Time buckets: where each session's bucket starts, exactly as TimescaleDB's `time_bucket` puts it.

On TimescaleDB the SQL is `time_bucket` itself. On plain PostgreSQL it is integer arithmetic of
the same definition, so that the two never disagree: `date_bin` is not used because PostgreSQL
minor releases before February 2024 rounded timestamps before the origin the wrong way.

`bucket_start` is the definition in Python; the property test holds the SQL to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.intervals import Interval

# time_bucket's default origins: a Monday for fixed widths (so weeks start on Monday), and the
# first of a month for month widths. Both in UTC.
FIXED_ORIGIN = datetime(2000, 1, 3, tzinfo=UTC)
MONTH_ORIGIN = datetime(2000, 1, 1, tzinfo=UTC)
_FIXED_ORIGIN_EPOCH_MICROSECONDS = 946_857_600_000_000


def bucket_start(width: Interval, moment: datetime) -> datetime:
    """The start of the bucket of `width` that holds `moment`: time_bucket's definition."""
    if width.months:
        months = (moment.year - MONTH_ORIGIN.year) * 12 + moment.month - 1
        start = months // width.months * width.months
        return datetime(MONTH_ORIGIN.year + start // 12, start % 12 + 1, 1, tzinfo=UTC)
    step = timedelta(microseconds=width.microseconds)
    return FIXED_ORIGIN + (moment - FIXED_ORIGIN) // step * step


@dataclass(frozen=True, slots=True)
class BucketSql:
    """A SQL expression for a column's bucket start, and the value to bind to its placeholder."""

    expression: str
    value: object


def bucket_sql(width: Interval, column: str, placeholder: str, *, timescale: bool) -> BucketSql:
    """The bucket of `column` (a timestamptz column name from our own code, never from input).

    `placeholder` (`$3`, ...) receives the width; the SQL text depends only on which of the four
    forms is needed, so statements stay few and cacheable.
    """
    if width.months:
        if timescale:
            return BucketSql(f"time_bucket(make_interval(months => {placeholder}), {column})", width.months)
        utc = f"({column} AT TIME ZONE 'UTC')"
        months = f"((extract(year FROM {utc}) - 2000) * 12 + extract(month FROM {utc}) - 1)"
        start = f"(floor({months} / {placeholder}::int) * {placeholder}::int)::int"
        expression = f"((TIMESTAMP '2000-01-01' + make_interval(months => {start})) AT TIME ZONE 'UTC')"
        return BucketSql(expression, width.months)
    if timescale:
        return BucketSql(
            f"time_bucket({placeholder}::interval, {column})",
            timedelta(microseconds=width.microseconds),
        )
    # extract(epoch ...) is numeric since PostgreSQL 14, so the microseconds are exact; the
    # remainder (always below the width) is subtracted from the timestamp itself.
    since_origin = f"((extract(epoch FROM {column}) * 1000000)::bigint - {_FIXED_ORIGIN_EPOCH_MICROSECONDS})"
    width_sql = f"{placeholder}::bigint"
    remainder = f"mod(mod({since_origin}, {width_sql}) + {width_sql}, {width_sql})"
    return BucketSql(f"({column} - {remainder} * INTERVAL '1 microsecond')", width.microseconds)
