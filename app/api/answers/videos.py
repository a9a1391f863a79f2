"""The answer of /videos: every video with sessions in the timeframe, a page of them, and totals.

With a comparison, `compare` lists the same videos as the page, in the same order, with their
numbers in the comparison period (zeros where they had no sessions then), the totals of the
whole list in that period, and how the totals changed (app/api/answers/change.py).
"""

from __future__ import annotations

from datetime import datetime

from app.api import stats
from app.api.answers.change import change
from app.api.answers.frame import Answer, timeframe
from app.api.params import StatsParams
from app.api.periods import asked, compared
from app.api.stats import Database, scope_for
from app.api.stats.videos import Totals, VideoList, VideoRow

_NOTHING = VideoList([], Totals(0, 0, 0.0, None, None))


async def videos(db: Database, params: StatsParams, now: datetime) -> Answer:
    period = asked(params, now)
    scope = await scope_for(db.connection, params.videos, period.start, period.end, params.filters)
    listing = _NOTHING
    if scope is not None:
        listing = await stats.videos(
            db.connection,
            scope,
            params.minimum_watch_seconds,
            search=params.search,
            sort=params.sort,
            order=params.order,
            limit=params.limit,
            offset=params.offset,
        )
    following = params.offset + len(listing.rows)
    answer: Answer = {
        "videos": [_video(row) for row in listing.rows],
        "totals": _totals(listing.totals),
        "next_offset": following if following < listing.totals.videos else None,
        "timezone": params.timezone.key,
        "timeframe": timeframe(period),
    }
    if params.compare is not None:
        other = compared(period, params.compare, params.timezone)
        then = _NOTHING
        if scope is not None:
            then = await stats.videos(
                db.connection,
                scope.during(other.start, other.end),
                params.minimum_watch_seconds,
                search=params.search,
                only=tuple(row.video_id for row in listing.rows),
            )
        found = {row.video_id: row for row in then.rows}
        answer["compare"] = {
            "timeframe": timeframe(other),
            "videos": [_video(found.get(row.video_id) or _unplayed(row)) for row in listing.rows],
            "totals": _totals(then.totals),
            "change": change(listing.totals, then.totals),
        }
    return answer


def _video(row: VideoRow) -> Answer:
    return {
        "identifier": row.identifier,
        "metadata": row.metadata,
        "duration": row.duration,
        "plays": row.plays,
        "total_view_time": row.total_view_time,
        "average_view_time": row.average_view_time,
        "average_percent_watched": row.average_percent_watched,
    }


def _unplayed(row: VideoRow) -> VideoRow:
    return VideoRow(row.video_id, row.identifier, row.metadata, row.duration, 0, 0.0, None, None)


def _totals(totals: Totals) -> Answer:
    return {
        "videos": totals.videos,
        "plays": totals.plays,
        "total_view_time": totals.total_view_time,
        "average_view_time": totals.average_view_time,
        "average_percent_watched": totals.average_percent_watched,
    }
