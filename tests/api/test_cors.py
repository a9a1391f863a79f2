"""CORS on the API as METRICS_CORS_ORIGINS says, preflights answered 204, other paths untouched."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from app.api.cors import ApiCors
from tests.support.server import ServerFactory, ServerProcess

PREFLIGHT = {
    "Origin": "https://dash.example",
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization, content-type",
}


async def hello(request: Request) -> PlainTextResponse:
    return PlainTextResponse("hello")


def client_for(origins: list[str]) -> httpx.AsyncClient:
    inner = Starlette(routes=[Route("/api/v1/plays", hello, methods=["GET", "POST"]), Route("/demo", hello)])
    app = ApiCors(inner, origins=origins)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_any_origin_by_default() -> None:
    async with client_for(["*"]) as client:
        preflight = await client.options("/api/v1/plays", headers=PREFLIGHT)
        assert preflight.status_code == 204
        assert preflight.content == b""
        assert preflight.headers["access-control-allow-origin"] == "*"
        assert "POST" in preflight.headers["access-control-allow-methods"]
        assert "access-control-allow-credentials" not in preflight.headers
        simple = await client.get("/api/v1/plays", headers={"Origin": "https://x.example"})
        assert simple.headers["access-control-allow-origin"] == "*"


async def test_named_origins_only() -> None:
    async with client_for(["https://dash.example"]) as client:
        allowed = await client.options("/api/v1/plays", headers=PREFLIGHT)
        assert allowed.status_code == 204
        assert allowed.headers["access-control-allow-origin"] == "https://dash.example"
        assert allowed.headers["access-control-allow-credentials"] == "true"
        other = await client.options("/api/v1/plays", headers={**PREFLIGHT, "Origin": "https://evil.example"})
        assert other.status_code == 400
        simple = await client.get("/api/v1/plays", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in simple.headers


async def test_paths_outside_the_api_are_left_alone() -> None:
    async with client_for(["https://dash.example"]) as client:
        response = await client.get("/demo", headers={"Origin": "https://dash.example"})
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize("path", ["/api/v1/plays", "/api/v1/keys", "/api/v1/keys/abc"])
async def test_preflight_on_the_server_is_204(server: ServerProcess, path: str) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        response = await client.options(
            path, headers={**PREFLIGHT, "Access-Control-Request-Method": "DELETE"}
        )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"


async def test_configured_origins_on_the_server(make_server: ServerFactory) -> None:
    server = make_server(METRICS_CORS_ORIGINS="https://dash.example, https://other.example").start()
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        ok = await client.get("/api/v1/watching", headers={"Origin": "https://other.example"})
        assert ok.headers["access-control-allow-origin"] == "https://other.example"
        refused = await client.options(
            "/api/v1/watching", headers={**PREFLIGHT, "Origin": "https://evil.example"}
        )
        assert refused.status_code == 400
