-- Rollups of the quality columns (migrations/020), kept by row triggers on sessions like those of
-- 004 and 007, so that /qoe, /errors and the impressions, play rate and completions of /plays
-- read hundreds of rows where they would read millions of sessions (docs/STORAGE.md says which
-- question reads which table, and why each answer stays exact).

-- 1. plays_hourly (004) gains the impressions and completions of each watched-second class: for a
--    whole key and any whole minimum_watch_seconds m up to 600, the plays with an impression are
--    the impressions of the classes >= m, and likewise completions; all impressions are those of
--    every class (a page that never plays is a session of class 0).
ALTER TABLE plays_hourly
    ADD COLUMN impressions integer NOT NULL DEFAULT 0,
    ADD COLUMN viewable_impressions integer NOT NULL DEFAULT 0,
    ADD COLUMN completions integer NOT NULL DEFAULT 0;

CREATE OR REPLACE FUNCTION plays_hourly_add(s sessions, sign integer) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO plays_hourly AS t VALUES (
        s.key_id, date_trunc('hour', s.started_at, 'UTC'), least(floor(s.watched), 600)::smallint,
        sign, sign * s.watched, sign * s.unique_watched,
        sign * (s.browser = 'edge')::int, sign * (s.browser = 'ie')::int,
        sign * (s.browser = 'chrome')::int, sign * (s.browser = 'firefox')::int,
        sign * (s.browser = 'opera')::int, sign * (s.browser = 'safari')::int,
        sign * (s.browser = 'brave')::int, sign * (s.browser = 'other')::int,
        sign * (s.device = 'mobile')::int, sign * (s.device = 'tablet')::int,
        sign * (s.device = 'desktop')::int, sign * (s.device = 'other')::int,
        sign * (s.platform = 'ios')::int, sign * (s.platform = 'android')::int,
        sign * (s.platform = 'mac')::int, sign * (s.platform = 'windows')::int,
        sign * (s.platform = 'linux')::int, sign * (s.platform = 'other')::int,
        sign * s.impression::int, sign * s.viewable::int, sign * s.completed::int
    )
    ON CONFLICT (key_id, hour, watched_class) DO UPDATE SET
        views = t.views + EXCLUDED.views,
        watched = t.watched + EXCLUDED.watched,
        unique_watched = t.unique_watched + EXCLUDED.unique_watched,
        browser_edge = t.browser_edge + EXCLUDED.browser_edge,
        browser_ie = t.browser_ie + EXCLUDED.browser_ie,
        browser_chrome = t.browser_chrome + EXCLUDED.browser_chrome,
        browser_firefox = t.browser_firefox + EXCLUDED.browser_firefox,
        browser_opera = t.browser_opera + EXCLUDED.browser_opera,
        browser_safari = t.browser_safari + EXCLUDED.browser_safari,
        browser_brave = t.browser_brave + EXCLUDED.browser_brave,
        browser_other = t.browser_other + EXCLUDED.browser_other,
        device_mobile = t.device_mobile + EXCLUDED.device_mobile,
        device_tablet = t.device_tablet + EXCLUDED.device_tablet,
        device_desktop = t.device_desktop + EXCLUDED.device_desktop,
        device_other = t.device_other + EXCLUDED.device_other,
        platform_ios = t.platform_ios + EXCLUDED.platform_ios,
        platform_android = t.platform_android + EXCLUDED.platform_android,
        platform_mac = t.platform_mac + EXCLUDED.platform_mac,
        platform_windows = t.platform_windows + EXCLUDED.platform_windows,
        platform_linux = t.platform_linux + EXCLUDED.platform_linux,
        platform_other = t.platform_other + EXCLUDED.platform_other,
        impressions = t.impressions + EXCLUDED.impressions,
        viewable_impressions = t.viewable_impressions + EXCLUDED.viewable_impressions,
        completions = t.completions + EXCLUDED.completions
$$;

CREATE OR REPLACE FUNCTION plays_hourly_maintain() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.key_id = OLD.key_id AND NEW.started_at = OLD.started_at
       AND least(floor(NEW.watched), 600) = least(floor(OLD.watched), 600)
       AND NEW.browser = OLD.browser AND NEW.device = OLD.device AND NEW.platform = OLD.platform
       AND NEW.impression = OLD.impression AND NEW.viewable = OLD.viewable
       AND NEW.completed = OLD.completed THEN
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

CREATE OR REPLACE FUNCTION plays_hourly_rebuild() RETURNS void
LANGUAGE sql AS $$
    DELETE FROM plays_hourly;
    INSERT INTO plays_hourly
    SELECT key_id, date_trunc('hour', started_at, 'UTC'), least(floor(watched), 600)::smallint,
           count(*), sum(watched), sum(unique_watched),
           count(*) FILTER (WHERE browser = 'edge'), count(*) FILTER (WHERE browser = 'ie'),
           count(*) FILTER (WHERE browser = 'chrome'), count(*) FILTER (WHERE browser = 'firefox'),
           count(*) FILTER (WHERE browser = 'opera'), count(*) FILTER (WHERE browser = 'safari'),
           count(*) FILTER (WHERE browser = 'brave'), count(*) FILTER (WHERE browser = 'other'),
           count(*) FILTER (WHERE device = 'mobile'), count(*) FILTER (WHERE device = 'tablet'),
           count(*) FILTER (WHERE device = 'desktop'), count(*) FILTER (WHERE device = 'other'),
           count(*) FILTER (WHERE platform = 'ios'), count(*) FILTER (WHERE platform = 'android'),
           count(*) FILTER (WHERE platform = 'mac'), count(*) FILTER (WHERE platform = 'windows'),
           count(*) FILTER (WHERE platform = 'linux'), count(*) FILTER (WHERE platform = 'other'),
           count(*) FILTER (WHERE impression), count(*) FILTER (WHERE viewable),
           count(*) FILTER (WHERE completed)
    FROM sessions
    GROUP BY 1, 2, 3
$$;

-- 2. Impressions per key, video, UTC hour and page (`page` as in 007), with the plays among them
--    at the thresholds of 007: per video or per page, play rate = plays_N / impressions.
--    Only sessions with an impression contribute; a reference-client session never does.
CREATE TABLE impressions_hourly (
    key_id      bigint      NOT NULL,
    video_id    bigint      NOT NULL,
    hour        timestamptz NOT NULL,
    page        bytea       NOT NULL,
    page_host   text        NOT NULL,
    page_url    text        NOT NULL,
    impressions integer NOT NULL, viewable_impressions integer NOT NULL,
    autoplay_impressions integer NOT NULL,
    plays_0  integer NOT NULL, plays_1  integer NOT NULL, plays_3  integer NOT NULL,
    plays_5  integer NOT NULL, plays_10 integer NOT NULL, plays_30 integer NOT NULL,
    plays_60 integer NOT NULL, completions integer NOT NULL,
    PRIMARY KEY (video_id, hour, page)
);
CREATE INDEX impressions_hourly_key ON impressions_hourly (key_id, hour);

CREATE FUNCTION impressions_hourly_add(s sessions, sign integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT s.impression THEN
        RETURN;
    END IF;
    INSERT INTO impressions_hourly AS t VALUES (
        s.key_id, s.video_id, date_trunc('hour', s.started_at, 'UTC'),
        sources_page(s.page_host, s.page_url), s.page_host, s.page_url,
        sign, sign * s.viewable::int, sign * s.autoplay::int,
        sign, sign * (s.watched >= 1)::int, sign * (s.watched >= 3)::int, sign * (s.watched >= 5)::int,
        sign * (s.watched >= 10)::int, sign * (s.watched >= 30)::int, sign * (s.watched >= 60)::int,
        sign * s.completed::int
    )
    ON CONFLICT (video_id, hour, page) DO UPDATE SET
        impressions = t.impressions + EXCLUDED.impressions,
        viewable_impressions = t.viewable_impressions + EXCLUDED.viewable_impressions,
        autoplay_impressions = t.autoplay_impressions + EXCLUDED.autoplay_impressions,
        plays_0 = t.plays_0 + EXCLUDED.plays_0, plays_1 = t.plays_1 + EXCLUDED.plays_1,
        plays_3 = t.plays_3 + EXCLUDED.plays_3, plays_5 = t.plays_5 + EXCLUDED.plays_5,
        plays_10 = t.plays_10 + EXCLUDED.plays_10, plays_30 = t.plays_30 + EXCLUDED.plays_30,
        plays_60 = t.plays_60 + EXCLUDED.plays_60, completions = t.completions + EXCLUDED.completions;
END
$$;

-- 3. The quality sums of the views (sessions with a play intent: exit IS NOT NULL) per key, UTC
--    hour and client, as marginals: each view adds to three rows, its browser's (`dimension` =
--    'browser', `value` = 'chrome'), its device's and its platform's. Every /qoe figure but the
--    percentiles is a ratio of these sums; a breakdown reads one dimension's rows, the totals any
--    one dimension's (its rows partition the views). At most 8 + 4 + 6 = 18 rows an hour.
CREATE TABLE qoe_hourly (
    key_id    bigint      NOT NULL,
    hour      timestamptz NOT NULL,
    dimension text        NOT NULL CHECK (dimension IN ('browser', 'device', 'platform')),
    value     text        NOT NULL,
    views              integer NOT NULL,   -- sessions with a play intent
    started            integer NOT NULL,   -- of them, with a first frame
    startup_time       double precision NOT NULL,  -- sum over those, seconds
    watch_time         double precision NOT NULL,
    playing_time       double precision NOT NULL,
    rebuffer_count     bigint  NOT NULL,
    rebuffer_time      double precision NOT NULL,
    rebuffered_views   integer NOT NULL,   -- views with at least one rebuffer
    seek_count         bigint  NOT NULL,
    seek_time          double precision NOT NULL,
    failures           integer NOT NULL,   -- exit = 'failed'
    startup_failures   integer NOT NULL,   -- of them, before the first frame
    exits_before_start integer NOT NULL,   -- exit = 'gave_up'
    completions        integer NOT NULL,
    bitrate_time       double precision NOT NULL,  -- playing time of views with a bitrate
    bitrate_bits       double precision NOT NULL,  -- sum of bitrate x playing time
    rendition_changes  bigint  NOT NULL,
    upscale_time       double precision NOT NULL,  -- playing time of views with an upscale figure
    upscale_weighted   double precision NOT NULL,  -- sum of upscale % x playing time
    dropped_frames     bigint  NOT NULL,   -- of views reporting both counts
    frames             bigint  NOT NULL,
    PRIMARY KEY (key_id, hour, dimension, value)
);

CREATE FUNCTION qoe_hourly_add(s sessions, sign integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF s.exit IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO qoe_hourly AS t
    SELECT s.key_id, date_trunc('hour', s.started_at, 'UTC'), d.dimension, d.value,
           sign * 1,
           sign * (s.startup_time IS NOT NULL)::int,
           sign * coalesce(s.startup_time, 0),
           sign * s.watch_time,
           sign * s.playing_time,
           sign * s.rebuffer_count,
           sign * s.rebuffer_time,
           sign * (s.rebuffer_count > 0)::int,
           sign * s.seek_count,
           sign * s.seek_time,
           sign * (s.exit = 'failed')::int,
           sign * (s.exit = 'failed' AND s.error_phase IS NOT DISTINCT FROM 'startup')::int,
           sign * (s.exit = 'gave_up')::int,
           sign * s.completed::int,
           sign * CASE WHEN s.bitrate IS NULL THEN 0 ELSE s.playing_time END,
           sign * coalesce(s.bitrate * s.playing_time, 0),
           sign * s.rendition_changes,
           sign * CASE WHEN s.upscale IS NULL THEN 0 ELSE s.playing_time END,
           sign * coalesce(s.upscale * s.playing_time, 0),
           sign * CASE WHEN s.frames IS NULL THEN 0 ELSE coalesce(s.dropped_frames, 0) END,
           sign * CASE WHEN s.dropped_frames IS NULL THEN 0 ELSE coalesce(s.frames, 0) END
    FROM (VALUES ('browser', s.browser), ('device', s.device), ('platform', s.platform)) AS d(dimension, value)
    ORDER BY d.dimension
    ON CONFLICT (key_id, hour, dimension, value) DO UPDATE SET
        views = t.views + EXCLUDED.views,
        started = t.started + EXCLUDED.started,
        startup_time = t.startup_time + EXCLUDED.startup_time,
        watch_time = t.watch_time + EXCLUDED.watch_time,
        playing_time = t.playing_time + EXCLUDED.playing_time,
        rebuffer_count = t.rebuffer_count + EXCLUDED.rebuffer_count,
        rebuffer_time = t.rebuffer_time + EXCLUDED.rebuffer_time,
        rebuffered_views = t.rebuffered_views + EXCLUDED.rebuffered_views,
        seek_count = t.seek_count + EXCLUDED.seek_count,
        seek_time = t.seek_time + EXCLUDED.seek_time,
        failures = t.failures + EXCLUDED.failures,
        startup_failures = t.startup_failures + EXCLUDED.startup_failures,
        exits_before_start = t.exits_before_start + EXCLUDED.exits_before_start,
        completions = t.completions + EXCLUDED.completions,
        bitrate_time = t.bitrate_time + EXCLUDED.bitrate_time,
        bitrate_bits = t.bitrate_bits + EXCLUDED.bitrate_bits,
        rendition_changes = t.rendition_changes + EXCLUDED.rendition_changes,
        upscale_time = t.upscale_time + EXCLUDED.upscale_time,
        upscale_weighted = t.upscale_weighted + EXCLUDED.upscale_weighted,
        dropped_frames = t.dropped_frames + EXCLUDED.dropped_frames,
        frames = t.frames + EXCLUDED.frames;
END
$$;

-- 4. Startup times of the views that started, per key, UTC hour and hundredth of a second (the
--    resolution they are stored at, app/ingest/quality.py), with the client split as marginal
--    counts: the exact p50 / p95 of a bucket (or of one browser, device or platform in it) is read
--    off the cumulative counts in class order, the same value percentile_disc gives over the
--    sessions themselves.
CREATE TABLE startup_hourly (
    key_id        bigint      NOT NULL,
    hour          timestamptz NOT NULL,
    startup_class integer     NOT NULL,  -- round(startup_time * 100)
    views         integer     NOT NULL,
    browser_edge     integer NOT NULL, browser_ie      integer NOT NULL,
    browser_chrome   integer NOT NULL, browser_firefox integer NOT NULL,
    browser_opera    integer NOT NULL, browser_safari  integer NOT NULL,
    browser_brave    integer NOT NULL, browser_other   integer NOT NULL,
    device_mobile    integer NOT NULL, device_tablet   integer NOT NULL,
    device_desktop   integer NOT NULL, device_other    integer NOT NULL,
    platform_ios     integer NOT NULL, platform_android integer NOT NULL,
    platform_mac     integer NOT NULL, platform_windows integer NOT NULL,
    platform_linux   integer NOT NULL, platform_other   integer NOT NULL,
    PRIMARY KEY (key_id, hour, startup_class)
);

CREATE FUNCTION startup_hourly_add(s sessions, sign integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF s.exit IS NULL OR s.startup_time IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO startup_hourly AS t VALUES (
        s.key_id, date_trunc('hour', s.started_at, 'UTC'), round(s.startup_time * 100)::integer, sign,
        sign * (s.browser = 'edge')::int, sign * (s.browser = 'ie')::int,
        sign * (s.browser = 'chrome')::int, sign * (s.browser = 'firefox')::int,
        sign * (s.browser = 'opera')::int, sign * (s.browser = 'safari')::int,
        sign * (s.browser = 'brave')::int, sign * (s.browser = 'other')::int,
        sign * (s.device = 'mobile')::int, sign * (s.device = 'tablet')::int,
        sign * (s.device = 'desktop')::int, sign * (s.device = 'other')::int,
        sign * (s.platform = 'ios')::int, sign * (s.platform = 'android')::int,
        sign * (s.platform = 'mac')::int, sign * (s.platform = 'windows')::int,
        sign * (s.platform = 'linux')::int, sign * (s.platform = 'other')::int
    )
    ON CONFLICT (key_id, hour, startup_class) DO UPDATE SET
        views = t.views + EXCLUDED.views,
        browser_edge = t.browser_edge + EXCLUDED.browser_edge,
        browser_ie = t.browser_ie + EXCLUDED.browser_ie,
        browser_chrome = t.browser_chrome + EXCLUDED.browser_chrome,
        browser_firefox = t.browser_firefox + EXCLUDED.browser_firefox,
        browser_opera = t.browser_opera + EXCLUDED.browser_opera,
        browser_safari = t.browser_safari + EXCLUDED.browser_safari,
        browser_brave = t.browser_brave + EXCLUDED.browser_brave,
        browser_other = t.browser_other + EXCLUDED.browser_other,
        device_mobile = t.device_mobile + EXCLUDED.device_mobile,
        device_tablet = t.device_tablet + EXCLUDED.device_tablet,
        device_desktop = t.device_desktop + EXCLUDED.device_desktop,
        device_other = t.device_other + EXCLUDED.device_other,
        platform_ios = t.platform_ios + EXCLUDED.platform_ios,
        platform_android = t.platform_android + EXCLUDED.platform_android,
        platform_mac = t.platform_mac + EXCLUDED.platform_mac,
        platform_windows = t.platform_windows + EXCLUDED.platform_windows,
        platform_linux = t.platform_linux + EXCLUDED.platform_linux,
        platform_other = t.platform_other + EXCLUDED.platform_other;
END
$$;

-- 5. Plays per key, UTC hour and country at the thresholds of 007: the country breakdown. Only
--    sessions placed in a country: with no GeoIP file (the default) every session is `unknown`,
--    and a row per session for nothing would cost every write. Plays of `unknown` at a threshold
--    are the key's plays there (sources_hourly's plays_N summed over pages) less the known ones.
CREATE TABLE countries_hourly (
    key_id   bigint      NOT NULL,
    hour     timestamptz NOT NULL,
    country  text        NOT NULL CHECK (country <> 'unknown'),
    plays_0  integer NOT NULL, plays_1  integer NOT NULL, plays_3  integer NOT NULL,
    plays_5  integer NOT NULL, plays_10 integer NOT NULL, plays_30 integer NOT NULL,
    plays_60 integer NOT NULL,
    PRIMARY KEY (key_id, hour, country)
);

CREATE FUNCTION countries_hourly_add(s sessions, sign integer) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO countries_hourly AS t
    SELECT s.key_id, date_trunc('hour', s.started_at, 'UTC'), s.country,
           sign, sign * (s.watched >= 1)::int, sign * (s.watched >= 3)::int, sign * (s.watched >= 5)::int,
           sign * (s.watched >= 10)::int, sign * (s.watched >= 30)::int, sign * (s.watched >= 60)::int
    WHERE s.country <> 'unknown'
    ON CONFLICT (key_id, hour, country) DO UPDATE SET
        plays_0 = t.plays_0 + EXCLUDED.plays_0, plays_1 = t.plays_1 + EXCLUDED.plays_1,
        plays_3 = t.plays_3 + EXCLUDED.plays_3, plays_5 = t.plays_5 + EXCLUDED.plays_5,
        plays_10 = t.plays_10 + EXCLUDED.plays_10, plays_30 = t.plays_30 + EXCLUDED.plays_30,
        plays_60 = t.plays_60 + EXCLUDED.plays_60
$$;

-- One trigger for the four new rollups. An update (a checkpoint rewriting an open session every
-- 10 s) changes a rollup only where the row's contribution to it changed; the quality sums of a
-- view that stays in the same rollup row move in one UPDATE instead of two upserts.
CREATE FUNCTION quality_rollups_maintain() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    same_row boolean;
BEGIN
    IF TG_OP IN ('INSERT', 'DELETE') THEN
        DECLARE
            s sessions := CASE WHEN TG_OP = 'INSERT' THEN NEW ELSE OLD END;
            sign integer := CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE -1 END;
        BEGIN
            PERFORM impressions_hourly_add(s, sign);
            PERFORM qoe_hourly_add(s, sign);
            PERFORM startup_hourly_add(s, sign);
            PERFORM countries_hourly_add(s, sign);
        END;
        RETURN NULL;
    END IF;

    same_row := NEW.key_id = OLD.key_id AND NEW.started_at = OLD.started_at;

    IF (OLD.impression OR NEW.impression) AND NOT (same_row
        AND NEW.video_id = OLD.video_id AND NEW.page_host = OLD.page_host AND NEW.page_url = OLD.page_url
        AND NEW.impression = OLD.impression AND NEW.viewable = OLD.viewable
        AND NEW.autoplay = OLD.autoplay AND NEW.completed = OLD.completed
        AND (NEW.watched >= 1) = (OLD.watched >= 1) AND (NEW.watched >= 3) = (OLD.watched >= 3)
        AND (NEW.watched >= 5) = (OLD.watched >= 5) AND (NEW.watched >= 10) = (OLD.watched >= 10)
        AND (NEW.watched >= 30) = (OLD.watched >= 30) AND (NEW.watched >= 60) = (OLD.watched >= 60)) THEN
        PERFORM impressions_hourly_add(OLD, -1);
        PERFORM impressions_hourly_add(NEW, 1);
    END IF;

    IF OLD.exit IS NOT NULL AND NEW.exit IS NOT NULL AND same_row AND NEW.browser = OLD.browser
       AND NEW.device = OLD.device AND NEW.platform = OLD.platform THEN
        UPDATE qoe_hourly SET
            started = started + ((NEW.startup_time IS NOT NULL)::int) - ((OLD.startup_time IS NOT NULL)::int),
            startup_time = startup_time + (coalesce(NEW.startup_time, 0)) - (coalesce(OLD.startup_time, 0)),
            watch_time = watch_time + (NEW.watch_time) - (OLD.watch_time),
            playing_time = playing_time + (NEW.playing_time) - (OLD.playing_time),
            rebuffer_count = rebuffer_count + (NEW.rebuffer_count) - (OLD.rebuffer_count),
            rebuffer_time = rebuffer_time + (NEW.rebuffer_time) - (OLD.rebuffer_time),
            rebuffered_views = rebuffered_views + ((NEW.rebuffer_count > 0)::int) - ((OLD.rebuffer_count > 0)::int),
            seek_count = seek_count + (NEW.seek_count) - (OLD.seek_count),
            seek_time = seek_time + (NEW.seek_time) - (OLD.seek_time),
            failures = failures + ((NEW.exit = 'failed')::int) - ((OLD.exit = 'failed')::int),
            startup_failures = startup_failures + ((NEW.exit = 'failed' AND NEW.error_phase IS NOT DISTINCT FROM 'startup')::int) - ((OLD.exit = 'failed' AND OLD.error_phase IS NOT DISTINCT FROM 'startup')::int),
            exits_before_start = exits_before_start + ((NEW.exit = 'gave_up')::int) - ((OLD.exit = 'gave_up')::int),
            completions = completions + (NEW.completed::int) - (OLD.completed::int),
            bitrate_time = bitrate_time + (CASE WHEN NEW.bitrate IS NULL THEN 0 ELSE NEW.playing_time END) - (CASE WHEN OLD.bitrate IS NULL THEN 0 ELSE OLD.playing_time END),
            bitrate_bits = bitrate_bits + (coalesce(NEW.bitrate * NEW.playing_time, 0)) - (coalesce(OLD.bitrate * OLD.playing_time, 0)),
            rendition_changes = rendition_changes + (NEW.rendition_changes) - (OLD.rendition_changes),
            upscale_time = upscale_time + (CASE WHEN NEW.upscale IS NULL THEN 0 ELSE NEW.playing_time END) - (CASE WHEN OLD.upscale IS NULL THEN 0 ELSE OLD.playing_time END),
            upscale_weighted = upscale_weighted + (coalesce(NEW.upscale * NEW.playing_time, 0)) - (coalesce(OLD.upscale * OLD.playing_time, 0)),
            dropped_frames = dropped_frames + (CASE WHEN NEW.frames IS NULL THEN 0 ELSE coalesce(NEW.dropped_frames, 0) END) - (CASE WHEN OLD.frames IS NULL THEN 0 ELSE coalesce(OLD.dropped_frames, 0) END),
            frames = frames + (CASE WHEN NEW.dropped_frames IS NULL THEN 0 ELSE coalesce(NEW.frames, 0) END) - (CASE WHEN OLD.dropped_frames IS NULL THEN 0 ELSE coalesce(OLD.frames, 0) END)
        WHERE key_id = NEW.key_id AND hour = date_trunc('hour', NEW.started_at, 'UTC')
          AND (dimension, value) IN (('browser', NEW.browser), ('device', NEW.device), ('platform', NEW.platform));
    ELSIF OLD.exit IS NOT NULL OR NEW.exit IS NOT NULL THEN
        PERFORM qoe_hourly_add(OLD, -1);
        PERFORM qoe_hourly_add(NEW, 1);
    END IF;

    IF (OLD.startup_time IS NOT NULL OR NEW.startup_time IS NOT NULL) AND NOT (same_row
        AND (NEW.exit IS NULL) = (OLD.exit IS NULL)
        AND NEW.startup_time IS NOT DISTINCT FROM OLD.startup_time
        AND NEW.browser = OLD.browser AND NEW.device = OLD.device AND NEW.platform = OLD.platform) THEN
        PERFORM startup_hourly_add(OLD, -1);
        PERFORM startup_hourly_add(NEW, 1);
    END IF;

    IF (OLD.country <> 'unknown' OR NEW.country <> 'unknown') AND NOT (same_row AND NEW.country = OLD.country
        AND (NEW.watched >= 1) = (OLD.watched >= 1) AND (NEW.watched >= 3) = (OLD.watched >= 3)
        AND (NEW.watched >= 5) = (OLD.watched >= 5) AND (NEW.watched >= 10) = (OLD.watched >= 10)
        AND (NEW.watched >= 30) = (OLD.watched >= 30) AND (NEW.watched >= 60) = (OLD.watched >= 60)) THEN
        PERFORM countries_hourly_add(OLD, -1);
        PERFORM countries_hourly_add(NEW, 1);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER quality_rollups_maintain AFTER INSERT OR UPDATE OR DELETE ON sessions
FOR EACH ROW EXECUTE FUNCTION quality_rollups_maintain();

-- Rebuild the four from the sessions: after bulk loads that ran with the triggers disabled (the
-- query benchmark does that), and as this migration's backfill. The same sums as the *_add
-- functions, grouped (tests/db/test_quality_rollups.py holds the two ways to each other).
CREATE FUNCTION quality_rollups_rebuild() RETURNS void
LANGUAGE sql AS $$
    DELETE FROM impressions_hourly;
    DELETE FROM qoe_hourly;
    DELETE FROM startup_hourly;
    DELETE FROM countries_hourly;
    INSERT INTO impressions_hourly
    SELECT key_id, video_id, date_trunc('hour', started_at, 'UTC'), sources_page(page_host, page_url),
           page_host, page_url, count(*), count(*) FILTER (WHERE viewable),
           count(*) FILTER (WHERE autoplay), count(*),
           count(*) FILTER (WHERE watched >= 1), count(*) FILTER (WHERE watched >= 3),
           count(*) FILTER (WHERE watched >= 5), count(*) FILTER (WHERE watched >= 10),
           count(*) FILTER (WHERE watched >= 30), count(*) FILTER (WHERE watched >= 60),
           count(*) FILTER (WHERE completed)
    FROM sessions WHERE impression
    GROUP BY key_id, video_id, date_trunc('hour', started_at, 'UTC'), page_host, page_url;
    INSERT INTO qoe_hourly
    SELECT key_id, date_trunc('hour', started_at, 'UTC'), d.dimension, d.value,
           count(*),
           count(startup_time),
           coalesce(sum(startup_time), 0),
           sum(watch_time),
           sum(playing_time),
           sum(rebuffer_count),
           sum(rebuffer_time),
           count(*) FILTER (WHERE rebuffer_count > 0),
           sum(seek_count),
           sum(seek_time),
           count(*) FILTER (WHERE exit = 'failed'),
           count(*) FILTER (WHERE exit = 'failed' AND error_phase IS NOT DISTINCT FROM 'startup'),
           count(*) FILTER (WHERE exit = 'gave_up'),
           count(*) FILTER (WHERE completed),
           coalesce(sum(playing_time) FILTER (WHERE bitrate IS NOT NULL), 0),
           coalesce(sum(bitrate * playing_time), 0),
           sum(rendition_changes),
           coalesce(sum(playing_time) FILTER (WHERE upscale IS NOT NULL), 0),
           coalesce(sum(upscale * playing_time), 0),
           coalesce(sum(dropped_frames) FILTER (WHERE frames IS NOT NULL), 0),
           coalesce(sum(frames) FILTER (WHERE dropped_frames IS NOT NULL), 0)
    FROM sessions
    CROSS JOIN LATERAL (VALUES ('browser', browser), ('device', device), ('platform', platform)) AS d(dimension, value)
    WHERE exit IS NOT NULL
    GROUP BY key_id, date_trunc('hour', started_at, 'UTC'), d.dimension, d.value;
    INSERT INTO startup_hourly
    SELECT key_id, date_trunc('hour', started_at, 'UTC'), round(startup_time * 100)::integer, count(*),
           count(*) FILTER (WHERE browser = 'edge'), count(*) FILTER (WHERE browser = 'ie'),
           count(*) FILTER (WHERE browser = 'chrome'), count(*) FILTER (WHERE browser = 'firefox'),
           count(*) FILTER (WHERE browser = 'opera'), count(*) FILTER (WHERE browser = 'safari'),
           count(*) FILTER (WHERE browser = 'brave'), count(*) FILTER (WHERE browser = 'other'),
           count(*) FILTER (WHERE device = 'mobile'), count(*) FILTER (WHERE device = 'tablet'),
           count(*) FILTER (WHERE device = 'desktop'), count(*) FILTER (WHERE device = 'other'),
           count(*) FILTER (WHERE platform = 'ios'), count(*) FILTER (WHERE platform = 'android'),
           count(*) FILTER (WHERE platform = 'mac'), count(*) FILTER (WHERE platform = 'windows'),
           count(*) FILTER (WHERE platform = 'linux'), count(*) FILTER (WHERE platform = 'other')
    FROM sessions WHERE exit IS NOT NULL AND startup_time IS NOT NULL
    GROUP BY key_id, date_trunc('hour', started_at, 'UTC'), round(startup_time * 100)::integer;
    INSERT INTO countries_hourly
    SELECT key_id, date_trunc('hour', started_at, 'UTC'), country, count(*),
           count(*) FILTER (WHERE watched >= 1), count(*) FILTER (WHERE watched >= 3),
           count(*) FILTER (WHERE watched >= 5), count(*) FILTER (WHERE watched >= 10),
           count(*) FILTER (WHERE watched >= 30), count(*) FILTER (WHERE watched >= 60)
    FROM sessions WHERE country <> 'unknown'
    GROUP BY key_id, date_trunc('hour', started_at, 'UTC'), country;
$$;

-- Existing rows: their plays_hourly contributions gain zeros (the new columns' defaults are
-- right for them: no impression, not completed, no country), so there is nothing to build; the
-- call stays for a database whose sessions were loaded with these columns already.
SELECT quality_rollups_rebuild();
