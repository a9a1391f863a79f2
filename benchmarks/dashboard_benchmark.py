"""Dashboard benchmark: the overview of the query benchmark's key (10 M sessions, the last 30 days)
from a cold browser cache to fully drawn, in Chromium on this machine.

    python -m benchmarks.dashboard_benchmark --data-dir /tmp/vm-bench   # the query benchmark's data
    python -m benchmarks.dashboard_benchmark --rounds 15
    DATABASE_URL=postgresql://... python -m benchmarks.dashboard_benchmark

The data are the query benchmark's (benchmarks/query_benchmark.py: 1 key, 1,000 videos, 10 M
sessions over 90 days), generated on the first run (about 5 minutes and 6 GB) and reused after.
The server runs as an operator runs it (`python -m app serve`) against that database; Chromium
(Debian's, through Playwright) opens each view in a fresh profile, so nothing is cached in the
browser, after one warm-up view that is not counted (PostgreSQL's own cache is warm, as on a
server in use).

"Fully drawn" is the page's own mark (`performance.mark("vm:drawn")`, static/dashboard/lib/load.js):
every answer the view asked for has arrived and two animation frames have passed since, charts
drawn. It is counted from the navigation's start, so it holds the page, its modules, the API's
answers, rendering and drawing. The baseline, measured in the same run, is the same API
requests the page made, sent at once by this process with no browser: the ratio says what the
browser, the modules and the drawing add. Load average and the server's CPU time are reported
beside the figures: the machine is shared.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from playwright.async_api import async_playwright

from benchmarks.query_benchmark import DATABASE, RESULTS, prepare, server_url, with_database
from benchmarks.targets import cpu_seconds, free_port

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
DRAWN = """() => {
    const mark = performance.getEntriesByName("vm:drawn").at(-1);
    const api = performance.getEntriesByType("resource").filter(e => e.name.includes("/api/v1/"));
    const navigation = performance.getEntriesByType("navigation")[0];
    return {
        drawn_ms: mark ? mark.startTime : null,
        shell_ms: navigation.responseEnd,
        modules_run_ms: navigation.domContentLoadedEventEnd,
        api_first_asked_ms: Math.min(...api.map(e => e.startTime)),
        api_done_ms: Math.max(...api.map(e => e.responseEnd)),
        api_requests: api.length,
        api_bytes: api.reduce((sum, e) => sum + e.encodedBodySize, 0),
    };
}"""


def views(top_video: dict[str, Any]) -> dict[str, tuple[str, dict[str, str]]]:
    month = {"range": "30d", "interval": "day", "compare": "previous", "tz": "UTC", "min": "1"}
    return {
        "overview, the whole key": ("/", {"key": "bench", **month}),
        "overview, the whole key, Europe/Berlin": ("/", {"key": "bench", **month, "tz": "Europe/Berlin"}),
        "overview, every key (key=*)": ("/", {"key": "*", **month}),
        "videos, the whole key": ("/videos", {"key": "bench", **month}),
        "video, the most watched": ("/video", {"key": "bench", "video": json.dumps(top_video), **month}),
    }


def start_server(database_url: str, folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "METRICS_DATA_DIR": str(folder), "PORT": str(port)}
    log = (folder / "server.log").open("ab")
    process = subprocess.Popen([sys.executable, "-m", "app", "serve"], env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(base + "/readyz", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.2)
    raise SystemExit(f"the server did not start; see {folder / 'server.log'}")


async def top_video(base: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        answer = await client.get(
            "/api/v1/videos",
            params={"query": json.dumps({"key": "bench"}), "timeframe": "30 days", "limit": "1"},
        )
    metadata: dict[str, Any] = answer.json()["videos"][0]["metadata"]
    return metadata


async def api_alone(urls: list[str]) -> float:
    """The page's API requests, all at once, without a browser: milliseconds until the last answer."""
    async with httpx.AsyncClient(timeout=60) as client:
        started = time.perf_counter()
        await asyncio.gather(*(client.get(url, headers={"Accept": "application/json"}) for url in urls))
        return (time.perf_counter() - started) * 1000


async def measure(base: str, rounds: int, server_pid: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name, (path, state) in views(await top_video(base)).items():
            url = f"{base}{path}?{urlencode(state)}"
            drawn, api_done, alone, sizes, shell, modules, asked_at = [], [], [], [], [], [], []
            cpu_before = cpu_seconds(server_pid)
            for round_number in range(rounds + 1):
                context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
                page = await context.new_page()
                asked: list[str] = []
                page.on("request", collector(asked))
                await page.goto(url)
                await page.wait_for_function(
                    "() => document.documentElement.dataset.ready === location.pathname + location.search",
                    timeout=120_000,
                )
                timing = await page.evaluate(DRAWN)
                await context.close()
                baseline = await api_alone(asked)
                if round_number == 0:
                    continue  # the warm-up
                drawn.append(timing["drawn_ms"])
                api_done.append(timing["api_done_ms"])
                shell.append(timing["shell_ms"])
                modules.append(timing["modules_run_ms"])
                asked_at.append(timing["api_first_asked_ms"])
                alone.append(baseline)
                sizes.append(timing["api_bytes"])
            results[name] = {
                "url": url.removeprefix(base),
                "drawn_ms": summary(drawn),
                "shell_received_ms": summary(shell),
                "api_first_asked_ms": summary(asked_at),
                "modules_run_ms": summary(modules),
                "api_answered_in_page_ms": summary(api_done),
                "api_alone_ms": summary(alone),
                "ratio_drawn_to_api_alone": round(statistics.median(drawn) / statistics.median(alone), 2),
                "api_requests": len(asked),
                "api_kilobytes": round(statistics.median(sizes) / 1000, 1),
                "server_cpu_seconds_per_view": round(
                    (cpu_seconds(server_pid) - cpu_before) / (2 * (rounds + 1)), 3
                ),
            }
            print(
                f"{name:42} drawn {results[name]['drawn_ms']}  api alone {results[name]['api_alone_ms']}",
                flush=True,
            )
        await browser.close()
    return results


def collector(asked: list[str]) -> Any:
    """A request listener keeping the URLs of the API requests a view makes."""

    def collect(request: Any) -> None:
        if "/api/v1/" in request.url:
            asked.append(request.url)

    return collect


def summary(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 1),
        "min": round(min(values), 1),
        "max": round(max(values), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--data-dir", type=Path, default=RESULTS / "data")
    parser.add_argument("--sessions", type=int, default=10_000_000)
    args = parser.parse_args()

    url = server_url(args.data_dir)
    facts = asyncio.run(prepare(url, args.sessions, 1000, 90, fresh=False))
    folder = Path(tempfile.mkdtemp(prefix="video-metrics-dashboard-bench-"))
    process, base = start_server(with_database(url, DATABASE), folder)
    try:
        load_before = os.getloadavg()
        results = asyncio.run(measure(base, args.rounds, process.pid))
        load_after = os.getloadavg()
    finally:
        process.terminate()
        process.wait(60)
    report = {
        "measured_at": datetime.now(UTC).isoformat(),
        "rounds": args.rounds,
        "sessions": facts.get("sessions"),
        "cpus": os.cpu_count(),
        "load_average_before": [round(v, 2) for v in load_before],
        "load_average_after": [round(v, 2) for v in load_after],
        "views": results,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"dashboard-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps(report, indent=2))
    print(json.dumps({k: v for k, v in report.items() if k != "views"}))
    print(f"saved {out}")


if __name__ == "__main__":
    main()
