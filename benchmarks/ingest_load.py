"""Ingest benchmark (issue 3): events/s and RSS per open session, the real server against its ceiling.

    python -m benchmarks.ingest_load --sessions 1000 --seconds 20

For each target (the ceiling of `benchmarks.ceiling_server`, then `python -m app serve` on a
throwaway embedded PostgreSQL), pinned to one CPU while the client processes and the database share
the other:

1. memory: open `--open-sessions` pages, each one socket with one joined, playing session; the
   server's RSS growth divided by the sessions opened is the cost of one open session;
2. throughput: `--sessions` pages push bursts of `--burst` play/pause events, each closed by a
   heartbeat whose reply says the burst was processed, for `--warmup` + `--seconds`; events
   answered ok inside the last `--seconds` make the rate.

Everything is on loopback, bounded in count and time, and stops by itself. Server and client CPU
shares are printed beside the rate: a server near 100 % and clients well under it mean the client
is not what limits the figure.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import resource
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from benchmarks.loadgen import Stats, worker_main
from benchmarks.node_clients import NodeClients
from benchmarks.report import Result, machine, markdown, table, write_section
from benchmarks.targets import Database, Target, ceiling_target, core_busy_seconds, cpus, server_target

# Pages opened and closed before the memory baseline, so one-off start-up costs (imports done
# lazily, caches, prepared statements) are not charged to the sessions measured.
WARM_UP_PAGES = 50
# Time for the server to settle after opening sessions (the writer, the allocator) before RSS is read.
SETTLE_SECONDS = 2.0

NOTES = """\
Each open session is one page: one websocket from its own loopback address, one joined channel and
one play, as the published client sends them, with the snippet's quality events (an impression, a
viewable impression and a `playback` summary after each play and pause, benchmarks/loadgen.py)
unless `--no-quality`. Throughput pages push bursts of play/pause `event`
frames, each burst closed by a heartbeat; the heartbeat's reply means every push before it was
answered, and only pushes answered ok count. The ceiling is `benchmarks/ceiling_server.py`: the
same uvicorn/Starlette websocket stack and settings, decoding each frame and answering ok, nothing
else. Server and ceiling each run pinned to CPU 1 (`taskset -c 1`); the load generator and
PostgreSQL share CPU 0. "server CPU" near 100 % with "client CPU" below it means the server, not
the client, limited the rate. Burst p50/p99 is from a burst's send to its heartbeat's reply with
every page pushing at once: queueing at saturation, not what one page waits for. RSS is VmRSS
from /proc before and after opening the sessions."""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.ingest_load",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--sessions", type=int, default=1000, help="pages pushing events (default 1000)")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds (default 20)")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds first (default 3)")
    parser.add_argument("--burst", type=int, default=10, help="events per burst (default 10)")
    parser.add_argument("--open-sessions", type=int, default=5000, help="sessions held open (default 5000)")
    parser.add_argument("--clients", type=int, default=2, help="client processes (default 2)")
    parser.add_argument(
        "--generator",
        choices=("python", "node"),
        default="python",
        help="the load generator: benchmarks/loadgen.py, or the independent Node.js one "
        "(benchmarks/node/loadgen.mjs, on the ws library)",
    )
    parser.add_argument(
        "--rotate-after", type=int, default=2000, help="events before a page starts a new session"
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="throughput rounds, alternating the targets (default 1)"
    )
    parser.add_argument(
        "--targets", default="ceiling,server", help="comma-separated: ceiling, server, baseline"
    )
    parser.add_argument(
        "--baseline-tree",
        type=Path,
        help="the `baseline` target: `python -m app serve` run from this folder, another version's "
        "code (e.g. `git archive <commit> | tar -x -C DIR`), measured in the same run to compare with",
    )
    parser.add_argument(
        "--baseline-command",
        help="the `baseline` target as a command (split like a shell), e.g. this code with other "
        "settings; it runs from this folder, so `python -m app` here is this code whatever "
        "PYTHONPATH says: other code goes with --baseline-tree",
    )
    parser.add_argument(
        "--no-quality",
        dest="quality",
        action="store_false",
        help="pages send only the published client's play and pause, not the snippet's quality events",
    )
    parser.add_argument(
        "--server-cpu", default="1", help="CPUs the target runs on, as taskset takes them (default 1)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="`serve --workers N` for the server and baseline targets (the scale-out figure)",
    )
    parser.add_argument(
        "--client-cpu",
        default="0",
        help="CPUs of the clients and the database, as taskset takes them (default 0)",
    )
    parser.add_argument(
        "--server-command",
        help="run this instead of `python -m app serve`, e.g. to measure a variant (split like a shell)",
    )
    parser.add_argument("--database-url", help="PostgreSQL for the server (default: throwaway embedded)")
    parser.add_argument(
        "--profile", type=Path, help="py-spy the target during the measured seconds; stacks go here"
    )
    parser.add_argument("--write-doc", type=Path, help="update the ingest section of this file")
    args = parser.parse_args(argv)
    for name in ("sessions", "seconds", "burst", "clients", "rotate_after", "rounds"):
        if getattr(args, name) <= 0:
            parser.error(f"--{name.replace('_', '-')} must be positive")
    if args.sessions > 20_000 or args.open_sessions > 20_000 or args.seconds * args.rounds > 300:
        parser.error("keep it bounded: at most 20,000 sessions and 300 measured seconds")
    args.targets = [name.strip() for name in args.targets.split(",") if name.strip()]
    if not args.targets or set(args.targets) - {"ceiling", "server", "baseline"}:
        parser.error("--targets takes ceiling, server and/or baseline")
    if "baseline" in args.targets and not (args.baseline_command or args.baseline_tree):
        parser.error("the baseline target needs --baseline-tree or --baseline-command")
    if args.baseline_tree is not None and not (args.baseline_tree / "app" / "__main__.py").is_file():
        parser.error(f"--baseline-tree: no app/__main__.py in {args.baseline_tree}")
    return args


class Clients:
    """The client processes, each a `loadgen.Worker`, sent the same command at once."""

    def __init__(self, count: int, key: str, quality: bool = True) -> None:
        context = multiprocessing.get_context("spawn")
        self._pipes: list[Connection] = []
        self._processes = []
        for _ in range(count):
            ours, theirs = context.Pipe()
            process = context.Process(
                target=worker_main, args=(theirs, "127.0.0.1", key, quality), daemon=True
            )
            process.start()
            self._pipes.append(ours)
            self._processes.append(process)

    @property
    def pids(self) -> list[int]:
        return [process.pid for process in self._processes if process.pid is not None]

    def ask(self, command: str, per_client: list[tuple[Any, ...]]) -> list[Any]:
        for pipe, args in zip(self._pipes, per_client, strict=True):
            pipe.send((command, args))
        return [pipe.recv() for pipe in self._pipes]

    def open(self, port: int, total: int, pace: float = 0.0) -> int:
        """Open `total` playing pages across the clients; the number opened. With `pace`, each
        page heartbeats every `pace` seconds from its opening (`loadgen.Worker.hold`)."""
        shares = [total // len(self._pipes) + (i < total % len(self._pipes)) for i in range(len(self._pipes))]
        starts = [sum(shares[:i]) for i in range(len(shares))]
        answers = self.ask("open", [(port, n, start, pace) for n, start in zip(shares, starts, strict=True)])
        for answer in answers:
            if answer["errors"]:
                print(f"  open: {answer['errors']} errors, first: {answer['first_error']}", file=sys.stderr)
        return sum(answer["opened"] for answer in answers)

    def close(self) -> None:
        self.ask("close", [()] * len(self._pipes))

    def start_run(self, *args: Any) -> None:
        """Start every client's pages pushing (see `loadgen.Worker.run`); `finish_run` collects."""
        for pipe in self._pipes:
            pipe.send(("run", args))

    def start_hold(self, *args: Any) -> None:
        """Start measuring the heartbeats of every client's pages (see `loadgen.Worker.hold`);
        `finish_run` collects."""
        for pipe in self._pipes:
            pipe.send(("hold", args))

    def finish_run(self) -> list[Stats]:
        return [pipe.recv() for pipe in self._pipes]

    def stop(self) -> None:
        for pipe in self._pipes:
            with contextlib.suppress(OSError):
                pipe.send(("exit", ()))
        for process in self._processes:
            process.join(15)
            if process.is_alive():
                process.kill()


@dataclass
class Memory:
    opened: int
    before_kib: int
    after_kib: int


def memory(target: Target, clients: Clients | NodeClients, args: argparse.Namespace) -> Memory:
    """RSS growth of the target while `--open-sessions` playing sessions are open."""
    print(f"{target.name}: warming up", file=sys.stderr)
    clients.open(target.port, WARM_UP_PAGES)
    clients.close()
    time.sleep(SETTLE_SECONDS)
    before = target.rss_kib()
    opened = clients.open(target.port, args.open_sessions)
    time.sleep(SETTLE_SECONDS)
    after = target.rss_kib()
    print(f"{target.name}: {opened} sessions open, RSS {before} → {after} KiB", file=sys.stderr)
    clients.close()
    time.sleep(SETTLE_SECONDS)
    return Memory(opened, before, after)


def throughput(
    target: Target, clients: Clients | NodeClients, args: argparse.Namespace, held: Memory, round_: int
) -> Result:
    """Events answered per second while `--sessions` pages push bursts."""
    pushing = clients.open(target.port, args.sessions)
    go_at = time.monotonic() + 0.5
    window_start = go_at + args.warmup
    deadline = window_start + args.seconds
    print(f"{target.name}: {pushing} sessions pushing for {deadline - go_at:.0f} s", file=sys.stderr)
    clients.start_run(args.burst, args.rotate_after, go_at, window_start, deadline)
    time.sleep(max(0.0, window_start - time.monotonic()))
    cpu_start, core_start = target.cpu_seconds(), core_busy_seconds(args.server_cpu)
    profiler = profile(target, args.profile, args.seconds, round_) if args.profile else None
    time.sleep(max(0.0, deadline - time.monotonic()))
    cpu_used = target.cpu_seconds() - cpu_start
    core_used = core_busy_seconds(args.server_cpu) - core_start
    stats = clients.finish_run()
    if profiler is not None:
        profiler.wait(30)
    clients.close()
    time.sleep(SETTLE_SECONDS)
    unfinished = sum(s.unfinished for s in stats)
    if unfinished:
        print(f"  {unfinished} pages never got their last heartbeat reply", file=sys.stderr)
    errors = [s.first_error for s in stats if s.first_error]
    return Result(
        target=target.name,
        round=round_,
        sessions=pushing,
        seconds=args.seconds,
        events=sum(s.window_events for s in stats),
        server_cpu=cpu_used / args.seconds,
        other_cpu=max(0.0, core_used - cpu_used) / args.seconds,
        client_cpu=sum(s.cpu_seconds for s in stats) / args.seconds,
        latencies=[latency for s in stats for latency in s.latencies],
        open_sessions=held.opened,
        rss_before_kib=held.before_kib,
        rss_after_kib=held.after_kib,
        errors=sum(s.errors for s in stats) + unfinished,
        first_error=errors[0] if errors else "",
    )


def profile(target: Target, folder: Path, seconds: float, round_: int) -> subprocess.Popen[bytes]:
    """Sample the target with py-spy (non-blocking, idle included, so time spent waiting shows)
    into `folder/<target>.txt` as collapsed stacks; `python -m benchmarks.stacks` summarises them."""
    folder.mkdir(parents=True, exist_ok=True)
    output = folder / f"{target.name}-{round_}.txt"
    command = ["py-spy", "record", "--pid", str(target.pid), "--duration", str(round(seconds))]
    command += ["--nonblocking", "--idle", "--format", "raw", "--rate", "200", "--output", str(output)]
    py_spy = Path(sys.executable).with_name("py-spy")
    if py_spy.exists():
        command[0] = str(py_spy)
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@contextlib.contextmanager
def running(target: Target, cpu: int | str) -> Iterator[Target]:
    try:
        target.start(cpu)
        yield target
    except Exception:
        if target.log_path.exists():
            print("".join(target.log_path.read_text().splitlines(True)[-30:]), file=sys.stderr)
        raise
    finally:
        target.stop()


def raise_file_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = needed if hard == resource.RLIM_INFINITY else min(hard, needed)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    command = "python -m benchmarks.ingest_load " + shlex.join(sys.argv[1:] if argv is None else argv)
    facts = machine()
    raise_file_limit(max(args.open_sessions, args.sessions) + 1024)
    # Clients and the embedded database inherit this CPU; the target gets the other one.
    os.sched_setaffinity(0, cpus(args.client_cpu))
    results: list[Result] = []
    with (
        tempfile.TemporaryDirectory(prefix="video-metrics-bench-") as folder,
        contextlib.ExitStack() as stack,
    ):
        work = Path(folder)
        database = Database(args.database_url, work / "database")
        key = database.start()
        stack.callback(database.stop)
        clients: Clients | NodeClients = (
            NodeClients(args.clients, key, args.quality)
            if args.generator == "node"
            else Clients(args.clients, key, args.quality)
        )
        stack.callback(clients.stop)
        # Both targets stay up (the idle one costs nothing) so that rounds alternate between them
        # within seconds: on a shared machine, only figures taken close together compare.
        targets = []
        for name in args.targets:
            if name == "ceiling":
                target = ceiling_target(work)
            else:  # each server its own data folder: their journals must not meet
                target = server_target(database.url or "", work / name)
                target.name = name
            if name == "server" and args.server_command:
                target.command = shlex.split(args.server_command)
            if name == "baseline" and args.baseline_command:
                target.command = shlex.split(args.baseline_command)
            if name == "baseline" and args.baseline_tree is not None:
                target.cwd = args.baseline_tree.resolve()
            if name != "ceiling" and args.workers > 1:
                target.command += ["--workers", str(args.workers)]
            targets.append(stack.enter_context(running(target, args.server_cpu)))
        held = {target.name: memory(target, clients, args) for target in targets}
        for round_ in range(1, args.rounds + 1):
            for target in targets:
                results.append(throughput(target, clients, args, held[target.name], round_))
    print(table(results))
    if args.write_doc:
        write_section(args.write_doc, markdown(results, command, facts, NOTES))
        print(f"wrote {args.write_doc}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
