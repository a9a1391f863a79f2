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

from app.api.stats import range_counts
from app.api.stats.scope import Connection, Scope


async def retention(
    connection: Connection, scope: Scope, length: float, count: int, minimum_watch_seconds: float
) -> list[float | None]:
    """The share of the plays that reached each range, in range order; None without plays."""
    where, args = scope.condition()
    args += [length, count, minimum_watch_seconds]
    where = scope.narrowed(where + " AND s.watched >= $6", args)
    if range_counts.exact_for(length):
        statement = _BY_RUNS.format(where=where, last=range_counts.last_below("s.furthest"))
    else:
        statement = _BY_RANGE.format(where=where)
    rows = await connection.fetch(statement, *args)
    return [None if not row["plays"] else row["reached"] / row["plays"] for row in rows]


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

_BY_RANGE = """
    WITH plays AS MATERIALIZED (SELECT s.furthest FROM sessions s WHERE {where})
    SELECT r.range,
           (SELECT count(*) FROM plays p WHERE p.furthest > $4::float8 * r.range / $5::int) AS reached,
           (SELECT count(*) FROM plays) AS plays
    FROM generate_series(0, $5::int - 1) AS r(range)
    ORDER BY r.range
"""
