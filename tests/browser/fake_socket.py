"""A logging Phoenix endpoint for the snippet's own tests: records every frame and every upgrade,
answers as the real server does, and can be told to refuse upgrades or joins, stay silent on
heartbeats, or drop every socket. It checks the snippet's side of the protocol frame by frame.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.http11 import Request, Response

Frame = list[Any]


class FakeSocketServer:
    def __init__(self) -> None:
        self.frames: list[tuple[int, Frame]] = []  # (connection number, frame), in arrival order
        self.upgrades: list[tuple[float, str]] = []  # (monotonic time, request path), refused too
        self.connections: list[ServerConnection] = []
        self.closes: list[int | None] = []  # close code the client sent, per ended connection
        self.refuse_upgrades = False
        self.join_error: str | None = None
        self.answer_heartbeats = True
        self._server: Server | None = None
        self._changed = asyncio.Event()

    @property
    def port(self) -> int:
        assert self._server is not None
        port: int = next(iter(self._server.sockets)).getsockname()[1]
        return port

    @property
    def socket_path(self) -> str:
        return f"ws://127.0.0.1:{self.port}/socket"

    async def start(self) -> FakeSocketServer:
        self._server = await serve(
            self._handle, "127.0.0.1", 0, process_request=self._upgrade, compression=None
        )
        return self

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def drop_all(self, code: int = 1012) -> None:
        for connection in list(self.connections):
            await connection.close(code, "going away")

    def events(self) -> list[dict[str, Any]]:
        """The play and pause events: what the watched segments are made of."""
        return [e for e in self.all_events() if e.get("name") in ("play", "pause")]

    def all_events(self) -> list[dict[str, Any]]:
        """Every `event` push, the quality events (impression, playback, ...) included."""
        return [frame[4] for _, frame in self.frames if frame[3] == "event"]

    def of(self, event: str) -> list[Frame]:
        return [frame for _, frame in self.frames if frame[3] == event]

    def query(self, number: int = 0) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.upgrades[number][1]).query)

    async def wait_for(
        self, condition: Callable[[], Any], within: float = 10.0, what: str = "condition"
    ) -> Any:
        deadline = time.monotonic() + within
        while True:
            value = condition()
            if value:
                return value
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                frames = "\n".join(json.dumps(frame) for _, frame in self.frames)
                raise AssertionError(f"timed out waiting for {what}; frames so far:\n{frames}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.2))

    async def wait_event(self, name: str, count: int = 1, within: float = 10.0) -> dict[str, Any]:
        def found() -> Any:
            matching = [e for e in self.all_events() if e.get("name") == name]
            return matching[count - 1] if len(matching) >= count else None

        event: dict[str, Any] = await self.wait_for(found, within, f"{name} event #{count}")
        return event

    def _upgrade(self, connection: ServerConnection, request: Request) -> Response | None:
        self.upgrades.append((time.monotonic(), request.path))
        self._changed.set()
        if self.refuse_upgrades:
            return connection.respond(HTTPStatus.FORBIDDEN, "refused by the test\n")
        return None

    async def _handle(self, connection: ServerConnection) -> None:
        number = len(self.connections)
        self.connections.append(connection)
        try:
            async for message in connection:
                frame = json.loads(message)
                self.frames.append((number, frame))
                self._changed.set()
                for answer in self._answers(frame):
                    await connection.send(json.dumps(answer))
        except Exception:  # the browser went away mid-frame: what arrived is recorded
            pass
        finally:
            self.closes.append(connection.close_code)
            self.connections.remove(connection)
            self._changed.set()

    def _answers(self, frame: Frame) -> list[Frame]:
        join_ref, ref, topic, event, _ = frame
        if event == "heartbeat":
            return [_reply(None, ref, topic, "ok")] if self.answer_heartbeats else []
        if event == "phx_join" and self.join_error:
            return [_reply(join_ref, ref, topic, "error", {"reason": self.join_error})]
        if event == "phx_leave":
            return [_reply(join_ref, ref, topic, "ok"), [join_ref, join_ref, topic, "phx_close", {}]]
        return [_reply(join_ref, ref, topic, "ok")]


def _reply(join_ref: Any, ref: Any, topic: str, status: str, response: Any = None) -> Frame:
    return [join_ref, ref, topic, "phx_reply", {"status": status, "response": response or {}}]
