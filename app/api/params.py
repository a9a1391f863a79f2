"""Query parameters of the stats endpoints: a strict grammar, pure (values in, values out, no clock).

Every refusal is a `ParamError` naming the parameter, so the route can answer 400 with a message
a person can act on. Nothing here builds SQL: the parsed values travel as bind parameters.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any

from app.intervals import Interval, parse_interval
from app.keyrules import KEY_PATTERN, KEY_RULE

__all__ = ["KEY_PATTERN", "KEY_RULE"]  # re-exported: the routes and the CLI take them from here


class ParamError(ValueError):
    """A parameter is missing, unknown or malformed; `parameter` names it for the answer."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message


class Endpoint(Enum):
    """The query endpoints; each accepts its own set of parameters and refuses the rest."""

    PLAYS = "plays"
    VIEWS = "views"
    ENGAGEMENT = "engagement"
    SOURCES = "sources"
    WATCHING = "watching"


_COMMON = ("query", "identifier", "interval", "timeframe")
ACCEPTED: dict[Endpoint, tuple[str, ...]] = {
    Endpoint.PLAYS: (*_COMMON, "minimum_watch_seconds"),
    Endpoint.VIEWS: (*_COMMON, "minimum_watch_seconds"),
    Endpoint.SOURCES: (*_COMMON, "minimum_watch_seconds"),
    Endpoint.ENGAGEMENT: (*_COMMON, "ranges"),
    # Live counts are published per process, not per video (app/live.py); `query` and
    # `identifier` are accepted so that existing mave clients keep working, and validated.
    Endpoint.WATCHING: ("query", "identifier"),
}

DEFAULT_INTERVAL = Interval(months=12)
DEFAULT_TIMEFRAME_TEXT = "7 days"
DEFAULT_MINIMUM_WATCH_SECONDS = 1.0

# Bounds that keep every value meaningful and every computation far from overflow.
MIN_INTERVAL_MICROSECONDS = 1_000_000
MAX_WATCH_SECONDS = 1e9
MAX_RANGES = 1000
MAX_TEXT = 1000
MAX_DEPTH = 32
# 9999-12-31T23:59:59Z: the last second PostgreSQL and Python both print with four year digits.
MAX_DECIMAL = 253_402_300_799

_DECIMAL = re.compile(r"\s*\d{1,12}(?:\.\d{1,6})?\s*", re.ASCII)
_WHOLE = re.compile(r"\s*\d{1,9}\s*", re.ASCII)


@dataclass(frozen=True, slots=True)
class VideoQuery:
    """Which videos: metadata containment, all videos of a key, a label; combined with AND."""

    video: dict[str, Any] | None = None
    key: str | None = None
    identifier: str | None = None

    @property
    def key_only(self) -> bool:
        return self.key is not None and self.video is None and self.identifier is None


@dataclass(frozen=True, slots=True)
class Timeframe:
    """Either a look-back from now (`since`) or absolute bounds (`start`, and `end` or now)."""

    since: Interval | None = None
    start: datetime | None = None
    end: datetime | None = None

    def bounds(self, now: datetime) -> tuple[datetime, datetime]:
        """The inclusive [start, end] of session start times, given the current time."""
        if self.since is not None:
            return before(now, self.since), now
        assert self.start is not None
        return self.start, self.end if self.end is not None else now


@dataclass(frozen=True, slots=True)
class StatsParams:
    """Everything a stats endpoint needs, validated."""

    videos: VideoQuery
    interval: Interval
    timeframe: Timeframe
    minimum_watch_seconds: float
    ranges: int | None


def before(moment: datetime, interval: Interval) -> datetime:
    """`moment - interval` as PostgreSQL computes it in UTC: months clamp to the month's last day."""
    if interval.months:
        index = moment.year * 12 + moment.month - 1 - interval.months
        year, month = divmod(index, 12)
        day = min(moment.day, _days_in_month(year, month + 1))
        return moment.replace(year=year, month=month + 1, day=day)
    return moment - timedelta(microseconds=interval.microseconds)


def _days_in_month(year: int, month: int) -> int:
    following = datetime(year + month // 12, month % 12 + 1, 1)
    return (following - timedelta(days=1)).day


# Readers: where parameters come from. Both give a plain mapping of name → JSON value.


def from_query_string(items: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Query-string pairs; a value that starts with `{` or `[` is JSON (nested values)."""
    found: dict[str, Any] = {}
    for name, value in items:
        if name in found:
            raise ParamError(name, "given more than once; give each parameter once")
        stripped = value.strip()
        found[name] = _decode_json(name, stripped) if stripped[:1] in ("{", "[") else value
    return found


def from_json_body(body: bytes) -> dict[str, Any]:
    """A JSON object body; an empty body is no parameters at all."""
    if not body.strip():
        return {}
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ParamError("body", "is not UTF-8 text; send a JSON object") from None
    value = _decode_json("body", text)
    if not isinstance(value, dict):
        raise ParamError("body", f"must be a JSON object, not {_kind(value)}")
    return value


def merge(query_string: Mapping[str, Any], body: Mapping[str, Any]) -> dict[str, Any]:
    """Parameters of a GET that has both a query string and a JSON body."""
    for name in query_string.keys() & body.keys():
        raise ParamError(name, "given both in the query string and in the body; give it once")
    return {**query_string, **body}


def _decode_json(parameter: str, text: str) -> Any:
    try:
        return json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=_unique_pairs)
    except _DuplicateField as error:
        raise ParamError(parameter, f"field {error.args[0]!r} is given twice") from None
    except _NonFiniteNumber as error:
        raise ParamError(parameter, f"{error.args[0]} is not a number JSON allows") from None
    except (ValueError, RecursionError) as error:
        reason = error.msg if isinstance(error, json.JSONDecodeError) else "nested too deeply"
        raise ParamError(parameter, f"is not valid JSON ({reason})") from None


class _DuplicateField(ValueError):
    pass


class _NonFiniteNumber(ValueError):
    pass


def _refuse_constant(name: str) -> Any:
    raise _NonFiniteNumber(name)


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, value in pairs:
        if name in result:
            raise _DuplicateField(name)
        result[name] = value
    return result


# Parsers: one per parameter.


def parse_params(raw: Mapping[str, Any], endpoint: Endpoint) -> StatsParams:
    """Validate every parameter an endpoint was given; refuse any it does not accept."""
    accepted = ACCEPTED[endpoint]
    for name in raw:
        if name not in accepted:
            raise ParamError(
                str(name)[:100], f"unknown parameter; {endpoint.value} accepts {', '.join(accepted)}"
            )
    identifier = parse_identifier(raw["identifier"]) if "identifier" in raw else None
    videos = parse_query(raw["query"], identifier) if "query" in raw else None
    if videos is None:
        if identifier is None and endpoint is not Endpoint.WATCHING:
            raise ParamError(
                "query",
                'is required unless identifier is given, for example {"video": {"id": "1"}} '
                'or {"key": "<api key>"}',
            )
        videos = VideoQuery(identifier=identifier)
    return StatsParams(
        videos=videos,
        interval=parse_bucket_interval(raw["interval"]) if "interval" in raw else DEFAULT_INTERVAL,
        timeframe=parse_timeframe(raw.get("timeframe", DEFAULT_TIMEFRAME_TEXT)),
        minimum_watch_seconds=(
            parse_minimum_watch_seconds(raw["minimum_watch_seconds"])
            if "minimum_watch_seconds" in raw
            else DEFAULT_MINIMUM_WATCH_SECONDS
        ),
        ranges=parse_ranges(raw["ranges"]) if "ranges" in raw else None,
    )


def parse_query(value: Any, identifier: str | None = None) -> VideoQuery:
    """`{"video": {...}}` (metadata containment) and/or `{"key": "..."}` (every video of a key)."""
    if not isinstance(value, dict):
        raise ParamError(
            "query", f'must be an object like {{"video": {{...}}}} or {{"key": "..."}}, not {_kind(value)}'
        )
    unknown = [name for name in value if name not in ("video", "key")]
    if unknown:
        raise ParamError("query", f"unknown field {unknown[0][:100]!r}; use video and/or key")
    if not value:
        raise ParamError("query", 'is empty; give {"video": {...}} or {"key": "..."}')
    video = value.get("video")
    if "video" in value:
        if not isinstance(video, dict):
            raise ParamError("query", f"video must be an object of metadata, not {_kind(video)}")
        _check_json(video, "query", depth=0)
    key = value.get("key")
    if "key" in value and not (isinstance(key, str) and KEY_PATTERN.fullmatch(key)):
        raise ParamError("query", f"key must be an API key: {KEY_RULE}")
    return VideoQuery(video=video, key=key, identifier=identifier)


def parse_new_key(raw: Mapping[str, Any]) -> str | None:
    """The body of `POST /keys`: nothing (a random key), or {"key": "<custom key>"}."""
    for name in raw:
        if name != "key":
            raise ParamError(str(name)[:100], "unknown parameter; a new key accepts only key")
    if "key" not in raw:
        return None
    key = raw["key"]
    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
        raise ParamError("key", f"must be {KEY_RULE}, not {_kind(key)}")
    return key


def parse_identifier(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ParamError("identifier", f"must be a non-empty string, not {_kind(value)}")
    if len(value) > MAX_TEXT:
        raise ParamError("identifier", f"is longer than {MAX_TEXT} characters")
    _check_text(value, "identifier")
    return value


def _check_json(value: Any, parameter: str, depth: int) -> None:
    """Refuse what PostgreSQL's jsonb cannot hold, before it reaches the database: text with NUL
    or unpaired surrogates, numbers too large to be finite, and absurd nesting."""
    if depth > MAX_DEPTH:
        raise ParamError(parameter, f"is nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, str):
        _check_text(value, parameter)
    elif isinstance(value, float) and not math.isfinite(value):
        raise ParamError(parameter, "holds a number too large to store")
    elif isinstance(value, dict):
        for name, inner in value.items():
            _check_text(name, parameter)
            _check_json(inner, parameter, depth + 1)
    elif isinstance(value, list):
        for inner in value:
            _check_json(inner, parameter, depth + 1)


def _check_text(value: str, parameter: str) -> None:
    if "\x00" in value:
        raise ParamError(parameter, "holds a NUL character, which cannot be stored")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ParamError(parameter, "holds text that is not valid Unicode") from None


def parse_bucket_interval(value: Any) -> Interval:
    """The bucket width: "1 hour", "1 day", "1 week", "1 month", "12 months", ..."""
    if not isinstance(value, str):
        raise ParamError("interval", f"must be a string like '1 day', not {_kind(value)}")
    try:
        interval = parse_interval(value)
    except ValueError as error:
        raise ParamError("interval", str(error)) from None
    if not interval.months and interval.microseconds < MIN_INTERVAL_MICROSECONDS:
        raise ParamError("interval", f"{value!r} is shorter than the smallest width, 1 second")
    return interval


def parse_timeframe(value: Any) -> Timeframe:
    """An interval back from now, unix seconds (from then to now), or {"from": s, "to": s}."""
    if isinstance(value, dict):
        unknown = [name for name in value if name not in ("from", "to")]
        if unknown:
            raise ParamError("timeframe", f"unknown field {unknown[0][:100]!r}; use from and to")
        if "from" not in value or "to" not in value:
            raise ParamError("timeframe", 'needs both "from" and "to" (unix seconds)')
        start = _unix_time(value["from"], "timeframe.from")
        end = _unix_time(value["to"], "timeframe.to")
        if start > end:
            raise ParamError("timeframe", "from is later than to")
        return Timeframe(start=start, end=end)
    if isinstance(value, str) and not _DECIMAL.fullmatch(value):
        try:
            return Timeframe(since=parse_interval(value))
        except ValueError as error:
            raise ParamError("timeframe", str(error)) from None
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return Timeframe(start=_unix_time(value, "timeframe"))
    raise ParamError(
        "timeframe",
        f'must be an interval like \'7 days\', unix seconds or {{"from": s, "to": s}}, not {_kind(value)}',
    )


def _unix_time(value: Any, parameter: str) -> datetime:
    seconds = _number(value, parameter)
    if seconds < 0 or seconds > MAX_DECIMAL:
        raise ParamError(parameter, f"{value!r} is not unix seconds between 0 and {MAX_DECIMAL}")
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=round(seconds * 1_000_000))


def parse_minimum_watch_seconds(value: Any) -> float:
    """A number of seconds, or a fixed interval string like "3 seconds"."""
    parameter = "minimum_watch_seconds"
    if isinstance(value, str) and not _DECIMAL.fullmatch(value):
        try:
            interval = parse_interval(value)
        except ValueError as error:
            raise ParamError(parameter, str(error)) from None
        if interval.months:
            raise ParamError(parameter, f"{value!r}: use seconds, minutes or hours, not months")
        seconds = interval.microseconds / 1_000_000
    else:
        seconds = _number(value, parameter)
    if seconds < 0 or seconds > MAX_WATCH_SECONDS:
        raise ParamError(parameter, f"{value!r} is not between 0 and {MAX_WATCH_SECONDS:.0f} seconds")
    return seconds


def parse_ranges(value: Any) -> int:
    if isinstance(value, str) and _WHOLE.fullmatch(value):
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ParamError("ranges", f"must be a whole number from 1 to {MAX_RANGES}, not {_kind(value)}")
    if not 1 <= value <= MAX_RANGES:
        raise ParamError("ranges", f"{value} is not from 1 to {MAX_RANGES}")
    return value


def _number(value: Any, parameter: str) -> float:
    if isinstance(value, str) and _DECIMAL.fullmatch(value):
        return float(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ParamError(parameter, f"must be a number, not {_kind(value)}")
    number = float(value) if abs(value) < 1e300 else math.inf
    if not math.isfinite(number):
        raise ParamError(parameter, "must be a finite number")
    return number


def _kind(value: Any) -> str:
    """How a wrong value is named in an error: its JSON type, and a short excerpt of strings."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        excerpt = value if len(value) <= 40 else value[:40] + "…"
        return f"the text {excerpt!r}"
    if isinstance(value, list):
        return "a list"
    return "an object"
