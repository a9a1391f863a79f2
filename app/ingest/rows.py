"""The SQL the writer stores sessions with: staged in a temporary table, then upserted.

Every statement is built from the constant column list below; nothing from input reaches the text.
"""

from __future__ import annotations

# (column of SessionRecord, its type in the staging table), in the order rows are staged.
_STAGED = (
    ("id", "uuid"),
    ("started_at", "timestamptz"),
    ("ended_at", "timestamptz"),
    ("key_id", "bigint"),
    ("metadata", "jsonb"),
    ("identifier", "text"),
    ("duration", "double precision"),
    ("browser", "text"),
    ("platform", "text"),
    ("device", "text"),
    ("page_host", "text"),
    ("page_url", "text"),
    ("segments", "double precision[]"),
    ("watched", "double precision"),
    ("unique_watched", "double precision"),
    ("final", "boolean"),
    ("process_id", "uuid"),
    ("country", "text"),
    ("impression", "boolean"),
    ("viewable", "boolean"),
    ("autoplay", "boolean"),
    ("exit", "text"),
    ("startup_time", "double precision"),
    ("waited", "double precision"),
    ("watch_time", "double precision"),
    ("playing_time", "double precision"),
    ("rebuffer_count", "integer"),
    ("rebuffer_time", "double precision"),
    ("seek_count", "integer"),
    ("seek_time", "double precision"),
    ("error_fingerprint", "text"),
    ("error_code", "text"),
    ("error_message", "text"),
    ("error_phase", "text"),
    ("completed", "boolean"),
    ("furthest", "double precision"),
    ("quartiles", "smallint"),
    ("bitrate", "double precision"),
    ("rendition_changes", "integer"),
    ("dropped_frames", "integer"),
    ("frames", "integer"),
    ("upscale", "double precision"),
)
COLUMNS = tuple(name for name, _ in _STAGED)

# Kept as the session's first row had them: who and where does not change within a session.
_FIXED = ("id", "started_at", "key_id", "browser", "platform", "device", "page_host", "page_url", "country")
# Stored on the video or in error_groups, not on the session row.
_ELSEWHERE = ("metadata", "identifier", "duration", "error_code", "error_message")
_STORED = tuple(name for name in COLUMNS if name not in _ELSEWHERE)
_UPDATED = tuple(name for name in _STORED if name not in _FIXED)

STAGING = f"""
CREATE TEMP TABLE IF NOT EXISTS incoming_sessions (
    {", ".join(f"{name} {kind}" for name, kind in _STAGED)}
) ON COMMIT DELETE ROWS
"""

# The rollups by the batch (migrations/060_batched_rollups.sql): for this transaction the row
# triggers note each session's old and new version here instead of upserting every rollup row
# once per session, and APPLY_ROLLUPS adds them grouped before the commit.
BATCHED_ROLLUPS = """
CREATE TEMP TABLE IF NOT EXISTS rollup_changes (
    sign integer NOT NULL, s sessions NOT NULL, watched_moved boolean NOT NULL
) ON COMMIT DELETE ROWS;
SET LOCAL video_metrics.rollups = 'batched'
"""
APPLY_ROLLUPS = "SELECT rollups_apply()"

STAGE_ROW = f"""
INSERT INTO incoming_sessions ({", ".join(COLUMNS)})
VALUES ({", ".join(f"${i}" for i in range(1, len(COLUMNS) + 1))})
"""  # noqa: S608

# One video per (key, metadata); jsonb equality, not text equality, decides what is the same video.
UPSERT_VIDEOS = """
INSERT INTO videos (key_id, metadata, identifier, duration)
SELECT DISTINCT ON (key_id, metadata) key_id, metadata, identifier, duration
FROM incoming_sessions
ORDER BY key_id, metadata, ended_at DESC
ON CONFLICT (key_id, metadata) DO UPDATE
SET identifier = coalesce(EXCLUDED.identifier, videos.identifier),
    duration = coalesce(EXCLUDED.duration, videos.duration)
"""

# The groups the batch's failed sessions name; a fingerprint stands for one code and message, so
# any row's text is the group's. Seen times are the start times of the sessions in the group.
UPSERT_ERROR_GROUPS = """
INSERT INTO error_groups AS g (key_id, fingerprint, code, message, first_seen, last_seen)
SELECT key_id, error_fingerprint, min(error_code), min(error_message), min(started_at), max(started_at)
FROM incoming_sessions
WHERE error_fingerprint IS NOT NULL
GROUP BY key_id, error_fingerprint
ORDER BY key_id, error_fingerprint
ON CONFLICT (key_id, fingerprint) DO UPDATE
SET first_seen = least(g.first_seen, EXCLUDED.first_seen),
    last_seen = greatest(g.last_seen, EXCLUDED.last_seen)
"""

UPSERT_SESSIONS = f"""
INSERT INTO sessions (video_id, {", ".join(_STORED)})
SELECT v.id, {", ".join(f"i.{name}" for name in _STORED)}
FROM incoming_sessions i JOIN videos v ON v.key_id = i.key_id AND v.metadata = i.metadata
-- A stable order takes row locks (sessions, and the rollup rows its trigger updates) in the same
-- order in every process, which keeps concurrent batches from deadlocking.
ORDER BY i.key_id, i.started_at, i.id
ON CONFLICT (id, started_at) DO UPDATE
SET {", ".join(f"{name} = EXCLUDED.{name}" for name in _UPDATED)}
WHERE EXCLUDED.ended_at >= sessions.ended_at
"""  # noqa: S608
