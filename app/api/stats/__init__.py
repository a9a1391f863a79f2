"""The questions the API answers, as SQL with bind parameters only: one module per question.

`scope` resolves which sessions; `plays`, `sources`, `engagement`, `videos` and `watching` ask;
`rollup` and `ranges` hold the fast forms of some of them, each used only where it is exact.
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
from app.api.stats.plays import PlaysBucket, plays
from app.api.stats.scope import Connection, Database, Scope, scope_for
from app.api.stats.sources import SourceRow, sources
from app.api.stats.videos import Totals, VideoList, VideoRow, videos

__all__ = [
    "MAX_SECOND",
    "Connection",
    "Database",
    "PerSecondBucket",
    "PlaysBucket",
    "RangeViewers",
    "Scope",
    "SecondViews",
    "SourceRow",
    "Totals",
    "VideoList",
    "VideoRow",
    "duration",
    "per_second",
    "plays",
    "ranges",
    "scope_for",
    "sources",
    "videos",
]
