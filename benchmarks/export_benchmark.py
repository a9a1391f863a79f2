"""Export benchmark: a million sessions through GET /api/v1/export, with the server's memory.

    python -m benchmarks.export_benchmark                       # 1,000,000 sessions, embedded PostgreSQL
    python -m benchmarks.export_benchmark --sessions 200000     # a quicker look
    DATABASE_URL=postgresql://... python -m benchmarks.export_benchmark

A database of its own gets two keys: a large one (`--sessions`) and a small one (1 % of it),
generated inside PostgreSQL as the query benchmark generates them. The server runs as an
operator runs it (`python -m app serve`, pinned to CPU 0). Each round exports the small key and
then the large one, as CSV and as JSON Lines, over HTTP with a streaming client in this process
(pinned to CPU 1) that counts bytes and lines and throws them away, while a thread samples the
server's RSS from /proc every 10 ms. Memory is flat when the large export's peak above the
server's resting RSS is no larger than the small one's.

The baseline is PostgreSQL alone: the same COPY statement the export runs, read by this process
straight from the database and thrown away, with no server and no HTTP in between. The ratio of
the two says what the server and HTTP cost. The client's CPU share shows whether it was the
limit. Results: the median and range of the rounds, printed and saved in benchmarks/results/.

Last, once: the rollups are rebuilt (the load skipped their triggers) and the large key is
deleted through DELETE /api/v1/sessions, a dry run first, to say what a deletion of that size
costs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from app.data import export_sql
from app.data.params import ExportFormat
from benchmarks.query_benchmark import GENERATE, ROLLUP_TRIGGERS
from benchmarks.targets import Database, cpu_seconds, rss_kib, server_target

RESULTS = Path(__file__).resolve().parent / "results"
SERVER_CPU, CLIENT_CPU = 0, 1


@dataclass
class Measured:
    rows: int
    megabytes: float
    seconds: float
    client_cpu: float
    server_cpu: float = 0.0
    rss_peak_growth_mib: float = 0.0

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds


async def generate(url: str, key: str, sessions: int, videos: int) -> None:
    connection = await asyncpg.connect(url)
    try:
        key_id = await connection.fetchval("SELECT id FROM keys WHERE key = $1", key)
        await connection.execute(
            """
            INSERT INTO videos (key_id, metadata, identifier, duration)
            SELECT $1, jsonb_build_object('id', i::text, 'kind', 'export-bench'), 'video ' || i,
                   60 + (i % 20) * 30
            FROM generate_series(1, $2) AS i
            """,
            key_id,
            videos,
        )
        for trigger in ROLLUP_TRIGGERS:  # exports do not read the rollups: skip their cost
            await connection.execute(f"ALTER TABLE sessions DISABLE TRIGGER {trigger}")
        started = time.perf_counter()
        await connection.execute(GENERATE, key_id, videos, datetime.now(UTC), 30, sessions, timeout=None)
        for trigger in ROLLUP_TRIGGERS:
            await connection.execute(f"ALTER TABLE sessions ENABLE TRIGGER {trigger}")
        await connection.execute("VACUUM ANALYZE sessions", timeout=None)
        print(f"generated {sessions:,} sessions for {key[:12]}… in {time.perf_counter() - started:.0f} s")
    finally:
        await connection.close()


class RssSampler:
    """The highest RSS of a process while the block runs, sampled every 10 ms."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_kib(self.pid))
            self._stop.wait(0.01)


async def over_http(base_url: str, key: str, export_format: ExportFormat, server_pid: int) -> Measured:
    resting = rss_kib(server_pid)
    server_started = cpu_seconds(server_pid)
    client_started = time.process_time()
    rows = size = 0
    started = time.perf_counter()
    with RssSampler(server_pid) as sampler:
        async with (
            httpx.AsyncClient(base_url=base_url, timeout=600) as client,
            client.stream(
                "GET",
                "/api/v1/export",
                params={"query": json.dumps({"key": key}), "format": export_format.value},
            ) as response,
        ):
            assert response.status_code == 200, response.status_code
            async for chunk in response.aiter_raw(65536):
                size += len(chunk)
                rows += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    if export_format is ExportFormat.CSV:
        rows -= 1  # the header
    return Measured(
        rows=rows,
        megabytes=size / 1e6,
        seconds=seconds,
        client_cpu=time.process_time() - client_started,
        server_cpu=cpu_seconds(server_pid) - server_started,
        rss_peak_growth_mib=(sampler.peak - resting) / 1024,
    )


async def straight_from_postgres(url: str, key: str, export_format: ExportFormat) -> Measured:
    """The baseline: the export's own COPY, read here with no server or HTTP in between."""
    connection = await asyncpg.connect(url)
    try:
        key_id = await connection.fetchval("SELECT id FROM keys WHERE key = $1", key)
        size = rows = 0

        async def discard(chunk: bytes) -> None:
            nonlocal size, rows
            size += len(chunk)
            rows += chunk.count(b"\n")

        options = export_sql.copy_options(export_format)
        client_started = time.process_time()
        started = time.perf_counter()
        async with connection.transaction(readonly=True):
            await connection.execute(
                export_sql.SET_SCOPE, str(key_id), f"{{{key_id}}}", "{}", "0001-01-01T00:00:00+00:00",
                "9999-12-31T23:59:59+00:00",
            )  # fmt: skip
            await connection.copy_from_query(
                export_sql.copy_query(export_format, whole_key=True),
                output=discard,
                timeout=None,
                format="csv",
                header=options.header,
                quote=options.quote,
                delimiter=options.delimiter,
            )
        seconds = time.perf_counter() - started
        return Measured(
            rows=rows - (export_format is ExportFormat.CSV),
            megabytes=size / 1e6,
            seconds=seconds,
            client_cpu=time.process_time() - client_started,
        )
    finally:
        await connection.close()


def summary(runs: list[Measured]) -> dict[str, Any]:
    def spread(values: list[float], digits: int = 1) -> list[float]:
        return [
            round(statistics.median(values), digits),
            round(min(values), digits),
            round(max(values), digits),
        ]

    return {
        "rows": runs[0].rows,
        "megabytes": round(runs[0].megabytes, 1),
        "seconds": spread([run.seconds for run in runs], 2),
        "rows_per_second": spread([run.rows_per_second for run in runs], 0),
        "client_cpu_share": spread([run.client_cpu / run.seconds for run in runs], 2),
        "server_cpu_share": spread([run.server_cpu / run.seconds for run in runs], 2),
        "server_rss_peak_growth_mib": spread([run.rss_peak_growth_mib for run in runs], 1),
    }


async def measure(
    url: str, base_url: str, keys: dict[str, str], server_pid: int, rounds: int
) -> dict[str, Any]:
    results: dict[str, Any] = {"server_rss_before_any_export_mib": round(rss_kib(server_pid) / 1024, 1)}
    for export_format in ExportFormat:
        for size, key in keys.items():
            http = [await over_http(base_url, key, export_format, server_pid) for _ in range(rounds)]
            direct = [await straight_from_postgres(url, key, export_format) for _ in range(rounds)]
            name = f"{export_format.value}/{size}"
            results[name] = {"http": summary(http), "postgres_alone": summary(direct)}
            ratio = statistics.median(r.rows_per_second for r in http) / statistics.median(
                r.rows_per_second for r in direct
            )
            results[name]["ratio_to_postgres_alone"] = round(ratio, 2)
            print(f"{name}: {json.dumps(results[name])}")
    results["server_rss_after_every_export_mib"] = round(rss_kib(server_pid) / 1024, 1)
    results["deletion"] = await delete_large(url, base_url, keys["large"])
    results["server_rss_highest_mib"] = round(peak_rss_kib(server_pid) / 1024, 1)
    return results


async def delete_large(url: str, base_url: str, key: str) -> dict[str, Any]:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute("SELECT plays_hourly_rebuild()", timeout=None)
        await connection.execute("SELECT sources_rebuild()", timeout=None)
        await connection.execute("SELECT videos_daily_rebuild()", timeout=None)
        await connection.execute("SELECT quality_rollups_rebuild()", timeout=None)
    finally:
        await connection.close()
    timings = {}
    async with httpx.AsyncClient(base_url=base_url, timeout=3600) as client:
        for dry_run in (True, False):
            started = time.perf_counter()
            answer = await client.request(
                "DELETE", "/api/v1/sessions", json={"query": {"key": key}, "dry_run": dry_run}
            )
            assert answer.status_code == 200, answer.text
            timings["dry_run" if dry_run else "delete"] = {
                "seconds": round(time.perf_counter() - started, 2),
                **answer.json(),
            }
    print(f"deletion: {json.dumps(timings)}")
    return timings


def peak_rss_kib(pid: int) -> int:
    """The highest RSS the process ever had (VmHWM), whenever it was."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmHWM for pid {pid}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sessions", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.sched_setaffinity(0, {CLIENT_CPU})
    with tempfile.TemporaryDirectory(prefix="export-bench-") as folder:
        data_dir = Path(folder)
        data_dir.chmod(0o755)
        database = Database(os.environ.get("DATABASE_URL"), data_dir / "db")
        large = database.start()
        small = asyncio.run(database.new_key())
        assert database.url is not None
        asyncio.run(generate(database.url, large, args.sessions, 1000))
        asyncio.run(generate(database.url, small, args.sessions // 100, 100))
        server = server_target(database.url, data_dir / "server")
        server.start(SERVER_CPU)
        try:
            results = asyncio.run(
                measure(
                    database.url,
                    f"http://127.0.0.1:{server.port}",
                    {"small": small, "large": large},
                    server.pid,
                    args.rounds,
                )
            )
        finally:
            server.stop()
            database.stop()
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"export-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(
        json.dumps({"sessions": args.sessions, "rounds": args.rounds, "results": results}, indent=2)
    )
    print(f"saved {out}")


if __name__ == "__main__":
    main()
