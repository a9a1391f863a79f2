"""Engagement ranges in one pass give exactly the per-segment definition's numbers: segments on
range boundaries, touching, overlapping, rewatched, past the video's length, three or more of
them, and arrays of shapes the recorder never writes."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest

from app.api import stats
from app.api.params import VideoQuery
from app.api.stats import range_counts
from tests.api.sessions import Watch, record_all
from tests.support.server import ServerProcess

SEGMENTS_A: list[list[tuple[float, float]]] = [
    [(0, 10)],  # ends exactly on a boundary of 3 ranges
    [(10, 20)],  # starts exactly on one
    [(5, 5.5), (12, 19)],
    [(2, 8), (4, 9)],  # a rewatch inside a range
    [(0, 10), (10, 15)],  # touching
    [(1, 2), (3, 4), (25, 29.999)],  # three: the other path
    [(29.5, 30)],
    [(7.3, 7.31)],
    [(0.1, 0.2), (29.9, 30)],  # first and last range only
    [(i * 0.7, i * 0.7 + 0.3) for i in range(40)],  # more than the covering index holds
]
SEGMENTS_B: list[list[tuple[float, float]]] = [[(0, 100)], [(50, 119)], [(20, 21), (118, 120)]]


def test_exact_for() -> None:
    assert range_counts.exact_for(30.0)
    assert range_counts.exact_for(1e-9)
    assert not range_counts.exact_for(1e-300)
    assert not range_counts.exact_for(1e305)


@pytest.fixture(scope="module")
async def recorded(server: ServerProcess, database_url: str) -> tuple[str, list[uuid.UUID]]:
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        key = (await client.post("/api/v1/keys")).json()["key"]
    watches = [Watch({"vid": "ranged-a"}, segments, 30) for segments in SEGMENTS_A]
    watches += [Watch({"vid": "ranged-b"}, segments, 120) for segments in SEGMENTS_B]
    # The player reports a shorter length later: the earlier sessions reach past it.
    watches.append(Watch({"vid": "ranged-b"}, [(0, 44)], 45))
    db = await asyncpg.connect(database_url)
    try:
        ids = await record_all(server, key, db, watches)
    finally:
        await db.close()
    return key, ids


COUNTS = [1, 2, 3, 7, 10, 64, 1000]


async def compare(pool: asyncpg.Pool, key: str) -> int:
    compared = 0
    now = datetime.now(UTC)
    queries = [
        VideoQuery(key=key),
        VideoQuery(key=key, video={"vid": "ranged-a"}),
        VideoQuery(key=key, video={"vid": "ranged-b"}),
    ]
    async with pool.acquire() as connection:
        for query in queries:
            scope = await stats.scope_for(connection, query, now - timedelta(days=1), now + timedelta(days=1))
            assert scope is not None
            length = await stats.duration(connection, scope)
            assert length is not None
            for count, cut in itertools.product(COUNTS, [length, 10.0, 29.999, 0.1, 1e6, 1e-300]):
                fast = await stats.ranges(connection, scope, cut, count)
                exact = await stats.ranges(connection, scope, cut, count, single_pass=False)
                assert fast == exact, (query, cut, count)
                compared += sum(r.viewers for r in exact)
    return compared


async def test_single_pass_equals_per_segment(
    api_pool: asyncpg.Pool, recorded: tuple[str, list[uuid.UUID]]
) -> None:
    key, ids = recorded
    assert await compare(api_pool, key) > 0

    # Arrays the recorder never writes, as a hand-made row could hold them.
    odd = [
        "{{5,3}}",  # backwards
        "{{4,4}}",  # empty
        "{}",
        "{1,2}",  # one dimension
        "[0:0][1:2]={{3,6}}",  # another lower bound
        "{{0,10},{10,12},{13,14},{20,21}}",
        "{{6,9},{1,2}}",  # out of order
        "{{-5,2}}",  # before the start
    ]
    async with api_pool.acquire() as connection:
        for session_id, segments in zip(ids, odd, strict=False):
            await connection.execute(
                "UPDATE sessions SET segments = $2::text::float8[] WHERE id = $1", session_id, segments
            )
    assert await compare(api_pool, key) > 0
