"""uvicorn's HTTP/1.1 protocol (h11) with two protections it lacks: a deadline for the request head,
and a JSON answer when a request head is refused.

Without a deadline, a client that opens a connection and sends half a request (a stalled
websocket upgrade, a slowloris) holds a file descriptor for ever, and a process may hold only so
many. uvicorn times out idle keep-alive connections, but not the first request's head.

uvicorn answers a request head it cannot parse (over h11's 16 KiB limit, or malformed) with a
plain-text 400 before the app sees it; this answers the same status with `{"error": ...}`, as
every other refusal of this server is shaped.
"""

from __future__ import annotations

import asyncio

import h11
import orjson
from uvicorn.protocols.http.h11_impl import H11Protocol

# The request head (request line and headers) is at most this many bytes: h11's own default.
MAX_HEAD_BYTES = 16 * 1024


class DeadlineH11Protocol(H11Protocol):
    """H11Protocol that closes a connection whose first request head is not complete in time.

    uvicorn imports it by name (`http="app.http_protocol:DeadlineH11Protocol"`), also in each
    worker process; the deadline is set per process by `set_head_timeout` when the app is made."""

    head_timeout: float = 10.0
    _head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_deadline = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_deadline()
        super().connection_lost(exc)

    def handle_websocket_upgrade(self, event: h11.Request) -> None:
        # The head is complete; the websocket protocol takes the connection from here.
        self._cancel_head_deadline()
        super().handle_websocket_upgrade(event)

    def _head_timed_out(self) -> None:
        self._head_deadline = None
        # A first request under way (self.cycle) is the app's business, and afterwards uvicorn's
        # keep-alive timeout applies; only a head that never completed is cut off here.
        if self.cycle is None and not self.transport.is_closing():
            self.transport.close()

    def _cancel_head_deadline(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def send_400_response(self, msg: str) -> None:
        status, reason, message = _refusal(self.conn.trailing_data[0])
        body = orjson.dumps({"error": message, "parameter": "request"})
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        for event in (
            h11.Response(status_code=status, headers=headers, reason=reason),
            h11.Data(data=body),
            h11.EndOfMessage(),
        ):
            self.transport.write(self.conn.send(event) or b"")
        self.transport.close()


def _refusal(received: bytes) -> tuple[int, bytes, str]:
    """Status, reason phrase and message for a request head h11 refused."""
    if len(received) < MAX_HEAD_BYTES:
        return 400, b"Bad Request", "request: not a valid HTTP/1.1 request"
    advice = "send parameters as a JSON body (POST) instead of in the URL"
    line_end = received.find(b"\r\n")
    if line_end == -1 or line_end >= MAX_HEAD_BYTES:
        return (
            414,
            b"URI Too Long",
            f"request: the request line is longer than {MAX_HEAD_BYTES} bytes; {advice}",
        )
    return (
        431,
        b"Request Header Fields Too Large",
        f"request: the request line and headers are larger than {MAX_HEAD_BYTES} bytes; {advice}",
    )


def set_head_timeout(seconds: float) -> None:
    """The deadline for request heads in this process (METRICS_HANDSHAKE_TIMEOUT)."""
    DeadlineH11Protocol.head_timeout = seconds
