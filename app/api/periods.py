"""The periods an answer covers: the one asked for, and the one it is compared with. Pure.

A period is an inclusive [start, end] of session start times, as a timeframe resolves to. The
comparison period is computed on the zone's wall clock, so that a period of whole days is
compared with whole days (23 or 25 hours across a daylight-saving change) and a week with the
week before it, weekday for weekday.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from app import zones
from app.api.params import Compare, ParamError, StatsParams

_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class Period:
    """Sessions started from `start` to `end`, both inclusive."""

    start: datetime
    end: datetime


def asked(params: StatsParams, now: datetime) -> Period:
    """The period the parameters ask about, now being `now`."""
    return Period(*params.timeframe.bounds(now, params.timezone))


def compared(period: Period, how: Compare, zone: ZoneInfo) -> Period:
    """The period `period` is compared with.

    `previous`: the period of the same length that ends just before it starts. When the period
    spans a whole number of the zone's days (on its wall clock, its end either at the same time
    of day as its start, or the last microsecond before it), that many days; otherwise exactly
    as long. `year`: the same wall-clock dates and times a year earlier (29 February becomes
    the 28th)."""
    try:
        if how is Compare.YEAR:
            return Period(_year_before(period.start, zone), _year_before(period.end, zone))
        start_wall, end_wall = zones.local(period.start, zone), zones.local(period.end, zone)
        days = _whole_days(end_wall - start_wall) or _whole_days(end_wall - start_wall + _MICROSECOND)
        end = period.start - _MICROSECOND
        if days:
            return Period(zones.instant(start_wall - timedelta(days=days), zone), end)
        return Period(end - (period.end - period.start), end)
    except OverflowError:
        raise ParamError(
            "compare", "the period to compare with would lie outside the years 1 to 9999"
        ) from None


def _year_before(moment: datetime, zone: ZoneInfo) -> datetime:
    return zones.instant(zones.months_before(zones.local(moment, zone), 12), zone)


def _whole_days(length: timedelta) -> int:
    if length.days >= 1 and length.seconds == 0 and length.microseconds == 0:
        return length.days
    return 0
