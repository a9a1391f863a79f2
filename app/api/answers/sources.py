"""The answer of /sources: plays per page and bucket."""

from __future__ import annotations

from datetime import datetime

from app.api import stats
from app.api.answers.frame import Answer, framed, iso
from app.api.answers.totals import pages
from app.api.params import StatsParams
from app.api.periods import Period
from app.api.stats import Database, Scope


async def sources(db: Database, params: StatsParams, now: datetime) -> Answer:
    async def part(scope: Scope | None, period: Period) -> Answer:
        rows = []
        if scope is not None:
            rows = await stats.sources(
                db.connection,
                scope,
                params.interval,
                params.minimum_watch_seconds,
                timescale=db.timescale,
                zone=params.timezone,
            )
        return {
            "sources": [
                {"interval": iso(row.start), "path": row.path, "host": row.host, "views": row.views}
                for row in rows
            ],
            "pages": pages(rows),
        }

    return await framed(db, params, now, part)
