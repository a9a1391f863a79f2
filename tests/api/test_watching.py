"""`watching` follows plays, pauses and closed sockets, across processes, through the database."""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx

from tests.support.phoenix import PhoenixSocket, ok
from tests.support.server import ServerProcess


async def watching(client: httpx.AsyncClient) -> int:
    response = await client.get("/api/v1/watching")
    assert response.status_code == 200, response.text
    count: int = response.json()["watching"]
    return count


async def until(client: httpx.AsyncClient, expected: int) -> None:
    """Live counts are published about every second; wait up to a few for the expected one."""
    deadline = time.monotonic() + 8
    seen = await watching(client)
    while seen != expected and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        seen = await watching(client)
    assert seen == expected


async def test_watching_rises_on_play_and_falls_on_pause_and_close(
    server: ServerProcess, api_key: str
) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        base = await watching(client)
        sock = await PhoenixSocket.open(server.ws_url())
        topic = f"session:{uuid.uuid4().hex[:16]}"
        join_ref, reply = await sock.join(topic, api_key, {"vid": "live"})
        assert ok(reply)
        await until(client, base)  # joined, not playing

        await sock.push(join_ref, topic, {"name": "play", "from": 0, "duration": 60})
        await until(client, base + 1)
        await sock.push(join_ref, topic, {"name": "pause", "to": 3, "duration": 60})
        await until(client, base)

        await sock.push(join_ref, topic, {"name": "play", "from": 3, "duration": 60})
        await until(client, base + 1)
        await sock.close()
        await until(client, base)


async def test_watching_accepts_the_reference_clients_query(server: ServerProcess) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        response = await client.post("/api/v1/watching", json={"query": {"key": "any"}})
        assert response.status_code == 200
        assert isinstance(response.json()["watching"], int)
        bad = await client.post("/api/v1/watching", json={"interval": "1 day"})
        assert bad.status_code == 400
