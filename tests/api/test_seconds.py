"""Per-second engagement from runs of seconds gives exactly the definition's numbers, for any
segments a row can hold: generated, hostile ones included (subnormal, huge, backwards, NaN)."""

from __future__ import annotations

import math
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.api import stats
from app.api.stats import seconds
from app.intervals import Interval
from tests.support.databases import migrated_pool

Segments = list[tuple[float, float]]


def definition(sessions: list[Segments]) -> dict[int, int]:
    """Sessions per second, straight from the definition: a segment [a, b] with b > a touches
    the seconds floor(a) .. ceil(b) - 1, within [0, MAX_SECOND); each session once a second."""
    views: Counter[int] = Counter()
    for segments in sessions:
        touched: set[int] = set()
        for a, b in segments:
            if not _greater(b, a):
                continue
            lo = _clamp(math.floor(a) if math.isfinite(a) else a)
            hi = _clamp(math.ceil(b) if math.isfinite(b) else b)
            touched.update(range(lo, hi))
        views.update(touched)
    return dict(views)


def _greater(b: float, a: float) -> bool:
    """b > a as PostgreSQL compares float8: NaN equals NaN and sorts above every number."""
    if math.isnan(b):
        return not math.isnan(a)
    return not math.isnan(a) and b > a


def _clamp(value: float) -> int:
    # PostgreSQL: least(greatest(x, 0), max); NaN sorts above every number, so it becomes max.
    if math.isnan(value):
        return seconds.MAX_SECOND
    return int(min(max(value, 0), seconds.MAX_SECOND))


@pytest.fixture(scope="module")
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    async with migrated_pool(database_url, "seconds") as pool:
        yield pool


async def per_second(pool: asyncpg.Pool, sessions: list[Segments]) -> dict[int, int]:
    async with pool.acquire() as connection, connection.transaction():
        await connection.execute("TRUNCATE sessions, videos, keys CASCADE")
        key_id = await connection.fetchval("INSERT INTO keys (key) VALUES ('k') RETURNING id")
        video_id = await connection.fetchval(
            "INSERT INTO videos (key_id, metadata) VALUES ($1, '{}') RETURNING id", key_id
        )
        now = datetime.now(UTC)
        for segments in sessions:
            await connection.execute(
                """
                INSERT INTO sessions (id, started_at, ended_at, key_id, video_id, browser, platform,
                                      device, page_host, page_url, segments, watched, unique_watched, final)
                VALUES ($1, $2, $2, $3, $4, 'chrome', 'linux', 'desktop', 'h', 'https://h/', $5, 0, 0, true)
                """,
                uuid.uuid4(),
                now,
                key_id,
                video_id,
                [list(segment) for segment in segments] if segments else [],
            )
        scope = stats.Scope(now - timedelta(hours=1), now + timedelta(hours=1), key_id=key_id)
        buckets = await stats.per_second(connection, scope, Interval(months=12), timescale=False)
    assert len(buckets) <= 1
    return {s.second: s.views for bucket in buckets for s in bucket.per_second}


positions = st.one_of(
    st.floats(min_value=0, max_value=40, allow_nan=False),
    st.integers(min_value=0, max_value=40).map(float),
    st.sampled_from([5e-324, 1e-310, -3.0, 1e300, math.inf, -math.inf, math.nan, 999_999.5]),
)
segment = st.tuples(positions, positions)
session = st.lists(segment, max_size=5)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sessions=st.lists(session, min_size=1, max_size=6))
async def test_runs_give_the_definitions_numbers(pool: asyncpg.Pool, sessions: list[Segments]) -> None:
    expected = definition(sessions)
    if len(expected) > seconds.MAX_LISTED:
        with pytest.raises(seconds.TooManySeconds):
            await per_second(pool, sessions)
        return
    assert await per_second(pool, sessions) == expected


async def test_a_million_second_claim_is_refused_not_listed(pool: asyncpg.Pool) -> None:
    """One session claiming the longest video: 1,000,000 seconds, five times what an answer lists."""
    with pytest.raises(seconds.TooManySeconds) as refused:
        await per_second(pool, [[(0.0, 1_000_000.0)]])
    assert refused.value.listed == 1_000_000


async def test_the_largest_answer_is_listed(pool: asyncpg.Pool) -> None:
    answer = await per_second(pool, [[(0.0, float(seconds.MAX_LISTED))], [(10.0, 20.0)]])
    assert len(answer) == seconds.MAX_LISTED
    assert answer[0] == 1 and answer[10] == 2 and answer[19] == 2 and answer[20] == 1
    with pytest.raises(seconds.TooManySeconds):
        await per_second(pool, [[(0.0, seconds.MAX_LISTED + 0.5)]])
