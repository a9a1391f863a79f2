"""One playback session: play/pause events in arrival order → watched segments → a record. Pure.

Times (`at`) are seconds on the caller's clock; positions are seconds of the video. Nothing here
reads a clock or does I/O, so every rule is tested with plain values. The quality events of the
snippet (startup, stalls, seeks, failures, impressions) are folded by app/ingest/quality.py; what
the segments alone tell (completion, quartiles, the furthest position) is derived here.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from app.ingest import quality
from app.ingest.quality import Quality

# Positions and durations past this are not a video (about 11.5 days): they are ignored, as an
# invalid value is. It is also the longest duration kept for a video (docs/PROTOCOL.md).
MAX_POSITION = 1_000_000.0
# Positions are kept to the microsecond: no player reports finer, and it keeps every stored number
# either 0 or far from the subnormal range, where PostgreSQL's float arithmetic raises underflow.
DECIMALS = 6
# A session played to within this many seconds of the end is complete (or its player said ended).
COMPLETION_MARGIN = 2.0
# Quartile bits of `quartiles`: 25 %, 50 %, 75 %, 100 % of the video.
QUARTILES = ((0.25, 1), (0.5, 2), (0.75, 4))
QUARTILE_END = 8


class Segment(NamedTuple):
    """A watched stretch of the video, `start` ≤ `end`, in video seconds.

    A named tuple, not a frozen dataclass: a session gains one at every pause, a tuple costs a
    third less to make, and a tuple of two floats is one the garbage collector stops tracking."""

    start: float
    end: float


@dataclass(frozen=True, slots=True)
class Watched:
    """What a session watched, as stored: segments in arrival order and their two totals."""

    segments: tuple[Segment, ...]
    watched: float
    unique_watched: float
    duration: float | None
    quality: Quality = field(default_factory=Quality)
    furthest: float | None = None
    completed: bool = False
    quartiles: int = 0


def position(value: Any) -> float | None:
    """A position as the client sends it: a number or a decimal string. Anything else is None.
    Every play and pause comes through here: types are tested by identity (a parsed frame holds
    exactly int, float, str; a bool, which is an int, is refused that way too)."""
    kind = value.__class__
    if kind is float or kind is int:
        number = float(value)
    elif kind is str and 0 < len(value) <= 32:
        try:
            number = float(value)
        except ValueError:
            return None
    else:
        return None
    # NaN fails every comparison, infinity the upper bound.
    if not 0 <= number <= MAX_POSITION:
        return None
    return round(number, DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0


@dataclass(slots=True)
class Session:
    """The events of one channel join, folded as they arrive.

    A play opens a segment; the next pause closes it at the pause position. Pauses with nothing
    open (before the first play, repeated pauses) are ignored. A play while one is open means the
    pause was lost: the open segment is closed where the video would have got to by then.
    """

    opened_at: float
    segments: list[Segment] = field(default_factory=list)
    duration: float | None = None
    open_from: float | None = None
    open_at: float = 0.0
    events: int = 0
    quality: Quality = field(default_factory=Quality)
    # Counts the changes to what would be stored (a segment, a play opened, a new duration), so a
    # checkpoint can tell whether a paused session has anything new to write.
    revision: int = 0
    # The duration as the last event sent it, unread: most events repeat it.
    duration_sent: Any = None

    @property
    def playing(self) -> bool:
        return self.open_from is not None

    # Every play and pause comes through these two: the common steps are written out in them
    # (the duration as sent before, the clamp to it) rather than called.

    def play(self, from_: Any, duration: Any, at: float) -> None:
        if duration != self.duration_sent or duration.__class__ is not self.duration_sent.__class__:
            self._note_duration(duration)
        start = position(from_)
        if start is None:
            return
        if self.open_from is not None:
            self._close_open(self._estimated_position(at))
        if self.duration is not None and start > self.duration:
            start = self.duration
        self.open_from = start
        self.open_at = at
        self.revision += 1

    def pause(self, to: Any, duration: Any, at: float) -> None:
        if duration != self.duration_sent or duration.__class__ is not self.duration_sent.__class__:
            self._note_duration(duration)
        end = position(to)
        if end is None or self.open_from is None:
            return
        if self.duration is not None and end > self.duration:
            end = self.duration
        self._close_open(end)

    def observe(self, name: str, payload: dict[str, Any], at: float) -> str | None:
        """A quality event (app/ingest/quality.py); returns the reason to refuse it, if any."""
        changed, refusal = quality.fold(self.quality, name, payload, at)
        if changed:
            self.revision += 1
        return refusal

    def end(self, at: float) -> Watched:
        """End the session: an open play is closed at min(from + elapsed, duration)."""
        final = self._final_quality(at)
        if self.open_from is not None:
            self._close_open(self._estimated_position(at))
        return _summarise(self.segments, self.duration, final)

    def snapshot(self, at: float) -> Watched:
        """What the session has watched so far, as if it ended now, without ending it."""
        segments = list(self.segments)
        if self.open_from is not None:
            end = self._estimated_position(at)
            if end > self.open_from:
                segments.append(Segment(self.open_from, end))
        return _summarise(segments, self.duration, self._final_quality(at))

    def _final_quality(self, at: float) -> Quality:
        """The quality as if the session ended at `at`: a state still running is carried on with
        the clock, playing no further than the open play can go."""
        left: float | None = None
        if self.open_from is not None:
            since = max(0.0, self.quality.state_at - self.open_at)
            reached = self.open_from + since
            left = max(0.0, (self.duration if self.duration is not None else MAX_POSITION) - reached)
        return self.quality.final(at, at - self.opened_at, left)

    def _close_open(self, end: float) -> None:
        assert self.open_from is not None
        # A pause behind the play position (a scrub reported late) watched nothing.
        if end > self.open_from:
            self.segments.append(Segment(self.open_from, end))
        self.open_from = None
        self.revision += 1

    def _estimated_position(self, at: float) -> float:
        assert self.open_from is not None
        elapsed = round(max(0.0, at - self.open_at), DECIMALS)
        return self._clamp(min(self.open_from + elapsed, MAX_POSITION))

    def _clamp(self, value: float) -> float:
        if self.duration is not None:
            return min(value, self.duration)
        return value

    def _note_duration(self, value: Any) -> None:
        # Every play and pause repeats the duration: only one that differs from the last one sent
        # (by value or type) comes here to be read.
        self.duration_sent = value
        # Live streams report null; a finite positive duration is the video's length.
        duration = position(value)
        if duration is not None and duration > 0 and duration != self.duration:
            self.duration = duration
            self.revision += 1


# A checkpoint summarises every open session's segments every few seconds, so these read them as
# the tuples they are (unpacked, sorted by a C-level key) rather than through attributes.


def _summarise(segments: list[Segment], duration: float | None, quality: Quality) -> Watched:
    watched = sum([end - start for start, end in segments])
    furthest = max([end for _, end in segments], default=None)
    completed, quartiles = reached(segments, duration, ended=quality.state == "ended")
    return Watched(
        tuple(segments), watched, union_length(segments), duration, quality, furthest, completed, quartiles
    )


def reached(segments: list[Segment], duration: float | None, *, ended: bool = False) -> tuple[bool, int]:
    """Whether the session completed the video (played to within COMPLETION_MARGIN of its end, or
    its player ended), and which quartiles it played through, as bits: a quartile's point of the
    video lies in a segment; seeking past it does not reach it. 100 % is completion. A video of
    unknown length (live) is complete only when its player says it ended."""
    if duration is None or duration <= 0:
        return ended, QUARTILE_END if ended else 0
    near_end = duration - COMPLETION_MARGIN
    completed = ended or any(end >= near_end for _, end in segments)
    bits = QUARTILE_END if completed else 0
    for share, bit in QUARTILES:
        point = duration * share
        if any(start <= point <= end for start, end in segments):
            bits |= bit
    return completed, bits


def union_length(segments: list[Segment]) -> float:
    """The length of the union of segments: rewatched seconds count once."""
    total = 0.0
    reach = -math.inf
    for start, end in sorted(segments, key=_start):
        if end <= reach:
            continue
        total += end - (start if start > reach else reach)
        reach = end
    return total


_start = operator.itemgetter(0)
