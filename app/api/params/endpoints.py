"""What each query endpoint accepts, and all of its parameters parsed into one `StatsParams`.

Every refusal is a `ParamError` naming the parameter, so the route can answer 400 with a message
a person can act on. A parameter an endpoint does not take is refused too: a typo is an error,
not a silently ignored setting. Nothing here builds SQL: the values travel as bind parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from app import zones
from app.api.params.errors import ParamError
from app.api.params.scope import (
    EVERY_KEY,
    NO_FILTERS,
    Filters,
    Reach,
    VideoQuery,
    parse_filters,
    parse_identifier,
    parse_query,
    parse_text,
    restrict,
)
from app.api.params.timing import (
    DEFAULT_INTERVAL,
    DEFAULT_TIMEFRAME_TEXT,
    Timeframe,
    parse_bucket_interval,
    parse_timeframe,
    parse_timezone,
)
from app.api.params.values import (
    DEFAULT_LIMIT,
    DEFAULT_MINIMUM_WATCH_SECONDS,
    MAX_LIMIT,
    MAX_OFFSET,
    choice,
    parse_minimum_watch_seconds,
    parse_ranges,
    whole,
)
from app.intervals import Interval


class Endpoint(Enum):
    """The query endpoints; each accepts its own set of parameters and refuses the rest."""

    PLAYS = "plays"
    VIEWS = "views"
    ENGAGEMENT = "engagement"
    SOURCES = "sources"
    VIDEOS = "videos"
    WATCHING = "watching"
    QOE = "qoe"
    ERRORS = "errors"


class Compare(Enum):
    """The period an answer is compared with: the one of the same length just before, or the
    same dates a year earlier."""

    PREVIOUS = "previous"
    YEAR = "year"


class Format(Enum):
    JSON = "json"
    CSV = "csv"


class Sort(Enum):
    """What the videos list is ordered by."""

    PLAYS = "plays"
    TOTAL_VIEW_TIME = "total_view_time"
    AVERAGE_VIEW_TIME = "average_view_time"
    AVERAGE_PERCENT_WATCHED = "average_percent_watched"
    DURATION = "duration"
    IDENTIFIER = "identifier"


class Order(Enum):
    ASC = "asc"
    DESC = "desc"


class By(Enum):
    """How `watching` breaks the viewers playing now down."""

    VIDEO = "video"
    PAGE = "page"


_COMMON = ("query", "identifier", "interval", "timeframe", "timezone")
FILTERS = ("page", "browser", "device", "platform", "country")
ACCEPTED: dict[Endpoint, tuple[str, ...]] = {
    Endpoint.PLAYS: (*_COMMON, *FILTERS, "minimum_watch_seconds", "compare", "format"),
    Endpoint.VIEWS: (*_COMMON, *FILTERS, "minimum_watch_seconds", "compare", "format"),
    Endpoint.SOURCES: (*_COMMON, *FILTERS, "minimum_watch_seconds", "compare", "format"),
    # `minimum_watch_seconds` only when given: engagement counts every session by default.
    Endpoint.ENGAGEMENT: (*_COMMON, *FILTERS, "ranges", "minimum_watch_seconds", "compare", "format"),
    Endpoint.VIDEOS: (
        *("query", "identifier", "timeframe", "timezone", *FILTERS, "minimum_watch_seconds", "compare"),
        *("sort", "order", "limit", "offset", "search", "format"),
    ),
    # Without `timeframe`, the viewers playing now; with it, also their count minute by minute.
    Endpoint.WATCHING: ("query", "identifier", "timeframe", "timezone", "by", "format"),
    # Quality counts views (a play intent), not plays: no `minimum_watch_seconds` (docs/API.md).
    Endpoint.QOE: (*_COMMON, *FILTERS, "compare", "format"),
    # Error groups over the whole timeframe, most sessions first, a page at a time.
    Endpoint.ERRORS: (
        *("query", "identifier", "timeframe", "timezone", *FILTERS, "compare", "limit", "offset", "format"),
    ),
}
# Endpoints that answer for the whole server when no videos are named.
_SCOPE_OPTIONAL = (Endpoint.WATCHING,)


@dataclass(frozen=True, slots=True)
class StatsParams:
    """Everything a query endpoint needs, validated; `given` names what the client sent."""

    videos: VideoQuery
    filters: Filters = NO_FILTERS
    interval: Interval = DEFAULT_INTERVAL
    timeframe: Timeframe = field(default_factory=lambda: parse_timeframe(DEFAULT_TIMEFRAME_TEXT))
    timezone: ZoneInfo = zones.UTC_ZONE
    minimum_watch_seconds: float = DEFAULT_MINIMUM_WATCH_SECONDS
    ranges: int | None = None
    compare: Compare | None = None
    format: Format | None = None
    sort: Sort = Sort.PLAYS
    order: Order = Order.DESC
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    search: str | None = None
    by: By | None = None
    given: frozenset[str] = frozenset()


def parse_params(
    raw: Mapping[str, Any],
    endpoint: Endpoint,
    default_timezone: ZoneInfo = zones.UTC_ZONE,
    reach: Reach = EVERY_KEY,
) -> StatsParams:
    """Validate every parameter an endpoint was given; refuse any it does not accept, and a key
    outside what the reader may see (`reach`)."""
    accepted = ACCEPTED[endpoint]
    for name in raw:
        if name not in accepted:
            raise ParamError(
                str(name)[:100], f"unknown parameter; {endpoint.value} accepts {', '.join(accepted)}"
            )
    identifier = parse_identifier(raw["identifier"]) if "identifier" in raw else None
    videos = parse_query(raw["query"], identifier) if "query" in raw else None
    if videos is None:
        if identifier is None and endpoint not in _SCOPE_OPTIONAL:
            raise ParamError(
                "query",
                'is required unless identifier is given, for example {"video": {"id": "1"}} '
                'or {"key": "<api key>"}',
            )
        videos = VideoQuery(identifier=identifier)
    videos = restrict(videos, reach)
    sort = choice(raw["sort"], "sort", Sort) if "sort" in raw else Sort.PLAYS
    default_order = Order.ASC if sort is Sort.IDENTIFIER else Order.DESC
    search = raw.get("search")
    return StatsParams(
        videos=videos,
        filters=parse_filters(raw),
        interval=parse_bucket_interval(raw["interval"]) if "interval" in raw else DEFAULT_INTERVAL,
        timeframe=parse_timeframe(raw.get("timeframe", DEFAULT_TIMEFRAME_TEXT)),
        timezone=parse_timezone(raw["timezone"]) if "timezone" in raw else default_timezone,
        minimum_watch_seconds=(
            parse_minimum_watch_seconds(raw["minimum_watch_seconds"])
            if "minimum_watch_seconds" in raw
            else DEFAULT_MINIMUM_WATCH_SECONDS
        ),
        ranges=parse_ranges(raw["ranges"]) if "ranges" in raw else None,
        compare=choice(raw["compare"], "compare", Compare) if "compare" in raw else None,
        format=choice(raw["format"], "format", Format) if "format" in raw else None,
        sort=sort,
        order=choice(raw["order"], "order", Order) if "order" in raw else default_order,
        limit=whole(raw["limit"], "limit", 1, MAX_LIMIT) if "limit" in raw else DEFAULT_LIMIT,
        offset=whole(raw["offset"], "offset", 0, MAX_OFFSET) if "offset" in raw else 0,
        # An empty search box searches for nothing in particular.
        search=parse_text(search, "search") if search != "" and "search" in raw else None,
        by=choice(raw["by"], "by", By) if "by" in raw else None,
        given=frozenset(raw),
    )
