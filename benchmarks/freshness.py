"""Freshness (issue 13): how long after a session ends it is visible to the API, at a given rate of
sessions ending.

    python -m benchmarks.freshness --rate 1000 --seconds 30

A server (`python -m app serve`, pinned to CPU 1, on a throwaway embedded PostgreSQL) gets pages
from `--clients` processes on CPU 0, each with 100 sockets that join, play, pause and leave one
session after another (as a page whose visitor watches several videos in turn), at `--rate`
sessions ending per second in all; every `--sample`-th session's leave is reported to a
watcher as it happens, which looks its final row up by id (derived from key and topic, as the
server derives it) every 20 ms and notes when it first appears. Looking up a sample by primary
key keeps the watcher's own load on the database small. The API answers from that table (or a
standby, which this does not measure), so a row there is a session the API counts. Reported: the
median, p99 and maximum of (seen - left) over the samples, the samples never seen, and the
server's own count of its write batches by duration (from its /metrics), which says whether a
tail is the writer's.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
import urllib.request
import uuid
from multiprocessing.connection import Connection
from multiprocessing.queues import Queue
from pathlib import Path
from queue import Empty

import asyncpg
from prometheus_client.parser import text_string_to_metric_families
from websockets.asyncio.client import connect

from app.ingest.resume import session_id
from benchmarks.ingest_load import raise_file_limit, running
from benchmarks.targets import Database, server_target

POLL_SECONDS = 0.02
# Sockets per client process, each ending sessions one after another.
LANES = 100
_PLAY = '{"name":"play","from":0,"duration":60}'
_PAUSE = '{"name":"pause","to":"1.50","duration":60}'


def _frame(join_ref: str, ref: str | int, topic: str, event: str, payload: str) -> str:
    return f'["{join_ref}","{ref}","{topic}","{event}",{payload}]'


Left = tuple[str, float]  # a sampled session's topic, and when its leave was answered


async def _pages(
    port: int,
    key: str,
    rate: float,
    seconds: float,
    start_at: float,
    sample: int,
    left: Queue[Left],
    pipe: Connection,
) -> None:
    """Open, play and leave sessions at `rate` per second for `seconds`; every `sample`-th leave
    goes to the watcher as (topic, left_at on the wall clock); the counts go back on `pipe`."""
    url = f"ws://127.0.0.1:{port}/socket/websocket?vsn=2.0.0&source_url=https%3A%2F%2Ffresh.example%2F"

    # Lanes: sockets each ending one session after another (join, play, pause, leave), as a page
    # whose visitor watches several videos in turn. A socket per session made the generator,
    # not the server, the limit (a client-side handshake costs about a millisecond of Python).
    lanes = max(1, min(LANES, round(rate)))
    ended = 0
    errors: list[str] = []
    error_count = 0

    async def lane(index: int) -> None:
        nonlocal ended, error_count
        ref = 0
        try:
            async with connect(url, compression=None, open_timeout=20) as ws:
                await asyncio.sleep(max(0.0, start_at - time.time()) + index / rate)
                begun = time.monotonic()
                n = index
                while time.monotonic() - begun < seconds:
                    topic = f"session:{uuid.uuid4().hex[:21]}"
                    join = str(ref + 1)
                    joining = f'{{"key":"{key}","metadata":{{"v":{n % 20}}}}}'
                    await ws.send(_frame(join, join, topic, "phx_join", joining))
                    while f'"{join}","{topic}"' not in str(await ws.recv()):
                        pass
                    await ws.send(_frame(join, ref + 2, topic, "event", _PLAY))
                    await ws.send(_frame(join, ref + 3, topic, "event", _PAUSE))
                    leave = str(ref + 4)
                    await ws.send(_frame(join, leave, topic, "phx_leave", "{}"))
                    while f'"{leave}","{topic}"' not in str(await ws.recv()):
                        pass  # the leave's reply: the server has ended the session
                    ref += 4
                    ended += 1
                    if n % sample == 0:
                        left.put((topic, time.time()))
                    n += lanes
                    await asyncio.sleep(max(0.0, begun + (n - index) / rate - time.monotonic()))
        except Exception as error:  # reported, not hidden: a lane that fails stops
            error_count += 1
            if len(errors) < 3:
                errors.append(repr(error))

    await asyncio.gather(*(lane(index) for index in range(lanes)))
    pipe.send((ended, errors, error_count))


def _client(
    port: int,
    key: str,
    rate: float,
    seconds: float,
    start_at: float,
    sample: int,
    left: Queue[Left],
    pipe: Connection,
) -> None:
    os.sched_setaffinity(0, {0})
    asyncio.run(_pages(port, key, rate, seconds, start_at, sample, left, pipe))


async def _watch(url: str, key: str, left: Queue[Left], until: float) -> tuple[list[float], int]:
    """(seen - left) for each sampled session seen by `until`, and how many were never seen."""
    connection = await asyncpg.connect(url)
    delays: list[float] = []
    try:
        key_id = int(await connection.fetchval("SELECT id FROM keys WHERE key = $1", key))
        pending: dict[uuid.UUID, float] = {}
        while time.time() < until:
            with contextlib.suppress(Empty):
                while True:
                    topic, at = left.get_nowait()
                    pending[session_id(key_id, topic)] = at
            if pending:
                rows = await connection.fetch(
                    "SELECT id FROM sessions WHERE id = ANY($1::uuid[]) AND final", list(pending)
                )
                now = time.time()
                for row in rows:
                    delays.append(now - pending.pop(row["id"]))
            await asyncio.sleep(POLL_SECONDS)
        return delays, len(pending)
    finally:
        await connection.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.freshness", description=__doc__)
    parser.add_argument("--rate", type=float, default=1000.0, help="sessions ending per second")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--sample", type=int, default=10, help="watch every n-th session (default 10)")
    args = parser.parse_args(argv)
    if not 0 < args.rate <= 5000 or not 0 < args.seconds <= 300:
        parser.error("keep it bounded: at most 5,000 sessions a second for 300 s")
    raise_file_limit(20_000)
    os.sched_setaffinity(0, {0})
    with (
        tempfile.TemporaryDirectory(prefix="video-metrics-fresh-") as folder,
        contextlib.ExitStack() as stack,
    ):
        work = Path(folder)
        database = Database(None, work / "database")
        key = database.start()
        stack.callback(database.stop)
        target = stack.enter_context(running(server_target(database.url or "", work / "server"), 1))
        context = multiprocessing.get_context("spawn")
        left: Queue[Left] = context.Queue()
        start_at = time.time() + 3.0
        pipes, processes = [], []
        for _ in range(args.clients):
            ours, theirs = context.Pipe()
            process = context.Process(
                target=_client,
                args=(
                    target.port,
                    key,
                    args.rate / args.clients,
                    args.seconds,
                    start_at,
                    args.sample,
                    left,
                    theirs,
                ),
            )
            process.start()
            pipes.append(ours)
            processes.append(process)
        delays, missing = asyncio.run(_watch(database.url or "", key, left, start_at + args.seconds + 15.0))
        batches = _writer_batches(target.port)
        sessions = errors = 0
        for pipe, process in zip(pipes, processes, strict=True):
            count, first_errors, failed = pipe.recv()
            sessions += count
            errors += failed
            if first_errors:
                print("client errors:", first_errors, file=sys.stderr)
            process.join(30)
    delays.sort()
    print(f"python -m benchmarks.freshness --rate {args.rate:g} --seconds {args.seconds:g}")
    print(f"sessions ended: {sessions} ({sessions / args.seconds:,.0f}/s), client errors: {errors}")
    if len(delays) > 1:
        p99 = statistics.quantiles(delays, n=100)[98]
        print(
            f"sampled {len(delays)}: seen after median {statistics.median(delays) * 1000:.0f} ms, "
            f"p99 {p99 * 1000:.0f} ms, max {delays[-1] * 1000:.0f} ms; never seen: {missing}"
        )
    print(batches)
    return 0


def _writer_batches(port: int) -> str:
    """The server's own account of its writes (its /metrics): how many batches, their mean time,
    and how many took longer than each bound, which says whether a tail is the writer's."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
        text = answer.read().decode()
    (family,) = (
        f for f in text_string_to_metric_families(text) if f.name == "video_metrics_write_batch_seconds"
    )
    values = {(sample.name, sample.labels.get("le")): sample.value for sample in family.samples}
    count = values[("video_metrics_write_batch_seconds_count", None)]
    total = values[("video_metrics_write_batch_seconds_sum", None)]
    over = ", ".join(
        f"> {le} s: {count - values[('video_metrics_write_batch_seconds_bucket', le)]:.0f}"
        for le in ("0.1", "0.25", "0.5", "1.0")
    )
    mean = total / count * 1000 if count else 0.0
    return f"writer: {count:.0f} batches, mean {mean:.0f} ms; {over}"


if __name__ == "__main__":
    sys.exit(main())
