# ruff: noqa: E501  (the SQL reads best one clause to a line)
"""The writer's rollups by the batch (migrations/060) leave every rollup table exactly as the row
triggers leave it: the same batches of session rows are upserted for two keys, one through
`store` (the writer's transaction, rollups grouped) and one with the same statements and the row
triggers, and the nine tables must then hold the same rows, column for column. Batches are
generated: new sessions, checkpoints that move a session's watched time, class, exit or first
frame, the video's duration changing, sessions written twice in a batch's neighbours."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.ingest.record import SessionRecord
from app.ingest.rows import COLUMNS, STAGE_ROW, STAGING, UPSERT_SESSIONS, UPSERT_VIDEOS
from app.ingest.store import store
from tests.support.databases import migrated_pool

T0 = datetime(2026, 3, 28, 22, 0, tzinfo=UTC)  # two UTC days within the generated hours
_names = itertools.count()


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    async with migrated_pool(database_url, "batched", max_size=2) as pool:
        yield pool


# A version of a session: what a checkpoint or final row may change, and what stays.
_versions = st.fixed_dictionaries(
    {
        "hour": st.integers(0, 3),
        "video": st.integers(0, 2),
        "duration": st.sampled_from([None, 30.0, 60.0, 45.5]),
        "browser": st.sampled_from(["chrome", "firefox", "safari"]),
        "device": st.sampled_from(["desktop", "mobile"]),
        "platform": st.sampled_from(["linux", "ios"]),
        "page": st.sampled_from(["https://a.example/x", "https://a.example/y"]),
        "country": st.sampled_from(["unknown", "DE"]),
        "watched": st.sampled_from([0.0, 0.5, 1.0, 2.9, 3.0, 5.0, 10.0, 30.0, 60.0, 600.5, 45.25]),
        "impression": st.booleans(),
        "viewable": st.booleans(),
        "exit": st.sampled_from([None, "ended", "paused", "gave_up", "failed"]),
        "startup": st.sampled_from([None, 0.25, 1.5]),
        "playing": st.sampled_from([0.0, 1.5, 30.0]),
        "rebuffers": st.integers(0, 2),
        "bitrate": st.sampled_from([None, 800_000.0]),
        "frames": st.sampled_from([None, 1000]),
        "completed": st.booleans(),
    }
)
# Batches of (which of 8 sessions, its new version); a session appears at most once a batch, as
# the writer's queue keeps one row per session.
_batches = st.lists(
    st.lists(st.tuples(st.integers(0, 7), _versions), min_size=1, max_size=8, unique_by=lambda item: item[0]),
    min_size=1,
    max_size=5,
)


def _record(key_id: int, slot_id: uuid.UUID, version: dict[str, Any], written: int) -> SessionRecord:
    started = T0 + timedelta(hours=version["hour"], minutes=7)
    return SessionRecord(
        id=slot_id,
        started_at=started,
        ended_at=started + timedelta(minutes=written),  # each batch's row replaces the last
        key_id=key_id,
        metadata={"v": version["video"]},
        identifier=None,
        duration=version["duration"],
        browser=version["browser"],
        platform=version["platform"],
        device=version["device"],
        page_host="a.example",
        page_url=version["page"],
        segments=[[0.0, version["watched"]]],
        watched=version["watched"],
        unique_watched=version["watched"],
        final=written == 4,
        country=version["country"],
        impression=version["impression"],
        viewable=version["viewable"],
        exit=version["exit"],
        startup_time=version["startup"],
        watch_time=version["playing"] + 1.0,
        playing_time=version["playing"],
        rebuffer_count=version["rebuffers"],
        rebuffer_time=version["rebuffers"] * 0.5,
        error_phase="startup" if version["exit"] == "failed" else None,
        error_fingerprint="0123456789abcdef" if version["exit"] == "failed" else None,
        error_code="4" if version["exit"] == "failed" else None,
        error_message="decode" if version["exit"] == "failed" else None,
        completed=version["completed"],
        bitrate=version["bitrate"],
        frames=version["frames"],
        dropped_frames=None if version["frames"] is None else 3,
    )


async def _store_with_row_triggers(pool: asyncpg.Pool, batch: list[SessionRecord]) -> None:
    """The writer's statements without its batched rollups: the row triggers of 004-021 fire."""
    async with pool.acquire() as connection, connection.transaction():
        await connection.execute(STAGING)
        await connection.executemany(STAGE_ROW, [tuple(getattr(r, c) for c in COLUMNS) for r in batch])
        await connection.execute(UPSERT_VIDEOS)
        await connection.execute(UPSERT_SESSIONS)


# Each rollup's rows for one key, its videos named by their metadata; every column compared.
ROLLUPS = {
    "plays_hourly": "SELECT t.* FROM plays_hourly t WHERE key_id = $1",
    "sources_hourly": "SELECT t.* FROM sources_hourly t WHERE key_id = $1",
    "sources_daily": "SELECT v.metadata, t.* FROM sources_daily t JOIN videos v ON v.id = t.video_id WHERE v.key_id = $1",
    "videos_daily": "SELECT v.metadata, t.* FROM videos_daily t JOIN videos v ON v.id = t.video_id WHERE v.key_id = $1",
    "impressions_hourly": "SELECT v.metadata, t.* FROM impressions_hourly t JOIN videos v ON v.id = t.video_id WHERE t.key_id = $1",
    "qoe_hourly": "SELECT t.* FROM qoe_hourly t WHERE key_id = $1",
    "startup_hourly": "SELECT t.* FROM startup_hourly t WHERE key_id = $1",
    "startup_daily": "SELECT t.* FROM startup_daily t WHERE key_id = $1",
    "countries_hourly": "SELECT t.* FROM countries_hourly t WHERE key_id = $1",
}


def _comparable(row: asyncpg.Record) -> tuple[Any, ...]:
    """A rollup row without its key and video ids (which differ between the two keys); sums of
    doubles to 9 places, since the two ways add the same terms in another order."""
    values = []
    for name, value in row.items():
        if name in ("key_id", "video_id"):
            continue
        values.append(round(value, 9) if isinstance(value, float) else value)
    return tuple(values)


async def _rollups(pool: asyncpg.Pool, key_id: int) -> dict[str, list[tuple[Any, ...]]]:
    async with pool.acquire() as connection:
        return {
            table: sorted((_comparable(row) for row in await connection.fetch(query, key_id)), key=repr)
            for table, query in ROLLUPS.items()
        }


async def _two_keys(pool: asyncpg.Pool) -> tuple[int, int]:
    async with pool.acquire() as connection:
        name = next(_names)
        rows = await connection.fetchval("INSERT INTO keys (key) VALUES ($1) RETURNING id", f"rows-{name}")
        batched = await connection.fetchval(
            "INSERT INTO keys (key) VALUES ($1) RETURNING id", f"batched-{name}"
        )
        return rows, batched


async def _same_rollups(pool: asyncpg.Pool, batches: list[list[tuple[int, dict[str, Any]]]]) -> None:
    rows_key, batched_key = await _two_keys(pool)
    slots = {key: [uuid.uuid4() for _ in range(8)] for key in (rows_key, batched_key)}
    for written, batch in enumerate(batches):
        await _store_with_row_triggers(
            pool, [_record(rows_key, slots[rows_key][slot], version, written) for slot, version in batch]
        )
        await store(
            pool,
            [_record(batched_key, slots[batched_key][slot], version, written) for slot, version in batch],
        )
        assert await _rollups(pool, batched_key) == await _rollups(pool, rows_key)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=_batches)
async def test_batched_rollups_equal_the_row_triggers(pool: asyncpg.Pool, batches: Any) -> None:
    await _same_rollups(pool, batches)


async def test_a_checkpoint_that_changes_nothing_leaves_the_rollups_alone(pool: asyncpg.Pool) -> None:
    """The cases the row triggers skip, by hand: the same version written again, then a video whose
    duration changed meanwhile (videos_daily's duration_seen stays as the triggers leave it)."""
    base = {
        "hour": 1, "video": 0, "duration": 60.0, "browser": "chrome", "device": "desktop", "platform": "linux",
        "page": "https://a.example/x", "country": "DE", "watched": 10.0, "impression": True, "viewable": True,
        "exit": "paused", "startup": 0.25, "playing": 30.0, "rebuffers": 1, "bitrate": 800_000.0,
        "frames": 1000, "completed": False,
    }  # fmt: skip
    await _same_rollups(
        pool,
        [
            [(0, base), (1, base)],
            [(0, base), (1, {**base, "watched": 12.0})],
            [(0, {**base, "duration": 30.0}), (1, {**base, "watched": 12.0, "duration": 30.0})],
        ],
    )


async def test_the_writer_leaves_no_changes_behind(database_url: str) -> None:
    """The noted versions are gone once a batch is stored, so the next batch on that connection
    does not add them twice; and other writes on it keep the row triggers."""
    async with migrated_pool(database_url, "batched_one", max_size=1) as pool:
        await _no_changes_behind(pool)


async def _no_changes_behind(pool: asyncpg.Pool) -> None:
    _, batched_key = await _two_keys(pool)
    record = _record(batched_key, uuid.uuid4(), {
        "hour": 0, "video": 1, "duration": None, "browser": "safari", "device": "mobile", "platform": "ios",
        "page": "https://a.example/y", "country": "unknown", "watched": 3.0, "impression": False,
        "viewable": False, "exit": None, "startup": None, "playing": 0.0, "rebuffers": 0, "bitrate": None,
        "frames": None, "completed": False,
    }, 0)  # fmt: skip
    await store(pool, [record])
    await store(pool, [replace(record, ended_at=record.ended_at + timedelta(minutes=1), final=True)])
    async with pool.acquire() as connection:
        assert await connection.fetchval("SELECT views FROM plays_hourly WHERE key_id = $1", batched_key) == 1
        assert await connection.fetchval("SELECT count(*) FROM rollup_changes") == 0
        assert await connection.fetchval("SELECT rollups_batched()") is False
        await connection.execute("DELETE FROM sessions WHERE key_id = $1", batched_key)
        assert await connection.fetchval("SELECT views FROM plays_hourly WHERE key_id = $1", batched_key) == 0


async def test_two_writers_at_once_keep_the_same_rows_exact(database_url: str) -> None:
    """Two processes' writers (`serve --workers 2`) storing batches of one key's hour at the same
    moment add to the same rollup rows; each takes the rows' locks in key order, so neither waits
    on the other in a cycle, and every session is counted once."""
    async with migrated_pool(database_url, "batched_two", max_size=4) as pool:
        _, key_id = await _two_keys(pool)
        version = {
            "hour": 2, "video": 1, "duration": 60.0, "browser": "firefox", "device": "mobile", "platform": "ios",
            "page": "https://a.example/x", "country": "DE", "watched": 30.0, "impression": True, "viewable": False,
            "exit": "ended", "startup": 0.25, "playing": 30.0, "rebuffers": 0, "bitrate": None, "frames": None,
            "completed": True,
        }  # fmt: skip

        async def writer(video: int) -> None:
            for _ in range(10):
                batch = [
                    _record(key_id, uuid.uuid4(), {**version, "video": n % 3}, 4)
                    for n in range(video, video + 50)
                ]
                await store(pool, batch)

        await asyncio.gather(writer(0), writer(1))
        async with pool.acquire() as connection:
            assert (
                await connection.fetchval("SELECT sum(views) FROM plays_hourly WHERE key_id = $1", key_id)
                == 1000
            )
            assert (
                await connection.fetchval(
                    "SELECT sum(plays_30) FROM sources_hourly WHERE key_id = $1", key_id
                )
                == 1000
            )
            assert (
                await connection.fetchval(
                    "SELECT sum(views) FROM qoe_hourly WHERE key_id = $1 AND dimension = 'device'", key_id
                )
                == 1000
            )
