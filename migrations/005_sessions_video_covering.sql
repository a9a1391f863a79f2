-- /plays and /views for one video read only this index (an index-only scan), never the table:
-- a popular video's sessions are spread over the whole table, and fetching each from the heap
-- cost about a second per 100,000 sessions on the benchmark (docs/PERFORMANCE.md).
-- page_url is left out on purpose: up to 2,048 characters, it could exceed a B-tree entry.
DROP INDEX IF EXISTS sessions_video_started;
CREATE INDEX sessions_video_started ON sessions (video_id, started_at)
    INCLUDE (watched, unique_watched, browser, device, platform);
