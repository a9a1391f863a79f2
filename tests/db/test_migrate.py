"""The migration runner on a fresh database: in order, once, safe when processes race."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator

import asyncpg
import pytest

from app.db.migrate import has_timescaledb, migrate, migration_files, pending
from tests.support.databases import fresh_database


@pytest.fixture
async def fresh_url(database_url: str) -> AsyncIterator[str]:
    async with fresh_database(database_url, "migrate") as url:
        yield url


async def test_applies_every_file_once_in_order(fresh_url: str) -> None:
    connection = await asyncpg.connect(fresh_url)
    try:
        names = [path.name for path in migration_files()]
        assert await pending(connection) == names
        assert await migrate(connection) == names
        assert await migrate(connection) == []
        assert await pending(connection) == []
        recorded = [
            r["name"] for r in await connection.fetch("SELECT name FROM schema_migrations ORDER BY name")
        ]
        assert recorded == sorted(names)
    finally:
        await connection.close()


async def test_racing_processes_apply_each_file_once(fresh_url: str) -> None:
    connections = [await asyncpg.connect(fresh_url) for _ in range(3)]
    try:
        results = await asyncio.gather(*(migrate(c) for c in connections))
        applied = [name for result in results for name in result]
        assert sorted(applied) == sorted(path.name for path in migration_files())
    finally:
        for connection in connections:
            await connection.close()


async def test_plain_postgres_gets_plain_tables(fresh_url: str) -> None:
    connection = await asyncpg.connect(fresh_url)
    try:
        await migrate(connection)
        if await has_timescaledb(connection):
            pytest.skip("this database has TimescaleDB; test_timescaledb_hypertable covers it")
        kind = await connection.fetchval("SELECT relkind::text FROM pg_class WHERE relname = 'sessions'")
        assert kind == "r"
    finally:
        await connection.close()


TIMESCALE_URL = os.environ.get("TIMESCALEDB_URL")


@pytest.mark.skipif(
    TIMESCALE_URL is None,
    reason="needs a TimescaleDB server: set TIMESCALEDB_URL (not packaged for Debian or PyPI)",
)
async def test_timescaledb_hypertable(database_url: str) -> None:
    assert TIMESCALE_URL is not None
    async with fresh_database(TIMESCALE_URL, "migrate") as url:
        connection = await asyncpg.connect(url)
        try:
            await migrate(connection)
            assert await has_timescaledb(connection)
            hypertables = await connection.fetchval(
                "SELECT count(*) FROM timescaledb_information.hypertables WHERE hypertable_name = 'sessions'"
            )
            assert hypertables == 1
        finally:
            await connection.close()
