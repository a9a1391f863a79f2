"""The definition of every number the tools answer, as `describe_metrics` gives it: the words of
docs/API.md and the README's "What is counted", in one place a model can ask for."""

from __future__ import annotations

from app.api.categories import BROWSERS, DEVICES, PLATFORMS
from app.mcp.outputs import Metric, Metrics

_OVER_TIME = ["plays_over_time", "breakdowns"]
_VIDEOS = ["find_videos", "top_videos", "overview"]

METRICS: list[Metric] = [
    {
        "name": "session",
        "definition": "One video element in one page load: from the player's join until the page "
        "leaves, closes, or sends nothing for 60 s. Nothing links two page loads: a reload is a new "
        "session, and no person or device is identified.",
        "unit": "count",
        "tools": ["video_engagement"],
    },
    {
        "name": "plays",
        "definition": "Sessions that watched at least minimum_watch_seconds (default 1 s), counted "
        "in the bucket of their start time. Called `views` in plays_over_time, breakdowns and "
        "top_pages (the REST API's name).",
        "unit": "count",
        "tools": [*_OVER_TIME, *_VIDEOS, "top_pages"],
    },
    {
        "name": "total_view_time",
        "definition": "Seconds the plays watched, summed; a part watched twice counts twice.",
        "unit": "seconds",
        "tools": ["plays_over_time", *_VIDEOS],
    },
    {
        "name": "unique_total_view_time",
        "definition": "Seconds of video each play saw at least once (the length of the union of "
        "its watched segments), summed over the plays.",
        "unit": "seconds",
        "tools": ["plays_over_time"],
    },
    {
        "name": "average_view_time",
        "definition": "total_view_time ÷ plays; null without plays.",
        "unit": "seconds per play",
        "tools": _VIDEOS,
    },
    {
        "name": "average_percent_watched",
        "definition": "Σ min(watched, duration) ÷ Σ duration over the plays, in percent: each play "
        "counts for at most the whole video. Null when the duration is unknown (live streams); "
        "in totals, over the videos of known duration only.",
        "unit": "percent (0 to 100)",
        "tools": _VIDEOS,
    },
    {
        "name": "duration",
        "definition": "The video's length as its players reported it lately (the longest); null "
        "when unknown.",
        "unit": "seconds",
        "tools": _VIDEOS,
    },
    {
        "name": "browser, device_type, platform",
        "definition": "The plays of a bucket split by the coarse categories read from the "
        "browser's User-Agent when the page connected (which is then forgotten); every category "
        "is listed, zeros too.",
        "unit": "count of plays",
        "tools": _OVER_TIME,
    },
    {
        "name": "views (pages)",
        "definition": "Plays on one page in one bucket; a page is its URL without query string or "
        "fragment (`path`), `host` its host name. Most played first in each bucket.",
        "unit": "count",
        "tools": ["top_pages"],
    },
    {
        "name": "viewers (engagement)",
        "definition": "Sessions (plays or not, unless minimum_watch_seconds is given: then plays "
        "only) with a watched segment that overlaps the range of the video by more than zero "
        "seconds. The video's duration is cut into `ranges` equal ranges; the duration is the "
        "longest stored among the videos asked about. Viewers of a range ÷ plays is the share "
        "of plays that reached it; a fall from one range to the next is where viewers left.",
        "unit": "count",
        "tools": ["video_engagement"],
    },
    {
        "name": "rewatches",
        "definition": "How often the viewers of a range came back to it: the segments overlapping "
        "the range beyond each session's first.",
        "unit": "count",
        "tools": ["video_engagement"],
    },
    {
        "name": "watching",
        "definition": "Sessions playing right now (a play not followed by a pause), across every "
        "server process; it follows a play, a pause or a closed page within a few seconds.",
        "unit": "count",
        "tools": ["live_viewers", "overview"],
    },
    {
        "name": "minutes, peak",
        "definition": "The viewers playing at the start of each minute (one sample a minute; a "
        "session that played only between two samples is missed), and the highest minute, the "
        "earliest of equals.",
        "unit": "count",
        "tools": ["live_viewers"],
    },
    {
        "name": "interval (bucket)",
        "definition": "Each row of a series is named by its bucket's start, in UTC. Buckets of a "
        "day or longer start at the time zone's midnight (a day may last 23 or 25 hours across "
        "daylight saving); weeks start on Monday, months and years on the 1st. Empty buckets are "
        "left out.",
        "unit": "time (UTC, ISO 8601)",
        "tools": [*_OVER_TIME, "top_pages"],
    },
    {
        "name": "timeframe, compare",
        "definition": "Every answer states the timeframe it covered (session start times, both "
        "ends inclusive) and the zone. With compare, the same numbers for the comparison period: "
        "'previous' is the period of the same length just before (whole days stay whole days, "
        "weekday for weekday), 'year' the same dates a year earlier.",
        "unit": "time (UTC, ISO 8601)",
        "tools": ["plays_over_time", "breakdowns", "top_pages", "top_videos", "overview", "video_engagement"],
    },
]

NOTES = [
    "Counts are of sessions, never of people: nothing identifies a viewer, so 'unique viewers' "
    "cannot be answered.",
    "Answers are aggregates only; no tool returns a session's own row.",
    "The numbers are the REST API's (docs/API.md): a tool's answer equals the API's for the same parameters.",
    "A read-only token reads only its keys' videos: a question about another key is refused, one "
    "without a key covers all of the token's keys.",
]


def describe(name: str | None = None) -> Metrics:
    """Every definition, or those whose name contains `name`."""
    wanted = [metric for metric in METRICS if name is None or name.strip().lower() in metric["name"].lower()]
    return {
        "metrics": wanted,
        "categories": {"browser": list(BROWSERS), "device_type": list(DEVICES), "platform": list(PLATFORMS)},
        "notes": NOTES,
    }
