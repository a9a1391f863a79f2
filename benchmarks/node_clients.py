"""The ingest benchmark's clients as Node.js processes (benchmarks/node/loadgen.mjs, on the `ws`
library): the same pages and bursts as benchmarks/loadgen.py, from an independent implementation,
so a ceiling that both generators reach is the server's, not a client's.

The same interface as `ingest_load.Clients`: open pages, run bursts between two instants, close.
Node counts time on the wall clock (epoch milliseconds); the benchmark's instants are monotonic,
and are converted here.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from benchmarks.loadgen import Stats

FOLDER = Path(__file__).with_name("node")


def ensure_installed() -> str:
    """The `node` program, with the generator's one dependency installed (npm ci, pinned)."""
    node = shutil.which("node")
    if node is None:
        raise SystemExit("--generator node needs Node.js (and npm) on the PATH")
    if not (FOLDER / "node_modules" / "ws").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=FOLDER, check=True)
    return node


def _epoch_ms(monotonic: float) -> int:
    return round((time.time() + monotonic - time.monotonic()) * 1000)


class NodeClients:
    """`count` Node processes, each with a share of the pages."""

    def __init__(self, count: int, key: str, quality: bool = True) -> None:
        self._node = ensure_installed()
        self._count, self._key, self._quality = count, key, quality
        self._processes: list[subprocess.Popen[str]] = []

    @property
    def pids(self) -> list[int]:
        return [process.pid for process in self._processes]

    def open(self, port: int, total: int) -> int:
        """Open `total` playing pages across the processes; the number opened."""
        self.close()
        shares = [total // self._count + (i < total % self._count) for i in range(self._count)]
        first = 0
        for share in shares:
            options = {
                "port": port,
                "key": self._key,
                "pages": share,
                "firstIndex": first,
                "quality": self._quality,
            }
            first += share
            self._processes.append(
                subprocess.Popen(
                    [self._node, str(FOLDER / "loadgen.mjs"), json.dumps(options)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                )
            )
        opened = 0
        for process in self._processes:
            assert process.stdout is not None
            answer = json.loads(process.stdout.readline())
            opened += answer["opened"]
            if answer["errors"]:
                print(f"  open: {answer['errors']} errors, first: {answer['firstError']}")
        return opened

    def start_run(
        self, burst: int, rotate_after: int, go_at: float, window_start: float, deadline: float
    ) -> None:
        plan = {
            "burst": burst,
            "rotateAfter": rotate_after,
            "goAt": _epoch_ms(go_at),
            "windowStart": _epoch_ms(window_start),
            "deadline": _epoch_ms(deadline),
        }
        for process in self._processes:
            assert process.stdin is not None
            process.stdin.write(json.dumps({"run": plan}) + "\n")
            process.stdin.flush()

    def finish_run(self) -> list[Stats]:
        stats = []
        for process in self._processes:
            assert process.stdout is not None
            summary: dict[str, Any] = json.loads(process.stdout.readline())
            stats.append(
                Stats(
                    pages=summary["pages"],
                    bursts=summary["bursts"],
                    events=summary["events"],
                    window_bursts=summary["windowBursts"],
                    window_events=summary["windowEvents"],
                    errors=summary["errors"],
                    first_error=summary["firstError"],
                    latencies=summary["latencies"],
                    cpu_seconds=summary["cpuSeconds"],
                    unfinished=summary["unfinished"],
                )
            )
        return stats

    def close(self) -> None:
        for process in self._processes:
            if process.stdin is not None and process.poll() is None:
                process.stdin.close()
        for process in self._processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
        self._processes = []

    def stop(self) -> None:
        self.close()
