"""Reading what the server counted through its REST API, as a site owner would."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx


async def api(base_url: str, endpoint: str, **params: Any) -> dict[str, Any]:
    query = {name: v if isinstance(v, str) else json.dumps(v) for name, v in params.items()}
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
        response = await client.get(f"/api/v1/{endpoint}", params=query)
    assert response.status_code == 200, f"{endpoint}: {response.status_code} {response.text}"
    answer: dict[str, Any] = response.json()
    return answer


async def plays(
    base_url: str, key: str, since: float, expect: int, within: float = 15.0, min_total: float = 0.0
) -> dict[str, Any]:
    """The key's plays since `since` in one bucket, once `expect` of them are counted (and, when
    a session that was stored once goes on being written, once `min_total` seconds are)."""
    deadline = time.monotonic() + within
    while True:
        window = {"from": int(since) - 1, "to": int(time.time()) + 60}
        answer = await api(base_url, "plays", query={"key": key}, interval="1 day", timeframe=window)
        views = sum(bucket["views"] for bucket in answer["views"])
        total = sum(bucket["total_view_time"] for bucket in answer["views"])
        if (views >= expect and total >= min_total) or time.monotonic() > deadline:
            if views != expect:  # say what was stored at all, plays or not, to tell the cases apart
                everything = {"interval": "1 day", "timeframe": window, "minimum_watch_seconds": 0}
                stored = await api(base_url, "plays", query={"key": key}, **everything)
                raise AssertionError(f"expected {expect} plays, the API counted {answer}; sessions: {stored}")
            assert len(answer["views"]) == 1, answer
            bucket: dict[str, Any] = answer["views"][0]
            return bucket
        await asyncio.sleep(0.25)


async def until_watching(base_url: str, count: int, within: float = 40.0) -> None:
    """Wait until the server reports `count` sessions playing (e.g. a page has rejoined)."""
    deadline = time.monotonic() + within
    while True:
        answer = await api(base_url, "watching")
        if answer["watching"] == count:
            return
        assert time.monotonic() < deadline, f"expected {count} playing, the API says {answer}"
        await asyncio.sleep(0.25)
