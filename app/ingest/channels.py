"""One websocket's channels: Phoenix join / event / leave semantics over frames, one session each.

Takes frames, returns the frames to send back. The only I/O is the key lookup and handing ended
sessions to the hub, both injected, so the reply for every frame is decided here in one place.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from app import telemetry
from app.ingest import protocol
from app.ingest.country import UNKNOWN as UNKNOWN_COUNTRY
from app.ingest.hub import Hub, OpenSession
from app.ingest.join import INVALID_KEY, Page, read_join
from app.ingest.keys import KeyCheck, KeysUnavailable
from app.ingest.protocol import BadFrame, Frame
from app.ingest.quality import EVENTS as QUALITY_EVENTS
from app.ingest.resume import Resumption, session_id
from app.ingest.session import Session
from app.ingest.useragent import Client
from app.throttle import ThrottledLog

log = logging.getLogger("video_metrics.ingest")
# Refused frames are counted one by one (telemetry) but logged at most once per reason every 10 s.
refusals = ThrottledLog(log)

TOPIC = re.compile(r"session:[0-9A-Za-z_-]{1,64}")

UNMATCHED = "unmatched topic"


@dataclass(frozen=True, slots=True)
class Limits:
    max_frame_bytes: int = 16 * 1024
    max_sessions_per_socket: int = 32
    max_events_per_session: int = 10_000


@dataclass(slots=True)
class Channel:
    join_ref: protocol.Ref
    open: OpenSession


class Connection:
    """The channels joined on one socket, and the answer to each frame."""

    # One lives as long as its socket: no instance dictionary.
    __slots__ = (
        "_channel",
        "_channels",
        "_client",
        "_clock",
        "_country",
        "_hub",
        "_keys",
        "_limits",
        "_page",
        "_resumption",
        "_topic",
    )

    def __init__(
        self,
        *,
        client: Client,
        page: Page | None,
        keys: KeyCheck,
        resumption: Resumption,
        hub: Hub,
        limits: Limits,
        clock: Callable[[], float],
        country: str = UNKNOWN_COUNTRY,
    ) -> None:
        self._client = client
        self._country = country
        self._page = page
        self._keys = keys
        self._resumption = resumption
        self._hub = hub
        self._limits = limits
        self._clock = clock
        # Nearly every page joins one channel: it is kept here, and a dict made only for more
        # (an open socket's dict was a tenth of what the server adds to the stack's memory).
        self._topic: str | None = None
        self._channel: Channel | None = None
        self._channels: dict[str, Channel] | None = None

    @property
    def sessions(self) -> int:
        if self._channels is not None:
            return len(self._channels)
        return 0 if self._channel is None else 1

    def topics(self) -> list[str]:
        """The topics joined on this socket."""
        if self._channels is not None:
            return list(self._channels)
        return [] if self._topic is None else [self._topic]

    def _get(self, topic: str) -> Channel | None:
        if self._channels is not None:
            return self._channels.get(topic)
        return self._channel if topic == self._topic else None

    def _pop(self, topic: str) -> Channel | None:
        if self._channels is not None:
            return self._channels.pop(topic, None)
        if topic != self._topic:
            return None
        channel, self._topic, self._channel = self._channel, None, None
        return channel

    def _put(self, topic: str, channel: Channel) -> None:
        if self._channels is None and self._topic in (None, topic):
            self._topic, self._channel = topic, channel
            return
        if self._channels is None:
            assert self._topic is not None and self._channel is not None
            self._channels = {self._topic: self._channel}
            self._topic, self._channel = None, None
        self._channels[topic] = channel

    def _all(self) -> list[Channel]:
        if self._channels is not None:
            return list(self._channels.values())
        return [] if self._channel is None else [self._channel]

    def receive(self, text: str | bytes) -> list[str] | Awaitable[list[str]]:
        """The frames to send in answer to one received frame (often none, maybe one or two).

        Only a join needs the database (its key, and the session it may continue), so only a join
        is answered by an awaitable; every other frame is handled at once, without making a
        coroutine, which was a measurable share of the CPU per frame."""
        telemetry.FRAMES_RECEIVED.count += 1
        frame = protocol.parse_frame(text, self._limits.max_frame_bytes)
        if isinstance(frame, BadFrame):
            return self._refuse(frame)
        event = frame.event
        try:
            if event == "event":  # nearly every frame: a push on the socket's one channel
                channel = self._channel if frame.topic == self._topic else self._get(frame.topic)
                if channel is not None and not channel.open.ended:
                    return self._event(frame, channel)
            elif event == "phx_join" and frame.topic != "phoenix":
                return self._joined(frame)
            return self._dispatch(frame)
        except Exception:
            return self._fail_channel(frame)

    async def answer(self, text: str | bytes) -> list[str]:
        """`receive`, awaited when it needs to be: for callers that do not count every frame."""
        out = self.receive(text)
        return out if isinstance(out, list) else await out

    async def _joined(self, frame: Frame) -> list[str]:
        try:
            return await self._join(frame)
        except Exception:
            return self._fail_channel(frame)

    def _fail_channel(self, frame: Frame) -> list[str]:
        """A fault of ours while handling one channel's frame: that channel errors, the socket and
        its other channels carry on. What the session watched so far is stored; the client
        rejoins (Phoenix clients do on phx_error), which continues the same session."""
        log.exception("event=channel_failed topic=%r event=%r", frame.topic, frame.event)
        channel = self._pop(frame.topic)
        if channel is None:
            return [protocol.reply_error(frame.join_ref, frame.ref, frame.topic, "internal error")]
        self._hub.end(channel.open, self._clock())
        return [protocol.error(channel.join_ref, frame.topic)]

    def _dispatch(self, frame: Frame) -> list[str]:
        """Every frame but a join (of a topic other than `phoenix`) and a push on a live channel,
        which `receive` hands to `_event` itself: heartbeats, leaves, and what is refused."""
        if frame.topic == "phoenix":
            if frame.event == "heartbeat":
                return [protocol.reply_ok(frame.join_ref, frame.ref, frame.topic)]
            return [protocol.reply_error(None, frame.ref, frame.topic, UNMATCHED)]
        channel = self._get(frame.topic)
        if frame.event == "phx_leave":
            return self._leave(frame, channel)
        if channel is None:
            return [protocol.reply_error(None, frame.ref, frame.topic, UNMATCHED)]
        if channel.open.ended:
            # A rejoin on another socket took this session over; this socket is stale.
            self._pop(frame.topic)
            return [protocol.close(channel.join_ref, frame.topic)]
        if frame.event == "event":
            return self._event(frame, channel)
        return [protocol.reply_error(frame.join_ref, frame.ref, frame.topic, "unknown event")]

    def close(self) -> None:
        """The socket is gone: every session on it has ended."""
        at = self._clock()
        for channel in self._all():
            self._hub.end(channel.open, at)
        self._topic, self._channel, self._channels = None, None, None

    def _refuse(self, bad: BadFrame) -> list[str]:
        telemetry.FRAMES_REJECTED.labels(reason=bad.kind).inc()
        refusals.log(bad.kind, "event=frame_refused reason=%r", bad.reason)
        if bad.answerable:
            assert bad.topic is not None
            return [protocol.reply_error(bad.join_ref, bad.ref, bad.topic, bad.reason)]
        return []

    async def _join(self, frame: Frame) -> list[str]:
        if not TOPIC.fullmatch(frame.topic):
            return [protocol.reply_error(None, frame.ref, frame.topic, UNMATCHED)]
        request = read_join(frame.payload, self._page)
        if isinstance(request, str):
            return [protocol.reply_error(frame.join_ref, frame.ref, frame.topic, request)]
        out: list[str] = []
        previous = self._pop(frame.topic)
        if previous is not None:
            # A second join of a joined topic replaces it, as Phoenix does.
            out.append(protocol.close(previous.join_ref, frame.topic))
            self._hub.end(previous.open, self._clock())
        if self.sessions >= self._limits.max_sessions_per_socket:
            reason = f"too many sessions on this socket (limit {self._limits.max_sessions_per_socket})"
            out.append(protocol.reply_error(frame.join_ref, frame.ref, frame.topic, reason))
            return out
        try:
            key_id = await self._keys.key_id(request.key)
        except KeysUnavailable:
            reason = "temporarily unavailable, retrying"
            out.append(protocol.reply_error(frame.join_ref, frame.ref, frame.topic, reason))
            return out
        if key_id is None:
            out.append(protocol.reply_error(frame.join_ref, frame.ref, frame.topic, INVALID_KEY))
            return out
        session = session_id(key_id, frame.topic)
        opened = OpenSession(
            key_id=key_id,
            metadata=request.metadata,
            identifier=request.identifier,
            client=self._client,
            page_host=request.page.host,
            page_url=request.page.url,
            session=await self._continued(session, previous),
            id=session,
            country=self._country,
        )
        self._hub.open(opened, self._clock())
        self._put(frame.topic, Channel(frame.join_ref, opened))
        out.append(protocol.reply_ok(frame.join_ref, frame.ref, frame.topic))
        return out

    async def _continued(self, session: uuid.UUID, previous: Channel | None) -> Session:
        """The session this join continues (the one this join replaced on this socket, one
        still open on a stale socket here, one ended here and not written yet, or one stored
        recently by any process), or a new one."""
        now = self._clock()
        if previous is not None and previous.open.id == session:
            earlier: Session | None = previous.open.session
        else:
            earlier = self._hub.take_over(session, now) or self._hub.unwritten(session)
        if earlier is not None:
            return Session(
                opened_at=earlier.opened_at,
                segments=list(earlier.segments),
                duration=earlier.duration,
                quality=replace(earlier.quality, state_at=now, summaries=0, errors=0),
            )
        prior = await self._resumption.prior(session)
        if prior is not None:
            return Session(opened_at=prior.started_at, segments=list(prior.segments), quality=prior.quality)
        return Session(opened_at=now)

    def _leave(self, frame: Frame, channel: Channel | None) -> list[str]:
        out = [protocol.reply_ok(frame.join_ref, frame.ref, frame.topic)]
        if channel is not None:
            self._pop(frame.topic)
            self._hub.end(channel.open, self._clock())
            out.append(protocol.close(channel.join_ref, frame.topic))
        return out

    def _event(self, frame: Frame, channel: Channel) -> list[str]:
        session = channel.open.session
        if session.events >= self._limits.max_events_per_session:
            limit = self._limits.max_events_per_session
            reason = f"too many events in this session (limit {limit})"
            return [protocol.reply_error(frame.join_ref, frame.ref, frame.topic, reason)]
        session.events += 1
        payload: dict[str, Any] = frame.payload
        name = payload.get("name")
        at = self._clock()
        if name == "play":
            session.play(payload.get("from"), payload.get("duration"), at)
        elif name == "pause":
            session.pause(payload.get("to"), payload.get("duration"), at)
        elif name in QUALITY_EVENTS:
            refusal = session.observe(name, payload, at)
            if refusal is not None:
                session.events -= 1  # refused, so not counted
                return [protocol.reply_error(frame.join_ref, frame.ref, frame.topic, refusal)]
        # An accepted push is not answered, as the reference server does not answer it: clients
        # do not wait for it (the Phoenix client drops a missing reply after 10 s), and an answer
        # per push would double the frames a busy server sends. Refusals are answered above.
        # Unknown names are ignored, as the contract says.
        return []
