"""The sources rollups give exactly the rows the sessions give, for a key and for videos, through
inserts, moves in time, checkpoint rewrites and deletes; and they are only used where that holds."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest

from app.api import stats
from app.api.params import VideoQuery
from app.api.stats import rollup
from app.db.migrate import has_timescaledb
from app.intervals import Interval
from tests.api.sessions import CHROME_ANDROID, FIREFOX_WINDOWS, SAFARI_IPHONE, Watch, move, record_all
from tests.support.server import ServerProcess

T0 = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
MOVES = [
    T0 + timedelta(minutes=10),
    T0 + timedelta(hours=13, minutes=59, seconds=59, microseconds=999_999),  # last moment of a day
    T0 + timedelta(hours=14),  # exactly on a day
    T0 + timedelta(hours=15, minutes=30),
    T0 + timedelta(days=3, hours=2),
    T0 + timedelta(days=5, hours=15, minutes=20),
    T0 + timedelta(days=5, hours=15, minutes=20),  # the same hour, page and video as the one before
    T0 + timedelta(days=40),
    T0 + timedelta(days=40, hours=1),
]
# Watched seconds on and either side of the rollups' thresholds.
LENGTHS = [0.5, 1.0, 2.9, 3.0, 5.5, 10.0, 29.9, 30.0, 61.0]
PAGES = [
    "https://shop.example.com/products/shoes",
    "https://blog.example.org/" + "long-path/" * 150,  # 1,500 characters: longer than a key can be
    "https://shop.example.com/products/hats",
]
HOUR = 3_600_000_000
DAY = 24 * HOUR


def test_sources_grain_only_where_exact() -> None:
    assert rollup.sources_grain(1, Interval(microseconds=HOUR), 1.0) == "hour"
    assert rollup.sources_grain(1, Interval(months=1), 60) == "hour"
    assert rollup.sources_grain(None, Interval(microseconds=DAY), 0) == "day"
    assert rollup.sources_grain(None, Interval(months=3), 30) == "day"
    assert rollup.sources_grain(None, Interval(microseconds=HOUR), 1) is None  # videos by the hour
    assert rollup.sources_grain(1, Interval(microseconds=HOUR // 2), 1) is None  # half hours
    assert rollup.sources_grain(1, Interval(microseconds=DAY), 2) is None  # not a threshold
    assert rollup.sources_grain(None, Interval(microseconds=DAY), 2.5) is None


def test_full_days() -> None:
    midnight = datetime(2024, 5, 1, tzinfo=UTC)
    two_days = midnight + timedelta(days=2)
    assert rollup.full_days(midnight, two_days) == (midnight, two_days)
    assert rollup.full_days(midnight + timedelta(seconds=1), midnight + timedelta(days=3, hours=5)) == (
        midnight + timedelta(days=1),
        midnight + timedelta(days=3),
    )
    assert rollup.full_days(midnight + timedelta(hours=1), midnight + timedelta(days=1, hours=5)) is None


@pytest.fixture(scope="module")
async def moved(server: ServerProcess, database_url: str) -> tuple[str, list[uuid.UUID]]:
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        key = (await client.post("/api/v1/keys")).json()["key"]
    agents = itertools.cycle([CHROME_ANDROID, FIREFOX_WINDOWS, SAFARI_IPHONE])
    pages = itertools.cycle(PAGES)
    watches = [
        Watch(
            {"vid": "sourced", "n": i % 2},
            [(2.0, 2.0 + length)],
            120,
            page=next(pages) if i != 6 else PAGES[2],
            user_agent=next(agents),
        )
        for i, length in enumerate(LENGTHS)
    ]
    db = await asyncpg.connect(database_url)
    try:
        ids = await record_all(server, key, db, watches)
        for session_id, moment in zip(ids, MOVES, strict=True):
            await move(db, session_id, moment)
    finally:
        await db.close()
    return key, ids


INTERVALS = [
    Interval(microseconds=HOUR),
    Interval(microseconds=DAY),
    Interval(microseconds=2 * DAY),
    Interval(microseconds=7 * DAY),
    Interval(months=1),
    Interval(months=12),
    Interval(microseconds=HOUR // 2),  # neither rollup: from the sessions
]
MINIMUMS = [0, 1, 2, 3, 5, 10, 30, 60, 2.5]
TIMEFRAMES = [
    (T0 - timedelta(days=1), T0 + timedelta(days=60)),
    (T0 + timedelta(minutes=5), T0 + timedelta(days=5, hours=15, minutes=30)),
    (T0 + timedelta(minutes=30), T0 + timedelta(days=3, hours=2)),  # ends exactly on a session
    (T0 - timedelta(hours=10), T0 + timedelta(days=5, hours=14)),  # whole days only
    (T0 - timedelta(days=1), T0 + timedelta(hours=1, minutes=1)),
]


async def compare(pool: asyncpg.Pool, query: VideoQuery, start: datetime, end: datetime) -> int:
    compared = 0
    async with pool.acquire() as connection:
        timescale = await has_timescaledb(connection)
        scope = await stats.scope_for(connection, query, start, end)
        assert scope is not None
        for interval, minimum in itertools.product(INTERVALS, MINIMUMS):
            rolled = await stats.sources(connection, scope, interval, minimum, timescale=timescale)
            raw = await stats.sources(
                connection, scope, interval, minimum, timescale=timescale, use_rollup=False
            )
            assert rolled == raw, (query, start, end, interval, minimum)
            compared += sum(row.views for row in raw)
    return compared


async def test_sources_rollups_equal_sessions(
    api_pool: asyncpg.Pool, moved: tuple[str, list[uuid.UUID]]
) -> None:
    key, ids = moved
    queries = [VideoQuery(key=key), VideoQuery(key=key, video={"vid": "sourced"})]
    for query in queries:
        assert await compare(api_pool, query, *TIMEFRAMES[0]) > 0
        for start, end in TIMEFRAMES[1:]:
            await compare(api_pool, query, start, end)

    # A checkpoint rewritten as final with more watched, one moved to another page, a retention delete.
    async with api_pool.acquire() as connection:
        await connection.execute(
            "UPDATE sessions SET watched = watched + 9, unique_watched = unique_watched + 9 WHERE id = $1",
            ids[0],
        )
        await connection.execute("UPDATE sessions SET page_url = $2 WHERE id = $1", ids[4], PAGES[0])
        # Checkpoint rewrites that stay in the same rollup rows (migration 010's short paths):
        # a fraction of a second more, which crosses no whole second and no plays threshold,
        # and the final flag and the process id, which no rollup counts.
        await connection.execute(
            "UPDATE sessions SET watched = watched + 0.25, unique_watched = unique_watched + 0.125,"
            " final = NOT final, process_id = gen_random_uuid() WHERE id = ANY($1::uuid[])",
            [ids[1], ids[2]],
        )
        await connection.execute("DELETE FROM sessions WHERE id = $1", ids[3])
    for query in queries:
        for start, end in TIMEFRAMES:
            await compare(api_pool, query, start, end)
