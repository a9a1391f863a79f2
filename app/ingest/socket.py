"""The websocket endpoint at /socket/websocket: admission, the receive loop, the idle timeout."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from starlette.websockets import WebSocket, WebSocketDisconnect

from app import telemetry
from app.ingest.channels import Connection
from app.ingest.join import Page
from app.ingest.service import Ingest
from app.ingest.useragent import classify

log = logging.getLogger("video_metrics.ingest")

# WebSocket close codes. Phoenix clients do not reconnect after 1000, so an idle close uses 1001
# ("going away"): a client that was only throttled (a background tab) reconnects and rejoins.
_GOING_AWAY = 1001
_POLICY = 1008


async def socket_endpoint(websocket: WebSocket) -> None:
    ingest: Ingest = websocket.app.state.ingest
    source_url = websocket.query_params.get("source_url")
    if not source_url:
        # Closing before accepting answers the upgrade with HTTP 403, as the reference server did.
        await websocket.close(code=_POLICY, reason="source_url is required")
        return
    address = websocket.client.host if websocket.client else "unknown"
    if not ingest.admit(address):
        await websocket.accept()
        limit = ingest.settings.max_sockets_per_address
        await websocket.close(code=_POLICY, reason=f"too many sockets from this address ({limit})")
        return
    try:
        await websocket.accept()
        telemetry.OPEN_SOCKETS.inc()
        connection = Connection(
            client=classify(websocket.headers.get("user-agent")),
            # Looked up once and forgotten: only the country goes on (app/ingest/country.py).
            country=ingest.countries.of(websocket.client.host if websocket.client else None),
            page=Page.parse(source_url),
            keys=ingest.keys,
            resumption=ingest.resumption,
            hub=ingest.hub,
            limits=ingest.limits,
            clock=time.time,
        )
        try:
            await _serve(websocket, connection, ingest.settings.idle_timeout)
        finally:
            connection.close()
            telemetry.OPEN_SOCKETS.dec()
    finally:
        ingest.release(address)


# The idle deadline is pushed back at most this often: moving a timer on every frame cost about
# a fifth of the server's CPU (a new timer handle per frame, and the garbage it leaves). A socket
# therefore closes between idle_timeout and idle_timeout + this many seconds of silence.
_IDLE_SLACK = 1.0


async def _serve(websocket: WebSocket, connection: Connection, idle_timeout: float) -> None:
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(idle_timeout) as idle:
            pushed = loop.time()
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    return
                now = loop.time()
                if now - pushed >= _IDLE_SLACK:
                    idle.reschedule(now + idle_timeout + _IDLE_SLACK)
                    pushed = now
                data = message.get("text")
                if data is None:
                    data = message.get("bytes") or b""
                out = connection.receive(data)
                if not isinstance(out, list):  # a join: it asks the database
                    out = await out
                for frame in out:
                    await websocket.send_text(frame)
    except TimeoutError:
        log.info("event=socket_idle_closed sessions=%d", connection.sessions)
        await _close_quietly(websocket, _GOING_AWAY, "idle timeout")
    except (WebSocketDisconnect, OSError, RuntimeError):
        # The peer went away while we were answering; its sessions end in the caller.
        return


async def _close_quietly(websocket: WebSocket, code: int, reason: str) -> None:
    with contextlib.suppress(WebSocketDisconnect, OSError, RuntimeError):
        await websocket.close(code=code, reason=reason)
