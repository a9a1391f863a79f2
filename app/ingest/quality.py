"""How well one session played: the snippet's quality events folded into what is stored. Pure.

The snippet measures in the browser (static/metrics.js, the playback detector) and sends a
`playback` summary at each state change: the state it is in now and its cumulative counters
(watch time, playing time, rebuffers, seeks, bitrate, ...). Cumulative counters make the fold
idempotent and forgiving: the server keeps the largest value of each it was sent, so a summary
lost with a dropped socket costs nothing once a later one arrives. What happened after the last
summary of a session that ended without a word (a killed tab) is estimated from the server's
clock, as an open play is (app/ingest/session.py), and everything is bounded and clamped so that
no stored duration is negative, longer than the session, or rebuffering longer than watch time.

Every number is validated as positions are: finite, within bounds, kept to the microsecond (the
startup time to the hundredth of a second, see `startup_class`), so no stored value is
subnormal and the database never refuses a row (migrations/020).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from app.ingest.failure import Failure, read_failure

# The states a `playback` summary may report (docs/PROTOCOL.md). `starting`: a play intent and no
# first frame yet; the others are the player's.
STATES = ("starting", "playing", "rebuffering", "seeking", "paused", "ended")
_STATE_NAMES = {state: state for state in STATES}
# States in which time passes as watch time, and so goes on after a summary until the next one.
_RUNNING = ("starting", "playing", "rebuffering", "seeking")
# Exit types, as stored (`exit` is NULL for a session with no play intent).
EXITS = ("ended", "paused", "gave_up", "failed", "closed")

MAX_SECONDS = 1_000_000.0  # as positions: no session is longer (about 11.5 days)
MAX_COUNT = 1_000_000  # rebuffers, seeks, rendition changes
MAX_FRAMES = 2_000_000_000  # fits the integer column
MAX_BITRATE = 1e10  # bits per second: 10 Gbit/s is no web video
MAX_UPSCALE = 10_000.0  # percent: a 1-pixel-high video on a 100-pixel-high player
# After the last summary the server adds at most this much of a running state (a stall, a seek, a
# startup) it did not hear the end of: Mux ends a view after five minutes of rebuffering.
MAX_UNHEARD = 300.0
DECIMALS = 6
# Per session: `playback` summaries beyond this many and `error` events beyond this many are
# refused (a session changes state a few times a minute; one fatal error ends it).
MAX_SUMMARIES = 1000
MAX_ERRORS = 10
# The `event` names this module folds (docs/PROTOCOL.md), the most frequent first.
EVENTS = ("playback", "impression", "viewable", "error")


def seconds(value: Any, most: float = MAX_SECONDS) -> float | None:
    """A duration as sent (a number), or None for anything else. Types are tested by identity (a
    parsed frame holds exactly int and float; a bool, an int subclass, is refused that way too),
    and the value is kept to the microsecond once, when it is stored (`Quality.final`), not at
    every summary. `Quality.summary` makes the same checks inline for its common fields."""
    kind = value.__class__
    if kind is not float and kind is not int:
        return None
    number = float(value)
    if not 0 <= number <= most:  # NaN fails every comparison, infinity the bound
        return None
    return number


def count(value: Any, most: int = MAX_COUNT) -> int | None:
    """A count as sent (a whole number), or None for anything else."""
    kind = value.__class__
    if kind is int:
        return value if 0 <= value <= most else None
    if kind is not float or not value.is_integer():
        return None
    number = int(value)
    return number if 0 <= number <= most else None


def startup_class(startup: float) -> float:
    """The startup time as stored: to the hundredth of a second (finer than a frame at 60 fps),
    so that exact percentiles can be read from a histogram of whole hundredths (migrations/021)."""
    return round(startup, 2) + 0.0


@dataclass(slots=True)
class Quality:
    """What the quality events of one session said, folded as they arrive."""

    impression: bool = False
    autoplay: bool = False
    viewable: bool = False
    # A `playback` summary is only sent after a play intent: the first one makes the session a
    # view (Mux's word), one whose startup, stalls and exit are counted.
    intent: bool = False
    state: str | None = None
    hidden: bool = False
    state_at: float = 0.0  # the server's clock when the last summary came
    startup: float | None = None
    watch: float = 0.0
    playing: float = 0.0
    rebuffers: int = 0
    rebuffering: float = 0.0
    seeks: int = 0
    seeking: float = 0.0
    bitrate: float | None = None
    renditions: int = 0
    dropped: int | None = None
    frames: int | None = None
    upscale: float | None = None
    failure: Failure | None = None
    summaries: int = 0
    errors: int = 0

    def impressed(self, payload: dict[str, Any]) -> bool:
        """An `impression`: the first one counts; returns whether anything changed."""
        if self.impression:
            return False
        self.impression = True
        self.autoplay = payload.get("autoplay") is True
        return True

    def seen(self) -> bool:
        """A `viewable` impression: the first one counts."""
        if self.viewable:
            return False
        self.viewable = True
        return True

    def summary(self, payload: dict[str, Any], at: float) -> None:
        """A `playback` summary: the state now and the counters so far. Each counter keeps the
        largest value sent.

        This runs for half the frames a busy server gets, so each field is checked where it is
        read, not in a loop or a call: a number is exactly float or int (a bool, an int subclass,
        is not), within its bound (NaN fails every comparison), and kept only when larger. The
        rare forms (a whole number sent as a float) go through `count`, as everywhere else."""
        self.summaries += 1
        self.intent = True
        get = payload.get
        state = get("state")
        if state.__class__ is str:
            # Kept as our own copy of the name, not the frame's: one string for every session.
            known = _STATE_NAMES.get(state)
            if known is not None:
                self.state = known
        self.hidden = get("hidden") is True
        self.state_at = at
        if self.startup is None:
            startup = seconds(get("startup"))
            if startup is not None:
                self.startup = startup_class(startup)
        # Durations (the kept one is never negative, so "larger" also means "not negative").
        value = get("watch")
        if (value.__class__ is float or value.__class__ is int) and self.watch < value <= MAX_SECONDS:
            self.watch = float(value)
        value = get("playing")
        if (value.__class__ is float or value.__class__ is int) and self.playing < value <= MAX_SECONDS:
            self.playing = float(value)
        value = get("rebuffering")
        if (value.__class__ is float or value.__class__ is int) and self.rebuffering < value <= MAX_SECONDS:
            self.rebuffering = float(value)
        value = get("seeking")
        if (value.__class__ is float or value.__class__ is int) and self.seeking < value <= MAX_SECONDS:
            self.seeking = float(value)
        # Counts.
        value = get("rebuffers")
        if value.__class__ is int:
            if self.rebuffers < value <= MAX_COUNT:
                self.rebuffers = value
        elif (number := count(value)) is not None and number > self.rebuffers:
            self.rebuffers = number
        value = get("seeks")
        if value.__class__ is int:
            if self.seeks < value <= MAX_COUNT:
                self.seeks = value
        elif (number := count(value)) is not None and number > self.seeks:
            self.seeks = number
        value = get("renditions")
        if value.__class__ is int:
            if self.renditions < value <= MAX_COUNT:
                self.renditions = value
        elif (number := count(value)) is not None and number > self.renditions:
            self.renditions = number
        # Frame counts: set by the first valid one (from None), then kept when larger.
        value = get("dropped")
        number = value if value.__class__ is int and 0 <= value <= MAX_FRAMES else count(value, MAX_FRAMES)
        if number is not None and (self.dropped is None or number > self.dropped):
            self.dropped = number
        value = get("frames")
        number = value if value.__class__ is int and 0 <= value <= MAX_FRAMES else count(value, MAX_FRAMES)
        if number is not None and (self.frames is None or number > self.frames):
            self.frames = number
        # Averages so far: the latest is the truest, not the largest. The snippet sends a whole
        # bitrate, which needs no rounding.
        value = get("bitrate")
        if value.__class__ is int:
            if 0 < value <= MAX_BITRATE:
                self.bitrate = float(value)
        elif (bitrate := seconds(value, MAX_BITRATE)) is not None and bitrate > 0:
            self.bitrate = round(bitrate, 3) + 0.0
        value = get("upscale")
        if (value.__class__ is float or value.__class__ is int) and 0 <= value <= MAX_UPSCALE:
            self.upscale = float(value)

    def failed(self, payload: dict[str, Any]) -> str | None:
        """An `error`: the first fatal error is the session's failure, later ones are consequences
        of it. Returns the reason to refuse the event, if any."""
        self.errors += 1
        failure = read_failure(payload.get("code"), payload.get("message"), self.startup is not None)
        if isinstance(failure, str):
            return failure
        if self.failure is None:
            self.failure = failure
        return None

    def final(self, at: float, wall: float, playing_left: float | None) -> Quality:
        """The quality as stored if the session ended at `at`: a running state is carried on to
        `at` (at most MAX_UNHEARD, and playing no further than the video goes: `playing_left`,
        None when no play is open), then every duration is held within the session's `wall`
        length, and playing, rebuffering and startup within the watch time. The session itself is
        left as it is."""
        result = replace(self)
        if self.intent and self.state in _RUNNING and not self.hidden and self.failure is None:
            unheard = min(max(0.0, at - self.state_at), MAX_UNHEARD)
            if self.state == "playing":
                unheard = min(unheard, playing_left or 0.0)
                result.playing += unheard
            elif self.state == "rebuffering":
                result.rebuffering += unheard
            elif self.state == "seeking":
                result.seeking += unheard
            result.watch += unheard
        cap = max(0.0, wall)
        result.watch = _within(result.watch, cap)
        result.playing = _within(result.playing, result.watch)
        result.rebuffering = _within(result.rebuffering, result.watch)
        # A seek's latency counts while paused too: within the session, not the watch time.
        result.seeking = _within(result.seeking, cap)
        if result.upscale is not None:
            result.upscale = _micro(result.upscale)
        if result.startup is not None:
            capped = min(result.startup, max(result.watch, 0.0))
            stored = startup_class(capped)
            # Rounding to the hundredth must not carry it past the cap (a session a few
            # milliseconds long): then it is the hundredth below.
            result.startup = stored if stored <= capped else math.floor(capped * 100) / 100
        return result

    @property
    def exit(self) -> str | None:
        """How the view ended, or None when there was no play intent."""
        if not self.intent:
            return None
        if self.failure is not None:
            return "failed"
        if self.startup is None:
            return "gave_up"
        if self.state in ("ended", "paused"):
            return self.state
        return "closed"

    @property
    def waited(self) -> float | None:
        """How long a viewer who gave up before the first frame waited (its watch time)."""
        return self.watch if self.exit == "gave_up" else None


def _within(value: float, cap: float) -> float:
    """`value` held to `cap` and kept to the microsecond, the rounding never carrying it past."""
    kept = _micro(min(value, cap))
    return kept if kept <= cap else math.floor(cap * 1_000_000) / 1_000_000


def _micro(value: float) -> float:
    return round(value, DECIMALS) + 0.0


def restored(fields: dict[str, Any]) -> Quality:
    """The quality of a stored row (or an unwritten record), for a session that is continued."""
    quality = Quality(
        impression=bool(fields.get("impression")),
        autoplay=bool(fields.get("autoplay")),
        viewable=bool(fields.get("viewable")),
        intent=fields.get("exit") is not None,
        startup=fields.get("startup_time"),
        watch=float(fields.get("watch_time") or 0.0),
        playing=float(fields.get("playing_time") or 0.0),
        rebuffers=int(fields.get("rebuffer_count") or 0),
        rebuffering=float(fields.get("rebuffer_time") or 0.0),
        seeks=int(fields.get("seek_count") or 0),
        seeking=float(fields.get("seek_time") or 0.0),
        bitrate=fields.get("bitrate"),
        renditions=int(fields.get("rendition_changes") or 0),
        dropped=fields.get("dropped_frames"),
        frames=fields.get("frames"),
        upscale=fields.get("upscale"),
    )
    exit_ = fields.get("exit")
    if exit_ in ("ended", "paused"):
        quality.state = exit_
    code, phase = fields.get("error_code"), fields.get("error_phase")
    if isinstance(code, str) and isinstance(phase, str):
        quality.failure = Failure(code, str(fields.get("error_message") or ""), phase)
    return quality


def fold(quality: Quality, name: str, payload: dict[str, Any], at: float) -> tuple[bool, str | None]:
    """One quality event: whether it changed what would be stored, and the reason to refuse it
    (its limit, or a field that names the problem), if any."""
    if name == "playback":  # the most frequent by far
        if quality.summaries >= MAX_SUMMARIES:
            return False, f"too many playback summaries in this session (limit {MAX_SUMMARIES})"
        quality.summary(payload, at)
        return True, None
    if name == "impression":
        return quality.impressed(payload), None
    if name == "viewable":
        return quality.seen(), None
    if quality.errors >= MAX_ERRORS:
        return False, f"too many errors in this session (limit {MAX_ERRORS})"
    before = quality.failure
    refusal = quality.failed(payload)
    return quality.failure is not before, refusal
