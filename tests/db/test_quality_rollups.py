# ruff: noqa: E501  (the SQL reads best one clause to a line)
"""The quality rollups (migrations/021) hold exactly what the sessions give, through inserts,
checkpoint rewrites, moves and deletes; and exact startup percentiles read off the histogram equal
percentile_disc over the sessions (how part B answers p50 / p95)."""

from __future__ import annotations

import random
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from app.db.migrate import Connection
from tests.support.databases import migrated_pool

T0 = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
BROWSERS = ("chrome", "firefox", "safari")
EXITS = (None, "ended", "paused", "gave_up", "failed", "closed")


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    async with migrated_pool(database_url, "rollups", max_size=2) as pool:
        yield pool


def session(rng: random.Random, key_id: int, video_id: int) -> dict[str, Any]:
    """A session with quality columns as ingest stores them (within migrations/020's checks)."""
    exit_ = rng.choice(EXITS)
    watch = round(rng.uniform(0, 300), 6)
    started = exit_ not in (None, "gave_up", "failed") or (exit_ == "failed" and rng.random() < 0.5)
    watched = round(rng.choice([0, 0.5, 1, 2.9, 3, 10, 61, rng.uniform(0, 600)]), 6)
    return {
        "id": uuid.uuid4(),
        "started_at": T0 + timedelta(minutes=rng.randrange(0, 3 * 24 * 60)),
        "key_id": key_id,
        "video_id": video_id,
        "browser": rng.choice(BROWSERS),
        "device": rng.choice(("desktop", "mobile")),
        "platform": rng.choice(("linux", "ios")),
        "page_host": "shop.example.com",
        "page_url": rng.choice(("https://shop.example.com/a", "https://shop.example.com/b")),
        "watched": watched,
        "country": rng.choice(("unknown", "DE", "FR")),
        "impression": rng.random() < 0.7,
        "viewable": rng.random() < 0.4,
        "autoplay": rng.random() < 0.2,
        "exit": exit_,
        "startup_time": round(rng.lognormvariate(0, 1), 2) if started else None,
        "waited": watch if exit_ == "gave_up" else None,
        "watch_time": watch,
        "playing_time": round(watch * rng.random(), 6),
        "rebuffer_count": rng.choice((0, 0, 1, 3)),
        "rebuffer_time": round(watch * rng.random() * 0.1, 6),
        "seek_count": rng.randrange(0, 4),
        "seek_time": round(rng.uniform(0, 5), 6),
        "error_fingerprint": "0123456789abcdef" if exit_ == "failed" else None,
        "error_phase": ("playback" if started else "startup") if exit_ == "failed" else None,
        "completed": rng.random() < 0.3,
        "quartiles": rng.randrange(0, 16),
        "bitrate": rng.choice((None, 800_000.0, 2_500_000.0)),
        "rendition_changes": rng.randrange(0, 3),
        "dropped_frames": rng.choice((None, 0, 12)),
        "frames": rng.choice((None, 1000)),
        "upscale": rng.choice((None, 0.0, 50.0)),
    }


async def insert(connection: Connection, row: dict[str, Any]) -> None:
    row = {**row, "ended_at": row["started_at"] + timedelta(hours=1), "segments": [], "unique_watched": 0.0}
    row["final"] = True
    names = list(row)
    await connection.execute(
        f"INSERT INTO sessions ({', '.join(names)}) VALUES ({', '.join(f'${i + 1}' for i in range(len(names)))})",
        *row.values(),
    )


ROLLUP_CHECKS = {
    "qoe_hourly": (
        """SELECT key_id, hour, dimension, value, views, started, round(startup_time::numeric, 4),
                  round(watch_time::numeric, 4), round(playing_time::numeric, 4), rebuffer_count,
                  round(rebuffer_time::numeric, 4), rebuffered_views, seek_count, round(seek_time::numeric, 4),
                  failures, startup_failures, exits_before_start, completions, round(bitrate_time::numeric, 4),
                  round(bitrate_bits::numeric, -2), rendition_changes, round(upscale_time::numeric, 4),
                  round(upscale_weighted::numeric, 2), dropped_frames, frames
           FROM qoe_hourly WHERE views <> 0 ORDER BY 1, 2, 3, 4""",
        """SELECT key_id, date_trunc('hour', started_at, 'UTC'), d.dimension, d.value, count(*),
                  count(startup_time), round(coalesce(sum(startup_time), 0)::numeric, 4),
                  round(sum(watch_time)::numeric, 4), round(sum(playing_time)::numeric, 4), sum(rebuffer_count),
                  round(sum(rebuffer_time)::numeric, 4), count(*) FILTER (WHERE rebuffer_count > 0),
                  sum(seek_count), round(sum(seek_time)::numeric, 4), count(*) FILTER (WHERE exit = 'failed'),
                  count(*) FILTER (WHERE exit = 'failed' AND error_phase = 'startup'),
                  count(*) FILTER (WHERE exit = 'gave_up'), count(*) FILTER (WHERE completed),
                  round(coalesce(sum(playing_time) FILTER (WHERE bitrate IS NOT NULL), 0)::numeric, 4),
                  round(coalesce(sum(bitrate * playing_time), 0)::numeric, -2), sum(rendition_changes),
                  round(coalesce(sum(playing_time) FILTER (WHERE upscale IS NOT NULL), 0)::numeric, 4),
                  round(coalesce(sum(upscale * playing_time), 0)::numeric, 2),
                  coalesce(sum(dropped_frames) FILTER (WHERE frames IS NOT NULL), 0),
                  coalesce(sum(frames) FILTER (WHERE dropped_frames IS NOT NULL), 0)
           FROM sessions
           CROSS JOIN LATERAL (VALUES ('browser', browser), ('device', device), ('platform', platform)) AS d(dimension, value)
           WHERE exit IS NOT NULL GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4""",
    ),
    "startup_hourly": (
        """SELECT key_id, hour, startup_class, views, browser_chrome, browser_firefox, browser_safari,
                  device_mobile, platform_ios FROM startup_hourly WHERE views <> 0 ORDER BY 1, 2, 3""",
        """SELECT key_id, date_trunc('hour', started_at, 'UTC'), round(startup_time * 100)::int, count(*),
                  count(*) FILTER (WHERE browser = 'chrome'), count(*) FILTER (WHERE browser = 'firefox'),
                  count(*) FILTER (WHERE browser = 'safari'), count(*) FILTER (WHERE device = 'mobile'),
                  count(*) FILTER (WHERE platform = 'ios')
           FROM sessions WHERE exit IS NOT NULL AND startup_time IS NOT NULL
           GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""",
    ),
    "startup_daily": (
        """SELECT key_id, day, startup_class, views, browser_chrome, browser_firefox, browser_safari,
                  device_mobile, device_desktop, platform_ios FROM startup_daily WHERE views <> 0 ORDER BY 1, 2, 3""",
        """SELECT key_id, date_trunc('day', started_at, 'UTC'), round(startup_time * 100)::int, count(*),
                  count(*) FILTER (WHERE browser = 'chrome'), count(*) FILTER (WHERE browser = 'firefox'),
                  count(*) FILTER (WHERE browser = 'safari'), count(*) FILTER (WHERE device = 'mobile'),
                  count(*) FILTER (WHERE device = 'desktop'), count(*) FILTER (WHERE platform = 'ios')
           FROM sessions WHERE exit IS NOT NULL AND startup_time IS NOT NULL
           GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""",
    ),
    "impressions_hourly": (
        """SELECT video_id, hour, page_url, impressions, viewable_impressions, autoplay_impressions, plays_0,
                  plays_1, plays_3, plays_10, plays_60, completions
           FROM impressions_hourly WHERE impressions <> 0 ORDER BY 1, 2, 3""",
        """SELECT video_id, date_trunc('hour', started_at, 'UTC'), page_url, count(*),
                  count(*) FILTER (WHERE viewable), count(*) FILTER (WHERE autoplay), count(*),
                  count(*) FILTER (WHERE watched >= 1), count(*) FILTER (WHERE watched >= 3),
                  count(*) FILTER (WHERE watched >= 10), count(*) FILTER (WHERE watched >= 60),
                  count(*) FILTER (WHERE completed)
           FROM sessions WHERE impression GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""",
    ),
    "countries_hourly": (
        """SELECT key_id, hour, country, plays_0, plays_1, plays_5, plays_30
           FROM countries_hourly WHERE plays_0 <> 0 ORDER BY 1, 2, 3""",
        """SELECT key_id, date_trunc('hour', started_at, 'UTC'), country, count(*),
                  count(*) FILTER (WHERE watched >= 1), count(*) FILTER (WHERE watched >= 5),
                  count(*) FILTER (WHERE watched >= 30)
           FROM sessions WHERE country <> 'unknown' GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""",
    ),
    "plays_hourly": (
        """SELECT key_id, hour, watched_class, views, impressions, viewable_impressions, completions
           FROM plays_hourly WHERE views <> 0 ORDER BY 1, 2, 3""",
        """SELECT key_id, date_trunc('hour', started_at, 'UTC'), least(floor(watched), 600)::smallint, count(*),
                  count(*) FILTER (WHERE impression), count(*) FILTER (WHERE viewable),
                  count(*) FILTER (WHERE completed)
           FROM sessions GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""",
    ),
}


async def assert_rollups_exact(connection: Connection) -> None:
    for table, (rolled, direct) in ROLLUP_CHECKS.items():
        assert [tuple(r) for r in await connection.fetch(rolled)] == [
            tuple(r) for r in await connection.fetch(direct)
        ], table


async def test_rollups_stay_exact_through_inserts_rewrites_moves_and_deletes(pool: asyncpg.Pool) -> None:
    rng = random.Random(20261130)
    async with pool.acquire() as connection:
        key_id = await connection.fetchval("INSERT INTO keys (key) VALUES ('rollups') RETURNING id")
        videos = [
            await connection.fetchval(
                "INSERT INTO videos (key_id, metadata) VALUES ($1, $2) RETURNING id", key_id, {"v": n}
            )
            for n in range(3)
        ]
        rows = [session(rng, key_id, rng.choice(videos)) for _ in range(300)]
        for row in rows:
            await insert(connection, row)
        await assert_rollups_exact(connection)

        # Checkpoints rewrite sessions: the same hour and client (the one-UPDATE path), new values.
        for row in rng.sample(rows, 120):
            fresh = session(rng, key_id, row["video_id"])
            changes = {name: fresh[name] for name in fresh if name not in ("id", "started_at", "key_id")}
            changes |= {"browser": row["browser"], "device": row["device"], "platform": row["platform"]}
            if rng.random() < 0.5 and fresh["exit"] != "failed":
                changes["exit"] = row["exit"] or "paused"  # a view stays a view
                if changes["exit"] == "failed":
                    changes |= {"error_fingerprint": "fedcba9876543210", "error_phase": "playback"}
            assign = ", ".join(f"{name} = ${i + 3}" for i, name in enumerate(changes))
            await connection.execute(
                f"UPDATE sessions SET {assign} WHERE id = $1 AND started_at = $2",
                row["id"],
                row["started_at"],
                *changes.values(),
            )
        await assert_rollups_exact(connection)

        # Other clients, other hours, and deletes (retention).
        for row in rng.sample(rows, 40):
            await connection.execute(
                "UPDATE sessions SET browser = 'firefox', country = 'unknown' WHERE id = $1", row["id"]
            )
        await connection.execute(
            "DELETE FROM sessions WHERE id = ANY($1::uuid[])", [r["id"] for r in rows[:50]]
        )
        await assert_rollups_exact(connection)

        # A rebuild (after a bulk load with the triggers off) gives the same.
        await connection.execute("SELECT quality_rollups_rebuild(); SELECT plays_hourly_rebuild()")
        await assert_rollups_exact(connection)


PERCENTILE_FROM_HISTOGRAM = """
WITH classes AS (
    SELECT startup_class, sum(views) AS n FROM startup_hourly
    WHERE key_id = $1 AND hour >= $2 AND hour < $3 GROUP BY startup_class
), running AS (
    SELECT startup_class, sum(n) OVER (ORDER BY startup_class) AS below, sum(n) OVER () AS total
    FROM classes
)
SELECT min(startup_class) FILTER (WHERE below >= $4::numeric * total) / 100.0 FROM running
"""


async def test_exact_startup_percentiles_from_the_histogram(pool: asyncpg.Pool) -> None:
    rng = random.Random(7)
    async with pool.acquire() as connection:
        key_id = await connection.fetchval("INSERT INTO keys (key) VALUES ('percentiles') RETURNING id")
        video = await connection.fetchval(
            "INSERT INTO videos (key_id, metadata) VALUES ($1, '{}') RETURNING id", key_id
        )
        for _ in range(500):
            await insert(connection, session(rng, key_id, video))
        for p in (0.5, 0.95, 0.01, 1.0):
            for start, end in (
                (T0, T0 + timedelta(days=3)),
                (T0 + timedelta(hours=5), T0 + timedelta(hours=30)),
            ):
                direct = await connection.fetchval(
                    """SELECT percentile_disc($4) WITHIN GROUP (ORDER BY startup_time) FROM sessions
                       WHERE key_id = $1 AND started_at >= $2 AND started_at < $3
                         AND exit IS NOT NULL AND startup_time IS NOT NULL""",
                    key_id,
                    start,
                    end,
                    p,
                )
                rolled = await connection.fetchval(PERCENTILE_FROM_HISTOGRAM, key_id, start, end, p)
                assert float(rolled) == direct, (p, start, end)
