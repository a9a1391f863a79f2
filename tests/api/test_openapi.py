"""/openapi.json describes every endpoint and parameter, and a schemathesis run against it on a
real server (auth on) finds no server error and no answer that breaks the document."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import httpx
import pytest
from starlette.routing import Route

from app.api.openapi import document
from app.api.params import ACCEPTED, Endpoint
from app.api.routes import api_routes
from tests.support.databases import fresh_database
from tests.support.server import ServerFactory, ServerProcess


def test_every_route_and_parameter_is_described() -> None:
    paths = document(auth=False)["paths"]
    for route in api_routes():
        assert isinstance(route, Route)
        described = "/api/v1" + route.path.replace("{key:path}", "{key}")
        assert described in paths, described
    for endpoint in Endpoint:
        operations = paths[f"/api/v1/{endpoint.value}"]
        names = {parameter["name"] for parameter in operations["get"]["parameters"]}
        assert names == set(ACCEPTED[endpoint])
        body = operations["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert set(body["properties"]) == set(ACCEPTED[endpoint])
        assert body["additionalProperties"] is False


def test_security_is_declared_only_with_auth() -> None:
    assert "security" not in document(auth=False)
    assert document(auth=True)["security"] == [{"basic": []}]


@pytest.mark.parametrize("auth", [True, False])
def test_read_only_tokens_read_and_never_manage(auth: bool) -> None:
    """A Bearer token on every read operation (optional without Basic auth: it narrows), never
    on keys or deletion; asked twice, the document is the same (nothing shared is changed)."""
    paths = document(auth=not auth)["paths"] and document(auth=auth)["paths"]
    assert document(auth=auth)["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    for path, operations in paths.items():
        for operation in operations.values():
            schemes = [name for requirement in operation.get("security", []) for name in requirement]
            reads = path.removeprefix("/api/v1/") in {*(e.value for e in Endpoint), "export"}
            assert ("bearer" in schemes) == reads, path
            assert ("basic" in schemes) == auth, path


async def test_served(server: ServerProcess) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        response = await client.get("/openapi.json")
    assert response.status_code == 200
    assert response.json()["openapi"] == "3.1.0"


@pytest.mark.timeout(600)
async def test_schemathesis_finds_no_server_error(make_server: ServerFactory, database_url: str) -> None:
    """On a database of its own: it calls DELETE /api/v1/sessions with whatever it generates, and
    `{"query": {"video": {}}}` is every session there is."""
    async with fresh_database(database_url, "schemathesis") as url:
        server = await asyncio.to_thread(
            make_server(url, METRICS_USER="st", METRICS_PASSWORD="st-password").start
        )
        try:
            await asyncio.to_thread(run_schemathesis, server)
        finally:
            await asyncio.to_thread(server.stop)


def run_schemathesis(server: ServerProcess) -> None:
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", f"{server.base_url}/openapi.json",
        "--header", "Authorization: Basic c3Q6c3QtcGFzc3dvcmQ=",
        "--max-examples", "40", "--workers", "1", "--seed", "20240502",
        # These two compare the answers with what JSON Schema can say about the grammar; its
        # bounds (a positive count, at most 200 years, at least 1 second) are past it.
        "--exclude-checks", "positive_data_acceptance,negative_data_rejection",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=540, check=False)
    assert result.returncode == 0, result.stdout[-20_000:] + result.stderr[-5_000:]
    # Warnings (a slow or mostly-refused operation on a loaded machine, say) are not failures: the
    # return code and the absence of failures say that nothing failed.
    assert "FAILURES" not in result.stdout, result.stdout[-20_000:]
    assert "No issues found" in result.stdout or "warning" in result.stdout.splitlines()[-1], result.stdout[
        -5_000:
    ]
    assert "not_a_server_error" not in result.stdout
