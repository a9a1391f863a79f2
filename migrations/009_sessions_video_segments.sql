-- /engagement with `ranges` for one video reads only these indexes, never the table: a popular
-- video's sessions are spread over the whole table, and fetching each from the heap cost about
-- 350 ms per 100,000 sessions on the benchmark, against 80 ms as an index-only scan
-- (docs/PERFORMANCE.md). A new migration because 005's index is applied already.
--
-- Partial, because a B-tree entry holds at most about 2.7 kB and a session may seek hundreds of
-- times: sessions of up to 32 segments (64 numbers, about 540 bytes; nearly all of them) are in
-- the covering index, the rest in a small index of their own, and the query reads the two as
-- two parts (app/api/ranges.py) with these same predicates.
CREATE INDEX sessions_video_segments ON sessions (video_id, started_at) INCLUDE (segments)
    WHERE cardinality(segments) <= 64;
CREATE INDEX sessions_video_many_segments ON sessions (video_id, started_at)
    WHERE cardinality(segments) > 64;
