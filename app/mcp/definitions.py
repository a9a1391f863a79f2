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
        "name": "country",
        "definition": "The plays of a bucket by the country the page connected from, read once "
        "from its address with the operator's GeoIP file (the address is never stored); "
        "'unknown' for every play when the server has none. Only countries with plays are listed.",
        "unit": "count of plays",
        "tools": _OVER_TIME,
    },
    {
        "name": "impressions, play_rate",
        "definition": "impressions: sessions whose player was shown with a source (once per "
        "element and source), counted by this server's snippet only. play_rate: impressions that "
        "became plays ÷ impressions, from 0 to 1 (null without impressions); plays of pages on "
        "the published client, which sends no impressions, are not in it.",
        "unit": "count; fraction (0 to 1)",
        "tools": ["plays_over_time"],
    },
    {
        "name": "completions, completion_rate",
        "definition": "completions: plays that played to within 2 s of the video's end, or to its "
        "end. completion_rate: completions ÷ plays, from 0 to 1 (null without plays).",
        "unit": "count; fraction (0 to 1)",
        "tools": ["plays_over_time"],
    },
    {
        "name": "retention",
        "definition": "The share of plays whose furthest position reached the range (went past "
        "its start), from 0 to 1; falls from range to range as viewers leave.",
        "unit": "fraction (0 to 1)",
        "tools": ["video_engagement"],
    },
    {
        "name": "sessions (quality of experience)",
        "definition": "Views: sessions with a play intent (the play event, or autoplay), of pages "
        "using this server's snippet. Every quality figure is over them.",
        "unit": "count",
        "tools": ["quality_of_experience"],
    },
    {
        "name": "startup_time_p50, startup_time_p95",
        "definition": "Video startup time, from the play intent to the first frame with the "
        "playhead moving (paused time excluded), to 0.01 s: its median and 95th percentile over "
        "the views that started, exact (percentile_disc).",
        "unit": "seconds",
        "tools": ["quality_of_experience"],
    },
    {
        "name": "rebuffer_percentage, rebuffer_frequency, rebuffered_sessions_percentage",
        "definition": "Rebuffering: the playhead not moving for at least 1 s while it should play "
        "(stalls over 250 ms counted when it moves again); seeking is never rebuffering. "
        "Percentage: Σ rebuffer time ÷ Σ watch time, in percent. Frequency: rebuffers per minute of "
        "watch time. Rebuffered sessions: views with at least one, in percent.",
        "unit": "percent (0 to 100); per minute",
        "tools": ["quality_of_experience"],
    },
    {
        "name": "playback_failure_percentage, startup_failure_percentage",
        "definition": "Views that ended in a fatal error (a MediaError other than aborted, or an "
        "hls.js / video.js fatal error), in percent of the views; startup failures are those "
        "before the first frame.",
        "unit": "percent (0 to 100)",
        "tools": ["quality_of_experience"],
    },
    {
        "name": "exits_before_start_percentage",
        "definition": "Views with a play intent, no first frame and no failure: the viewer left "
        "while it started; in percent of the views.",
        "unit": "percent (0 to 100)",
        "tools": ["quality_of_experience"],
    },
    {
        "name": "seek_latency, average_bitrate",
        "definition": "Seek latency: Σ seeking-to-seeked time ÷ seeks (seeks less than 2 s apart "
        "count once). Average bitrate: the rendition's declared bitrate averaged over playing "
        "time, over views whose player reports one (hls.js, video.js).",
        "unit": "seconds; bits per second",
        "tools": ["quality_of_experience"],
    },
    {
        "name": "error groups",
        "definition": "Fatal errors grouped by code and message, the message normalised in the "
        "page (URLs, numbers, hex and ids replaced by placeholders), so no page address or id "
        "is kept. sessions: sessions with it; first_seen / last_seen: the start of the first and "
        "last of them in the timeframe; browser: those sessions by browser.",
        "unit": "count; time (UTC, ISO 8601)",
        "tools": ["error_groups"],
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
        "tools": [*_OVER_TIME, "top_pages", "quality_of_experience"],
    },
    {
        "name": "timeframe, compare",
        "definition": "Every answer states the timeframe it covered (session start times, both "
        "ends inclusive) and the zone. With compare, the same numbers for the comparison period: "
        "'previous' is the period of the same length just before (whole days stay whole days, "
        "weekday for weekday), 'year' the same dates a year earlier.",
        "unit": "time (UTC, ISO 8601)",
        "tools": [
            *("plays_over_time", "breakdowns", "top_pages", "top_videos", "overview", "video_engagement"),
            *("quality_of_experience", "error_groups"),
        ],
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
