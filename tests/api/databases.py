"""The databases the API's SQL is held to: the test database, and TimescaleDB when one is given.

`TIMESCALEDB_URL` names a TimescaleDB server (it is not packaged for Debian or PyPI, so CI on
plain PostgreSQL cannot run those cases, and they say so when they skip).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import asyncpg
import pytest

from tests.support.databases import migrated_pool

TIMESCALE_URL = os.environ.get("TIMESCALEDB_URL")
KINDS = ["postgresql", "timescaledb"]
SKIP_REASON = "needs a TimescaleDB server: set TIMESCALEDB_URL (not packaged for Debian or PyPI)"


async def pool_of(kind: str, api_pool: asyncpg.Pool, prefix: str) -> AsyncIterator[asyncpg.Pool]:
    """The test database's pool, or one on a fresh database of the TimescaleDB server."""
    if kind == "postgresql":
        yield api_pool
        return
    if TIMESCALE_URL is None:
        pytest.skip(SKIP_REASON)
    async with migrated_pool(TIMESCALE_URL, prefix, max_size=4) as pool:
        yield pool
