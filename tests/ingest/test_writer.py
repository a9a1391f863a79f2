"""The writer against a real database: which refusals set a row aside and which are waited out."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from app.db.errors import refuses_data
from app.ingest.record import SessionRecord
from app.ingest.writer import Writer
from tests.support.databases import migrated_pool
from tests.support.records import session_record


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    async with migrated_pool(database_url, "writer") as pool:
        await pool.execute("INSERT INTO keys (key) VALUES ('k')")
        yield pool


def record(metadata: object) -> SessionRecord:
    return session_record(metadata=metadata)


async def test_a_row_too_large_for_an_index_is_set_aside_not_retried_for_ever(
    pool: asyncpg.Pool, tmp_path: Path
) -> None:
    """PostgreSQL refuses an index entry over 2,704 bytes with SQLSTATE 54000 (program limit
    exceeded); it was taken for an outage and retried for ever, blocking every row behind it.
    The join's door keeps such metadata out (tests/ingest/test_join_storage.py); this is the
    writer's own guard for any other limit of the kind."""
    writer = Writer(pool, flush_interval=0.05, journal_dir=tmp_path)
    task = asyncio.create_task(writer.run())
    huge = record({"t": secrets.token_hex(4000)})  # 8,000 random characters: no compression helps
    fine = [record({"v": n}) for n in range(3)]
    for row in [fine[0], huge, *fine[1:]]:
        writer.submit(row)
    async with asyncio.timeout(10):
        await writer.drained()
    task.cancel()
    stored = {row["id"] for row in await pool.fetch("SELECT id FROM sessions")}
    assert stored == {row.id for row in fine}
    [entry] = [json.loads(line) for line in (tmp_path / "rejected-sessions.jsonl").read_text().splitlines()]
    assert entry["session"]["id"] == str(huge.id)
    assert "index row size" in entry["reason"]


@pytest.mark.parametrize(
    ("error", "refused"),
    [
        (asyncpg.CheckViolationError("check"), True),
        (asyncpg.NumericValueOutOfRangeError("out of range"), True),
        (asyncpg.ProgramLimitExceededError("index row size"), True),
        (asyncpg.CannotConnectNowError("starting up"), False),
        (asyncpg.AdminShutdownError("shutdown"), False),
        (asyncpg.UndefinedColumnError("a rolling upgrade"), False),
        (asyncpg.SerializationError("retry"), False),
        (asyncpg.InterfaceError("closed"), False),
        (OSError("refused"), False),
    ],
)
def test_only_refusals_of_the_values_are_final(error: BaseException, refused: bool) -> None:
    assert refuses_data(error) is refused
