"""Simulated pages for the ingest benchmark, and the worker process that drives many of them.

Each page is one websocket with one playing session that speaks the frames the published client
sends, and, as this server's snippet does (docs/PROTOCOL.md), the quality events at the rate the
snippet sends them: an impression and a viewable impression when the session starts, and a
`playback` summary at each state change, that is after each play and each pause. `quality=False`
gives the published client's frames alone. Pages are driven from callbacks, not a task each, to
keep the client cheap: a burst of pushes ends with a heartbeat, and the heartbeat's reply (a
server answers a socket's frames in order) marks every push before it as processed; the next
burst goes out from there.
"""

from __future__ import annotations

import asyncio
import json
import math
import secrets
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any
from urllib.parse import quote

from benchmarks.wsclient import WebSocketClient, connect, encode_frame

CHROME_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
PAGE_URL = "https://shop.example.com/products/shoes"
DURATION = 596.474195
# Distinct videos across the pages, so the writer upserts more than one.
VIDEOS = 20
# Connections being opened at once by one worker: enough to open thousands in seconds without
# overrunning the server's accept backlog.
OPENING_AT_ONCE = 64


def socket_target(key: str) -> str:
    return f"/socket/websocket?source_url={quote(PAGE_URL, safe='')}&key={quote(key, safe='')}&vsn=2.0.0"


def local_address(index: int) -> str:
    """A loopback source address per page (127.0.0.0/8 is all local on Linux), so each page is
    its own client address, as on the Internet, and the per-address socket limit is not hit."""
    index += 1
    return f"127.{1 + (index >> 16)}.{(index >> 8) & 255}.{index & 255}"


@dataclass
class Stats:
    """What one worker saw; merged by the parent."""

    pages: int = 0
    bursts: int = 0
    events: int = 0
    window_bursts: int = 0
    window_events: int = 0
    errors: int = 0
    first_error: str = ""
    latencies: list[float] = field(default_factory=list)
    cpu_seconds: float = 0.0
    unfinished: int = 0

    def error(self, text: str) -> None:
        self.errors += 1
        if not self.first_error:
            self.first_error = text[:300]


class Page(WebSocketClient):
    """One page load: one socket, one session at a time, pushes in bursts closed by a heartbeat."""

    def __init__(
        self, host: str, port: int, key: str, video: int, stats: Stats, quality: bool = True
    ) -> None:
        super().__init__(host, port, socket_target(key), CHROME_MAC)
        self._quality = quality
        self._watch = 0.0
        self._key = key
        self._video = video
        self.stats = stats
        self._ref = 2  # the JS client spends refs 1 and 2 on its own bookkeeping
        self._topic = ""
        self._join_ref = ""
        self._position = 0.0
        self._session_events = 0
        # The burst in flight.
        self._sent_at = 0.0
        self._expected_ok = 0
        self._burst_events = 0
        self._ok = 0
        self._refused = 0
        self._settled: asyncio.Future[None] | None = None
        # Set while running: when to count and when to stop.
        self._burst = 0
        self._rotate_after = 0
        self._window_start = 0.0
        self._deadline = 0.0
        # Holding (the concurrency benchmark): seconds between heartbeats, 0 when pushing bursts.
        self._pace = 0.0

    # Frames

    def _frame(self, join_ref: str | None, topic: str, event: str, payload: dict[str, Any]) -> bytes:
        self._ref += 1
        text = json.dumps([join_ref, str(self._ref), topic, event, payload], separators=(",", ":"))
        return encode_frame(text.encode())

    def _join(self) -> bytes:
        self._topic = "session:" + secrets.token_urlsafe(16)[:21]
        self._join_ref = str(self._ref + 1)
        self._position = 0.0
        self._session_events = 0
        metadata = {"vid": str(self._video), "t": "clip"}
        payload = {
            "identifier": f"clip {self._video}",
            "metadata": metadata,
            "source_url": PAGE_URL + "?utm_source=bench#reviews",
            "key": self._key,
        }
        return self._frame(self._join_ref, self._topic, "phx_join", payload)

    def _event(self, name: str) -> bytes:
        # Formatted by hand, not json.dumps: refs, topic and numbers need no escaping, and this is
        # the client's hottest line (json.dumps would cost it 5x more per push).
        self._session_events += 1
        self._ref += 1
        head = f'["{self._join_ref}","{self._ref}","{self._topic}","event",{{"duration":{DURATION},'
        if name == "play":
            # As the browser client: the number 0 at the start, else a 2-decimal string.
            start = "0" if self._position < 1 else f'"{self._position:.2f}"'
            return encode_frame(f'{head}"name":"play","from":{start}}}]'.encode())
        self._position = (self._position + 1.37) % DURATION
        return encode_frame(f'{head}"name":"pause","to":"{self._position:.2f}"}}]'.encode())

    def _summary(self, state: str) -> bytes:
        """The snippet's summary after a play or a pause: its state and counters so far."""
        self._session_events += 1
        self._ref += 1
        self._watch += 1.37
        return encode_frame(
            f'["{self._join_ref}","{self._ref}","{self._topic}","event",{{"name":"playback","state":"{state}",'
            f'"hidden":false,"watch":{self._watch:.3f},"playing":{self._watch - 0.4:.3f},"rebuffers":1,'
            f'"rebuffering":0.312,"seeks":0,"seeking":0,"renditions":1,"startup":0.35,"bitrate":1850000,'
            f'"upscale":0,"dropped":3,"frames":{int(self._watch * 24)}}}]'.encode()
        )

    def _once(self, name: str) -> bytes:
        self._session_events += 1
        self._ref += 1
        return encode_frame(
            f'["{self._join_ref}","{self._ref}","{self._topic}","event",{{"name":"{name}","autoplay":false}}]'.encode()
        )

    def _heartbeat(self) -> bytes:
        self._ref += 1
        return encode_frame(f'[null,"{self._ref}","phoenix","heartbeat",{{}}]'.encode())

    # Bursts

    def _send_burst(self, frames: list[bytes], expected_ok: int, events: int) -> None:
        """`expected_ok`: the joins and leaves among the frames, which are answered ok; pushes
        are answered only when refused (an error, which the push does not count for)."""
        frames.append(self._heartbeat())
        self._expected_ok = expected_ok
        self._burst_events = events
        self._ok = 0
        self._refused = 0
        self._sent_at = time.monotonic()
        self.send(b"".join(frames))

    def _starting(self) -> tuple[list[bytes], int]:
        """A session's first frames after its join: the play (and the quality events with it)."""
        if not self._quality:
            return [self._event("play")], 1
        self._watch = 0.0
        frames = [self._once("impression"), self._summary("starting"), self._event("play")]
        return [*frames, self._summary("playing"), self._once("viewable")], 5

    async def open_playing(self) -> None:
        """Join a session and start playing; return once everything is answered ok."""
        self._settled = asyncio.get_running_loop().create_future()
        join = self._join()
        frames, events = self._starting()
        self._send_burst([join, *frames], expected_ok=1, events=events)
        await self._settled

    def run(
        self, burst: int, rotate_after: int, window_start: float, deadline: float
    ) -> asyncio.Future[None]:
        """Push bursts until `deadline`; the future resolves when the last one is answered."""
        self._burst, self._rotate_after = burst, rotate_after
        self._window_start, self._deadline = window_start, deadline
        self._settled = asyncio.get_running_loop().create_future()
        self._next_burst()
        return self._settled

    def keep_alive(self, pace: float) -> None:
        """From now on, as a page whose viewer just watches: a heartbeat every `pace` seconds (the
        published client's is 30 s) and nothing else, until `measure` sets an end."""
        self._pace, self._burst, self._rotate_after = pace, 0, 1 << 30
        self._window_start, self._deadline = math.inf, math.inf
        asyncio.get_running_loop().call_later(pace, self._next_burst)

    def measure(self, window_start: float, deadline: float) -> asyncio.Future[None]:
        """Replies between `window_start` and `deadline` give the latencies; the heartbeats stop
        at `deadline`, and the future resolves then."""
        self._window_start, self._deadline = window_start, deadline
        self._settled = asyncio.get_running_loop().create_future()
        return self._settled

    def _next_burst(self) -> None:
        frames: list[bytes] = []
        expected = 0
        events = 0
        per_event = 2 if self._quality else 1
        if self._session_events + self._burst * per_event > self._rotate_after:
            # Stay under the server's events-per-session limit: end this session, start another.
            frames += [self._frame(self._join_ref, self._topic, "phx_leave", {}), self._join()]
            starting, events = self._starting()
            frames += starting
            expected = 2  # the leave and the join
        for index in range(self._burst):
            # The session is playing: pause, play, pause, … (an even burst leaves it playing),
            # each followed by the snippet's summary of the state it left the player in.
            name = "pause" if index % 2 == 0 else "play"
            frames.append(self._event(name))
            if self._quality:
                frames.append(self._summary("paused" if name == "pause" else "playing"))
        self._send_burst(frames, expected, events + self._burst * per_event)

    def on_text(self, payload: bytes) -> None:
        if b'"phoenix"' in payload:
            self._burst_done()
        elif b'"status":"ok"' in payload:
            self._ok += 1
        elif b'"phx_close"' not in payload:
            self._refused += 1
            self.stats.error(payload.decode(errors="replace"))

    def _burst_done(self) -> None:
        now = time.monotonic()
        stats = self.stats
        ok_events = self._burst_events - self._refused
        stats.bursts += 1
        stats.events += ok_events
        # A server that still answers each push (an older version measured as a baseline) sends
        # more ok replies than the joins and leaves: fewer is what would be wrong.
        if self._ok < self._expected_ok:
            stats.error(f"burst answered {self._ok} ok of {self._expected_ok}")
        if self._deadline and self._window_start <= now <= self._deadline:
            stats.window_bursts += 1
            stats.window_events += ok_events
            stats.latencies.append(now - self._sent_at)
        if self._pace and now + self._pace < self._deadline:
            asyncio.get_running_loop().call_at(self._sent_at + self._pace, self._next_burst)
        elif self._pace:
            self._settled_now()
        elif self._deadline and now < self._deadline:
            self._next_burst()
        else:
            self._settled_now()

    def _settled_now(self) -> None:
        if self._settled is not None and not self._settled.done():
            self._settled.set_result(None)

    def on_closed(self) -> None:
        if self._settled is not None and not self._settled.done():
            self.stats.error("socket closed by the server")
            self._settled.set_result(None)


class Worker:
    """The pages of one client process, driven by commands from the parent over a pipe."""

    def __init__(self, host: str, key: str, quality: bool = True) -> None:
        self.host, self.key, self.quality = host, key, quality
        self.pages: list[Page] = []
        self.stats = Stats()

    async def open(self, port: int, count: int, first_index: int, pace: float = 0.0) -> dict[str, Any]:
        """Open `count` playing pages on `port`; each page index gets its own source address. With
        `pace`, each page heartbeats every `pace` seconds from its opening on (see `hold`)."""
        self.stats = Stats()
        gate = asyncio.Semaphore(OPENING_AT_ONCE)

        async def one(index: int) -> None:
            async with gate:
                try:
                    page = await connect(
                        lambda: Page(self.host, port, self.key, index % VIDEOS, self.stats, self.quality),
                        self.host,
                        port,
                        local_address(index),
                    )
                    assert isinstance(page, Page)
                    await asyncio.wait_for(page.open_playing(), 30)
                    if pace:
                        page.keep_alive(pace)
                    self.pages.append(page)
                except (OSError, TimeoutError) as error:
                    self.stats.error(f"open failed: {error!r}")

        await asyncio.gather(*(one(first_index + i) for i in range(count)))
        return {"opened": len(self.pages), "errors": self.stats.errors, "first_error": self.stats.first_error}

    async def run(
        self, burst: int, rotate_after: int, go_at: float, window_start: float, deadline: float
    ) -> Stats:
        """Push bursts from every page from `go_at` to `deadline` (monotonic clock, shared by all
        processes); count what is answered between `window_start` and `deadline`."""
        self.stats = Stats(pages=len(self.pages))
        for page in self.pages:
            page.stats = self.stats
        loop = asyncio.get_running_loop()
        cpu: list[float] = []
        loop.call_at(window_start, lambda: cpu.append(time.process_time()))
        loop.call_at(deadline, lambda: cpu.append(time.process_time()))
        await asyncio.sleep(max(0.0, go_at - time.monotonic()))
        pending = [page.run(burst, rotate_after, window_start, deadline) for page in self.pages]
        _, late = await asyncio.wait(pending, timeout=max(1.0, deadline - time.monotonic()) + 30)
        self.stats.unfinished = len(late)
        await asyncio.sleep(max(0.0, deadline - time.monotonic()) + 0.01)
        self.stats.cpu_seconds = cpu[1] - cpu[0] if len(cpu) == 2 else 0.0
        return self.stats

    async def hold(self, window_start: float, deadline: float) -> Stats:
        """Pages opened with a `pace` keep heartbeating, each on its own rhythm from when it
        opened, as independent pages do; the replies between `window_start` and `deadline`
        (monotonic clock, shared by all processes) are the latencies."""
        self.stats = Stats(pages=len(self.pages))
        for page in self.pages:
            page.stats = self.stats
        loop = asyncio.get_running_loop()
        cpu: list[float] = []
        loop.call_at(window_start, lambda: cpu.append(time.process_time()))
        loop.call_at(deadline, lambda: cpu.append(time.process_time()))
        pending = [page.measure(window_start, deadline) for page in self.pages]
        if pending:
            _, late = await asyncio.wait(pending, timeout=max(1.0, deadline - time.monotonic()) + 30)
            self.stats.unfinished = len(late)
        await asyncio.sleep(max(0.0, deadline - time.monotonic()) + 0.01)
        self.stats.cpu_seconds = cpu[1] - cpu[0] if len(cpu) == 2 else 0.0
        return self.stats

    async def close(self) -> None:
        for page in self.pages:
            page.close()
        if self.pages:
            await asyncio.wait([page.closed for page in self.pages], timeout=10)
        self.pages = []


def worker_main(pipe: Connection, host: str, key: str, quality: bool = True) -> None:
    """Entry point of a client process: obey ('open' | 'run' | 'close' | 'exit', args) commands."""
    asyncio.run(_serve(pipe, Worker(host, key, quality)))


async def _serve(pipe: Connection, worker: Worker) -> None:
    loop = asyncio.get_running_loop()
    while True:
        command, args = await loop.run_in_executor(None, pipe.recv)
        if command == "open":
            pipe.send(await worker.open(*args))
        elif command == "run":
            pipe.send(await worker.run(*args))
        elif command == "hold":
            pipe.send(await worker.hold(*args))
        elif command == "close":
            await worker.close()
            pipe.send(None)
        else:
            await worker.close()
            return
