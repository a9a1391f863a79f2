"""Who may read what, on both faces: tokens scoped to keys, the Basic credentials, no
credentials (the SDK's 401 with its discovery), revocation at once, the Host allow-list."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from mcp import Client, MCPError
from mcp.server.mcpserver import MCPServer

from app.api.params import Reach
from tests.mcp.site import LAUNCH, Site, basic, bearer, refusal, structured
from tests.support.server import ServerFactory, ServerProcess

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"},
    },
}
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


async def post_mcp(site: Site, headers: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient(base_url=site.server.base_url, timeout=30) as client:
        return await client.post("/mcp", json=INITIALIZE, headers={**MCP_HEADERS, **headers})


# --- the REST face -----------------------------------------------------------------------------


async def test_a_token_reads_its_keys_on_rest(site: Site) -> None:
    mine = await site.rest(
        "videos", {"query": {"key": site.key_a}, "timeframe": site.window}, bearer(site.token_a)
    )
    assert mine.status_code == 200
    assert [v["identifier"] for v in mine.json()["videos"]] == ["Launch film", "Teaser"]


async def test_another_key_is_a_403_naming_the_scope(site: Site) -> None:
    for endpoint in ("plays", "views", "engagement", "sources", "videos", "watching", "export"):
        answer = await site.rest(endpoint, {"query": {"key": site.key_b}}, bearer(site.token_a))
        assert answer.status_code == 403, (endpoint, answer.text)
        assert answer.json()["parameter"] == "query"
        assert f"key {site.key_b!r} is outside this token's scope" in answer.json()["error"]
        assert site.key_a in answer.json()["error"]


async def test_a_question_without_a_key_is_narrowed_to_the_tokens_keys(site: Site) -> None:
    """Key B has a video with the same label and metadata as key A's: a token of A never sees it,
    and the Basic credentials see both."""
    for scope in ({"identifier": "Launch film"}, {"query": {"video": LAUNCH}}):
        params = {**scope, "timeframe": site.window}
        narrowed = await site.rest_json("videos", params, bearer(site.token_a))
        everything = await site.rest_json("videos", params, basic())
        assert [v["plays"] for v in narrowed["videos"]] == [3]
        assert sorted(v["plays"] for v in everything["videos"]) == [1, 3]
        both = await site.rest_json("videos", params, bearer(site.token_ab))
        assert both["videos"] == everything["videos"]
    watching = await site.rest_json("watching", {"by": "video"}, bearer(site.token_a))
    assert watching["watching"] == 1 and [v["metadata"] for v in watching["videos"]] == [LAUNCH]


async def test_export_is_narrowed_too(site: Site) -> None:
    response = await site.rest(
        "export", {"identifier": "Launch film", "format": "jsonl"}, bearer(site.token_a)
    )
    assert response.status_code == 200
    rows = [line for line in response.text.splitlines() if line]
    assert len(rows) == 3 and all(site.key_a in row and site.key_b not in row for row in rows)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/keys"),
        ("POST", "/api/v1/keys"),
        ("DELETE", "/api/v1/keys/x"),
        ("DELETE", "/api/v1/sessions"),
    ],
)
async def test_a_token_never_manages(site: Site, method: str, path: str) -> None:
    async with httpx.AsyncClient(base_url=site.server.base_url) as client:
        response = await client.request(method, path, headers=bearer(site.token_ab))
    assert response.status_code == 403
    assert "read-only token" in response.json()["error"]


async def test_a_token_does_not_open_metrics_or_a_wrong_token_anything(site: Site) -> None:
    async with httpx.AsyncClient(base_url=site.server.base_url) as client:
        metrics = await client.get("/metrics", headers=bearer(site.token_ab))
        wrong = await client.get(
            "/api/v1/plays", headers=bearer("vmt_" + "A" * 43), params={"identifier": "x"}
        )
        garbage = await client.get("/api/v1/plays", headers=bearer("not a token"), params={"identifier": "x"})
    assert metrics.status_code == 401 and metrics.headers["www-authenticate"].startswith("Basic")
    for response in (wrong, garbage):
        assert response.status_code == 401
        assert 'error="invalid_token"' in response.headers["www-authenticate"]
        assert response.json()["parameter"] == "authorization"


# --- the MCP face ------------------------------------------------------------------------------


async def test_another_key_is_a_tool_error_naming_the_scope(site: Site) -> None:
    async with site.mcp(bearer(site.token_a)) as client:
        for tool in ("top_videos", "overview", "plays_over_time", "live_viewers", "video_engagement"):
            text = refusal(await client.call_tool(tool, {"key": site.key_b}))
            assert f"key {site.key_b!r} is outside this token's scope" in text, text
            assert site.key_a in text


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_tools_without_a_key_are_narrowed_to_the_tokens_keys(site: Site, mode: str) -> None:
    async with site.mcp(bearer(site.token_a), mode) as client:
        found = structured(
            await client.call_tool("find_videos", {"identifier": "Launch film", "timeframe": site.window})
        )
        live = structured(await client.call_tool("live_viewers", {"by": "video"}))
    assert [v["plays"] for v in found["videos"]] == [3]
    assert live["watching"] == 1


async def test_stdio_reach_in_process(site: Site, in_process: Callable[[Reach], MCPServer[Any]]) -> None:
    """The reach the stdio command's --key gives: the same refusals and narrowing."""
    async with Client(in_process(Reach(frozenset({site.key_a})))) as client:
        text = refusal(await client.call_tool("top_pages", {"key": site.key_b}))
        found = structured(await client.call_tool("find_videos", {"video": LAUNCH, "timeframe": site.window}))
    assert "outside this token's scope" in text
    assert [v["plays"] for v in found["videos"]] == [3]


async def test_a_call_without_credentials_gets_the_sdks_401_and_discovery(site: Site) -> None:
    for headers in ({}, basic(password="wrong"), bearer("vmt_" + "B" * 43), {"Authorization": "Digest x"}):
        response = await post_mcp(site, headers)
        assert response.status_code == 401, headers
        challenge = response.headers["www-authenticate"]
        metadata_url = f"{site.server.base_url}/.well-known/oauth-protected-resource/mcp"
        assert challenge.startswith("Bearer ") and f'resource_metadata="{metadata_url}"' in challenge
    async with httpx.AsyncClient() as client:
        discovery = (await client.get(metadata_url)).json()
    assert discovery["resource"] == site.server.base_url + "/mcp"
    assert discovery["bearer_methods_supported"] == ["header"]
    assert discovery["authorization_servers"] == [site.server.base_url + "/"]


async def test_basic_credentials_and_tokens_are_admitted(site: Site) -> None:
    for headers in (basic(), bearer(site.token_a)):
        assert (await post_mcp(site, headers)).status_code == 200


def tokens_command(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", "tokens", *args],
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_a_revoked_token_is_refused_at_once(site: Site, database_url: str) -> None:
    created = tokens_command(database_url, "create", "--key", site.key_a, "--name", "revoked soon")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    token_id = created.stderr.split()[1]
    params = {"query": {"key": site.key_a}, "timeframe": site.window}
    async with site.mcp(bearer(token)) as client:
        structured(await client.call_tool("top_videos", {"key": site.key_a}))
        assert (await site.rest("videos", params, bearer(token))).status_code == 200

        revoked = tokens_command(database_url, "revoke", token_id)
        assert (revoked.returncode, revoked.stdout.strip()) == (0, "Token revoked")

        # The next call on the connection already open is refused (the SDK's client reports the
        # HTTP 401 as an error response), as is any new connection.
        with pytest.raises(MCPError):
            await client.call_tool("top_videos", {"key": site.key_a})
    assert (await site.rest("videos", params, bearer(token))).status_code == 401
    assert (await post_mcp(site, bearer(token))).status_code == 401


async def test_the_host_allow_list(site: Site, make_server: ServerFactory) -> None:
    """The SDK's DNS-rebinding protection: a name not on the list is a 421, whatever the
    credentials; METRICS_MCP_ALLOWED_HOSTS names the deployment's."""
    refused = await post_mcp(site, {**basic(), "Host": "metrics.example.com"})
    assert refused.status_code == 421
    named = make_server(
        METRICS_MCP_ALLOWED_HOSTS="metrics.example.com", METRICS_PUBLIC_URL="https://metrics.example.com"
    )
    named.start()
    token = tokens_command(named.env["DATABASE_URL"], "create", "--key", site.key_a).stdout.strip()
    async with httpx.AsyncClient(base_url=named.base_url, timeout=30) as client:
        headers = {**MCP_HEADERS, **bearer(token)}
        allowed = await client.post(
            "/mcp", json=INITIALIZE, headers={**headers, "Host": "metrics.example.com"}
        )
        evil = await client.post("/mcp", json=INITIALIZE, headers={**headers, "Host": "evil.example"})
        unauthenticated = await client.post("/mcp", json=INITIALIZE, headers=MCP_HEADERS)
    assert allowed.status_code == 200 and evil.status_code == 421
    assert (
        'resource_metadata="https://metrics.example.com/.well-known/oauth-protected-resource/mcp"'
        in (unauthenticated.headers["www-authenticate"])
    )


async def test_without_basic_auth_a_token_still_narrows_and_mcp_needs_one(
    server: ServerProcess, site: Site
) -> None:
    """On a server with no credentials (loopback only), the REST API is open, but a token
    presented is still checked and narrows what it reads; /mcp always needs a token there."""
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
        other = await client.post(
            "/api/v1/videos", json={"query": {"key": site.key_b}}, headers=bearer(site.token_a)
        )
        open_ = await client.post("/api/v1/videos", json={"query": {"key": site.key_b}})
        anonymous = await client.post("/mcp", json=INITIALIZE, headers=MCP_HEADERS)
        basic_refused = await client.post("/mcp", json=INITIALIZE, headers={**MCP_HEADERS, **basic()})
        with_token = await client.post(
            "/mcp", json=INITIALIZE, headers={**MCP_HEADERS, **bearer(site.token_a)}
        )
    assert (other.status_code, open_.status_code) == (403, 200)
    assert (anonymous.status_code, basic_refused.status_code, with_token.status_code) == (401, 401, 200)
