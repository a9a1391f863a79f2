"""The ceiling for the ingest benchmark: the real server's stack with nothing behind the socket.

Starlette and uvicorn with the same websocket and process settings as `video-metrics serve`
(`app.runtime`: websockets-sansio, per-message deflate off, 1 MiB frames, default keepalive pings,
the same garbage-collector tuning), the same `receive()` / `send_text()` loop and the same JSON
library (orjson), and per frame only what no server can skip: decode the JSON, and answer what
the protocol needs answered (joins and heartbeats ok; a leave ok and its `phx_close`; pushes,
which the reference server does not answer, nothing). The real server cannot beat it, so
its rate divided by this one's is the share of the stack's capacity that ingest leaves.

    python -m benchmarks.ceiling_server --port 3001
"""

from __future__ import annotations

import argparse

import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from app.runtime import UVICORN_PROTOCOLS, tune_garbage_collector

_OK = {"status": "ok", "response": {}}


def _encode(join_ref: object, ref: object, topic: object, event: str, payload: object) -> str:
    return orjson.dumps([join_ref, ref, topic, event, payload]).decode()


async def socket_endpoint(websocket: WebSocket) -> None:
    if not websocket.query_params.get("source_url"):
        await websocket.close(code=1008)
        return
    await websocket.accept()
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            try:
                frame = orjson.loads(message.get("text") or message.get("bytes") or b"")
            except orjson.JSONDecodeError:
                continue
            if not isinstance(frame, list) or len(frame) != 5:
                continue
            join_ref, ref, topic, event, _ = frame
            if event == "event":
                continue  # pushes are not answered (the reference server does not answer them)
            await websocket.send_text(_encode(join_ref, ref, topic, "phx_reply", _OK))
            if event == "phx_leave":
                await websocket.send_text(_encode(join_ref, join_ref, topic, "phx_close", {}))
    except (WebSocketDisconnect, OSError, RuntimeError):
        return


async def healthz(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


app = Starlette(routes=[WebSocketRoute("/socket/websocket", socket_endpoint), Route("/readyz", healthz)])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3001)
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    # The same websocket and process settings as `video-metrics serve`, so only the app differs.
    tune_garbage_collector()
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        **UVICORN_PROTOCOLS,
        lifespan="off",
        log_level=args.log_level,
        access_log=False,
    )


if __name__ == "__main__":
    main()
