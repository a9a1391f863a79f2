"""The tools' arguments: typed, described for a model, from fixed choices where there are any, and
turned into the REST API's parameters, which the same parser then checks (app/api/params/).

The scope is flat here (`key`, `video`, `identifier`) where REST nests it (`query`); everything
else keeps its REST name and grammar, so docs/API.md describes both faces.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, Field
from typing_extensions import TypedDict

Key = Annotated[
    str | None,
    Field(
        description="An API key: every video recorded with it. With a read-only token, one of the "
        "token's keys; leave it out to ask about all of the token's keys.",
    ),
]
VideoMetadata = Annotated[
    dict[str, Any] | None,
    Field(
        description='Videos whose metadata contains this JSON, e.g. {"id": "42"}; the `metadata` '
        "that find_videos lists. Combined with key and identifier (all must hold).",
    ),
]
Identifier = Annotated[
    str | None, Field(description="A video's label exactly as find_videos lists it (its `identifier`).")
]

Moment = Annotated[
    float | AwareDatetime,
    Field(description="Unix seconds, or an ISO 8601 time with its offset: 2024-05-01T00:00:00+02:00"),
]
Between = TypedDict("Between", {"from": Moment, "to": Moment})

TIMEFRAME_HELP = (
    "Sessions started in: a look-back from now ('24 hours', '7 days', '30 days', '12 months'; "
    "days, weeks, months and years count the time zone's calendar), a word ('today', "
    "'yesterday', 'month to date', 'year to date'), or {\"from\": ..., \"to\": ...} (both "
    "inclusive; unix seconds or ISO 8601 times with an offset)."
)
Timeframe = Annotated[str | Between, Field(description=TIMEFRAME_HELP)]
Timezone = Annotated[
    str | None,
    Field(
        description="An IANA time zone ('Europe/Berlin', 'America/New_York', 'UTC'): days start "
        "at its midnight. Default: the server's METRICS_TIMEZONE.",
    ),
]
Interval = Annotated[
    Literal["1 hour", "1 day", "1 week", "1 month", "3 months", "12 months"],
    Field(description="The width of each time bucket; buckets start at the time zone's midnight."),
]
MinimumWatchSeconds = Annotated[
    float | None,
    Field(
        description="A session counts as a play when it watched at least this many seconds "
        "(0 to 1e9). Default 1.",
    ),
]
Compare = Annotated[
    Literal["previous", "year"] | None,
    Field(
        description="Also answer for the period just before, of the same length ('previous'), or "
        "for the same dates a year earlier ('year'), under `compare`.",
    ),
]
Page = Annotated[
    str | None,
    Field(description="Only plays on this page: a `path` exactly as top_pages lists it."),
]
Browser = Annotated[
    Literal["edge", "ie", "chrome", "firefox", "opera", "safari", "brave", "other"] | None,
    Field(description="Only plays in this browser."),
]
Device = Annotated[
    Literal["mobile", "tablet", "desktop", "other"] | None,
    Field(description="Only plays on this kind of device."),
]
Platform = Annotated[
    Literal["ios", "android", "mac", "windows", "linux", "other"] | None,
    Field(description="Only plays on this operating system."),
]
Country = Annotated[
    str | None,
    Field(
        description="Only plays from this country: a two-letter ISO 3166-1 code ('DE', any letter "
        "case), or 'unknown' (the server has no GeoIP file, or it did not place the address).",
    ),
]
Sort = Annotated[
    Literal[
        "plays", "total_view_time", "average_view_time", "average_percent_watched", "duration", "identifier"
    ],
    Field(description="What the videos are ordered by."),
]
Order = Annotated[
    Literal["asc", "desc"] | None,
    Field(description="Ascending or descending. Default: descending, ascending for identifier."),
]
Limit = Annotated[int, Field(description="How many rows to answer, 1 to 1000.")]
Offset = Annotated[int, Field(description="Rows to skip: the `next_offset` of the answer before.")]
Search = Annotated[
    str | None, Field(description="Only videos whose label contains this text, in any letter case.")
]
Ranges = Annotated[int, Field(description="Cut the video's duration into this many equal ranges, 1 to 1000.")]
By = Annotated[
    Literal["video", "page"] | None,
    Field(description="Also list the top 50 videos, or pages, by viewers playing now."),
]
MetricName = Annotated[
    str | None,
    Field(description="Only the definitions whose name contains this, e.g. 'plays' or 'engagement'."),
]
LiveTimeframe = Annotated[
    str | Between | None,
    Field(
        description="Also the viewers sampled each minute in this timeframe, and the peak. " + TIMEFRAME_HELP
    ),
]


def scope(key: str | None, video: dict[str, Any] | None, identifier: str | None) -> dict[str, Any]:
    """`key`, `video` and `identifier` as the REST API's `query` and `identifier`."""
    raw: dict[str, Any] = {}
    query = {name: value for name, value in (("key", key), ("video", video)) if value is not None}
    if query:
        raw["query"] = query
    if identifier is not None:
        raw["identifier"] = identifier
    return raw


def timeframe(value: str | Between) -> str | dict[str, float]:
    """The REST API's `timeframe`: ISO 8601 times become the unix seconds it takes."""
    if isinstance(value, str):
        return value
    return {"from": _seconds(value["from"]), "to": _seconds(value["to"])}


def _seconds(moment: float | datetime) -> float:
    return moment.timestamp() if isinstance(moment, datetime) else moment


def given(**values: Any) -> dict[str, Any]:
    """The optional parameters that were given (None is "not given", as absent in REST)."""
    return {name: value for name, value in values.items() if value is not None}
