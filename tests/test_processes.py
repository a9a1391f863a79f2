"""Several server processes sharing one database: what one knows, the other answers."""

from __future__ import annotations

import asyncio
import time

import httpx

from tests.support.phoenix import PhoenixSocket, error_reason, ok
from tests.support.server import ServerFactory, ServerProcess

TOPIC = "session:processesprocessesproc"


async def watching(server: ServerProcess) -> int:
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        count: int = (await client.get("/api/v1/watching")).json()["watching"]
        return count


async def until_watching(server: ServerProcess, expected: int) -> None:
    deadline = time.monotonic() + 8
    while (seen := await watching(server)) != expected:
        assert time.monotonic() < deadline, f"expected {expected} playing, {server.base_url} says {seen}"
        await asyncio.sleep(0.1)


async def test_watching_counts_sessions_of_every_process(
    make_server: ServerFactory, server: ServerProcess, api_key: str
) -> None:
    other = make_server().start()
    base = await watching(server)
    sock = await PhoenixSocket.open(other.ws_url())  # the page talks to the other process
    ref, _ = await sock.join(TOPIC, api_key, {"vid": "shared"})
    await sock.push(ref, TOPIC, {"name": "play", "from": 0, "duration": 60})
    await until_watching(server, base + 1)  # and this one counts it
    await sock.close()
    await until_watching(server, base)


async def test_a_key_revoked_through_one_process_is_refused_by_another_at_once(
    make_server: ServerFactory, server: ServerProcess, api_key: str
) -> None:
    other = make_server().start()
    sock = await PhoenixSocket.open(other.ws_url())
    _, reply = await sock.join(TOPIC, api_key, {"vid": "revoked"})
    assert ok(reply)
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        revoked = await client.delete(f"/api/v1/keys/{api_key}")
        assert revoked.status_code == 200, revoked.text
    _, reply = await sock.join("session:anotheranotheranothe", api_key, {"vid": "revoked"})
    assert error_reason(reply) == "invalid key"
    await sock.close()
