-- Plays of a whole key per UTC hour, kept current by a trigger on sessions, so that /plays for
-- a key over weeks reads a few tens of thousands of rollup rows instead of millions of sessions
-- (docs/PERFORMANCE.md has the figures and the write-time cost).
--
-- `watched_class` is floor(watched) capped at 600: a session watched at least m seconds exactly
-- when its class is at least m, for any whole m up to 600. The breakdowns are the marginal counts
-- the API answers with. The API reads this table only when that makes the answer exact: a key
-- query, a whole minimum_watch_seconds up to 600, a bucket width of whole hours or months; it
-- reads the sessions themselves for the partial hours at either end of the timeframe.
CREATE TABLE plays_hourly (
    key_id           bigint           NOT NULL,
    hour             timestamptz      NOT NULL,
    watched_class    smallint         NOT NULL,
    views            bigint           NOT NULL,
    watched          double precision NOT NULL,
    unique_watched   double precision NOT NULL,
    browser_edge     integer NOT NULL, browser_ie      integer NOT NULL,
    browser_chrome   integer NOT NULL, browser_firefox integer NOT NULL,
    browser_opera    integer NOT NULL, browser_safari  integer NOT NULL,
    browser_brave    integer NOT NULL, browser_other   integer NOT NULL,
    device_mobile    integer NOT NULL, device_tablet   integer NOT NULL,
    device_desktop   integer NOT NULL, device_other    integer NOT NULL,
    platform_ios     integer NOT NULL, platform_android integer NOT NULL,
    platform_mac     integer NOT NULL, platform_windows integer NOT NULL,
    platform_linux   integer NOT NULL, platform_other   integer NOT NULL,
    PRIMARY KEY (key_id, hour, watched_class)
);

-- Add (sign = 1) or take away (sign = -1) one session's contribution.
CREATE FUNCTION plays_hourly_add(s sessions, sign integer) RETURNS void
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
        sign * (s.platform = 'linux')::int, sign * (s.platform = 'other')::int
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
        platform_other = t.platform_other + EXCLUDED.platform_other
$$;

-- Row-level (not statement-level with transition tables) because TimescaleDB hypertables
-- support only row-level triggers; checkpoints rewrite a session, so an update takes the old
-- row away and adds the new one, and retention deletes take theirs away.
CREATE FUNCTION plays_hourly_maintain() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM plays_hourly_add(OLD, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM plays_hourly_add(NEW, 1);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER plays_hourly_maintain AFTER INSERT OR UPDATE OR DELETE ON sessions
FOR EACH ROW EXECUTE FUNCTION plays_hourly_maintain();

-- Rebuild from the sessions: for this migration's backfill, and after bulk loads that ran with
-- the trigger disabled (the query benchmark does that).
CREATE FUNCTION plays_hourly_rebuild() RETURNS void
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
           count(*) FILTER (WHERE platform = 'linux'), count(*) FILTER (WHERE platform = 'other')
    FROM sessions
    GROUP BY 1, 2, 3
$$;

SELECT plays_hourly_rebuild();
