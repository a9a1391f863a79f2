"""Stored rows for the sink tests, made the way the writer makes them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from app.ingest.record import SessionRecord


def stored(key_id: int, n: int, **metadata: object) -> SessionRecord:
    moment = datetime(2024, 5, 2, 12, 0, n % 60, tzinfo=UTC)
    return SessionRecord(
        id=uuid.uuid4(), started_at=moment, ended_at=moment, key_id=key_id, metadata={"n": n, **metadata},
        identifier=f"video {n}", duration=60.0, browser="chrome", platform="linux", device="desktop",
        page_host="example.com", page_url="https://example.com/watch", segments=[[0.0, 4.0], [2.0, 5.0]],
        watched=7.0, unique_watched=5.0, final=True,
    )  # fmt: skip
