"""Resume lookups against a real database: joins at once are looked up together, each gets its
own session's stored part, and a join given up spoils no other's answer."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from app.db.pool import create_pool
from app.ingest.resume import BATCH, Resumption
from tests.api.rows import add_key, add_session, add_video
from tests.support.server import ServerProcess


class CountingPool:
    """The real pool, counting the queries sent through it."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self.asked = 0

    async def fetch(self, query: str, *args: Any) -> Any:
        self.asked += 1
        return await self.pool.fetch(query, *args)


@pytest.fixture
async def pool(database_url: str, server: ServerProcess) -> Any:  # the server: for its migrations
    pool = await create_pool(database_url, max_size=2)
    yield pool
    await pool.close()


async def test_joins_at_once_are_looked_up_together(pool: asyncpg.Pool) -> None:
    now = datetime.now(UTC)
    async with pool.acquire() as connection:
        key_id, _ = await add_key(connection)
        video = await add_video(connection, key_id, {"resume": "storm"})
        stored = {
            await add_session(connection, key_id, video, now - timedelta(minutes=1, seconds=n), 10.0 + n): n
            for n in range(50)
        }
    unknown = [uuid.uuid4() for _ in range(2 * BATCH)]
    counting = CountingPool(pool)
    resumption = Resumption(counting)  # type: ignore[arg-type]
    asked = [*stored, *unknown]
    answers = await asyncio.gather(*(resumption.prior(session) for session in asked))
    for session, prior in zip(asked, answers, strict=True):
        if session in stored:
            n = stored[session]
            assert prior is not None and prior.segments[0].end == 10.0 + n
            assert prior.started_at == (now - timedelta(minutes=1, seconds=n)).timestamp()
        else:
            assert prior is None
    assert counting.asked <= len(asked) // BATCH + 2
    # One join alone is asked alone, as before.
    assert (await resumption.prior(next(iter(stored)))) is not None


async def test_a_join_given_up_spoils_no_other_answer(pool: asyncpg.Pool) -> None:
    now = datetime.now(UTC)
    async with pool.acquire() as connection:
        key_id, _ = await add_key(connection)
        video = await add_video(connection, key_id, {"resume": "given up"})
        session = await add_session(connection, key_id, video, now - timedelta(minutes=2), 12.0)
    resumption = Resumption(pool)
    first = asyncio.ensure_future(resumption.prior(session))
    second = asyncio.ensure_future(resumption.prior(session))
    await asyncio.sleep(0)
    first.cancel()
    prior = await second
    assert prior is not None and prior.segments[0].end == 12.0
    with pytest.raises(asyncio.CancelledError):
        await first
