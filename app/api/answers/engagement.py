"""The answer of /engagement: viewers per range of the video, or per second of it per bucket.

With ranges it also marks the biggest drop-off and the most re-watched range
(app/api/answers/highlights.py), and with `minimum_watch_seconds` (viewers are then plays) the
plays in scope and the share of them that reached each range.
"""

from __future__ import annotations

from datetime import datetime

from app.api import stats
from app.api.answers.frame import Answer, Part, framed, iso
from app.api.answers.highlights import drop_off, most_rewatched
from app.api.params import StatsParams
from app.api.periods import Period
from app.api.stats import Database, Scope


async def engagement(db: Database, params: StatsParams, now: datetime) -> Answer:
    # Every session counts, as the contract says, unless a minimum asks for plays only.
    minimum = params.minimum_watch_seconds if "minimum_watch_seconds" in params.given else None
    if params.ranges is None:
        return await framed(db, params, now, _per_second(db, params, minimum))
    count = params.ranges
    # The comparison period is cut at the asked period's length, so that its ranges are the
    # same stretches of the video; the first part asked (the asked period) sets it.
    lengths: list[float | None] = []

    async def part(scope: Scope | None, period: Period) -> Answer:
        length = None if scope is None else await stats.duration(db.connection, scope)
        if lengths and lengths[0] is not None:
            length = lengths[0]
        lengths.append(length)
        ranges = []
        retention: list[float | None] = []
        if scope is not None and length is not None:
            ranges = await stats.ranges(
                db.connection, scope, length, count, minimum_watch_seconds=minimum, keeper=db.primary
            )
            # Over the plays, always: a page that never played reached no range and is no play.
            retention = await stats.retention(
                db.connection, scope, length, count, params.minimum_watch_seconds, keeper=db.primary
            )
        plays = None
        if minimum is not None:
            plays = 0
            if scope is not None:
                plays = (await stats.videos(db.connection, scope, minimum, limit=1)).totals.plays
        answer: Answer = {
            "engagement": [
                {
                    "range": r.range,
                    "range_time": {"from": r.start, "to": r.end},
                    "viewers": r.viewers,
                    "rewatches": r.rewatches,
                    "retention": share,
                    **({} if minimum is None else {"percent_of_plays": _share(r.viewers, plays)}),
                }
                for r, share in zip(ranges, retention, strict=True)
            ],
            "drop_off": drop_off(ranges),
            "most_rewatched": most_rewatched(ranges),
        }
        if minimum is not None:
            answer["plays"] = plays
        return answer

    return await framed(db, params, now, part)


def _share(viewers: int, plays: int | None) -> float | None:
    """The percentage of the plays that reached a range; None without plays."""
    return None if not plays else 100.0 * viewers / plays


def _per_second(db: Database, params: StatsParams, minimum: float | None) -> Part:
    async def part(scope: Scope | None, period: Period) -> Answer:
        buckets = []
        if scope is not None:
            buckets = await stats.per_second(
                db.connection,
                scope,
                params.interval,
                timescale=db.timescale,
                zone=params.timezone,
                minimum_watch_seconds=minimum,
            )
        return {
            "engagement": [
                {
                    "interval": iso(bucket.start),
                    "per_second": [{"second": s.second, "views": s.views} for s in bucket.per_second],
                }
                for bucket in buckets
            ]
        }

    return part
