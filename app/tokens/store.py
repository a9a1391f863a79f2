"""Read-only tokens: each reads the stored sessions of one or more API keys, and nothing else.

A site owner gives one to an assistant (the MCP tools) or a script (the REST API's read
endpoints, as `Authorization: Bearer <token>`) to read one site without the admin password.
Created, listed and revoked with `video-metrics tokens ...`.

Only a SHA-256 digest of a token is stored: the token is 32 random bytes, so a slow password hash
would add nothing but latency to every request, and a database leak gives no usable token. The
token is shown once, when it is made. Every request looks the digest up, so a revoked token is
refused at once by every server process, as a revoked key is at every join.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

Connection: TypeAlias = "asyncpg.Connection[Any] | PoolConnectionProxy[Any]"

# A prefix people and secret scanners recognise, then 32 random bytes in URL-safe base64.
PREFIX = "vmt_"
TOKEN_PATTERN = re.compile(r"vmt_[A-Za-z0-9_-]{43}", re.ASCII)
MAX_NAME = 200


class UnknownKeys(Exception):
    """A token was asked for keys that do not exist; `keys` names them."""

    def __init__(self, keys: Sequence[str]) -> None:
        super().__init__(", ".join(keys))
        self.keys = tuple(keys)


@dataclass(frozen=True, slots=True)
class ReadToken:
    """A token that may be used: which one (its id and name) and the keys it reads."""

    id: int
    name: str
    keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TokenRow:
    """A token as `tokens list` shows it (never the token itself: it is not stored)."""

    id: int
    name: str
    keys: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None


def new_token() -> str:
    return PREFIX + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii").rstrip("=")


def digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


async def create_token(connection: Connection, keys: Sequence[str], name: str = "") -> tuple[int, str]:
    """Make a token that reads `keys` (each must exist); its id and the token, shown once."""
    wanted = sorted(set(keys))
    if not wanted:
        raise ValueError("a token reads at least one key")
    if len(name) > MAX_NAME:
        raise ValueError(f"a token's name is at most {MAX_NAME} characters")
    token = new_token()
    async with connection.transaction():
        rows = await connection.fetch("SELECT id, key FROM keys WHERE key = ANY($1::text[])", wanted)
        missing = sorted(set(wanted) - {row["key"] for row in rows})
        if missing:
            raise UnknownKeys(missing)
        token_id = await connection.fetchval(
            "INSERT INTO read_tokens (digest, name) VALUES ($1, $2) RETURNING id", digest(token), name
        )
        await connection.executemany(
            "INSERT INTO read_token_keys (token_id, key_id) VALUES ($1, $2)",
            [(token_id, row["id"]) for row in rows],
        )
    return int(token_id), token


async def verify(connection: Connection, token: str) -> ReadToken | None:
    """The token's grant, or None when it is malformed, unknown or revoked."""
    if not TOKEN_PATTERN.fullmatch(token):
        return None
    row = await connection.fetchrow(
        """
        SELECT t.id, t.name, array_agg(k.key ORDER BY k.key) AS keys
        FROM read_tokens t
        JOIN read_token_keys tk ON tk.token_id = t.id
        JOIN keys k ON k.id = tk.key_id
        WHERE t.digest = $1 AND t.revoked_at IS NULL
        GROUP BY t.id
        """,
        digest(token),
    )
    if row is None:
        return None
    return ReadToken(int(row["id"]), row["name"], tuple(row["keys"]))


async def list_tokens(connection: Connection) -> list[TokenRow]:
    rows = await connection.fetch(
        """
        SELECT t.id, t.name, t.created_at, t.revoked_at, array_agg(k.key ORDER BY k.key) AS keys
        FROM read_tokens t
        JOIN read_token_keys tk ON tk.token_id = t.id
        JOIN keys k ON k.id = tk.key_id
        GROUP BY t.id
        ORDER BY t.id
        """
    )
    return [
        TokenRow(int(row["id"]), row["name"], tuple(row["keys"]), row["created_at"], row["revoked_at"])
        for row in rows
    ]


async def revoke_token(connection: Connection, token_id: int) -> datetime | None:
    """Revoke a token (again revoking keeps the first time); None when there is no such token."""
    revoked_at: datetime | None = await connection.fetchval(
        "UPDATE read_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING revoked_at",
        token_id,
    )
    return revoked_at
