"""Phoenix Channels V2 JSON frames: parse what the browser sends, encode what we answer. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, NamedTuple

import orjson

Ref = str | None


class Frame(NamedTuple):
    """One `[join_ref, ref, topic, event, payload]` message. A named tuple, not a frozen dataclass:
    one is made per frame received, and a frozen dataclass's __init__ costs several times more."""

    join_ref: Ref
    ref: Ref
    topic: str
    event: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class BadFrame:
    """A frame we refuse. `ref`/`topic` are set when they could be read, so the error can be
    answered where the client waits for it; otherwise the frame is only logged."""

    reason: str
    join_ref: Ref = None
    ref: Ref = None
    topic: str | None = None

    @property
    def answerable(self) -> bool:
        return self.ref is not None and self.topic is not None

    @property
    def kind(self) -> str:
        """A short, fixed name for the reason: a metric label and a log throttle's key."""
        for start, kind in _KINDS:
            if self.reason.startswith(start):
                return kind
        return "other"


_KINDS = (
    ("frame is not UTF-8", "not_utf8"),
    ("frame is larger", "too_large"),
    ("frame is not JSON", "not_json"),
    ("frame is not a", "not_an_array"),
    ("join_ref and ref", "bad_ref"),
    ("topic and event", "bad_topic"),
    ("payload must", "bad_payload"),
)


# Reads the refs and topic from the head of a frame too large to parse whole.
_HEAD = re.compile(r'\s*\[\s*(null|"([^"\\]{0,64})")\s*,\s*(null|"([^"\\]{0,64})")\s*,\s*"([^"\\]{0,200})"')


def parse_frame(text: str | bytes, max_bytes: int) -> Frame | BadFrame:
    """Decode one text frame, or say why it is refused.

    This runs for every frame received, so types are tested by identity (`.__class__ is str`):
    orjson returns exactly str, list, dict, never a subclass, and that test costs a fraction of
    isinstance."""
    if text.__class__ is bytes:
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            return BadFrame("frame is not UTF-8 text")
    if len(text) * 4 > max_bytes and _oversized(text, max_bytes):  # type: ignore[arg-type]
        return _refuse_head(text, f"frame is larger than {max_bytes} bytes")  # type: ignore[arg-type]
    try:
        # orjson: a fifth of the stdlib's cost per frame on this hot path; it also refuses what
        # PostgreSQL could not store later (lone surrogates, NaN) and nests at most 1024 deep.
        message = _loads(text)
    except orjson.JSONDecodeError:
        return BadFrame("frame is not JSON")
    if message.__class__ is not list or len(message) != 5:
        return BadFrame("frame is not a [join_ref, ref, topic, event, payload] array")
    join_ref, ref, topic, event, payload = message
    if (join_ref is not None and join_ref.__class__ is not str) or (
        ref is not None and ref.__class__ is not str
    ):
        return BadFrame("join_ref and ref must be strings or null")
    if topic.__class__ is not str or event.__class__ is not str:
        return BadFrame("topic and event must be strings", join_ref, ref)
    if payload.__class__ is not dict:
        return BadFrame("payload must be an object", join_ref, ref, topic)
    # The checked list becomes the tuple as it is: `Frame(...)` would go through a Python-level
    # __new__, a third of this function's own cost.
    return _as_frame(Frame, message)


_loads = orjson.loads
_as_frame = tuple.__new__


def _oversized(text: str, max_bytes: int) -> bool:
    # A character is 1 to 4 bytes in UTF-8: encode only when the length alone cannot tell.
    if len(text) > max_bytes:
        return True
    if len(text) * 4 <= max_bytes:
        return False
    return len(text.encode("utf-8")) > max_bytes


def _refuse_head(text: str, reason: str) -> BadFrame:
    head = _HEAD.match(text[:512])
    if head is None:
        return BadFrame(reason)
    return BadFrame(reason, head.group(2), head.group(4), head.group(5))


def encode(join_ref: Ref, ref: Ref, topic: str, event: str, payload: dict[str, Any]) -> str:
    return orjson.dumps([join_ref, ref, topic, event, payload]).decode()


def reply_ok(join_ref: Ref, ref: Ref, topic: str, response: dict[str, Any] | None = None) -> str:
    return encode(join_ref, ref, topic, "phx_reply", {"status": "ok", "response": response or {}})


def reply_error(join_ref: Ref, ref: Ref, topic: str, reason: str) -> str:
    payload = {"status": "error", "response": {"reason": reason}}
    return encode(join_ref, ref, topic, "phx_reply", payload)


def close(join_ref: Ref, topic: str) -> str:
    """Tell the client a channel is closed; Phoenix sends it with ref = join_ref."""
    return encode(join_ref, join_ref, topic, "phx_close", {})


def error(join_ref: Ref, topic: str) -> str:
    """A channel failed on our side; Phoenix clients rejoin the topic when they see this."""
    return encode(join_ref, join_ref, topic, "phx_error", {})
