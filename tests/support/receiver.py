"""A webhook receiver on a loopback port, as a site owner would run one: it checks each request's
signature and timestamp, keeps the sessions, and answers as the test tells it to.

A small HTTP/1.1 server on asyncio streams (keep-alive, Content-Length bodies), so that a test
can take it down and bring it back on the same port, or let it hang, at will.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

from tests.support.server import free_port

REPLAY_WINDOW = 300  # seconds: older or newer timestamps are refused as a receiver should


class Receiver:
    def __init__(self, secret: str) -> None:
        self.secret = secret.encode()
        self.port = free_port()
        self.bodies: list[dict[str, Any]] = []  # every batch taken, in order
        self.refused: list[dict[str, Any]] = []  # batches answered 400
        self.bad_signatures = 0
        self.refuse: Callable[[dict[str, Any]], bool] = lambda body: False
        self.hang = False
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/video-metrics"

    @property
    def sessions(self) -> list[dict[str, Any]]:
        return [session for body in self.bodies for session in body["sessions"]]

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port, reuse_address=True)

    async def stop(self) -> None:
        """Down: new connections refused, open ones cut."""
        if self._server is not None:
            self._server.close()
            for link in list(self._links):
                link.transport.abort()
            await self._server.wait_closed()
            self._server = None

    async def until_sessions(self, count: int, within: float = 60.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + within
        while len(self.sessions) < count:
            assert time.monotonic() < deadline, f"{len(self.sessions)} sessions received, not {count}"
            await asyncio.sleep(0.05)
        return self.sessions

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._links.add(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                headers = {
                    name.lower(): value.strip()
                    for name, _, value in (line.partition(":") for line in lines[1:])
                }
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                if self.hang:
                    await asyncio.Event().wait()  # never answers
                status = self._answer(lines[0], headers, body)
                text = {200: b"ok", 400: b"a session in this batch is not acceptable", 401: b"bad signature"}[
                    status
                ]
                writer.write(f"HTTP/1.1 {status} X\r\nContent-Length: {len(text)}\r\n\r\n".encode() + text)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            self._links.discard(writer)
            with contextlib.suppress(Exception):
                writer.close()

    def _answer(self, request_line: str, headers: dict[str, str], body: bytes) -> int:
        expected = "sha256=" + hmac.new(self.secret, body, hashlib.sha256).hexdigest()
        signed = hmac.compare_digest(headers.get("x-video-metrics-signature", ""), expected)
        parsed = json.loads(body)
        if (
            not request_line.startswith("POST ")
            or not signed
            or abs(time.time() - parsed["timestamp"]) > REPLAY_WINDOW
        ):
            self.bad_signatures += 1
            return 401
        if self.refuse(parsed):
            self.refused.append(parsed)
            return 400
        self.bodies.append(parsed)
        return 200
