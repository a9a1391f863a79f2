"""Plain values: numbers (`minimum_watch_seconds`, `ranges`, `limit`, `offset`) and choices."""

from __future__ import annotations

import math
import re
from enum import Enum
from typing import Any, TypeVar

from app.api.params.errors import ParamError, kind
from app.intervals import parse_interval

DEFAULT_MINIMUM_WATCH_SECONDS = 1.0
MAX_WATCH_SECONDS = 1e9
MAX_RANGES = 1000
DEFAULT_LIMIT = 50
MAX_LIMIT = 1000
MAX_OFFSET = 1_000_000

DECIMAL = re.compile(r"\s*\d{1,12}(?:\.\d{1,6})?\s*", re.ASCII)
_WHOLE = re.compile(r"\s*\d{1,9}\s*", re.ASCII)

Choice = TypeVar("Choice", bound=Enum)


def parse_minimum_watch_seconds(value: Any) -> float:
    """A number of seconds, or a fixed interval string like "3 seconds"."""
    parameter = "minimum_watch_seconds"
    if isinstance(value, str) and not DECIMAL.fullmatch(value):
        try:
            interval = parse_interval(value)
        except ValueError as error:
            raise ParamError(parameter, str(error)) from None
        if interval.months:
            raise ParamError(parameter, f"{value!r}: use seconds, minutes or hours, not months")
        seconds = interval.microseconds / 1_000_000
    else:
        seconds = number(value, parameter)
    if seconds < 0 or seconds > MAX_WATCH_SECONDS:
        raise ParamError(parameter, f"{value!r} is not between 0 and {MAX_WATCH_SECONDS:.0f} seconds")
    return seconds


def parse_ranges(value: Any) -> int:
    return whole(value, "ranges", 1, MAX_RANGES)


def whole(value: Any, parameter: str, low: int, high: int) -> int:
    """A whole number from `low` to `high`, given as a number or as its digits."""
    if isinstance(value, str) and _WHOLE.fullmatch(value):
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ParamError(parameter, f"must be a whole number from {low} to {high}, not {kind(value)}")
    if not low <= value <= high:
        raise ParamError(parameter, f"{value} is not from {low} to {high}")
    return value


def choice(value: Any, parameter: str, choices: type[Choice]) -> Choice:
    """One of an enumeration's values, named exactly (any letter case)."""
    names = [str(member.value) for member in choices]
    if isinstance(value, str):
        for member in choices:
            if str(member.value) == value.strip().lower():
                return member
    raise ParamError(parameter, f"must be one of {', '.join(names)}, not {kind(value)}")


def number(value: Any, parameter: str) -> float:
    if isinstance(value, str) and DECIMAL.fullmatch(value):
        return float(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ParamError(parameter, f"must be a number, not {kind(value)}")
    result = float(value) if abs(value) < 1e300 else math.inf
    if not math.isfinite(result):
        raise ParamError(parameter, "must be a finite number")
    return result
