"""Sums over a whole timeframe, from the buckets an answer already holds: the totals of /plays
and the plays per page of /sources. A dashboard's cards and tables read these instead of adding
buckets up themselves, so that each number is computed once, here."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from app.api.answers.frame import Answer
from app.api.categories import BROWSERS, DEVICES, PLATFORMS
from app.api.stats import PlaysBucket, SourceRow


def plays_totals(buckets: Iterable[PlaysBucket], device_name: str) -> Answer:
    """The plays of every bucket together, with the same keys as one bucket (but `interval`)."""
    views, watched, unique = 0, 0.0, 0.0
    impressions, impressed_plays, completions = 0, 0, 0
    browser: Counter[str] = Counter()
    device: Counter[str] = Counter()
    platform: Counter[str] = Counter()
    country: Counter[str] = Counter()
    for bucket in buckets:
        views += bucket.views
        watched += bucket.total_view_time
        unique += bucket.unique_total_view_time
        browser.update(bucket.browser)
        device.update(bucket.device)
        platform.update(bucket.platform)
        country.update(bucket.country)
        impressions += bucket.impressions
        impressed_plays += bucket.impressed_plays
        completions += bucket.completions
    return {
        "views": views,
        "total_view_time": watched,
        "unique_total_view_time": unique,
        "browser": {name: browser[name] for name in BROWSERS},
        device_name: {name: device[name] for name in DEVICES},
        "platform": {name: platform[name] for name in PLATFORMS},
        # Only the countries with plays, as in a bucket; most plays first.
        "country": dict(sorted(country.items(), key=lambda item: (-item[1], item[0]))),
        "impressions": impressions,
        "play_rate": impressed_plays / impressions if impressions else None,
        "completions": completions,
        "completion_rate": completions / views if views else None,
    }


def pages(rows: Iterable[SourceRow]) -> list[Answer]:
    """Plays per page over every bucket, most played first (ties by path, then host)."""
    counted: Counter[tuple[str, str]] = Counter()
    for row in rows:
        counted[(row.path, row.host)] += row.views
    ordered = sorted(counted.items(), key=lambda item: (-item[1], item[0]))
    return [{"path": path, "host": host, "views": views} for (path, host), views in ordered]
