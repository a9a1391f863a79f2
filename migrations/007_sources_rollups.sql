-- Plays per page, kept current by a trigger on sessions, so that /sources for a whole key or a hit
-- video reads tens of thousands of rollup rows instead of millions of sessions (docs/PERFORMANCE.md
-- has the figures and the write-time cost). A new migration rather than a change to 004: that one
-- has been applied to existing databases.
--
-- Two tables, because a key and a video need different grains: a key's pages per hour are about
-- a sixteenth of its sessions, but a video's pages per hour are nearly as many as its sessions
-- (each video is shown on a few pages), so videos are rolled up per UTC day.
--
-- `page` is the SHA-256 of the host, a NUL and the URL: a text never holds a NUL, so two different
-- (host, URL) pairs give different inputs, and the digest is a short key where the URL (up to 2,048
-- characters) could exceed a B-tree entry. The API still groups by the host and URL stored beside it.
--
-- Instead of a class per watched second (as plays_hourly has), the plays are counted at fixed
-- thresholds of minimum_watch_seconds: plays_N counts the sessions with watched >= N. With a class
-- per second the rollup would be about as large as the sessions. The API reads these tables only
-- for a threshold listed here, and the sessions themselves for anything else (app/api/rollup.py).
CREATE TABLE sources_hourly (
    key_id    bigint      NOT NULL,
    hour      timestamptz NOT NULL,
    page      bytea       NOT NULL,
    page_host text        NOT NULL,
    page_url  text        NOT NULL,
    plays_0   integer NOT NULL, plays_1  integer NOT NULL, plays_3  integer NOT NULL,
    plays_5   integer NOT NULL, plays_10 integer NOT NULL, plays_30 integer NOT NULL,
    plays_60  integer NOT NULL,
    PRIMARY KEY (key_id, hour, page)
);

CREATE TABLE sources_daily (
    video_id  bigint      NOT NULL,
    day       timestamptz NOT NULL,
    page      bytea       NOT NULL,
    page_host text        NOT NULL,
    page_url  text        NOT NULL,
    plays_0   integer NOT NULL, plays_1  integer NOT NULL, plays_3  integer NOT NULL,
    plays_5   integer NOT NULL, plays_10 integer NOT NULL, plays_30 integer NOT NULL,
    plays_60  integer NOT NULL,
    PRIMARY KEY (video_id, day, page)
);

CREATE FUNCTION sources_page(host text, url text) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT sha256(convert_to(host, 'UTF8') || '\x00'::bytea || convert_to(url, 'UTF8'))
$$;

-- Add (sign = 1) or take away (sign = -1) one session's plays, in both tables.
CREATE FUNCTION sources_add(s sessions, sign integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    digest bytea := sources_page(s.page_host, s.page_url);
    p0 integer := sign;
    p1 integer := sign * (s.watched >= 1)::int;
    p3 integer := sign * (s.watched >= 3)::int;
    p5 integer := sign * (s.watched >= 5)::int;
    p10 integer := sign * (s.watched >= 10)::int;
    p30 integer := sign * (s.watched >= 30)::int;
    p60 integer := sign * (s.watched >= 60)::int;
BEGIN
    INSERT INTO sources_hourly AS t VALUES (
        s.key_id, date_trunc('hour', s.started_at, 'UTC'), digest, s.page_host, s.page_url,
        p0, p1, p3, p5, p10, p30, p60
    )
    ON CONFLICT (key_id, hour, page) DO UPDATE SET
        plays_0 = t.plays_0 + EXCLUDED.plays_0, plays_1 = t.plays_1 + EXCLUDED.plays_1,
        plays_3 = t.plays_3 + EXCLUDED.plays_3, plays_5 = t.plays_5 + EXCLUDED.plays_5,
        plays_10 = t.plays_10 + EXCLUDED.plays_10, plays_30 = t.plays_30 + EXCLUDED.plays_30,
        plays_60 = t.plays_60 + EXCLUDED.plays_60;
    INSERT INTO sources_daily AS t VALUES (
        s.video_id, date_trunc('day', s.started_at, 'UTC'), digest, s.page_host, s.page_url,
        p0, p1, p3, p5, p10, p30, p60
    )
    ON CONFLICT (video_id, day, page) DO UPDATE SET
        plays_0 = t.plays_0 + EXCLUDED.plays_0, plays_1 = t.plays_1 + EXCLUDED.plays_1,
        plays_3 = t.plays_3 + EXCLUDED.plays_3, plays_5 = t.plays_5 + EXCLUDED.plays_5,
        plays_10 = t.plays_10 + EXCLUDED.plays_10, plays_30 = t.plays_30 + EXCLUDED.plays_30,
        plays_60 = t.plays_60 + EXCLUDED.plays_60;
END
$$;

-- Row-level for the reasons given in 004: an update takes the old row away and adds the new one.
CREATE FUNCTION sources_maintain() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM sources_add(OLD, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM sources_add(NEW, 1);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER sources_maintain AFTER INSERT OR UPDATE OR DELETE ON sessions
FOR EACH ROW EXECUTE FUNCTION sources_maintain();

-- Rebuild from the sessions: for this migration's backfill, and after bulk loads that ran with
-- the trigger disabled (the query benchmark does that).
CREATE FUNCTION sources_rebuild() RETURNS void
LANGUAGE sql AS $$
    DELETE FROM sources_hourly;
    INSERT INTO sources_hourly
    SELECT key_id, date_trunc('hour', started_at, 'UTC'), sources_page(page_host, page_url),
           page_host, page_url, count(*),
           count(*) FILTER (WHERE watched >= 1), count(*) FILTER (WHERE watched >= 3),
           count(*) FILTER (WHERE watched >= 5), count(*) FILTER (WHERE watched >= 10),
           count(*) FILTER (WHERE watched >= 30), count(*) FILTER (WHERE watched >= 60)
    FROM sessions
    GROUP BY key_id, date_trunc('hour', started_at, 'UTC'), page_host, page_url;
    DELETE FROM sources_daily;
    INSERT INTO sources_daily
    SELECT video_id, date_trunc('day', started_at, 'UTC'), sources_page(page_host, page_url),
           page_host, page_url, count(*),
           count(*) FILTER (WHERE watched >= 1), count(*) FILTER (WHERE watched >= 3),
           count(*) FILTER (WHERE watched >= 5), count(*) FILTER (WHERE watched >= 10),
           count(*) FILTER (WHERE watched >= 30), count(*) FILTER (WHERE watched >= 60)
    FROM sessions
    GROUP BY video_id, date_trunc('day', started_at, 'UTC'), page_host, page_url;
$$;

SELECT sources_rebuild();
