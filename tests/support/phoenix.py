"""A Phoenix Channels V2 client on a real websocket, sending frames as the browser client does."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from websockets.asyncio.client import ClientConnection, connect


def topic(n: int) -> str:
    """A valid topic per number, for tests that open many sessions."""
    return f"session:{n:021d}"


CHROME_LINUX = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
)


class PhoenixSocket:
    """Sends raw frames and reads replies; refs count up per socket as the JS client's do."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self._ref = 2  # the JS client spends refs 1 and 2 on its own bookkeeping

    @classmethod
    async def open(cls, url: str, user_agent: str = CHROME_LINUX) -> PhoenixSocket:
        ws = await connect(url, user_agent_header=user_agent, compression=None, open_timeout=5)
        return cls(ws)

    def next_ref(self) -> str:
        self._ref += 1
        return str(self._ref)

    async def send_raw(self, text: str | bytes) -> None:
        await self.ws.send(text)

    async def send(self, frame: list[Any]) -> None:
        await self.ws.send(json.dumps(frame))

    async def recv(self, timeout: float = 5.0) -> list[Any]:
        text = await asyncio.wait_for(self.ws.recv(), timeout)
        frame: list[Any] = json.loads(text)
        return frame

    async def call(self, frame: list[Any], timeout: float = 5.0) -> list[Any]:
        """Send a frame and return the reply that carries its ref."""
        await self.send(frame)
        while True:
            reply = await self.recv(timeout)
            if reply[3] == "phx_reply" and reply[1] == frame[1]:
                return reply

    async def join(self, topic: str, key: str, metadata: Any = None, **extra: Any) -> tuple[str, list[Any]]:
        ref = self.next_ref()
        payload = {"key": key, **extra}
        if metadata is not None:
            payload["metadata"] = metadata
        reply = await self.call([ref, ref, topic, "phx_join", payload])
        return ref, reply

    async def answer(self, frame: list[Any], timeout: float = 5.0) -> list[Any] | None:
        """Send a frame and a heartbeat after it: the reply that carries the frame's ref if one
        came before the heartbeat's (frames are handled in order), else None. For pushes, which
        the server answers only when it refuses them."""
        await self.send(frame)
        beat = self.next_ref()
        await self.send([None, beat, "phoenix", "heartbeat", {}])
        answer = None
        while True:
            reply = await self.recv(timeout)
            if reply[3] != "phx_reply":
                continue
            if reply[1] == beat and reply[2] == "phoenix":
                return answer
            if reply[1] == frame[1]:
                answer = reply

    async def push(self, join_ref: str, topic: str, payload: dict[str, Any]) -> list[Any]:
        """Push an event; its refusal if the server refused it, else an ok reply standing for the
        silence with which it accepts a push."""
        ref = self.next_ref()
        refusal = await self.answer([join_ref, ref, topic, "event", payload])
        return refusal or [join_ref, ref, topic, "phx_reply", {"status": "ok", "response": {}}]

    async def heartbeat(self) -> list[Any]:
        ref = self.next_ref()
        return await self.call([None, ref, "phoenix", "heartbeat", {}])

    async def close(self) -> None:
        await self.ws.close()


def ok(frame: list[Any]) -> bool:
    return bool(frame[3] == "phx_reply" and frame[4] == {"status": "ok", "response": {}})


def error_reason(frame: list[Any]) -> str | None:
    if frame[3] == "phx_reply" and frame[4].get("status") == "error":
        reason: str = frame[4]["response"]["reason"]
        return reason
    return None
