"""Every session open in this process: for checkpoints, live counts and ending them all at shutdown."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

import orjson

from app import telemetry
from app.ingest.checkpoints import CheckpointSchedule
from app.ingest.quality import restored
from app.ingest.record import SessionRecord
from app.ingest.session import Segment, Session, Watched
from app.ingest.useragent import Client
from app.ingest.writer import Writer


@dataclass(slots=True)
class OpenSession:
    """A session and what it will be stored under."""

    key_id: int
    metadata: Any
    identifier: str | None
    client: Client
    page_host: str
    page_url: str
    session: Session
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    country: str = "unknown"
    ended: bool = False
    # The session's revision when it was last checkpointed; -1 until its first checkpoint.
    saved_revision: int = -1
    # What it is counted under among the viewers playing now, made when first needed.
    live: Playing | None = None

    def record(
        self, watched: Watched, ended_at: float, *, final: bool, process_id: uuid.UUID | None = None
    ) -> SessionRecord:
        quality = watched.quality
        failure = quality.failure
        return SessionRecord(
            id=self.id,
            started_at=datetime.fromtimestamp(self.session.opened_at, UTC),
            ended_at=datetime.fromtimestamp(max(ended_at, self.session.opened_at), UTC),
            key_id=self.key_id,
            metadata=self.metadata,
            identifier=self.identifier,
            duration=watched.duration,
            browser=self.client.browser,
            platform=self.client.platform,
            device=self.client.device,
            page_host=self.page_host,
            page_url=self.page_url,
            segments=[[start, end] for start, end in watched.segments],
            watched=watched.watched,
            unique_watched=watched.unique_watched,
            final=final,
            process_id=process_id,
            country=self.country,
            impression=quality.impression,
            viewable=quality.viewable,
            autoplay=quality.autoplay,
            exit=quality.exit,
            startup_time=quality.startup,
            waited=quality.waited,
            watch_time=quality.watch,
            playing_time=quality.playing,
            rebuffer_count=quality.rebuffers,
            rebuffer_time=quality.rebuffering,
            seek_count=quality.seeks,
            seek_time=quality.seeking,
            error_fingerprint=None if failure is None else failure.fingerprint,
            error_code=None if failure is None else failure.code,
            error_message=None if failure is None else failure.message,
            error_phase=None if failure is None else failure.phase,
            completed=watched.completed,
            furthest=watched.furthest,
            quartiles=watched.quartiles,
            bitrate=quality.bitrate,
            rendition_changes=quality.renditions,
            dropped_frames=quality.dropped,
            frames=quality.frames,
            upscale=quality.upscale,
        )


class Playing(NamedTuple):
    """What sessions playing now are counted by: the video (its key and metadata, as JSON text
    with sorted keys, and the label the page gave it) and the page."""

    key_id: int
    metadata: str
    identifier: str | None
    page_url: str
    page_host: str


def metadata_text(metadata: Any) -> str:
    """The same text for equal metadata, whatever the order of its fields."""
    try:
        return orjson.dumps(metadata, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:  # integers beyond 64 bits, which the standard library writes
        return json.dumps(metadata, sort_keys=True, separators=(",", ":"))


class Hub:
    """Open sessions of this process, checkpointed while open and handed to the writer when they end.

    Checkpoint rows carry `process_id`, this process's id in the live table (app/live.py): when
    the process dies without ending its sessions, any other process (or this one's next start)
    sees that the rows' process is gone and marks them final (app/ingest/orphans.py).
    """

    def __init__(
        self, writer: Writer, checkpoint_interval: float = 10.0, process_id: uuid.UUID | None = None
    ) -> None:
        self._writer = writer
        self._open: dict[uuid.UUID, OpenSession] = {}
        self._schedule: CheckpointSchedule[OpenSession] = CheckpointSchedule(checkpoint_interval)
        # The entries of the last count of sessions playing now, each the one object its sessions share.
        self._playing: dict[Playing, Playing] = {}
        self.process_id = process_id or uuid.uuid4()

    def __len__(self) -> int:
        return len(self._open)

    def open(self, session: OpenSession, at: float) -> None:
        self._open[session.id] = session
        self._schedule.add(session, at)
        telemetry.OPEN_SESSIONS.set(len(self._open))

    def end(self, session: OpenSession, at: float) -> None:
        """End a session once: its final row goes to the writer."""
        if session.ended:
            return
        session.ended = True
        self._open.pop(session.id, None)
        telemetry.OPEN_SESSIONS.set(len(self._open))
        self._writer.submit(session.record(session.session.end(at), at, final=True))

    def take_over(self, session_id: uuid.UUID, at: float) -> Session | None:
        """End a session still open here (its socket is stale) and return it to be continued."""
        session = self._open.get(session_id)
        if session is None:
            return None
        self.end(session, at)
        return session.session

    def unwritten(self, session_id: uuid.UUID) -> Session | None:
        """A session that ended here but is not in the database yet, to be continued by a rejoin
        (a leave and a join of the same topic can be a moment apart)."""
        record = self._writer.unwritten(session_id)
        if record is None:
            return None
        segments = [Segment(start, end) for start, end in record.segments]
        return Session(
            opened_at=record.started_at.timestamp(),
            segments=segments,
            duration=record.duration,
            quality=restored(record.to_dict()),
        )

    def end_all(self, at: float) -> int:
        sessions = list(self._open.values())
        for session in sessions:
            self.end(session, at)
        return len(sessions)

    def until_checkpoint(self, now: float) -> float:
        """Seconds until the next open session is due for a checkpoint."""
        return self._schedule.wait(now)

    def checkpoint(self, at: float, most: int | None = None) -> int:
        """Write what the sessions due now have watched so far, if anything changed (app/ingest/
        checkpoints.py), so that a crash loses at most one interval of any session; at most
        `most` of them (the others stay due). Returns how many were written."""
        count = 0
        for session in self._schedule.due(at, lambda s: not s.ended, most):
            state = session.session
            if state.revision == session.saved_revision and not state.playing:
                continue  # paused, nothing new since the last checkpoint
            session.saved_revision = state.revision
            record = session.record(state.snapshot(at), at, final=False, process_id=self.process_id)
            self._writer.submit(record)
            count += 1
        return count

    def forget(
        self, matches: Callable[[SessionRecord], bool], at: float, *, count_only: bool = False
    ) -> set[uuid.UUID]:
        """End the open sessions that match without storing them (a deletion on request): their
        channels are closed at the next frame, as a stale one is, and nothing more is written.
        Returns their ids."""
        gone = [s for s in self._open.values() if matches(s.record(s.session.snapshot(at), at, final=False))]
        if not count_only:
            for session in gone:
                session.ended = True
                del self._open[session.id]
            telemetry.OPEN_SESSIONS.set(len(self._open))
        return {session.id for session in gone}

    def playing(self) -> int:
        return sum(1 for session in self._open.values() if session.session.playing)

    def playing_by_video_and_page(self) -> Counter[Playing]:
        """Sessions playing now, per video and page: what this process publishes (app/live.py)."""
        # Every second over every open session: each session's entry is made once, when it is
        # first seen playing (its video and page do not change), not at every count; and the
        # sessions of one video and page hold one entry, the one counted last time if there was.
        counts: Counter[Playing] = Counter()
        known = self._playing
        for s in self._open.values():
            if s.session.open_from is not None:  # playing
                live = s.live
                if live is None:
                    made = Playing(s.key_id, metadata_text(s.metadata), s.identifier, s.page_url, s.page_host)
                    live = s.live = known.setdefault(made, made)
                counts[live] += 1
        self._playing = {live: live for live in counts}
        return counts
