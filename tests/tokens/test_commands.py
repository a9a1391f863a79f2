"""`video-metrics tokens create / list / revoke` as an operator runs them, and what is stored:
a digest of each token, never the token."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import AsyncIterator

import asyncpg
import pytest

from app import tokens
from app.db.migrate import migrate
from tests.test_cli import run


@pytest.fixture
async def db(db: asyncpg.Connection) -> AsyncIterator[asyncpg.Connection]:
    """The test database, migrated (when this module runs first, no server has done it yet)."""
    await migrate(db)
    yield db


async def test_create_list_revoke(db: asyncpg.Connection, database_url: str) -> None:
    key_a, key_b = ("tok-a-" + secrets.token_hex(4), "tok-b-" + secrets.token_hex(4))
    await db.executemany("INSERT INTO keys (key) VALUES ($1)", [(key_a,), (key_b,)])

    created = run(
        "tokens", "create", "--key", key_a, key_b, "--name", "Claude on my laptop", DATABASE_URL=database_url
    )
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    assert tokens.TOKEN_PATTERN.fullmatch(token)
    assert "shown only now" in created.stderr
    token_id = int(created.stderr.split()[1])

    # Only the digest is kept: nowhere in the database's rows is the token.
    row = await db.fetchrow("SELECT * FROM read_tokens WHERE id = $1", token_id)
    assert row is not None and bytes(row["digest"]) == hashlib.sha256(token.encode()).digest()
    assert token not in repr(dict(row))
    grant = await tokens.verify(db, token)
    assert (
        grant is not None
        and grant.keys == tuple(sorted((key_a, key_b)))
        and grant.name == "Claude on my laptop"
    )

    listed = run("tokens", "list", DATABASE_URL=database_url).stdout.splitlines()
    mine = [line.split("\t") for line in listed if line.startswith(f"{token_id}\t")]
    assert len(mine) == 1 and mine[0][2:] == [
        "active",
        ",".join(sorted((key_a, key_b))),
        "Claude on my laptop",
    ]
    assert all(token not in line for line in listed)

    revoked = run("tokens", "revoke", str(token_id), DATABASE_URL=database_url)
    assert (revoked.returncode, revoked.stdout.strip()) == (0, "Token revoked")
    assert await tokens.verify(db, token) is None
    listed = run("tokens", "list", DATABASE_URL=database_url).stdout.splitlines()
    assert any(line.startswith(f"{token_id}\t") and "\trevoked " in line for line in listed)


async def test_refusals(db: asyncpg.Connection, database_url: str) -> None:
    unknown = run(
        "tokens", "create", "--key", "no-such-key-" + secrets.token_hex(4), DATABASE_URL=database_url
    )
    assert unknown.returncode == 1 and "no such key" in unknown.stderr and not unknown.stdout
    malformed = run("tokens", "create", "--key", "not a key", DATABASE_URL=database_url)
    assert malformed.returncode == 2 and "--key: 'not a key' is not an API key" in malformed.stderr
    keyless = run("tokens", "create", DATABASE_URL=database_url)
    assert keyless.returncode == 2 and "--key" in keyless.stderr
    assert run("tokens", "revoke", "999999999", DATABASE_URL=database_url).returncode == 1
    assert "is not a token id" in run("tokens", "revoke", "abc", DATABASE_URL=database_url).stderr


async def test_malformed_and_unknown_tokens_are_not_valid(db: asyncpg.Connection) -> None:
    for token in ("", "vmt_", "vmt_" + "A" * 42, "vmt_" + "A" * 44, "x" * 10_000, tokens.store.new_token()):
        assert await tokens.verify(db, token) is None
