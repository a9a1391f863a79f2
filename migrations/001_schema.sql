-- Keys, videos and sessions: one row per ended (or checkpointed) playback session.

CREATE TABLE keys (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key         text        NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    disabled_at timestamptz
);

-- A video is identified by the key it was recorded under and the metadata the page gave.
-- `identifier` is a human label and `duration` the latest duration the player reported.
CREATE TABLE videos (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key_id     bigint      NOT NULL REFERENCES keys (id),
    metadata   jsonb       NOT NULL,
    identifier text,
    duration   double precision,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (key_id, metadata)
);
CREATE INDEX videos_metadata ON videos USING gin (metadata jsonb_path_ops);
CREATE INDEX videos_identifier ON videos (key_id, identifier);

-- `segments` holds the watched segments in arrival order as [from, to] pairs of video seconds
-- (rewatches kept); `watched` is their summed length and `unique_watched` the length of their union.
-- The primary key includes `started_at` because a TimescaleDB hypertable partitioned on it requires it.
CREATE TABLE sessions (
    id             uuid             NOT NULL,
    started_at     timestamptz      NOT NULL,
    ended_at       timestamptz      NOT NULL,
    key_id         bigint           NOT NULL,
    video_id       bigint           NOT NULL,
    browser        text             NOT NULL,
    platform       text             NOT NULL,
    device         text             NOT NULL,
    page_host      text             NOT NULL,
    page_url       text             NOT NULL,
    segments       double precision[] NOT NULL,
    watched        double precision NOT NULL,
    unique_watched double precision NOT NULL,
    final          boolean          NOT NULL,
    PRIMARY KEY (id, started_at),
    CHECK (browser IN ('edge', 'ie', 'chrome', 'firefox', 'opera', 'safari', 'brave', 'other')),
    CHECK (platform IN ('ios', 'android', 'mac', 'windows', 'linux', 'other')),
    CHECK (device IN ('mobile', 'tablet', 'desktop', 'other')),
    CHECK (watched >= 0 AND unique_watched >= 0 AND unique_watched <= watched + 1e-6)
);
CREATE INDEX sessions_video_started ON sessions (video_id, started_at);
CREATE INDEX sessions_key_started ON sessions (key_id, started_at);

-- With TimescaleDB available, sessions become a hypertable partitioned by start time.
-- Plain PostgreSQL keeps the ordinary table: the same columns either way.
DO $$
BEGIN
    -- The extension can be created only when the server preloads its library.
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb')
       AND current_setting('shared_preload_libraries', true) LIKE '%timescaledb%' THEN
        CREATE EXTENSION IF NOT EXISTS timescaledb;
        -- The primary key and the two indexes above serve every query; TimescaleDB's default
        -- index on started_at would only cost a write per insert.
        PERFORM create_hypertable('sessions', 'started_at', chunk_time_interval => interval '7 days',
                                  create_default_indexes => false);
    END IF;
END
$$;
