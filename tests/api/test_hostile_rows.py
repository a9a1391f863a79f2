"""Whatever a row of the schema can hold, every endpoint answers: numbers, or a 400 that says what
to ask instead, never a 500. Keys are public, so any page can store what ingest lets through,
and an old row (or a hand-made one) can hold what ingest no longer does."""

from __future__ import annotations

import json
import math
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from tests.support.server import ServerProcess

# Segments a row may hold: subnormal, tiny, huge, infinite, NaN, backwards, many.
HOSTILE_SEGMENTS: list[list[list[float]]] = [
    [[5e-324, 1.0], [2.0, 3.0], [4.0, 5.0]],  # the case: subnormal, three segments
    [[5e-324, 5e-324]],
    [[1e-300, 2e-300]],
    [[0.0, 1e-6], [1e-6, 2e-6]],
    [[1e300, 1e301]],
    [[0.0, math.inf]],
    [[-math.inf, 3.0]],
    [[math.nan, 4.0], [2.0, math.nan], [math.nan, math.nan]],
    [[9.0, 3.0]],
    [[float(i), i + 0.5] for i in range(40)],
    [[0.0, 999_999.0]],
]
# Durations the videos table accepts at its edges (migrations/010), and none.
DURATIONS: list[float | None] = [1e-6, 2.5e-6, 1e6, None, 60.0]


@pytest.fixture(scope="module")
async def hostile_key(server: ServerProcess, database_url: str) -> str:
    key = f"hostile-{uuid.uuid4().hex[:12]}"
    db = await asyncpg.connect(database_url)
    try:
        key_id = await db.fetchval("INSERT INTO keys (key) VALUES ($1) RETURNING id", key)
        now = datetime.now(UTC)
        for v, duration in enumerate(DURATIONS):
            video_id = await db.fetchval(
                "INSERT INTO videos (key_id, metadata, identifier, duration) VALUES ($1, $2, $3, $4) "
                "RETURNING id",
                key_id,
                json.dumps({"hostile": v}),
                f"{key}-{v}",
                duration,
            )
            for n, segments in enumerate(HOSTILE_SEGMENTS):
                await db.execute(
                    """
                    INSERT INTO sessions (id, started_at, ended_at, key_id, video_id, browser, platform,
                                          device, page_host, page_url, segments, watched,
                                          unique_watched, final)
                    VALUES ($1, $2, $2, $3, $4, 'chrome', 'linux', 'desktop', 'h.example',
                            'https://h.example/', $5, $6, $6, true)
                    """,
                    uuid.uuid4(),
                    now - timedelta(minutes=n),
                    key_id,
                    video_id,
                    segments,
                    [0.0, 5e-324, 1e-6, 3.0, 1e12][n % 5],
                )
    finally:
        await db.close()
    return key


SCOPES: list[dict[str, Any]] = [
    {"query": {"key": "KEY"}},
    {"query": {"key": "KEY", "video": {"hostile": 0}}},
    {"query": {"key": "KEY", "video": {"hostile": 1}}},
    {"query": {"key": "KEY", "video": {"hostile": 2}}},
    {"identifier": "KEY-3"},
]
ASKS: list[tuple[str, dict[str, Any]]] = [
    ("plays", {}),
    ("plays", {"minimum_watch_seconds": 0}),
    ("plays", {"interval": "1 hour", "minimum_watch_seconds": 3}),
    ("views", {}),
    ("sources", {}),
    ("sources", {"minimum_watch_seconds": 0.5}),
    ("engagement", {"ranges": 1}),
    ("engagement", {"ranges": 10}),
    ("engagement", {"ranges": 1000}),
    ("engagement", {}),
    ("watching", {}),
]


@pytest.mark.parametrize(("endpoint", "extra"), ASKS)
async def test_every_endpoint_answers_over_hostile_rows(
    server: ServerProcess, hostile_key: str, endpoint: str, extra: dict[str, Any]
) -> None:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
        for scope in SCOPES:
            body = json.loads(json.dumps(scope).replace("KEY", hostile_key)) | extra
            if endpoint == "watching":
                body.pop("timeframe", None)
            response = await client.post(f"/api/v1/{endpoint}", json=body)
            if response.status_code == 400:
                # Only per-second engagement may refuse: its answer would be too long to list.
                assert endpoint == "engagement" and "ranges" not in extra, response.text
                assert response.json()["parameter"] == "ranges"
                assert "per-second engagement would list" in response.json()["error"]
                continue
            assert response.status_code == 200, (endpoint, body, response.text)
            _finite_numbers(response.json())


def _finite_numbers(value: Any) -> None:
    if isinstance(value, float):
        assert math.isfinite(value)
    elif isinstance(value, dict):
        for inner in value.values():
            _finite_numbers(inner)
    elif isinstance(value, list):
        for inner in value:
            _finite_numbers(inner)


async def test_the_subnormal_three_segment_session_is_counted_where_it_watched(
    server: ServerProcess, hostile_key: str
) -> None:
    """Video 4 is 60 s long; the issue's row watched [0, 1] [2, 3] [4, 5]: range 0 of 10."""
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        response = await client.post(
            "/api/v1/engagement",
            json={"query": {"key": hostile_key, "video": {"hostile": 4}}, "ranges": 10},
        )
    assert response.status_code == 200, response.text
    viewers = [r["viewers"] for r in response.json()["engagement"]]
    assert len(viewers) == 10 and viewers[0] >= 1


@pytest.mark.parametrize("duration", [5e-324, 1e-7, 1e6 + 1, math.inf, math.nan, 0.0, -1.0])
async def test_the_schema_refuses_a_duration_no_video_has(db: asyncpg.Connection, duration: float) -> None:
    key_id = await db.fetchval("INSERT INTO keys (key) VALUES ($1) RETURNING id", uuid.uuid4().hex)
    with pytest.raises(asyncpg.CheckViolationError):
        await db.execute(
            "INSERT INTO videos (key_id, metadata, duration) VALUES ($1, '{}', $2)", key_id, duration
        )


@pytest.mark.parametrize("watched", [1e12 + 1, math.inf, math.nan, -1.0])
async def test_the_schema_refuses_a_watched_time_no_session_has(
    db: asyncpg.Connection, watched: float
) -> None:
    key_id = await db.fetchval("INSERT INTO keys (key) VALUES ($1) RETURNING id", uuid.uuid4().hex)
    video_id = await db.fetchval(
        "INSERT INTO videos (key_id, metadata) VALUES ($1, '{}') RETURNING id", key_id
    )
    with pytest.raises(asyncpg.CheckViolationError):
        await db.execute(
            """
            INSERT INTO sessions (id, started_at, ended_at, key_id, video_id, browser, platform, device,
                                  page_host, page_url, segments, watched, unique_watched, final)
            VALUES ($1, now(), now(), $2, $3, 'chrome', 'linux', 'desktop', 'h', 'u', '{}', $4, 0, true)
            """,
            uuid.uuid4(),
            key_id,
            video_id,
            watched,
        )
