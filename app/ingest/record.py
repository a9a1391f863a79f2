"""The stored form of a session: one row of the `sessions` table, and what identifies its video."""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """A session as written: final when the session ended, otherwise a checkpoint of an open one."""

    id: uuid.UUID
    started_at: datetime
    ended_at: datetime
    key_id: int
    metadata: Any  # the video's metadata, a JSON value; PostgreSQL compares it as jsonb
    identifier: str | None
    duration: float | None
    browser: str
    platform: str
    device: str
    page_host: str
    page_url: str
    segments: list[list[float]]
    watched: float
    unique_watched: float
    final: bool
    # The process that holds the session open, on checkpoint rows; None on final rows.
    process_id: uuid.UUID | None = None

    def to_dict(self) -> dict[str, Any]:
        """The row as JSON values: a line of the writer's files, or a rejected entry's `session`."""
        row: dict[str, Any] = asdict(self)
        row["id"] = str(self.id)
        row["process_id"] = None if self.process_id is None else str(self.process_id)
        row["started_at"] = self.started_at.isoformat()
        row["ended_at"] = self.ended_at.isoformat()
        return row

    def to_json(self) -> str:
        """One line of the writer's files beside the database (app/ingest/journal.py)."""
        return json.dumps(self.to_dict(), separators=(",", ":"))

    @classmethod
    def from_json(cls, line: str) -> SessionRecord:
        row = json.loads(line)
        row["id"] = uuid.UUID(row["id"])
        if row.get("process_id") is not None:
            row["process_id"] = uuid.UUID(row["process_id"])
        row["started_at"] = datetime.fromisoformat(row["started_at"])
        row["ended_at"] = datetime.fromisoformat(row["ended_at"])
        return cls(**row)
