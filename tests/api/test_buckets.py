"""Bucket starts: the plain-PostgreSQL SQL equals time_bucket's definition, for any time and width."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from asyncpg.pool import PoolConnectionProxy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.api.buckets import bucket_sql, bucket_start
from app.db.migrate import has_timescaledb
from app.intervals import Interval
from app.zones import UTC_ZONE

DAY = 86_400_000_000


def test_reference_definition_by_hand() -> None:
    week = Interval(microseconds=7 * DAY)
    # 2000-01-03 is a Monday: weeks start on Mondays, before and after the origin.
    assert bucket_start(week, datetime(2024, 5, 2, 15, tzinfo=UTC)) == datetime(2024, 4, 29, tzinfo=UTC)
    assert bucket_start(week, datetime(1999, 12, 31, tzinfo=UTC)) == datetime(1999, 12, 27, tzinfo=UTC)
    day = Interval(microseconds=DAY)
    assert bucket_start(day, datetime(1969, 7, 20, 20, 17, tzinfo=UTC)) == datetime(1969, 7, 20, tzinfo=UTC)
    quarter = Interval(months=3)
    assert bucket_start(quarter, datetime(2024, 5, 2, tzinfo=UTC)) == datetime(2024, 4, 1, tzinfo=UTC)
    assert bucket_start(quarter, datetime(1999, 12, 31, tzinfo=UTC)) == datetime(1999, 10, 1, tzinfo=UTC)
    year = Interval(months=12)
    assert bucket_start(year, datetime(2024, 12, 31, 23, 59, tzinfo=UTC)) == datetime(2024, 1, 1, tzinfo=UTC)
    five_years = Interval(months=60)
    assert bucket_start(five_years, datetime(1999, 1, 1, tzinfo=UTC)) == datetime(1995, 1, 1, tzinfo=UTC)


moments = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC))
fixed_widths = st.one_of(
    st.integers(min_value=1_000_000, max_value=200 * 366 * DAY),
    st.sampled_from([1, 60, 3600, 86_400, 7 * 86_400]).map(lambda s: s * 1_000_000),
    st.integers(min_value=1, max_value=1000).map(lambda n: n * 3_600_000_000),
).map(lambda us: Interval(microseconds=us))
month_widths = st.integers(min_value=1, max_value=2400).map(lambda m: Interval(months=m))


async def _sql_buckets(
    connection: asyncpg.Connection, width: Interval, times: list[datetime], *, timescale: bool
) -> list[datetime]:
    bucket = bucket_sql(width, UTC_ZONE, "t", 2, timescale=timescale)
    rows = await connection.fetch(
        f"SELECT {bucket.expression} AS b FROM unnest($1::timestamptz[]) WITH ORDINALITY AS u(t, i) "
        "ORDER BY i",
        times,
        *bucket.values,
    )
    return [row["b"] for row in rows]


@pytest.fixture
async def connection(api_pool: asyncpg.Pool) -> AsyncIterator[PoolConnectionProxy]:
    async with api_pool.acquire() as connection:
        # A session time zone far from UTC: buckets must not depend on it.
        await connection.execute("SET TIME ZONE 'Pacific/Chatham'")
        try:
            yield connection
        finally:
            await connection.execute("RESET TIME ZONE")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(width=st.one_of(fixed_widths, month_widths), times=st.lists(moments, min_size=1, max_size=20))
async def test_plain_sql_matches_time_bucket_definition(
    connection: asyncpg.Connection, width: Interval, times: list[datetime]
) -> None:
    expected = [bucket_start(width, moment) for moment in times]
    assert await _sql_buckets(connection, width, times, timescale=False) == expected


async def test_edges_around_the_origins(connection: asyncpg.Connection) -> None:
    edges = [datetime(2000, 1, 3, tzinfo=UTC) + timedelta(microseconds=d) for d in (-1, 0, 1)]
    edges += [datetime(2000, 1, 1, tzinfo=UTC) + timedelta(microseconds=d) for d in (-1, 0, 1)]
    for width in (Interval(microseconds=7 * DAY), Interval(microseconds=1_000_000), Interval(months=1)):
        expected = [bucket_start(width, moment) for moment in edges]
        assert await _sql_buckets(connection, width, edges, timescale=False) == expected


async def test_timescale_time_bucket_agrees(connection: asyncpg.Connection) -> None:
    if not await has_timescaledb(connection):
        pytest.skip("TimescaleDB is not installed in this database: run with DATABASE_URL naming one")
    times = [datetime(1999, 12, 31, 23, tzinfo=UTC), datetime(2024, 5, 2, 15, 30, tzinfo=UTC)]
    for width in (Interval(microseconds=7 * DAY), Interval(microseconds=3_600_000_000), Interval(months=3)):
        assert await _sql_buckets(connection, width, times, timescale=True) == [
            bucket_start(width, moment) for moment in times
        ]
