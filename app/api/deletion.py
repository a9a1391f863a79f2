"""DELETE /api/v1/sessions: delete a scope's sessions and everything derived from them, or with
`dry_run=true` say how many would go."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.data.deletion import InProcess, delete
from app.data.params import parse_deletion


async def answer(request: Request, raw: Mapping[str, Any]) -> Response:
    params = parse_deletion(raw)
    state = request.app.state
    ingest = getattr(state, "ingest", None)
    async with state.pool.acquire() as connection:
        result = await delete(
            connection,
            params,
            waiting=None if ingest is None else InProcess(ingest.hub, ingest.writer),
            copies=getattr(state, "sinks", None),
        )
    return JSONResponse(
        {
            "dry_run": result.dry_run,
            "sessions": result.sessions,
            "videos": result.videos,
            "waiting": result.waiting,
            "key_revoked": result.key_revoked,
        }
    )
