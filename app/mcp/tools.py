"""The tools: each a question the REST API answers, named for what a site owner asks, documented
for a model (what it answers, when to use it, an example call), answering with the REST API's
numbers. A tool chooses which answer to ask for and may leave rows or keys out; it never computes
a number of its own (app/api/answers/ does, once, for every face).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from mcp.server.mcpserver.tools import Tool
from mcp_types import ToolAnnotations
from pydantic import BaseModel, ConfigDict

from app.api.params import Endpoint
from app.mcp import arguments as a
from app.mcp import asking
from app.mcp import outputs as out
from app.mcp.definitions import describe
from app.mcp.quality import quality_tools
from app.mcp.questions import Questions

# Every tool only reads, and asks the same database again for the same answer.
READ_ONLY = ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)


def tools(questions: Questions) -> list[Tool]:
    """Every tool, asking `questions`."""

    async def find_videos(
        search: a.Search = None,
        key: a.Key = None,
        video: a.VideoMetadata = None,
        identifier: a.Identifier = None,
        timeframe: a.Timeframe = "12 months",
        timezone: a.Timezone = None,
        sort: a.Sort = "plays",
        order: a.Order = None,
        limit: a.Limit = 20,
        offset: a.Offset = 0,
        minimum_watch_seconds: a.MinimumWatchSeconds = None,
    ) -> out.Videos:
        """Find videos by label or metadata, with their plays: the way to learn a video's
        `identifier` and `metadata` before asking about it with another tool.

        Use it when the user names a video loosely ("the launch film"), or to list what there
        is. Only videos with sessions in the timeframe are listed (default: the last 12 months),
        most played first, `limit` at a time with `next_offset` for the next page.

        Example: {"key": "Yw1i0lxvS0mXh2W0Sx3Z7A", "search": "launch"}
        """
        raw = asking.asked(
            key,
            video,
            identifier,
            timeframe,
            sort=sort,
            limit=limit,
            offset=offset,
            search=search,
            order=order,
        )
        raw.update(a.given(timezone=timezone, minimum_watch_seconds=minimum_watch_seconds))
        return cast(out.Videos, await questions.answer(Endpoint.VIDEOS, raw))

    async def overview(
        key: a.Key = None,
        video: a.VideoMetadata = None,
        identifier: a.Identifier = None,
        timeframe: a.Timeframe = "7 days",
        timezone: a.Timezone = None,
        compare: a.Compare = None,
        minimum_watch_seconds: a.MinimumWatchSeconds = None,
    ) -> out.Overview:
        """A site's (or some videos') numbers at a glance: plays, total and average view time,
        average % watched, the five most played videos, and how many sessions are playing now.

        Use it first, for "how are my videos doing?", then narrow down with the other tools.
        With compare='previous', the same totals for the period before, to say what changed.

        Example: {"key": "Yw1i0lxvS0mXh2W0Sx3Z7A", "timeframe": "30 days", "compare": "previous"}
        """
        raw = asking.asked(key, video, identifier, timeframe, limit=5, compare=compare, timezone=timezone)
        raw.update(a.given(minimum_watch_seconds=minimum_watch_seconds))
        listing = await questions.answer(Endpoint.VIDEOS, raw)
        live = await questions.answer(
            Endpoint.WATCHING, {**asking.videos(key, video, identifier), **a.given(timezone=timezone)}
        )
        answer: dict[str, Any] = {
            "totals": listing["totals"],
            "top_videos": listing["videos"],
            "watching_now": live["watching"],
            "timezone": listing["timezone"],
            "timeframe": listing["timeframe"],
        }
        if "compare" in listing:
            answer["compare"] = {
                "timeframe": listing["compare"]["timeframe"],
                "totals": listing["compare"]["totals"],
            }
        return cast(out.Overview, answer)

    async def plays_over_time(
        key: a.Key = None,
        video: a.VideoMetadata = None,
        identifier: a.Identifier = None,
        timeframe: a.Timeframe = "7 days",
        interval: a.Interval = "1 day",
        timezone: a.Timezone = None,
        compare: a.Compare = None,
        minimum_watch_seconds: a.MinimumWatchSeconds = None,
        page: a.Page = None,
        browser: a.Browser = None,
        device: a.Device = None,
        platform: a.Platform = None,
        country: a.Country = None,
    ) -> out.Plays:
        """Plays per hour, day, week or month, with their view time, the browser, device,
        platform and country of the plays in each bucket, and the impressions (players shown),
        play rate, completions and completion rate.

        Use it for trends: "how many plays per day last month?", "did plays drop after the 12th?",
        "how many of the people who saw the player pressed play?" (play_rate), "how many watched
        to the end?" (completion_rate). Buckets without plays or impressions are left out.

        Example: {"identifier": "Launch film", "timeframe": "30 days", "interval": "1 day"}
        """
        raw = asking.series(
            key, video, identifier, timeframe, interval, timezone, compare, minimum_watch_seconds
        )
        raw.update(a.given(page=page, browser=browser, device=device, platform=platform, country=country))
        return cast(out.Plays, await questions.answer(Endpoint.PLAYS, raw))

    async def top_videos(
        key: a.Key = None,
        video: a.VideoMetadata = None,
        identifier: a.Identifier = None,
        timeframe: a.Timeframe = "7 days",
        timezone: a.Timezone = None,
        sort: a.Sort = "plays",
        order: a.Order = None,
        limit: a.Limit = 10,
        compare: a.Compare = None,
        minimum_watch_seconds: a.MinimumWatchSeconds = None,
        page: a.Page = None,
        browser: a.Browser = None,
        device: a.Device = None,
        platform: a.Platform = None,
        country: a.Country = None,
    ) -> out.Videos:
        """The videos ranked by plays (or view time, average view time, % watched), with totals.

        Use it for "which videos did best this week?", "which are watched least to the end?"
        (sort='average_percent_watched', order='asc'). With compare, each listed video's numbers
        in the comparison period too, in the same order.

        Example: {"key": "Yw1i0lxvS0mXh2W0Sx3Z7A", "timeframe": "7 days", "limit": 5}
        """
        raw = asking.asked(
            key, video, identifier, timeframe, sort=sort, limit=limit, order=order, compare=compare
        )
        raw.update(a.given(timezone=timezone, minimum_watch_seconds=minimum_watch_seconds))
        raw.update(a.given(page=page, browser=browser, device=device, platform=platform, country=country))
        return cast(out.Videos, await questions.answer(Endpoint.VIDEOS, raw))

    async def top_pages(
        key: a.Key = None,
        video: a.VideoMetadata = None,
        identifier: a.Identifier = None,
        timeframe: a.Timeframe = "7 days",
        interval: a.Interval = "12 months",
        timezone: a.Timezone = None,
        limit: a.Limit = 10,
        compare: a.Compare = None,
        minimum_watch_seconds: a.MinimumWatchSeconds = None,
        browser: a.Browser = None,
        device: a.Device = None,
        platform: a.Platform = None,
        country: a.Country = None,
    ) -> out.Pages:
        """The pages where the videos are played, most plays first, per time bucket.

        Use it for "where are people watching?", "which page plays this video most?". A page is
        its URL without query string; pass one as `page` to the other tools to look at it alone.
        Rows are per bucket (default: calendar years, so a range over New Year has two); `limit`
        keeps that many pages in each bucket.

        Example: {"identifier": "Launch film", "timeframe": "30 days", "limit": 5}
        """
        count = asking.limit(limit)
        raw = asking.series(
            key, video, identifier, timeframe, interval, timezone, compare, minimum_watch_seconds
        )
        raw.update(a.given(browser=browser, device=device, platform=platform, country=country))
        answer = await questions.answer(Endpoint.SOURCES, raw)
        answer["sources"] = _first_per_bucket(answer["sources"], count)
        if "compare" in answer:
            answer["compare"]["sources"] = _first_per_bucket(answer["compare"]["sources"], count)
        return cast(out.Pages, answer)

    async def video_engagement(
        key: a.Key = None,
        video: a.VideoMetadata = None,
        identifier: a.Identifier = None,
        ranges: a.Ranges = 10,
        timeframe: a.Timeframe = "7 days",
        timezone: a.Timezone = None,
        compare: a.Compare = None,
        minimum_watch_seconds: a.MinimumWatchSeconds = None,
        page: a.Page = None,
        browser: a.Browser = None,
        device: a.Device = None,
        platform: a.Platform = None,
        country: a.Country = None,
    ) -> out.Engagement:
        """How far into a video people watched: the video cut into equal ranges, each with the
        sessions that watched part of it, how often they came back to it, and its retention (the
        share of plays whose furthest position reached the range).

        Use it for retention and drop-off: "where do viewers leave?", "did they watch the first
        ten seconds?" (ranges sized so that one range is ten seconds). Name one video (identifier
        or video); a fall in viewers from one range to the next is where people stopped. With
        minimum_watch_seconds, plays only (then viewers ÷ plays is the share that got that far).

        Example: {"identifier": "Launch film", "ranges": 10, "timeframe": "7 days"}
        """
        raw = asking.asked(
            key, video, identifier, timeframe, ranges=ranges, compare=compare, timezone=timezone
        )
        raw.update(a.given(minimum_watch_seconds=minimum_watch_seconds))
        raw.update(a.given(page=page, browser=browser, device=device, platform=platform, country=country))
        return cast(out.Engagement, await questions.answer(Endpoint.ENGAGEMENT, raw))

    async def breakdowns(
        key: a.Key = None,
        video: a.VideoMetadata = None,
        identifier: a.Identifier = None,
        timeframe: a.Timeframe = "7 days",
        interval: a.Interval = "12 months",
        timezone: a.Timezone = None,
        compare: a.Compare = None,
        minimum_watch_seconds: a.MinimumWatchSeconds = None,
        page: a.Page = None,
    ) -> out.Breakdowns:
        """Plays split by browser, device type (mobile, tablet, desktop), operating system and
        country.

        Use it for "how many watch on phones?", "is Safari over-represented?", "which countries
        watch?". Rows are per bucket (default: calendar years, so a range over New Year has two).
        Every browser, device and platform is listed, zeros too; countries only where there are
        plays, as ISO 3166 codes, and all 'unknown' when the server has no GeoIP file.

        Example: {"key": "Yw1i0lxvS0mXh2W0Sx3Z7A", "timeframe": "30 days"}
        """
        raw = asking.series(
            key, video, identifier, timeframe, interval, timezone, compare, minimum_watch_seconds
        )
        raw.update(a.given(page=page))
        answer = await questions.answer(Endpoint.PLAYS, raw)
        for part in (answer, answer.get("compare")):
            if part is not None:
                part["views"] = [_breakdown(bucket) for bucket in part["views"]]
                part["totals"] = _breakdown(part["totals"])
        return cast(out.Breakdowns, answer)

    async def live_viewers(
        key: a.Key = None,
        video: a.VideoMetadata = None,
        identifier: a.Identifier = None,
        by: a.By = None,
        timeframe: a.LiveTimeframe = None,
        timezone: a.Timezone = None,
    ) -> out.Live:
        """Sessions playing right now, across every server process; with by='video' or 'page'
        the top 50 videos or pages; with a timeframe the viewers minute by minute and the peak.

        Use it for "how many are watching now?", "what was the peak during the launch?". Without
        key, video or identifier: every video you may read.

        Example: {"key": "Yw1i0lxvS0mXh2W0Sx3Z7A", "by": "video"}
        """
        raw = {
            **a.scope(key, video, identifier),
            **a.given(by=by, timezone=timezone),
            **({} if timeframe is None else {"timeframe": a.timeframe(timeframe)}),
        }
        return cast(out.Live, await questions.answer(Endpoint.WATCHING, raw))

    async def describe_metrics(name: a.MetricName = None) -> out.Metrics:
        """What every number the tools answer means: how a play, view time, % watched, engagement
        viewers and live viewers are defined, the categories of the breakdowns, and what cannot
        be answered (nothing identifies a person).

        Use it before explaining a number to the user, or when two numbers seem to disagree.
        `name` narrows the list to definitions whose name contains it.

        Example: {"name": "average_percent_watched"}
        """
        return describe(name)

    listed: list[tuple[Callable[..., Any], str]] = [
        (find_videos, "Find videos"),
        (overview, "Overview of a site or videos"),
        (plays_over_time, "Plays over time"),
        (top_videos, "Top videos"),
        (top_pages, "Top pages"),
        (video_engagement, "Engagement and retention of a video"),
        (breakdowns, "Browsers, devices and platforms"),
        (live_viewers, "Live viewers"),
        *quality_tools(questions),
        (describe_metrics, "Definitions of the metrics"),
    ]
    return [
        _strict(Tool.from_function(function, title=title, annotations=READ_ONLY, structured_output=True))
        for function, title in listed
    ]


def _strict(tool: Tool) -> Tool:
    """The tool refusing arguments it does not take, as the REST API refuses unknown parameters:
    a misspelt `timeframe` is an error the model can correct, not a silent default."""
    loose = tool.fn_metadata.arg_model
    config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)
    strict = cast(
        type[BaseModel], type(loose.__name__, (loose,), {"model_config": config, "__module__": __name__})
    )
    metadata = tool.fn_metadata.model_copy(update={"arg_model": strict})
    return tool.model_copy(
        update={"fn_metadata": metadata, "parameters": strict.model_json_schema(by_alias=True)}
    )


def _first_per_bucket(rows: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """The first `count` rows of each bucket (they come most played first within a bucket)."""
    kept: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for row in rows:
        seen[row["interval"]] = seen.get(row["interval"], 0) + 1
        if seen[row["interval"]] <= count:
            kept.append(row)
    return kept


def _breakdown(bucket: dict[str, Any]) -> dict[str, Any]:
    names = ("interval", "views", "browser", "device_type", "platform", "country")
    return {name: bucket[name] for name in names if name in bucket}  # totals have no interval
