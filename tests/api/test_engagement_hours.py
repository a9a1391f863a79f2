"""A key's engagement added up from parts kept per settled hour (app/api/stats/engagement_hours.py)
gives exactly what counting its sessions gives: for windows cut anywhere, any number of ranges,
a minimum, filters; after late rows, checkpoints of settled hours, deletions and retention. And
the window is always split into kept hours and counted stretches that cover it exactly once."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.api import stats
from app.api.params import Filters
from app.api.stats import engagement_hours
from app.api.stats.engagement_hours import HOUR, SETTLED, TICK, _keepable, _stretches
from app.db import retention as retention_job
from app.intervals import Interval
from tests.api.rows import add_key, add_session, add_video
from tests.support.server import ServerProcess

SHAPES: list[list[list[float]]] = [
    [[0.0, 30.0]],
    [[0.0, 12.5]],
    [[10.0, 20.0]],  # on boundaries of 3 ranges of 30 s
    [[2.0, 8.0], [4.0, 9.0]],  # a rewatch
    [[0.0, 10.0], [10.0, 15.0]],  # touching
    [[1.0, 2.0], [3.0, 4.0], [25.0, 29.999]],  # three: the other path
    [[29.5, 30.0]],
    [[0.0, 59.0]],  # past the shorter video
    [[7.3, 7.31]],
]
BROWSERS = ["chrome", "firefox", "safari"]


async def ranges_both(
    connection: asyncpg.Connection, scope: stats.Scope, count: int, minimum: float | None
) -> tuple[list[stats.RangeViewers], list[stats.RangeViewers]]:
    length = await stats.duration(connection, scope)
    assert length is not None
    kept = await stats.ranges(connection, scope, length, count, minimum_watch_seconds=minimum)
    counted = await stats.ranges(connection, scope, length, count, minimum_watch_seconds=minimum, kept=False)
    return kept, counted


async def retention_both(
    connection: asyncpg.Connection, scope: stats.Scope, count: int, minimum: float
) -> tuple[list[float | None], list[float | None]]:
    length = await stats.duration(connection, scope)
    assert length is not None
    kept = await stats.retention(connection, scope, length, count, minimum)
    counted = await stats.retention(connection, scope, length, count, minimum, kept=False)
    return kept, counted


async def sessions_over_days(db: asyncpg.Connection, now: datetime, days: int = 3) -> int:
    """A key with two videos and sessions every few minutes over the last `days` days."""
    key_id, _ = await add_key(db)
    videos = [await add_video(db, key_id, {"v": n}, duration=d) for n, d in enumerate((30.0, 60.0))]
    shuffle = random.Random(13)
    moment = now - timedelta(days=days)
    while moment < now:
        segments = shuffle.choice(SHAPES)
        watched = sum(b - a for a, b in segments)
        await add_session(
            db,
            key_id,
            shuffle.choice(videos),
            moment,
            shuffle.choice([watched, 0.5]),
            segments=segments,
            browser=shuffle.choice(BROWSERS),
        )
        moment += timedelta(minutes=shuffle.randint(7, 40), microseconds=shuffle.randint(0, 999_999))
    return key_id


def windows(now: datetime) -> list[tuple[datetime, datetime]]:
    """Whole days, windows cut mid-hour to the microsecond, one inside an hour, one ending now."""
    cut = random.Random(7)
    chosen = [(now - timedelta(days=3), now), (now - timedelta(hours=30), now - timedelta(hours=3))]
    for _ in range(4):
        start = now - timedelta(
            days=3, seconds=cut.randint(0, 3 * 86_400), microseconds=cut.randint(0, 10**6)
        )
        chosen.append((start, start + timedelta(seconds=cut.randint(60, 2 * 86_400))))
    hour = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=20)
    chosen += [(hour, hour + HOUR), (hour, hour + HOUR - TICK), (hour + TICK, hour + timedelta(minutes=30))]
    return chosen


async def test_kept_hours_give_the_counted_answer(db: asyncpg.Connection, server: ServerProcess) -> None:
    now = datetime.now(UTC)
    key_id = await sessions_over_days(db, now)
    compared = 0
    for start, end in windows(now):
        for filters in (Filters(), Filters(browser="firefox")):
            scope = stats.Scope(start, end, key_id=key_id, filters=filters)
            for count, minimum in ((10, None), (3, 1.0), (64, None), (1, 0.0)):
                # Twice: the first counts and keeps, the second reads what the first kept.
                for _ in range(2):
                    kept, counted = await ranges_both(db, scope, count, minimum)
                    assert kept == counted, (start, end, filters, count, minimum)
                    compared += sum(r.viewers for r in counted)
                    shares, direct = await retention_both(db, scope, count, minimum or 1.0)
                    assert shares == direct, (start, end, filters, count, minimum)
    assert compared > 1000
    kept_rows = await db.fetchval("SELECT count(*) FROM engagement_hours WHERE key_id = $1", key_id)
    assert kept_rows > 100
    # Nothing is kept for hours that are not settled yet.
    assert not await db.fetchval(
        "SELECT count(*) FROM engagement_hours WHERE key_id = $1 AND hour > $2", key_id, now - SETTLED - HOUR
    )


async def test_rows_written_late_move_their_hour_on(db: asyncpg.Connection, server: ServerProcess) -> None:
    now = datetime.now(UTC)
    key_id = await sessions_over_days(db, now, days=1)
    scope = stats.Scope(now - timedelta(days=1), now, key_id=key_id)
    kept, counted = await ranges_both(db, scope, 10, None)
    assert kept == counted
    hour = (now - timedelta(hours=5)).replace(minute=0, second=0, microsecond=0)
    assert await db.fetchval(
        "SELECT count(*) FROM engagement_hours WHERE key_id = $1 AND hour = $2", key_id, hour
    )
    video = await db.fetchval("SELECT id FROM videos WHERE key_id = $1 LIMIT 1", key_id)

    # A session stored late (a replayed overflow file) into a kept hour moves the hour on (the
    # rows added above, all older than an hour, moved it on as they went in).
    generation = "SELECT generation FROM session_hour_changes WHERE key_id = $1 AND hour = $2"
    was = await db.fetchval(generation, key_id, hour)
    late = await add_session(db, key_id, video, hour + timedelta(minutes=1), 30.0, segments=[[0.0, 30.0]])
    assert await db.fetchval(generation, key_id, hour) == was + 1
    kept, counted = await ranges_both(db, scope, 10, None)
    assert kept == counted
    assert sum(r.viewers for r in kept) == sum(r.viewers for r in counted)

    # A checkpoint of a long session rewrites its row.
    await db.execute("UPDATE sessions SET segments = '{{0,3},{20,29}}' WHERE id = $1", late)
    kept, counted = await ranges_both(db, scope, 10, None)
    assert kept == counted
    shares, direct = await retention_both(db, scope, 10, 1.0)
    assert shares == direct

    # A session written as it happens costs no change of generation.
    await add_session(db, key_id, video, now - timedelta(minutes=5), 3.0)
    assert not await db.fetchval(
        "SELECT count(*) FROM session_hour_changes WHERE key_id = $1 AND hour > $2", key_id, now - HOUR
    )


async def test_deleted_sessions_leave_no_kept_part(db: asyncpg.Connection, server: ServerProcess) -> None:
    now = datetime.now(UTC)
    key_id = await sessions_over_days(db, now, days=1)
    scope = stats.Scope(now - timedelta(days=1), now, key_id=key_id)
    before = await ranges_both(db, scope, 10, None)
    assert before[0] == before[1]
    async with db.transaction():
        await engagement_hours.forget(db, [key_id])
        await db.execute(
            "DELETE FROM sessions WHERE key_id = $1 AND started_at < $2", key_id, now - timedelta(hours=6)
        )
    assert not await db.fetchval("SELECT count(*) FROM engagement_hours WHERE key_id = $1", key_id)
    kept, counted = await ranges_both(db, scope, 10, None)
    assert kept == counted
    assert sum(r.viewers for r in kept) < sum(r.viewers for r in before[1])


async def test_retention_forgets_the_hours_it_drops(
    db: asyncpg.Connection, database_url: str, server: ServerProcess
) -> None:
    now = datetime.now(UTC)
    key_id = await sessions_over_days(db, now, days=2)
    scope = stats.Scope(now - timedelta(days=2), now, key_id=key_id)
    kept, counted = await ranges_both(db, scope, 10, None)
    assert kept == counted
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=1)
    try:
        await retention_job.forget_engagement(pool, Interval(microseconds=86_400 * 10**6))
    finally:
        await pool.close()
    oldest = await db.fetchval("SELECT min(hour) FROM engagement_hours WHERE key_id = $1", key_id)
    assert oldest is not None and oldest >= now - timedelta(days=1, hours=1)


# Windows and moments anywhere in a few days, to the microsecond.
_moments = st.integers(min_value=0, max_value=5 * 86_400 * 10**6).map(
    lambda us: datetime(2026, 3, 28, tzinfo=UTC) + timedelta(microseconds=us)
)


@given(
    start=_moments,
    length=st.integers(min_value=0, max_value=3 * 86_400 * 10**6),
    now=_moments,
    kept_share=st.floats(min_value=0, max_value=1),
    seed=st.integers(0, 2**16),
)
def test_window_split_into_kept_hours_and_stretches(
    start: datetime, length: int, now: datetime, kept_share: float, seed: int
) -> None:
    stop = start + timedelta(microseconds=length)
    first, limit = _keepable(start, stop, now)
    hours = []
    hour = first
    while hour < limit:
        hours.append(hour)
        hour += HOUR
    for hour in hours:
        assert hour >= start and hour + HOUR <= stop and hour + HOUR <= now - SETTLED
        assert hour.minute == hour.second == hour.microsecond == 0
    pick = random.Random(seed)
    kept = {hour for hour in hours if pick.random() < kept_share}
    pieces = sorted([*_stretches(start, stop, first, limit, kept), *((h, h + HOUR) for h in kept)])
    # The pieces tile [start, stop) exactly: no gap, no overlap, no empty piece.
    cursor = start
    for piece_start, piece_stop in pieces:
        assert piece_start == cursor and piece_start < piece_stop
        cursor = piece_stop
    assert cursor == stop or (start == stop and not pieces)


@pytest.mark.parametrize("start_offset", [timedelta(0), timedelta(minutes=30)])
def test_keepable_hours_start_at_the_first_whole_hour(start_offset: timedelta) -> None:
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    start = datetime(2026, 6, 1, 0, tzinfo=UTC) + start_offset
    first, limit = _keepable(start, now, now)
    assert first == datetime(2026, 6, 1, 1 if start_offset else 0, tzinfo=UTC)
    assert limit == now - SETTLED


async def test_only_rows_older_than_an_hour_move_their_hour_on(
    db: asyncpg.Connection, server: ServerProcess
) -> None:
    """The trigger's edge: a row started just inside the last hour leaves the generations alone,
    one started just before it moves its hour on."""
    key_id, _ = await add_key(db)
    video = await add_video(db, key_id, {"edge": "late rows"}, duration=30.0)
    now = await db.fetchval("SELECT now()")
    await add_session(db, key_id, video, now - HOUR + timedelta(seconds=30), 3.0)
    assert not await db.fetchval("SELECT count(*) FROM session_hour_changes WHERE key_id = $1", key_id)
    await add_session(db, key_id, video, now - HOUR - timedelta(seconds=30), 3.0)
    assert (
        await db.fetchval("SELECT sum(generation) FROM session_hour_changes WHERE key_id = $1", key_id) == 1
    )
