-- Live viewers per video and page. Each server process already publishes how many of its
-- sessions are playing (002); it now also publishes them per video and page, as a JSON array in
-- its own row, rewritten with the count every second (app/live.py). Ingest knows a session's key,
-- metadata and page but not the video's id (the video row is written with the session), so a
-- video is named by its key id and metadata here, and the API matches `query` against those.
ALTER TABLE live_processes ADD COLUMN playing_by jsonb NOT NULL DEFAULT '[]';

-- Concurrent viewers sampled at the start of every minute, per video that had any: the series and
-- the peak of /watching with a timeframe. The first process to sample a minute writes it; the
-- others find it written (the primary key), so several processes sample once. `video` is the
-- SHA-256 of the metadata's JSON text, since metadata could exceed a B-tree entry.
CREATE TABLE watching_minutes (
    minute     timestamptz NOT NULL,
    key_id     bigint      NOT NULL,
    video      bytea       NOT NULL,
    metadata   jsonb       NOT NULL,
    identifier text,
    playing    integer     NOT NULL CHECK (playing > 0),
    PRIMARY KEY (key_id, minute, video)
);
CREATE INDEX watching_minutes_minute ON watching_minutes (minute);
