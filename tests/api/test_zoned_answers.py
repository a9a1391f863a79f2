"""Answers in a time zone on real data, on plain PostgreSQL and on TimescaleDB: daylight-saving
days in Berlin (both changes), Kolkata (+5:30), Kathmandu (+5:45), Kiritimati (+14); and the
rollups held to the sessions in every zone, used only where that is exact."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest

from app.api import answers, stats
from app.api.buckets import bucket_start
from app.api.params import Endpoint, VideoQuery, parse_params
from app.api.stats import Database, rollup
from app.intervals import Interval
from app.zones import zone_named
from tests.api.databases import KINDS, pool_of
from tests.api.rows import add_key, add_session, add_video

HOUR = 3_600_000_000


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# Each moment with the local day it belongs to, worked out by hand.
MOMENTS = {
    "Europe/Berlin": [
        (utc(2024, 3, 30, 22, 30), "2024-03-30"),  # 23:30 CET
        (utc(2024, 3, 30, 23, 30), "2024-03-31"),  # 00:30 CET, the day of 23 hours
        (utc(2024, 3, 31, 0, 59), "2024-03-31"),  # 01:59 CET, a minute before the gap
        (utc(2024, 3, 31, 1, 0), "2024-03-31"),  # 03:00 CEST
        (utc(2024, 3, 31, 21, 30), "2024-03-31"),  # 23:30 CEST
        (utc(2024, 3, 31, 22, 30), "2024-04-01"),  # 00:30 CEST
        (utc(2024, 10, 26, 22, 30), "2024-10-27"),  # 00:30 CEST, the day of 25 hours
        (utc(2024, 10, 27, 0, 30), "2024-10-27"),  # 02:30 CEST, the first time
        (utc(2024, 10, 27, 1, 30), "2024-10-27"),  # 02:30 CET, the second time
        (utc(2024, 10, 27, 22, 30), "2024-10-27"),  # 23:30 CET
        (utc(2024, 10, 27, 23, 30), "2024-10-28"),  # 00:30 CET
    ],
    "Asia/Kolkata": [
        (utc(2024, 5, 1, 18, 29), "2024-05-01"),
        (utc(2024, 5, 1, 18, 31), "2024-05-02"),
        (utc(2024, 5, 2, 3, 0), "2024-05-02"),
    ],
    "Asia/Kathmandu": [
        (utc(2024, 5, 1, 18, 14), "2024-05-01"),
        (utc(2024, 5, 1, 18, 16), "2024-05-02"),
    ],
    "Pacific/Kiritimati": [
        (utc(2024, 5, 1, 9, 59), "2024-05-01"),
        (utc(2024, 5, 1, 10, 1), "2024-05-02"),
        (utc(2024, 5, 1, 23, 0), "2024-05-02"),
    ],
}
ALL_MOMENTS = sorted({moment for moments in MOMENTS.values() for moment, _ in moments})
# Pages and browsers vary so that the breakdowns and the sources are compared too.
PAGES = ["https://a.example/watch", "https://b.example/", "https://a.example/other"]
BROWSERS = ["chrome", "firefox", "safari", "edge"]


@dataclass
class Data:
    db: Database
    key: str


@pytest.fixture(scope="module", params=KINDS)
async def data(request: pytest.FixtureRequest, api_pool: asyncpg.Pool) -> AsyncIterator[Data]:
    async for pool in pool_of(request.param, api_pool, "wtapi_zones"):
        async with pool.acquire() as connection:
            key_id, key = await add_key(connection)
            video = await add_video(connection, key_id, {"zoned": key}, "zoned", 120.0)
            pages, browsers = itertools.cycle(PAGES), itertools.cycle(BROWSERS)
            for moment in ALL_MOMENTS:
                # Each moment has a play (watched 30 s) and a session too short to be one.
                await add_session(
                    connection, key_id, video, moment, 30.0, page=next(pages), browser=next(browsers)
                )
                await add_session(connection, key_id, video, moment, 0.5)
            yield Data(await Database.of(connection), key)


async def ask(data: Data, endpoint: Endpoint, **raw: Any) -> dict[str, Any]:
    params = parse_params({"query": {"key": data.key}, **raw}, endpoint)
    return await answers.ANSWERS[endpoint](data.db, params, utc(2025, 1, 1))


WHOLE_YEAR = {"from": utc(2024, 1, 1).timestamp(), "to": utc(2025, 1, 1).timestamp()}


@pytest.mark.parametrize("zone", list(MOMENTS))
async def test_days_start_at_local_midnight(data: Data, zone: str) -> None:
    answer = await ask(data, Endpoint.PLAYS, interval="1 day", timeframe=WHOLE_YEAR, timezone=zone)
    assert answer["timezone"] == zone
    local = zone_named(zone)
    by_day = {
        datetime.fromisoformat(bucket["interval"]).astimezone(local).date().isoformat(): bucket["views"]
        for bucket in answer["views"]
    }
    for moment, day in MOMENTS[zone]:
        assert by_day[day] >= 1, (moment, day)
    # Every bucket starts at local midnight and counts the plays of that local day.
    expected = Counter(m.astimezone(local).date().isoformat() for m in ALL_MOMENTS)
    assert by_day == dict(expected)
    for bucket in answer["views"]:
        assert datetime.fromisoformat(bucket["interval"]).astimezone(local).time().isoformat() == "00:00:00"


async def test_berlin_hours_across_the_repeated_hour(data: Data) -> None:
    frame = {"from": utc(2024, 10, 26, 22).timestamp(), "to": utc(2024, 10, 27, 23).timestamp() - 1}
    answer = await ask(data, Endpoint.PLAYS, interval="1 hour", timeframe=frame, timezone="Europe/Berlin")
    assert [(b["interval"], b["views"]) for b in answer["views"]] == [
        ("2024-10-26T22:00:00.000000Z", 1),
        ("2024-10-27T00:00:00.000000Z", 1),  # 02:00 CEST
        ("2024-10-27T01:00:00.000000Z", 1),  # 02:00 CET: its own hour
        ("2024-10-27T22:00:00.000000Z", 1),
    ]
    assert answer["timeframe"] == {"from": "2024-10-26T22:00:00.000000Z", "to": "2024-10-27T22:59:59.000000Z"}


BUCKET_WIDTHS = [
    ("1 hour", Interval(microseconds=HOUR)),
    ("3 hours", Interval(microseconds=3 * HOUR)),
    ("1 week", Interval(microseconds=168 * HOUR)),
    ("1 month", Interval(months=1)),
]


@pytest.mark.parametrize("zone", [*MOMENTS, "UTC", "Australia/Lord_Howe", "America/Havana"])
@pytest.mark.parametrize("endpoint", [Endpoint.PLAYS, Endpoint.SOURCES, Endpoint.ENGAGEMENT])
async def test_every_bucket_is_the_definitions(data: Data, zone: str, endpoint: Endpoint) -> None:
    local = zone_named(zone)
    for text, width in BUCKET_WIDTHS:
        answer = await ask(data, endpoint, interval=text, timeframe=WHOLE_YEAR, timezone=zone)
        expected = Counter(bucket_start(width, moment, local) for moment in ALL_MOMENTS)
        if endpoint is Endpoint.PLAYS:
            found = Counter({datetime.fromisoformat(b["interval"]): b["views"] for b in answer["views"]})
        elif endpoint is Endpoint.SOURCES:
            found = Counter()
            for row in answer["sources"]:
                found[datetime.fromisoformat(row["interval"])] += row["views"]
        else:  # per second: both sessions of a moment watched second 0
            found = Counter({datetime.fromisoformat(b["interval"]): b["per_second"][0]["views"] // 2
                             for b in answer["engagement"]})  # fmt: skip
        assert found == expected, (zone, text)


TIMEFRAMES = [
    (utc(2024, 1, 1), utc(2025, 1, 1)),
    (utc(2024, 3, 30, 22, 40), utc(2024, 10, 27, 1, 10)),  # partial hours at both ends
    (utc(2024, 5, 1, 18, 14), utc(2024, 5, 2, 3)),
]
ZONES = [*MOMENTS, "UTC", "Europe/London", "Australia/Lord_Howe"]
WIDTHS = [Interval(microseconds=HOUR), Interval(microseconds=24 * HOUR), Interval(microseconds=168 * HOUR),
          Interval(months=1), Interval(months=12)]  # fmt: skip


@pytest.mark.parametrize("zone_name", ZONES)
async def test_rollups_equal_the_sessions_in_every_zone(data: Data, zone_name: str) -> None:
    zone = zone_named(zone_name)
    connection = data.db.connection
    for (start, end), width in itertools.product(TIMEFRAMES, WIDTHS):
        scope = await stats.scope_for(connection, VideoQuery(key=data.key), start, end)
        assert scope is not None
        for minimum in (0, 1):
            kwargs: dict[str, Any] = {"timescale": data.db.timescale, "zone": zone}
            rolled = await stats.plays(connection, scope, width, minimum, **kwargs)
            raw = await stats.plays(connection, scope, width, minimum, use_rollup=False, **kwargs)
            assert [(b.start, b.views, b.browser) for b in rolled] == [
                (b.start, b.views, b.browser) for b in raw
            ]
            assert [b.total_view_time for b in rolled] == pytest.approx([b.total_view_time for b in raw])
            rolled_sources = await stats.sources(connection, scope, width, minimum, **kwargs)
            raw_sources = await stats.sources(connection, scope, width, minimum, use_rollup=False, **kwargs)
            assert rolled_sources == raw_sources


async def test_only_hours_holding_a_boundary_are_read_from_sessions(data: Data) -> None:
    """Each rollup hour lies whole in one bucket, or is read from its sessions: in Berlin every
    hour of the year does (its changes are on whole hours); for Kolkata's days, one hour a day
    holds local midnight. The rollup test above holds both kinds of hour to the sessions."""
    day = Interval(microseconds=24 * HOUR)

    async def unclean(zone: str, start: datetime, end: datetime) -> list[datetime]:
        cte, values = rollup.periods(day, zone_named(zone), "1 hour", 4, timescale=data.db.timescale)
        rows = await data.db.connection.fetch(
            cte + " SELECT period FROM periods WHERE NOT clean AND $1::int = 1 ORDER BY period",
            1, start, end, *values,
        )  # fmt: skip
        return [row["period"] for row in rows]

    assert await unclean("Europe/Berlin", utc(2024, 1, 1), utc(2025, 1, 1)) == []
    assert await unclean("Pacific/Kiritimati", utc(2024, 1, 1), utc(2025, 1, 1)) == []
    assert await unclean("Asia/Kolkata", utc(2024, 5, 1), utc(2024, 5, 3)) == [
        utc(2024, 5, 1, 18),
        utc(2024, 5, 2, 18),
    ]
    assert await unclean("Asia/Kathmandu", utc(2024, 5, 1), utc(2024, 5, 2)) == [utc(2024, 5, 1, 18)]
