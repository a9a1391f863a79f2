"""The SQL of /qoe: per bucket, the sums of the views' quality columns and their exact startup
percentiles, in total and per browser, device and platform.

Three statements, each assembled from fixed fragments (never from input):

* `from_sessions`: everything from the sessions themselves, for videos, filters, buckets that
  are not whole hours; the percentiles are `percentile_disc` itself, per grouping set.
* `rolled_sums`: a whole key's sums from `qoe_hourly` (migrations/021), the marginal rows of
  each clean hour (app/api/stats/rollup.py), with the partial hours at either end and the hours
  holding a bucket boundary read from the sessions in the same shape (a view adds one row to
  each of its three dimensions).
* `rolled_percentiles`: a whole key's startup histogram from `startup_daily` and
  `startup_hourly` (one row per UTC day or hour and hundredth of a second, with marginal client
  counts; migrations 021 and 023), likewise completed from the sessions, summed per bucket and
  class; then one sort per bucket gives every group's running count, and each percentile is the
  smallest class whose running count reaches the rank `percentile_disc` takes,
  `max(1, ceil(p * n))` in float8 as PostgreSQL computes it. Startup times are stored to the
  hundredth (app/ingest/quality.py), so the class is the value. The counts are summed as
  float8 (exact below 2^53, and cheaper to run over than numeric).

A view is a session with a play intent (`exit IS NOT NULL`); the others are not counted.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from app.api.buckets import BucketSql, bucket_sql
from app.api.categories import BROWSERS, DEVICES, PLATFORMS
from app.api.stats import rollup
from app.intervals import Interval

# What every figure is a ratio of: (name, SQL over a view `s`, type of its sum). The names are
# qoe_hourly's columns (migrations/021), whose trigger sums the same expressions.
SUMS: tuple[tuple[str, str, str], ...] = (
    ("views", "1", "bigint"),
    ("watch_time", "s.watch_time", "float8"),
    ("rebuffer_count", "s.rebuffer_count", "bigint"),
    ("rebuffer_time", "s.rebuffer_time", "float8"),
    ("rebuffered_views", "(s.rebuffer_count > 0)::int", "bigint"),
    ("seek_count", "s.seek_count", "bigint"),
    ("seek_time", "s.seek_time", "float8"),
    ("failures", "(s.exit = 'failed')::int", "bigint"),
    (
        "startup_failures",
        "(s.exit = 'failed' AND s.error_phase IS NOT DISTINCT FROM 'startup')::int",
        "bigint",
    ),
    ("exits_before_start", "(s.exit = 'gave_up')::int", "bigint"),
    ("bitrate_time", "CASE WHEN s.bitrate IS NULL THEN 0 ELSE s.playing_time END", "float8"),
    ("bitrate_bits", "coalesce(s.bitrate * s.playing_time, 0)", "float8"),
)
DIMENSIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("browser", BROWSERS),
    ("device", DEVICES),
    ("platform", PLATFORMS),
)
# The groups a percentile is read for: every view that started, and each client category (the
# marginal columns of startup_hourly).
GROUPS = ("total", *(f"{dimension}_{value}" for dimension, values in DIMENSIONS for value in values))
PERCENTILES = (("p50", 0.5), ("p95", 0.95))

_VIEW = "s.exit IS NOT NULL"
_CLIENT = (
    "(VALUES ('browser', s.browser), ('device', s.device), ('platform', s.platform)) AS d(dimension, value)"
)
# Sessions of the partial hours at either end of the timeframe ($4 start, $5 end; $2 and $3 the
# whole hours between); and of the hours that hold a bucket boundary, each in its own bucket.
_PARTIAL = "((s.started_at >= $4 AND s.started_at < $2) OR (s.started_at >= $3 AND s.started_at <= $5))"
_DIRTY = """periods JOIN sessions s ON s.key_id = $1 AND s.started_at >= periods.period
                                      AND s.started_at < periods.period + INTERVAL '1 hour'"""


def _summed() -> str:
    return ", ".join(f"sum({name})::{kind} AS {name}" for name, _, kind in SUMS)


def from_sessions(where: str, bucket: BucketSql, p50: int, p95: int) -> str:
    """Parameters: those of `where` (a condition over `sessions s`) and of `bucket`, then the two
    percentiles at $p50 and $p95. One row per bucket and grouping set: `level` is 7 for the
    bucket's total, 3 for a browser, 5 for a device, 6 for a platform (GROUPING's bits)."""
    exprs = ", ".join(f"{expression} AS {name}" for name, expression, _ in SUMS)
    return f"""
        SELECT bucket, browser, device, platform, grouping(browser, device, platform) AS level,
               {_summed()},
               percentile_disc(${p50}::float8) WITHIN GROUP (ORDER BY startup_time) AS p50,
               percentile_disc(${p95}::float8) WITHIN GROUP (ORDER BY startup_time) AS p95
        FROM (
            SELECT {bucket.expression} AS bucket, s.browser, s.device, s.platform, s.startup_time, {exprs}
            FROM sessions s
            WHERE {where} AND {_VIEW}
        ) AS s
        GROUP BY GROUPING SETS ((bucket), (bucket, browser), (bucket, device), (bucket, platform))
    """  # noqa: S608 (fixed fragments; values are bound)


def rolled_sums(periods: str, raw: BucketSql) -> str:
    """Parameters: $1 key id, $2 first whole hour, $3 end of the whole hours, $4 timeframe start,
    $5 timeframe end, then the bucket's values (`periods` and `raw` bind them from $6). One row
    per bucket and client category (dimension, value)."""
    rolled = ", ".join(f"q.{name}" for name, _, _ in SUMS)
    exprs = ", ".join(expression for _, expression, _ in SUMS)
    return f"""{periods}
        SELECT bucket, dimension, value, {_summed()}
        FROM (
            SELECT periods.bucket, q.dimension, q.value, {rolled}
            FROM qoe_hourly q JOIN periods ON periods.period = q.hour AND periods.clean
            WHERE q.key_id = $1 AND q.hour >= $2 AND q.hour < $3
            UNION ALL
            SELECT {raw.expression}, d.dimension, d.value, {exprs}
            FROM sessions s CROSS JOIN LATERAL {_CLIENT}
            WHERE s.key_id = $1 AND {_VIEW} AND {_PARTIAL}
            UNION ALL
            SELECT {raw.expression}, d.dimension, d.value, {exprs}
            FROM {_DIRTY} CROSS JOIN LATERAL {_CLIENT}
            WHERE NOT periods.clean AND {_VIEW}
        ) AS parts
        GROUP BY 1, 2, 3 HAVING sum(views) > 0
    """  # noqa: S608 (fixed fragments; values are bound)


def rolled_percentiles(
    interval: Interval, zone: ZoneInfo, raw: BucketSql, first: int, *, timescale: bool
) -> str:
    """Parameters as `rolled_sums`, then the two percentiles at $first and $first+1, and the UTC
    days to read whole at $first+2 (the first) and $first+3 (the end). One row per bucket with
    `<group>_p50` and `<group>_p95` for every group: the startup class (hundredths of a second),
    null where the group has no view that started.

    Each of those days is read from `startup_daily` (migrations/023) into the bucket of its
    midday; an hour of it that lies in another bucket (a day of Europe/Berlin starts at 22:00
    UTC) is taken away from there and added to its own from `startup_hourly`, and one that holds a
    bucket boundary is taken away and read from the sessions. The other whole hours are read from
    `startup_hourly`, the partial ones from the sessions."""
    periods, _ = rollup.periods(interval, zone, "1 hour", 6, timescale=timescale)
    midday = bucket_sql(interval, zone, "(g.day + INTERVAL '12 hours')", 6, timescale=timescale)
    counts = ", ".join(
        "1" if group == "total" else f"(s.{group.split('_', 1)[0]} = '{group.split('_', 1)[1]}')::int"
        for group in GROUPS
    )
    columns = ", ".join("h.views" if group == "total" else f"h.{group}" for group in GROUPS)
    negated = ", ".join("-h.views" if group == "total" else f"-h.{group}" for group in GROUPS)
    started = f"{_VIEW} AND s.startup_time IS NOT NULL"
    classed = f"round(s.startup_time * 100)::int, {counts}"
    places = {"p50": first, "p95": first + 1}
    ranks = ", ".join(
        f"greatest(1, ceil(${places[name]}::float8 * sum({group}))) AS {group}_{name}"
        for group in GROUPS
        for name, _ in PERCENTILES
    )
    running = ", ".join(f"sum({group}) OVER upto AS {group}" for group in GROUPS)
    percentiles = ", ".join(
        f"min(r.startup_class) FILTER (WHERE r.{group} >= t.{group}_{name}) AS {group}_{name}"
        for group in GROUPS
        for name, _ in PERCENTILES
    )
    hourly = "startup_hourly h JOIN hours ON hours.period = h.hour"
    in_hours = "h.key_id = $1 AND h.hour >= $2 AND h.hour < $3"
    return f"""{periods},
        days AS MATERIALIZED (
            SELECT g.day, {midday.expression} AS bucket
            FROM generate_series(${first + 2}::timestamptz, ${first + 3}::timestamptz - INTERVAL '24 hours',
                                 INTERVAL '24 hours') AS g(day)
        ),
        hours AS MATERIALIZED (
            SELECT p.period, p.bucket, p.clean, d.bucket AS day_bucket
            FROM periods p LEFT JOIN days d ON d.day = date_trunc('day', p.period, 'UTC')
        ),
        classes AS MATERIALIZED (
            SELECT bucket, startup_class, {", ".join(f"sum({group})::float8 AS {group}" for group in GROUPS)}
            FROM (
                SELECT days.bucket, h.startup_class, {columns}
                FROM startup_daily h JOIN days ON days.day = h.day
                WHERE h.key_id = $1 AND h.day >= ${first + 2} AND h.day < ${first + 3}
                UNION ALL
                SELECT hours.bucket, h.startup_class, {columns}
                FROM {hourly}
                WHERE {in_hours} AND hours.clean AND hours.day_bucket IS DISTINCT FROM hours.bucket
                UNION ALL
                SELECT hours.day_bucket, h.startup_class, {negated}
                FROM {hourly}
                WHERE {in_hours} AND hours.day_bucket IS NOT NULL
                  AND (NOT hours.clean OR hours.day_bucket <> hours.bucket)
                UNION ALL
                SELECT {raw.expression}, {classed}
                FROM sessions s
                WHERE s.key_id = $1 AND {started} AND {_PARTIAL}
                UNION ALL
                SELECT {raw.expression}, {classed}
                FROM {_DIRTY}
                WHERE NOT periods.clean AND {started}
            ) AS parts (bucket, startup_class, {", ".join(GROUPS)})
            GROUP BY 1, 2
        ),
        ranks AS (SELECT bucket, {ranks} FROM classes GROUP BY bucket),
        running AS (
            SELECT bucket, startup_class, {running}
            FROM classes
            WINDOW upto AS (PARTITION BY bucket ORDER BY startup_class)
        )
        SELECT r.bucket, {percentiles}
        FROM running r JOIN ranks t ON t.bucket = r.bucket
        GROUP BY r.bucket
    """  # noqa: S608 (fixed fragments; values are bound)
