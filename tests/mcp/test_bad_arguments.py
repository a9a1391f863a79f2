"""Bad arguments give a clear tool error naming what was wrong, never a crash: hand-picked ones,
and arguments hypothesis generates for every tool; and whatever is asked with a reach of key A,
nothing of key B comes back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import Client
from mcp.server.mcpserver import MCPServer

from app.api.params import Reach
from tests.mcp.site import LAUNCH, Site, refusal, structured
from tests.mcp.test_listing import TOOLS

Make = Callable[[Reach], MCPServer[Any]]

ARGUMENTS = sorted(
    {
        "key", "video", "identifier", "timeframe", "timezone", "interval", "compare", "minimum_watch_seconds",
        "page", "browser", "device", "platform", "sort", "order", "limit", "offset", "search", "ranges", "by",
        "name", "query", "format", "country",
    }
)  # fmt: skip

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(
        [
            "7 days", "-1 days", "0 hours", "999999999 years", "today", "1 fortnight", "Europe/Berlin",
            "Mars/Olympus", "\x00", "\ud800", "previous", "video", "plays", "12 months", "1 hour", "chrome",
            "2024-05-01T00:00:00", "2024-05-01T00:00:00Z", "1e400", " 3 ", "",
        ]
    ),
)  # fmt: skip
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["from", "to", "id", "video", "key", "\x00"]), inner, max_size=3),
    ),
    max_leaves=6,
)
calls = st.tuples(
    st.sampled_from(sorted(TOOLS)),
    st.dictionaries(st.one_of(st.sampled_from(ARGUMENTS), st.text(max_size=12)), values, max_size=5),
)


# One argument wrong at a time, the others right, so that the calls reach the database too.
near_calls = st.tuples(st.sampled_from(sorted(TOOLS)), st.sampled_from(ARGUMENTS), values)


async def answered_or_refused(make: Make, tool: str, arguments: dict[str, Any]) -> None:
    async with Client(make(Reach()), raise_exceptions=True) as client:
        result = await client.call_tool(tool, arguments)
    if result.is_error:
        refusal(result)
    else:
        structured(result)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(call=calls)
async def test_generated_arguments_never_crash(
    site: Site, in_process: Make, call: tuple[str, dict[str, Any]]
) -> None:
    await answered_or_refused(in_process, *call)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(call=near_calls)
async def test_one_generated_argument_among_right_ones(
    site: Site, in_process: Make, call: tuple[str, str, Any]
) -> None:
    tool, name, value = call
    arguments = {"key": site.key_a, "timeframe": site.window, name: value}
    if tool == "describe_metrics":
        arguments = {name: value}
    await answered_or_refused(in_process, tool, arguments)


@pytest.mark.parametrize(
    ("tool", "arguments", "says"),
    [
        ("top_videos", {"key": "k", "limit": 0}, "limit: 0 is not from 1 to 1000"),
        ("top_videos", {"key": "k", "limit": "many"}, "limit"),
        ("top_pages", {"key": "k", "limit": 1001}, "limit: 1001 is not from 1 to 1000"),
        ("plays_over_time", {"key": "k", "interval": "1 minute"}, "interval"),
        ("plays_over_time", {"key": "k", "timeframe": "7 fortnights"}, "timeframe: "),
        (
            "plays_over_time",
            {"key": "k", "timeframe": {"from": 10, "to": 5}},
            "timeframe: from is later than to",
        ),
        ("plays_over_time", {"key": "k", "timeframe": {"from": "2024-05-01T00:00:00", "to": 5}}, "timeframe"),
        ("overview", {"key": "k", "timezone": "Mars/Olympus"}, "timezone: "),
        ("video_engagement", {"key": "k", "ranges": 0}, "ranges: 0 is not from 1 to 1000"),
        ("breakdowns", {"key": "k", "minimum_watch_seconds": -1}, "minimum_watch_seconds"),
        ("find_videos", {"key": "not a key!"}, "key/video: key must be an API key"),
        ("find_videos", {"video": "not an object"}, "video"),
        ("find_videos", {"identifier": "\x00"}, "identifier: holds a NUL character"),
        ("top_videos", {"timeframe": "7 days"}, "key/video/identifier: name the videos"),
        ("top_videos", {"key": "k", "time_frame": "7 days"}, "time_frame\n  Extra inputs are not permitted"),
        ("live_viewers", {"by": "country"}, "by"),
        ("error_groups", {"key": "k", "limit": 0}, "limit: 0 is not from 1 to 1000"),
        ("error_groups", {"key": "k", "limit": 1001}, "limit: 1001 is not from 1 to 1000"),
        ("error_groups", {"key": "k", "offset": -1}, "offset: -1 is not from 0 to 1000000"),
        ("error_groups", {"key": "k", "offset": 1_000_001}, "offset: 1000001 is not from 0 to 1000000"),
        ("quality_of_experience", {"key": "k", "country": "Germany"}, "country: must be a two-letter"),
        ("quality_of_experience", {"key": "k", "interval": "1 minute"}, "interval"),
        ("quality_of_experience", {"timeframe": "7 days"}, "key/video/identifier: name the videos"),
        (
            "quality_of_experience",
            {"key": "k", "minimum_watch_seconds": 1},
            "minimum_watch_seconds\n  Extra inputs are not permitted",
        ),
        ("nonexistent_tool", {}, "Unknown tool"),
    ],
)
async def test_hand_picked_bad_arguments(
    site: Site, in_process: Make, tool: str, arguments: dict[str, Any], says: str
) -> None:
    async with Client(in_process(Reach()), raise_exceptions=True) as client:
        result = await client.call_tool(tool, arguments)
    assert says in refusal(result)


scope_arguments = st.fixed_dictionaries(
    {},
    optional={
        "key": st.sampled_from(["KEY_A", "KEY_B"]),
        "video": st.sampled_from([LAUNCH, {}, {"id": "teaser"}]),
        "identifier": st.sampled_from(["Launch film", "Teaser"]),
    },
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    tool=st.sampled_from(["find_videos", "top_videos", "overview", "video_engagement"]), scope=scope_arguments
)
async def test_a_reach_of_key_a_never_answers_with_key_b(
    site: Site, in_process: Make, tool: str, scope: dict[str, Any]
) -> None:
    """Key B's one video has the launch film's label and metadata, 120 s long where A's is 100 s:
    no answer to a reader of key A holds its length or its play."""
    arguments = dict(scope)
    if "key" in scope:
        arguments["key"] = site.key_a if scope["key"] == "KEY_A" else site.key_b
    async with Client(in_process(Reach(frozenset({site.key_a})))) as client:
        result = await client.call_tool(tool, {**arguments, "timeframe": site.window})
    if scope.get("key") == "KEY_B":
        assert "outside this token's scope" in refusal(result)
        return
    if result.is_error:  # no videos named at all
        assert "name the videos" in refusal(result)
        return
    answer = structured(result)
    listed = answer.get("videos", answer.get("top_videos", []))
    assert all(video["duration"] in (100.0, 30.0) for video in listed)
    assert all(part["range_time"]["to"] <= 100.0 for part in answer.get("engagement", []))
