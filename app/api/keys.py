"""API keys: create, list, revoke. Shared by the REST API and the `keys` command.

Revoking only sets `disabled_at`: ingest asks the database at every join, so a revoked key is
refused at once by every process, and the sessions recorded under it stay readable.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from app.web import DEMO_SETTING

# A connection of its own or one borrowed from the pool: the queries take either.
Connection: TypeAlias = "asyncpg.Connection[Any] | PoolConnectionProxy[Any]"


class KeyExists(Exception):
    """A custom key that is already taken (revoked keys stay taken: their sessions keep it)."""


@dataclass(frozen=True, slots=True)
class KeyRow:
    key: str
    created_at: datetime
    disabled_at: datetime | None
    demo: bool = False  # the key the server's /demo page records with


def new_key() -> str:
    """16 random bytes in URL-safe base64 without padding: 22 characters that need no escaping
    in a URL path (`DELETE /api/v1/keys/{key}`) or a query string (`?key=`). Never one that
    starts with "-", which a shell command (`video-metrics keys revoke KEY`) reads as an option."""
    while True:
        key = base64.urlsafe_b64encode(secrets.token_bytes(16)).decode("ascii").rstrip("=")
        if not key.startswith("-"):
            return key


async def create_key(connection: Connection, key: str | None = None) -> str:
    chosen = key if key is not None else new_key()
    created = await connection.fetchval(
        "INSERT INTO keys (key) VALUES ($1) ON CONFLICT (key) DO NOTHING RETURNING key", chosen
    )
    if created is None:
        raise KeyExists(chosen)
    return str(created)


async def list_keys(connection: Connection) -> list[KeyRow]:
    rows = await connection.fetch(
        """
        SELECT k.key, k.created_at, k.disabled_at, s.value IS NOT NULL AS demo
        FROM keys k LEFT JOIN server_settings s ON s.name = $1 AND s.value = k.key
        ORDER BY k.id
        """,
        DEMO_SETTING,
    )
    return [KeyRow(row["key"], row["created_at"], row["disabled_at"], row["demo"]) for row in rows]


async def revoke_key(connection: Connection, key: str) -> datetime | None:
    """Revoke a key (again revoking keeps the first time); None when there is no such key."""
    disabled_at: datetime | None = await connection.fetchval(
        """
        UPDATE keys SET disabled_at = coalesce(disabled_at, now()) WHERE key = $1
        RETURNING disabled_at
        """,
        key,
    )
    return disabled_at
