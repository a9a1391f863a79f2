"""Engagement in equal ranges: the SQL that counts, for each range, the sessions overlapping it.

The definition: `length` cut into `count` ranges [length * r / count, length * (r + 1) / count];
a session counts once for a range when one of its segments [a, b] overlaps it by more than zero,
that is a < upper and b > lower, with the boundaries computed in float8 exactly as reported.
Its rewatches of the range are the segments overlapping it beyond the first.

`PER_SEGMENT` states that directly: every segment visits the ranges it can touch and each
session's ranges are made distinct. It spends most of its time in per-row subqueries (20 s for a
key's 3.3 million sessions). `SINGLE_PASS` gives the same numbers from one parallel aggregate:

* For a segment, the ranges it overlaps are a run lo .. hi, because both boundaries grow with r:
  lo is how many upper boundaries are <= a, which is what `width_bucket(a, uppers)` returns (a
  binary search over the sorted boundaries, with float8's own comparison), and hi is the number
  of lower boundaries < b, less one: `width_bucket(b, lowers)` counts those <= b, and one is
  taken off when b is itself a boundary (boundaries are strictly increasing, see `exact_for`).
* A session of one or two segments (nearly all of them) then touches one run or the union of
  two, which is the sum of both less their overlap, and rewatches the overlap; the sessions are
  grouped by their (lo, hi) pairs, which are few, and each group adds +n at a run's start and
  -n after its end; a running sum over the ranges is the answer.
* Any other session (three segments or more, or an array of another shape) gets its ranges from
  engagement_ranges_touched() (migrations/008), the per-segment definition, and every range of
  every segment from engagement_ranges_watched() (migrations/013), inside the same pass.

For videos the sessions are read in two parts matching two partial indexes (migrations/009), so
that nearly all of them come from an index-only scan. tests/api/test_ranges.py holds the two
statements to each other.
"""

from __future__ import annotations

# Boundaries length * r / count are strictly increasing in float8 while length / count stays a
# normal number far above length's rounding error; beyond these the per-segment form is used.
SMALLEST_LENGTH = 1e-290
LARGEST_LENGTH = 1e300


def exact_for(length: float) -> bool:
    """Whether SINGLE_PASS gives exactly PER_SEGMENT's numbers for this length (count <= 1000)."""
    return SMALLEST_LENGTH <= length <= LARGEST_LENGTH


# Sessions the single pass maps itself (here and in seconds.py): a 2-D array of one or two
# [from, to] rows, from index 1.
SIMPLE_SEGMENTS = (
    "(array_length(s.segments, 1) <= 2 AND array_length(s.segments, 2) = 2"
    " AND array_lower(s.segments, 1) = 1 AND array_lower(s.segments, 2) = 1)"
)


def _first(a: str) -> str:
    return f"width_bucket({a}, b.uppers)"


def _last(b: str) -> str:
    bucket = f"width_bucket({b}, b.lowers)"
    return f"({bucket} - 1 - coalesce(b.lowers[{bucket}] = {b}, false)::int)"


def last_below(position: str) -> str:
    """The last range whose start lies below `position`: how many starts (`b.lowers`) are below
    it, less one; -1 for a position at or before 0, null for null."""
    return _last(position)


# Sessions whose segments are in the covering index sessions_video_segments (migration 009), and
# the others; segments is never NULL, so the two are complements.
_COVERED = "cardinality(s.segments) <= 64"
_NOT_COVERED = "cardinality(s.segments) > 64"


# A session's UTC hour, the unit engagement is kept in (app/api/stats/engagement_hours.py).
HOUR = "date_trunc('hour', s.started_at, 'UTC')"


def _sessions(where: str, *, by_video: bool, hourly: bool) -> str:
    """The scope's sessions as `s` (with their `hour` when counted by hour). For videos in two
    parts, matching the two partial indexes of migration 009, so that nearly all of them come
    from an index-only scan; a key's are a third of the table or more, read in one parallel scan."""
    columns = f"s.segments, {HOUR} AS hour" if hourly else "s.segments, NULL::timestamptz AS hour"
    if not by_video:
        return f"(SELECT {columns} FROM sessions s WHERE {where}) AS s"  # noqa: S608
    return f"""(
        SELECT {columns} FROM sessions s WHERE {where} AND {_COVERED}
        UNION ALL
        SELECT {columns} FROM sessions s WHERE {where} AND {_NOT_COVERED}
    ) AS s"""  # noqa: S608 (fixed fragments; values are bound)


def single_pass(where: str, *, by_video: bool) -> str:
    """Parameters: the scope's $1..$3 (`where`, over `sessions s`), $4 length, $5 count. Each
    delta row moves the viewers (`delta`) and the rewatches (`again`) from its position on."""
    return f"""
        WITH {_deltas(where, by_video=by_video, hourly=False)}
        SELECT r.range, $4::float8 * r.range / $5::int AS range_from,
               $4::float8 * (r.range + 1) / $5::int AS range_to,
               coalesce(sum(d.delta) OVER (ORDER BY r.range), 0)::bigint AS viewers,
               coalesce(sum(d.again) OVER (ORDER BY r.range), 0)::bigint AS rewatches
        FROM generate_series(0, $5::int - 1) AS r(range)
        LEFT JOIN d ON d.position = r.range
        ORDER BY r.range
    """  # noqa: S608 (fixed fragments; values are bound)


def hourly_pass(where: str) -> str:
    """The single pass of a key's sessions counted per UTC hour: for each hour with sessions, its
    viewers and rewatches per range as two arrays in range order. Parameters as for
    `single_pass`."""
    return f"""
        WITH {_deltas(where, by_video=False, hourly=True)}
        SELECT h.hour, array_agg(h.viewers ORDER BY h.range) AS viewers,
               array_agg(h.rewatches ORDER BY h.range) AS rewatches
        FROM (
            SELECT t.hour, r.range,
                   coalesce(sum(d.delta) OVER w, 0)::bigint AS viewers,
                   coalesce(sum(d.again) OVER w, 0)::bigint AS rewatches
            FROM (SELECT DISTINCT d.hour FROM d) AS t
            CROSS JOIN generate_series(0, $5::int - 1) AS r(range)
            LEFT JOIN d ON d.hour = t.hour AND d.position = r.range
            WINDOW w AS (PARTITION BY t.hour ORDER BY r.range)
        ) AS h
        GROUP BY h.hour
    """  # noqa: S608 (fixed fragments; values are bound)


def _deltas(where: str, *, by_video: bool, hourly: bool) -> str:
    """The common table expressions `bounds` and `d`: the deltas at each range position (and
    hour, when `hourly`; else one null hour)."""
    return f"""bounds AS (
            SELECT array_agg($4::float8 * r / $5::int ORDER BY r) AS lowers,
                   array_agg($4::float8 * (r + 1) / $5::int ORDER BY r) AS uppers
            FROM generate_series(0, $5::int - 1) AS r
        ),
        d AS (
            SELECT g.hour, e.position, sum(e.delta) AS delta, sum(e.again) AS again
            FROM (
                SELECT s.hour, {_first("s.segments[1][1]")} AS lo1, {_last("s.segments[1][2]")} AS hi1,
                       {_first("s.segments[2][1]")} AS lo2, {_last("s.segments[2][2]")} AS hi2,
                       CASE WHEN NOT coalesce({SIMPLE_SEGMENTS}, false)
                            THEN engagement_ranges_touched(s.segments, $4::float8, $5::int)
                       END AS other,
                       CASE WHEN NOT coalesce({SIMPLE_SEGMENTS}, false)
                            THEN engagement_ranges_watched(s.segments, $4::float8, $5::int)
                       END AS other_all,
                       count(*) AS sessions
                FROM {_sessions(where, by_video=by_video, hourly=hourly)} CROSS JOIN bounds b
                GROUP BY 1, 2, 3, 4, 5, 6, 7
            ) AS g
            CROSS JOIN LATERAL (
                -- A run adds at its start and takes away after its end; two runs' overlap is
                -- counted once as viewers and once as rewatches. NULL positions (an empty run,
                -- no second segment) count nowhere.
                SELECT v.position, v.delta, v.again
                FROM (VALUES
                    (CASE WHEN g.lo1 <= g.hi1 THEN g.lo1 END, g.sessions, 0),
                    (CASE WHEN g.lo1 <= g.hi1 THEN g.hi1 + 1 END, -g.sessions, 0),
                    (CASE WHEN g.lo2 <= g.hi2 THEN g.lo2 END, g.sessions, 0),
                    (CASE WHEN g.lo2 <= g.hi2 THEN g.hi2 + 1 END, -g.sessions, 0),
                    (CASE WHEN g.lo2 <= g.hi2 AND greatest(g.lo1, g.lo2) <= least(g.hi1, g.hi2)
                          THEN greatest(g.lo1, g.lo2) END, -g.sessions, g.sessions),
                    (CASE WHEN g.lo2 <= g.hi2 AND greatest(g.lo1, g.lo2) <= least(g.hi1, g.hi2)
                          THEN least(g.hi1, g.hi2) + 1 END, g.sessions, -g.sessions)
                ) AS v(position, delta, again)
                WHERE g.other IS NULL
                UNION ALL
                -- Every range of every segment is a watch of it; the first of each range is
                -- a viewer, not a rewatch.
                SELECT u.range, g.sessions, -g.sessions FROM unnest(g.other) AS u(range)
                UNION ALL
                SELECT u.range + 1, -g.sessions, g.sessions FROM unnest(g.other) AS u(range)
                UNION ALL
                SELECT u.range, 0, g.sessions FROM unnest(g.other_all) AS u(range)
                UNION ALL
                SELECT u.range + 1, 0, -g.sessions FROM unnest(g.other_all) AS u(range)
            ) AS e(position, delta, again)
            GROUP BY g.hour, e.position
        )"""  # noqa: S608 (fixed fragments; values are bound)


def _position(value: str) -> str:
    """A stored position within [0, length] for the arithmetic that finds candidate ranges; below
    a microsecond it is 0, since PostgreSQL raises "underflow" when float arithmetic on a
    subnormal number (an old row may hold 5e-324) rounds to zero (migrations/010 does the same)."""
    return f"(CASE WHEN {value} >= 0.000001 THEN least({value}, $4::float8) ELSE 0 END)"


def per_segment(where: str) -> str:
    """Parameters as for `single_pass`. Each segment only visits the ranges it can touch (plus
    one either side against rounding); the exact overlap test uses the reported boundaries."""
    return f"""
        SELECT r.range, $4::float8 * r.range / $5::int AS range_from,
               $4::float8 * (r.range + 1) / $5::int AS range_to,
               coalesce(hits.viewers, 0) AS viewers, coalesce(hits.rewatches, 0) AS rewatches
        FROM generate_series(0, $5::int - 1) AS r(range)
        LEFT JOIN (
            SELECT touched.range, count(*) AS viewers, sum(touched.times - 1)::bigint AS rewatches
            FROM sessions s
            CROSS JOIN LATERAL (
                -- The ranges this one session touched, each once, with how many of its segments.
                SELECT g.range, count(*) AS times
                FROM generate_subscripts(s.segments, 1) AS i
                CROSS JOIN LATERAL generate_series(
                    greatest(floor({_position("s.segments[i][1]")} * $5::int / $4::float8) - 1, 0)::int,
                    least(ceil({_position("s.segments[i][2]")} * $5::int / $4::float8), $5::int - 1)::int
                ) AS g(range)
                WHERE s.segments[i][1] < $4::float8 * (g.range + 1) / $5::int
                  AND s.segments[i][2] > $4::float8 * g.range / $5::int
                GROUP BY g.range
            ) AS touched
            WHERE {where}
            GROUP BY touched.range
        ) AS hits ON hits.range = r.range
        ORDER BY r.range
    """  # noqa: S608 (fixed fragments; values are bound)
