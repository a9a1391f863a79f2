"""Which videos a question is about: `query` (metadata containment, a key) and `identifier`.

Also what PostgreSQL could not store is refused here, before it reaches the database: text with
NUL or unpaired surrogates, numbers too large to be finite, absurd nesting.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.api.params.errors import ParamError, kind

MAX_TEXT = 1000
MAX_DEPTH = 32

# Keys travel in page source, query strings and URL paths: printable ASCII, the characters of
# both base64 alphabets and a few more.
KEY_PATTERN = re.compile(r"[A-Za-z0-9+/=._~-]{1,128}", re.ASCII)
KEY_RULE = "1 to 128 letters, digits or +/=._~-"


@dataclass(frozen=True, slots=True)
class VideoQuery:
    """Which videos: metadata containment, all videos of a key, a label; combined with AND."""

    video: dict[str, Any] | None = None
    key: str | None = None
    identifier: str | None = None

    @property
    def key_only(self) -> bool:
        return self.key is not None and self.video is None and self.identifier is None


def parse_query(value: Any, identifier: str | None = None) -> VideoQuery:
    """`{"video": {...}}` (metadata containment) and/or `{"key": "..."}` (every video of a key)."""
    if not isinstance(value, dict):
        raise ParamError(
            "query", f'must be an object like {{"video": {{...}}}} or {{"key": "..."}}, not {kind(value)}'
        )
    unknown = [name for name in value if name not in ("video", "key")]
    if unknown:
        raise ParamError("query", f"unknown field {unknown[0][:100]!r}; use video and/or key")
    if not value:
        raise ParamError("query", 'is empty; give {"video": {...}} or {"key": "..."}')
    video = value.get("video")
    if "video" in value:
        if not isinstance(video, dict):
            raise ParamError("query", f"video must be an object of metadata, not {kind(video)}")
        check_json(video, "query", depth=0)
    key = value.get("key")
    if "key" in value and not (isinstance(key, str) and KEY_PATTERN.fullmatch(key)):
        raise ParamError("query", f"key must be an API key: {KEY_RULE}")
    return VideoQuery(video=video, key=key, identifier=identifier)


def parse_identifier(value: Any) -> str:
    return parse_text(value, "identifier")


def parse_text(value: Any, parameter: str) -> str:
    """A non-empty string PostgreSQL can store, at most MAX_TEXT characters."""
    if not isinstance(value, str) or not value:
        raise ParamError(parameter, f"must be a non-empty string, not {kind(value)}")
    if len(value) > MAX_TEXT:
        raise ParamError(parameter, f"is longer than {MAX_TEXT} characters")
    check_text(value, parameter)
    return value


def parse_new_key(raw: Mapping[str, Any]) -> str | None:
    """The body of `POST /keys`: nothing (a random key), or {"key": "<custom key>"}."""
    for name in raw:
        if name != "key":
            raise ParamError(str(name)[:100], "unknown parameter; a new key accepts only key")
    if "key" not in raw:
        return None
    key = raw["key"]
    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
        raise ParamError("key", f"must be {KEY_RULE}, not {kind(key)}")
    return key


def check_json(value: Any, parameter: str, depth: int) -> None:
    """Refuse what PostgreSQL's jsonb cannot hold, before it reaches the database: text with NUL
    or unpaired surrogates, numbers too large to be finite, and absurd nesting."""
    if depth > MAX_DEPTH:
        raise ParamError(parameter, f"is nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, str):
        check_text(value, parameter)
    elif isinstance(value, float) and not math.isfinite(value):
        raise ParamError(parameter, "holds a number too large to store")
    elif isinstance(value, dict):
        for name, inner in value.items():
            check_text(name, parameter)
            check_json(inner, parameter, depth + 1)
    elif isinstance(value, list):
        for inner in value:
            check_json(inner, parameter, depth + 1)


def check_text(value: str, parameter: str) -> None:
    if "\x00" in value:
        raise ParamError(parameter, "holds a NUL character, which cannot be stored")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ParamError(parameter, "holds text that is not valid Unicode") from None
