"""`video-metrics mcp` as an assistant runs it: a subprocess speaking MCP on stdin and stdout,
driven by the SDK's own stdio client."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from mcp import Client, StdioServerParameters, stdio_client

from tests.mcp.site import LAUNCH, Site, refusal, structured
from tests.mcp.test_listing import dumped, listed_in_process


@contextlib.asynccontextmanager
async def stdio(database_url: str, folder: Path, *options: str) -> AsyncIterator[Client]:
    command = StdioServerParameters(
        command=sys.executable,
        args=["-m", "app", "mcp", *options],
        env={"DATABASE_URL": database_url, "METRICS_DATA_DIR": str(folder), "METRICS_LOG_LEVEL": "debug"},
    )
    with (folder / "stderr.log").open("w") as errors:
        async with Client(stdio_client(command, errlog=errors)) as client:
            yield client


async def test_over_stdio(site: Site, database_url: str, tmp_path: Path) -> None:
    async with stdio(database_url, tmp_path) as client:
        assert dumped((await client.list_tools()).tools) == dumped(await listed_in_process())
        videos = structured(
            await client.call_tool("top_videos", {"key": site.key_a, "timeframe": site.window})
        )
        engagement = structured(
            await client.call_tool(
                "video_engagement", {"video": LAUNCH, "ranges": 4, "timeframe": site.window}
            )
        )
        bad = refusal(
            await client.call_tool("plays_over_time", {"key": site.key_a, "timeframe": "7 fortnights"})
        )
    assert videos == await site.rest_json(
        "videos", {"query": {"key": site.key_a}, "timeframe": site.window, "limit": 10}
    )
    assert engagement == await site.rest_json(
        "engagement", {"query": {"video": LAUNCH}, "ranges": 4, "timeframe": site.window}
    )
    assert "timeframe: " in bad
    # Logs went to standard error, never into the protocol on standard output.
    assert "event=mcp_stdio_ready database=external reach=every-key" in (tmp_path / "stderr.log").read_text()


async def test_stdio_with_keys(site: Site, database_url: str, tmp_path: Path) -> None:
    """`--key` limits what the command reads, as a token limits a remote assistant."""
    async with stdio(database_url, tmp_path, "--key", site.key_a) as client:
        other = refusal(await client.call_tool("top_videos", {"key": site.key_b}))
        found = structured(
            await client.call_tool("find_videos", {"identifier": "Launch film", "timeframe": site.window})
        )
    assert f"key {site.key_b!r} is outside" in other
    assert [video["plays"] for video in found["videos"]] == [3]
