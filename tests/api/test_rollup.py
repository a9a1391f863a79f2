"""The hourly rollup gives exactly the numbers the sessions give, through inserts, checkpoint
rewrites, moves in time and deletes; and it is only used where that holds."""

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
    T0 + timedelta(minutes=10),  # in the partial first hour of the later timeframes
    T0 + timedelta(minutes=59, seconds=59, microseconds=999_999),
    T0 + timedelta(hours=1),  # exactly on an hour
    T0 + timedelta(hours=5, minutes=30),
    T0 + timedelta(days=3, hours=2),
    T0 + timedelta(days=5, hours=15, minutes=20),  # in the partial last hour
    T0 + timedelta(days=40),
]
HOUR = 3_600_000_000


def test_usable_only_where_exact() -> None:
    day = Interval(microseconds=24 * HOUR)
    assert rollup.usable(1, day, 1.0)
    assert rollup.usable(1, Interval(months=1), 600)
    assert not rollup.usable(None, day, 1.0)  # videos, not a whole key
    assert not rollup.usable(1, day, 2.5)  # between classes
    assert not rollup.usable(1, day, 601)  # past the last class
    assert not rollup.usable(1, Interval(microseconds=HOUR // 2), 1)  # half hours


def test_full_hours() -> None:
    assert rollup.full_hours(T0, T0 + timedelta(hours=2)) == (T0, T0 + timedelta(hours=2))
    later = T0 + timedelta(minutes=1)
    assert rollup.full_hours(later, T0 + timedelta(hours=3, minutes=5)) == (
        T0 + timedelta(hours=1),
        T0 + timedelta(hours=3),
    )
    assert rollup.full_hours(later, T0 + timedelta(hours=1, minutes=5)) is None


@pytest.fixture(scope="module")
async def moved(server: ServerProcess, database_url: str) -> tuple[str, list[uuid.UUID]]:
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        key = (await client.post("/api/v1/keys")).json()["key"]
    agents = itertools.cycle([CHROME_ANDROID, FIREFOX_WINDOWS, SAFARI_IPHONE])
    watches = [
        Watch({"vid": "rolled", "n": i % 2}, [(0, 0.5 + 3.7 * i)], 120, user_agent=next(agents))
        for i in range(len(MOVES))
    ]
    db = await asyncpg.connect(database_url)
    try:
        ids = await record_all(server, key, db, watches)
        for session_id, moment in zip(ids, MOVES, strict=True):
            await move(db, session_id, moment)
    finally:
        await db.close()
    return key, ids


async def compare(pool: asyncpg.Pool, key: str, start: datetime, end: datetime) -> int:
    compared = 0
    async with pool.acquire() as connection:
        # The rollup is read with time_bucket on TimescaleDB: compare it on the kind under test.
        timescale = await has_timescaledb(connection)
        scope = await stats.scope_for(connection, VideoQuery(key=key), start, end)
        assert scope is not None
        for interval, minimum in itertools.product(
            [Interval(microseconds=HOUR), Interval(microseconds=24 * HOUR),
             Interval(microseconds=7 * 24 * HOUR), Interval(months=1), Interval(months=12)],
            [0, 1, 4, 8, 600],
        ):  # fmt: skip
            rolled = await stats.plays(connection, scope, interval, minimum, timescale=timescale)
            raw = await stats.plays(
                connection, scope, interval, minimum, timescale=timescale, use_rollup=False
            )
            assert len(rolled) == len(raw), (interval, minimum)
            for a, b in zip(rolled, raw, strict=True):
                assert (a.start, a.views, a.browser, a.device, a.platform) == (
                    b.start, b.views, b.browser, b.device, b.platform
                )  # fmt: skip
                assert a.total_view_time == pytest.approx(b.total_view_time)
                assert a.unique_total_view_time == pytest.approx(b.unique_total_view_time)
            compared += sum(bucket.views for bucket in raw)
    return compared


TIMEFRAMES = [
    (T0, T0 + timedelta(days=60)),
    (T0 + timedelta(minutes=5), T0 + timedelta(days=5, hours=15, minutes=30)),
    (T0 + timedelta(minutes=30), T0 + timedelta(days=3, hours=2)),  # ends exactly on a session
    (T0 - timedelta(days=1), T0 + timedelta(hours=1, minutes=1)),
]


async def test_rollup_equals_sessions(api_pool: asyncpg.Pool, moved: tuple[str, list[uuid.UUID]]) -> None:
    key, ids = moved
    assert await compare(api_pool, key, *TIMEFRAMES[0]) > 0
    for start, end in TIMEFRAMES[1:]:
        await compare(api_pool, key, start, end)

    # A checkpoint rewritten as final with more watched, and a retention delete.
    async with api_pool.acquire() as connection:
        await connection.execute(
            "UPDATE sessions SET watched = watched + 9, unique_watched = unique_watched + 9 WHERE id = $1",
            ids[0],
        )
        # Checkpoint rewrites that stay in the same rollup rows (migration 010's short paths):
        # a fraction of a second more, which crosses no whole second and no plays threshold,
        # and the final flag and the process id, which no rollup counts.
        await connection.execute(
            "UPDATE sessions SET watched = watched + 0.25, unique_watched = unique_watched + 0.125,"
            " final = NOT final, process_id = gen_random_uuid() WHERE id = ANY($1::uuid[])",
            [ids[1], ids[2]],
        )
        await connection.execute("DELETE FROM sessions WHERE id = $1", ids[3])
    for start, end in TIMEFRAMES:
        await compare(api_pool, key, start, end)
