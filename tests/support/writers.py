"""A stand-in for the writer, for tests of the hub and channels without a database."""

from __future__ import annotations

import uuid

from app.ingest.record import SessionRecord


class RecordingWriter:
    """The writer's methods the hub calls: keeps every row it is given, and writes none, so each
    session's newest row stays unwritten (as rows do until the writer's next flush)."""

    def __init__(self) -> None:
        self.records: list[SessionRecord] = []

    def submit(self, record: SessionRecord) -> None:
        self.records.append(record)

    def unwritten(self, session_id: uuid.UUID) -> SessionRecord | None:
        newest = [record for record in self.records if record.id == session_id]
        return newest[-1] if newest else None
