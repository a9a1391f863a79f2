"""The quality tools (quality_of_experience, error_groups) on the quality site of the REST tests
(tests/api/quality_site.py, recorded through the websocket with quality events): each answer equals
the REST API's for the same parameters, in process and over HTTP, and holds the numbers worked out
by hand there. The plays and engagement tools carry the issue-10 additions too."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from mcp import Client
from mcp.server.mcpserver import MCPServer

from app.api.params import Reach
from app.mcp.definitions import METRICS
from app.mcp.outputs import QoeFigures
from tests.api.quality_site import HLS_GROUP, MEDIA_GROUP, WINDOW, QualitySite
from tests.mcp.site import Site, basic, structured

Make = Callable[[Reach], MCPServer[Any]]

# (tool, its arguments beside the key, the REST endpoint, the same question's REST parameters)
QUESTIONS: list[tuple[str, dict[str, Any], str, dict[str, Any]]] = [
    ("quality_of_experience", {"timeframe": WINDOW}, "qoe", {"timeframe": WINDOW, "interval": "1 day"}),
    (
        "quality_of_experience",
        {"timeframe": WINDOW, "interval": "1 hour", "browser": "chrome", "compare": "previous"},
        "qoe",
        {"timeframe": WINDOW, "interval": "1 hour", "browser": "chrome", "compare": "previous"},
    ),
    (
        "quality_of_experience",
        {"timeframe": WINDOW, "timezone": "America/Los_Angeles", "country": "unknown"},
        "qoe",
        {"timeframe": WINDOW, "interval": "1 day", "timezone": "America/Los_Angeles", "country": "unknown"},
    ),
    ("error_groups", {"timeframe": WINDOW}, "errors", {"timeframe": WINDOW, "limit": 20, "offset": 0}),
    (
        "error_groups",
        {"timeframe": WINDOW, "limit": 1, "offset": 1, "compare": "previous", "device": "desktop"},
        "errors",
        {"timeframe": WINDOW, "limit": 1, "offset": 1, "compare": "previous", "device": "desktop"},
    ),
    (
        "plays_over_time",
        {"timeframe": WINDOW, "minimum_watch_seconds": 0},
        "plays",
        {"timeframe": WINDOW, "interval": "1 day", "minimum_watch_seconds": 0},
    ),
    (
        "video_engagement",
        {"timeframe": WINDOW, "ranges": 4},
        "engagement",
        {"timeframe": WINDOW, "ranges": 4},
    ),
]
IDS = [f"{tool}-{n}" for n, (tool, *_) in enumerate(QUESTIONS)]
LISTS = {"qoe": "qoe", "errors": "errors", "plays": "views", "engagement": "engagement"}


@pytest.mark.parametrize(("tool", "arguments", "endpoint", "params"), QUESTIONS, ids=IDS)
async def test_in_process_equals_rest(
    quality_site: QualitySite,
    in_process: Make,
    tool: str,
    arguments: dict[str, Any],
    endpoint: str,
    params: dict[str, Any],
) -> None:
    async with Client(in_process(Reach()), raise_exceptions=True) as client:
        answer = structured(await client.call_tool(tool, {"key": quality_site.key, **arguments}))
    assert answer == await quality_site.ask(endpoint, **params)
    assert answer[LISTS[endpoint]], "equal, and not only because both are empty"


async def test_over_http_with_credentials(site: Site, quality_site: QualitySite) -> None:
    """The server with credentials reads the same database: every question on one connection,
    REST asked with the same Basic credentials."""
    query = {"query": {"key": quality_site.key}}
    async with site.mcp(basic()) as client:
        for tool, arguments, endpoint, params in QUESTIONS:
            answer = structured(await client.call_tool(tool, {"key": quality_site.key, **arguments}))
            assert answer == await site.rest_json(endpoint, {**query, **params}), tool
            assert answer[LISTS[endpoint]], tool


async def test_the_numbers_are_the_recorded_ones(quality_site: QualitySite, in_process: Make) -> None:
    """Not only equal to REST: the site's views and error groups as worked out by hand."""
    key = quality_site.key
    async with Client(in_process(Reach())) as client:
        qoe = structured(await client.call_tool("quality_of_experience", {"key": key, "timeframe": WINDOW}))
        errors = structured(await client.call_tool("error_groups", {"key": key, "timeframe": WINDOW}))
        first = structured(
            await client.call_tool("error_groups", {"key": key, "timeframe": WINDOW, "limit": 1})
        )
    # Day 1: the views A, B, C and D (D gave up); day 2: E (startup failure) and F (playback).
    day1, day2 = qoe["qoe"]
    assert (day1["sessions"], day1["exits_before_start_percentage"], day1["startup_time_p50"]) == (
        4,
        25.0,
        0.2,
    )
    assert (day2["sessions"], day2["startup_failure_percentage"], day2["playback_failure_percentage"]) == (
        2,
        50.0,
        100.0,
    )
    assert [(g["code"], g["message"], g["sessions"]) for g in errors["errors"]] == [
        (*HLS_GROUP, 2),
        (*MEDIA_GROUP, 1),
    ]
    assert errors["totals"] == {"groups": 2, "sessions": 3} and errors["next_offset"] is None
    assert len(first["errors"]) == 1 and first["next_offset"] == 1


async def test_every_quality_figure_is_defined() -> None:
    """describe_metrics explains every figure the quality tool answers."""
    names = " ".join(metric["name"] for metric in METRICS)
    for figure in QoeFigures.__annotations__:
        assert figure in names, figure
    for figure in ("play_rate", "completion_rate", "retention", "country", "impressions", "error groups"):
        assert figure in names, figure
