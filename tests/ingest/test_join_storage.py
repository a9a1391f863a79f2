"""The join's size bound holds against PostgreSQL itself: what the door accepts fits the videos
table's unique index, whatever its shape, and the bound is never below jsonb's real size."""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.ingest.join import MAX_METADATA_BYTES, stored_size_bound
from tests.support.databases import fresh_database

storable_text = st.characters(exclude_characters="\x00", exclude_categories=["Cs"])
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(storable_text),
    lambda inner: (
        st.lists(inner, max_size=8)
        | st.dictionaries(
            st.text(storable_text, max_size=6),
            inner,
            max_size=8,
        )
    ),
    max_leaves=60,
)


@pytest.fixture(scope="module")
async def connection(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    async with fresh_database(database_url, "joinsize") as url:
        connection = await asyncpg.connect(url)
        # The same unique index as videos (key_id, metadata) has.
        await connection.execute("CREATE TABLE v (key_id bigint, metadata jsonb, UNIQUE (key_id, metadata))")
        yield connection
        await connection.close()


async def jsonb_size(connection: asyncpg.Connection, value: Any) -> int:
    size: int = await connection.fetchval(
        "SELECT pg_column_size($1::text::jsonb)", orjson.dumps(value).decode()
    )
    return size


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=json_values)
async def test_the_bound_is_never_below_jsonbs_size(connection: asyncpg.Connection, value: Any) -> None:
    assert stored_size_bound(value) >= await jsonb_size(connection, value)


def _at_the_edge(make: Any) -> Any:
    """The largest value of a shape the door accepts."""
    count = 1
    while stored_size_bound(make(count + 1)) <= MAX_METADATA_BYTES:
        count += 1
    return make(count)


SHAPES = {
    "small numbers": lambda n: [random.Random(n).randrange(10) for _ in range(n)],
    "numbers of every length": lambda n: [random.Random(i).randrange(10 ** (i % 19 + 1)) for i in range(n)],
    "random floats": lambda n: [random.Random(i).uniform(-1e300, 1e300) for i in range(n)],
    "short keys": lambda n: {f"{i:x}": random.Random(i).randrange(100) for i in range(n)},
    "random text": lambda n: {"t": "".join(chr(random.Random(i).randrange(0x20, 0x2FFF)) for i in range(n))},
    "nested lists": lambda n: [[[i, -i]] for i in range(n)],
    "booleans and nulls": lambda n: [None, True, False] * n,
}


@pytest.mark.parametrize("shape", SHAPES)
async def test_the_largest_accepted_metadata_of_any_shape_is_stored(
    connection: asyncpg.Connection, shape: str
) -> None:
    value = _at_the_edge(SHAPES[shape])
    assert stored_size_bound(value) <= MAX_METADATA_BYTES
    # Stored under the unique index, as the writer stores a video (no compression relied on:
    # random data barely compresses, and the bound is of the uncompressed size).
    await connection.execute("INSERT INTO v VALUES (1, $1::text::jsonb)", json.dumps(value))
    assert await jsonb_size(connection, value) <= MAX_METADATA_BYTES
