"""What checkpoints cost (issue 8): CPU of the server and of PostgreSQL with open playing sessions,
checkpointed every 10 s, against the same server with checkpoints out of the way, in the same run.

    python -m benchmarks.checkpoint_cost --open-sessions 10000 --seconds 30 --rounds 3

For each round and each of the two servers (`METRICS_CHECKPOINT_INTERVAL` 10, and 86,400 as the
baseline), `--open-sessions` pages each open one socket with one joined, playing session; after
one interval (so every session has had its first checkpoint and the writes are in their steady
rhythm) the CPU time of the server process and of every PostgreSQL process is read over
`--seconds`, with the session rows written in that window (`/metrics`). The difference between the
two servers is the price of checkpointing. Servers are pinned to CPU 1; the load generator and
PostgreSQL share CPU 0.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import shlex
import statistics
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from benchmarks.ingest_load import Clients, raise_file_limit, running
from benchmarks.targets import Database, Target, cpu_seconds, server_target

INTERVAL = 10.0
BASELINE_INTERVAL = 86_400.0


@dataclass
class Window:
    target: str
    round: int
    opened: int
    seconds: float
    server_cpu: float  # share of one core
    database_cpu: float  # share of one core, every PostgreSQL process
    rows_written: int

    @property
    def rows_per_second(self) -> float:
        return self.rows_written / self.seconds


def postgres_pids(database_url: str) -> list[int]:
    """The processes of the benchmark's own PostgreSQL (its backends and background workers, as
    pg_stat_activity lists them): other clusters on a shared machine are not counted."""

    async def ask() -> list[int]:
        connection = await asyncpg.connect(database_url)
        try:
            return [row["pid"] for row in await connection.fetch("SELECT pid FROM pg_stat_activity")]
        finally:
            await connection.close()

    return asyncio.run(ask())


def database_cpu_seconds(pids: list[int]) -> dict[int, float]:
    """CPU seconds of each of these processes still running."""
    seconds = {}
    for pid in pids:
        with contextlib.suppress(OSError):
            seconds[pid] = cpu_seconds(pid)
    return seconds


def used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU used in between by the processes running at both ends (a backend that exits meanwhile
    takes its count with it, which would otherwise read as negative use)."""
    return sum(after[pid] - before[pid] for pid in before.keys() & after.keys())


def rows_written(target: Target) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{target.port}/metrics", timeout=5) as answer:
        text = answer.read().decode()
    match = re.search(r"^video_metrics_sessions_written_total (\S+)$", text, re.MULTILINE)
    return int(float(match.group(1))) if match else 0


def measure(target: Target, clients: Clients, args: argparse.Namespace, round_: int) -> Window:
    opened = clients.open(target.port, args.open_sessions)
    print(f"{target.name}: {opened} sessions open; waiting one interval", file=sys.stderr)
    time.sleep(INTERVAL + 2.0)
    pids = postgres_pids(args.database_url)
    server_start, database_start, rows_start = (
        target.cpu_seconds(),
        database_cpu_seconds(pids),
        rows_written(target),
    )
    started = time.monotonic()
    time.sleep(args.seconds)
    elapsed = time.monotonic() - started
    window = Window(
        target=target.name,
        round=round_,
        opened=opened,
        seconds=elapsed,
        server_cpu=(target.cpu_seconds() - server_start) / elapsed,
        database_cpu=used(database_start, database_cpu_seconds(pids)) / elapsed,
        rows_written=rows_written(target) - rows_start,
    )
    clients.close()
    time.sleep(3.0)  # the final rows of the closed sessions are written before the next window
    return window


def summary(windows: list[Window]) -> str:
    lines = [
        "| server | round | sessions open | rows written/s | server CPU | PostgreSQL CPU |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for w in windows:
        lines.append(
            f"| {w.target} | {w.round} | {w.opened:,} | {w.rows_per_second:,.0f} | "
            f"{w.server_cpu:.1%} | {w.database_cpu:.1%} |"
        )
    by = {name: [w for w in windows if w.target == name] for name in ("checkpoints", "baseline")}
    if by["checkpoints"] and by["baseline"]:
        lines.append("")
        for label, field in (("server", "server_cpu"), ("PostgreSQL", "database_cpu")):
            extra = [
                getattr(c, field) - getattr(b, field)
                for c, b in zip(by["checkpoints"], by["baseline"], strict=False)
            ]
            lines.append(
                f"- {label} CPU for checkpoints: median {statistics.median(extra):.1%} of one core "
                f"(range {min(extra):.1%} to {max(extra):.1%}, {len(extra)} rounds)"
            )
        rows = [w.rows_per_second for w in by["checkpoints"]]
        lines.append(f"- checkpoint rows written: median {statistics.median(rows):,.0f}/s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.checkpoint_cost", description=__doc__)
    parser.add_argument("--open-sessions", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--database-url", help="PostgreSQL for the servers (default: throwaway embedded)")
    args = parser.parse_args(argv)
    if not 0 < args.open_sessions <= 19_000 or not 0 < args.seconds <= 120 or not 0 < args.rounds <= 10:
        parser.error("keep it bounded: at most 19,000 sessions, 120 s and 10 rounds")
    print("python -m benchmarks.checkpoint_cost " + shlex.join(sys.argv[1:] if argv is None else argv))
    raise_file_limit(args.open_sessions + 1024)
    os.sched_setaffinity(0, {0})
    windows: list[Window] = []
    with (
        tempfile.TemporaryDirectory(prefix="video-metrics-checkpoints-") as folder,
        contextlib.ExitStack() as stack,
    ):
        work = Path(folder)
        database = Database(args.database_url, work / "database")
        key = database.start()
        args.database_url = database.url
        stack.callback(database.stop)
        clients = Clients(args.clients, key)
        stack.callback(clients.stop)
        targets = []
        for name, interval in (("checkpoints", INTERVAL), ("baseline", BASELINE_INTERVAL)):
            target = server_target(database.url or "", work / name)
            target.name = name
            # Pages in this benchmark send nothing after their play: no idle timeout in the way.
            target.env |= {"METRICS_CHECKPOINT_INTERVAL": str(interval), "METRICS_IDLE_TIMEOUT": "3600"}
            targets.append(stack.enter_context(running(target, 1)))
        for round_ in range(1, args.rounds + 1):
            for target in targets:
                windows.append(measure(target, clients, args, round_))
    print(summary(windows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
