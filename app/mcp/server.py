"""The MCP server: the tools, and what a model is told about them when it connects."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from mcp.server.mcpserver import MCPServer

from app import __version__
from app.mcp.questions import Questions
from app.mcp.tools import tools

NAME = "video-metrics"

INSTRUCTIONS = """\
How the videos of a site are watched, from a self-hosted, privacy-first analytics server: plays,
view time, how far into each video people watch, the pages and browsers they watch on, and who is
watching now. Nothing identifies a person: every number counts sessions (one video in one page
load), never people.

Start with `overview` for a site (its API `key`) or a video, then narrow down: `find_videos` to
learn a video's `identifier` and `metadata`, `top_videos` and `top_pages` for rankings,
`plays_over_time` for trends, `video_engagement` for retention and drop-off inside a video,
`breakdowns` for browsers and devices, `live_viewers` for now. `describe_metrics` defines every
number. Times are UTC in answers; `timezone` sets where days begin. Answers are the server's REST
API's, number for number.
"""

Lifespan = Callable[[MCPServer[Any]], AbstractAsyncContextManager[Any]]


def build_server(questions: Questions, lifespan: Lifespan | None = None) -> MCPServer[Any]:
    return MCPServer(
        NAME,
        title="video-metrics",
        description="Video analytics without tracking: plays, engagement, pages, live viewers.",
        instructions=INSTRUCTIONS,
        version=__version__,
        tools=tools(questions),
        lifespan=lifespan,
    )
