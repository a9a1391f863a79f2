"""A bare websocket client on asyncio.Protocol, for load generation.

The `websockets` client costs tens of microseconds per message in its own machinery; a load
generator built on it saturates before the server does. This one writes pre-encoded frames in one
`transport.write` per burst and parses replies with a few slice operations, so the client side stays
a small fraction of the server's cost per frame (the load generator measures and reports that).
"""

from __future__ import annotations

import asyncio
import base64
import os
import random
import struct
from collections.abc import Callable

try:  # the C helper shipped with `websockets`; its pure fallback is only slower
    from websockets.speedups import apply_mask
except ImportError:  # pragma: no cover
    from websockets.utils import apply_mask


_TEXT = 0x1
_CLOSE = 0x8
_PING = 0x9
_PONG = 0xA


def encode_frame(payload: bytes, opcode: int = _TEXT) -> bytes:
    """One final, masked client frame (RFC 6455 §5.2: clients must mask)."""
    mask = random.randbytes(4)
    n = len(payload)
    if n < 126:
        header = bytes((0x80 | opcode, 0x80 | n))
    elif n < 65536:
        header = struct.pack("!BBH", 0x80 | opcode, 0xFE, n)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 0xFF, n)
    return header + mask + apply_mask(payload, mask)


class HandshakeFailed(Exception):
    """The server answered the upgrade with something other than 101."""


class WebSocketClient(asyncio.Protocol):
    """One client websocket. Subclasses get each text message in `on_text` and send with `send`.

    Pings are answered with pongs (uvicorn pings every 20 s by default); server frames are assumed
    unfragmented, which holds for the replies these servers send.
    """

    def __init__(self, host: str, port: int, target: str, user_agent: str) -> None:
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None
        self._request = (
            f"GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}\r\n"
            f"Sec-WebSocket-Version: 13\r\nUser-Agent: {user_agent}\r\n"
            "Origin: https://shop.example.com\r\n\r\n"
        ).encode()
        self._buffer = bytearray()
        self._upgraded = False

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(self._request)

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if not self._upgraded and not self._finish_handshake():
            return
        self._parse()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(exc or ConnectionError("closed during the handshake"))
        if not self.closed.done():
            self.closed.set_result(None)
        self.on_closed()

    # For subclasses

    def on_text(self, payload: bytes) -> None:
        raise NotImplementedError

    def on_closed(self) -> None:
        """The connection is gone (either side closed it)."""

    def send(self, frames: bytes) -> None:
        """Write already-encoded frames (see `encode_frame`)."""
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(frames)

    def close(self) -> None:
        """Send a normal close frame and drop the connection without waiting for the echo."""
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(encode_frame(struct.pack("!H", 1000), _CLOSE))
            self.transport.close()

    # Internals

    def _finish_handshake(self) -> bool:
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            return False
        status = bytes(self._buffer[: self._buffer.find(b"\r\n")])
        del self._buffer[: end + 4]
        if not status.startswith(b"HTTP/1.1 101"):
            if not self.opened.done():
                self.opened.set_exception(HandshakeFailed(status.decode(errors="replace")))
            assert self.transport is not None
            self.transport.close()
            return False
        self._upgraded = True
        if not self.opened.done():
            self.opened.set_result(None)
        return True

    def _parse(self) -> None:
        buffer = self._buffer
        size = len(buffer)
        at = 0
        on_text: Callable[[bytes], None] = self.on_text
        while size - at >= 2:
            first = buffer[at]
            length = buffer[at + 1] & 0x7F
            head = 2
            if length == 126:
                if size - at < 4:
                    break
                length = int.from_bytes(buffer[at + 2 : at + 4], "big")
                head = 4
            elif length == 127:
                if size - at < 10:
                    break
                length = int.from_bytes(buffer[at + 2 : at + 10], "big")
                head = 10
            end = at + head + length
            if end > size:
                break
            opcode = first & 0x0F
            payload = bytes(buffer[at + head : end])
            at = end
            if opcode == _TEXT:
                on_text(payload)
            elif opcode == _PING:
                self.send(encode_frame(payload, _PONG))
            elif opcode == _CLOSE and self.transport is not None:
                self.transport.close()
        del buffer[:at]


async def connect(
    factory: Callable[[], WebSocketClient], host: str, port: int, local_host: str | None = None
) -> WebSocketClient:
    """Open a TCP connection (from `local_host`, when given) and wait for the upgrade."""
    loop = asyncio.get_running_loop()
    local = (local_host, 0) if local_host else None
    _, protocol = await loop.create_connection(factory, host, port, local_addr=local)
    await protocol.opened
    return protocol
