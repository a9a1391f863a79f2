"""When: `timeframe`, `interval` and `timezone`, and the instants a timeframe stands for.

Pure: the current time is passed in, never read. A look-back of days or months and the words
`today`, `yesterday`, `month to date` and `year to date` count the calendar of the asked time
zone; hours, minutes and seconds are exact durations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from app import zones
from app.api.params.errors import ParamError, kind
from app.api.params.values import DECIMAL, number
from app.intervals import Interval, calendar_days, parse_interval

DEFAULT_INTERVAL = Interval(months=12)
DEFAULT_TIMEFRAME_TEXT = "7 days"
MIN_INTERVAL_MICROSECONDS = 1_000_000
# 9999-12-31T23:59:59Z: the last second PostgreSQL and Python both print with four year digits.
MAX_DECIMAL = 253_402_300_799


class Word(Enum):
    """Timeframes named by a word, from the start of a calendar period of the zone."""

    TODAY = "today"
    YESTERDAY = "yesterday"
    MONTH_TO_DATE = "month to date"
    YEAR_TO_DATE = "year to date"


_WORDS = {word.value: word for word in Word}
_SPACES = re.compile(r"[\s_]+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


@dataclass(frozen=True, slots=True)
class Timeframe:
    """A look-back from now (`since`, counted in calendar `days` when given in days or weeks),
    absolute bounds (`start`, and `end` or now), whole days of the zone's calendar
    (`first_day` to `last_day`), or a `word`."""

    since: Interval | None = None
    days: int | None = None
    start: datetime | None = None
    end: datetime | None = None
    word: Word | None = None
    first_day: date | None = None
    last_day: date | None = None

    def bounds(self, now: datetime, zone: ZoneInfo = zones.UTC_ZONE) -> tuple[datetime, datetime]:
        """The inclusive [start, end] of session start times, given the current time."""
        if self.word is not None:
            return _word_bounds(self.word, now, zone)
        if self.first_day is not None and self.last_day is not None:
            return _day_bounds(self.first_day, self.last_day, zone)
        if self.since is not None:
            return look_back(now, self.since, self.days, zone), now
        assert self.start is not None
        return self.start, self.end if self.end is not None else now


def look_back(now: datetime, since: Interval, days: int | None, zone: ZoneInfo) -> datetime:
    """`now - since`: calendar days and months on the zone's wall clock (months clamp to the
    month's last day, as PostgreSQL does), other units as exact durations."""
    if since.months:
        return zones.instant(zones.months_before(zones.local(now, zone), since.months), zone)
    if days is not None:
        return zones.instant(zones.local(now, zone) - timedelta(days=days), zone)
    return now - timedelta(microseconds=since.microseconds)


def before(moment: datetime, interval: Interval) -> datetime:
    """`moment - interval` as PostgreSQL computes it in UTC: months clamp to the month's last day."""
    return look_back(moment, interval, None, zones.UTC_ZONE)


def _word_bounds(word: Word, now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    wall = zones.local(now, zone)
    midnight = wall.replace(hour=0, minute=0, second=0, microsecond=0)
    if word is Word.TODAY:
        return zones.instant(midnight, zone), now
    if word is Word.YESTERDAY:
        today = zones.instant(midnight, zone)
        return zones.instant(midnight - timedelta(days=1), zone), today - timedelta(microseconds=1)
    if word is Word.MONTH_TO_DATE:
        return zones.instant(midnight.replace(day=1), zone), now
    return zones.instant(midnight.replace(month=1, day=1), zone), now


def _day_bounds(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """From the zone's midnight starting `first` to the last microsecond before the midnight
    ending `last`: whole local days, 23 or 25 hours long across a daylight-saving change."""
    try:
        start = zones.instant(datetime(first.year, first.month, first.day), zone)
        following = datetime(last.year, last.month, last.day) + timedelta(days=1)
        return start, zones.instant(following, zone) - timedelta(microseconds=1)
    except OverflowError:
        raise ParamError("timeframe", "its days lie outside the years 1 to 9999 in this time zone") from None


def parse_timeframe(value: Any) -> Timeframe:
    """An interval back from now, a word, unix seconds (from then to now), {"from": s, "to": s},
    or whole days {"from": "2024-05-01", "to": "2024-05-07"}."""
    if isinstance(value, dict):
        unknown = [name for name in value if name not in ("from", "to")]
        if unknown:
            raise ParamError("timeframe", f"unknown field {unknown[0][:100]!r}; use from and to")
        if "from" not in value or "to" not in value:
            raise ParamError("timeframe", 'needs both "from" and "to" (unix seconds, or dates)')
        if isinstance(value["from"], str) and _DATE.fullmatch(value["from"].strip()):
            return _days(value["from"], value["to"])
        start = unix_time(value["from"], "timeframe.from")
        end = unix_time(value["to"], "timeframe.to")
        if start > end:
            raise ParamError("timeframe", "from is later than to")
        return Timeframe(start=start, end=end)
    if isinstance(value, str) and not DECIMAL.fullmatch(value):
        word = _WORDS.get(_SPACES.sub(" ", value.strip().lower()))
        if word is not None:
            return Timeframe(word=word)
        try:
            return Timeframe(since=parse_interval(value), days=calendar_days(value))
        except ValueError as error:
            raise ParamError("timeframe", f"{error}; or one of {', '.join(_WORDS)}") from None
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return Timeframe(start=unix_time(value, "timeframe"))
    raise ParamError(
        "timeframe",
        "must be an interval like '7 days', a word like 'today', unix seconds or "
        f'{{"from": s, "to": s}}, not {kind(value)}',
    )


def _days(first: str, last: Any) -> Timeframe:
    """{"from": "YYYY-MM-DD", "to": "YYYY-MM-DD"}: those days of the zone's calendar, both
    included."""
    if not isinstance(last, str) or not _DATE.fullmatch(last.strip()):
        raise ParamError("timeframe", "to must be a date like '2024-05-31' when from is one")
    days = []
    for name, text in (("from", first), ("to", last)):
        try:
            days.append(date.fromisoformat(text.strip()))
        except ValueError:
            raise ParamError(f"timeframe.{name}", f"{text[:20]!r} is not a date (YYYY-MM-DD)") from None
    if days[0] > days[1]:
        raise ParamError("timeframe", "from is later than to")
    if days[1] == date.max:
        raise ParamError("timeframe.to", "must be before 9999-12-31")
    return Timeframe(first_day=days[0], last_day=days[1])


def unix_time(value: Any, parameter: str) -> datetime:
    seconds = number(value, parameter)
    if seconds < 0 or seconds > MAX_DECIMAL:
        raise ParamError(parameter, f"{value!r} is not unix seconds between 0 and {MAX_DECIMAL}")
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=round(seconds * 1_000_000))


def parse_bucket_interval(value: Any) -> Interval:
    """The bucket width: "1 hour", "1 day", "1 week", "1 month", "12 months", ..."""
    if not isinstance(value, str):
        raise ParamError("interval", f"must be a string like '1 day', not {kind(value)}")
    try:
        interval = parse_interval(value)
    except ValueError as error:
        raise ParamError("interval", str(error)) from None
    if not interval.months and interval.microseconds < MIN_INTERVAL_MICROSECONDS:
        raise ParamError("interval", f"{value!r} is shorter than the smallest width, 1 second")
    return interval


def parse_timezone(value: Any) -> ZoneInfo:
    """An IANA time zone name ("Europe/Berlin", "UTC"), in any letter case."""
    if not isinstance(value, str):
        example = "an IANA time zone name like 'Europe/Berlin'"
        raise ParamError("timezone", f"must be {example}, not {kind(value)}")
    try:
        return zones.zone_named(value)
    except ValueError as error:
        raise ParamError("timezone", str(error)) from None
