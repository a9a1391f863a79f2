"""The join's key check against a real database: a storm of joins of one key asks once, a join
given up does not spoil the others' answer, and a revocation is seen by the next join."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from app.db.pool import create_pool
from app.ingest.keys import KeyCheck
from tests.api.rows import add_key
from tests.support.server import ServerProcess


class CountingPool:
    """The real pool, counting the lookups sent through it."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self.asked = 0

    async def fetchval(self, query: str, *args: Any) -> Any:
        self.asked += 1
        await asyncio.sleep(0.05)  # a lookup that takes a while, so that joins pile up behind it
        return await self.pool.fetchval(query, *args)


@pytest.fixture
async def pool(database_url: str, server: ServerProcess) -> Any:  # the server: for its migrations
    pool = await create_pool(database_url, max_size=2)
    yield pool
    await pool.close()


async def test_joins_of_one_key_at_once_share_one_lookup(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as connection:
        key_id, key = await add_key(connection)
    counting = CountingPool(pool)
    check = KeyCheck(counting)  # type: ignore[arg-type]
    answers = await asyncio.gather(*(check.key_id(key) for _ in range(500)))
    assert answers == [key_id] * 500
    assert counting.asked == 1
    # The next join asks again: nothing is kept but the answer of the lookup in flight.
    assert await check.key_id(key) == key_id
    assert counting.asked == 2


async def test_a_join_given_up_does_not_cancel_the_lookup_others_wait_for(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as connection:
        key_id, key = await add_key(connection)
    check = KeyCheck(CountingPool(pool))  # type: ignore[arg-type]
    first = asyncio.ensure_future(check.key_id(key))
    second = asyncio.ensure_future(check.key_id(key))
    await asyncio.sleep(0.01)
    first.cancel()
    assert await second == key_id
    with pytest.raises(asyncio.CancelledError):
        await first


async def test_a_revoked_key_is_refused_at_the_next_join(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as connection:
        key_id, key = await add_key(connection)
        check = KeyCheck(pool)
        assert await check.key_id(key) == key_id
        await connection.execute("UPDATE keys SET disabled_at = now() WHERE id = $1", key_id)
    assert await check.key_id(key) is None
    assert await check.key_id("not a key!") is None
