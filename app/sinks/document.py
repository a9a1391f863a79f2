"""A stored session as a sink receives it: a line of the JSON Lines export, built from the row the
writer stored (so its `identifier` and `duration` are the ones this session reported)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import asyncpg

from app.ingest.record import SessionRecord


def iso(moment: datetime) -> str:
    """As every time of the API is printed: UTC, microseconds, Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def document(record: SessionRecord, key: str) -> dict[str, Any]:
    """The export's columns, in their order (tests/sinks/test_document.py holds the two together)."""
    return {
        "session_id": str(record.id),
        "started_at": iso(record.started_at),
        "ended_at": iso(record.ended_at),
        "key": key,
        "identifier": record.identifier,
        "metadata": record.metadata,
        "duration": record.duration,
        "page_host": record.page_host,
        "page_url": record.page_url,
        "browser": record.browser,
        "platform": record.platform,
        "device": record.device,
        "watched": record.watched,
        "unique_watched": record.unique_watched,
        "segments": record.segments,
        "final": record.final,
    }


class KeyNames:
    """API keys by id, as sessions are stored with the id: asked of the database once per key and
    remembered (a key's text never changes, and ids are never reused)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._names: dict[int, str] = {}

    async def names(self, key_ids: Iterable[int]) -> dict[int, str]:
        wanted = set(key_ids)
        missing = [key_id for key_id in wanted if key_id not in self._names]
        if missing:
            rows = await self._pool.fetch("SELECT id, key FROM keys WHERE id = ANY($1::bigint[])", missing)
            self._names.update((int(row["id"]), str(row["key"])) for row in rows)
        return {key_id: self._names.get(key_id, "") for key_id in wanted}
