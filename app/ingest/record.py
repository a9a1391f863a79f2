"""The stored form of a session: one row of the `sessions` table, and what identifies its video."""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from app.ingest.quality import EXITS


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
    # Quality of experience (issue 10; migrations/020). Defaults are what a session of a client
    # that sends no quality events stores, and what a journal line from before them reads as.
    country: str = "unknown"
    impression: bool = False
    viewable: bool = False
    autoplay: bool = False
    exit: str | None = None
    startup_time: float | None = None
    waited: float | None = None
    watch_time: float = 0.0
    playing_time: float = 0.0
    rebuffer_count: int = 0
    rebuffer_time: float = 0.0
    seek_count: int = 0
    seek_time: float = 0.0
    error_fingerprint: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    error_phase: str | None = None
    completed: bool = False
    furthest: float | None = None
    quartiles: int = 0
    bitrate: float | None = None
    rendition_changes: int = 0
    dropped_frames: int | None = None
    frames: int | None = None
    upscale: float | None = None

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
        """A line of the writer's files; raises ValueError (or TypeError, KeyError) for one that
        is not a row the database would store, so that a line edited by hand or cut short is set
        aside with its reason rather than refused by the database or written wrong."""
        row = json.loads(line, parse_constant=_no_constant)
        if not isinstance(row, dict):
            raise TypeError("a line must be a JSON object")
        row["id"] = uuid.UUID(row["id"])
        if row.get("process_id") is not None:
            row["process_id"] = uuid.UUID(row["process_id"])
        row["started_at"] = datetime.fromisoformat(row["started_at"])
        row["ended_at"] = datetime.fromisoformat(row["ended_at"])
        record = cls(**row)
        _check(record)
        return record


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a row can hold")


def _check(record: SessionRecord) -> None:
    """The values ingest guarantees (app/ingest/join.py, app/ingest/session.py)."""
    if record.started_at.tzinfo is None or record.ended_at.tzinfo is None:
        raise ValueError("times must carry their offset")
    for name in ("watched", "unique_watched"):
        value = getattr(record, name)
        if not isinstance(value, int | float) or not 0 <= value <= 1e12:
            raise ValueError(f"{name} must be a number from 0 to 1e12")
    if record.duration is not None and not 1e-6 <= record.duration <= 1e6:
        raise ValueError("duration must be null or from 1e-6 to 1e6 seconds")
    for segment in record.segments:
        if len(segment) != 2 or not all(isinstance(p, int | float) and 0 <= p <= 1e6 for p in segment):
            raise ValueError("segments must be [from, to] pairs of positions from 0 to 1e6")
    texts = [record.page_host, record.page_url, record.identifier or "", json.dumps(record.metadata)]
    texts += [record.error_code or "", record.error_message or ""]
    if any("\x00" in text or "\\u0000" in text for text in texts):
        raise ValueError("text must not contain NUL characters")
    _check_quality(record)


def _check_quality(record: SessionRecord) -> None:
    """The quality columns' bounds (app/ingest/quality.py; the schema's, migrations/020)."""
    if record.country != "unknown" and not (len(record.country) == 2 and record.country.isupper()):
        raise ValueError("country must be 'unknown' or two capital letters")
    if record.exit is not None and record.exit not in EXITS:
        raise ValueError(f"exit must be null or one of {', '.join(EXITS)}")
    durations = ("startup_time", "waited", "watch_time", "playing_time", "rebuffer_time", "seek_time")
    for name in (*durations, "furthest"):
        value = getattr(record, name)
        if value is not None and not (isinstance(value, int | float) and 0 <= value <= 1e6):
            raise ValueError(f"{name} must be null or a number from 0 to 1e6")
    counts = ("rebuffer_count", "seek_count", "rendition_changes", "dropped_frames", "frames", "quartiles")
    for name in counts:
        value = getattr(record, name)
        if value is not None and not (isinstance(value, int) and 0 <= value <= 2_000_000_000):
            raise ValueError(f"{name} must be null or a whole number from 0 to 2e9")
    for name, most in (("bitrate", 1e10), ("upscale", 1e4)):
        value = getattr(record, name)
        if value is not None and not (isinstance(value, int | float) and 0 <= value <= most):
            raise ValueError(f"{name} must be null or a number from 0 to {most:g}")
