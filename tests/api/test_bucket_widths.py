"""Day, week, month and hour buckets over sessions moved to known times, expected by hand.

The sessions are recorded over the websocket like any other; only their start times are then
moved to fixed dates, since a server records the present and buckets need a known past.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import pytest

from tests.api.sessions import Watch, move, record_all
from tests.support.server import ServerProcess

MOVED_TO = [
    datetime(2024, 4, 30, 23, 0, tzinfo=UTC),  # a Tuesday
    datetime(2024, 5, 1, 10, 0, tzinfo=UTC),  # the Wednesday after
    datetime(2024, 5, 1, 10, 30, tzinfo=UTC),
    datetime(2024, 5, 6, 1, 0, tzinfo=UTC),  # the next Monday
    datetime(1999, 12, 31, 12, 0, tzinfo=UTC),  # before the origins
]
WINDOW = {
    "from": int(datetime(1999, 1, 1, tzinfo=UTC).timestamp()),
    "to": int(datetime(2024, 6, 1, tzinfo=UTC).timestamp()),
}


@pytest.fixture(scope="module")
async def moved_key(server: ServerProcess, database_url: str) -> AsyncIterator[str]:
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        key = (await client.post("/api/v1/keys")).json()["key"]
    db = await asyncpg.connect(database_url)
    try:
        watches = [Watch({"vid": "moved"}, [(0, 10)], 10) for _ in MOVED_TO]
        ids = await record_all(server, key, db, watches)
        for session_id, moment in zip(ids, MOVED_TO, strict=True):
            await move(db, session_id, moment)
    finally:
        await db.close()
    yield key


async def buckets(server: ServerProcess, key: str, interval: str) -> list[tuple[str, int]]:
    params: dict[str, Any] = {"query": {"key": key}, "interval": interval, "timeframe": WINDOW}
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        response = await client.get(
            "/api/v1/plays",
            params={
                name: value if isinstance(value, str) else json.dumps(value) for name, value in params.items()
            },
        )
    assert response.status_code == 200, response.text
    return [(bucket["interval"], bucket["views"]) for bucket in response.json()["views"]]


@pytest.mark.parametrize(
    ("interval", "expected"),
    [
        (
            "1 day",
            [
                ("1999-12-31T00:00:00.000000Z", 1),
                ("2024-04-30T00:00:00.000000Z", 1),
                ("2024-05-01T00:00:00.000000Z", 2),
                ("2024-05-06T00:00:00.000000Z", 1),
            ],
        ),
        (
            "1 week",  # weeks start on Mondays: 1999-12-27, 2024-04-29, 2024-05-06
            [
                ("1999-12-27T00:00:00.000000Z", 1),
                ("2024-04-29T00:00:00.000000Z", 3),
                ("2024-05-06T00:00:00.000000Z", 1),
            ],
        ),
        (
            "1 month",
            [
                ("1999-12-01T00:00:00.000000Z", 1),
                ("2024-04-01T00:00:00.000000Z", 1),
                ("2024-05-01T00:00:00.000000Z", 3),
            ],
        ),
        (
            "12 months",
            [("1999-01-01T00:00:00.000000Z", 1), ("2024-01-01T00:00:00.000000Z", 4)],
        ),
        (
            "5 years",  # from 2000-01-01 in steps of 60 months: 1995, 2020
            [("1995-01-01T00:00:00.000000Z", 1), ("2020-01-01T00:00:00.000000Z", 4)],
        ),
        (
            "1 hour",
            [
                ("1999-12-31T12:00:00.000000Z", 1),
                ("2024-04-30T23:00:00.000000Z", 1),
                ("2024-05-01T10:00:00.000000Z", 2),
                ("2024-05-06T01:00:00.000000Z", 1),
            ],
        ),
    ],
)
async def test_bucket_widths(
    server: ServerProcess, moved_key: str, interval: str, expected: list[tuple[str, int]]
) -> None:
    assert await buckets(server, moved_key, interval) == expected


async def test_timeframe_edges_are_inclusive(server: ServerProcess, moved_key: str) -> None:
    exact = int(datetime(2024, 5, 6, 1, 0, tzinfo=UTC).timestamp())
    params = {"query": {"key": moved_key}, "interval": "1 day", "timeframe": {"from": exact, "to": exact}}
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        response = await client.post("/api/v1/plays", json=params)
    assert [b["views"] for b in response.json()["views"]] == [1]
