"""The deletion's SQL, with bind parameters only. Two shapes, as for the stats: a whole key (its
index on `(key_id, started_at)`), or some videos narrowed by their keys first (on TimescaleDB,
`key_id` is what compressed chunks are segmented by, so other keys' batches are never opened).
"""

from __future__ import annotations

_WHOLE_KEY = "s.key_id = $1 AND s.started_at < $2"
_SOME_VIDEOS = "s.key_id = ANY($1::bigint[]) AND s.video_id = ANY($2::bigint[]) AND s.started_at < $3"


def _in_scope(whole_key: bool) -> str:
    return _WHOLE_KEY if whole_key else _SOME_VIDEOS


def count_sessions(whole_key: bool) -> str:
    return f"SELECT count(*) FROM sessions s WHERE {_in_scope(whole_key)}"  # noqa: S608


def delete_sessions(whole_key: bool) -> str:
    return f"DELETE FROM sessions s WHERE {_in_scope(whole_key)}"  # noqa: S608


def videos_kept(whole_key: bool) -> str:
    """The scope's videos with sessions on or after `before`: they stay."""
    condition = _in_scope(whole_key).replace("s.started_at <", "s.started_at >=")
    return f"SELECT DISTINCT s.video_id FROM sessions s WHERE {condition}"  # noqa: S608


# The scope's videos are locked first: the writer's upsert of a video takes the same row lock, so
# a batch that is storing a session of one of them is waited for (and its rows then deleted), and
# none can add one until the deletion commits.
LOCK_VIDEOS = "SELECT id FROM videos WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE"
DELETE_VIDEOS = "DELETE FROM videos WHERE id = ANY($1::bigint[])"
VIDEO_IDENTITIES = "SELECT key_id, metadata FROM videos WHERE id = ANY($1::bigint[])"
KEY_ID = "SELECT id FROM keys WHERE key = $1"
# A deletion of many rows in compressed chunks decompresses them; TimescaleDB refuses more than
# 100,000 per transaction unless told otherwise.
NO_DECOMPRESSION_LIMIT = "SET LOCAL timescaledb.max_tuples_decompressed_per_dml_transaction = 0"
