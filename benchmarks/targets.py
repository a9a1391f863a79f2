"""The processes a benchmark measures, each pinned to one CPU, and what /proc says about them.

The server is started the way an operator starts it (`python -m app serve`, settings from the
environment), against a database of the benchmark's own, so the figures are the product's, not a
test double's. RSS and CPU time come from /proc, which costs the measured process nothing.
"""

from __future__ import annotations

import asyncio
import base64
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Target:
    """A server process under test: how to start it, and its pid once started."""

    name: str
    command: list[str]
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    # Where it runs. `python -m app` imports the `app` of its working directory before any on
    # PYTHONPATH, so other code is measured by running from its own tree.
    cwd: Path | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self, cpu: int | str, timeout: float = 60.0) -> None:
        """Start pinned to `cpu`, one or a list such as "0,1" (taskset execs, so the pid is the
        server's), and wait for /readyz."""
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                ["taskset", "-c", str(cpu), *self.command],
                env={**os.environ, **self.env},
                cwd=self.cwd,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        url = f"http://127.0.0.1:{self.port}/readyz"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(url, timeout=1) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} was not ready within {timeout:.0f} s; see {self.log_path}")

    def stop(self, timeout: float = 60.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def rss_kib(self) -> int:
        """Resident memory of the target with its children's (the workers of `--workers N`)."""
        return int(sum(_of_live(rss_kib, pid) for pid in process_tree(self.pid)))

    def cpu_seconds(self) -> float:
        """The target's CPU time with its children's: `serve --workers N` is a supervisor whose
        worker processes do the work."""
        return sum(_of_live(cpu_seconds, pid) for pid in process_tree(self.pid))


def rss_kib(pid: int) -> int:
    """Resident set size from /proc/<pid>/status, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def _of_live(read: Callable[[int], float], pid: int) -> float:
    """`read(pid)`, or 0 for a process that ended since it was listed (not the target itself)."""
    try:
        return read(pid)
    except (OSError, RuntimeError):
        return 0


def process_tree(pid: int) -> list[int]:
    """`pid` and every live process descended from it, from the parent pids in /proc."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat[stat.rindex(")") + 2 :].split()[1])
        parents.setdefault(parent, []).append(int(entry.name))
    tree, index = [pid], 0
    while index < len(tree):
        tree += parents.get(tree[index], [])
        index += 1
    return tree


def cpus(spec: int | str) -> set[int]:
    """A CPU list as taskset takes it ("1", "0,1", "0-1") as a set of CPU numbers."""
    chosen: set[int] = set()
    for part in str(spec).split(","):
        first, _, last = part.partition("-")
        chosen.update(range(int(first), int(last or first) + 1))
    return chosen


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far, from /proc/<pid>/stat."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    # Fields 14 and 15 of stat(5) (utime, stime), counted after the command name.
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def core_busy_seconds(cpu: int | str) -> float:
    """Busy seconds of the CPUs `cpu` names since boot, from /proc/stat (user, nice, system, irq,
    softirq; guest time is inside user). Busy time on the target's CPUs that the target did not
    use is other load."""
    wanted = {f"cpu{number}" for number in cpus(cpu)}
    busy = 0.0
    for line in Path("/proc/stat").read_text().splitlines():
        name, _, values = line.partition(" ")
        if name in wanted:
            user, nice, system, _idle, _iowait, irq, softirq = (int(v) for v in values.split()[:7])
            busy += (user + nice + system + irq + softirq) / _CLOCK_TICKS
            wanted.discard(name)
    if wanted:
        raise RuntimeError(f"no {', '.join(sorted(wanted))} in /proc/stat")
    return busy


def server_target(database_url: str, data_dir: Path) -> Target:
    data_dir.mkdir(parents=True, exist_ok=True)
    target = Target("server", [sys.executable, "-m", "app", "serve"], data_dir / "server.log")
    target.env = {
        "DATABASE_URL": database_url,
        "METRICS_DATA_DIR": str(data_dir),
        "HOST": "127.0.0.1",
        "PORT": str(target.port),
    }
    return target


def ceiling_target(log_dir: Path) -> Target:
    target = Target("ceiling", [], log_dir / "ceiling.log")
    target.command = [sys.executable, "-m", "benchmarks.ceiling_server", "--port", str(target.port)]
    return target


class Database:
    """The database the server writes to: the given URL, or a throwaway embedded PostgreSQL."""

    def __init__(self, url: str | None, data_dir: Path) -> None:
        self.url = url
        self._data_dir = data_dir
        self._embedded: object | None = None

    def start(self) -> str:
        """Start (when embedded), bring the schema up to date, and return a fresh API key."""
        if self.url is None:
            from app.db.embedded import EmbeddedPostgres

            embedded = EmbeddedPostgres(self._data_dir)
            self.url = embedded.start()
            self._embedded = embedded
        return asyncio.run(self._prepare(self.url))

    def stop(self) -> None:
        from app.db.embedded import EmbeddedPostgres

        if isinstance(self._embedded, EmbeddedPostgres):
            self._embedded.stop()

    async def new_key(self) -> str:
        """Another key on the started database, for a run of its own."""
        assert self.url is not None
        return await self._prepare(self.url)

    async def sessions_stored(self) -> int:
        assert self.url is not None
        connection = await asyncpg.connect(self.url)
        try:
            count: int = await connection.fetchval("SELECT count(*) FROM sessions WHERE final")
            return count
        finally:
            await connection.close()

    @staticmethod
    async def _prepare(url: str) -> str:
        from app.db.migrate import migrate

        connection = await asyncpg.connect(url)
        try:
            await migrate(connection)
            key = "bench-" + base64.urlsafe_b64encode(secrets.token_bytes(12)).decode()
            await connection.execute("INSERT INTO keys (key) VALUES ($1)", key)
            return key
        finally:
            await connection.close()
