"""Session rows as the writer is given them, for tests of the writer and its files."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from app.ingest.record import SessionRecord


def session_record(**overrides: Any) -> SessionRecord:
    """A final row of a plain session (3 s watched of a 60 s video); any field can be given."""
    now = datetime.now(UTC)
    record = SessionRecord(
        id=uuid.uuid4(),
        started_at=now,
        ended_at=now,
        key_id=1,
        metadata={"vid": 1},
        identifier=None,
        duration=60.0,
        browser="chrome",
        platform="linux",
        device="desktop",
        page_host="example.com",
        page_url="https://example.com/",
        segments=[[0.0, 3.0]],
        watched=3.0,
        unique_watched=3.0,
        final=True,
    )
    return replace(record, **overrides)
