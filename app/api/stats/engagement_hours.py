"""Engagement of a whole key, added up from parts kept per settled UTC hour.

The ranges of an engagement answer cut the key's longest video, whose length changes, into as
many ranges as asked, so no rollup kept at write time serves every question exactly. But every
count of an answer (viewers and rewatches per range; plays that reached each range, and plays)
is a sum over sessions, and so a sum over the hours the sessions started in. A question about a
key therefore:

1. reads the parts kept for its hours (`engagement_hours`, migrations/050), each used only while
   its hour has not changed since it was counted (`session_hour_changes`, moved on by a trigger
   when a row of a settled hour is written late);
2. counts the rest from the sessions in one pass per stretch, by hour: the hours nothing was kept
   for yet, the hours not yet settled (ended less than `SETTLED` ago, when sessions may still be
   checkpointed into them) and the window's ends that are not whole hours;
3. keeps the parts of settled hours it had to count, so that the next question reads them.

The first question of a kind over a month of a large key costs what a full count costs; the
next ones read some hundred kept rows and the last hours' sessions. All of it happens in one
repeatable-read transaction, so the parts counted and the generations they are kept with are of
one snapshot. A deletion of sessions removes the kept parts of its key under an exclusive lock
that counting takes shared (`forget`), so a part counted before a deletion is never kept after it.
On a read standby (a read-only connection) the parts that reached it are used; when a settled
hour has none, the question goes to the primary (the `keeper`), which counts and keeps it, so the
next one is the standby's again.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg
import orjson

from app.api.stats.scope import Connection, Scope

# An hour's part is kept once the hour ended this long ago. The trigger of migration 050 moves on
# the generation of any hour older than one hour when a row of it is written; the hour between
# the two covers a writer's transaction that began before the part was counted.
SETTLED = timedelta(hours=2)
HOUR = timedelta(hours=1)
# Parts not counted again for this long go (questions of a length no video has any more).
REKEPT = timedelta(days=30)
# The smallest step of a timestamptz: a window's inclusive end, as the exclusive end of a stretch.
TICK = timedelta(microseconds=1)
# Counting takes it shared, a deletion of sessions exclusively (pg_advisory_lock's one-key form).
LOCK_ID = 0x656E6761  # "enga"


@dataclass(frozen=True, slots=True)
class Question:
    """What is counted for a key: `name` tells its parts apart from other questions' (kind, length,
    number of ranges, minimum, filters); `count(stretch)` is the hourly statement and its
    arguments for the key's sessions in a stretch of the window, one row per hour with sessions
    holding two arrays; `width` is the length of those arrays' first."""

    name: str
    width: int
    count: Callable[[Scope], tuple[str, list[object]]]


@dataclass(frozen=True, slots=True)
class Sums:
    """A question's two arrays, added up over the window's hours."""

    counted: list[int]
    again: list[int]


def question_name(kind: str, scope: Scope, *values: object) -> str:
    """The text that tells a question's kept parts apart: its kind, its values (floats exactly, as
    their hex form) and the scope's filters."""
    shown = [value.hex() if isinstance(value, float) else value for value in values]
    return orjson.dumps([kind, shown, list(scope.filters.columns())]).decode()


async def summed(
    connection: Connection, scope: Scope, question: Question, keeper: asyncpg.Pool | None = None
) -> Sums:
    """The question's arrays over the scope's window, from kept parts and counted stretches. On a
    read standby with the primary as `keeper`, a question that finds a settled hour without its
    part is asked on the primary, which keeps it; otherwise the standby counts what is missing."""
    writable = not await connection.fetchval("SELECT pg_is_in_recovery()")
    if not writable:
        sums = await _summed(connection, scope, question, writable=False, complete=keeper is not None)
        if sums is not None:
            return sums
        assert keeper is not None
        async with keeper.acquire() as primary:
            return await summed(primary, scope, question)
    await connection.execute("SELECT pg_advisory_lock_shared($1)", LOCK_ID)
    try:
        counted = await _summed(connection, scope, question, writable=True, complete=False)
        assert counted is not None
        return counted
    finally:
        await connection.execute("SELECT pg_advisory_unlock_shared($1)", LOCK_ID)


async def _summed(
    connection: Connection, scope: Scope, question: Question, *, writable: bool, complete: bool
) -> Sums | None:
    """The sums; None, counting nothing, when `complete` asks for every settled hour's part kept
    and one is not."""
    key_id = scope.key_id
    assert key_id is not None, "parts are kept for keys"
    stop = scope.end + TICK
    sums = Sums([0] * question.width, [])
    kept: dict[datetime, tuple[list[int], list[int]]] = {}
    counted: dict[datetime, tuple[list[int], list[int]]] = {}
    async with connection.transaction(isolation="repeatable_read", readonly=not writable):
        now: datetime = await connection.fetchval("SELECT now()")
        first, limit = _keepable(scope.start, stop, now)
        if first < limit:
            for row in await connection.fetch(_KEPT, key_id, question.name, first, limit):
                kept[row["hour"]] = (list(row["counted"]), list(row["again"]))
        missing = [hour for hour in _hours(first, limit) if hour not in kept]
        if complete and missing:
            return None
        for piece_start, piece_stop in _stretches(scope.start, stop, first, limit, kept):
            statement, args = question.count(scope.during(piece_start, piece_stop - TICK))
            for row in await connection.fetch(statement, *args):
                counted[row[0]] = (list(row[1]), list(row[2]))
        if writable and missing:
            await _keep(connection, key_id, question.name, missing, counted)
    for part in (*kept.values(), *counted.values()):
        _add(sums, part)
    return sums


def _keepable(start: datetime, stop: datetime, now: datetime) -> tuple[datetime, datetime]:
    """The whole UTC hours inside [start, stop) that are settled: [first, limit)."""
    first = _floor_hour(start)
    if first < start:
        first += HOUR
    limit = min(_floor_hour(stop), _floor_hour(now - SETTLED))
    return first, max(first, limit)


def _floor_hour(moment: datetime) -> datetime:
    return moment - timedelta(minutes=moment.minute, seconds=moment.second, microseconds=moment.microsecond)


def _hours(first: datetime, limit: datetime) -> Iterator[datetime]:
    hour = first
    while hour < limit:
        yield hour
        hour += HOUR


def _stretches(
    start: datetime, stop: datetime, first: datetime, limit: datetime, kept: Collection[datetime]
) -> list[tuple[datetime, datetime]]:
    """[start, stop) less the kept hours, as few half-open stretches as it takes."""
    stretches: list[tuple[datetime, datetime]] = []
    cursor = start
    for hour in _hours(first, limit):
        if hour in kept:
            if cursor < hour:
                stretches.append((cursor, hour))
            cursor = hour + HOUR
    if cursor < stop:
        stretches.append((cursor, stop))
    return stretches


def _add(sums: Sums, part: tuple[list[int], list[int]]) -> None:
    """Add an hour's arrays; an empty array is an hour without sessions (all zero)."""
    counted, again = part
    for index, value in enumerate(counted):
        sums.counted[index] += value
    if len(sums.again) < len(again):
        sums.again.extend([0] * (len(again) - len(sums.again)))
    for index, value in enumerate(again):
        sums.again[index] += value


async def _keep(
    connection: Connection,
    key_id: int,
    name: str,
    hours: list[datetime],
    counted: dict[datetime, tuple[list[int], list[int]]],
) -> None:
    """Keep the counted parts of settled hours with their hours' generations of this snapshot.
    Another question keeping the same part at the same moment makes this one give way (a
    serialization failure in repeatable read): the answer is counted either way."""
    parts = [counted.get(hour, ([], [])) for hour in hours]
    try:
        async with connection.transaction():
            await connection.execute(
                _KEEP,
                key_id,
                name,
                hours,
                [orjson.dumps(part[0]).decode() for part in parts],
                [orjson.dumps(part[1]).decode() for part in parts],
            )
    except (asyncpg.SerializationError, asyncpg.UniqueViolationError):
        return


async def forget(connection: Connection, key_ids: list[int]) -> None:
    """Inside a transaction that deletes sessions of these keys: wait for any counting to end,
    and remove the keys' kept parts and their hours' generations (counting waits in turn until
    the deletion is committed)."""
    await connection.execute("SELECT pg_advisory_xact_lock($1)", LOCK_ID)
    for table in ("engagement_hours", "session_hour_changes"):
        await connection.execute(f"DELETE FROM {table} WHERE key_id = ANY($1::bigint[])", key_ids)  # noqa: S608


async def forget_before(connection: Connection, boundary: datetime) -> None:
    """Inside the retention's transaction: the same for every key's parts before `boundary`, and
    parts not counted again for `REKEPT`."""
    await connection.execute("SELECT pg_advisory_xact_lock($1)", LOCK_ID)
    await connection.execute(
        "DELETE FROM engagement_hours WHERE hour < $1 OR kept_at < now() - $2::interval", boundary, REKEPT
    )
    await connection.execute("DELETE FROM session_hour_changes WHERE hour < $1", boundary)


_KEPT = """
    SELECT p.hour, p.counted, p.again
    FROM engagement_hours p
    LEFT JOIN session_hour_changes c ON c.key_id = p.key_id AND c.hour = p.hour
    WHERE p.key_id = $1 AND p.question = $2 AND p.hour >= $3 AND p.hour < $4
      AND p.generation = coalesce(c.generation, 0)
"""

_KEEP = """
    INSERT INTO engagement_hours AS p (key_id, question, hour, generation, counted, again)
    SELECT $1, $2, h.hour, coalesce(c.generation, 0),
           ARRAY(SELECT jsonb_array_elements_text(h.counted::jsonb)::bigint),
           ARRAY(SELECT jsonb_array_elements_text(h.again::jsonb)::bigint)
    FROM unnest($3::timestamptz[], $4::text[], $5::text[]) AS h(hour, counted, again)
    LEFT JOIN session_hour_changes c ON c.key_id = $1 AND c.hour = h.hour
    ON CONFLICT (key_id, question, hour) DO UPDATE
        SET generation = excluded.generation, counted = excluded.counted, again = excluded.again,
            kept_at = now()
"""
