"""Which sessions a question is about: `query` (metadata containment, a key), `identifier`, and
the filters `page`, `browser`, `device`, `platform`, `country`; and what a reader may see of them (`Reach`:
a read-only token sees its keys only).

Also what PostgreSQL could not store is refused here, before it reaches the database: text with
NUL or unpaired surrogates, numbers too large to be finite, absurd nesting.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from app.api.categories import BROWSERS, DEVICES, PLATFORMS
from app.api.params.errors import ParamError, kind
from app.keyrules import KEY_PATTERN, KEY_RULE

MAX_TEXT = 1000
MAX_DEPTH = 32


@dataclass(frozen=True, slots=True)
class VideoQuery:
    """Which videos: metadata containment, all videos of a key, a label, and only those of the
    keys in `within` (what a reader's `Reach` adds); combined with AND."""

    video: dict[str, Any] | None = None
    key: str | None = None
    identifier: str | None = None
    within: tuple[str, ...] | None = None

    @property
    def key_only(self) -> bool:
        return self.key is not None and self.video is None and self.identifier is None


@dataclass(frozen=True, slots=True)
class Reach:
    """The keys whose sessions a reader may see: every key (`keys` None: the admin, the CLI,
    stdio), or a read-only token's keys. Applied where the videos of a question are parsed
    (`restrict`), so that the REST API and the assistants' tools refuse and narrow alike."""

    keys: frozenset[str] | None = None

    def describe(self) -> str:
        return "every key" if self.keys is None else "the keys " + ", ".join(sorted(self.keys))


EVERY_KEY = Reach()


class OutOfReach(ParamError):
    """A question names a key the reader may not see: 403 on REST, a tool error for assistants."""


def restrict(videos: VideoQuery, reach: Reach) -> VideoQuery:
    """The videos asked about, as far as `reach` may see them: a key outside it is refused
    (naming what the reader may read); without a key, only the videos of its keys are meant."""
    if reach.keys is None:
        return videos
    if videos.key is not None:
        if videos.key not in reach.keys:
            raise OutOfReach(
                "query", f"key {videos.key!r} is outside this token's scope; it reads {reach.describe()}"
            )
        return videos
    return replace(videos, within=tuple(sorted(reach.keys)))


@dataclass(frozen=True, slots=True)
class Filters:
    """Only the sessions of one page, browser, device, platform or country (combined with AND):
    what a click on a row of the pages or breakdown tables narrows a view to."""

    page: str | None = None
    browser: str | None = None
    device: str | None = None
    platform: str | None = None
    country: str | None = None

    def __bool__(self) -> bool:
        return bool(self.columns())

    def columns(self) -> list[tuple[str, str]]:
        """(sessions column, value) of each filter given."""
        named = [("page_url", self.page), ("browser", self.browser), ("device", self.device)]
        named += [("platform", self.platform), ("country", self.country)]
        return [(column, value) for column, value in named if value is not None]


NO_FILTERS = Filters()

# Page URLs are stored up to this length (app/ingest/channels.py).
MAX_PAGE = 2048
# A country as stored (migrations/020): ISO 3166-1 alpha-2, or `unknown` (no GeoIP file, or an
# address it does not place). Asked in any letter case.
UNKNOWN_COUNTRY = "unknown"
COUNTRY_RULE = "a two-letter ISO 3166-1 country code such as DE, or unknown"
_COUNTRY = re.compile(r"[A-Za-z]{2}", re.ASCII)


def parse_filters(raw: Mapping[str, Any]) -> Filters:
    def category(name: str, values: tuple[str, ...]) -> str | None:
        if name not in raw:
            return None
        value = raw[name]
        if not isinstance(value, str) or value.strip().lower() not in values:
            raise ParamError(name, f"must be one of {', '.join(values)}, not {kind(value)}")
        return value.strip().lower()

    page = None
    if "page" in raw:
        page = raw["page"]
        if not isinstance(page, str) or not 0 < len(page) <= MAX_PAGE:
            raise ParamError("page", f"must be a page URL as /sources names it (its path), not {kind(page)}")
        check_text(page, "page")
    return Filters(
        page=page,
        browser=category("browser", BROWSERS),
        device=category("device", DEVICES),
        platform=category("platform", PLATFORMS),
        country=parse_country(raw["country"]) if "country" in raw else None,
    )


def parse_country(value: Any) -> str:
    """`DE`, `de` or `unknown` (any case): the country as sessions store it."""
    text = value.strip() if isinstance(value, str) else None
    if text is not None and text.lower() == UNKNOWN_COUNTRY:
        return UNKNOWN_COUNTRY
    if text is None or not _COUNTRY.fullmatch(text):
        raise ParamError("country", f"must be {COUNTRY_RULE}, not {kind(value)}")
    return text.upper()


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
