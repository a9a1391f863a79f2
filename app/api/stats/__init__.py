"""The questions the API answers, as SQL with bind parameters only: one module per question.

`scope` resolves which sessions; `plays` (with `countries`), `sources`, `engagement` (with
`retention`), `videos`, `watching`, `qoe` and `errors` ask; `rollup`, `range_counts` and
`qoe_sql` hold the fast forms of some of them, each used only where it is exact.
The SQL text is assembled from fixed fragments chosen by the *shape* of a question (a key or a
list of videos; the bucket width and time zone; TimescaleDB or not), never from input text.
"""

from app.api.stats.engagement import (
    MAX_SECOND,
    PerSecondBucket,
    RangeViewers,
    SecondViews,
    duration,
    per_second,
    ranges,
)
from app.api.stats.errors import ErrorGroup, ErrorList, errors
from app.api.stats.plays import PlaysBucket, plays
from app.api.stats.qoe import Figures, QoeBucket, qoe
from app.api.stats.retention import retention
from app.api.stats.scope import Connection, Database, Scope, scope_for
from app.api.stats.sources import SourceRow, sources
from app.api.stats.videos import Totals, VideoList, VideoRow, videos

__all__ = [
    "MAX_SECOND",
    "Connection",
    "Database",
    "ErrorGroup",
    "ErrorList",
    "Figures",
    "PerSecondBucket",
    "PlaysBucket",
    "QoeBucket",
    "RangeViewers",
    "Scope",
    "SecondViews",
    "SourceRow",
    "Totals",
    "VideoList",
    "VideoRow",
    "duration",
    "errors",
    "per_second",
    "plays",
    "qoe",
    "ranges",
    "retention",
    "scope_for",
    "sources",
    "videos",
]
