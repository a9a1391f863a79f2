"""Throwaway databases on a test server, for tests whose schema or data must touch no other test."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from app.db.migrate import migrate
from app.db.pool import create_pool


def with_database(url: str, name: str) -> str:
    """The same server URL, naming another database."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


@asynccontextmanager
async def fresh_database(server_url: str, prefix: str) -> AsyncIterator[str]:
    """Create an empty database on the server at `server_url`, yield its URL, drop it after."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(server_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield with_database(server_url, name)
    finally:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


@asynccontextmanager
async def migrated_pool(server_url: str, prefix: str, max_size: int = 10) -> AsyncIterator[asyncpg.Pool]:
    """A pool on a fresh database with the schema applied, as the server would have it."""
    async with fresh_database(server_url, prefix) as url:
        pool = await create_pool(url, max_size=max_size)
        try:
            async with pool.acquire() as connection:
                await migrate(connection)
            yield pool
        finally:
            await pool.close()
