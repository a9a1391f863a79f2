"""A site recorded through the websocket on a real server with credentials, and the two faces
that read it: the REST API over HTTP, and the MCP tools in process, over HTTP and over stdio."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp_types import CallToolResult

from tests.api.sessions import (
    CHROME_ANDROID,
    EDGE_WINDOWS,
    FIREFOX_WINDOWS,
    SAFARI_IPHONE,
    Watch,
)
from tests.support.phoenix import PhoenixSocket, ok
from tests.support.server import ServerProcess

USER, PASSWORD = "owner", "a long and correct password"
SHOP = "https://shop.example.com/products/shoes"
BLOG = "https://blog.example.com/2024/launch"
LAUNCH = {"id": "launch"}
TEASER = {"id": "teaser"}


def basic(user: str = USER, password: str = PASSWORD) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# Key A: the launch film (100 s) on two pages in three browsers, a rewatch among them; a teaser
# (30 s) with a play and a session too short to be one. Key B: a video with the same metadata and
# label as A's launch film, which nothing reading only key A may see.
WATCHES_A = [
    Watch(LAUNCH, [(0, 30)], 100, "Launch film", page=SHOP),
    Watch(LAUNCH, [(0, 10), (5, 50)], 100, "Launch film", page=BLOG, user_agent=FIREFOX_WINDOWS),
    Watch(LAUNCH, [(0, 100)], 100, "Launch film", page=SHOP + "?utm=x", user_agent=SAFARI_IPHONE),
    Watch(TEASER, [(0, 5)], 30, "Teaser", page=BLOG, user_agent=EDGE_WINDOWS),
    Watch(TEASER, [(0, 0.5)], 30, "Teaser", page=SHOP, user_agent=CHROME_ANDROID),
]
WATCHES_B = [Watch(LAUNCH, [(0, 70)], 120, "Launch film", page="https://other.example/launch")]


@dataclass
class Site:
    server: ServerProcess
    key_a: str
    key_b: str
    token_a: str
    token_ab: str
    token_a_id: int
    # Every session started in it: an absolute window, so that both faces resolve the same one.
    window: dict[str, float]
    # A window that ended before the tests began: the live samples in it no longer change.
    past: dict[str, float]

    async def rest(self, endpoint: str, params: dict[str, Any], headers: dict[str, str]) -> httpx.Response:
        async with httpx.AsyncClient(base_url=self.server.base_url, timeout=30) as client:
            return await client.post(f"/api/v1/{endpoint}", json=params, headers=headers)

    async def rest_json(
        self, endpoint: str, params: dict[str, Any], headers: dict[str, str] | None = None
    ) -> Any:
        response = await self.rest(endpoint, params, headers or basic())
        assert response.status_code == 200, response.text
        return response.json()

    @contextlib.asynccontextmanager
    async def mcp(self, headers: dict[str, str], mode: str = "auto") -> AsyncIterator[Client]:
        """The SDK's client over streamable HTTP to this server's /mcp."""
        async with (
            httpx2.AsyncClient(headers=headers, timeout=30) as http,
            Client(
                streamable_http_client(self.server.base_url + "/mcp", http_client=http), mode=mode
            ) as client,
        ):
            yield client


def structured(result: CallToolResult) -> Any:
    """A tool's structured answer, checked against the text a model reads (the same JSON)."""
    assert not result.is_error, result.content
    assert result.structured_content is not None
    text = result.content[0].text  # type: ignore[union-attr]
    assert json.loads(text) == result.structured_content
    return result.structured_content


def refusal(result: CallToolResult) -> str:
    """A tool error's text; never the SDK's generic message for a crash."""
    assert result.is_error, result.structured_content
    text: str = result.content[0].text  # type: ignore[union-attr]
    assert ": " in text.removeprefix("Error executing tool "), f"a crash, not a clear error: {text!r}"
    return text


async def playing(server: ServerProcess, key: str, metadata: dict[str, Any]) -> PhoenixSocket:
    """A session playing now (left open), so that live viewers have one to count."""
    sock = await PhoenixSocket.open(server.ws_url(source_url=SHOP))
    topic = f"session:{uuid.uuid4().hex[:20]}"
    join_ref, reply = await sock.join(topic, key, metadata, identifier="Launch film", source_url=SHOP)
    assert ok(reply), reply
    await sock.push(join_ref, topic, {"name": "play", "from": 0, "duration": 100})
    return sock


def around_now() -> dict[str, float]:
    # Whole seconds: an ISO 8601 time (microseconds) then stands for exactly the same instant.
    now = float(int(time.time()))
    return {"from": now - 3600, "to": now + 3600}


def past(window: dict[str, float]) -> dict[str, float]:
    # A minute's sample is written 1.5 s after the minute starts (app/live.py): ten seconds ago,
    # every sample of the window has been written.
    return {"from": window["from"], "to": time.time() - 10}


async def until_watching(site: Site, count: int) -> None:
    """Live rows are published once a second: wait until the server counts `count` of key A."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if (await site.rest_json("watching", {"query": {"key": site.key_a}}))["watching"] == count:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"key A never had {count} sessions playing")
