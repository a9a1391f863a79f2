"""Driving the video in a page, and what the page watched, measured by the page itself.

Every action returns the playhead as the video element reported it at that moment, so the expected
numbers come from the browser, independently of what the snippet chose to send.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

VIDEO = "document.querySelector('#v, video')"


async def wait_ready(page: Any) -> None:
    await page.wait_for_function(f"{VIDEO} && {VIDEO}.readyState >= 3", timeout=15_000)


async def play(page: Any) -> float:
    """Start playback and wait until it really plays; returns where it started."""
    return float(
        await page.evaluate(
            f"""() => new Promise((resolve, reject) => {{
                const v = {VIDEO};
                const from = v.currentTime;
                v.addEventListener('playing', () => resolve(from), {{once: true}});
                v.play().catch(reject);
            }})"""
        )
    )


async def pause(page: Any) -> float:
    return float(await page.evaluate(f"() => {{ const v = {VIDEO}; v.pause(); return v.currentTime; }}"))


async def seek(page: Any, to: float) -> float:
    """Jump to `to` and wait until the seek is done; returns where the playhead left from."""
    return float(
        await page.evaluate(
            f"""(to) => new Promise((resolve) => {{
                const v = {VIDEO};
                const from = v.currentTime;
                v.addEventListener('seeked', () => resolve(from), {{once: true}});
                v.currentTime = to;
            }})""",
            to,
        )
    )


async def position(page: Any) -> float:
    return float(await page.evaluate(f"() => {VIDEO}.currentTime"))


@dataclass
class Watched:
    """The segments the page played, in video seconds, as the tests note them down."""

    segments: list[tuple[float, float]] = field(default_factory=list)
    open_from: float | None = None

    def start(self, at: float) -> None:
        self.open_from = at

    def stop(self, at: float) -> None:
        assert self.open_from is not None
        self.segments.append((self.open_from, at))
        self.open_from = None

    @property
    def total(self) -> float:
        return sum(end - start for start, end in self.segments)

    @property
    def unique(self) -> float:
        total, reach = 0.0, float("-inf")
        for start, end in sorted(self.segments):
            if end > reach:
                total += end - max(start, reach)
                reach = end
        return total

    def range_watched(self, start: float, end: float, margin: float) -> bool | None:
        """Whether [start, end] was watched; None when a segment edge is within `margin` of it."""
        for a, b in self.segments:
            near = abs(b - start) <= margin or abs(a - end) <= margin
            if near:
                return None
        return any(a < end and b > start for a, b in self.segments)
