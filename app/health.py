"""Health endpoints: /healthz says the process answers, /readyz that the database and schema are."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse

from app.db.migrate import pending


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    pool = request.app.state.pool
    try:
        async with asyncio.timeout(2.0), pool.acquire() as connection:
            missing = await pending(connection)
    except Exception as error:
        return JSONResponse({"status": "unavailable", "error": f"database not reachable: {error}"}, 503)
    if missing:
        return JSONResponse(
            {"status": "unavailable", "error": f"schema not current, pending: {missing}"}, 503
        )
    # A standby behind or away does not make the server unready: reads fall back to the primary.
    return JSONResponse({"status": "ok", **request.app.state.reads.state.as_json()})
