"""The sinks as a running service: built from the settings, handed what the writer stores,
started before ingest and stopped after it (so the last sessions written reach them too)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import asyncpg

from app.config import Settings
from app.ingest.record import SessionRecord
from app.sinks import plugins
from app.sinks.delivery import Delivery, Options
from app.sinks.document import KeyNames
from app.sinks.interface import Sink
from app.sinks.jsonl_file import FileSink
from app.sinks.spool import Spool
from app.sinks.webhook import WebhookSink

log = logging.getLogger("video_metrics.sinks")

# How long shutdown waits for each sink to take what is in memory before spooling it.
STOP_GRACE = 5.0


def configured(settings: Settings) -> list[Sink]:
    """The built-in sinks the settings turn on, then the plugins METRICS_SINKS names."""
    sinks: list[Sink] = []
    if settings.webhook_url:
        assert settings.webhook_secret is not None  # the settings require it with the URL
        sinks.append(WebhookSink(settings.webhook_url, settings.webhook_secret))
    if settings.file_sink_path is not None:
        sinks.append(
            FileSink(settings.file_sink_path, settings.file_sink_max_bytes, settings.file_sink_backups)
        )
    sinks += plugins.load(settings.sinks)
    names = [sink.name for sink in sinks]
    for name in names:
        if names.count(name) > 1:
            raise plugins.PluginError(f"METRICS_SINKS: two sinks are named {name!r}; each needs its own name")
    return sinks


class Sinks:
    def __init__(self, pool: asyncpg.Pool, settings: Settings, sinks: list[Sink]) -> None:
        options = Options(
            queue_limit=settings.sink_queue_limit,
            batch_size=settings.sink_batch_size,
            batch_wait=settings.sink_batch_wait,
            spill_limit=settings.sink_spill_max_bytes,
            retry_max=settings.sink_retry_max_seconds,
            send_timeout=settings.sink_send_timeout,
        )
        keys = KeyNames(pool)
        folder = settings.data_dir / "sinks"
        self._deliveries = [
            Delivery(sink, Spool(folder / sink.name, options.spill_limit), keys, options) for sink in sinks
        ]

    def __bool__(self) -> bool:
        return bool(self._deliveries)

    def publish(self, records: list[SessionRecord]) -> None:
        """The writer's `on_written`: stored final rows, handed on without waiting."""
        for delivery in self._deliveries:
            delivery.put(records)

    async def start(self) -> None:
        for delivery in self._deliveries:
            await delivery.start()

    async def stop(self) -> None:
        await asyncio.gather(*(delivery.stop(STOP_GRACE) for delivery in self._deliveries))

    async def forget(self, matches: Callable[[SessionRecord], bool]) -> int:
        """Drop the sessions that match from every sink's queue and spool (a deletion on request)."""
        return sum([await delivery.forget(matches) for delivery in self._deliveries])
