-- Two hardening steps (issue 8).
--
-- 1. Which process holds a checkpointed session open. A checkpoint row (final = false) carries the
--    id its process publishes in live_processes; when that process dies without ending its
--    sessions, another process (or its own next start) sees the id gone and marks the rows final,
--    closed at their last checkpoint (app/ingest/orphans.py). Final rows carry NULL. The partial
--    index keeps finding the open rows cheap however large the table grows.
ALTER TABLE sessions ADD COLUMN process_id uuid;
CREATE INDEX sessions_open ON sessions (process_id) WHERE NOT final;

-- 2. Only sane numbers are stored, so that no query over stored rows can overflow. Ingest bounds
--    positions and durations to [0, 1,000,000] seconds rounded to the microsecond
--    (app/ingest/session.py), so these never refuse a row it sends; they state the promise in
--    the schema, for rows that reach the table any other way. Rows stored before are mended
--    first: a duration outside the bounds becomes unknown, a watched time is capped.
UPDATE videos SET duration = NULL
WHERE NOT (duration >= 0.000001 AND duration <= 1000000);
ALTER TABLE videos ADD CONSTRAINT videos_duration_sane
    CHECK (duration IS NULL OR (duration >= 0.000001 AND duration <= 1000000));

-- (NaN sorts above every number in PostgreSQL, hence the explicit test.)
UPDATE sessions AS s SET (watched, unique_watched) = (
    SELECT w, least(CASE WHEN s.unique_watched = 'NaN' OR s.unique_watched < 0 THEN 0
                         ELSE s.unique_watched END, w)
    FROM (SELECT CASE WHEN s.watched = 'NaN' OR s.watched < 0 THEN 0
                      WHEN s.watched > 1e12 THEN 1e12 ELSE s.watched END AS w) AS capped
)
WHERE NOT (s.watched >= 0 AND s.watched <= 1e12 AND s.unique_watched >= 0
           AND s.unique_watched <= s.watched + 1e-6);
-- watched is at most 5,000 segments (10,000 events) of at most 1,000,000 s each: far below 1e12,
-- and a sum over any number of rows stays finite.
ALTER TABLE sessions ADD CONSTRAINT sessions_watched_sane
    CHECK (watched <= 1e12 AND unique_watched <= 1e12);

-- Segments are not checked row by row (it would cost every write); the queries that compute with
-- them treat a position below a microsecond as 0 instead, since PostgreSQL raises "underflow" when
-- float arithmetic on a subnormal number (5e-324, which an old row may hold) rounds to zero. The
-- ranges a session touched are the same either way: the candidate ranges are widened by one on
-- each side and the exact overlap test below uses the stored values.
CREATE OR REPLACE FUNCTION engagement_ranges_touched(segments double precision[],
                                                     length double precision, count integer)
RETURNS integer[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE COST 1 AS $$
    SELECT coalesce(array_agg(DISTINCT g.range ORDER BY g.range), '{}')
    FROM generate_subscripts(segments, 1) AS i
    CROSS JOIN LATERAL generate_series(
        greatest(floor(CASE WHEN segments[i][1] >= 0.000001 THEN least(segments[i][1], length) ELSE 0 END
                       * count / length) - 1, 0)::int,
        least(ceil(CASE WHEN segments[i][2] >= 0.000001 THEN least(segments[i][2], length) ELSE 0 END
                   * count / length), count - 1)::int
    ) AS g(range)
    WHERE segments[i][1] < length * (g.range + 1) / count
      AND segments[i][2] > length * g.range / count
$$;

-- A mended row may have left its old numbers in the plays rollup (NaN, once added, stays NaN):
-- rebuild it from the sessions then, and only then (it reads every session).
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM plays_hourly
               WHERE NOT (watched >= 0 AND watched <= 1e21 AND unique_watched >= 0
                          AND unique_watched <= 1e21)) THEN
        PERFORM plays_hourly_rebuild();
    END IF;
END
$$;

-- Per-second engagement (app/api/seconds.py) counts each session once for each whole second of
-- the video it touched. A segment [a, b] with b > a touches the seconds floor(a) .. ceil(b) - 1,
-- that is the run [floor(a), ceil(b)); a session's runs are merged into their union, so that a
-- rewatch counts once, and the API adds +1 where a run starts and -1 where it ends. This gives the
-- union for sessions of three segments or more (the query does one or two itself) as a flat array
-- [start1, end1, start2, end2, ...] in ascending order, each run clamped to [0, max_second]:
-- its cost is the number of segments, never the number of seconds.
CREATE FUNCTION engagement_second_runs(segments double precision[], max_second integer)
RETURNS integer[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE COST 1 AS $$
    SELECT coalesce(array_agg(edge ORDER BY run, side), '{}')
    FROM (
        SELECT island AS run, min(lo) AS lo, max(hi) AS hi
        FROM (
            SELECT lo, hi, sum(starts) OVER (ORDER BY lo, hi) AS island
            FROM (
                SELECT lo, hi,
                       CASE WHEN lo <= max(hi) OVER (ORDER BY lo, hi ROWS BETWEEN UNBOUNDED PRECEDING
                                                                        AND 1 PRECEDING)
                            THEN 0 ELSE 1 END AS starts
                FROM (
                    SELECT least(greatest(floor(segments[i][1]), 0), max_second)::int AS lo,
                           least(greatest(ceil(segments[i][2]), 0), max_second)::int AS hi
                    FROM generate_subscripts(segments, 1) AS i
                    WHERE segments[i][2] > segments[i][1]
                ) AS spans
                WHERE hi > lo
            ) AS marked
        ) AS numbered
        GROUP BY island
    ) AS runs
    CROSS JOIN LATERAL (VALUES (1, runs.lo), (2, runs.hi)) AS edges(side, edge)
$$;

-- 3. Checkpoints rewrite an open session every interval (10 s by default): the rollup triggers
--    then take the old row's contribution away and add the new one. When that changes nothing in a
--    rollup (the common case for sources: the same page and hour, no play threshold crossed) the
--    trigger now does nothing, and when only the watched sums of the same plays row change it
--    updates that row once instead of twice (benchmarks/checkpoint_cost.py has the figures).
CREATE OR REPLACE FUNCTION sources_maintain() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.key_id = OLD.key_id AND NEW.video_id = OLD.video_id
       AND NEW.started_at = OLD.started_at
       AND NEW.page_host = OLD.page_host AND NEW.page_url = OLD.page_url
       AND (NEW.watched >= 1) = (OLD.watched >= 1) AND (NEW.watched >= 3) = (OLD.watched >= 3)
       AND (NEW.watched >= 5) = (OLD.watched >= 5) AND (NEW.watched >= 10) = (OLD.watched >= 10)
       AND (NEW.watched >= 30) = (OLD.watched >= 30) AND (NEW.watched >= 60) = (OLD.watched >= 60) THEN
        RETURN NULL;  -- the same plays on the same page and hour: nothing to change
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM sources_add(OLD, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM sources_add(NEW, 1);
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION plays_hourly_maintain() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.key_id = OLD.key_id AND NEW.started_at = OLD.started_at
       AND least(floor(NEW.watched), 600) = least(floor(OLD.watched), 600)
       AND NEW.browser = OLD.browser AND NEW.device = OLD.device AND NEW.platform = OLD.platform THEN
        -- The same rollup row: only its sums move.
        UPDATE plays_hourly
        SET watched = watched - OLD.watched + NEW.watched,
            unique_watched = unique_watched - OLD.unique_watched + NEW.unique_watched
        WHERE key_id = NEW.key_id AND hour = date_trunc('hour', NEW.started_at, 'UTC')
          AND watched_class = least(floor(NEW.watched), 600)::smallint;
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM plays_hourly_add(OLD, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM plays_hourly_add(NEW, 1);
    END IF;
    RETURN NULL;
END
$$;
