"""The migration runner on a fresh database: in order, once, safe when processes race."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from app.db.migrate import has_timescaledb, migrate, migration_files, pending


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


@pytest.fixture
async def fresh_url(database_url: str) -> AsyncIterator[str]:
    name = f"migrate_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(database_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(database_url, name)
    finally:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


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
    admin = await asyncpg.connect(TIMESCALE_URL)
    name = f"migrate_{secrets.token_hex(4)}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        connection = await asyncpg.connect(_with_database(TIMESCALE_URL, name))
        try:
            await migrate(connection)
            assert await has_timescaledb(connection)
            hypertables = await connection.fetchval(
                "SELECT count(*) FROM timescaledb_information.hypertables WHERE hypertable_name = 'sessions'"
            )
            assert hypertables == 1
        finally:
            await connection.close()
    finally:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()
