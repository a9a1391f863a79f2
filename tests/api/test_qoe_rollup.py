"""/qoe from the quality rollups gives the numbers the sessions give, on PostgreSQL and
TimescaleDB: in every bucket width and time zone, with partial hours at either end, through
rewrites and deletes; and its startup percentiles are exactly `percentile_disc`'s."""

from __future__ import annotations

import itertools
import random
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import asyncpg
import pytest

from app.api import stats
from app.api.params import VideoQuery
from app.api.stats import Database, QoeBucket
from app.api.stats.qoe import NAMES
from app.intervals import Interval
from app.zones import zone_named
from tests.api.databases import KINDS, pool_of
from tests.db.test_quality_rollups import T0, insert, session

HOUR = 3_600_000_000
WIDTHS = [
    Interval(microseconds=HOUR),
    Interval(microseconds=24 * HOUR),
    Interval(microseconds=7 * 24 * HOUR),
    Interval(months=1),
]
TIMEFRAMES = [
    (T0 - timedelta(days=1), T0 + timedelta(days=4)),
    (T0 + timedelta(minutes=17), T0 + timedelta(days=2, hours=5, minutes=42)),  # partial hours
    (T0 + timedelta(hours=30), T0 + timedelta(hours=30, minutes=59)),  # inside one hour
]
EXACT = ("sessions", "startup_time_p50", "startup_time_p95")


@pytest.fixture(params=KINDS)
async def db(request: pytest.FixtureRequest, api_pool: asyncpg.Pool) -> AsyncIterator[Database]:
    async for pool in pool_of(request.param, api_pool, "qoe_rollup"):
        async with pool.acquire() as connection:
            yield await Database.of(connection)


async def generated(
    db: Database, seed: int, count: int = 400, shift: timedelta = timedelta(0)
) -> tuple[str, list[dict[str, Any]]]:
    """`count` sessions with quality columns over three days from T0 (moved by `shift`)."""
    rng = random.Random(seed)
    key = f"qoe-{seed}-{rng.getrandbits(32):08x}"
    key_id = await db.connection.fetchval("INSERT INTO keys (key) VALUES ($1) RETURNING id", key)
    videos = [
        await db.connection.fetchval(
            "INSERT INTO videos (key_id, metadata) VALUES ($1, $2) RETURNING id", key_id, {"n": n, "key": key}
        )
        for n in range(3)
    ]
    rows = [session(rng, key_id, rng.choice(videos)) for _ in range(count)]
    for row in rows:
        row["started_at"] += shift
    for row in rows:
        await insert(db.connection, row)
    return key, rows


def same(rolled: list[QoeBucket], raw: list[QoeBucket], label: object) -> None:
    assert [b.start for b in rolled] == [b.start for b in raw], label
    for a, b in zip(rolled, raw, strict=True):
        for mine, theirs in [
            (a.total, b.total),
            *[(a.browser[v], b.browser[v]) for v in a.browser],
            *[(a.device[v], b.device[v]) for v in a.device],
            *[(a.platform[v], b.platform[v]) for v in a.platform],
        ]:
            for name in NAMES:
                expected = getattr(theirs, name)
                if name in EXACT or expected is None:
                    assert getattr(mine, name) == expected, (label, a.start, name)
                else:
                    assert getattr(mine, name) == pytest.approx(expected, rel=1e-9, abs=1e-9), (label, name)


async def compare(db: Database, key: str, zones: tuple[str, ...] = ("UTC",)) -> int:
    buckets = 0
    for (start, end), width, zone_name in itertools.product(TIMEFRAMES, WIDTHS, zones):
        zone = zone_named(zone_name)
        scope = await stats.scope_for(db.connection, VideoQuery(key=key), start, end)
        assert scope is not None
        kwargs: dict[str, Any] = {"timescale": db.timescale, "zone": zone}
        rolled = await stats.qoe(db.connection, scope, width, **kwargs)
        raw = await stats.qoe(db.connection, scope, width, use_rollup=False, **kwargs)
        same(rolled, raw, (start, end, width, zone_name))
        buckets += len(raw)
    return buckets


async def test_the_rollups_give_the_sessions_numbers(db: Database) -> None:
    key, rows = await generated(db, 11)
    assert await compare(db, key, ("UTC", "Europe/Berlin", "Asia/Kolkata")) > 0
    # Checkpoints rewrite sessions and retention deletes them: still the same numbers.
    rng = random.Random(12)
    for row in rng.sample(rows, 60):
        await db.connection.execute(
            "UPDATE sessions SET watch_time = watch_time + 1.5, rebuffer_count = rebuffer_count + 1,"
            " rebuffer_time = rebuffer_time + 0.25, startup_time = CASE WHEN startup_time IS NULL"
            " THEN NULL ELSE round((startup_time + 0.07)::numeric, 2)::float8 END, browser = $2"
            " WHERE id = $1",  # startup times are stored to the hundredth (app/ingest/quality.py)
            row["id"],
            rng.choice(("chrome", "edge")),
        )
    await db.connection.execute(
        "DELETE FROM sessions WHERE id = ANY($1::uuid[])", [r["id"] for r in rows[:40]]
    )
    assert await compare(db, key) > 0


# Europe/Berlin's clocks went back at 01:00 UTC on 27 October 2024 (a local day of 25 hours);
# Australia/Lord_Howe's go forward by half an hour (on 6 October 2024, at 15:30 UTC).
AUTUMN = timedelta(days=178, hours=-10)  # T0 (1 May, 10:00 UTC) to 26 October 00:00 UTC


@pytest.mark.parametrize("shift", [AUTUMN, timedelta(days=157, hours=-10)], ids=["berlin", "lord-howe"])
async def test_days_read_whole_across_clock_changes(db: Database, shift: timedelta) -> None:
    """A day is read from the daily rollup into one bucket, its hours in another bucket (or holding
    a boundary) taken away from it: around a change of the clocks too."""
    key, _ = await generated(db, 41 + shift.days, 500, shift)
    for zone_name in ("Europe/Berlin", "Australia/Lord_Howe", "Asia/Kolkata", "America/Havana", "UTC"):
        for width in WIDTHS[1:]:
            start, end = T0 + shift - timedelta(hours=5, minutes=1), T0 + shift + timedelta(days=3, hours=7)
            scope = await stats.scope_for(db.connection, VideoQuery(key=key), start, end)
            assert scope is not None
            kwargs: dict[str, Any] = {"timescale": db.timescale, "zone": zone_named(zone_name)}
            rolled = await stats.qoe(db.connection, scope, width, **kwargs)
            raw = await stats.qoe(db.connection, scope, width, use_rollup=False, **kwargs)
            same(rolled, raw, (zone_name, width))
            assert sum(b.total.sessions for b in raw) > 200


async def test_startup_percentiles_are_percentile_disc(db: Database) -> None:
    key, _ = await generated(db, 21, 600)
    start, end = T0 + timedelta(minutes=17), T0 + timedelta(days=3)
    scope = await stats.scope_for(db.connection, VideoQuery(key=key), start, end)
    assert scope is not None
    day = Interval(microseconds=24 * HOUR)
    for use_rollup in (True, False):
        buckets = await stats.qoe(db.connection, scope, day, timescale=db.timescale, use_rollup=use_rollup)
        rows = await db.connection.fetch(
            """
            SELECT date_trunc('day', started_at, 'UTC') AS day, browser, device,
                   grouping(browser, device) AS g,
                   percentile_disc(0.5) WITHIN GROUP (ORDER BY startup_time) AS p50,
                   percentile_disc(0.95) WITHIN GROUP (ORDER BY startup_time) AS p95
            FROM sessions s JOIN keys k ON k.id = s.key_id
            WHERE k.key = $1 AND started_at BETWEEN $2 AND $3 AND exit IS NOT NULL
            GROUP BY GROUPING SETS ((1), (1, 2), (1, 3))
            """,
            key,
            start,
            end,
        )
        by_day = {b.start: b for b in buckets}
        assert sorted(by_day) == sorted({row["day"] for row in rows}) and len(by_day) == 4
        for row in rows:
            bucket = by_day[row["day"]]
            found = {
                3: bucket.total,
                1: bucket.browser.get(row["browser"]),
                2: bucket.device.get(row["device"]),
            }
            figures = found[row["g"]]
            assert figures is not None
            assert (figures.startup_time_p50, figures.startup_time_p95) == (row["p50"], row["p95"]), row
        assert len(rows) >= 3 * (1 + 3 + 2)  # the three whole days have views in each browser and device


async def test_plays_impressions_completions_and_countries_from_the_rollups(db: Database) -> None:
    """plays_hourly's impressions and completions, and countries_hourly (the placed countries;
    the unknown ones are the rest of the plays), against the sessions."""
    key, _ = await generated(db, 31)
    counted = 0
    for (start, end), width, zone_name, minimum in itertools.product(
        TIMEFRAMES, WIDTHS, ("UTC", "Asia/Kolkata"), (0, 1, 3, 2.0, 60)
    ):
        scope = await stats.scope_for(db.connection, VideoQuery(key=key), start, end)
        assert scope is not None
        kwargs: dict[str, Any] = {"timescale": db.timescale, "zone": zone_named(zone_name)}
        rolled = await stats.plays(db.connection, scope, width, minimum, **kwargs)
        raw = await stats.plays(db.connection, scope, width, minimum, use_rollup=False, **kwargs)
        label = (start, end, width, zone_name, minimum)
        shape = [(b.start, b.views, b.impressions, b.impressed_plays, b.completions, b.country) for b in raw]
        assert [
            (b.start, b.views, b.impressions, b.impressed_plays, b.completions, b.country) for b in rolled
        ] == (shape), label
        assert [list(b.country.items()) for b in rolled] == [list(b.country.items()) for b in raw], label
        counted += sum(b.impressions for b in raw)
        for bucket in raw:
            assert sum(bucket.country.values()) == bucket.views
    assert counted > 0
