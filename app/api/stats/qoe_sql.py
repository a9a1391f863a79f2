"""The SQL of /qoe: per bucket, the sums of the views' quality columns and their exact startup
percentiles, in total and per browser, device and platform.

Three statements, each assembled from fixed fragments (never from input):

* `from_sessions`: everything from the sessions themselves, for videos, filters, buckets that
  are not whole hours; the percentiles are `percentile_disc` itself, per grouping set.
* `rolled_sums`: a whole key's sums from `qoe_hourly` (migrations/021), the marginal rows of
  each clean hour (app/api/stats/rollup.py), with the partial hours at either end and the hours
  holding a bucket boundary read from the sessions in the same shape (a view adds one row to
  each of its three dimensions).
* `rolled_percentiles`: a whole key's startup histogram from `startup_hourly` (one row per UTC
  hour and hundredth of a second, with marginal client counts), likewise completed from the
  sessions, summed per bucket and class; then one sort per bucket gives every group's running
  count, and each percentile is the smallest class whose running count reaches the rank
  `percentile_disc` takes, `max(1, ceil(p * n))` in float8 as PostgreSQL computes it. Startup
  times are stored to the hundredth (app/ingest/quality.py), so the class is the value.

A view is a session with a play intent (`exit IS NOT NULL`); the others are not counted.
"""

from __future__ import annotations

from app.api.buckets import BucketSql
from app.api.categories import BROWSERS, DEVICES, PLATFORMS

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


def rolled_percentiles(periods: str, raw: BucketSql, p50: int, p95: int) -> str:
    """Parameters as `rolled_sums`, then the two percentiles at $p50 and $p95. One row per bucket
    with `<group>_p50` and `<group>_p95` for every group: the startup class (hundredths of a
    second), null where the group has no view that started."""
    counts = ", ".join(
        "1" if group == "total" else f"(s.{group.split('_', 1)[0]} = '{group.split('_', 1)[1]}')::int"
        for group in GROUPS
    )
    columns = ", ".join("h.views" if group == "total" else f"h.{group}" for group in GROUPS)
    started = f"{_VIEW} AND s.startup_time IS NOT NULL"
    classed = f"round(s.startup_time * 100)::int, {counts}"
    running = ", ".join(
        f"sum({group}) OVER upto AS {group}_below, sum({group}) OVER whole AS {group}_all" for group in GROUPS
    )
    places = {"p50": p50, "p95": p95}
    percentiles = ", ".join(
        f"min(startup_class) FILTER (WHERE {group}_below >= "
        f"greatest(1, ceil(${places[name]}::float8 * {group}_all::float8))) AS {group}_{name}"
        for group in GROUPS
        for name, _ in PERCENTILES
    )
    return f"""{periods},
        classes AS (
            SELECT bucket, startup_class, {", ".join(f"sum({group}) AS {group}" for group in GROUPS)}
            FROM (
                SELECT periods.bucket, h.startup_class, {columns}
                FROM startup_hourly h JOIN periods ON periods.period = h.hour AND periods.clean
                WHERE h.key_id = $1 AND h.hour >= $2 AND h.hour < $3
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
        running AS (
            SELECT bucket, startup_class, {running}
            FROM classes
            WINDOW upto AS (PARTITION BY bucket ORDER BY startup_class), whole AS (PARTITION BY bucket)
        )
        SELECT bucket, {percentiles}
        FROM running GROUP BY bucket
    """  # noqa: S608 (fixed fragments; values are bound)
