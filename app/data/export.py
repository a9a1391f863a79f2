"""Export: the stored sessions of a scope, streamed from PostgreSQL's COPY as CSV or JSON Lines.

PostgreSQL formats the rows, so the server only relays bytes: memory stays flat however many
rows there are (a bounded queue of chunks sits between COPY and the reader, and COPY waits while
it is full), and formatting costs this process nothing that could slow ingest. A reader that
goes away cancels the COPY.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import datetime
from typing import Any

import asyncpg

from app.data import export_sql
from app.data.columns import NAMES
from app.data.params import ExportFormat, ExportParams
from app.data.scope import EARLIEST, LATEST, Resolved

log = logging.getLogger("video_metrics.export")

# Chunks of COPY output held between the database and a slow reader (each up to about 64 KiB).
QUEUE_CHUNKS = 16
# A whole export must finish within this; a reader that stalls longer is cut off.
EXPORT_SECONDS = 6 * 3600.0

MEDIA_TYPES = {ExportFormat.CSV: "text/csv; charset=utf-8", ExportFormat.JSONL: "application/x-ndjson"}
SUFFIXES = {ExportFormat.CSV: "csv", ExportFormat.JSONL: "jsonl"}

Output = Callable[[bytes], Coroutine[Any, Any, None]]


def _bounds(params: ExportParams, now: datetime) -> tuple[datetime, datetime]:
    if params.timeframe is None:
        return EARLIEST, LATEST
    return params.timeframe.bounds(now)


async def copy_to(
    connection: asyncpg.Connection | Any,
    params: ExportParams,
    resolved: Resolved,
    now: datetime,
    output: Output,
) -> int:
    """COPY the scope's sessions to `output`, chunk by chunk; returns how many rows went."""
    start, end = _bounds(params, now)
    options = export_sql.copy_options(params.format)
    if resolved.empty:
        # Nothing is in scope; a CSV still says which columns there would be.
        if params.format is ExportFormat.CSV:
            await output((",".join(NAMES) + "\n").encode())
        return 0
    async with connection.transaction(readonly=True):
        await connection.execute(
            export_sql.SET_SCOPE,
            "" if resolved.key_id is None else str(resolved.key_id),
            _array(resolved.key_ids),
            _array(resolved.video_ids),
            start.isoformat(),
            end.isoformat(),
        )
        status = await connection.copy_from_query(
            export_sql.copy_query(params.format, whole_key=resolved.key_id is not None),
            output=output,
            timeout=EXPORT_SECONDS,
            format="csv",
            header=options.header,
            quote=options.quote,
            delimiter=options.delimiter,
        )
    return int(str(status).split()[-1])


def _array(ids: tuple[int, ...]) -> str:
    return "{" + ",".join(str(int(i)) for i in ids) + "}"


async def stream(
    pool: asyncpg.Pool, params: ExportParams, resolved: Resolved, now: datetime
) -> AsyncIterator[bytes]:
    """The export as chunks of bytes for an HTTP response, with backpressure: COPY runs in a task
    of its own and waits while `QUEUE_CHUNKS` chunks are waiting for the reader."""
    queue: asyncio.Queue[bytes | BaseException | None] = asyncio.Queue(maxsize=QUEUE_CHUNKS)

    async def put(chunk: bytes) -> None:
        await queue.put(bytes(chunk))  # asyncpg hands over a bytearray it may reuse

    async def produce() -> None:
        try:
            async with pool.acquire() as connection:
                rows = await copy_to(connection, params, resolved, now, put)
            log.info("event=export_done format=%s rows=%d", params.format.value, rows)
            await queue.put(None)
        except Exception as error:  # handed to the reader, which ends the response short
            await queue.put(error)

    task = asyncio.create_task(produce(), name="export")
    try:
        while True:
            item = await queue.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                log.error("event=export_failed error=%r", str(item) or type(item).__name__)
                raise item
            yield item
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
