"""The deletion's test of rows not stored yet is PostgreSQL's own: containment and equality of
jsonb, held to the database on generated values."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.data.matching import RecordMatch, canonical, contains
from app.ingest.record import SessionRecord

# A small universe, so that generated documents and patterns often contain each other.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-1, max_value=2),
    st.sampled_from([0.0, 1.0, 1.5, -0.0]),
    st.sampled_from(["", "a", "b", "1", "true", "é"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["a", "b", "c"]), inner, max_size=3),
    ),
    max_leaves=8,
)
PROPERTY = settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@PROPERTY
@given(document=json_values, pattern=json_values)
async def test_containment_is_jsonbs(db: asyncpg.Connection, document: Any, pattern: Any) -> None:
    expected = await db.fetchval(
        "SELECT $1::text::jsonb @> $2::text::jsonb", json.dumps(document), json.dumps(pattern)
    )
    assert contains(document, pattern) is expected


@PROPERTY
@given(a=json_values, b=json_values)
async def test_canonical_text_is_jsonb_equality(db: asyncpg.Connection, a: Any, b: Any) -> None:
    expected = await db.fetchval("SELECT $1::text::jsonb = $2::text::jsonb", json.dumps(a), json.dumps(b))
    assert (canonical(a) == canonical(b)) is expected


def record(key_id: int, metadata: Any, identifier: str | None, started: datetime) -> SessionRecord:
    return SessionRecord(
        id=uuid.uuid4(), started_at=started, ended_at=started, key_id=key_id, metadata=metadata,
        identifier=identifier, duration=None, browser="chrome", platform="linux", device="desktop",
        page_host="h", page_url="https://h/", segments=[], watched=0.0, unique_watched=0.0, final=True,
    )  # fmt: skip


def test_a_row_matches_by_its_stored_video_or_by_the_scope_itself() -> None:
    old, new = datetime(2023, 1, 1, tzinfo=UTC), datetime(2024, 6, 1, tzinfo=UTC)
    stored_video = frozenset({(1, canonical({"id": 1.0}))})
    by_video = RecordMatch(key_id=None, video={"id": 1}, identifier=None, videos=stored_video, before=None)
    assert by_video(record(1, {"id": 1}, None, old))  # the stored video, written as 1 rather than 1.0
    assert by_video(record(2, {"id": 1, "x": 2}, None, old))  # a video not stored yet, contained
    assert not by_video(record(2, {"id": 2}, None, old))
    whole_key = RecordMatch(key_id=1, video=None, identifier=None, videos=frozenset(), before=new)
    assert whole_key(record(1, ["any"], None, old))
    assert not whole_key(record(1, ["any"], None, new))  # not before `before`
    assert not whole_key(record(3, ["any"], None, old))
    by_label = RecordMatch(key_id=None, video=None, identifier="t", videos=frozenset(), before=None)
    assert by_label(record(5, {}, "t", old)) and not by_label(record(5, {}, "u", old))
    unknown_key = RecordMatch(key_id=-1, video=None, identifier=None, videos=frozenset(), before=None)
    assert not unknown_key(record(1, {}, None, old))
    nothing = RecordMatch(key_id=None, video=None, identifier=None, videos=frozenset(), before=None)
    assert not nothing(record(1, {}, None, old))
