"""The answers of /plays and /views: plays per bucket with their breakdowns."""

from __future__ import annotations

from datetime import datetime

from app.api import stats
from app.api.answers.frame import Answer, framed, iso
from app.api.answers.totals import plays_totals
from app.api.params import StatsParams
from app.api.periods import Period
from app.api.stats import Database, Scope


async def plays(db: Database, params: StatsParams, now: datetime) -> Answer:
    return await _answer(db, params, now, "device_type")


async def views(db: Database, params: StatsParams, now: datetime) -> Answer:
    """The reference server's shape: the same numbers, `device` instead of `device_type`."""
    return await _answer(db, params, now, "device")


async def _answer(db: Database, params: StatsParams, now: datetime, device_name: str) -> Answer:
    async def part(scope: Scope | None, period: Period) -> Answer:
        buckets = []
        if scope is not None:
            buckets = await stats.plays(
                db.connection,
                scope,
                params.interval,
                params.minimum_watch_seconds,
                timescale=db.timescale,
                zone=params.timezone,
            )
        return {
            "views": [
                {
                    "interval": iso(bucket.start),
                    "views": bucket.views,
                    "total_view_time": bucket.total_view_time,
                    "unique_total_view_time": bucket.unique_total_view_time,
                    "browser": bucket.browser,
                    device_name: bucket.device,
                    "platform": bucket.platform,
                    "country": bucket.country,
                    "impressions": bucket.impressions,
                    "play_rate": bucket.play_rate,
                    "completions": bucket.completions,
                    "completion_rate": bucket.completion_rate,
                }
                for bucket in buckets
            ],
            "totals": plays_totals(buckets, device_name),
        }

    return await framed(db, params, now, part)
