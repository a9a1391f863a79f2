"""Buckets in a time zone: the definition by hand across daylight-saving changes and odd offsets,
and the SQL held to it on plain PostgreSQL and on TimescaleDB (`time_bucket(..., zone)`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.api.buckets import bucket_sql, bucket_start
from app.api.stats import Connection
from app.db.migrate import has_timescaledb
from app.intervals import Interval
from app.zones import zone_named
from tests.api.databases import KINDS, pool_of

HOUR = Interval(microseconds=3_600_000_000)
DAY = Interval(microseconds=86_400_000_000)
WEEK = Interval(microseconds=7 * 86_400_000_000)
MONTH = Interval(months=1)
BERLIN = zone_named("Europe/Berlin")
KOLKATA = zone_named("Asia/Kolkata")
KATHMANDU = zone_named("Asia/Kathmandu")
KIRITIMATI = zone_named("Pacific/Kiritimati")


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)


def day_length(zone: ZoneInfo, moment: datetime) -> timedelta:
    start = bucket_start(DAY, moment, zone)
    following = bucket_start(DAY, start + timedelta(hours=26), zone)
    return following - start


def test_berlin_days_across_both_changes() -> None:
    # 31 March 2024: clocks go from 02:00 CET to 03:00 CEST, a day of 23 hours.
    assert bucket_start(DAY, utc(2024, 3, 31, 12), BERLIN) == utc(2024, 3, 30, 23)
    assert day_length(BERLIN, utc(2024, 3, 31, 12)) == timedelta(hours=23)
    # 27 October 2024: from 03:00 CEST back to 02:00 CET, a day of 25 hours.
    assert bucket_start(DAY, utc(2024, 10, 27, 12), BERLIN) == utc(2024, 10, 26, 22)
    assert day_length(BERLIN, utc(2024, 10, 27, 12)) == timedelta(hours=25)
    assert day_length(BERLIN, utc(2024, 10, 28, 12)) == timedelta(hours=24)
    # The last microsecond of a day and the first of the next.
    assert bucket_start(DAY, utc(2024, 10, 27, 22, 59, 59, 999_999), BERLIN) == utc(2024, 10, 26, 22)
    assert bucket_start(DAY, utc(2024, 10, 27, 23), BERLIN) == utc(2024, 10, 27, 23)


def test_berlin_hours_stay_hours_across_both_changes() -> None:
    for day in (utc(2024, 3, 30, 20), utc(2024, 10, 26, 20)):
        for minutes in range(0, 10 * 60, 7):
            moment = day + timedelta(minutes=minutes)
            assert bucket_start(HOUR, moment, BERLIN) == moment.replace(minute=0, second=0)
    # The hour repeated on 27 October is two buckets, an hour each.
    assert bucket_start(HOUR, utc(2024, 10, 27, 0, 30), BERLIN) == utc(2024, 10, 27, 0)
    assert bucket_start(HOUR, utc(2024, 10, 27, 1, 30), BERLIN) == utc(2024, 10, 27, 1)


def test_half_and_three_quarter_hour_zones() -> None:
    # Asia/Kolkata is UTC+5:30 all year: its days start at 18:30 UTC, its hours at half past.
    assert bucket_start(DAY, utc(2024, 5, 1, 18, 29, 59), KOLKATA) == utc(2024, 4, 30, 18, 30)
    assert bucket_start(DAY, utc(2024, 5, 1, 18, 30), KOLKATA) == utc(2024, 5, 1, 18, 30)
    assert bucket_start(HOUR, utc(2024, 5, 1, 10, 10), KOLKATA) == utc(2024, 5, 1, 9, 30)
    # Asia/Kathmandu is UTC+5:45.
    assert bucket_start(DAY, utc(2024, 5, 1, 18, 15), KATHMANDU) == utc(2024, 5, 1, 18, 15)
    assert bucket_start(HOUR, utc(2024, 5, 1, 10, 10), KATHMANDU) == utc(2024, 5, 1, 9, 15)
    assert bucket_start(MONTH, utc(2024, 5, 15), KATHMANDU) == utc(2024, 4, 30, 18, 15)


def test_fourteen_hours_ahead() -> None:
    # Pacific/Kiritimati is UTC+14: its 2 May starts at 10:00 UTC on 1 May.
    assert bucket_start(DAY, utc(2024, 5, 1, 10), KIRITIMATI) == utc(2024, 5, 1, 10)
    assert bucket_start(DAY, utc(2024, 5, 1, 9, 59), KIRITIMATI) == utc(2024, 4, 30, 10)
    # Weeks start on Monday 00:00 local: Monday 6 May 2024 there is Sunday 10:00 UTC.
    assert bucket_start(WEEK, utc(2024, 5, 8), KIRITIMATI) == utc(2024, 5, 5, 10)
    assert bucket_start(MONTH, utc(2024, 5, 15), KIRITIMATI) == utc(2024, 4, 30, 10)
    assert bucket_start(Interval(months=12), utc(2024, 12, 31, 10), KIRITIMATI) == utc(2024, 12, 31, 10)


def test_a_repeated_midnight_starts_the_day_where_time_bucket_does() -> None:
    # Cuba ends daylight saving at 01:00, back to 00:00: midnight of 3 November 2024 happens
    # twice, and PostgreSQL reads it as the later one (05:00 UTC). TimescaleDB 2.28 then steps a
    # moment of the first 00:xx back a whole day, to 2 November 05:00 UTC.
    havana = zone_named("America/Havana")
    assert bucket_start(DAY, utc(2024, 11, 3, 5, 30), havana) == utc(2024, 11, 3, 5)
    assert bucket_start(DAY, utc(2024, 11, 3, 4, 30), havana) == utc(2024, 11, 2, 5)


ZONES = [
    "Europe/Berlin", "Asia/Kolkata", "Asia/Kathmandu", "Pacific/Kiritimati", "America/Havana",
    "America/Santiago", "Australia/Lord_Howe", "Pacific/Chatham", "America/St_Johns",
    "Antarctica/Troll", "Europe/Dublin", "America/Asuncion", "Asia/Tehran", "America/New_York",
]  # fmt: skip
moments = st.one_of(
    st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)),
    # Around the changes of 2024, where the definition has its corners.
    st.integers(min_value=0, max_value=366 * 96).map(lambda n: utc(2024, 1, 1) + timedelta(minutes=15 * n)),
)
widths = st.one_of(
    st.sampled_from([60, 900, 3600, 2 * 3600, 7 * 3600, 86_400, 7 * 86_400]).map(
        lambda s: Interval(microseconds=s * 1_000_000)
    ),
    st.integers(min_value=1_000_000, max_value=40 * 86_400_000_000).map(lambda us: Interval(microseconds=us)),
    st.integers(min_value=1, max_value=120).map(lambda m: Interval(months=m)),
)


async def _sql_buckets(
    connection: Connection, width: Interval, zone: ZoneInfo, times: list[datetime], *, timescale: bool
) -> list[datetime]:
    bucket = bucket_sql(width, zone, "t", 2, timescale=timescale)
    rows = await connection.fetch(
        f"SELECT {bucket.expression} AS b FROM unnest($1::timestamptz[]) WITH ORDINALITY AS u(t, i) "
        "ORDER BY i",
        times,
        *bucket.values,
    )
    return [row["b"] for row in rows]


@pytest.fixture(scope="module", params=KINDS)
async def kind_pool(request: pytest.FixtureRequest, api_pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Pool]:
    async for pool in pool_of(request.param, api_pool, "wtapi_buckets"):
        yield pool


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(width=widths, zone_name=st.sampled_from(ZONES), times=st.lists(moments, min_size=1, max_size=30))
async def test_sql_matches_the_definition(
    kind_pool: asyncpg.Pool, width: Interval, zone_name: str, times: list[datetime]
) -> None:
    zone = zone_named(zone_name)
    expected = [bucket_start(width, moment, zone) for moment in times]
    async with kind_pool.acquire() as connection:
        timescale = await has_timescaledb(connection)
        # Plain PostgreSQL's form everywhere, and time_bucket itself where it is installed.
        assert await _sql_buckets(connection, width, zone, times, timescale=False) == expected
        if timescale:
            assert await _sql_buckets(connection, width, zone, times, timescale=True) == expected


async def test_plain_sql_does_not_depend_on_the_session_zone(api_pool: asyncpg.Pool) -> None:
    times = [utc(2024, 10, 27, 0, 30), utc(2024, 10, 27, 1, 30), utc(2026, 11, 1, 4, 30)]
    for zone in (BERLIN, zone_named("America/Havana")):
        for width in (HOUR, DAY, MONTH, Interval(months=12)):
            expected = [bucket_start(width, moment, zone) for moment in times]
            async with api_pool.acquire() as connection:
                await connection.execute("SET TIME ZONE 'Pacific/Chatham'")
                try:
                    assert await _sql_buckets(connection, width, zone, times, timescale=False) == expected
                finally:
                    await connection.execute("RESET TIME ZONE")
