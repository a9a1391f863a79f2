"""Schema migrations: `migrations/*.sql` applied in order, each exactly once, under an advisory lock."""

from __future__ import annotations

import logging
from pathlib import Path

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from app.resources import resource_dir

log = logging.getLogger("video_metrics.db")

MIGRATIONS_DIR = resource_dir("migrations")

# Held while migrating so that several processes starting at once apply each file once.
Connection = asyncpg.Connection | PoolConnectionProxy

_LOCK_ID = 0x5649_4445_4F4D  # "VIDEOM"


def migration_files(directory: Path = MIGRATIONS_DIR) -> list[Path]:
    files = sorted(directory.glob("*.sql"))
    if not files:
        raise FileNotFoundError(f"no migrations found in {directory}")
    return files


async def migrate(connection: Connection, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply what is not applied yet; return the names applied now."""
    files = migration_files(directory)
    await connection.execute("SELECT pg_advisory_lock($1)", _LOCK_ID)
    try:
        await connection.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                name       text PRIMARY KEY,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """
        )
        done = {row["name"] for row in await connection.fetch("SELECT name FROM schema_migrations")}
        applied = []
        for path in files:
            if path.name in done:
                continue
            async with connection.transaction():
                await connection.execute(path.read_text())
                await connection.execute("INSERT INTO schema_migrations (name) VALUES ($1)", path.name)
            log.info("event=migration_applied name=%s", path.name)
            applied.append(path.name)
        return applied
    finally:
        await connection.execute("SELECT pg_advisory_unlock($1)", _LOCK_ID)


async def pending(connection: Connection, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Migrations not applied yet: the schema is current when this is empty."""
    names = [path.name for path in migration_files(directory)]
    exists = await connection.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
    if not exists:
        return names
    done = {row["name"] for row in await connection.fetch("SELECT name FROM schema_migrations")}
    return [name for name in names if name not in done]


async def has_timescaledb(connection: Connection) -> bool:
    found = await connection.fetchval(
        "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb')"
    )
    return bool(found)
