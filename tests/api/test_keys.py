"""The key lifecycle over HTTP, and what a revocation does to joins on the websocket at once."""

from __future__ import annotations

import base64
import uuid

import httpx
import pytest

from tests.support.phoenix import PhoenixSocket, error_reason, ok
from tests.support.server import ServerProcess


async def join(server: ServerProcess, key: str) -> list[object]:
    sock = await PhoenixSocket.open(server.ws_url())
    try:
        _, reply = await sock.join(f"session:{uuid.uuid4().hex[:16]}", key, {"vid": "k"})
        return reply
    finally:
        await sock.close()


async def test_create_list_revoke(server: ServerProcess) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        created = await client.post("/api/v1/keys")
        assert created.status_code == 201
        key = created.json()["key"]
        assert len(base64.urlsafe_b64decode(key + "==")) == 16
        assert ok(await join(server, key))

        listed = (await client.get("/api/v1/keys")).json()["keys"]
        [mine] = [row for row in listed if row["key"] == key]
        assert mine["disabled_at"] is None
        assert mine["created_at"].endswith("Z")
        assert mine["demo"] is False

        revoked = await client.delete(f"/api/v1/keys/{key}")
        assert (revoked.status_code, revoked.json()) == (200, {"message": "Key revoked"})
        assert error_reason(await join(server, key)) == "invalid key"

        listed = (await client.get("/api/v1/keys")).json()["keys"]
        [mine] = [row for row in listed if row["key"] == key]
        assert mine["disabled_at"].endswith("Z")

        again = await client.delete(f"/api/v1/keys/{key}")
        assert again.status_code == 200
        listed_again = (await client.get("/api/v1/keys")).json()["keys"]
        assert [row for row in listed_again if row["key"] == key] == [mine]  # first time kept


async def test_custom_key(server: ServerProcess) -> None:
    custom = f"site+{uuid.uuid4().hex[:8]}/a="
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        created = await client.post("/api/v1/keys", json={"key": custom})
        assert (created.status_code, created.json()) == (201, {"key": custom})
        assert ok(await join(server, custom))
        taken = await client.post("/api/v1/keys", json={"key": custom})
        assert taken.status_code == 409
        assert taken.json()["error"].startswith("key: ")
        # A key with a slash in it is revoked through its URL path, escaped or not.
        revoked = await client.delete("/api/v1/keys/" + custom.replace("/", "%2F"))
        assert revoked.json() == {"message": "Key revoked"}
        assert error_reason(await join(server, custom)) == "invalid key"


@pytest.mark.parametrize(
    ("body", "parameter"),
    [
        ({"key": ""}, "key"),
        ({"key": "has space"}, "key"),
        ({"key": 5}, "key"),
        ({"key": None}, "key"),
        ({"key": "x" * 129}, "key"),
        ({"key": "ok", "other": 1}, "other"),
        ([], "body"),
    ],
)
async def test_bad_custom_keys(server: ServerProcess, body: object, parameter: str) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        response = await client.post("/api/v1/keys", json=body)
    assert response.status_code == 400
    assert response.json()["parameter"] == parameter
    assert response.json()["error"].startswith(f"{parameter}: ")


async def test_revoking_an_unknown_key_is_404(server: ServerProcess) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        for path in ("/api/v1/keys/no-such-key", "/api/v1/keys/bad%20key", "/api/v1/keys/%00"):
            response = await client.delete(path)
            assert response.status_code == 404
            assert response.json()["error"].startswith("key: ")


async def test_listing_takes_no_parameters(server: ServerProcess) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        response = await client.get("/api/v1/keys", params={"limit": "5"})
    assert response.status_code == 400
    assert response.json()["parameter"] == "limit"


async def test_the_demo_key_is_marked(server: ServerProcess) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        page = (await client.get("/demo")).text
        listed = (await client.get("/api/v1/keys")).json()["keys"]
    demo = [row["key"] for row in listed if row["demo"]]
    assert len(demo) == 1
    assert f'content="{demo[0]}"' in page
