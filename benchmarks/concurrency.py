"""Concurrency benchmark (issue 13): as many open, playing sessions on one process as it may hold,
each page heartbeating every 30 s as the published client does, while checkpoints write them.

    python -m benchmarks.concurrency --sessions 19500 --seconds 90

For each target (the bare stack of `benchmarks.ceiling_server`, then `python -m app serve` on a
throwaway embedded PostgreSQL), pinned to one CPU while the client processes and the database share
the other:

1. memory: the target's RSS before and after `--sessions` pages open, each one socket from its
   own loopback address with one joined, playing session (the snippet's quality events included);
2. latency: every page sends a heartbeat every `--pace` seconds from when it opened, as the
   published client does (so the pages are spread as their openings were); after `--warmup`,
   each reply's delay inside the next `--seconds` is a sample. On the server, every playing
   session is written by the checkpoint schedule once per `METRICS_CHECKPOINT_INTERVAL` (10 s by
   default) during the window: the rows written, from `/metrics`, say how many checkpoints the
   latencies include.

A process here may hold 20,000 open files, so 19,500 sessions leave room for the server's own
files; the pages are spread over `--clients` processes for the same reason. Where the run breaks
(sockets refused, latency, memory) is printed, not hidden.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks import checkpoint_cost
from benchmarks.ingest_load import SETTLE_SECONDS, WARM_UP_PAGES, Clients, profile, raise_file_limit, running
from benchmarks.loadgen import Stats
from benchmarks.report import machine, quantile_ms
from benchmarks.targets import Database, Target, ceiling_target, core_busy_seconds, server_target

# The aims.
AIM_P99_MS = 100.0
AIM_EXTRA_KIB = 2.0


@dataclass
class Held:
    """One target holding its sessions."""

    target: str
    round: int
    opened: int
    rss_before_kib: int
    rss_after_kib: int
    latencies: list[float]
    seconds: float
    server_cpu: float
    other_cpu: float
    client_cpu: float
    rows_written: int | None
    errors: int
    first_error: str

    @property
    def kib_per_session(self) -> float:
        return (self.rss_after_kib - self.rss_before_kib) / self.opened if self.opened else 0.0

    def latency_ms(self, quantile: float) -> float:
        return quantile_ms(self.latencies, quantile, 1000)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.concurrency",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--sessions", type=int, default=19_500, help="pages held open (default 19500)")
    parser.add_argument("--seconds", type=float, default=90.0, help="measured seconds (default 90)")
    parser.add_argument("--warmup", type=float, default=30.0, help="unmeasured seconds first (default 30)")
    parser.add_argument("--pace", type=float, default=30.0, help="seconds between a page's heartbeats (30)")
    parser.add_argument("--clients", type=int, default=3, help="client processes (default 3)")
    parser.add_argument("--rounds", type=int, default=1, help="rounds, alternating the targets (default 1)")
    parser.add_argument("--targets", default="ceiling,server", help="comma-separated: ceiling, server")
    parser.add_argument("--server-cpu", type=int, default=1, help="CPU the target runs on (default 1)")
    parser.add_argument("--client-cpu", type=int, default=0, help="CPU of clients and database (default 0)")
    parser.add_argument(
        "--database-url", default=None, help="an existing database instead of an embedded one"
    )
    parser.add_argument(
        "--profile", type=Path, default=None, help="py-spy each target in the window into DIR"
    )
    parser.add_argument(
        "--server-env", action="append", default=[], help="NAME=VALUE for the server, repeatable"
    )
    args = parser.parse_args(argv)
    args.targets = [name.strip() for name in args.targets.split(",") if name.strip()]
    if not args.targets or set(args.targets) - {"ceiling", "server"}:
        parser.error("--targets takes ceiling and/or server")
    return args


def rows_written(target: Target) -> int | None:
    """Session rows the server has written (checkpoints and final rows); None for the ceiling."""
    return None if target.name != "server" else checkpoint_cost.rows_written(target)


def hold(target: Target, clients: Clients, args: argparse.Namespace, round_: int) -> Held:
    print(f"{target.name}: warming up", file=sys.stderr)
    clients.open(target.port, WARM_UP_PAGES)
    clients.close()
    time.sleep(SETTLE_SECONDS)
    before = target.rss_kib()
    started = time.monotonic()
    opened = clients.open(target.port, args.sessions, args.pace)
    print(f"{target.name}: {opened} sessions open in {time.monotonic() - started:.0f} s", file=sys.stderr)
    time.sleep(SETTLE_SECONDS)
    after = target.rss_kib()
    go_at = time.monotonic() + 1.0
    window_start = go_at + args.warmup
    deadline = window_start + args.seconds
    clients.start_hold(window_start, deadline)
    time.sleep(max(0.0, window_start - time.monotonic()))
    cpu_start, core_start = target.cpu_seconds(), core_busy_seconds(args.server_cpu)
    written_start = rows_written(target)
    profiler = profile(target, args.profile, args.seconds, round_) if args.profile else None
    time.sleep(max(0.0, deadline - time.monotonic()))
    if profiler is not None:
        profiler.wait(30)
    cpu_used = target.cpu_seconds() - cpu_start
    core_used = core_busy_seconds(args.server_cpu) - core_start
    written_end = rows_written(target)
    stats: list[Stats] = clients.finish_run()
    clients.close()
    time.sleep(SETTLE_SECONDS * 2)
    unfinished = sum(s.unfinished for s in stats)
    errors = [s.first_error for s in stats if s.first_error]
    return Held(
        target=target.name,
        round=round_,
        opened=opened,
        rss_before_kib=before,
        rss_after_kib=after,
        latencies=[latency for s in stats for latency in s.latencies],
        seconds=args.seconds,
        server_cpu=cpu_used / args.seconds,
        other_cpu=max(0.0, core_used - cpu_used) / args.seconds,
        client_cpu=sum(s.cpu_seconds for s in stats) / args.seconds,
        rows_written=None if written_start is None or written_end is None else written_end - written_start,
        errors=sum(s.errors for s in stats) + unfinished,
        first_error=errors[0] if errors else "",
    )


def table(results: list[Held]) -> str:
    """Memory per session means something in each target's first round only (see `verdict`)."""
    lines = [
        "| target | round | sessions open | KiB/session | heartbeats | p50 ms | p99 ms | p99.9 ms | max ms "
        "| server CPU | other load | client CPU | checkpoint rows/s | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        rows = "n/a" if r.rows_written is None else f"{r.rows_written / r.seconds:,.0f}"
        lines.append(
            f"| {r.target} | {r.round} | {r.opened:,} | {r.kib_per_session:.1f} | {len(r.latencies):,} "
            f"| {r.latency_ms(0.5):.1f} | {r.latency_ms(0.99):.1f} | {r.latency_ms(0.999):.1f} "
            f"| {max(r.latencies, default=0) * 1000:.0f} | {r.server_cpu:.0%} | {r.other_cpu:.0%} "
            f"| {r.client_cpu:.0%} | {rows} | {r.errors} |"
        )
    return "\n".join(lines)


def verdict(results: list[Held]) -> list[str]:
    servers = [r for r in results if r.target == "server"]
    ceilings = [r for r in results if r.target == "ceiling"]
    lines = []
    if servers:
        p99 = statistics.median(r.latency_ms(0.99) for r in servers)
        lines.append(f"- server heartbeat p99: median {p99:.1f} ms (aim < {AIM_P99_MS:.0f})")
    if servers and ceilings:
        # From each target's first round only: a later round opens its sessions in memory the
        # process freed but kept when the previous round's closed, so its RSS barely grows.
        extra = servers[0].kib_per_session - ceilings[0].kib_per_session
        lines.append(
            f"- memory above the bare stack: {extra:+.1f} KiB per session (aim ≤ {AIM_EXTRA_KIB:.0f})"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    command = "python -m benchmarks.concurrency " + shlex.join(sys.argv[1:] if argv is None else argv)
    facts = machine()
    raise_file_limit(20_000)
    os.sched_setaffinity(0, {args.client_cpu})
    results: list[Held] = []
    with (
        tempfile.TemporaryDirectory(prefix="video-metrics-concurrency-") as folder,
        contextlib.ExitStack() as stack,
    ):
        work = Path(folder)
        database = Database(args.database_url, work / "database")
        key = database.start()
        stack.callback(database.stop)
        clients = Clients(args.clients, key)
        stack.callback(clients.stop)
        targets = []
        for name in args.targets:
            target = (
                ceiling_target(work) if name == "ceiling" else server_target(database.url or "", work / name)
            )
            if name == "server":
                target.env.update(dict(item.split("=", 1) for item in args.server_env))
            targets.append(stack.enter_context(running(target, args.server_cpu)))
        for round_ in range(1, args.rounds + 1):
            for target in targets:
                results.append(hold(target, clients, args, round_))
                print(table(results[-1:]), file=sys.stderr)
    print(table(results))
    print("\n".join(verdict(results)))
    for r in results:
        if r.first_error:
            print(f"{r.target} round {r.round}: first error: {r.first_error}")
    print(f"\n```\n{command}\n```")
    print("\n".join(f"* {name}: {value}" for name, value in facts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
