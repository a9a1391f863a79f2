"""The writer's files beside the database: rows it could not write yet, and rows it refused.

`pending-sessions.jsonl` holds the rows still unwritten when the server stopped; the next start
writes them. It is replaced whole through a temporary file, flushed to the disk before the rename,
so a crash or a full disk while writing it leaves the previous journal intact, never half of a new
one.

`overflow-sessions.jsonl` holds the rows that arrived while the writer's queue in memory was full
(the database away for long under load): memory stays bounded, and nothing is dropped. Rows are
appended and synced to the disk at each append (the writer appends every flush interval); when
the writer has caught up it renames the file to `overflow-sessions.writing.jsonl` and writes it
in batches, removing it once every row is written, so new overflow never mixes with
the file being read. A crash meanwhile leaves the file to be written again at the next start,
which stores nothing twice (rows are upserts by session id).

`rejected-sessions.jsonl` collects the rows the database refused as data, for a person to
read: one JSON object per line, `{"reason", "session"}` (or `{"reason", "line"}` for a line of
these files that could not be read); each is appended and flushed at once.

Reading a file back never stops the server: a line that cannot be read (edited by hand, cut short
by a full disk) is set aside among the rejected rows, with its reason.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TextIO

from app.ingest.record import SessionRecord

log = logging.getLogger("video_metrics.writer")

PENDING = "pending-sessions.jsonl"
OVERFLOW = "overflow-sessions.jsonl"
OVERFLOW_WRITING = "overflow-sessions.writing.jsonl"
REJECTED = "rejected-sessions.jsonl"


class Journal:
    """The files in one folder (`METRICS_DATA_DIR`)."""

    def __init__(self, folder: Path) -> None:
        self.pending = folder / PENDING
        self.overflow = folder / OVERFLOW
        self.overflow_writing = folder / OVERFLOW_WRITING
        self.rejected = folder / REJECTED
        self._reading: TextIO | None = None
        self._line = 0  # lines of `overflow_writing` read so far
        self._read_to_end = False

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
        lines = self.pending.read_text(encoding="utf-8").splitlines()
        return self._parse(PENDING, enumerate(lines, 1))

    def forget_pending(self) -> None:
        """Every row the file held is written: the file has done its work."""
        self.pending.unlink(missing_ok=True)

    def overflow_waiting(self) -> bool:
        """Whether rows are on disk for the writer: being written, or appended since."""
        return self._reading is not None or self.overflow_writing.exists() or self.overflow.exists()

    def spill(self, records: Iterable[SessionRecord]) -> None:
        """Append rows that do not fit in memory, and sync them to the disk before returning: the
        writer spills every flush interval, so a power cut loses at most that interval's rows
        (as it loses what is in memory)."""
        self.overflow.parent.mkdir(parents=True, exist_ok=True)
        created = not self.overflow.exists()
        with self.overflow.open("a+b") as file:
            size = file.seek(0, os.SEEK_END)
            if size:
                file.seek(size - 1)
                if file.read(1) != b"\n":  # an append cut short by a crash: keep it on its own line
                    file.write(b"\n")
            file.writelines((record.to_json() + "\n").encode() for record in records)
            file.flush()
            os.fsync(file.fileno())
        if created:
            _sync_folder(self.overflow.parent)  # the new file's name must survive too

    def read_overflow(self, count: int) -> list[SessionRecord]:
        """Up to `count` rows of the overflow, oldest first; [] when there are none left to read.
        Call `overflow_written` once they are stored."""
        if self._reading is None:
            if not self.overflow_writing.exists():
                if not self.overflow.exists():
                    return []
                self.overflow.replace(self.overflow_writing)
            self._reading = self.overflow_writing.open(encoding="utf-8")
            self._line = 0
            self._read_to_end = False
        numbered: list[tuple[int, str]] = []
        while len(numbered) < count:
            line = self._reading.readline()
            if not line:
                self._read_to_end = True
                break
            self._line += 1
            numbered.append((self._line, line.rstrip("\n")))
        return self._parse(OVERFLOW_WRITING, numbered)

    def overflow_written(self) -> None:
        """The rows read last are stored: once the whole file is, it goes."""
        if self._reading is not None and self._read_to_end:
            self._reading.close()
            self._reading = None
            self.overflow_writing.unlink(missing_ok=True)

    def close(self) -> None:
        """Stop reading; what was not written stays on disk for the next start."""
        if self._reading is not None:
            self._reading.close()
            self._reading = None

    def set_aside(self, record: SessionRecord, reason: str) -> None:
        """A row the database refused as data, kept for a person to look at."""
        self._append_rejected({"reason": reason, "session": record.to_dict()})

    def forget(self, matches: Callable[[SessionRecord], bool], *, count_only: bool = False) -> set[uuid.UUID]:
        """Remove the rows that match from every file here, the part of the overflow being written
        and the rejected rows included (a deletion on request, app/data/deletion.py); returns the
        ids of their sessions. Each file is replaced whole through a flushed temporary file, as
        the journal is; lines that cannot be read are kept."""
        found: set[uuid.UUID] = set()
        for path in (self.pending, self.overflow, self.rejected):
            found |= _filter_lines(path, matches, count_only)[0]
        if self._reading is None:
            return found | _filter_lines(self.overflow_writing, matches, count_only)[0]
        removed, kept_read = _filter_lines(self.overflow_writing, matches, count_only, read=self._line)
        if removed and not count_only:  # read on from the same row in the file that replaced it
            self._reading.close()
            self._reading = self.overflow_writing.open(encoding="utf-8")
            for _ in range(kept_read):
                self._reading.readline()
            self._line = kept_read
        return found | removed

    def _parse(self, name: str, numbered: Iterable[tuple[int, str]]) -> list[SessionRecord]:
        records = []
        for number, line in numbered:
            if not line.strip():
                continue
            try:
                records.append(SessionRecord.from_json(line))
            except (ValueError, TypeError, KeyError) as error:
                reason = f"{name} line {number} unreadable: {error}"
                log.error("event=journal_line_unreadable file=%s line=%d reason=%r", name, number, str(error))
                self._append_rejected({"reason": reason, "line": line})
        return records

    def _append_rejected(self, entry: dict[str, Any]) -> None:
        self.rejected.parent.mkdir(parents=True, exist_ok=True)
        with self.rejected.open("a", encoding="utf-8") as file:
            file.write(json.dumps(entry, separators=(",", ":")) + "\n")
            file.flush()
            os.fsync(file.fileno())


def _line_record(line: str) -> SessionRecord | None:
    """The session a line of these files holds: a row, or a rejected entry's row or line."""
    try:
        entry = json.loads(line)
        if isinstance(entry, dict) and "reason" in entry:
            held = entry.get("session")
            if held is None:
                return SessionRecord.from_json(str(entry.get("line")))
            return SessionRecord.from_json(json.dumps(held))
        return SessionRecord.from_json(line)
    except (ValueError, TypeError, KeyError):
        return None


def _filter_lines(
    path: Path, matches: Callable[[SessionRecord], bool], count_only: bool, read: int = 0
) -> tuple[set[uuid.UUID], int]:
    """Drop the lines whose session matches: (their ids, how many of the first `read` lines
    stay). Streamed line by line, so a large overflow file never sits in memory."""
    removed: set[uuid.UUID] = set()
    if not path.exists():
        return removed, 0
    dropped = kept_read = 0
    partial = path.with_name(path.name + ".partial")
    with path.open(encoding="utf-8") as source, contextlib.ExitStack() as stack:
        target = None if count_only else stack.enter_context(partial.open("w", encoding="utf-8"))
        for number, line in enumerate(source, 1):
            record = _line_record(line.rstrip("\n")) if line.strip() else None
            if record is not None and matches(record):
                removed.add(record.id)
                dropped += 1
                continue
            kept_read += number <= read
            if target is not None:
                target.write(line if line.endswith("\n") else line + "\n")
        if target is not None:
            target.flush()
            os.fsync(target.fileno())
    if count_only:
        return removed, kept_read
    if not dropped:
        partial.unlink()
        return removed, kept_read
    partial.replace(path)
    _sync_folder(path.parent)
    return removed, kept_read


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable: on Linux a rename is only on disk once its folder is."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
