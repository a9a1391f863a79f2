"""Every tool is listed with its input and output schema and documented for a model; the listing
is the same in process, over HTTP and over stdio (tests/mcp/test_stdio.py)."""

from __future__ import annotations

from typing import Any, get_args
from zoneinfo import ZoneInfo

import jsonschema
from mcp import Client
from mcp_types import Tool

from app.api.categories import BROWSERS, DEVICES, PLATFORMS
from app.api.params import EVERY_KEY, Compare, Sort
from app.mcp import arguments
from app.mcp.questions import Questions
from app.mcp.server import build_server
from tests.mcp.site import Site, basic, bearer

TOOLS = {
    "find_videos",
    "overview",
    "plays_over_time",
    "top_videos",
    "top_pages",
    "video_engagement",
    "breakdowns",
    "live_viewers",
    "quality_of_experience",
    "error_groups",
    "describe_metrics",
}


async def listed_in_process() -> list[Tool]:
    async with Client(build_server(Questions(ZoneInfo("UTC"), EVERY_KEY))) as client:
        return (await client.list_tools()).tools


def dumped(tools: list[Tool]) -> dict[str, Any]:
    return {tool.name: tool.model_dump(mode="json", exclude={"meta"}) for tool in tools}


async def test_every_tool_is_listed_with_its_schemas() -> None:
    tools = await listed_in_process()
    assert {tool.name for tool in tools} == TOOLS
    for tool in tools:
        for schema in (tool.input_schema, tool.output_schema):
            assert schema is not None and schema["type"] == "object", tool.name
            jsonschema.Draft202012Validator.check_schema(schema)
        # A misspelt argument is refused, not ignored, and the schema says so.
        assert tool.input_schema["additionalProperties"] is False, tool.name
        assert tool.title and tool.annotations is not None
        assert tool.annotations.read_only_hint is True and tool.annotations.destructive_hint is False
        # Documented for a model: what it answers, when to use it, its arguments, an example.
        assert tool.description is not None and "Use it" in tool.description, tool.name
        assert "Example: {" in tool.description, tool.name
        for name, argument in tool.input_schema["properties"].items():
            assert argument.get("description"), (tool.name, name)


async def test_the_examples_are_valid_calls() -> None:
    """Each tool's documented example satisfies its own input schema."""
    import json

    for tool in await listed_in_process():
        assert tool.description is not None
        example = json.loads(tool.description.split("Example: ", 1)[1].strip())
        jsonschema.validate(example, tool.input_schema)


async def test_fixed_choices_are_the_apis() -> None:
    assert get_args(get_args(get_args(arguments.Browser)[0])[0]) == BROWSERS
    assert get_args(get_args(get_args(arguments.Device)[0])[0]) == DEVICES
    assert get_args(get_args(get_args(arguments.Platform)[0])[0]) == PLATFORMS
    assert get_args(get_args(arguments.Sort)[0]) == tuple(sort.value for sort in Sort)
    assert get_args(get_args(get_args(arguments.Compare)[0])[0]) == tuple(c.value for c in Compare)


async def test_the_listing_is_the_same_over_http(site: Site) -> None:
    expected = dumped(await listed_in_process())
    for headers in (basic(), bearer(site.token_a)):
        async with site.mcp(headers) as client:
            assert dumped((await client.list_tools()).tools) == expected
