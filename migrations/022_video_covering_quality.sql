-- /plays for one video counts impressions, completions and countries beside its plays, and
-- /engagement's retention reads each play's furthest position (issue 10, part B). Without these
-- columns in the covering index of migration 005 a video's plays would be heap fetches again
-- (about a second per 100,000 sessions on the benchmark, against 85 ms as an index-only scan).
-- The index is rebuilt with them: two booleans, a two-letter country and a double, about 20
-- bytes more per entry. The quality columns of /qoe are left out (a video's quality reads its
-- sessions): they are a dozen columns, and no target asks for a video's /qoe to be fast yet.
DROP INDEX IF EXISTS sessions_video_started;
CREATE INDEX sessions_video_started ON sessions (video_id, started_at)
    INCLUDE (watched, unique_watched, browser, device, platform, impression, completed, country, furthest);
