"""Issue 13 on TimescaleDB: continuous aggregates (real-time aggregation on) against the
trigger-kept rollups, for plays and sources: write cost per session and query time at 10 M sessions.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5433/postgres python benchmarks/rollup_designs.py
    ... --sessions 1000000 --batch-sessions 20000      # a quicker look

The 10 M sessions are generated once by the query benchmark's generator (benchmarks/
query_benchmark.py, `prepare`) into a database of their own (`--database`), with the rollups built in
bulk by the migrations' rebuild functions; the continuous aggregates are then built by one refresh
(timed) from the same table, so that both designs answer over the same sessions. Then:

1. Write cost, in `--rounds` turns: each design writes `--batch-sessions` / rounds generated
   sessions in batches of 500 as the server's writer does, each batch then rewritten
   `--checkpoints` times by checkpoint UPDATEs; with no rollup (the baseline), with the plays and
   sources triggers, and with the continuous aggregates tracking the writes, whose batch is then
   refreshed as their policy would (refresh_continuous_aggregate over the invalidated days), timed.
   The two other designs run with timescaledb.skip_cagg_invalidation on, as if no aggregate
   existed. Every design writes the same rows in a round (the same random seed), into an empty day
   before the generated 90 days; each batch is deleted again with its design's settings, leaving
   rollups and aggregates as they were. The other rollups (videos, quality) are off throughout.
   Whether the real-time aggregates saw the batch before that refresh is recorded.
2. Query time: plays (whole key, UTC and Europe/Berlin) and sources (whole key, the most watched and
   the median video) over the last 30 days in 1-day buckets, through the app's own statements
   (app/api/stats/rollup.py) on the trigger rollups, and the same statements on the aggregates
   (real-time aggregation on); the two answers are compared row by row.

The report is printed and saved as JSON in benchmarks/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.api import stats
from app.api.params import VideoQuery
from app.api.stats import rollup
from app.intervals import Interval
from app.zones import UTC_ZONE, zone_named
from benchmarks.query_benchmark import GENERATE, RESULTS, measure, open_database, prepare, with_database

DATABASE = "rollup_designs_bench"
BATCH = 500  # sessions per write, as the server's writer batches them (METRICS_SINK_BATCH_SIZE)
TRIGGERS = ("plays_hourly_maintain", "sources_maintain")
OTHER_TRIGGERS = ("videos_daily_maintain", "quality_rollups_maintain")

# The continuous aggregates carry the trigger rollups' column names, so that the app's own
# statements read them with only the table's name changed. Buckets are UTC hours and days:
# time_bucket's default origin (2000-01-03 00:00 UTC) lies on both.
_PLAYS_COUNTS = ", ".join(
    f"count(*) FILTER (WHERE {column} = '{value}') AS {column}_{value}"
    for column, values in (
        ("browser", ("edge", "ie", "chrome", "firefox", "opera", "safari", "brave", "other")),
        ("device", ("mobile", "tablet", "desktop", "other")),
        ("platform", ("ios", "android", "mac", "windows", "linux", "other")),
    )
    for value in values
)
_SOURCES_COUNTS = "count(*) AS plays_0, " + ", ".join(
    f"count(*) FILTER (WHERE watched >= {n}) AS plays_{n}" for n in rollup.SOURCES_THRESHOLDS[1:]
)
AGGREGATES = {
    "plays_hourly": f"""
        SELECT key_id, time_bucket(INTERVAL '1 hour', started_at) AS hour,
               least(floor(watched), 600)::smallint AS watched_class,
               count(*) AS views, sum(watched) AS watched, sum(unique_watched) AS unique_watched,
               {_PLAYS_COUNTS},
               count(*) FILTER (WHERE impression) AS impressions,
               count(*) FILTER (WHERE viewable) AS viewable_impressions,
               count(*) FILTER (WHERE completed) AS completions
        FROM sessions
        GROUP BY key_id, time_bucket(INTERVAL '1 hour', started_at), least(floor(watched), 600)::smallint""",
    "sources_hourly": f"""
        SELECT key_id, time_bucket(INTERVAL '1 hour', started_at) AS hour, page_host, page_url,
               {_SOURCES_COUNTS}
        FROM sessions
        GROUP BY key_id, time_bucket(INTERVAL '1 hour', started_at), page_host, page_url""",
    "sources_daily": f"""
        SELECT video_id, time_bucket(INTERVAL '1 day', started_at) AS day, page_host, page_url,
               {_SOURCES_COUNTS}
        FROM sessions
        GROUP BY video_id, time_bucket(INTERVAL '1 day', started_at), page_host, page_url""",
}


def aggregate(table: str) -> str:
    """The continuous aggregate standing in for a trigger rollup."""
    return f"{table}_cagg"


# A checkpoint rewrites the open session's row with what was watched since the last one (10 s).
CHECKPOINT = """
UPDATE sessions s
SET ended_at = s.ended_at + INTERVAL '10 seconds', watched = s.watched + 10,
    unique_watched = s.unique_watched + 10, watch_time = s.watch_time + 10,
    playing_time = s.playing_time + 10
FROM unnest($1::uuid[], $2::timestamptz[]) AS c(id, started_at)
WHERE s.id = c.id AND s.started_at = c.started_at
"""


async def set_triggers(connection: asyncpg.Connection, enabled: tuple[str, ...]) -> None:
    for trigger in (*TRIGGERS, *OTHER_TRIGGERS):
        action = "ENABLE" if trigger in enabled else "DISABLE"
        await connection.execute(f"ALTER TABLE sessions {action} TRIGGER {trigger}")


async def load_average() -> float:
    return round(os.getloadavg()[0], 2)


async def write_batches(
    connection: asyncpg.Connection,
    key_id: int,
    videos: int,
    day_end: datetime,
    sessions: int,
    checkpoints: int,
    seed: float,
) -> dict[str, Any]:
    """Insert `sessions` in batches of 500 into the day before `day_end`, each batch followed by
    `checkpoints` UPDATEs of its rows; µs per inserted session and per updated row, per batch."""
    await connection.execute("SELECT setseed($1)", seed)  # the same rows for every design
    inserts, updates, totals = [], [], []
    load = [await load_average()]
    started_all = time.perf_counter()
    for _ in range(sessions // BATCH):
        started = time.perf_counter()
        rows = await connection.fetch(
            GENERATE + " RETURNING id, started_at", key_id, videos, day_end, 1, BATCH, timeout=None
        )
        inserted = time.perf_counter()
        ids, starts = [row["id"] for row in rows], [row["started_at"] for row in rows]
        for _ in range(checkpoints):
            await connection.execute(CHECKPOINT, ids, starts)
        done = time.perf_counter()
        inserts.append((inserted - started) / BATCH * 1e6)
        if checkpoints:
            updates.append((done - inserted) / (BATCH * checkpoints) * 1e6)
        totals.append((done - started) / BATCH * 1e6)
    load.append(await load_average())
    firing = await connection.fetch(
        """
        SELECT DISTINCT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        WHERE t.tgname LIKE '%_maintain' AND t.tgenabled <> 'D'
          AND (c.relname = 'sessions' OR c.relnamespace = '_timescaledb_internal'::regnamespace)
        ORDER BY 1
        """
    )
    return {
        "triggers_enabled": [row[0] for row in firing],
        "sessions": sessions,
        "checkpoints_per_session": checkpoints,
        "seconds": round(time.perf_counter() - started_all, 1),
        "insert_us_per_session": spread(inserts),
        "checkpoint_us_per_update": spread(updates) if updates else None,
        "us_per_session_with_its_checkpoints": spread(totals),
        "load_average_1min": load,
    }


def spread(values: list[float]) -> dict[str, float]:
    """Median of the batches with the 10th and 90th percentiles (a slow batch under the others'
    load moves neither much)."""
    deciles = statistics.quantiles(values, n=10, method="inclusive")
    return {
        "p50": round(statistics.median(values), 1),
        "p10": round(deciles[0], 1),
        "p90": round(deciles[-1], 1),
    }


async def make_batch_chunk(
    connection: asyncpg.Connection, key_id: int, videos: int, day_end: datetime
) -> None:
    """Create the chunk the batches go to before any is timed. TimescaleDB gives a chunk created
    while a trigger is disabled on the hypertable an enabled copy of it; a chunk that exists is
    switched with the hypertable."""
    await connection.execute("SET session_replication_role = replica")
    try:
        await connection.execute(GENERATE, key_id, videos, day_end, 1, 1)
        await delete_batches(connection, day_end)
    finally:
        await connection.execute("RESET session_replication_role")


async def delete_batches(connection: asyncpg.Connection, day_end: datetime) -> float:
    started = time.perf_counter()
    await connection.execute(
        "DELETE FROM sessions WHERE started_at >= $1 AND started_at <= $2",
        day_end - timedelta(days=1),
        day_end,
        timeout=None,
    )
    return round(time.perf_counter() - started, 1)


async def remove_stale_batches(connection: asyncpg.Connection, days: int) -> None:
    """Batches an earlier run left behind when it stopped half-way, with whatever they added to
    the rollups (the triggers' state then is unknown): deleted, and the two rollups rebuilt."""
    stored = await connection.fetchval("SELECT obj_description('sessions'::regclass)")
    if not stored:
        return
    day_end = datetime.fromisoformat(json.loads(stored)["generated_at"]) - timedelta(days=days + 1)
    if not await connection.fetchval("SELECT EXISTS (SELECT FROM sessions WHERE started_at <= $1)", day_end):
        return
    print("removing the write batches an earlier run left behind, rebuilding the rollups", flush=True)
    await set_triggers(connection, ())
    await delete_batches(connection, day_end)
    await connection.execute("SELECT plays_hourly_rebuild()", timeout=None)
    await connection.execute("SELECT sources_rebuild()", timeout=None)
    await set_triggers(connection, (*TRIGGERS, *OTHER_TRIGGERS))


async def refresh(connection: asyncpg.Connection, start: datetime | None, end: datetime) -> dict[str, float]:
    """refresh_continuous_aggregate of each aggregate over [start, end], seconds each."""
    seconds = {}
    for table in AGGREGATES:
        started = time.perf_counter()
        await connection.execute(
            "CALL refresh_continuous_aggregate($1, $2::timestamptz, $3::timestamptz)",
            aggregate(table),
            start,
            end,
            timeout=None,
        )
        seconds[table] = round(time.perf_counter() - started, 2)
    return seconds


def refreshed_window(day_end: datetime) -> tuple[datetime, datetime]:
    """The batches' day with the whole UTC days around it: a refresh must cover a whole bucket of
    the daily aggregate, and re-materialises only the invalidated buckets inside its window."""
    return day_end - timedelta(days=2), day_end + timedelta(days=1)


async def create_aggregates(connection: asyncpg.Connection) -> None:
    for table, query in AGGREGATES.items():
        await connection.execute(f"DROP MATERIALIZED VIEW IF EXISTS {aggregate(table)}")
        await connection.execute(
            f"CREATE MATERIALIZED VIEW {aggregate(table)} WITH (timescaledb.continuous,"
            f" timescaledb.materialized_only = false) AS {query} WITH NO DATA"
        )


async def drop_aggregates(connection: asyncpg.Connection) -> None:
    for table in AGGREGATES:
        await connection.execute(f"DROP MATERIALIZED VIEW IF EXISTS {aggregate(table)}")


async def sizes_mb(connection: asyncpg.Connection) -> dict[str, float]:
    """Trigger rollup tables and the aggregates' materialisation hypertables, indexes included."""
    sizes = {}
    for table in AGGREGATES:
        sizes[table] = await connection.fetchval("SELECT pg_total_relation_size($1::regclass)", table)
        sizes[aggregate(table)] = await connection.fetchval(
            """
            SELECT hypertable_size(format('%I.%I', materialization_hypertable_schema,
                                          materialization_hypertable_name)::regclass)
            FROM timescaledb_information.continuous_aggregates WHERE view_name = $1
            """,
            aggregate(table),
        )
    return {name: round((size or 0) / 2**20, 1) for name, size in sizes.items()}


async def batch_seen(connection: asyncpg.Connection, day_end: datetime) -> dict[str, int]:
    """Sessions of the batch day in the sessions table and as the plays aggregate answers now."""
    first = (day_end - timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    window = (first, day_end + timedelta(hours=1))  # the batch's hours, whole
    return {
        "sessions": await connection.fetchval(
            "SELECT count(*) FROM sessions WHERE started_at >= $1 AND started_at < $2", *window
        ),
        "plays_aggregate": await connection.fetchval(
            f"SELECT coalesce(sum(views), 0) FROM {aggregate('plays_hourly')} WHERE hour >= $1 AND hour < $2",
            *window,
        ),
    }


Statement = tuple[str, tuple[object, ...]]


async def questions(connection: asyncpg.Connection, window_days: int) -> dict[str, Statement]:
    """Each question as the app asks it (statement and arguments), on the trigger rollups."""
    picked = await connection.fetchrow(
        """
        WITH counts AS (SELECT video_id, count(*) AS n FROM sessions GROUP BY video_id)
        SELECT (SELECT video_id FROM counts ORDER BY n DESC LIMIT 1),
               (SELECT video_id FROM counts ORDER BY n OFFSET (SELECT count(*) / 2 FROM counts) LIMIT 1)
        """
    )
    assert picked is not None
    end = datetime.now(UTC)
    start = end - timedelta(days=window_days)
    day = Interval(microseconds=86_400_000_000)
    asked: dict[str, Statement] = {}
    key_scope = await stats.scope_for(connection, VideoQuery(key="bench"), start, end)
    assert key_scope is not None
    hours = rollup.full_hours(start, end)
    assert hours is not None
    for zone_name in ("UTC", "Europe/Berlin"):
        zone = UTC_ZONE if zone_name == "UTC" else zone_named(zone_name)
        sql, values = rollup.plays_sql(day, zone, timescale=True)
        asked[f"plays, whole key, {zone_name}"] = (
            sql,
            (key_scope.key_id, *hours, 1, start, end, 1.0, *values),
        )
        sql, values = rollup.sources_sql("hour", day, zone, timescale=True)
        asked[f"sources, whole key, {zone_name}"] = (
            sql,
            (key_scope.key_id, *hours, 1.0, start, end, *values),
        )
    days = rollup.full_days(start, end)
    assert days is not None
    for label, video_id in (("most watched video", picked[0]), ("median video", picked[1])):
        metadata = await connection.fetchval("SELECT metadata FROM videos WHERE id = $1", video_id)
        scope = await stats.scope_for(connection, VideoQuery(video=metadata), start, end)
        assert scope is not None
        sql, values = rollup.sources_sql("day", day, UTC_ZONE, timescale=True)
        asked[f"sources, {label}, UTC"] = (sql, (list(scope.video_ids), *days, 1.0, start, end, *values))
    return asked


def on_aggregates(statement: str) -> str:
    """The same statement reading the continuous aggregates instead of the trigger rollups."""
    for table in AGGREGATES:
        statement = statement.replace(f"FROM {table} p", f"FROM {aggregate(table)} p")
    return statement


def differences(expected: list[asyncpg.Record], got: list[asyncpg.Record]) -> int:
    """Rows that differ: counts exactly, float sums to 1e-9 relative (the two add the same
    numbers in another order)."""
    if len(expected) != len(got):
        return abs(len(expected) - len(got)) + sum(
            1 for a, b in zip(expected, got, strict=False) if not same(a, b)
        )
    return sum(1 for a, b in zip(expected, got, strict=True) if not same(a, b))


def same(a: asyncpg.Record, b: asyncpg.Record) -> bool:
    for x, y in zip(a.values(), b.values(), strict=True):
        if isinstance(x, float) and isinstance(y, float):
            if not math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-6):
                return False
        elif x != y:
            return False
    return True


async def compare_queries(connection: asyncpg.Connection, window_days: int, runs: int) -> dict[str, Any]:
    """Each question with the server's JIT setting (on by default in PostgreSQL 15, and its
    compilation can outweigh the query: the plays statement's estimate is far above the JIT
    thresholds) and with JIT off, so that what the two designs differ in is seen either way."""
    asked = await questions(connection, window_days)
    results: dict[str, Any] = {}
    for jit in ("server default", "off"):
        await connection.execute("RESET jit" if jit == "server default" else "SET jit = off")
        label = f"jit {await connection.fetchval('SHOW jit')} ({jit})"
        results[label] = await compare_each(connection, asked, runs)
    await connection.execute("RESET jit")
    return results


async def compare_each(
    connection: asyncpg.Connection, asked: dict[str, Statement], runs: int
) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for name, (statement, arguments) in asked.items():
        cagg_statement = on_aggregates(statement)
        assert cagg_statement != statement
        rollup_rows = await connection.fetch(statement, *arguments)
        cagg_rows = await connection.fetch(cagg_statement, *arguments)

        def ask(sql: str, arguments: tuple[object, ...] = arguments) -> Callable[[], Awaitable[object]]:
            return lambda: connection.fetch(sql, *arguments)

        results[name] = {
            "rows": len(rollup_rows),
            "rows_differing": differences(rollup_rows, cagg_rows),
            "trigger_rollups": await measure(ask(statement), runs),
            "continuous_aggregates": await measure(ask(cagg_statement), runs),
            "load_average_1min": await load_average(),
        }
        print(f"{name:40} {results[name]}", flush=True)
    return results


# Each design's settings: which rollup triggers fire, and whether TimescaleDB tracks the writes for
# the continuous aggregates (timescaledb.skip_cagg_invalidation skips that, as if none existed).
DESIGNS: dict[str, tuple[tuple[str, ...], bool]] = {
    "no_rollup": ((), False),
    "trigger_rollups": (TRIGGERS, False),
    "continuous_aggregates": ((), True),
}


async def write_rounds(
    connection: asyncpg.Connection, key_id: int, videos: int, day_end: datetime, args: argparse.Namespace
) -> dict[str, Any]:
    """The designs' writes in turns (rounds), so that the others' load on the machine falls on
    each alike; every design writes the same rows in a round (the same seed). The aggregates'
    batch is then refreshed as their policy would, timed, and each batch is deleted with its own
    design's settings, leaving rollups and aggregates as they were."""
    per_round = args.batch_sessions // args.rounds
    rounds: dict[str, list[dict[str, Any]]] = {name: [] for name in DESIGNS}
    for number in range(args.rounds):
        for name, (triggers, tracked) in DESIGNS.items():
            await set_triggers(connection, triggers)
            await connection.execute(f"SET timescaledb.skip_cagg_invalidation = {'off' if tracked else 'on'}")
            seed = 0.1 + number / 100
            measured = await write_batches(
                connection, key_id, videos, day_end, per_round, args.checkpoints, seed
            )
            if tracked:
                measured["seen_before_refresh"] = await batch_seen(connection, day_end)
                measured["refresh_seconds"] = await refresh(connection, *refreshed_window(day_end))
                measured["seen_after_refresh"] = await batch_seen(connection, day_end)
                refreshed = sum(measured["refresh_seconds"].values())
                measured["refresh_us_per_session"] = round(refreshed / per_round * 1e6, 1)
            measured["delete_seconds"] = await delete_batches(connection, day_end)
            if tracked:
                await refresh(connection, *refreshed_window(day_end))
            rounds[name].append(measured)
            print(f"round {number + 1} {name}: {measured}", flush=True)
    await connection.execute("RESET timescaledb.skip_cagg_invalidation")
    return {name: summary(measured) for name, measured in rounds.items()}


def summary(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Per figure, the median of the rounds' medians with their range, and the rounds themselves."""
    figures: dict[str, Any] = {}
    for figure in (
        "insert_us_per_session",
        "checkpoint_us_per_update",
        "us_per_session_with_its_checkpoints",
    ):
        medians = [measured[figure]["p50"] for measured in rounds if measured[figure]]
        figures[figure] = {"p50": round(statistics.median(medians), 1), "range": [min(medians), max(medians)]}
    if "refresh_us_per_session" in rounds[0]:
        refreshes = [measured["refresh_us_per_session"] for measured in rounds]
        figures["refresh_us_per_session"] = {
            "p50": round(statistics.median(refreshes), 1),
            "range": [min(refreshes), max(refreshes)],
        }
    return {**figures, "rounds": rounds}


async def run(url: str, args: argparse.Namespace) -> dict[str, Any]:
    database = args.database
    connection = await open_database(url, database)
    try:
        versions = await connection.fetchrow(
            "SELECT current_setting('server_version') AS postgresql,"
            " (SELECT extversion FROM pg_extension WHERE extname = 'timescaledb') AS timescaledb"
        )
        assert versions is not None and versions["timescaledb"], "needs TimescaleDB"
        # Both designs are measured on the same uncompressed chunks: compression would otherwise
        # start on the generated history during the run and move every figure.
        await connection.execute(
            "SELECT alter_job(job_id, scheduled => false) FROM timescaledb_information.jobs"
            " WHERE hypertable_name = 'sessions' AND proc_name = 'policy_compression'"
        )
        await drop_aggregates(connection)  # an earlier run's, built again below
        await remove_stale_batches(connection, args.days)
    finally:
        await connection.close()
    facts = await prepare(
        url, args.sessions, args.videos, args.days, False, database=database, measure_write_cost=False
    )
    connection = await asyncpg.connect(with_database(url, database))
    try:
        key_id = await connection.fetchval("SELECT id FROM keys WHERE key = 'bench'")
        videos = await connection.fetchval("SELECT count(*) FROM videos WHERE key_id = $1", key_id)
        generated_at = datetime.fromisoformat(facts["generated_at"])
        # An empty day just before the generated history: the batches' own, for every design.
        day_end = generated_at - timedelta(days=args.days + 1)
        report: dict[str, Any] = {
            "versions": dict(versions),
            "data": facts,
            "batch_day_end": day_end.isoformat(),
            "write": {},
        }
        await set_triggers(connection, (*TRIGGERS, *OTHER_TRIGGERS))
        await create_aggregates(connection)
        built_to = datetime.now(UTC) - timedelta(hours=1)
        report["aggregates_build_seconds"] = await refresh(connection, None, built_to)
        print(f"built the continuous aggregates: {report['aggregates_build_seconds']}", flush=True)
        for table in AGGREGATES:
            await connection.execute(f"ANALYZE {aggregate(table)}")
        report["sizes_mb"] = await sizes_mb(connection)
        report["triggers_on_sessions"] = [
            row["tgname"]
            for row in await connection.fetch(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'sessions'::regclass AND NOT tgisinternal"
            )
        ]
        if not args.skip_write_cost:
            await make_batch_chunk(connection, key_id, videos, day_end)
            report["write"] = await write_rounds(connection, key_id, videos, day_end, args)
            await set_triggers(connection, (*TRIGGERS, *OTHER_TRIGGERS))
            await connection.execute(
                "VACUUM ANALYZE sessions, plays_hourly, sources_hourly, sources_daily", timeout=None
            )
        if not args.skip_queries:
            report["queries"] = await compare_queries(connection, args.window, args.runs)
        if not args.keep_aggregates:
            await drop_aggregates(connection)
        return report
    finally:
        await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default=DATABASE, help="the benchmark's own database on the server")
    parser.add_argument("--sessions", type=int, default=10_000_000)
    parser.add_argument("--videos", type=int, default=1000)
    parser.add_argument("--days", type=int, default=90, help="days of generated history")
    parser.add_argument("--window", type=int, default=30, help="days each query looks back")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--batch-sessions", type=int, default=100_000, help="sessions written per design")
    parser.add_argument(
        "--checkpoints", type=int, default=2, help="checkpoint UPDATEs of each written session"
    )
    parser.add_argument("--rounds", type=int, default=4, help="turns the designs' writes are split in")
    parser.add_argument("--skip-write-cost", action="store_true")
    parser.add_argument("--skip-queries", action="store_true")
    parser.add_argument("--keep-aggregates", action="store_true", help="leave the aggregates in place")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("DATABASE_URL must name a TimescaleDB server (continuous aggregates need it)")
    report = asyncio.run(run(url, args))
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"rollup-designs-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps(report, indent=2, default=str))
    print(f"saved {out}")


if __name__ == "__main__":
    main()
