"""A sink's sessions on disk: while its destination fails, past its queue in memory, and across a
restart; and the batches its destination refused.

Rows are appended to segment files (`spool-<sequence>.jsonl`, one stored row per line, up to
`SEGMENT_BYTES` each) and delivered oldest segment first; a segment goes once every row of it is
delivered. The segments hold at most `limit` bytes together: rows past that are dropped, and
counted (the spill is bounded, so a destination down for days cannot fill the disk).
`refused.jsonl` keeps the batches the destination refused as data, one `{"refused_at",
"reason", "sessions"}` object per line, for a person to look at.

Every method does blocking file I/O: the delivery calls them through a thread, one at a time.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from app.ingest.record import SessionRecord

log = logging.getLogger("video_metrics.sinks")

SEGMENT_BYTES = 1024 * 1024
_SEGMENT = re.compile(r"spool-(\d{12})\.jsonl")
REFUSED = "refused.jsonl"


class Spool:
    def __init__(self, folder: Path, limit: int) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.refused = folder / REFUSED
        self._limit = limit
        found = sorted(
            (int(m.group(1)), path) for path in folder.iterdir() if (m := _SEGMENT.fullmatch(path.name))
        )
        # Oldest first; (bytes, rows) of each segment.
        self._segments: dict[Path, tuple[int, int]] = {path: _measure(path) for _, path in found}
        self._next = found[-1][0] + 1 if found else 1
        self._open: Path | None = None  # the segment rows are appended to; earlier ones are sealed

    @property
    def rows(self) -> int:
        return sum(rows for _, rows in self._segments.values())

    @property
    def size(self) -> int:
        return sum(size for size, _ in self._segments.values())

    def append(self, records: list[SessionRecord]) -> int:
        """Write rows after the others; returns how many were dropped for want of room."""
        size = self.size
        for at, record in enumerate(records):
            line = (record.to_json() + "\n").encode()
            if size + len(line) > self._limit:
                return len(records) - at
            path = self._open
            if path is None or self._segments[path][0] >= SEGMENT_BYTES:
                path = self._open = self.folder / f"spool-{self._next:012d}.jsonl"
                self._next += 1
                self._segments[path] = (0, 0)
            with path.open("ab") as file:  # flushed to the operating system: a crash keeps it
                file.write(line)
            held, rows = self._segments[path]
            self._segments[path] = (held + len(line), rows + 1)
            size += len(line)
        return 0

    def oldest(self) -> Path | None:
        """The oldest segment, sealed first if rows were being appended to it."""
        path = next(iter(self._segments), None)
        if path is not None and path == self._open:
            self._open = None
        return path

    def read(self, path: Path) -> list[SessionRecord]:
        """A segment's rows; a line that cannot be read (cut short by a crash) is skipped."""
        records = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                records.append(SessionRecord.from_json(line))
            except (ValueError, TypeError, KeyError) as error:
                log.error(
                    "event=sink_spool_line_unreadable file=%s line=%d error=%r", path, number, str(error)
                )
        return records

    def done(self, path: Path, rest: list[SessionRecord] | None = None) -> None:
        """Every row of the segment is delivered, or all but `rest` (kept for the next start)."""
        if rest:
            self._replace(path, rest)
            return
        path.unlink(missing_ok=True)
        self._segments.pop(path, None)
        if path == self._open:
            self._open = None

    def set_aside(self, records: list[SessionRecord], reason: str) -> bool:
        """Keep a refused batch with its reason; False when it does not fit under the limit."""
        entry = {
            "refused_at": datetime.now(UTC).isoformat(),
            "reason": reason,
            "sessions": [record.to_dict() for record in records],
        }
        line = json.dumps(entry, separators=(",", ":")) + "\n"
        held = self.refused.stat().st_size if self.refused.exists() else 0
        if held + len(line) > self._limit:
            return False
        with self.refused.open("a", encoding="utf-8") as file:
            file.write(line)
            file.flush()
            os.fsync(file.fileno())
        return True

    def forget(self, matches: Callable[[SessionRecord], bool]) -> int:
        """Remove the rows that match, from the segments and the refused batches (a deletion on
        request); returns how many went."""
        removed = 0
        for path in list(self._segments):
            records = self.read(path)
            kept = [record for record in records if not matches(record)]
            if len(kept) < len(records):
                removed += len(records) - len(kept)
                self.done(path, kept)
        if self.refused.exists():
            entries = []
            for line in self.refused.read_text(encoding="utf-8").splitlines():
                entry = json.loads(line)
                sessions = [
                    row for row in entry["sessions"] if not matches(SessionRecord.from_json(json.dumps(row)))
                ]
                removed += len(entry["sessions"]) - len(sessions)
                if sessions:
                    entries.append(json.dumps({**entry, "sessions": sessions}, separators=(",", ":")) + "\n")
            _replace_text(self.refused, "".join(entries))
        return removed

    def _replace(self, path: Path, records: list[SessionRecord]) -> None:
        text = "".join(record.to_json() + "\n" for record in records)
        _replace_text(path, text)
        self._segments[path] = (len(text.encode()), len(records))
        if path == self._open:
            self._open = None


def _measure(path: Path) -> tuple[int, int]:
    with path.open("rb") as file:
        return path.stat().st_size, sum(1 for line in file if line.strip())


def _replace_text(path: Path, text: str) -> None:
    """Replaced whole through a flushed temporary file, so a crash leaves the old or the new."""
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", encoding="utf-8") as file:
        file.write(text)
        file.flush()
        os.fsync(file.fileno())
    partial.replace(path)


def forget_in(folder: Path, matches: Callable[[SessionRecord], bool]) -> int:
    """Remove matching rows from the spools of every sink under `folder` (a stopped server's)."""
    if not folder.is_dir():
        return 0
    return sum(Spool(sink, limit=2**62).forget(matches) for sink in sorted(folder.iterdir()) if sink.is_dir())
