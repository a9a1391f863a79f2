"""The answer of /watching: sessions playing now, across every server process."""

from __future__ import annotations

from datetime import datetime

from app.api.answers.frame import Answer
from app.api.params import StatsParams
from app.api.stats import Database
from app.api.stats import watching as live


async def watching(db: Database, params: StatsParams, now: datetime) -> Answer:
    return {"watching": await live.playing_now(db.connection), "timezone": params.timezone.key}
