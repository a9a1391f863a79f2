-- Plays and view time per video and UTC day, kept current by a trigger on sessions, so that
-- /videos for a key over weeks reads a row per video and day instead of millions of sessions
-- (docs/PERFORMANCE.md has the figures and the write-time cost).
--
-- As in the sources rollups (007), plays are counted at fixed thresholds of minimum_watch_seconds:
-- plays_N counts the sessions with watched >= N and watched_N sums their watched seconds. The API
-- reads this table only for those thresholds and for whole UTC days inside the timeframe, and the
-- sessions for the partial days at either end (app/api/stats/videos.py).
--
-- A play's share of its video is capped at 100 %: capped_N sums least(watched, duration) with the
-- video's duration as stored when the session was written, which `duration_seen` records; it is
-- null once sessions of the row saw different durations (or none). The API uses capped_N while
-- duration_seen is the video's duration now; else, where `max_watched` (the most any session of
-- the row watched) is within the duration, no play exceeded it and watched_N is the capped sum;
-- else it reads that day's sessions. Deletes and rewrites never lower max_watched: a stale
-- maximum only sends the API to the sessions, never to a wrong sum.
CREATE TABLE videos_daily (
    video_id      bigint           NOT NULL,
    day           timestamptz      NOT NULL,
    duration_seen double precision,
    max_watched   double precision NOT NULL,
    plays_0   integer          NOT NULL,
    plays_1   integer          NOT NULL,
    plays_3   integer          NOT NULL,
    plays_5   integer          NOT NULL,
    plays_10  integer          NOT NULL,
    plays_30  integer          NOT NULL,
    plays_60  integer          NOT NULL,
    watched_0   double precision NOT NULL,
    watched_1   double precision NOT NULL,
    watched_3   double precision NOT NULL,
    watched_5   double precision NOT NULL,
    watched_10  double precision NOT NULL,
    watched_30  double precision NOT NULL,
    watched_60  double precision NOT NULL,
    capped_0    double precision NOT NULL,
    capped_1    double precision NOT NULL,
    capped_3    double precision NOT NULL,
    capped_5    double precision NOT NULL,
    capped_10   double precision NOT NULL,
    capped_30   double precision NOT NULL,
    capped_60   double precision NOT NULL,
    PRIMARY KEY (video_id, day)
);

-- Add (sign = 1) or take away (sign = -1) one session's contribution.
CREATE FUNCTION videos_daily_add(s sessions, sign integer) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO videos_daily AS t
    SELECT s.video_id, date_trunc('day', s.started_at, 'UTC'), length,
        CASE WHEN sign > 0 THEN s.watched ELSE 0 END,
        sign * (s.watched >= 0)::int,
        sign * (s.watched >= 1)::int,
        sign * (s.watched >= 3)::int,
        sign * (s.watched >= 5)::int,
        sign * (s.watched >= 10)::int,
        sign * (s.watched >= 30)::int,
        sign * (s.watched >= 60)::int,
        sign * CASE WHEN s.watched >= 0 THEN s.watched ELSE 0 END,
        sign * CASE WHEN s.watched >= 1 THEN s.watched ELSE 0 END,
        sign * CASE WHEN s.watched >= 3 THEN s.watched ELSE 0 END,
        sign * CASE WHEN s.watched >= 5 THEN s.watched ELSE 0 END,
        sign * CASE WHEN s.watched >= 10 THEN s.watched ELSE 0 END,
        sign * CASE WHEN s.watched >= 30 THEN s.watched ELSE 0 END,
        sign * CASE WHEN s.watched >= 60 THEN s.watched ELSE 0 END,
        sign * CASE WHEN s.watched >= 0 THEN least(s.watched, length) ELSE 0 END,
        sign * CASE WHEN s.watched >= 1 THEN least(s.watched, length) ELSE 0 END,
        sign * CASE WHEN s.watched >= 3 THEN least(s.watched, length) ELSE 0 END,
        sign * CASE WHEN s.watched >= 5 THEN least(s.watched, length) ELSE 0 END,
        sign * CASE WHEN s.watched >= 10 THEN least(s.watched, length) ELSE 0 END,
        sign * CASE WHEN s.watched >= 30 THEN least(s.watched, length) ELSE 0 END,
        sign * CASE WHEN s.watched >= 60 THEN least(s.watched, length) ELSE 0 END
    FROM (SELECT (SELECT CASE WHEN duration > 0 AND duration < 'infinity' THEN duration END
                  FROM videos WHERE id = s.video_id) AS length) AS v
    ON CONFLICT (video_id, day) DO UPDATE SET
        duration_seen = CASE WHEN t.duration_seen = EXCLUDED.duration_seen THEN t.duration_seen END,
        max_watched = greatest(t.max_watched, EXCLUDED.max_watched),
        plays_0 = t.plays_0 + EXCLUDED.plays_0,
        plays_1 = t.plays_1 + EXCLUDED.plays_1,
        plays_3 = t.plays_3 + EXCLUDED.plays_3,
        plays_5 = t.plays_5 + EXCLUDED.plays_5,
        plays_10 = t.plays_10 + EXCLUDED.plays_10,
        plays_30 = t.plays_30 + EXCLUDED.plays_30,
        plays_60 = t.plays_60 + EXCLUDED.plays_60,
        watched_0 = t.watched_0 + EXCLUDED.watched_0,
        watched_1 = t.watched_1 + EXCLUDED.watched_1,
        watched_3 = t.watched_3 + EXCLUDED.watched_3,
        watched_5 = t.watched_5 + EXCLUDED.watched_5,
        watched_10 = t.watched_10 + EXCLUDED.watched_10,
        watched_30 = t.watched_30 + EXCLUDED.watched_30,
        watched_60 = t.watched_60 + EXCLUDED.watched_60,
        capped_0 = t.capped_0 + EXCLUDED.capped_0,
        capped_1 = t.capped_1 + EXCLUDED.capped_1,
        capped_3 = t.capped_3 + EXCLUDED.capped_3,
        capped_5 = t.capped_5 + EXCLUDED.capped_5,
        capped_10 = t.capped_10 + EXCLUDED.capped_10,
        capped_30 = t.capped_30 + EXCLUDED.capped_30,
        capped_60 = t.capped_60 + EXCLUDED.capped_60
$$;

-- Row-level for the reasons given in 004: an update takes the old row away and adds the new one.
CREATE FUNCTION videos_daily_maintain() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.video_id = OLD.video_id AND NEW.started_at = OLD.started_at
       AND NEW.watched = OLD.watched THEN
        RETURN NULL;  -- a checkpoint that watched nothing more changes nothing here (as in 010)
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM videos_daily_add(OLD, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM videos_daily_add(NEW, 1);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER videos_daily_maintain AFTER INSERT OR UPDATE OR DELETE ON sessions
FOR EACH ROW EXECUTE FUNCTION videos_daily_maintain();

-- Rebuild from the sessions: for this migration's backfill, and after bulk loads that ran with
-- the trigger disabled (the query benchmark does that).
CREATE FUNCTION videos_daily_rebuild() RETURNS void
LANGUAGE sql AS $$
    DELETE FROM videos_daily;
    INSERT INTO videos_daily
    SELECT s.video_id, date_trunc('day', s.started_at, 'UTC'), v.length, max(s.watched),
           count(*) FILTER (WHERE s.watched >= 0),
           count(*) FILTER (WHERE s.watched >= 1),
           count(*) FILTER (WHERE s.watched >= 3),
           count(*) FILTER (WHERE s.watched >= 5),
           count(*) FILTER (WHERE s.watched >= 10),
           count(*) FILTER (WHERE s.watched >= 30),
           count(*) FILTER (WHERE s.watched >= 60),
           coalesce(sum(s.watched) FILTER (WHERE s.watched >= 0), 0),
           coalesce(sum(s.watched) FILTER (WHERE s.watched >= 1), 0),
           coalesce(sum(s.watched) FILTER (WHERE s.watched >= 3), 0),
           coalesce(sum(s.watched) FILTER (WHERE s.watched >= 5), 0),
           coalesce(sum(s.watched) FILTER (WHERE s.watched >= 10), 0),
           coalesce(sum(s.watched) FILTER (WHERE s.watched >= 30), 0),
           coalesce(sum(s.watched) FILTER (WHERE s.watched >= 60), 0),
           coalesce(sum(least(s.watched, v.length)) FILTER (WHERE s.watched >= 0), 0),
           coalesce(sum(least(s.watched, v.length)) FILTER (WHERE s.watched >= 1), 0),
           coalesce(sum(least(s.watched, v.length)) FILTER (WHERE s.watched >= 3), 0),
           coalesce(sum(least(s.watched, v.length)) FILTER (WHERE s.watched >= 5), 0),
           coalesce(sum(least(s.watched, v.length)) FILTER (WHERE s.watched >= 10), 0),
           coalesce(sum(least(s.watched, v.length)) FILTER (WHERE s.watched >= 30), 0),
           coalesce(sum(least(s.watched, v.length)) FILTER (WHERE s.watched >= 60), 0)
    FROM sessions s
    JOIN (SELECT id, CASE WHEN duration > 0 AND duration < 'infinity' THEN duration END AS length
          FROM videos) AS v ON v.id = s.video_id
    GROUP BY s.video_id, date_trunc('day', s.started_at, 'UTC'), v.length;
$$;

SELECT videos_daily_rebuild();
