"""The writer's files beside the database: sessions it could not write yet, and rows it refused.

`pending-sessions.jsonl` holds the rows still unwritten when the server stopped; the next start
writes them. It is replaced whole through a temporary file, flushed to the disk before the rename,
so a crash or a full disk while writing it leaves the previous journal intact, never half of a new
one. `rejected-sessions.jsonl` collects the rows the database refused as data, for a person to
read: one JSON object per line, `{"reason", "session"}` (or `{"reason", "line"}` for a journal line
that could not be read); each is appended and flushed at once.

Reading the journal back never stops the server: a line that cannot be read (edited by hand,
written by another version) is set aside among the rejected rows, with its reason.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from app.ingest.record import SessionRecord

log = logging.getLogger("video_metrics.writer")

PENDING = "pending-sessions.jsonl"
REJECTED = "rejected-sessions.jsonl"


class Journal:
    """The two files in one folder (`METRICS_DATA_DIR`)."""

    def __init__(self, folder: Path) -> None:
        self.pending = folder / PENDING
        self.rejected = folder / REJECTED

    def keep(self, records: Iterable[SessionRecord]) -> int:
        """Replace the pending file with these rows; returns how many were kept."""
        self.pending.parent.mkdir(parents=True, exist_ok=True)
        lines = [record.to_json() + "\n" for record in records]
        partial = self.pending.with_name(self.pending.name + ".partial")
        with partial.open("w", encoding="utf-8") as file:
            file.writelines(lines)
            file.flush()
            os.fsync(file.fileno())
        partial.replace(self.pending)
        _sync_folder(self.pending.parent)
        return len(lines)

    def read_pending(self) -> list[SessionRecord]:
        """The rows kept by the last stop, in order; unreadable lines are set aside."""
        if not self.pending.exists():
            return []
        records = []
        for number, line in enumerate(self.pending.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                records.append(SessionRecord.from_json(line))
            except (ValueError, TypeError, KeyError) as error:
                reason = f"{PENDING} line {number} unreadable: {error}"
                log.error("event=journal_line_unreadable line=%d reason=%r", number, str(error))
                self._append_rejected({"reason": reason, "line": line})
        return records

    def forget_pending(self) -> None:
        """Every row the file held is written: the file has done its work."""
        self.pending.unlink(missing_ok=True)

    def set_aside(self, record: SessionRecord, reason: str) -> None:
        """A row the database refused as data, kept for a person to look at."""
        self._append_rejected({"reason": reason, "session": record.to_dict()})

    def _append_rejected(self, entry: dict[str, Any]) -> None:
        self.rejected.parent.mkdir(parents=True, exist_ok=True)
        with self.rejected.open("a", encoding="utf-8") as file:
            file.write(json.dumps(entry, separators=(",", ":")) + "\n")
            file.flush()
            os.fsync(file.fileno())


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable: on Linux a rename is only on disk once its folder is."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
