"""Ingest as a running service: the writer, the open sessions, and the periodic jobs around them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import Counter
from collections.abc import Callable

import asyncpg

from app import live
from app.config import Settings
from app.ingest import orphans
from app.ingest.channels import Limits
from app.ingest.country import Countries
from app.ingest.hub import Hub
from app.ingest.idle import IdleSweeper
from app.ingest.keys import KeyCheck
from app.ingest.record import SessionRecord
from app.ingest.resume import Resumption
from app.ingest.writer import Writer

log = logging.getLogger("video_metrics.ingest")

# Sessions checkpointed between two yields to the event loop: a few milliseconds of work.
CHECKPOINT_SLICE = 200


class Ingest:
    """Starts the writer and the periodic jobs; at shutdown ends every open session and flushes."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        settings: Settings,
        on_written: Callable[[list[SessionRecord]], None] | None = None,
    ) -> None:
        self.settings = settings
        self.limits = Limits(
            max_frame_bytes=settings.max_frame_bytes,
            max_sessions_per_socket=settings.max_sessions_per_socket,
            max_events_per_session=settings.max_events_per_session,
        )
        self.writer = Writer(
            pool,
            flush_interval=settings.flush_interval,
            queue_limit=settings.write_queue_limit,
            journal_dir=settings.data_dir,
            on_written=on_written,  # the sinks (app/sinks/), handed what is stored
        )
        self.process_id = uuid.uuid4()
        self.hub = Hub(self.writer, settings.checkpoint_interval, self.process_id)
        self.keys = KeyCheck(pool)
        self.countries = Countries(settings.geoip_database)
        self.resumption = Resumption(pool)
        self.idle = IdleSweeper(settings.idle_timeout)
        self._pool = pool
        self._sockets: Counter[str] = Counter()
        self._writer_task: asyncio.Task[None] | None = None
        self._jobs: list[asyncio.Task[None]] = []

    def admit(self, address: str) -> bool:
        """Count a socket from `address`, unless that address is at its limit."""
        if self._sockets[address] >= self.settings.max_sockets_per_address:
            return False
        self._sockets[address] += 1
        return True

    def release(self, address: str) -> None:
        self._sockets[address] -= 1
        if self._sockets[address] <= 0:
            del self._sockets[address]

    async def start(self) -> None:
        self._writer_task = asyncio.create_task(self.writer.run(), name="writer")
        self._jobs = [
            asyncio.create_task(self._checkpoints(), name="checkpoints"),
            asyncio.create_task(self.idle.run(), name="idle"),
            asyncio.create_task(self._publish_live(), name="live"),
            asyncio.create_task(self._finalize_orphans(), name="orphans"),
        ]

    async def stop(self) -> None:
        for job in self._jobs:
            job.cancel()
        for job in self._jobs:
            with contextlib.suppress(asyncio.CancelledError):
                await job
        ended = self.hub.end_all(time.time())
        log.info("event=ingest_stopping ended_sessions=%d pending=%d", ended, self.writer.pending)
        if self._writer_task is not None:
            await self.writer.close(self._writer_task, self.settings.shutdown_flush_seconds)
        with contextlib.suppress(Exception):
            await live.withdraw(self._pool, self.process_id)
        self.countries.close()

    async def _checkpoints(self) -> None:
        """Wake when the next open session falls due (app/ingest/checkpoints.py)."""
        while True:
            await asyncio.sleep(self.hub.until_checkpoint(time.time()))
            # In slices, yielding between them: a tick of thousands of sessions due at once
            # would otherwise hold every socket's frames (and heartbeats) until it is done.
            count = 0
            while True:
                count += self.hub.checkpoint(time.time(), CHECKPOINT_SLICE)
                if self.hub.until_checkpoint(time.time()) > 0:
                    break
                await asyncio.sleep(0)
            if count:
                log.debug("event=checkpoint sessions=%d", count)

    async def _finalize_orphans(self) -> None:
        """Close the sessions of processes that died without ending them (app/ingest/orphans.py):
        at start-up, again once a process killed just before it has gone stale (this process's
        previous life, if it crashed), then periodically."""
        for wait in orphans.sweeps():
            await asyncio.sleep(wait)
            try:
                count = await orphans.finalize(self._pool)
                if count:
                    log.info("event=orphaned_sessions_finalized sessions=%d", count)
            except Exception as error:  # the database is away; the next round tries again
                log.warning("event=orphan_sweep_failed error=%r", str(error))

    async def _publish_live(self) -> None:
        while True:
            try:
                await live.publish(self._pool, self.process_id, self.hub.playing_by_video_and_page())
            except Exception as error:  # the database is away; the next round tries again
                log.warning("event=live_publish_failed error=%r", str(error))
            await asyncio.sleep(live.PUBLISH_INTERVAL)
