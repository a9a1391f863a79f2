"""Which stored sessions an export or a deletion is about, resolved to ids in the database.

The videos a query names are found as the stats endpoints find them (`stats.scope_for`); what is
added is the keys those videos belong to, so that TimescaleDB can skip, by `key_id` (the column
its compressed chunks are segmented by), every batch of every other key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from app.api.params import VideoQuery
from app.api.stats import Connection, scope_for

# Bounds that hold every stored session: "no timeframe" is the widest one.
EARLIEST = datetime(1, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Resolved:
    """A whole key (`key_id`), or some videos (`video_ids`); with the keys involved either way."""

    key_ids: tuple[int, ...]
    video_ids: tuple[int, ...]
    key_id: int | None = None

    @property
    def empty(self) -> bool:
        return not self.key_ids


NOTHING = Resolved(key_ids=(), video_ids=())


async def resolve(connection: Connection, videos: VideoQuery, *, with_videos: bool = False) -> Resolved:
    """The scope's ids; a whole key's videos are listed only when asked (`with_videos`), since an
    export does not need them and a key may have many."""
    scope = await scope_for(connection, videos, EARLIEST, LATEST)
    if scope is None:
        return NOTHING
    if scope.key_id is not None:
        video_ids: tuple[int, ...] = ()
        if with_videos:
            rows = await connection.fetch("SELECT id FROM videos WHERE key_id = $1 ORDER BY id", scope.key_id)
            video_ids = tuple(int(row["id"]) for row in rows)
        return Resolved(key_ids=(scope.key_id,), video_ids=video_ids, key_id=scope.key_id)
    rows = await connection.fetch(
        "SELECT DISTINCT key_id FROM videos WHERE id = ANY($1::bigint[]) ORDER BY key_id",
        list(scope.video_ids),
    )
    return Resolved(key_ids=tuple(int(row["key_id"]) for row in rows), video_ids=scope.video_ids)
