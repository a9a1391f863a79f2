"""The websocket endpoint at /socket/websocket: admission, the receive loop, the idle timeout."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from starlette.types import Scope
from starlette.websockets import WebSocket, WebSocketDisconnect

from app import telemetry
from app.ingest.channels import Connection
from app.ingest.idle import ended_by
from app.ingest.join import Page
from app.ingest.service import Ingest
from app.ingest.useragent import classify

log = logging.getLogger("video_metrics.ingest")

# WebSocket close codes. Phoenix clients do not reconnect after 1000, so an idle close uses 1001
# ("going away"): a client that was only throttled (a background tab) reconnects and rejoins.
_GOING_AWAY = 1001
_POLICY = 1008


async def socket_endpoint(websocket: WebSocket) -> None:
    """Admit the socket, then answer its frames until it goes away or falls silent.

    The receive loop is written here rather than in a function of its own: this coroutine lives
    as long as its socket, and a second one called from it stayed alive with every socket too
    (about 0.3 KiB each). A silent socket is closed by the process's idle sweeper
    (app/ingest/idle.py), which cancels this loop."""
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
            client=classify(user_agent(websocket.scope)),
            # Looked up once and forgotten: only the country goes on (app/ingest/country.py).
            country=ingest.countries.of(websocket.client.host if websocket.client else None),
            page=Page.parse(source_url),
            keys=ingest.keys,
            resumption=ingest.resumption,
            hub=ingest.hub,
            limits=ingest.limits,
            clock=time.time,
        )
        watch = ingest.idle.watch()
        try:
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    break
                watch.heard = True
                data = message.get("text")
                if data is None:
                    data = message.get("bytes") or b""
                out = connection.receive(data)
                if not isinstance(out, list):  # a join: it asks the database
                    out = await out
                for frame in out:
                    await websocket.send_text(frame)
        except asyncio.CancelledError:
            if not ended_by(watch):
                raise
            log.info("event=socket_idle_closed sessions=%d", connection.sessions)
            await _close_quietly(websocket, _GOING_AWAY, "idle timeout")
        except (WebSocketDisconnect, OSError, RuntimeError):
            pass  # the peer went away while we were answering; its sessions end below
        finally:
            ingest.idle.forget(watch)
            connection.close()
            telemetry.OPEN_SOCKETS.dec()
    finally:
        ingest.release(address)


def user_agent(scope: Scope) -> str | None:
    """The User-Agent header, read from the scope without `websocket.headers`, which keeps a copy
    of the header list in the scope for the socket's whole life."""
    for name, value in scope["headers"]:
        if name == b"user-agent":
            text: str = value.decode("latin-1")
            return text
    return None


async def _close_quietly(websocket: WebSocket, code: int, reason: str) -> None:
    with contextlib.suppress(WebSocketDisconnect, OSError, RuntimeError):
        await websocket.close(code=code, reason=reason)
