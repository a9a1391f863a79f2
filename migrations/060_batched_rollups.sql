-- The writer's rollups by the batch, not by the row (issue 13: freshness at 1,000 sessions ending
-- a second).
--
-- The row triggers of 004, 007, 011 and 021 upsert each rollup row a session contributes to, once
-- per session. Live sessions of a key share their hour, page, video and client, so a batch of 500
-- updated the same few rollup rows hundreds of times in one transaction, each update another
-- version of the row for the next to step over: at 1,000 sessions a second a batch took 110 to
-- 190 ms on average and up to a second, 7 ms without the triggers; with this, 21 to 31 ms
-- (benchmarks/freshness.py, docs/PERFORMANCE.md). The writer now sets `video_metrics.rollups` to
-- 'batched' for its transaction: the four rollup triggers then stand aside (their WHEN), one cheap
-- trigger notes each row's old and new version in a temporary table, and `rollups_apply()` adds
-- each rollup's changes grouped, one upsert per rollup row, before the transaction commits. Every other write (deletions,
-- retention, orphan sweeps, a psql session) keeps the row triggers: the rollups stay exact at
-- commit either way, and tests/db/test_batched_rollups.py holds the two ways to each other.
--
-- A change the row triggers skip (a checkpoint that leaves a rollup row as it was) is a group
-- whose changes sum to nothing here; such groups are left out, so the rows are as the triggers
-- leave them. videos_daily, whose duration_seen and max_watched are not sums, counts only the
-- sessions its trigger does not skip (below).

CREATE FUNCTION rollups_batched() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT current_setting('video_metrics.rollups', true) IS NOT DISTINCT FROM 'batched'
$$;

-- The four rollup triggers (each named as its function) stand aside for the writer's batches.
DO $$
DECLARE
    name text;
BEGIN
    FOREACH name IN ARRAY ARRAY['plays_hourly_maintain', 'sources_maintain', 'videos_daily_maintain',
                                'quality_rollups_maintain'] LOOP
        EXECUTE format('DROP TRIGGER %1$I ON sessions', name);
        EXECUTE format('CREATE TRIGGER %1$I AFTER INSERT OR UPDATE OR DELETE ON sessions FOR EACH ROW '
                       'WHEN (NOT rollups_batched()) EXECUTE FUNCTION %1$I()', name);
    END LOOP;
END
$$;

-- The noted versions live in `rollup_changes`, a temporary table the writer's connection makes
-- (app/ingest/rows.py): sign -1 for the old version, 1 for the new; `watched_moved` false for
-- both versions of an update that 011's trigger skips (same video and start, same watched time),
-- so that videos_daily is touched exactly where that trigger touches it.
CREATE FUNCTION rollup_changes_note() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    moved boolean := NOT (TG_OP = 'UPDATE' AND NEW.video_id = OLD.video_id
                          AND NEW.started_at = OLD.started_at AND NEW.watched = OLD.watched);
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO rollup_changes VALUES (-1, OLD, moved);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO rollup_changes VALUES (1, NEW, moved);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER rollup_changes_note AFTER INSERT OR UPDATE OR DELETE ON sessions
FOR EACH ROW WHEN (rollups_batched()) EXECUTE FUNCTION rollup_changes_note();

-- The statement that adds a rollup's grouped changes: `grouped` is a query of the noted changes
-- giving the table's columns in its order, one row per rollup row. Every number not in the primary key or `kept` is
-- added (text, such as a page's URL, is kept as it was); `kept_as` sets the kept ones. Groups
-- whose changes all cancel out (a checkpoint that leaves the row as it was, which the row
-- triggers skip) are left out unless `every_group`. Rows are written in the order of the primary
-- key, so that concurrent writers take their locks in one order.
CREATE FUNCTION rollup_add_statement(target regclass, grouped text, kept text[] DEFAULT '{}',
                                     kept_as text DEFAULT NULL, every_group boolean DEFAULT false)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    key_columns text;
    summed text[];
BEGIN
    SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.n) INTO key_columns
    FROM pg_index i
    CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
    WHERE i.indrelid = target AND i.indisprimary;
    SELECT array_agg(quote_ident(a.attname) ORDER BY a.attnum) INTO summed
    FROM pg_attribute a
    WHERE a.attrelid = target AND a.attnum > 0 AND NOT a.attisdropped
      AND a.atttypid IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype, 'double precision'::regtype)
      AND a.attname <> ALL (kept)
      AND NOT EXISTS (SELECT FROM pg_index i WHERE i.indrelid = target AND i.indisprimary
                      AND a.attnum = ANY (i.indkey));
    RETURN format(
        'INSERT INTO %s AS t SELECT * FROM (%s) d %s ORDER BY %s ON CONFLICT (%s) DO UPDATE SET %s',
        target, grouped,
        CASE WHEN every_group THEN ''
             ELSE format('WHERE (%s, 0) <> (%s, 0)', array_to_string(summed, ', '),
                         array_to_string(array_fill('0'::text, ARRAY[cardinality(summed)]), ', ')) END,
        key_columns, key_columns,
        concat_ws(', ', kept_as,
                  (SELECT string_agg(format('%1$s = t.%1$s + EXCLUDED.%1$s', c), ', ') FROM unnest(summed) c)));
END
$$;

-- Each rollup's changes grouped by its row and added as the row triggers add one session's (their
-- *_add functions in 004-023 are the definitions these sums restate). The statements are built
-- here, once, so that the function holds them as written SQL, planned once per connection.
DO $$
DECLARE
    body text := '';
    changes constant text := '(SELECT sign, (s).* FROM rollup_changes) c';
    -- A client's counts, as plays_hourly and the startup histograms keep them.
    clients constant text := $q$
        sum(sign * (browser = 'edge')::int) AS browser_edge, sum(sign * (browser = 'ie')::int) AS browser_ie,
        sum(sign * (browser = 'chrome')::int) AS browser_chrome, sum(sign * (browser = 'firefox')::int) AS browser_firefox,
        sum(sign * (browser = 'opera')::int) AS browser_opera, sum(sign * (browser = 'safari')::int) AS browser_safari,
        sum(sign * (browser = 'brave')::int) AS browser_brave, sum(sign * (browser = 'other')::int) AS browser_other,
        sum(sign * (device = 'mobile')::int) AS device_mobile, sum(sign * (device = 'tablet')::int) AS device_tablet,
        sum(sign * (device = 'desktop')::int) AS device_desktop, sum(sign * (device = 'other')::int) AS device_other,
        sum(sign * (platform = 'ios')::int) AS platform_ios, sum(sign * (platform = 'android')::int) AS platform_android,
        sum(sign * (platform = 'mac')::int) AS platform_mac, sum(sign * (platform = 'windows')::int) AS platform_windows,
        sum(sign * (platform = 'linux')::int) AS platform_linux, sum(sign * (platform = 'other')::int) AS platform_other$q$;
    -- Plays at the thresholds of minimum_watch_seconds that 007 keeps.
    plays constant text := $q$
        sum(sign) AS plays_0, sum(sign * (watched >= 1)::int) AS plays_1, sum(sign * (watched >= 3)::int) AS plays_3,
        sum(sign * (watched >= 5)::int) AS plays_5, sum(sign * (watched >= 10)::int) AS plays_10,
        sum(sign * (watched >= 30)::int) AS plays_30, sum(sign * (watched >= 60)::int) AS plays_60$q$;
BEGIN
    body := body || rollup_add_statement('plays_hourly', format($q$
        SELECT key_id, date_trunc('hour', started_at, 'UTC') AS hour, least(floor(watched), 600)::smallint AS watched_class,
               sum(sign) AS views, sum(sign * watched) AS watched, sum(sign * unique_watched) AS unique_watched, %s,
               sum(sign * impression::int) AS impressions, sum(sign * viewable::int) AS viewable_impressions,
               sum(sign * completed::int) AS completions
        FROM %s GROUP BY 1, 2, 3$q$, clients, changes)) || E';\n';

    body := body || rollup_add_statement('sources_hourly', format($q$
        SELECT key_id, date_trunc('hour', started_at, 'UTC') AS hour, sources_page(page_host, page_url) AS page,
               page_host, page_url, %s
        FROM %s GROUP BY key_id, 2, page_host, page_url$q$, plays, changes)) || E';\n';
    body := body || rollup_add_statement('sources_daily', format($q$
        SELECT video_id, date_trunc('day', started_at, 'UTC') AS day, sources_page(page_host, page_url) AS page,
               page_host, page_url, %s
        FROM %s GROUP BY video_id, 2, page_host, page_url$q$, plays, changes)) || E';\n';

    -- A video's rows all have its one duration. Only sessions whose watched time moved count
    -- (those 011's trigger does not skip), and every such group is written even if its sums cancel
    -- out, since the trigger touches that row too: duration_seen and max_watched end as it leaves
    -- them (the old version of a session never raises max_watched).
    body := body || rollup_add_statement('videos_daily', format($q$
        SELECT c.video_id, date_trunc('day', c.started_at, 'UTC') AS day, v.length AS duration_seen,
               max(CASE WHEN c.sign > 0 THEN c.watched ELSE 0 END) AS max_watched,
               %s,
               sum(c.sign * c.watched) AS watched_0,
               sum(c.sign * CASE WHEN c.watched >= 1 THEN c.watched ELSE 0 END) AS watched_1,
               sum(c.sign * CASE WHEN c.watched >= 3 THEN c.watched ELSE 0 END) AS watched_3,
               sum(c.sign * CASE WHEN c.watched >= 5 THEN c.watched ELSE 0 END) AS watched_5,
               sum(c.sign * CASE WHEN c.watched >= 10 THEN c.watched ELSE 0 END) AS watched_10,
               sum(c.sign * CASE WHEN c.watched >= 30 THEN c.watched ELSE 0 END) AS watched_30,
               sum(c.sign * CASE WHEN c.watched >= 60 THEN c.watched ELSE 0 END) AS watched_60,
               sum(c.sign * least(c.watched, v.length)) AS capped_0,
               sum(c.sign * CASE WHEN c.watched >= 1 THEN least(c.watched, v.length) ELSE 0 END) AS capped_1,
               sum(c.sign * CASE WHEN c.watched >= 3 THEN least(c.watched, v.length) ELSE 0 END) AS capped_3,
               sum(c.sign * CASE WHEN c.watched >= 5 THEN least(c.watched, v.length) ELSE 0 END) AS capped_5,
               sum(c.sign * CASE WHEN c.watched >= 10 THEN least(c.watched, v.length) ELSE 0 END) AS capped_10,
               sum(c.sign * CASE WHEN c.watched >= 30 THEN least(c.watched, v.length) ELSE 0 END) AS capped_30,
               sum(c.sign * CASE WHEN c.watched >= 60 THEN least(c.watched, v.length) ELSE 0 END) AS capped_60
        FROM (SELECT sign, (s).* FROM rollup_changes WHERE watched_moved) c
        LEFT JOIN (SELECT id, CASE WHEN duration > 0 AND duration < 'infinity' THEN duration END AS length
                   FROM videos) AS v ON v.id = c.video_id
        GROUP BY c.video_id, 2, v.length$q$, plays),
        kept => '{duration_seen, max_watched}',
        kept_as => 'duration_seen = CASE WHEN t.duration_seen = EXCLUDED.duration_seen THEN t.duration_seen END, '
                   'max_watched = greatest(t.max_watched, EXCLUDED.max_watched)',
        every_group => true) || E';\n';

    body := body || rollup_add_statement('impressions_hourly', format($q$
        SELECT key_id, video_id, date_trunc('hour', started_at, 'UTC') AS hour,
               sources_page(page_host, page_url) AS page, page_host, page_url,
               sum(sign) AS impressions, sum(sign * viewable::int) AS viewable_impressions,
               sum(sign * autoplay::int) AS autoplay_impressions, %s, sum(sign * completed::int) AS completions
        FROM %s WHERE impression GROUP BY key_id, video_id, 3, page_host, page_url$q$, plays, changes),
        kept => '{key_id}') || E';\n';

    body := body || rollup_add_statement('qoe_hourly', format($q$
        SELECT key_id, date_trunc('hour', started_at, 'UTC') AS hour, d.dimension, d.value,
               sum(sign) AS views,
               sum(sign * (startup_time IS NOT NULL)::int) AS started,
               sum(sign * coalesce(startup_time, 0)) AS startup_time,
               sum(sign * watch_time) AS watch_time,
               sum(sign * playing_time) AS playing_time,
               sum(sign * rebuffer_count) AS rebuffer_count,
               sum(sign * rebuffer_time) AS rebuffer_time,
               sum(sign * (rebuffer_count > 0)::int) AS rebuffered_views,
               sum(sign * seek_count) AS seek_count,
               sum(sign * seek_time) AS seek_time,
               sum(sign * (exit = 'failed')::int) AS failures,
               sum(sign * (exit = 'failed' AND error_phase IS NOT DISTINCT FROM 'startup')::int) AS startup_failures,
               sum(sign * (exit = 'gave_up')::int) AS exits_before_start,
               sum(sign * completed::int) AS completions,
               sum(sign * CASE WHEN bitrate IS NULL THEN 0 ELSE playing_time END) AS bitrate_time,
               sum(sign * coalesce(bitrate * playing_time, 0)) AS bitrate_bits,
               sum(sign * rendition_changes) AS rendition_changes,
               sum(sign * CASE WHEN upscale IS NULL THEN 0 ELSE playing_time END) AS upscale_time,
               sum(sign * coalesce(upscale * playing_time, 0)) AS upscale_weighted,
               sum(sign * CASE WHEN frames IS NULL THEN 0 ELSE coalesce(dropped_frames, 0) END) AS dropped_frames,
               sum(sign * CASE WHEN dropped_frames IS NULL THEN 0 ELSE coalesce(frames, 0) END) AS frames
        FROM %s
        CROSS JOIN LATERAL (VALUES ('browser', browser), ('device', device), ('platform', platform))
            AS d(dimension, value)
        WHERE exit IS NOT NULL
        GROUP BY key_id, 2, d.dimension, d.value$q$, changes)) || E';\n';

    body := body || rollup_add_statement('startup_hourly', format($q$
        SELECT key_id, date_trunc('hour', started_at, 'UTC') AS hour, round(startup_time * 100)::integer AS startup_class,
               sum(sign) AS views, %s
        FROM %s WHERE exit IS NOT NULL AND startup_time IS NOT NULL GROUP BY 1, 2, 3$q$, clients, changes)) || E';\n';
    body := body || rollup_add_statement('startup_daily', format($q$
        SELECT key_id, date_trunc('day', started_at, 'UTC') AS day, round(startup_time * 100)::integer AS startup_class,
               sum(sign) AS views, %s
        FROM %s WHERE exit IS NOT NULL AND startup_time IS NOT NULL GROUP BY 1, 2, 3$q$, clients, changes)) || E';\n';

    body := body || rollup_add_statement('countries_hourly', format($q$
        SELECT key_id, date_trunc('hour', started_at, 'UTC') AS hour, country, %s
        FROM %s WHERE country <> 'unknown' GROUP BY 1, 2, 3$q$, plays, changes)) || E';\n';

    EXECUTE format('CREATE FUNCTION rollups_apply() RETURNS void LANGUAGE plpgsql AS %L',
                   E'BEGIN\n' || body || E'DELETE FROM rollup_changes;\nEND');
END
$$;
