"""The join's door: what reaches the database is storable, or the join is refused naming the field."""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.ingest.join import (
    INVALID_KEY,
    MAX_IDENTIFIER,
    MAX_METADATA_BYTES,
    MAX_METADATA_DEPTH,
    MAX_URL,
    MISSING,
    JoinRequest,
    Page,
    read_join,
    stored_size_bound,
)

SOCKET_PAGE = Page.parse("https://shop.example.com/products/shoes")


def join(**payload: Any) -> JoinRequest | str:
    return read_join({"key": "K", "metadata": {"id": 1}} | payload, SOCKET_PAGE)


def nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = {"a": value}
    return value


def test_a_plain_join_is_read_as_it_will_be_stored() -> None:
    request = join(identifier="Launch film", source_url="https://a.example/watch?x=1#t")
    assert request == JoinRequest("K", {"id": 1}, "Launch film", Page("https://a.example/watch", "a.example"))


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ({"metadata": {"t": "a\x00b"}}, "metadata must not contain NUL characters"),
        ({"metadata": {"a\x00": 1}}, "metadata must not contain NUL characters"),
        ({"metadata": ["x", ["y\x00"]]}, "metadata must not contain NUL characters"),
        ({"metadata": "\x00"}, "metadata must not contain NUL characters"),
        ({"identifier": "Launch\x00film"}, "identifier must not contain NUL characters"),
        ({"metadata": None}, MISSING),
        ({"key": ""}, MISSING),
        ({"key": 7}, MISSING),
        ({"key": "K\x00"}, INVALID_KEY),
        ({"key": "ké"}, INVALID_KEY),
        ({"key": "K" * 129}, INVALID_KEY),
    ],
)
def test_unstorable_text_is_refused_naming_the_field(payload: dict[str, Any], reason: str) -> None:
    assert join(**payload) == reason


def test_metadata_nesting_at_its_edge() -> None:
    assert isinstance(join(metadata=nested(MAX_METADATA_DEPTH)), JoinRequest)
    assert join(metadata=nested(MAX_METADATA_DEPTH + 1)) == (
        f"metadata must not be nested more than {MAX_METADATA_DEPTH} levels deep"
    )


def test_metadata_nested_a_thousand_levels_is_refused_without_recursion() -> None:
    deep: Any = 1
    for _ in range(1000):
        deep = [deep]
    assert join(metadata=deep) == f"metadata must not be nested more than {MAX_METADATA_DEPTH} levels deep"


def test_metadata_size_at_its_edge() -> None:
    def text_of(length: int) -> dict[str, str]:
        return {"t": "x" * length}

    overhead = stored_size_bound(text_of(0))
    fits = text_of(MAX_METADATA_BYTES - overhead)
    assert stored_size_bound(fits) == MAX_METADATA_BYTES
    assert isinstance(join(metadata=fits), JoinRequest)
    too_big = text_of(MAX_METADATA_BYTES - overhead + 1)
    assert join(metadata=too_big) == f"metadata must be at most {MAX_METADATA_BYTES} bytes as stored (jsonb)"


def test_small_numbers_count_for_what_jsonb_makes_of_them() -> None:
    """A list of zeros is six times its JSON text as jsonb: the text's length would let it by."""
    zeros = [0] * 200
    assert len(json.dumps(zeros, separators=(",", ":"))) < 500
    assert join(metadata=zeros) == f"metadata must be at most {MAX_METADATA_BYTES} bytes as stored (jsonb)"


def test_identifier_is_cut_to_its_length_and_other_types_are_no_label() -> None:
    request = join(identifier="é" * (MAX_IDENTIFIER + 5))
    assert isinstance(request, JoinRequest) and request.identifier == "é" * MAX_IDENTIFIER
    for label in (7, None, ["x"], {"a": 1}):
        request = join(identifier=label)
        assert isinstance(request, JoinRequest) and request.identifier is None


def test_a_page_url_with_a_nul_is_no_page() -> None:
    assert Page.parse("https://a.example/wa\x00tch") is None
    # The socket's page stands in for a payload URL that is not one.
    request = join(source_url="https://a.example/wa\x00tch")
    assert isinstance(request, JoinRequest) and request.page == SOCKET_PAGE
    assert read_join({"key": "K", "metadata": {}, "source_url": "https://a\x00.example/"}, None) == MISSING


def test_metadata_integers_at_the_64_bit_edges() -> None:
    for storable in (-(2**63), 2**64 - 1):
        assert isinstance(join(metadata={"n": storable}), JoinRequest)
    for beyond in (-(2**63) - 1, 2**64):
        assert join(metadata={"n": [beyond]}) == "metadata numbers must be within 64-bit integers"


def test_page_url_length_at_its_edge() -> None:
    base = "https://a.example/"
    assert Page.parse(base + "p" * (MAX_URL - len(base))) is not None
    assert Page.parse(base + "p" * (MAX_URL - len(base) + 1)) is None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=30,
)


@given(payload=st.dictionaries(st.sampled_from(["key", "metadata", "identifier", "source_url"]), json_values))
def test_any_payload_is_read_or_refused_and_what_is_read_is_storable(payload: dict[str, Any]) -> None:
    request = read_join(payload, SOCKET_PAGE)
    if isinstance(request, str):
        return
    stored = orjson.dumps([request.key, request.metadata, request.identifier, request.page.url])
    assert b"\\u0000" not in stored
    assert len(orjson.dumps(request.metadata)) <= MAX_METADATA_BYTES
