"""Retention: for each of a video's equal ranges, the share of plays whose furthest position
reached it, that is went past its start (`furthest > from`).

`furthest` is the furthest point a session's segments reached (app/ingest/session.py). Each
play reaches a run of ranges from the first: 0 .. last, where `last` is the number of range
starts below its furthest position, less one, read off the sorted starts with `width_bucket`
(as app/api/stats/range_counts.py reads a segment's end). So the plays are grouped by `last`,
which takes at most `count` values, and the plays that reached range r are those whose `last`
is r or more: a running sum from the end. Exact wherever the single pass of the ranges is
(`range_counts.exact_for`: the starts strictly increase); elsewhere each range is compared
with each play, as the definition says.

Sessions stored before migration 020 have no furthest position: they count as plays that
reached no range (docs/STORAGE.md), as they count as not completed.
"""

from __future__ import annotations

import asyncpg

from app.api.stats import engagement_hours, range_counts
from app.api.stats.scope import Connection, Scope


async def retention(
    connection: Connection,
    scope: Scope,
    length: float,
    count: int,
    minimum_watch_seconds: float,
    *,
    kept: bool = True,
    keeper: asyncpg.Pool | None = None,
) -> list[float | None]:
    """The share of the plays that reached each range, in range order; None without plays. For a
    key, added up from the parts kept per hour (app/api/stats/engagement_hours.py) unless `kept`
    is false (the tests that hold the two to each other); `keeper` is the primary when
    `connection` is a read standby's."""
    if kept and scope.key_id is not None and range_counts.exact_for(length):
        return await _key_retention(connection, scope, length, count, minimum_watch_seconds, keeper)
    where, args = _where(scope, length, count, minimum_watch_seconds)
    if range_counts.exact_for(length):
        statement = _BY_RUNS.format(where=where, last=range_counts.last_below("s.furthest"))
    else:
        statement = _BY_RANGE.format(where=where)
    rows = await connection.fetch(statement, *args)
    return [None if not row["plays"] else row["reached"] / row["plays"] for row in rows]


def _where(scope: Scope, length: float, count: int, minimum_watch_seconds: float) -> tuple[str, list[object]]:
    """The plays' condition: the scope's $1..$3, $4 length, $5 count, $6 minimum, then filters."""
    where, args = scope.condition()
    args += [length, count, minimum_watch_seconds]
    return scope.narrowed(where + " AND s.watched >= $6", args), args


async def _key_retention(
    connection: Connection,
    scope: Scope,
    length: float,
    count: int,
    minimum_watch_seconds: float,
    keeper: asyncpg.Pool | None,
) -> list[float | None]:
    def hourly(stretch: Scope) -> tuple[str, list[object]]:
        where, args = _where(stretch, length, count, minimum_watch_seconds)
        last = range_counts.last_below("s.furthest")
        return BY_HOUR.format(where=where, hour=range_counts.HOUR, last=last), args

    name = engagement_hours.question_name("retention", scope, length, count, minimum_watch_seconds)
    question = engagement_hours.Question(name, count, hourly)
    sums = await engagement_hours.summed(connection, scope, question, keeper)
    plays = sums.again[0] if sums.again else 0
    return [None if not plays else reached / plays for reached in sums.counted]


# Parameters: the scope's $1..$3 (`where`, over `sessions s`), $4 length, $5 count, $6 minimum.
_BY_RUNS = """
    WITH bounds AS (
        SELECT array_agg($4::float8 * r / $5::int ORDER BY r) AS lowers
        FROM generate_series(0, $5::int - 1) AS r
    ),
    runs AS (
        SELECT {last} AS last, count(*) AS plays
        FROM sessions s CROSS JOIN bounds b
        WHERE {where}
        GROUP BY 1
    )
    SELECT r.range,
           coalesce(sum(runs.plays) OVER (ORDER BY r.range DESC), 0)::bigint AS reached,
           (SELECT coalesce(sum(plays), 0) FROM runs)::bigint AS plays
    FROM generate_series(0, $5::int - 1) AS r(range)
    LEFT JOIN runs ON runs.last = r.range
    ORDER BY r.range
"""

# The same runs per UTC hour of a key's sessions: for each hour with plays, the plays that reached
# each range (an array in range order) and all its plays (app/api/stats/engagement_hours.py).
BY_HOUR = """
    WITH bounds AS (
        SELECT array_agg($4::float8 * r / $5::int ORDER BY r) AS lowers
        FROM generate_series(0, $5::int - 1) AS r
    ),
    runs AS (
        SELECT {hour} AS hour, {last} AS last, count(*) AS plays
        FROM sessions s CROSS JOIN bounds b
        WHERE {where}
        GROUP BY 1, 2
    ),
    totals AS (SELECT hour, sum(plays)::bigint AS plays FROM runs GROUP BY hour)
    SELECT t.hour, array_agg(t.reached ORDER BY t.range) AS reached, ARRAY[min(totals.plays)] AS plays
    FROM (
        SELECT h.hour, r.range,
               coalesce(sum(runs.plays) OVER w, 0)::bigint AS reached
        FROM totals h
        CROSS JOIN generate_series(0, $5::int - 1) AS r(range)
        LEFT JOIN runs ON runs.hour = h.hour AND runs.last = r.range
        WINDOW w AS (PARTITION BY h.hour ORDER BY r.range DESC)
    ) AS t
    JOIN totals ON totals.hour = t.hour
    GROUP BY t.hour
"""

_BY_RANGE = """
    WITH plays AS MATERIALIZED (SELECT s.furthest FROM sessions s WHERE {where})
    SELECT r.range,
           (SELECT count(*) FROM plays p WHERE p.furthest > $4::float8 * r.range / $5::int) AS reached,
           (SELECT count(*) FROM plays) AS plays
    FROM generate_series(0, $5::int - 1) AS r(range)
    ORDER BY r.range
"""
