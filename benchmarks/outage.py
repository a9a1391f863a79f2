"""A database outage under load: the server's memory, and how fast it catches up afterwards.

    python -m benchmarks.outage --sessions 50000

For each write queue limit (by default all in memory, then 1,000), `python -m app serve` runs
pinned to one CPU against a throwaway embedded PostgreSQL reached through a TCP proxy. Pages join
while the database is up (so the key is known), the proxy is cut, and `--sessions` sessions are
played, paused and left, each one a row the server must keep. Then the proxy is restored and the
time until every row is stored (each once) is measured. RSS is VmRSS from /proc before the outage
and after the sessions ended.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from benchmarks.targets import Database, rss_kib, server_target
from tests.support.phoenix import PhoenixSocket, ok, topic
from tests.support.proxy import DatabaseProxy

SERVER_CPU = 1
SETTLE_SECONDS = 2.0


@dataclass
class Outcome:
    limit: int
    sessions: int
    seconds_ending: float
    rss_before_kib: int
    rss_after_kib: int
    overflow_rows: int
    catch_up_seconds: float
    stored: int

    def row(self) -> str:
        growth = (self.rss_after_kib - self.rss_before_kib) / 1024
        per_session = (self.rss_after_kib - self.rss_before_kib) / self.sessions * 1024
        return (
            f"| {self.limit:,} | {self.sessions:,} | {self.sessions / self.seconds_ending:,.0f} "
            f"| {self.rss_before_kib / 1024:.1f} → {self.rss_after_kib / 1024:.1f} ({growth:+.1f}) "
            f"| {per_session:,.0f} | {self.overflow_rows:,} | {self.catch_up_seconds:.1f} "
            f"| {self.sessions / self.catch_up_seconds:,.0f} | {self.stored:,} |"
        )


async def page(url: str, key: str, first: int, count: int, ready: asyncio.Event) -> None:
    """One socket: a session while the database is up, then `count` more once `ready` is set."""
    sock = await PhoenixSocket.open(url)
    ref, reply = await sock.join(topic(first), key, {"vid": first % 100})
    assert ok(reply), reply
    await sock.call([ref, sock.next_ref(), topic(first), "phx_leave", {}])
    await ready.wait()
    for n in range(first + 1, first + 1 + count):
        ref, reply = await sock.join(topic(n), key, {"vid": n % 100})
        assert ok(reply), reply
        await sock.push(ref, topic(n), {"name": "play", "from": 0, "duration": 600})
        await sock.push(ref, topic(n), {"name": "pause", "to": "12.50", "duration": 600})
        await sock.call([ref, sock.next_ref(), topic(n), "phx_leave", {}])
    await sock.close()


async def stored(url: str, key: str) -> int:
    connection = await asyncpg.connect(url)
    try:
        count: int = await connection.fetchval(
            "SELECT count(*) FROM sessions s JOIN keys k ON k.id = s.key_id WHERE k.key = $1 AND s.final", key
        )
        return count
    finally:
        await connection.close()


async def until_stored(url: str, key: str, count: int) -> int:
    while True:
        seen = await stored(url, key)
        if seen >= count:
            return seen
        await asyncio.sleep(0.05)


async def run_one(database: Database, folder: Path, limit: int, sessions: int, pages: int) -> Outcome:
    assert database.url is not None
    key = await database.new_key()
    proxy = DatabaseProxy(database.url)
    await proxy.start()
    target = server_target(proxy.url, folder / f"limit-{limit}")
    target.env["METRICS_WRITE_QUEUE_LIMIT"] = str(limit)
    target.env["METRICS_MAX_SESSIONS_PER_SOCKET"] = "10000"
    await asyncio.to_thread(target.start, SERVER_CPU)
    try:
        url = (
            f"ws://127.0.0.1:{target.port}/socket/websocket?vsn=2.0.0&source_url=https://bench.example/outage"
        )
        ready = asyncio.Event()
        per_page = sessions // pages
        tasks = [
            asyncio.create_task(page(url, key, p * (per_page + 1), per_page, ready)) for p in range(pages)
        ]
        await until_stored(database.url, key, pages)  # the first sessions: the key is known
        await asyncio.sleep(SETTLE_SECONDS)
        before = rss_kib(target.pid)
        await proxy.cut()
        started = time.monotonic()
        ready.set()
        await asyncio.gather(*tasks)
        ending = time.monotonic() - started
        await asyncio.sleep(SETTLE_SECONDS)
        after = rss_kib(target.pid)
        overflow = folder / f"limit-{limit}" / "overflow-sessions.jsonl"
        overflow_rows = len(overflow.read_text().splitlines()) if overflow.exists() else 0

        await proxy.start()
        back = time.monotonic()
        expected = pages + per_page * pages
        count = await until_stored(database.url, key, expected)
        catch_up = time.monotonic() - back
        return Outcome(limit, per_page * pages, ending, before, after, overflow_rows, catch_up, count - pages)
    finally:
        await asyncio.to_thread(target.stop)
        await proxy.cut()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sessions", type=int, default=50_000, help="sessions ended during the outage")
    parser.add_argument("--pages", type=int, default=20, help="sockets ending sessions at once")
    parser.add_argument("--limits", type=int, nargs="+", default=[10_000_000, 1_000])
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="video-metrics-outage-"))
    folder.chmod(0o755)  # the embedded server runs as its own user
    database = Database(None, folder / "postgres")
    database.start()
    try:
        outcomes = [
            asyncio.run(run_one(database, folder, limit, args.sessions, args.pages)) for limit in args.limits
        ]
    finally:
        database.stop()
    print(
        "| write queue limit | sessions ended in the outage | ended/s | server RSS MiB before → after "
        "| bytes per waiting session | rows on disk | catch-up s | rows/s | stored |"
    )
    print("|---:|---:|---:|---|---:|---:|---:|---:|---:|")
    for outcome in outcomes:
        print(outcome.row())


if __name__ == "__main__":
    main()
