"""Interval strings ("7 days", "12 months", "1 hour"): one strict grammar for settings and the API."""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNIT_MICROSECONDS = {
    "microsecond": 1,
    "millisecond": 1_000,
    "second": 1_000_000,
    "minute": 60_000_000,
    "hour": 3_600_000_000,
    "day": 86_400_000_000,
    "week": 7 * 86_400_000_000,
}
_UNIT_MONTHS = {"month": 1, "year": 12}
_ALIASES = {"sec": "second", "secs": "second", "min": "minute", "mins": "minute"}

# A count (a whole number, or a decimal for fixed units) and a unit, singular or plural.
_GRAMMAR = re.compile(r"\s*([0-9]{1,9}(?:\.[0-9]{1,6})?)\s*([a-z]+)\s*", re.IGNORECASE | re.ASCII)

# Far beyond any sensible width or look-back, small enough that no timestamp arithmetic overflows.
MAX_YEARS = 200


@dataclass(frozen=True, slots=True)
class Interval:
    """A calendar interval: whole months (which vary in length) or a fixed number of microseconds."""

    months: int = 0
    microseconds: int = 0

    @property
    def seconds(self) -> float:
        """The length in seconds, counting a month as 30 days (only for fixed comparisons)."""
        return self.months * 30 * 86_400 + self.microseconds / 1_000_000

    def __str__(self) -> str:
        """A PostgreSQL interval literal with the same meaning."""
        if self.months:
            return f"{self.months} months"
        return f"{self.microseconds} microseconds"


def parse_interval(text: str) -> Interval:
    """Parse "<count> <unit>", refusing anything else with a message that says what is accepted."""
    return _parse(text)[0]


def calendar_days(text: str) -> int | None:
    """The whole number of days `text` names in days or weeks ("7 days", "2 weeks"), else None.

    A look-back of days counts calendar days of a time zone (a day across a daylight-saving change
    is 23 or 25 hours), where hours, minutes and fractions of a day are exact durations."""
    interval, unit, count_text = _parse(text)
    if unit not in ("day", "week") or "." in count_text:
        return None
    return interval.microseconds // _UNIT_MICROSECONDS["day"]


def _parse(text: str) -> tuple[Interval, str, str]:
    if not isinstance(text, str):
        raise ValueError(f"expected a string like '7 days', got {type(text).__name__}")
    match = _GRAMMAR.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} is not '<count> <unit>', for example '7 days' or '1 hour'")
    count_text, unit_text = match.groups()
    unit = unit_text.lower()
    unit = _ALIASES.get(unit, unit)
    if unit.endswith("s") and unit[:-1] in (_UNIT_MICROSECONDS | _UNIT_MONTHS):
        unit = unit[:-1]
    return _interval(text, count_text, unit_text, unit), unit, count_text


def _interval(text: str, count_text: str, unit_text: str, unit: str) -> Interval:
    if unit in _UNIT_MONTHS:
        if "." in count_text:
            raise ValueError(f"{text!r}: months and years take a whole count")
        months = int(count_text) * _UNIT_MONTHS[unit]
        if months <= 0:
            raise ValueError(f"{text!r}: the count must be positive")
        if months > MAX_YEARS * 12:
            raise ValueError(f"{text!r}: at most {MAX_YEARS} years")
        return Interval(months=months)
    if unit in _UNIT_MICROSECONDS:
        microseconds = round(float(count_text) * _UNIT_MICROSECONDS[unit])
        if microseconds <= 0:
            raise ValueError(f"{text!r}: the count must be positive")
        if microseconds > MAX_YEARS * 366 * _UNIT_MICROSECONDS["day"]:
            raise ValueError(f"{text!r}: at most {MAX_YEARS} years")
        return Interval(microseconds=microseconds)
    units = ", ".join([*_UNIT_MICROSECONDS, *_UNIT_MONTHS])
    raise ValueError(f"{text!r}: unknown unit {unit_text!r}; use one of {units}")
