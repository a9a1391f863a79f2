-- How well each session played, how far it got, and where its viewer was (issue 10).
-- Definitions: docs/METRICS.md; what reads what: docs/STORAGE.md.
--
-- Every column has a default (or is NULL), so this is a catalogue change on PostgreSQL 11+ and on
-- compressed TimescaleDB chunks alike, and rows stored before it read as sessions of a client
-- that sent no quality events: no play intent (`exit` NULL), nothing measured. Their completion,
-- quartiles and furthest position are not backfilled: that would rewrite every row and fire every
-- rollup trigger; they read as not completed (docs/STORAGE.md says how to derive them if needed).
ALTER TABLE sessions
    -- ISO 3166-1 alpha-2 from the operator's GeoIP file (METRICS_GEOIP_DATABASE), else 'unknown'.
    ADD COLUMN country text NOT NULL DEFAULT 'unknown',
    -- The snippet was attached to a video with a source (an impression), whether that video
    -- autoplays, and whether at least half of the player was in view for 2 s on a visible tab.
    ADD COLUMN impression boolean NOT NULL DEFAULT false,
    ADD COLUMN viewable boolean NOT NULL DEFAULT false,
    ADD COLUMN autoplay boolean NOT NULL DEFAULT false,
    -- How the view ended; NULL when there was no play intent (not a view).
    ADD COLUMN exit text,
    -- Seconds from the play intent to the first frame, paused time excluded, to the 0.01 s; NULL
    -- when there was no first frame.
    ADD COLUMN startup_time double precision,
    -- Seconds a viewer who gave up before the first frame waited (exit = 'gave_up').
    ADD COLUMN waited double precision,
    -- Seconds from the play intent on, paused and hidden time excluded: startup, playing,
    -- rebuffering and seeking. playing_time excludes startup, rebuffering and seeking.
    -- seek_time is every seek's latency (seeking to seeked), a paused video's seeks included, so
    -- it is held within the session's length, not within the watch time.
    ADD COLUMN watch_time double precision NOT NULL DEFAULT 0,
    ADD COLUMN playing_time double precision NOT NULL DEFAULT 0,
    ADD COLUMN rebuffer_count integer NOT NULL DEFAULT 0,
    ADD COLUMN rebuffer_time double precision NOT NULL DEFAULT 0,
    ADD COLUMN seek_count integer NOT NULL DEFAULT 0,
    ADD COLUMN seek_time double precision NOT NULL DEFAULT 0,
    -- The session's fatal error: its group (error_groups) and whether it came before the first
    -- frame ('startup') or after ('playback').
    ADD COLUMN error_fingerprint text,
    ADD COLUMN error_phase text,
    -- Derived from the segments: played to within 2 s of the end (or the player ended), the
    -- quartiles played through (bits 1 = 25 %, 2 = 50 %, 4 = 75 %, 8 = 100 %), the furthest
    -- position reached (NULL: nothing watched).
    ADD COLUMN completed boolean NOT NULL DEFAULT false,
    ADD COLUMN quartiles smallint NOT NULL DEFAULT 0,
    ADD COLUMN furthest double precision,
    -- Where the player exposes them (NULL otherwise): the playing-time-weighted average bitrate in
    -- bits per second, rendition changes, dropped and total video frames, and the
    -- playback-weighted average upscaling in percent (0: never upscaled).
    ADD COLUMN bitrate double precision,
    ADD COLUMN rendition_changes integer NOT NULL DEFAULT 0,
    ADD COLUMN dropped_frames integer,
    ADD COLUMN frames integer,
    ADD COLUMN upscale double precision;

-- What ingest guarantees (app/ingest/quality.py, app/ingest/failure.py), stated in the schema.
ALTER TABLE sessions ADD CONSTRAINT sessions_quality_sane CHECK (
    (country = 'unknown' OR country ~ '^[A-Z]{2}$')
    AND (exit IS NULL OR exit IN ('ended', 'paused', 'gave_up', 'failed', 'closed'))
    AND (startup_time IS NULL OR (startup_time >= 0 AND startup_time <= 1000000))
    AND (waited IS NULL OR (waited >= 0 AND waited <= 1000000))
    AND watch_time >= 0 AND watch_time <= 1000000
    AND playing_time >= 0 AND playing_time <= watch_time + 0.000001
    AND rebuffer_time >= 0 AND rebuffer_time <= watch_time + 0.000001
    AND seek_time >= 0 AND seek_time <= 1000000
    AND rebuffer_count >= 0 AND seek_count >= 0 AND rendition_changes >= 0
    AND (error_phase IS NULL OR error_phase IN ('startup', 'playback'))
    AND (error_fingerprint IS NULL) = (error_phase IS NULL)
    AND (exit IS DISTINCT FROM 'failed' OR error_fingerprint IS NOT NULL)
    AND (error_fingerprint IS NULL OR error_fingerprint ~ '^[0-9a-f]{16}$')
    AND quartiles BETWEEN 0 AND 15
    AND (furthest IS NULL OR (furthest >= 0 AND furthest <= 1000000))
    AND (bitrate IS NULL OR (bitrate > 0 AND bitrate <= 1e10))
    AND (dropped_frames IS NULL OR dropped_frames >= 0)
    AND (frames IS NULL OR frames >= 0)
    AND (upscale IS NULL OR (upscale >= 0 AND upscale <= 10000))
);

-- One row per error group of a key: the code and the normalised message (app/ingest/failure.py)
-- that the fingerprint stands for, and the first and last time a session of the group started.
-- The writer upserts it in the same transaction as the sessions that name it.
CREATE TABLE error_groups (
    key_id      bigint      NOT NULL,
    fingerprint text        NOT NULL CHECK (fingerprint ~ '^[0-9a-f]{16}$'),
    code        text        NOT NULL CHECK (length(code) BETWEEN 1 AND 64),
    message     text        NOT NULL CHECK (length(message) <= 200),
    first_seen  timestamptz NOT NULL,
    last_seen   timestamptz NOT NULL,
    PRIMARY KEY (key_id, fingerprint)
);

-- The failed sessions of a key, read without the rest: /errors and the failure figures of /qoe
-- touch only these (failures are a small share of sessions).
CREATE INDEX sessions_failed ON sessions (key_id, started_at)
    INCLUDE (error_fingerprint, error_phase, video_id, browser, device, platform)
    WHERE error_fingerprint IS NOT NULL;
