"""One sink's delivery: its own queue, batches, retries with backoff, a spill to disk, figures.

The writer hands each stored batch's final rows to `put`, which only appends to memory: nothing
here can slow ingest or the database writes. The delivery task takes batches (up to
`batch_size` sessions, waiting up to `batch_wait` seconds to fill one) and sends them, one at a
time. A batch the destination refuses as data is set aside in the spool with its reason; any
other failure is retried with exponential backoff and jitter (capped at `retry_max` seconds).

While the destination fails, or once `queue_limit` sessions wait in memory, sessions go to the
spool on disk instead (bounded by `spill_limit` bytes; past it they are dropped and counted), so
memory stays bounded however long it is away. The spool is delivered first, oldest first, as
soon as a send succeeds again. At shutdown what is still in memory goes to the spool, and the
next start delivers it. Delivery is at least once: a batch whose answer was lost is sent again,
and so is a spool segment's undelivered part after a crash; receivers tell a repeat by its
`session_id`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.ingest.record import SessionRecord
from app.sinks import metrics
from app.sinks.document import KeyNames, document
from app.sinks.interface import Refused, Sink
from app.sinks.spool import Spool

log = logging.getLogger("video_metrics.sinks")

RETRY_FIRST = 1.0  # seconds before the first retry; doubled at each failure
SPILL_EVERY = 0.5  # seconds between moves of waiting sessions to the spool


@dataclass(frozen=True, slots=True)
class Options:
    queue_limit: int = 10_000
    batch_size: int = 500
    batch_wait: float = 1.0
    spill_limit: int = 1024**3
    retry_max: float = 60.0
    send_timeout: float = 30.0


@dataclass(slots=True)
class _Segment:
    """The spool segment being delivered: its rows, and the batch of them in flight."""

    path: Path
    rows: list[SessionRecord]
    position: int = 0  # rows before this are delivered
    end: int = 0  # the batch in flight is rows[position:end]


class Delivery:
    def __init__(self, sink: Sink, spool: Spool, keys: KeyNames, options: Options) -> None:
        self.sink = sink
        self.name = sink.name
        self._spool = spool
        self._keys = keys
        self._options = options
        self._memory: deque[SessionRecord] = deque()
        self._to_spool: list[SessionRecord] = []
        self._batch: list[SessionRecord] = []  # in flight, when it came from memory
        self._segment: _Segment | None = None
        self._failing = False
        self._started = False
        self._failures = 0
        self._wake = asyncio.Event()
        self._spill_now = asyncio.Event()
        self._empty = asyncio.Event()  # set while nothing waits in memory
        self._disk = asyncio.Lock()  # one spool operation at a time, each in a thread
        self._tasks: list[asyncio.Task[None]] = []

    # The writer's side: never blocks.

    def put(self, records: list[SessionRecord]) -> None:
        if self._failing or len(self._memory) + len(records) > self._options.queue_limit:
            self._to_spool.extend(records)
            self._spill_now.set()
        else:
            self._memory.extend(records)
        self._wake.set()
        self._report()

    # The delivery's side.

    async def start(self) -> None:
        """Start delivering; the sink's own start() runs in the delivery task, so a destination
        that cannot be reached does not hold up the server's start."""
        self._report()
        self._tasks = [
            asyncio.create_task(self._deliver(), name=f"sink-{self.name}"),
            asyncio.create_task(self._spill_every_interval(), name=f"sink-{self.name}-spill"),
        ]

    async def stop(self, grace: float) -> None:
        """Deliver what is in memory for up to `grace` seconds if the destination answers, then
        keep the rest in the spool for the next start."""
        if not self._failing:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(grace):
                    await self._empty.wait()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        left = [*self._batch, *self._memory, *self._to_spool]
        self._batch, self._to_spool = [], []
        self._memory.clear()
        async with self._disk:
            if self._segment is not None:
                rest = self._segment.rows[self._segment.position :]
                await asyncio.to_thread(self._spool.done, self._segment.path, rest)
                self._segment = None
            dropped = await asyncio.to_thread(self._spool.append, left)
        self._note_dropped(dropped)
        if left:
            log.info("event=sink_spooled_at_stop sink=%s sessions=%d", self.name, len(left) - dropped)
        self._report()
        if not self._started:
            return
        try:
            await self.sink.stop()
        except Exception as error:  # stopping one sink must not keep the others from stopping
            log.error("event=sink_stop_failed sink=%s error=%r", self.name, str(error))

    async def _start_sink(self) -> None:
        """The sink's start(), retried with backoff like a send; sessions wait on disk meanwhile."""
        delay = RETRY_FIRST
        while True:
            try:
                async with asyncio.timeout(self._options.send_timeout):
                    await self.sink.start()
            except Exception as error:
                self._failed([], error, delay)
                await asyncio.sleep(random.uniform(delay / 2, delay))  # jitter
                delay = min(delay * 2, self._options.retry_max)
            else:
                self._started = True
                self._failing = False
                metrics.UP.labels(self.name).set(1)
                log.info("event=sink_started sink=%s", self.name)
                return

    async def _deliver(self) -> None:
        await self._start_sink()
        delay = RETRY_FIRST
        while True:
            await self._next_batch()
            while batch := self._in_flight():  # read again at each try: a deletion may shrink it
                try:
                    await self._send(batch)
                except Refused as refusal:
                    await self._set_aside(batch, str(refusal))
                    break
                except Exception as error:
                    self._failed(batch, error, delay)
                    if self._segment is None:  # from memory: keep it on disk while the destination fails
                        await self._spool_memory(batch)
                    await asyncio.sleep(random.uniform(delay / 2, delay))  # jitter
                    delay = min(delay * 2, self._options.retry_max)
                else:
                    self._delivered(batch)
                    delay = RETRY_FIRST
                    break
            await self._advance()

    def _in_flight(self) -> list[SessionRecord]:
        segment = self._segment
        if segment is not None:
            return segment.rows[segment.position : segment.end]
        return self._batch

    async def _next_batch(self) -> None:
        """Take the next batch in flight: from the spool first (oldest segment first), then from
        memory; waits while there is nothing."""
        size = self._options.batch_size
        while True:
            if self._segment is not None:
                segment = self._segment
                if segment.position < len(segment.rows):
                    segment.end = min(segment.position + size, len(segment.rows))
                    return
                async with self._disk:
                    await asyncio.to_thread(self._spool.done, segment.path)
                self._segment = None
                continue
            async with self._disk:
                path = self._spool.oldest()
                if path is not None:
                    self._segment = _Segment(path, await asyncio.to_thread(self._spool.read, path))
                    continue
            if self._memory:
                if len(self._memory) < size:
                    await self._more(size)
                self._batch = [self._memory.popleft() for _ in range(min(size, len(self._memory)))]
                self._report()
                return
            self._wake.clear()
            await self._wake.wait()

    async def _more(self, size: int) -> None:
        """Wait up to `batch_wait` seconds for a full batch."""
        deadline = time.monotonic() + self._options.batch_wait
        while len(self._memory) < size and (left := deadline - time.monotonic()) > 0:
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(left):
                    await self._wake.wait()

    async def _send(self, batch: list[SessionRecord]) -> None:
        names = await self._keys.names(record.key_id for record in batch)
        sessions = [document(record, names[record.key_id]) for record in batch]
        started = time.perf_counter()
        async with asyncio.timeout(self._options.send_timeout):
            await self.sink.send(sessions)
        metrics.SEND_SECONDS.labels(self.name).observe(time.perf_counter() - started)

    async def _advance(self) -> None:
        """The batch in flight is done with (delivered or set aside)."""
        if self._segment is not None:
            self._segment.position = self._segment.end
        self._batch = []
        self._report()

    def _delivered(self, batch: list[SessionRecord]) -> None:
        metrics.DELIVERED.labels(self.name).inc(len(batch))
        if self._failing:
            log.info("event=sink_recovered sink=%s after_failures=%d", self.name, self._failures)
        self._failing, self._failures = False, 0
        metrics.UP.labels(self.name).set(1)

    def _failed(self, batch: list[SessionRecord], error: Exception, delay: float) -> None:
        self._failing = True
        self._failures += 1
        metrics.FAILURES.labels(self.name).inc()
        metrics.UP.labels(self.name).set(0)
        reason = str(error) or type(error).__name__
        log.warning(
            "event=sink_failed sink=%s sessions=%d error=%r retry_in=%.1f",
            self.name,
            len(batch),
            reason,
            delay,
        )

    async def _set_aside(self, batch: list[SessionRecord], reason: str) -> None:
        metrics.REFUSED.labels(self.name).inc(len(batch))
        log.error("event=sink_refused sink=%s sessions=%d reason=%r", self.name, len(batch), reason[:300])
        async with self._disk:
            kept = await asyncio.to_thread(self._spool.set_aside, batch, reason)
        if not kept:
            self._note_dropped(len(batch))

    async def _spool_memory(self, batch: list[SessionRecord]) -> None:
        """A failed batch from memory, and everything behind it, go to the spool."""
        self._to_spool[:0] = [*batch, *self._memory]
        self._memory.clear()
        self._batch = []
        await self._spill()

    async def _spill_every_interval(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(SPILL_EVERY):
                    await self._spill_now.wait()
            self._spill_now.clear()
            await self._spill()

    async def _spill(self) -> None:
        if not self._to_spool:
            return
        rows, self._to_spool = self._to_spool, []
        async with self._disk:
            dropped = await asyncio.to_thread(self._spool.append, rows)
        self._note_dropped(dropped)
        self._wake.set()
        self._report()

    def _note_dropped(self, dropped: int) -> None:
        if dropped:
            metrics.DROPPED.labels(self.name).inc(dropped)
            log.error(
                "event=sink_spill_full sink=%s dropped_sessions=%d limit_bytes=%d",
                self.name,
                dropped,
                self._options.spill_limit,
            )

    def _report(self) -> None:
        in_memory = len(self._memory) + len(self._to_spool) + len(self._batch)
        metrics.QUEUED.labels(self.name).set(in_memory)
        if in_memory:
            self._empty.clear()
        else:
            self._empty.set()
        segment = self._segment
        reading = 0 if segment is None else len(segment.rows) - segment.position
        on_disk = self._spool.rows - (0 if segment is None else len(segment.rows))
        metrics.SPILLED.labels(self.name).set(max(on_disk, 0) + reading)

    async def forget(self, matches: Callable[[SessionRecord], bool]) -> int:
        """Drop the sessions that match wherever they wait (a deletion on request)."""
        kept = [record for record in self._memory if not matches(record)]
        removed = len(self._memory) - len(kept)
        self._memory = deque(kept)
        for held in (self._to_spool, self._batch):
            before = len(held)
            held[:] = [record for record in held if not matches(record)]
            removed += before - len(held)
        segment = self._segment
        if segment is not None:
            # The rows in memory of the segment being delivered; the file itself is below.
            position = sum(1 for record in segment.rows[: segment.position] if not matches(record))
            end = position + sum(1 for r in segment.rows[segment.position : segment.end] if not matches(r))
            segment.rows[:] = [record for record in segment.rows if not matches(record)]
            segment.position, segment.end = position, end
        async with self._disk:
            removed += await asyncio.to_thread(self._spool.forget, matches)
        self._report()
        return removed
