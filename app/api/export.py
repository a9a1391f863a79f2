"""GET|POST /api/v1/export: the stored sessions of a scope as CSV or JSON Lines, streamed."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import asyncpg
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from app.api.bearer import reach_of
from app.data import export
from app.data.params import parse_export
from app.data.scope import resolve


async def answer(request: Request, raw: Mapping[str, Any]) -> Response:
    """Everything a client can get wrong is checked before the first byte is sent: once the
    stream has begun, the status is 200 and a failure can only cut it short."""
    params = parse_export(raw, reach_of(request))
    # Stored sessions: the standby while it serves reads (app/db/reads.py), else the primary.
    pool: asyncpg.Pool = request.app.state.reads.pool()
    async with pool.acquire() as connection:
        resolved = await resolve(connection, params.videos)
    now = datetime.now(UTC)
    name = f"video-metrics-sessions-{now:%Y%m%d-%H%M%S}.{export.SUFFIXES[params.format]}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    media_type = export.MEDIA_TYPES[params.format]
    if request.method == "HEAD":  # the headers only: no COPY for a body nobody reads
        return Response(media_type=media_type, headers=headers)
    return StreamingResponse(
        export.stream(pool, params, resolved, now), media_type=media_type, headers=headers
    )
