"""What every answer shares: how times are printed, the time zone and resolved timeframe it
states, and the comparison period beside it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from app.api.params import StatsParams
from app.api.periods import Period, asked, compared
from app.api.stats import Database, Scope, scope_for

Answer = dict[str, Any]
Part = Callable[[Scope | None, Period], Awaitable[Answer]]


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with microseconds and Z, as the contract prints every time."""
    t = moment.astimezone(UTC)
    return (
        f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}"
        f".{t.microsecond:06d}Z"
    )


def timeframe(period: Period) -> dict[str, str]:
    return {"from": iso(period.start), "to": iso(period.end)}


async def framed(db: Database, params: StatsParams, now: datetime, part: Part) -> Answer:
    """`part`'s keys for the asked period, then `timezone` and `timeframe`, then `compare`
    with the same keys for the comparison period when one is asked for. The videos are
    resolved once, for both periods."""
    period = asked(params, now)
    scope = await scope_for(db.connection, params.videos, period.start, period.end, params.filters)
    answer = await part(scope, period)
    answer["timezone"] = params.timezone.key
    answer["timeframe"] = timeframe(period)
    if params.compare is not None:
        other = compared(period, params.compare, params.timezone)
        during = None if scope is None else scope.during(other.start, other.end)
        answer["compare"] = {"timeframe": timeframe(other), **await part(during, other)}
    return answer
