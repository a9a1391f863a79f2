-- Exact startup percentiles of a key's month in tens of milliseconds (issue 10, part B): the
-- histogram of startup times per UTC day, beside the hourly one of migration 021.
--
-- /qoe reads a bucket's startup percentiles off the histogram of its hours: a key's month is
-- about 275,000 rows of startup_hourly (a few hundred distinct hundredths of a second an hour),
-- each with the 19 counts the total and the browser, device and platform percentiles need;
-- summing them costs about 200 ms on its own, most of the 300 ms /qoe may take. By the day the
-- same month is about 23,000 rows. The query takes a UTC day from here where the whole day lies
-- in one bucket (any bucket of days, weeks, months or years in UTC; the inner days of a week or
-- month elsewhere), and its hours from startup_hourly otherwise (docs/STORAGE.md).
--
-- Kept by the same trigger calls as startup_hourly: startup_hourly_add now adds to both, so the
-- daily rows are exactly the sums of the hourly ones, through checkpoints, moves and deletes.
-- Cost: one more upsert when a view's first frame is stored (docs/PERFORMANCE.md).
CREATE TABLE startup_daily (
    key_id        bigint      NOT NULL,
    day           timestamptz NOT NULL,  -- date_trunc('day', started_at, 'UTC')
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
    PRIMARY KEY (key_id, day, startup_class)
);

CREATE OR REPLACE FUNCTION startup_hourly_add(s sessions, sign integer) RETURNS void
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
    -- The same counts under the session's UTC day.
    INSERT INTO startup_daily AS t VALUES (
        s.key_id, date_trunc('day', s.started_at, 'UTC'), round(s.startup_time * 100)::integer, sign,
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
    ON CONFLICT (key_id, day, startup_class) DO UPDATE SET
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

-- The daily histogram as the sum of the hourly one: what this migration starts from, and what a
-- rebuild after a bulk load (the triggers off) ends with.
CREATE FUNCTION startup_daily_rebuild() RETURNS void
LANGUAGE sql AS $$
    DELETE FROM startup_daily;
    INSERT INTO startup_daily
    SELECT key_id, date_trunc('day', hour, 'UTC'), startup_class, sum(views),
           sum(browser_edge), sum(browser_ie), sum(browser_chrome), sum(browser_firefox),
           sum(browser_opera), sum(browser_safari), sum(browser_brave), sum(browser_other),
           sum(device_mobile), sum(device_tablet), sum(device_desktop), sum(device_other),
           sum(platform_ios), sum(platform_android), sum(platform_mac), sum(platform_windows),
           sum(platform_linux), sum(platform_other)
    FROM startup_hourly
    GROUP BY key_id, date_trunc('day', hour, 'UTC'), startup_class
    HAVING sum(views) <> 0;
$$;

ALTER FUNCTION quality_rollups_rebuild() RENAME TO quality_rollups_rebuild_hourly;

CREATE FUNCTION quality_rollups_rebuild() RETURNS void
LANGUAGE sql AS $$
    SELECT quality_rollups_rebuild_hourly();
    SELECT startup_daily_rebuild();
$$;

SELECT startup_daily_rebuild();
