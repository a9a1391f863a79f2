"""The one task that writes sessions: batched, retried with backoff, never dropped.

It owns the queue of rows waiting for the database and the files beside it (app/ingest/journal.py);
how one batch is stored is app/ingest/store.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path

import asyncpg

from app import telemetry
from app.db.errors import refuses_data
from app.ingest.journal import Journal
from app.ingest.record import SessionRecord
from app.ingest.store import store

log = logging.getLogger("video_metrics.writer")


class Writer:
    """Owns every session write. `submit` never blocks; `run` drains the queue in batches.

    The queue holds one row per session, the newest: a checkpoint or final row replaces the one
    still waiting for its session, which keeps the queue from growing with every checkpoint while
    the database is away. Past `queue_limit` sessions, rows go to the overflow file instead of
    memory (app/ingest/journal.py), and are written from there once the queue has caught up.
    """

    def __init__(
        self,
        pool: asyncpg.Pool,
        *,
        flush_interval: float = 0.5,
        batch_size: int = 1000,
        queue_limit: int = 100_000,
        journal_dir: Path | None = None,
        on_written: Callable[[list[SessionRecord]], None] | None = None,
    ) -> None:
        self._pool = pool
        # Handed the final rows of each batch once it is committed (the sinks, app/sinks/); it
        # must return at once, since the writer waits for it.
        self._on_written = on_written
        # Scopes being deleted (app/data/deletion.py): their rows are dropped, not written, until
        # the deletion is done and the batch being written when it ended is written too.
        self._forgetting: list[Callable[[SessionRecord], bool]] = []
        self._retiring: list[Callable[[SessionRecord], bool]] = []
        self._writing = False
        self._in_flight: asyncio.Future[None] | None = None
        self._flush_interval = flush_interval
        self._batch_size = batch_size
        self._queue_limit = queue_limit
        self._journal = None if journal_dir is None else Journal(journal_dir)
        self._queue: dict[uuid.UUID, SessionRecord] = {}
        self._spilling: list[SessionRecord] = []  # past the limit, on their way to the overflow file
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        # Sessions read back from the journal at start and not written yet: the journal file is
        # removed only once they are, so a crash before then replays them again (harmless: rows
        # are upserts by session id). None once it is removed, or when there was none.
        self._replaying: set[uuid.UUID] | None = None

    @property
    def pending(self) -> int:
        return len(self._queue) + len(self._spilling)

    def unwritten(self, session_id: uuid.UUID) -> SessionRecord | None:
        """The newest row of a session still waiting in memory to be written, if any: a rejoin
        continues from it, since the database does not have it yet."""
        record = self._queue.get(session_id)
        for spilled in self._spilling:
            if spilled.id == session_id and (record is None or spilled.ended_at >= record.ended_at):
                record = spilled
        return record

    def submit(self, record: SessionRecord) -> None:
        if self._forgetting and any(matches(record) for matches in self._forgetting):
            return
        if record.id in self._queue or len(self._queue) < self._queue_limit or self._journal is None:
            self._queue[record.id] = record  # a newer row for a queued session takes its place
        else:
            self._spilling.append(record)
        self._idle.clear()
        telemetry.QUEUE_DEPTH.set(len(self._queue))
        if len(self._queue) >= self._batch_size or len(self._spilling) >= self._batch_size:
            self._wake.set()

    async def run(self) -> None:
        """Write until cancelled: a batch when it is full or every `flush_interval` seconds."""
        self._replay_journal()
        spiller = asyncio.create_task(self._spill_every_interval(), name="writer-overflow")
        try:
            while True:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._flush_interval):
                        await self._wake.wait()
                self._wake.clear()
                try:
                    await self._drain()
                except Exception:
                    # Never let a fault of ours stop persistence: the rows stay queued for next time.
                    log.exception("event=writer_fault pending=%d", self.pending)
                    await asyncio.sleep(1.0)
        finally:
            spiller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await spiller

    async def drained(self) -> None:
        """Wait until everything submitted so far is written."""
        self._wake.set()
        await self._idle.wait()

    async def close(self, task: asyncio.Task[None], deadline: float) -> None:
        """Flush what is queued, for up to `deadline` seconds, then keep the rest on disk."""
        try:
            async with asyncio.timeout(deadline):
                await self.drained()
        except TimeoutError:
            log.error("event=writer_close_timeout pending=%d", self.pending)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        self._spill()
        self._write_journal()
        if self._journal is not None:
            self._journal.close()

    async def _spill_every_interval(self) -> None:
        """Its own task, because the drain may be waiting out the database for a long while."""
        while True:
            await asyncio.sleep(self._flush_interval)
            self._spill()

    def _spill(self) -> None:
        if not self._spilling or self._journal is None:
            return
        rows, self._spilling = self._spilling, []
        try:
            self._journal.spill(rows)
        except OSError as error:  # keep them in memory rather than lose them; try again later
            self._spilling = rows + self._spilling
            log.error("event=overflow_failed rows=%d error=%r", len(rows), str(error))
            return
        telemetry.SESSIONS_OVERFLOWED.inc(len(rows))
        log.warning("event=sessions_overflowed rows=%d path=%s", len(rows), self._journal.overflow)

    async def _drain(self) -> None:
        """Write the queue, then what is on disk, until both are empty. New rows in the queue go
        before the overflow's next batch, so a backlog on disk never delays live sessions."""
        while True:
            if self._queue:
                batch = list(itertools.islice(self._queue.values(), self._batch_size))
                await self._write_batch(batch)
                for record in batch:
                    # The queue is only emptied after the batch is written, so a cancellation at
                    # shutdown leaves the rows queued (and journaled), not lost; a newer row that
                    # replaced one during the write stays queued.
                    if self._queue.get(record.id) is record:
                        del self._queue[record.id]
                    if self._replaying is not None:
                        self._replaying.discard(record.id)
                telemetry.QUEUE_DEPTH.set(len(self._queue))
                self._forget_journal_once_replayed()
                continue
            if self._journal is None:
                break
            self._spill()  # so that the overflow is read in the order the rows came
            overflow = self._journal.read_overflow(self._batch_size)
            if overflow:
                await self._write_batch(newest_per_session(overflow))
            self._journal.overflow_written()
            if not overflow and not self._journal.overflow_waiting():
                break
        if not self._spilling:
            self._idle.set()

    async def _write_batch(self, batch: list[SessionRecord]) -> None:
        """A batch with its retries; a scope deleted meanwhile stays dropped until it is written."""
        self._writing = True
        try:
            await self._write_with_retry(batch)
        finally:
            self._writing = False
            for matches in self._retiring:
                self._forgetting.remove(matches)
            self._retiring.clear()

    async def _write_with_retry(self, batch: list[SessionRecord]) -> None:
        """Write a batch, waiting out the database with backoff. A batch the database refuses as
        data is written row by row (each with the same retries), and a row it refuses alone is
        set aside in the journal folder rather than blocking every row behind it."""
        delay = 0.1
        while True:
            try:
                await self._write(batch)
                return
            except Exception as error:
                if not refuses_data(error):
                    # The database is away (or anything else that passes): keep the batch.
                    telemetry.WRITE_FAILURES.inc()
                    log.warning(
                        "event=write_failed rows=%d error=%r retry_in=%.1f",
                        len(batch),
                        str(error) or type(error).__name__,
                        delay,
                    )
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 5.0)
                    continue
                if len(batch) == 1:
                    self._set_aside(batch[0], str(error))
                    return
                log.error("event=batch_rejected rows=%d error=%r", len(batch), str(error))
                for record in batch:
                    await self._write_with_retry([record])
                return

    async def _write(self, batch: list[SessionRecord]) -> None:
        """One attempt: the rows of no scope being deleted, then the final ones to the sinks."""
        batch = [record for record in batch if not any(match(record) for match in self._forgetting)]
        if not batch:
            return
        self._in_flight = asyncio.get_running_loop().create_future()
        try:
            await self._commit(batch)
        finally:
            self._in_flight.set_result(None)
            self._in_flight = None
        if self._on_written is not None and (final := [record for record in batch if record.final]):
            self._on_written(final)

    async def _commit(self, batch: list[SessionRecord]) -> None:
        started = time.perf_counter()
        await store(self._pool, batch)
        telemetry.WRITE_BATCHES.observe(time.perf_counter() - started)
        telemetry.SESSIONS_WRITTEN.inc(len(batch))

    def waiting(self, matches: Callable[[SessionRecord], bool]) -> set[uuid.UUID]:
        """The sessions that match and wait to be written, in memory or on disk."""
        ids = {record.id for record in [*self._queue.values(), *self._spilling] if matches(record)}
        if self._journal is not None:
            ids |= self._journal.forget(matches, count_only=True)
        return ids

    @contextlib.asynccontextmanager
    async def forgetting(self, matches: Callable[[SessionRecord], bool]) -> AsyncIterator[set[uuid.UUID]]:
        """Drop the waiting rows that match (in memory and in the files) and keep dropping any
        that come until the block ends: the block deletes the stored ones. A write in flight is
        waited for first, so that whatever it stores is there for the block to delete. Yields the
        ids of the sessions dropped."""
        self._forgetting.append(matches)
        try:
            dropped = {record.id for record in self._queue.values() if matches(record)}
            for session_id in dropped:
                del self._queue[session_id]
            spilling = [record for record in self._spilling if matches(record)]
            self._spilling = [record for record in self._spilling if not matches(record)]
            dropped |= {record.id for record in spilling}
            if self._journal is not None:
                dropped |= self._journal.forget(matches)
            telemetry.QUEUE_DEPTH.set(len(self._queue))
            if self._replaying is not None:
                self._replaying -= dropped
                self._forget_journal_once_replayed()
            if self._in_flight is not None:
                await asyncio.shield(self._in_flight)
            yield dropped
        finally:
            if self._writing:  # its batch may hold rows of the scope, to be dropped at each retry
                self._retiring.append(matches)
            else:
                self._forgetting.remove(matches)

    def _set_aside(self, record: SessionRecord, reason: str) -> None:
        log.error("event=session_rejected id=%s reason=%r", record.id, reason)
        if self._journal is None:
            return
        try:
            self._journal.set_aside(record, reason)
        except OSError as error:  # the row is refused either way; it must not block the rest
            log.error("event=session_lost id=%s reason=%r", record.id, f"cannot set aside: {error}")

    def _write_journal(self) -> None:
        if not self._queue:
            return
        if self._journal is None:
            log.error("event=sessions_lost rows=%d reason='no journal folder'", len(self._queue))
            return
        # Every unwritten row is in the queue, journal rows replayed at start included: the file
        # is replaced whole rather than appended to, so no row is in it twice.
        try:
            kept = self._journal.keep(self._queue.values())
        except OSError as error:  # the previous journal, if any, is still whole
            log.error("event=sessions_lost rows=%d reason=%r", len(self._queue), str(error))
            return
        log.warning("event=sessions_journaled rows=%d path=%s", kept, self._journal.pending)
        self._queue.clear()

    def _forget_journal_once_replayed(self) -> None:
        if self._replaying is None or self._replaying or self._journal is None:
            return  # no journal in play, or some of its rows not written yet
        self._spill()  # the journal's rows past the queue limit must be safe in the overflow first
        if not self._spilling:
            self._journal.forget_pending()
            self._replaying = None

    def _replay_journal(self) -> None:
        if self._journal is None:
            return
        records = self._journal.read_pending()
        for record in records:
            self.submit(record)
        self._replaying = {record.id for record in records if record.id in self._queue}
        self._forget_journal_once_replayed()
        if self._journal.overflow_waiting():
            self._idle.clear()
            self._wake.set()
        if records:
            log.info("event=journal_replayed rows=%d", len(records))


def newest_per_session(records: Iterable[SessionRecord]) -> list[SessionRecord]:
    """One row per session, the one that ended last (of equals, the later given): a batch must
    not upsert the same row twice, and the database would keep that one anyway."""
    newest: dict[uuid.UUID, SessionRecord] = {}
    for record in records:
        kept = newest.get(record.id)
        if kept is None or record.ended_at >= kept.ended_at:
            newest[record.id] = record
    return list(newest.values())
