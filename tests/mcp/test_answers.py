"""Each tool's answer equals the REST API's for the same data (recorded through the websocket),
asked in process, over HTTP with the Basic credentials and with a read-only token (as the REST
API is asked with the same credentials), in the SDK's modern and legacy protocol modes."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from mcp import Client
from mcp.server.mcpserver import MCPServer

from app.api.params import Reach
from tests.mcp.site import LAUNCH, Site, basic, bearer, structured

Expected = Callable[[Site, dict[str, str]], Awaitable[Any]]


def _first_per_bucket(rows: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    kept: list[dict[str, Any]] = []
    for row in rows:
        if sum(1 for other in kept if other["interval"] == row["interval"]) < count:
            kept.append(row)
    return kept


def _breakdown(answer: dict[str, Any]) -> dict[str, Any]:
    """/plays without its view times: in each bucket and in the totals (which have no interval)."""
    names = ("interval", "views", "browser", "device_type", "platform", "country")

    def shape(bucket: dict[str, Any]) -> dict[str, Any]:
        return {k: bucket[k] for k in names if k in bucket}

    for part in (answer, answer.get("compare")):
        if part is not None:
            part["views"] = [shape(bucket) for bucket in part["views"]]
            part["totals"] = shape(part["totals"])
    return answer


def case(tool: str, arguments: Callable[[Site], dict[str, Any]], expected: Expected) -> Any:
    return pytest.param(tool, arguments, expected, id=f"{tool}-{len(CASES)}")


CASES: list[Any] = []


def add(tool: str, arguments: Callable[[Site], dict[str, Any]], expected: Expected) -> None:
    CASES.append(case(tool, arguments, expected))


add(
    "plays_over_time",
    lambda s: {"key": s.key_a, "timeframe": s.window, "interval": "1 hour"},
    lambda s, h: s.rest_json(
        "plays", {"query": {"key": s.key_a}, "timeframe": s.window, "interval": "1 hour"}, h
    ),
)
add(
    "plays_over_time",
    lambda s: {
        "video": LAUNCH,
        "timeframe": s.window,
        "compare": "previous",
        "browser": "chrome",
        "device": "desktop",
    },
    lambda s, h: s.rest_json(
        "plays",
        {"query": {"video": LAUNCH}, "timeframe": s.window, "interval": "1 day", "compare": "previous"}
        | {"browser": "chrome", "device": "desktop"},
        h,
    ),
)
add(
    "top_videos",
    lambda s: {"key": s.key_a, "timeframe": s.window},
    lambda s, h: s.rest_json("videos", {"query": {"key": s.key_a}, "timeframe": s.window, "limit": 10}, h),
)
add(
    "top_videos",
    lambda s: (
        {"identifier": "Launch film", "timeframe": s.window, "sort": "average_percent_watched"}
        | {"order": "asc", "compare": "year", "minimum_watch_seconds": 20}
    ),
    lambda s, h: s.rest_json(
        "videos",
        {
            "identifier": "Launch film",
            "timeframe": s.window,
            "sort": "average_percent_watched",
            "order": "asc",
        }
        | {"compare": "year", "minimum_watch_seconds": 20, "limit": 10},
        h,
    ),
)
add(
    "find_videos",
    lambda s: {"key": s.key_a, "search": "LAUNCH", "timeframe": s.window, "timezone": "Asia/Kolkata"},
    lambda s, h: s.rest_json(
        "videos",
        {"query": {"key": s.key_a}, "search": "LAUNCH", "timeframe": s.window, "timezone": "Asia/Kolkata"}
        | {"sort": "plays", "limit": 20, "offset": 0},
        h,
    ),
)


async def _overview(s: Site, h: dict[str, str]) -> Any:
    listing = await s.rest_json(
        "videos", {"query": {"key": s.key_a}, "timeframe": s.window, "limit": 5, "compare": "previous"}, h
    )
    live = await s.rest_json("watching", {"query": {"key": s.key_a}}, h)
    return {
        "totals": listing["totals"],
        "top_videos": listing["videos"],
        "watching_now": live["watching"],
        "timezone": listing["timezone"],
        "timeframe": listing["timeframe"],
        "compare": {"timeframe": listing["compare"]["timeframe"], "totals": listing["compare"]["totals"]},
    }


add("overview", lambda s: {"key": s.key_a, "timeframe": s.window, "compare": "previous"}, _overview)


async def _pages(s: Site, h: dict[str, str]) -> Any:
    answer = await s.rest_json(
        "sources", {"query": {"key": s.key_a}, "timeframe": s.window, "interval": "12 months"}, h
    )
    answer["sources"] = _first_per_bucket(answer["sources"], 1)
    return answer


add("top_pages", lambda s: {"key": s.key_a, "timeframe": s.window, "limit": 1}, _pages)
add(
    "video_engagement",
    lambda s: {"key": s.key_a, "identifier": "Launch film", "ranges": 5, "timeframe": s.window},
    lambda s, h: s.rest_json(
        "engagement",
        {"query": {"key": s.key_a}, "identifier": "Launch film", "ranges": 5, "timeframe": s.window},
        h,
    ),
)


async def _breakdowns(s: Site, h: dict[str, str]) -> Any:
    answer = await s.rest_json(
        "plays",
        {"query": {"key": s.key_a}, "timeframe": s.window, "interval": "12 months", "compare": "previous"},
        h,
    )
    return _breakdown(answer)


add("breakdowns", lambda s: {"key": s.key_a, "timeframe": s.window, "compare": "previous"}, _breakdowns)
add(
    "live_viewers",
    lambda s: {"key": s.key_a, "by": "video"},
    lambda s, h: s.rest_json("watching", {"query": {"key": s.key_a}, "by": "video"}, h),
)
add(
    "live_viewers",
    lambda s: {"video": LAUNCH, "by": "page", "timeframe": s.past},
    lambda s, h: s.rest_json("watching", {"query": {"video": LAUNCH}, "by": "page", "timeframe": s.past}, h),
)


@contextlib.asynccontextmanager
async def in_process_client(make: Callable[[Reach], MCPServer[Any]]) -> AsyncIterator[Client]:
    async with Client(make(Reach()), raise_exceptions=True) as client:
        yield client


@pytest.mark.parametrize(("tool", "arguments", "expected"), CASES)
async def test_in_process(
    site: Site,
    in_process: Callable[[Reach], MCPServer[Any]],
    tool: str,
    arguments: Callable[[Site], dict[str, Any]],
    expected: Expected,
) -> None:
    async with in_process_client(in_process) as client:
        answer = structured(await client.call_tool(tool, arguments(site)))
    assert answer == await expected(site, basic())


@pytest.mark.parametrize("mode", ["auto", "legacy"])
@pytest.mark.parametrize("credentials", ["basic", "token"])
async def test_over_http(site: Site, credentials: str, mode: str) -> None:
    """Every case on one connection per credentials and mode; the REST API asked with the same
    credentials (a token reading key A and B, so that the cases about B's video stay equal too)."""
    headers = basic() if credentials == "basic" else bearer(site.token_ab)
    async with site.mcp(headers, mode) as client:
        for tool, arguments, expected in (param.values for param in CASES):
            answer = structured(await client.call_tool(tool, arguments(site)))
            assert answer == await expected(site, headers), tool


async def test_iso_times_are_the_unix_seconds_rest_takes(site: Site, in_process: Callable[..., Any]) -> None:
    iso = {end: datetime.fromtimestamp(site.window[end], UTC).isoformat() for end in ("from", "to")}
    async with Client(in_process(Reach())) as client:
        answer = structured(
            await client.call_tool(
                "plays_over_time", {"key": site.key_a, "timeframe": iso, "interval": "1 hour"}
            )
        )
    rest = await site.rest_json(
        "plays", {"query": {"key": site.key_a}, "timeframe": site.window, "interval": "1 hour"}
    )
    assert answer == rest
    assert answer["views"], "the site's plays are in the window"


async def test_the_numbers_are_the_recorded_ones(site: Site, in_process: Callable[..., Any]) -> None:
    """Not only equal to REST: what was recorded through the websocket, worked out by hand."""
    async with Client(in_process(Reach())) as client:
        videos = structured(
            await client.call_tool("top_videos", {"key": site.key_a, "timeframe": site.window})
        )
        live = structured(await client.call_tool("live_viewers", {"key": site.key_a}))
    launch, teaser = videos["videos"]
    assert (launch["identifier"], launch["plays"], launch["total_view_time"]) == ("Launch film", 3, 185.0)
    assert (teaser["identifier"], teaser["plays"], teaser["total_view_time"]) == ("Teaser", 1, 5.0)
    assert videos["totals"]["plays"] == 4
    assert live["watching"] == 1
