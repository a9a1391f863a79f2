"""A pool on the shared test database (tests/conftest.py), migrated, for the API's SQL."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from app.db.migrate import migrate
from app.db.pool import create_pool
from tests.api.quality_site import quality_site  # noqa: F401 (a fixture: one recording per package)


@pytest.fixture(scope="session")
async def api_pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(database_url, max_size=4)
    async with pool.acquire() as connection:
        await migrate(connection)  # idempotent: a server started earlier may have done it already
    try:
        yield pool
    finally:
        await pool.close()
