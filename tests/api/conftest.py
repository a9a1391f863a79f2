"""A pool on the shared test database (tests/conftest.py), migrated, for the API's SQL; and the
site with quality events that /qoe, /errors and the plays additions are asked about."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from app.db.migrate import migrate
from app.db.pool import create_pool
from tests.api.quality_site import QualitySite, record_quality_site
from tests.support.server import ServerProcess


@pytest.fixture(scope="session")
async def api_pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(database_url, max_size=4)
    async with pool.acquire() as connection:
        await migrate(connection)  # idempotent: a server started earlier may have done it already
    try:
        yield pool
    finally:
        await pool.close()


@pytest.fixture(scope="session")
async def quality_site(server: ServerProcess, database_url: str) -> QualitySite:
    """Recorded once (it takes a few seconds: each session stays open 1.5 s) for every test that
    asks about it; nothing changes it afterwards."""
    return await record_quality_site(server, database_url)
