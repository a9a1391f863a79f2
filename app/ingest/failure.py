"""A fatal playback error as stored: its code, its message without particulars, its group. Pure.

The snippet already normalises the message in the browser (static/metrics.js, `normalise`); the
server does it again with the same rules, so a page using any other client cannot store a URL, an
address, a token or a number that would make every occurrence its own group, and the rules being
idempotent, a normalised message is left as it is. The group (`fingerprint`) is the same code and
normalised message: one row of `error_groups` per key and fingerprint (migrations/020).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

MAX_MESSAGE = 200  # characters of a message, after normalisation, as the snippet sends it
MAX_CODE = 64
CODE = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
PHASES = ("startup", "playback")

# Applied in this order: an e-mail address before the URL rule would see its host, a URL before
# the number rule would see its digits, ids and hex before plain numbers. Written to match the
# snippet's JavaScript character for character: ASCII word boundaries and digits (re.ASCII), and
# JavaScript's whitespace, spelled out.
_S = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_RULES = tuple(
    (re.compile(pattern, re.ASCII), placeholder)
    for pattern, placeholder in (
        (rf"[^{_S}@<>]+@[^{_S}@<>]+\.[A-Za-z]{{2,}}", "<email>"),
        (rf"(?:blob|data):[^{_S}<>\"']+", "<url>"),
        (rf"[A-Za-z][A-Za-z0-9+.-]*://[^{_S}<>\"']+", "<url>"),
        (r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b", "<id>"),
        (r"\b0x[0-9a-fA-F]+\b", "<hex>"),
        (r"\b(?=[0-9a-fA-F]*[0-9])(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{8,}\b", "<hex>"),
        (r"\b(?=[A-Za-z0-9_-]*[0-9])(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{16,}\b", "<id>"),
        (r"[0-9]+(?:\.[0-9]+)?", "<n>"),
    )
)
_SPACE = re.compile(f"[{_S}]+")


def normalise(message: str) -> str:
    """The message with URLs, addresses, ids, hex and numbers replaced by placeholders, its
    whitespace collapsed and its length cut to MAX_MESSAGE characters."""
    text = message.replace("\x00", " ")
    for pattern, placeholder in _RULES:
        text = pattern.sub(placeholder, text)
    return _SPACE.sub(" ", text).strip(" ")[:MAX_MESSAGE]


def fingerprint(code: str, message: str) -> str:
    """The group of an error: 16 hex digits of SHA-256 over the code and the normalised message
    (a NUL between them: neither can hold one, so two pairs never give the same input)."""
    digest = hashlib.sha256(f"{code}\x00{message}".encode()).hexdigest()
    return digest[:16]


@dataclass(frozen=True, slots=True)
class Failure:
    """The session's fatal error: its group, what the player said, and whether it came before
    the first frame (`startup`) or after (`playback`)."""

    code: str
    message: str
    phase: str

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.code, self.message)


def read_failure(code: object, message: object, started: bool) -> Failure | str:
    """The failure an `error` event reports, or the reason it is refused (naming the field)."""
    if isinstance(code, int) and not isinstance(code, bool):
        code = str(code)  # a MediaError's number, sent as it is
    if not isinstance(code, str) or not CODE.fullmatch(code):
        return f"error code must be 1 to {MAX_CODE} letters, digits or _.:-"
    if message is None:
        message = ""
    if not isinstance(message, str):
        return "error message must be a string"
    if len(message) > MAX_MESSAGE:
        return f"error message must be at most {MAX_MESSAGE} characters"
    return Failure(code, normalise(message), "playback" if started else "startup")
