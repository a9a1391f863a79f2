"""Basic auth: on with credentials, off without; public paths stay open; constant-time checks."""

from __future__ import annotations

import base64
import uuid

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from app.api.auth import BasicAuth
from tests.support.phoenix import PhoenixSocket, ok
from tests.support.server import ServerFactory, ServerProcess

USER, PASSWORD = "admin", "correct horse battery staple"


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


async def hello(request: Request) -> PlainTextResponse:
    return PlainTextResponse("hello")


def in_process_client() -> httpx.AsyncClient:
    paths = ["/api/v1/plays", "/healthz", "/static/metrics.js", "/demo", "/", "/socketx", "/dashboard"]
    inner = Starlette(routes=[Route(path, hello, methods=["GET", "OPTIONS"]) for path in paths])
    app = BasicAuth(inner, user=USER, password=PASSWORD)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


@pytest.mark.parametrize("path", ["/api/v1/plays", "/", "/dashboard", "/socketx"])
@pytest.mark.parametrize(
    "headers",
    [
        {},
        basic(USER, "wrong"),
        basic("wrong", PASSWORD),
        basic(USER, PASSWORD + "x"),
        basic(USER, ""),
        {"Authorization": "Basic !!!not-base64"},
        {"Authorization": "Basic " + base64.b64encode(b"no-colon").decode()},
        {"Authorization": "Bearer " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()},
        {"Authorization": "Basic " + base64.b64encode(b"\xff\xfe:\x00").decode()},
    ],
)
async def test_refused_without_the_right_credentials(path: str, headers: dict[str, str]) -> None:
    async with in_process_client() as client:
        response = await client.get(path, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Basic realm="Application"'
    assert response.json()["error"].startswith("authorization: ")


async def test_admitted_with_the_right_credentials() -> None:
    async with in_process_client() as client:
        response = await client.get("/api/v1/plays", headers=basic(USER, PASSWORD))
        lower = await client.get(
            "/api/v1/plays",
            headers={"Authorization": basic(USER, PASSWORD)["Authorization"].replace("Basic", "basic")},
        )
    assert (response.status_code, response.text) == (200, "hello")
    assert lower.status_code == 200


@pytest.mark.parametrize("path", ["/healthz", "/static/metrics.js", "/demo"])
async def test_public_paths_need_no_credentials(path: str) -> None:
    async with in_process_client() as client:
        assert (await client.get(path)).status_code == 200


async def test_preflights_need_no_credentials() -> None:
    async with in_process_client() as client:
        headers = {"Origin": "https://a.example", "Access-Control-Request-Method": "GET"}
        assert (await client.options("/api/v1/plays", headers=headers)).status_code == 200
        assert (await client.options("/api/v1/plays")).status_code == 401


def test_refuses_to_start_without_credentials() -> None:
    with pytest.raises(ValueError, match="user and a password"):
        BasicAuth(Starlette(), user="", password="x")


# On a real server


async def test_server_with_credentials_protects_api_and_metrics(make_server: ServerFactory) -> None:
    server = make_server(METRICS_USER=USER, METRICS_PASSWORD=PASSWORD).start()
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        for path in ("/api/v1/keys", "/api/v1/watching", "/metrics"):
            refused = await client.get(path)
            assert refused.status_code == 401, path
            assert refused.headers["www-authenticate"] == 'Basic realm="Application"'
            assert (await client.get(path, headers=basic(USER, "nope"))).status_code == 401
            assert (await client.get(path, headers=basic(USER, PASSWORD))).status_code == 200
        for path in ("/healthz", "/readyz", "/demo", "/static/metrics.js", "/openapi.json"):
            assert (await client.get(path)).status_code == 200, path
        created = await client.post("/api/v1/keys", headers=basic(USER, PASSWORD))
        key = created.json()["key"]
    # The ingest socket stays open to every page, credentials or not.
    sock = await PhoenixSocket.open(server.ws_url())
    _, reply = await sock.join(f"session:{uuid.uuid4().hex[:16]}", key, {"vid": "auth"})
    assert ok(reply)
    await sock.close()


async def test_server_with_auth_disabled_explicitly(make_server: ServerFactory) -> None:
    server = make_server(METRICS_USER=USER, METRICS_PASSWORD=PASSWORD, METRICS_AUTH_ENABLED="false").start()
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        assert (await client.get("/api/v1/keys")).status_code == 200


async def test_server_without_credentials_is_open_on_loopback(server: ServerProcess) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        assert (await client.get("/api/v1/keys")).status_code == 200
