"""The writer drops a deleted scope's rows wherever they wait: in memory, on their way to disk,
and in its files; and the in-flight write never slips one past a deletion."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest

from app.data.matching import RecordMatch
from app.db.migrate import migrate
from app.db.pool import create_pool, init_connection
from app.ingest.record import SessionRecord
from app.ingest.writer import Writer
from tests.support.databases import fresh_database
from tests.support.proxy import DatabaseProxy
from tests.support.traces import file_traces


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[str]:
    async with fresh_database(database_url, "forget") as url:
        connection = await asyncpg.connect(url)
        await migrate(connection)
        await connection.executemany("INSERT INTO keys (key) VALUES ($1)", [("gone",), ("kept",)])
        await connection.close()
        yield url


def row(key_id: int, n: int) -> SessionRecord:
    moment = datetime.now(UTC)
    return SessionRecord(
        id=uuid.uuid4(), started_at=moment, ended_at=moment, key_id=key_id, metadata={"n": n, "key": key_id},
        identifier=None, duration=60.0, browser="chrome", platform="linux", device="desktop",
        page_host="example.com", page_url="https://example.com/", segments=[[0.0, 2.0]], watched=2.0,
        unique_watched=2.0, final=True,
    )  # fmt: skip


async def until(condition: object, within: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not condition():  # type: ignore[operator]
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(0.05)


async def test_rows_in_memory_and_on_disk_are_dropped(database: str, tmp_path: Path) -> None:
    proxy = DatabaseProxy(database)
    await proxy.start()
    pool = await create_pool(proxy.url)
    written: list[SessionRecord] = []
    writer = Writer(pool, flush_interval=0.05, queue_limit=2, journal_dir=tmp_path, on_written=written.extend)
    task = asyncio.create_task(writer.run())
    try:
        await proxy.cut()
        for n in range(6):
            writer.submit(row(1 + n % 2, n))  # keys 1 (gone) and 2 (kept), alternately
        overflow = tmp_path / "overflow-sessions.jsonl"
        await until(lambda: overflow.exists() and len(overflow.read_text().splitlines()) == 4)
        gone = RecordMatch(key_id=1, video=None, identifier=None, videos=frozenset(), before=None)
        assert len(writer.waiting(gone)) == 3
        async with writer.forgetting(gone) as dropped:
            assert len(dropped) == 3
            writer.submit(row(1, 99))  # arrives while the deletion runs: dropped as well
        assert file_traces(tmp_path, ['"key_id":1']) == []

        await proxy.start()
        async with asyncio.timeout(30):
            await writer.drained()
        connection = await asyncpg.connect(database)
        await init_connection(connection)
        stored = await connection.fetch("SELECT key_id, count(*) FROM sessions GROUP BY key_id")
        await connection.close()
        assert [tuple(r) for r in stored] == [(2, 3)]
        # The sinks are handed what was stored, final rows only, after the commit.
        assert sorted(record.key_id for record in written) == [2, 2, 2]
    finally:
        await writer.close(task, 5)
        await pool.close()
        with contextlib.suppress(Exception):
            await proxy.cut()
