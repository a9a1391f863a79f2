"""Does a session row waiting in this process fall in a deletion's scope? The same question the
database answers with `@>` and `=`, asked of a row that is not in the database yet.

`contains` is PostgreSQL's jsonb containment, in Python (a property test holds the two to each
other): objects contain objects key by key, arrays contain arrays element by element (order and
repetition ignored), scalars equal scalars, and a top-level array contains a scalar it holds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.ingest.record import SessionRecord


def contains(document: Any, pattern: Any, *, top: bool = True) -> bool:
    """`document @> pattern` as jsonb decides it."""
    if isinstance(pattern, dict):
        return isinstance(document, dict) and all(
            name in document and contains(document[name], value, top=False) for name, value in pattern.items()
        )
    if isinstance(pattern, list):
        return isinstance(document, list) and all(
            any(_element_contains(element, wanted) for element in document) for wanted in pattern
        )
    if isinstance(document, list) and top:
        return any(_same_scalar(element, pattern) for element in document)
    return _same_scalar(document, pattern)


def _element_contains(element: Any, wanted: Any) -> bool:
    if isinstance(wanted, (dict, list)):
        return contains(element, wanted, top=False)
    return _same_scalar(element, wanted)


def _same_scalar(a: Any, b: Any) -> bool:
    """JSON scalars: true is not 1, and numbers compare by value (1 = 1.0, as jsonb's numeric)."""
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return False
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return type(a) is type(b) and a == b


def canonical(value: Any) -> str:
    """One text per jsonb value: keys sorted, whole numbers written alike (jsonb has 1 = 1.0)."""
    return json.dumps(_normal(value), sort_keys=True, separators=(",", ":"))


def _normal(value: Any) -> Any:
    if isinstance(value, dict):
        return {name: _normal(inner) for name, inner in value.items()}
    if isinstance(value, list):
        return [_normal(inner) for inner in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@dataclass(frozen=True, slots=True)
class RecordMatch:
    """The scope of a deletion, as a test of one waiting row.

    A row matches when it started before `before` (if given) and either belongs to a video the
    database resolved the scope to, or itself satisfies the scope: its key, metadata containment
    and label. The second part catches the first sessions of a video not stored yet.
    """

    key_id: int | None  # the query's key (resolved); -1 for a key the database does not know
    video: dict[str, Any] | None
    identifier: str | None
    videos: frozenset[tuple[int, str]]  # (key_id, canonical metadata) of the resolved videos
    before: datetime | None

    def __call__(self, record: SessionRecord) -> bool:
        if self.before is not None and record.started_at >= self.before:
            return False
        if (record.key_id, canonical(record.metadata)) in self.videos:
            return True
        if self.key_id is None and self.video is None and self.identifier is None:
            return False
        if self.key_id is not None and record.key_id != self.key_id:
            return False
        if self.video is not None and not contains(record.metadata, self.video):
            return False
        return self.identifier is None or record.identifier == self.identifier
