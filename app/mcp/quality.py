"""The quality-of-experience tools: how well the plays went (/qoe) and what failed (/errors).

Kept apart from app/mcp/tools.py, which holds the plays and engagement questions; both build the
REST parameters with app/mcp/asking.py and hand back the REST answer unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from app.api.params import Endpoint
from app.mcp import arguments as a
from app.mcp import asking
from app.mcp import outputs as out
from app.mcp.questions import Questions


def quality_tools(questions: Questions) -> list[tuple[Callable[..., Any], str]]:
    """The tools and their titles, asking `questions`."""

    async def quality_of_experience(
        key: a.Key = None,
        video: a.VideoMetadata = None,
        identifier: a.Identifier = None,
        timeframe: a.Timeframe = "7 days",
        interval: a.Interval = "1 day",
        timezone: a.Timezone = None,
        compare: a.Compare = None,
        page: a.Page = None,
        browser: a.Browser = None,
        device: a.Device = None,
        platform: a.Platform = None,
        country: a.Country = None,
    ) -> out.Qoe:
        """How well the videos played, per time bucket: startup time (median and 95th
        percentile), rebuffering, playback and startup failures, viewers who gave up before the
        video started, seek latency and bitrate; in total and per browser, device and platform.

        Use it for "is playback slow or broken?", "do Safari users stall more?", "did startup get
        worse after Tuesday's release?". Counts views (sessions with a play intent) of pages using
        this server's snippet; pages on the published @maveio/metrics client send no quality
        events and are not counted. Percentages are 0 to 100, times in seconds, bitrate in bits
        per second; null where there is nothing to divide by. Buckets without views are left out.
        For the errors themselves, use error_groups.

        Example: {"key": "Yw1i0lxvS0mXh2W0Sx3Z7A", "timeframe": "30 days", "interval": "1 day"}
        """
        raw = asking.series(key, video, identifier, timeframe, interval, timezone, compare)
        raw.update(a.given(page=page, browser=browser, device=device, platform=platform, country=country))
        return cast(out.Qoe, await questions.answer(Endpoint.QOE, raw))

    async def error_groups(
        key: a.Key = None,
        video: a.VideoMetadata = None,
        identifier: a.Identifier = None,
        timeframe: a.Timeframe = "7 days",
        timezone: a.Timezone = None,
        compare: a.Compare = None,
        limit: a.Limit = 20,
        offset: a.Offset = 0,
        page: a.Page = None,
        browser: a.Browser = None,
        device: a.Device = None,
        platform: a.Platform = None,
        country: a.Country = None,
    ) -> out.Errors:
        """The fatal playback errors, grouped: each group's code, its message without
        particulars (URLs, numbers and ids replaced by <url>, <n>, <id>), how many sessions met
        it, when first and last, and in which browsers; most sessions first, `limit` at a time.

        Use it for "what is breaking playback?", "is this error new?" (first_seen), "does it only
        happen in Firefox?". With compare, the same groups' numbers in the comparison period, in
        the same order (0 sessions where a group did not occur then). quality_of_experience gives
        the failure percentages over time.

        Example: {"key": "Yw1i0lxvS0mXh2W0Sx3Z7A", "timeframe": "7 days", "limit": 10}
        """
        raw = asking.asked(
            key, video, identifier, timeframe, limit=limit, offset=offset, timezone=timezone, compare=compare
        )
        raw.update(a.given(page=page, browser=browser, device=device, platform=platform, country=country))
        return cast(out.Errors, await questions.answer(Endpoint.ERRORS, raw))

    return [
        (quality_of_experience, "Quality of experience"),
        (error_groups, "Playback error groups"),
    ]
