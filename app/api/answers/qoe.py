"""The answer of /qoe: the quality of the views per bucket, in total and per browser, device and
platform."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.api import stats
from app.api.answers.frame import Answer, framed, iso
from app.api.params import StatsParams
from app.api.periods import Period
from app.api.stats import Database, Figures, Scope
from app.api.stats.qoe import NAMES


async def qoe(db: Database, params: StatsParams, now: datetime) -> Answer:
    async def part(scope: Scope | None, period: Period) -> Answer:
        buckets = []
        if scope is not None:
            buckets = await stats.qoe(
                db.connection, scope, params.interval, timescale=db.timescale, zone=params.timezone
            )
        return {
            "qoe": [
                {
                    "interval": iso(bucket.start),
                    **figures(bucket.total),
                    "browser": {value: figures(f) for value, f in bucket.browser.items()},
                    "device_type": {value: figures(f) for value, f in bucket.device.items()},
                    "platform": {value: figures(f) for value, f in bucket.platform.items()},
                }
                for bucket in buckets
            ]
        }

    return await framed(db, params, now, part)


def figures(found: Figures) -> dict[str, Any]:
    return {name: getattr(found, name) for name in NAMES}
