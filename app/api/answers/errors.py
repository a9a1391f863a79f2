"""The answer of /errors: the error groups of the sessions in scope, a page of them, and totals.

With a comparison, `compare` lists the same groups as the page, in the same order, with their
numbers in the comparison period (0 sessions and null times where they did not occur then), and
the totals of every group in that period.
"""

from __future__ import annotations

from datetime import datetime

from app.api import stats
from app.api.answers.frame import Answer, iso, timeframe
from app.api.categories import BROWSERS
from app.api.params import StatsParams
from app.api.periods import asked, compared
from app.api.stats import Database, ErrorGroup, ErrorList, scope_for

_NOTHING = ErrorList([], 0, 0)


async def errors(db: Database, params: StatsParams, now: datetime) -> Answer:
    period = asked(params, now)
    scope = await scope_for(db.connection, params.videos, period.start, period.end, params.filters)
    listing = _NOTHING
    if scope is not None:
        listing = await stats.errors(db.connection, scope, limit=params.limit, offset=params.offset)
    following = params.offset + len(listing.groups)
    answer: Answer = {
        "errors": [_group(group) for group in listing.groups],
        "totals": _totals(listing),
        "next_offset": following if following < listing.total_groups else None,
        "timezone": params.timezone.key,
        "timeframe": timeframe(period),
    }
    if params.compare is not None:
        other = compared(period, params.compare, params.timezone)
        then = _NOTHING
        if scope is not None:
            only = tuple(group.fingerprint for group in listing.groups)
            then = await stats.errors(db.connection, scope.during(other.start, other.end), only=only)
        found = {group.fingerprint: group for group in then.groups}
        answer["compare"] = {
            "timeframe": timeframe(other),
            "errors": [
                _group(group) if (group := found.get(g.fingerprint)) is not None else _absent(g)
                for g in listing.groups
            ],
            "totals": _totals(then),
        }
    return answer


def _group(group: ErrorGroup) -> Answer:
    return {
        "fingerprint": group.fingerprint,
        "code": group.code,
        "message": group.message,
        "sessions": group.sessions,
        "first_seen": iso(group.first_seen),
        "last_seen": iso(group.last_seen),
        "browser": group.browser,
    }


def _absent(group: ErrorGroup) -> Answer:
    return {
        "fingerprint": group.fingerprint,
        "code": group.code,
        "message": group.message,
        "sessions": 0,
        "first_seen": None,
        "last_seen": None,
        "browser": dict.fromkeys(BROWSERS, 0),
    }


def _totals(listing: ErrorList) -> Answer:
    return {"groups": listing.total_groups, "sessions": listing.total_sessions}
