"""Time zones and comparison over HTTP, on a running server: the default from METRICS_TIMEZONE,
the zone and timeframe every answer states, and `compare` beside the asked period."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.support.server import ServerFactory, ServerProcess

ENDPOINTS = ("plays", "views", "engagement", "sources", "videos", "watching")


async def get(client: httpx.AsyncClient, endpoint: str, **params: Any) -> dict[str, Any]:
    encoded = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    response = await client.get(f"/api/v1/{endpoint}", params=encoded)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def test_every_answer_states_its_zone(server: ServerProcess, api_key: str) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        for endpoint in ENDPOINTS:
            answer = await get(client, endpoint, query={"key": api_key}, timezone="pacific/kiritimati")
            assert answer["timezone"] == "Pacific/Kiritimati", endpoint
            if endpoint != "watching":
                assert set(answer["timeframe"]) == {"from", "to"}
            refused = await client.post(
                f"/api/v1/{endpoint}", json={"query": {"key": api_key}, "timezone": "Moon"}
            )
            assert (refused.status_code, refused.json()["parameter"]) == (400, "timezone")


async def test_the_default_zone_is_the_servers(make_server: ServerFactory) -> None:
    server = make_server(METRICS_TIMEZONE="Asia/Kolkata").start()
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        key = (await client.post("/api/v1/keys")).json()["key"]
        answer = await get(client, "plays", query={"key": key}, timeframe="today")
        assert answer["timezone"] == "Asia/Kolkata"
        start = datetime.fromisoformat(answer["timeframe"]["from"])
        # Midnight in Kolkata is 18:30 UTC.
        assert (start.hour, start.minute) == (18, 30)
        assert datetime.now(UTC) - start < timedelta(days=1)
        utc = await get(client, "plays", query={"key": key}, timeframe="today", timezone="UTC")
        assert utc["timezone"] == "UTC"


async def test_compare_beside_the_asked_period(server: ServerProcess, api_key: str) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        for endpoint, listing in (("plays", "views"), ("views", "views"), ("sources", "sources"),
                                  ("engagement", "engagement"), ("videos", "videos")):  # fmt: skip
            answer = await get(
                client, endpoint, query={"key": api_key}, timeframe="7 days", compare="previous"
            )
            main, other = answer["timeframe"], answer["compare"]["timeframe"]
            assert listing in answer["compare"]
            # The week before, ending just before this one starts.
            gap = datetime.fromisoformat(main["from"]) - datetime.fromisoformat(other["to"])
            assert gap == timedelta(microseconds=1)
            yearly = await get(client, endpoint, query={"key": api_key}, timeframe="7 days", compare="year")
            assert yearly["compare"]["timeframe"]["from"][:4] == str(int(main["from"][:4]) - 1)
