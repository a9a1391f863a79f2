"""One sink's delivery against a destination the test controls: batches, retries, the spool while
it fails, refusals set aside, a stop that keeps what waits, and a deletion that reaches it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import asyncpg
import pytest

from app.db.pool import create_pool
from app.ingest.record import SessionRecord
from app.sinks import delivery as delivery_module
from app.sinks.delivery import Delivery, Options
from app.sinks.document import KeyNames
from app.sinks.interface import Refused, Session
from app.sinks.spool import Spool
from tests.sinks.records import stored
from tests.support.server import ServerProcess


class Destination:
    """Takes batches, or fails the next `failures` sends, or refuses batches holding a marked row."""

    name = "test"

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.failures = 0
        self.start_failures = 0
        self.started = self.stopped = False

    async def start(self) -> None:
        if self.start_failures:
            self.start_failures -= 1
            raise OSError("destination unreachable")
        self.started = True

    async def send(self, batch: Sequence[Session]) -> None:
        if self.failures:
            self.failures -= 1
            raise OSError("connection refused")
        if any(session["metadata"].get("bad") for session in batch):
            raise Refused("HTTP 422: bad")
        self.batches.append([str(session["session_id"]) for session in batch])

    async def stop(self) -> None:
        self.stopped = True

    @property
    def delivered(self) -> list[str]:
        return [session for batch in self.batches for session in batch]


@pytest.fixture
async def key_id(api_key: str, db: asyncpg.Connection) -> int:
    found: int = await db.fetchval("SELECT id FROM keys WHERE key = $1", api_key)
    return found


@pytest.fixture
async def pool(database_url: str, server: ServerProcess) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(database_url, max_size=2)
    yield pool
    await pool.close()


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(delivery_module, "RETRY_FIRST", 0.05)


def delivery(pool: asyncpg.Pool, folder: Path, destination: Destination, **options: float) -> Delivery:
    settings = Options(**{"batch_size": 3, "batch_wait": 0.05, "retry_max": 0.1, **options})  # type: ignore[arg-type]
    return Delivery(destination, Spool(folder, settings.spill_limit), KeyNames(pool), settings)


async def until(condition: object, within: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not condition():  # type: ignore[operator]
        assert asyncio.get_running_loop().time() < deadline, "not reached in time"
        await asyncio.sleep(0.02)


def ids(records: list[SessionRecord]) -> list[str]:
    return [str(record.id) for record in records]


async def test_batches_of_the_set_size_in_order(pool: asyncpg.Pool, key_id: int, tmp_path: Path) -> None:
    destination = Destination()
    outlet = delivery(pool, tmp_path, destination)
    await outlet.start()
    rows = [stored(key_id, n) for n in range(7)]
    outlet.put(rows)
    await until(lambda: len(destination.delivered) == 7)
    assert destination.delivered == ids(rows)
    assert [len(batch) for batch in destination.batches] == [3, 3, 1]
    await outlet.stop(1.0)
    assert destination.started and destination.stopped


async def test_failures_spool_then_deliver_each_once_in_order(
    pool: asyncpg.Pool, key_id: int, tmp_path: Path
) -> None:
    destination = Destination()
    destination.failures = 4
    outlet = delivery(pool, tmp_path, destination)
    await outlet.start()
    rows = [stored(key_id, n) for n in range(5)]
    outlet.put(rows[:2])
    await until(lambda: destination.failures <= 2)
    outlet.put(rows[2:])  # while it fails: straight to the spool
    await until(lambda: len(destination.delivered) == 5)
    assert destination.delivered == ids(rows)
    await until(lambda: not list(tmp_path.glob("spool-*.jsonl")))
    await outlet.stop(1.0)


async def test_a_refused_batch_is_set_aside_and_the_next_ones_go(
    pool: asyncpg.Pool, key_id: int, tmp_path: Path
) -> None:
    destination = Destination()
    outlet = delivery(pool, tmp_path, destination, batch_size=1)
    await outlet.start()
    rows = [stored(key_id, 0), stored(key_id, 1, bad=True), stored(key_id, 2)]
    outlet.put(rows)
    await until(lambda: len(destination.delivered) == 2)
    assert destination.delivered == ids([rows[0], rows[2]])
    [entry] = [json.loads(line) for line in (tmp_path / "refused.jsonl").read_text().splitlines()]
    assert (entry["reason"], [s["id"] for s in entry["sessions"]]) == ("HTTP 422: bad", ids([rows[1]]))
    await outlet.stop(1.0)


async def test_a_stop_keeps_what_waits_and_the_next_start_sends_it(
    pool: asyncpg.Pool, key_id: int, tmp_path: Path
) -> None:
    destination = Destination()
    destination.failures = 10**6  # down for good
    outlet = delivery(pool, tmp_path, destination)
    await outlet.start()
    rows = [stored(key_id, n) for n in range(4)]
    outlet.put(rows)
    await until(lambda: destination.failures < 10**6 - 1)
    await outlet.stop(0.5)
    assert destination.delivered == []

    back = Destination()
    again = delivery(pool, tmp_path, back)
    await again.start()
    await until(lambda: len(back.delivered) == 4)
    assert sorted(back.delivered) == sorted(ids(rows))
    await again.stop(1.0)


async def test_the_spill_is_bounded(pool: asyncpg.Pool, key_id: int, tmp_path: Path) -> None:
    destination = Destination()
    destination.failures = 10**6
    one = len(stored(key_id, 0).to_json()) + 1
    outlet = delivery(pool, tmp_path, destination, spill_limit=5 * one, queue_limit=1)
    await outlet.start()
    outlet.put([stored(key_id, n) for n in range(12)])
    await until(lambda: spooled(tmp_path) >= 1)
    await outlet.stop(0.1)
    assert spooled(tmp_path) == 5  # the rest dropped, and counted


async def test_forget_reaches_memory_and_the_spool(pool: asyncpg.Pool, key_id: int, tmp_path: Path) -> None:
    destination = Destination()
    destination.failures = 10**6  # down: rows wait in memory and on disk
    outlet = delivery(pool, tmp_path, destination, queue_limit=2)
    await outlet.start()
    rows = [stored(key_id, n, gone=n % 2 == 0) for n in range(6)]
    outlet.put(rows[:2])
    outlet.put(rows[2:])  # past the queue limit: on their way to the spool
    await until(lambda: spooled(tmp_path) >= 2)
    assert await outlet.forget(lambda record: bool(record.metadata.get("gone"))) == 3
    await outlet.stop(0.1)
    assert sorted(str(record.id) for record in spooled_rows(tmp_path)) == sorted(ids(rows[1::2]))
    assert destination.delivered == []


def spooled_rows(folder: Path) -> list[SessionRecord]:
    spool = Spool(folder, 10**9)
    rows = []
    for path in sorted(folder.glob("spool-*.jsonl")):
        rows += spool.read(path)
    return rows


def spooled(folder: Path) -> int:
    return len(spooled_rows(folder))


async def test_a_sink_that_cannot_start_holds_nothing_up(
    pool: asyncpg.Pool, key_id: int, tmp_path: Path
) -> None:
    destination = Destination()
    destination.start_failures = 3
    outlet = delivery(pool, tmp_path, destination)
    await outlet.start()  # returns at once: the sink's start is retried in its own task
    rows = [stored(key_id, n) for n in range(4)]
    outlet.put(rows)
    await until(lambda: len(destination.delivered) == 4)
    assert destination.started and destination.delivered == ids(rows)
    await outlet.stop(1.0)
