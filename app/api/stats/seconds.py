"""Per-second engagement: for each bucket and each second of video, the sessions that touched it.

The definition (the reference server's shape): a segment [a, b] with b > a touches the whole
seconds floor(a) .. ceil(b) - 1; a session counts once for each second however often it
rewatched it. Seconds past MAX_SECOND are not listed.

Counting second by second would cost one row per watched second and session (a million for one
session claiming a million-second video). Instead each session contributes the *runs* of seconds
it touched, the union of its segments' runs, as +1 where a run starts and -1 where it ends; a
running sum over those edges per bucket gives runs of equal viewers. Sessions of one or two
segments (nearly all) are mapped inline, the union of two runs being both less their overlap;
others through engagement_second_runs() (migrations/010). The cost follows the segments, never
the seconds, and the answer is expanded to seconds only once its size is known to be within
MAX_LISTED.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.api.stats.range_counts import SIMPLE_SEGMENTS

# The longest video: positions past it are not kept by ingest (app/ingest/session.py).
MAX_SECOND = 1_000_000
# The most (bucket, second) entries one answer lists: about 5 MB of JSON.
MAX_LISTED = 200_000


def runs_sql(where: str, bucket: str, max_second: str) -> str:
    """Rows (bucket, start, stop, viewers): seconds start .. stop - 1 each watched by `viewers`
    sessions, ascending. `where` is over `sessions s`, `bucket` an expression of its start, and
    `max_second` the placeholder MAX_SECOND is bound to; their values are the caller's to bind."""

    def lo(value: str) -> str:
        return f"least(greatest(floor({value}), 0), {max_second}::int)::int"

    def hi(value: str) -> str:
        return f"least(greatest(ceil({value}), 0), {max_second}::int)::int"

    run1 = f"CASE WHEN s.segments[1][2] > s.segments[1][1] THEN {lo('s.segments[1][1]')} END"
    end1 = f"CASE WHEN s.segments[1][2] > s.segments[1][1] THEN {hi('s.segments[1][2]')} END"
    run2 = f"CASE WHEN s.segments[2][2] > s.segments[2][1] THEN {lo('s.segments[2][1]')} END"
    end2 = f"CASE WHEN s.segments[2][2] > s.segments[2][1] THEN {hi('s.segments[2][2]')} END"
    return f"""
        WITH grouped AS (
            SELECT {bucket} AS bucket, {run1} AS lo1, {end1} AS hi1, {run2} AS lo2, {end2} AS hi2,
                   CASE WHEN NOT coalesce({SIMPLE_SEGMENTS}, false)
                        THEN engagement_second_runs(s.segments, {max_second}::int) END AS other,
                   count(*) AS sessions
            FROM sessions s
            WHERE {where}
            GROUP BY 1, 2, 3, 4, 5, 6
        ),
        edges AS (
            SELECT g.bucket, e.position, sum(e.delta)::bigint AS delta
            FROM grouped g
            CROSS JOIN LATERAL (
                SELECT v.position, v.delta
                FROM (VALUES
                    (CASE WHEN g.lo1 < g.hi1 THEN g.lo1 END, g.sessions),
                    (CASE WHEN g.lo1 < g.hi1 THEN g.hi1 END, -g.sessions),
                    (CASE WHEN g.lo2 < g.hi2 THEN g.lo2 END, g.sessions),
                    (CASE WHEN g.lo2 < g.hi2 THEN g.hi2 END, -g.sessions),
                    -- The overlap of the two runs, counted twice above, once taken away.
                    (CASE WHEN g.lo1 < g.hi1 AND g.lo2 < g.hi2
                               AND greatest(g.lo1, g.lo2) < least(g.hi1, g.hi2)
                          THEN greatest(g.lo1, g.lo2) END, -g.sessions),
                    (CASE WHEN g.lo1 < g.hi1 AND g.lo2 < g.hi2
                               AND greatest(g.lo1, g.lo2) < least(g.hi1, g.hi2)
                          THEN least(g.hi1, g.hi2) END, g.sessions)
                ) AS v(position, delta)
                WHERE g.other IS NULL AND v.position IS NOT NULL
                UNION ALL
                SELECT o.edge, CASE WHEN o.n % 2 = 1 THEN g.sessions ELSE -g.sessions END
                FROM unnest(g.other) WITH ORDINALITY AS o(edge, n)
            ) AS e
            GROUP BY 1, 2
        )
        SELECT bucket, start, stop, viewers
        FROM (
            SELECT bucket, position AS start,
                   lead(position) OVER (PARTITION BY bucket ORDER BY position) AS stop,
                   (sum(delta) OVER (PARTITION BY bucket ORDER BY position))::bigint AS viewers
            FROM edges
        ) AS runs
        WHERE viewers > 0 AND stop IS NOT NULL
        ORDER BY bucket, start
    """  # noqa: S608 (fixed fragments; values are bound)


@dataclass(frozen=True, slots=True)
class Run:
    """Seconds `start` .. `stop` - 1 of one bucket, each watched by `viewers` sessions."""

    bucket: datetime
    start: int
    stop: int
    viewers: int


class TooManySeconds(ValueError):
    """The answer would list more than MAX_LISTED seconds."""

    def __init__(self, listed: int) -> None:
        super().__init__(f"would list {listed} seconds, more than {MAX_LISTED}")
        self.listed = listed


def listed(runs: list[Run]) -> int:
    """How many (bucket, second) entries the runs expand to."""
    return sum(run.stop - run.start for run in runs)


def expand(runs: list[Run]) -> list[tuple[datetime, list[tuple[int, int]]]]:
    """Each bucket with its (second, viewers), ascending; refused past MAX_LISTED entries."""
    count = listed(runs)
    if count > MAX_LISTED:
        raise TooManySeconds(count)
    buckets: list[tuple[datetime, list[tuple[int, int]]]] = []
    for run in runs:
        if not buckets or buckets[-1][0] != run.bucket:
            buckets.append((run.bucket, []))
        buckets[-1][1].extend((second, run.viewers) for second in range(run.start, run.stop))
    return buckets
