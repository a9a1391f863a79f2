"""The answer of /watching: sessions playing now of the videos asked about, across every server
process; with `by`, the top videos or pages; with `timeframe`, the viewers sampled each minute
and the peak among them."""

from __future__ import annotations

from datetime import datetime

from app.api.answers.frame import Answer, iso, timeframe
from app.api.params import By, StatsParams
from app.api.periods import asked
from app.api.stats import Database
from app.api.stats import watching as live


async def watching(db: Database, params: StatsParams, now: datetime) -> Answer:
    connection, videos = db.connection, params.videos
    answer: Answer = {"watching": await live.playing_now(connection, videos), "timezone": params.timezone.key}
    if params.by is By.VIDEO:
        answer["videos"] = [
            {"identifier": v.identifier, "metadata": v.metadata, "watching": v.watching}
            for v in await live.by_video(connection, videos)
        ]
    elif params.by is By.PAGE:
        answer["pages"] = [
            {"path": p.path, "host": p.host, "watching": p.watching}
            for p in await live.by_page(connection, videos)
        ]
    if "timeframe" in params.given:
        period = asked(params, now)
        series = await live.minutes(connection, videos, period.start, period.end)
        # The highest minute, the earliest of equals.
        peak = max(series, key=lambda m: (m.watching, -m.minute.timestamp()), default=None)
        answer["timeframe"] = timeframe(period)
        answer["minutes"] = [{"minute": iso(m.minute), "watching": m.watching} for m in series]
        answer["peak"] = None if peak is None else {"minute": iso(peak.minute), "watching": peak.watching}
    return answer
