"""What each tool answers, as typed structures: the REST API's answers (docs/API.md), key for key.

Typed dicts, because the answers are dicts already (app/api/answers/): a tool hands the REST
answer over unchanged (or cut to fewer rows), the SDK checks it against these types and
publishes them as the tool's output schema, and a key absent from an answer (`compare` when no
comparison was asked for) stays absent, as it is in the REST API's JSON.
"""

from __future__ import annotations

from typing import Annotated, Any, NotRequired

from pydantic import Field
from typing_extensions import TypedDict

Time = Annotated[str, Field(description="An instant in UTC, ISO 8601: 2024-05-02T00:00:00.000000Z")]
Count = Annotated[int, Field(ge=0)]
Seconds = Annotated[float, Field(description="seconds")]
Countries = Annotated[
    dict[str, int],
    Field(
        description="Plays per country (ISO 3166-1 alpha-2, or 'unknown' without a GeoIP file), only "
        "countries with plays"
    ),
]

# The sessions' start times an answer covers, both ends inclusive.
Period = TypedDict("Period", {"from": Time, "to": Time})


class Browsers(TypedDict):
    edge: Count
    ie: Count
    chrome: Count
    firefox: Count
    opera: Count
    safari: Count
    brave: Count
    other: Count


class Devices(TypedDict):
    mobile: Count
    tablet: Count
    desktop: Count
    other: Count


class Platforms(TypedDict):
    ios: Count
    android: Count
    mac: Count
    windows: Count
    linux: Count
    other: Count


class PlaysBucket(TypedDict):
    """Plays that started in one bucket, with their view time and breakdowns."""

    interval: Annotated[str, Field(description="The bucket's start (UTC, ISO 8601)")]
    views: Annotated[int, Field(description="Plays: sessions that watched at least minimum_watch_seconds")]
    total_view_time: Annotated[float, Field(description="Seconds the plays watched, rewatches included")]
    unique_total_view_time: Annotated[
        float, Field(description="Seconds of video each play saw at least once")
    ]
    browser: Browsers
    device_type: Devices
    platform: Platforms
    country: Countries
    impressions: Annotated[
        int, Field(description="Sessions whose player was shown with a source (this server's snippet only)")
    ]
    play_rate: Annotated[
        float | None,
        Field(description="Impressions that became plays ÷ impressions, 0 to 1; null without impressions"),
    ]
    completions: Annotated[int, Field(description="Plays that played to within 2 s of the end")]
    completion_rate: Annotated[
        float | None, Field(description="completions ÷ plays, 0 to 1; null without plays")
    ]


class PlaysTotals(TypedDict):
    """The same numbers over the whole timeframe."""

    views: Count
    total_view_time: Seconds
    unique_total_view_time: Seconds
    browser: Browsers
    device_type: Devices
    platform: Platforms
    country: Countries
    impressions: int
    play_rate: float | None
    completions: int
    completion_rate: float | None


class PlaysCompared(TypedDict):
    timeframe: Period
    views: list[PlaysBucket]
    totals: PlaysTotals


class Plays(TypedDict):
    """Plays per time bucket, as GET /api/v1/plays answers."""

    views: list[PlaysBucket]
    totals: PlaysTotals
    timezone: str
    timeframe: Period
    compare: NotRequired[PlaysCompared]


class BreakdownBucket(TypedDict):
    """The plays of one bucket split by browser, device and platform."""

    interval: str
    views: Count
    browser: Browsers
    device_type: Devices
    platform: Platforms
    country: Countries


class BreakdownTotals(TypedDict):
    """The plays of the whole timeframe, split alike."""

    views: Count
    browser: Browsers
    device_type: Devices
    platform: Platforms
    country: Countries


class BreakdownsCompared(TypedDict):
    timeframe: Period
    views: list[BreakdownBucket]
    totals: BreakdownTotals


class Breakdowns(TypedDict):
    """/api/v1/plays without the view times: its plays and their browser, device and platform."""

    views: list[BreakdownBucket]
    totals: BreakdownTotals
    timezone: str
    timeframe: Period
    compare: NotRequired[BreakdownsCompared]


class Video(TypedDict):
    identifier: Annotated[str | None, Field(description="The video's label, as the page gave it")]
    metadata: Annotated[dict[str, Any], Field(description="The video's metadata: what `video` matches")]
    duration: Annotated[float | None, Field(description="The video's length in seconds, when known")]
    plays: Count
    total_view_time: Seconds
    average_view_time: Annotated[float | None, Field(description="Seconds per play; null without plays")]
    average_percent_watched: Annotated[
        float | None,
        Field(description="Σ min(watched, duration) ÷ Σ duration over the plays, in percent (0 to 100)"),
    ]


class Totals(TypedDict):
    videos: Annotated[int, Field(description="How many videos are listed in all (every page)")]
    plays: Count
    total_view_time: Seconds
    average_view_time: float | None
    average_percent_watched: float | None


class Change(TypedDict):
    """How the totals changed against the comparison period: percent of the earlier figure,
    percentage points for the share watched; null without a baseline."""

    plays: float | None
    total_view_time: float | None
    average_view_time: float | None
    average_percent_watched: float | None


class VideosCompared(TypedDict):
    timeframe: Period
    videos: list[Video]
    totals: Totals
    change: Change


class Videos(TypedDict):
    """Videos with sessions in the timeframe, a page of them, and totals: GET /api/v1/videos."""

    videos: list[Video]
    totals: Totals
    next_offset: Annotated[int | None, Field(description="The offset of the next page; null after the last")]
    timezone: str
    timeframe: Period
    compare: NotRequired[VideosCompared]


class Page(TypedDict):
    interval: Annotated[str, Field(description="The bucket's start (UTC, ISO 8601)")]
    path: Annotated[str, Field(description="The page's URL without query string or fragment")]
    host: str
    views: Annotated[int, Field(description="Plays on that page in that bucket")]


class PageTotal(TypedDict):
    path: str
    host: str
    views: Annotated[int, Field(description="Plays on that page over the whole timeframe")]


class PagesCompared(TypedDict):
    timeframe: Period
    sources: list[Page]
    pages: list[PageTotal]


class Pages(TypedDict):
    """Plays per page and bucket, most played first in each bucket: GET /api/v1/sources."""

    sources: list[Page]
    pages: Annotated[list[PageTotal], Field(description="Plays per page over the timeframe, most first")]
    timezone: str
    timeframe: Period
    compare: NotRequired[PagesCompared]


RangeTime = TypedDict(
    "RangeTime",
    {
        "from": Annotated[float, Field(description="seconds into the video")],
        "to": Annotated[float, Field(description="seconds into the video")],
    },
)


class Range(TypedDict):
    range: Annotated[int, Field(description="The range's number, from 0")]
    range_time: RangeTime
    viewers: Annotated[int, Field(description="Sessions that watched any part of the range")]
    rewatches: Annotated[int, Field(description="How often they came back to it (segments beyond the first)")]
    retention: Annotated[
        float | None,
        Field(description="The share of plays whose furthest position reached the range, 0 to 1"),
    ]
    percent_of_plays: NotRequired[
        Annotated[
            float | None, Field(description="Share of the plays that reached it (with minimum_watch_seconds)")
        ]
    ]


class DropOff(TypedDict):
    range: int
    viewers_lost: int


class MostRewatched(TypedDict):
    range: int
    rewatches: int


class EngagementCompared(TypedDict):
    timeframe: Period
    engagement: list[Range]
    drop_off: DropOff | None
    most_rewatched: MostRewatched | None
    plays: NotRequired[Count]


class Engagement(TypedDict):
    """Viewers of each of N equal ranges of the video: GET /api/v1/engagement with ranges."""

    engagement: list[Range]
    drop_off: Annotated[DropOff | None, Field(description="The range that lost the most viewers")]
    most_rewatched: Annotated[MostRewatched | None, Field(description="The range most came back to")]
    plays: NotRequired[Annotated[int, Field(ge=0, description="Plays (with minimum_watch_seconds)")]]
    timezone: str
    timeframe: Period
    compare: NotRequired[EngagementCompared]


Percentage = Annotated[float | None, Field(description="0 to 100; null where nothing is divided")]
SecondsOrNone = Annotated[float | None, Field(description="seconds; null where nothing is measured")]


class QoeFigures(TypedDict):
    """The quality of some views (sessions with a play intent) of one bucket."""

    sessions: Annotated[int, Field(description="Views: sessions with a play intent")]
    startup_time_p50: SecondsOrNone
    startup_time_p95: SecondsOrNone
    rebuffer_percentage: Annotated[
        float | None, Field(description="Σ rebuffer time ÷ Σ watch time, in percent")
    ]
    rebuffer_frequency: Annotated[float | None, Field(description="Rebuffers per minute of watch time")]
    rebuffered_sessions_percentage: Percentage
    playback_failure_percentage: Percentage
    startup_failure_percentage: Percentage
    exits_before_start_percentage: Percentage
    seek_latency: Annotated[float | None, Field(description="Seconds per seek")]
    average_bitrate: Annotated[float | None, Field(description="Bits per second, weighted by playing time")]


class QoeBucket(QoeFigures):
    interval: Annotated[str, Field(description="The bucket's start (UTC, ISO 8601)")]
    browser: Annotated[dict[str, QoeFigures], Field(description="The same figures per browser")]
    device_type: Annotated[dict[str, QoeFigures], Field(description="The same figures per device type")]
    platform: Annotated[dict[str, QoeFigures], Field(description="The same figures per platform")]


class QoeCompared(TypedDict):
    timeframe: Period
    qoe: list[QoeBucket]


class Qoe(TypedDict):
    """The quality of the views per time bucket: GET /api/v1/qoe."""

    qoe: list[QoeBucket]
    timezone: str
    timeframe: Period
    compare: NotRequired[QoeCompared]


class ErrorGroup(TypedDict):
    fingerprint: Annotated[str, Field(description="The group's id: 16 hex digits of its code and message")]
    code: Annotated[str, Field(description="'4' (a MediaError code), 'hls:fragLoadError', 'vjs:4', ...")]
    message: Annotated[str, Field(description="The message with URLs, numbers and ids replaced")]
    sessions: Count
    first_seen: Annotated[Time | None, Field(description="The start of its first session in the timeframe")]
    last_seen: Annotated[Time | None, Field(description="The start of its last session in the timeframe")]
    browser: Browsers


class ErrorTotals(TypedDict):
    groups: Annotated[int, Field(description="Groups in all (every page)")]
    sessions: Annotated[int, Field(description="Sessions with a fatal error, in every group")]


class ErrorsCompared(TypedDict):
    timeframe: Period
    errors: list[ErrorGroup]
    totals: ErrorTotals


class Errors(TypedDict):
    """Error groups, most sessions first, a page of them, and totals: GET /api/v1/errors."""

    errors: list[ErrorGroup]
    totals: ErrorTotals
    next_offset: Annotated[int | None, Field(description="The offset of the next page; null after the last")]
    timezone: str
    timeframe: Period
    compare: NotRequired[ErrorsCompared]


class VideoWatching(TypedDict):
    identifier: str | None
    metadata: dict[str, Any]
    watching: Count


class PageWatching(TypedDict):
    path: str
    host: str
    watching: Count


class Minute(TypedDict):
    minute: Time
    watching: Count


class Live(TypedDict):
    """Sessions playing now, across every server process: GET /api/v1/watching."""

    watching: Annotated[int, Field(description="Sessions playing right now")]
    timezone: str
    videos: NotRequired[Annotated[list[VideoWatching], Field(description="With by=video: the top 50")]]
    pages: NotRequired[Annotated[list[PageWatching], Field(description="With by=page: the top 50")]]
    timeframe: NotRequired[Period]
    minutes: NotRequired[
        Annotated[list[Minute], Field(description="With a timeframe: viewers sampled each minute")]
    ]
    peak: NotRequired[
        Annotated[Minute | None, Field(description="The highest minute, the earliest of equals")]
    ]


class OverviewCompared(TypedDict):
    timeframe: Period
    totals: Totals


class Overview(TypedDict):
    """A scope and range at a glance: the totals and top videos of /api/v1/videos, and the
    viewers playing now of /api/v1/watching."""

    totals: Totals
    top_videos: list[Video]
    watching_now: Annotated[int, Field(description="Sessions of these videos playing right now")]
    timezone: str
    timeframe: Period
    compare: NotRequired[OverviewCompared]


class Metric(TypedDict):
    name: str
    definition: str
    unit: str
    tools: list[str]


class Metrics(TypedDict):
    """The definition of every number the tools answer."""

    metrics: list[Metric]
    categories: dict[str, list[str]]
    notes: list[str]
