"""What a join asks to record, checked at the door: storable, or refused with a reason. Pure.

Everything of a join that reaches the database (key, metadata, identifier, page) is checked here,
so a session whose join was answered ok is never refused later by the database: a key no key can
be (app/keyrules.py), text with a NUL (PostgreSQL's text and jsonb cannot hold one), metadata
nested deeper than anyone's video ids are or larger than the unique index on videos can hold.
Each refusal names the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import orjson

from app.keyrules import KEY_PATTERN

# The reasons of the reference server, which clients may match on.
MISSING = "missing parameters and/or invalid host"
INVALID_KEY = "invalid key"

# The video is identified by (key, metadata) under a unique B-tree index, whose entries hold at
# most 2,704 bytes; metadata whose jsonb form may be larger than this is refused (the rest of the
# entry is the key id and headers). jsonb can be six times the JSON text (a list of small
# numbers), so the text's length alone would not tell.
MAX_METADATA_BYTES = 2400
MAX_METADATA_DEPTH = 32
MAX_IDENTIFIER = 512  # characters kept of the label
MAX_URL = 2048
# Pages and metadata remembered, so that the sessions of one page or one video share one copy
# (an open session is mostly the stack's memory; its page and metadata were a fifth of the rest).
# The least recently used go first; at the limits above, a few MiB at most whatever is sent.
SHARED = 1024


@dataclass(frozen=True, slots=True)
class Page:
    """Where the page is: scheme://host/path without query or fragment, and the host."""

    url: str
    host: str

    @classmethod
    def parse(cls, value: object) -> Page | None:
        """The page of a URL, or None for anything that is not an http(s) URL with a host. The
        same page is the same object, for every socket and join of it."""
        if not isinstance(value, str) or not 0 < len(value) <= MAX_URL or "\x00" in value:
            return None
        return _parsed(value)


@lru_cache(maxsize=SHARED)
def _parsed(value: str) -> Page | None:
    try:
        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not host:
        return None
    netloc = f"{host}:{port}" if port else host
    return _page(f"{parts.scheme}://{netloc}{parts.path or '/'}", host)


@lru_cache(maxsize=SHARED)
def _page(url: str, host: str) -> Page:
    """One object for a page, whatever its query string or fragment was."""
    return Page(url, host)


@dataclass(frozen=True, slots=True)
class JoinRequest:
    """A join's payload, as it will be stored."""

    key: str
    metadata: Any
    identifier: str | None
    page: Page


def read_join(payload: dict[str, Any], socket_page: Page | None) -> JoinRequest | str:
    """The join's request, or the reason to refuse it. The page is the payload's `source_url`
    when it is one, else the socket's."""
    key = payload.get("key")
    metadata = payload.get("metadata")
    page = Page.parse(payload.get("source_url")) or socket_page
    if not isinstance(key, str) or not key or metadata is None or page is None:
        return MISSING
    if not KEY_PATTERN.fullmatch(key):
        return INVALID_KEY  # no key has this text (app/keyrules.py): no need to ask the database
    problem = _metadata_problem(metadata)
    if problem is not None:
        return f"metadata {problem}"
    identifier = payload.get("identifier")
    if not isinstance(identifier, str):
        identifier = None  # a label is optional; a number or an object is not one
    elif "\x00" in identifier:
        return "identifier must not contain NUL characters"
    else:
        identifier = identifier[:MAX_IDENTIFIER]
        try:
            _text_bytes(identifier)
        except _Unstorable:
            return "identifier must be valid Unicode text"
    return JoinRequest(key=key, metadata=shared(metadata), identifier=identifier, page=page)


def shared(metadata: Any) -> Any:
    """Metadata equal to that of a recent join, field order included, is that join's object:
    the sessions of one video share it. Nothing here changes metadata once read (rows and
    journal lines are written from it; a sink is handed it to read, as before, when it was
    already shared by every row of its session)."""
    try:
        text = orjson.dumps(metadata)
    except TypeError:  # not what a frame gives (orjson read it): keep it as it is
        return metadata
    known = _metadata(text)
    # Equal unless it held what JSON cannot (NaN, infinity: written as null), which no frame does.
    return known if known == metadata else metadata


@lru_cache(maxsize=SHARED)
def _metadata(text: bytes) -> Any:
    return orjson.loads(text)


def _metadata_problem(metadata: Any) -> str | None:
    """What makes metadata unstorable, if anything."""
    try:
        size = stored_size_bound(metadata)
    except _Unstorable as problem:
        return str(problem)
    if size > MAX_METADATA_BYTES:
        return f"must be at most {MAX_METADATA_BYTES} bytes as stored (jsonb)"
    return None


class _Unstorable(ValueError):
    pass


# What orjson writes: signed and unsigned 64-bit integers.
_SMALLEST_INT = -(2**63)
_LARGEST_INT = 2**64 - 1


def stored_size_bound(metadata: Any) -> int:
    """At least the size of the metadata as PostgreSQL stores it (jsonb, uncompressed); raises
    for what it cannot store. Walked without recursion, so that hostile nesting costs a loop,
    not the stack, and stopped once past the limit."""
    size = 4 + _CONTAINER  # the length header, and the root container (a scalar is put in one)
    pending: list[tuple[Any, int]] = [(metadata, 0)]
    while pending and size <= MAX_METADATA_BYTES:
        value, depth = pending.pop()
        if depth > MAX_METADATA_DEPTH:
            raise _Unstorable(f"must not be nested more than {MAX_METADATA_DEPTH} levels deep")
        size += _ENTRY
        if isinstance(value, str):
            if "\x00" in value:
                raise _Unstorable("must not contain NUL characters")
            size += _text_bytes(value)
        elif isinstance(value, dict):
            size += _CONTAINER
            for name, inner in value.items():
                if "\x00" in name:
                    raise _Unstorable("must not contain NUL characters")
                size += _ENTRY + _text_bytes(name)
                pending.append((inner, depth + 1))
        elif isinstance(value, list):
            size += _CONTAINER
            pending.extend((inner, depth + 1) for inner in value)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            if isinstance(value, int) and not _SMALLEST_INT <= value <= _LARGEST_INT:
                # A frame never holds one (orjson reads such a number as a float), and the
                # journal and sinks, which write with orjson, could not write it.
                raise _Unstorable("numbers must be within 64-bit integers")
            size += _NUMBER + len(orjson.dumps(value))
    return size


# An upper bound of jsonb's binary size (src/backend/utils/adt/jsonb_util.c): each value has a
# 4-byte entry and up to 3 bytes of alignment; a container a 4-byte header; a number is a numeric
# of at most an 8-byte header and 2 bytes per 4 digits, never more than its JSON text. Held to
# PostgreSQL's own pg_column_size by tests/ingest/test_join_storage.py; a scalar is stored
# inside a one-element array, which the root's entry and container cover.
_ENTRY = 4 + 3
_CONTAINER = 4
_NUMBER = 8


def _text_bytes(value: str) -> int:
    if value.isascii():
        return len(value)
    try:
        return len(value.encode("utf-8"))
    except UnicodeEncodeError:  # a lone surrogate: orjson never gives one, but be total
        raise _Unstorable("must be valid Unicode text") from None
