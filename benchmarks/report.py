"""The ingest benchmark's figures: one result per target, printed as a table and as the
docs/PERFORMANCE.md section that quotes them with the command and machine that produced them."""

from __future__ import annotations

import os
import platform
import re
import statistics
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

SECTION = "## Ingest throughput and memory: the latest --write-doc run"

# The aims of issue 3.
AIM_RATIO = 0.5
AIM_KIB_PER_SESSION = 40.0


def quantile_ms(seconds: list[float], quantile: float, parts: int) -> float:
    """The `quantile` of `seconds` in milliseconds, from `parts` cut points (100 for whole
    percentiles, 1000 to read p99.9); 0 for fewer than two samples."""
    if len(seconds) < 2:
        return 0.0
    cuts = statistics.quantiles(seconds, n=parts, method="inclusive")
    return cuts[max(0, min(parts - 2, round(quantile * parts) - 1))] * 1000


@dataclass
class Result:
    """What one target did: throughput with N sessions pushing, memory with M sessions open."""

    target: str
    round: int
    sessions: int
    seconds: float
    events: int
    server_cpu: float
    other_cpu: float
    client_cpu: float
    latencies: list[float]
    open_sessions: int
    rss_before_kib: int
    rss_after_kib: int
    errors: int
    first_error: str

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0

    @property
    def cpu_us_per_event(self) -> float:
        return self.server_cpu * self.seconds / self.events * 1e6 if self.events else 0.0

    @property
    def kib_per_session(self) -> float:
        if not self.open_sessions:
            return 0.0
        return (self.rss_after_kib - self.rss_before_kib) / self.open_sessions

    def latency_ms(self, quantile: float) -> float:
        return quantile_ms(self.latencies, quantile, 100)


def _rounds(results: list[Result]) -> list[tuple[Result, Result]]:
    """(ceiling, server) pairs measured in the same round."""
    pairs = []
    for ceiling in (r for r in results if r.target == "ceiling"):
        for server in (r for r in results if r.target == "server" and r.round == ceiling.round):
            if ceiling.events and server.events:
                pairs.append((ceiling, server))
    return pairs


def baseline_ratio(results: list[Result]) -> tuple[float, float, float] | None:
    """The server's CPU time per event over the baseline's in each round: (median, low, high)."""
    shares = [
        server.cpu_us_per_event / base.cpu_us_per_event
        for base in results
        if base.target == "baseline" and base.events
        for server in results
        if server.target == "server" and server.round == base.round and server.events
    ]
    if not shares:
        return None
    return statistics.median(shares), min(shares), max(shares)


def ratio(results: list[Result]) -> float | None:
    """Server events/s over the ceiling's, the median of the rounds."""
    pairs = _rounds(results)
    if not pairs:
        return None
    return statistics.median(s.events_per_second / c.events_per_second for c, s in pairs)


def cpu_ratio(results: list[Result]) -> float | None:
    """The ceiling's CPU time per event over the server's: the rate ratio if both had a whole CPU,
    which holds still when other work on the machine takes part of the pinned CPU."""
    pairs = _rounds(results)
    if not pairs:
        return None
    return statistics.median(c.cpu_us_per_event / s.cpu_us_per_event for c, s in pairs)


def median_rate(results: list[Result], target: str) -> float:
    rates = [r.events_per_second for r in results if r.target == target]
    return statistics.median(rates) if rates else 0.0


def table(results: list[Result]) -> str:
    head = (
        f"{'target':<8} {'round':>5} {'events/s':>9} {'srv CPU':>8} {'other':>6} {'cli CPU':>8} "
        f"{'µs CPU/ev':>10} "
        f"{'burst p50':>10} {'p99 ms':>7} {'open':>6} {'KiB/session':>12} {'errors':>7}"
    )
    lines = [head, "-" * len(head)]
    for r in results:
        lines.append(
            f"{r.target:<8} {r.round:>5} {r.events_per_second:>9.0f} {r.server_cpu:>8.0%} "
            f"{r.other_cpu:>6.0%} "
            f"{r.client_cpu:>8.0%} "
            f"{r.cpu_us_per_event:>10.1f} {r.latency_ms(0.5):>10.1f} {r.latency_ms(0.99):>7.1f} "
            f"{r.open_sessions:>6} {r.kib_per_session:>12.1f} {r.errors:>7}"
        )
    share, cpu_share = ratio(results), cpu_ratio(results)
    if share is not None and cpu_share is not None:
        lines.append(
            f"server / ceiling: {share:.2f} in events/s, {cpu_share:.2f} in CPU time per event "
            f"(aim ≥ {AIM_RATIO}; medians of {len(_rounds(results))} round(s))"
        )
    lines += _against_baseline(results)
    for r in results:
        if r.first_error:
            lines.append(f"{r.target}: first error: {r.first_error}")
    return "\n".join(lines)


def _against_baseline(results: list[Result]) -> list[str]:
    compared = baseline_ratio(results)
    if compared is None:
        return []
    middle, low, high = compared
    memory = {r.target: r.kib_per_session for r in results if r.target in ("server", "baseline")}
    return [
        f"server / baseline: {middle:.3f} in CPU time per event (rounds {low:.3f} to {high:.3f}); "
        f"{memory['server']:.1f} against {memory['baseline']:.1f} KiB per open session "
        f"({memory['server'] / memory['baseline'] if memory['baseline'] else float('nan'):.3f})"
    ]


def machine() -> dict[str, str]:
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    stack = ("uvicorn", "websockets", "starlette")
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in stack)
    return {
        "nproc": str(os.cpu_count()),
        "CPU": model,
        "Python": platform.python_version(),
        "kernel": platform.release(),
        "stack": versions,
        "load average at start": " ".join(f"{value:.2f}" for value in os.getloadavg()),
    }


def markdown(results: list[Result], command: str, facts: dict[str, str], notes: str) -> str:
    share, cpu_share = ratio(results), cpu_ratio(results)
    servers = [r for r in results if r.target == "server"]
    lines = [SECTION, ""]
    if servers and share is not None and cpu_share is not None:
        lines.append(
            f"**{median_rate(results, 'server'):,.0f} events/s** for the server on one CPU against "
            f"{median_rate(results, 'ceiling'):,.0f} for the ceiling in the same run: "
            f"**{share:.2f} of the ceiling** in events/s, {cpu_share:.2f} in CPU time per event "
            f"(aim ≥ {AIM_RATIO}). **{servers[0].kib_per_session:.1f} KiB** of server RSS per open "
            f"playing session (aim ≤ {AIM_KIB_PER_SESSION:.0f})."
        )
        lines.append("")
    lines += [
        "| target | round | events/s | server CPU | other load on its CPU | client CPU "
        "| server µs CPU/event | burst p50 / p99 ms | open sessions | RSS before → after (MiB) "
        "| KiB/session | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.target} | {r.round} | {r.events_per_second:,.0f} | {r.server_cpu:.0%} "
            f"| {r.other_cpu:.0%} | {r.client_cpu:.0%} | {r.cpu_us_per_event:.1f} "
            f"| {r.latency_ms(0.5):.1f} / {r.latency_ms(0.99):.1f} | {r.open_sessions:,} "
            f"| {r.rss_before_kib / 1024:.1f} → {r.rss_after_kib / 1024:.1f} "
            f"| {r.kib_per_session:.1f} | {r.errors} |"
        )
    lines += ["", *_against_baseline(results)] if baseline_ratio(results) else []
    lines += ["", notes.strip(), "", "Measured with:", "", "```", command, "```", ""]
    lines += [f"* {name}: {value}" for name, value in facts.items()]
    return "\n".join(lines) + "\n"


def write_section(path: Path, text: str) -> None:
    """Replace this benchmark's section of `path` (or append it), leaving every other section be."""
    old = path.read_text() if path.exists() else "# Performance\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(old):
        new = pattern.sub(lambda _: text + "\n", old, count=1)
    else:
        new = old.rstrip("\n") + "\n\n" + text
    path.write_text(new.rstrip("\n") + "\n")
