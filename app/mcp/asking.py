"""The REST parameters a tool's arguments stand for: the videos asked about, the timeframe, and
whichever optional arguments were given. Shared by every tool module (app/mcp/tools.py,
app/mcp/quality.py), so that a scope or a limit is checked the same way by all of them."""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver.exceptions import ToolError

from app.api.params import MAX_LIMIT, ParamError
from app.api.params.values import whole
from app.mcp import arguments as a


def videos(key: str | None, video: dict[str, Any] | None, identifier: str | None) -> dict[str, Any]:
    """The videos asked about, which every tool but live_viewers needs."""
    raw = a.scope(key, video, identifier)
    if not raw:
        raise ToolError(
            "key/video/identifier: name the videos: a key (all of its videos), video (metadata they "
            "contain) or identifier (a label); find_videos lists them"
        )
    return raw


def asked(
    key: str | None,
    video: dict[str, Any] | None,
    identifier: str | None,
    timeframe: str | a.Between,
    **optional: Any,
) -> dict[str, Any]:
    """The REST parameters of a question about some videos in a timeframe, and what else was given."""
    return {**videos(key, video, identifier), "timeframe": a.timeframe(timeframe), **a.given(**optional)}


def series(
    key: str | None,
    video: dict[str, Any] | None,
    identifier: str | None,
    timeframe: str | a.Between,
    interval: str,
    timezone: str | None,
    compare: str | None,
    minimum_watch_seconds: float | None = None,
) -> dict[str, Any]:
    """The parameters of a question answered per time bucket."""
    optional = {"timezone": timezone, "compare": compare, "minimum_watch_seconds": minimum_watch_seconds}
    return asked(key, video, identifier, timeframe, interval=interval, **optional)


def limit(value: int) -> int:
    """A `limit` a tool applies itself (rows per bucket), checked as the REST API checks its own."""
    try:
        return whole(value, "limit", 1, MAX_LIMIT)
    except ParamError as problem:
        raise ToolError(str(problem)) from None
