"""The JSON Lines file sink: each session appended as one line to `METRICS_FILE_SINK_PATH`.

When the file would grow past `METRICS_FILE_SINK_MAX_BYTES` it is rotated first, as logrotate
does: `sessions.jsonl` becomes `sessions.jsonl.1`, `.1` becomes `.2`, and so on; past
`METRICS_FILE_SINK_BACKUPS` files the oldest is removed. Each batch is flushed to the disk
(fsync) before it counts as delivered, so a crash right after loses nothing it was sent.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from pathlib import Path

import orjson

from app.sinks.interface import Session


class FileSink:
    name = "file"

    def __init__(self, path: Path, max_bytes: int, backups: int) -> None:
        self._path = path
        self._max_bytes = max_bytes
        self._backups = backups

    async def start(self) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)

    async def send(self, batch: Sequence[Session]) -> None:
        data = b"".join(orjson.dumps(session) + b"\n" for session in batch)
        await asyncio.to_thread(self._append, data)

    async def stop(self) -> None:
        return None

    def _append(self, data: bytes) -> None:
        size = self._path.stat().st_size if self._path.exists() else 0
        if size and size + len(data) > self._max_bytes:
            self._rotate()
        with self._path.open("ab") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())

    def _rotate(self) -> None:
        def numbered(n: int) -> Path:
            return self._path.with_name(f"{self._path.name}.{n}")

        if self._backups == 0:
            self._path.unlink()
            return
        numbered(self._backups).unlink(missing_ok=True)
        for n in range(self._backups - 1, 0, -1):
            if numbered(n).exists():
                numbered(n).replace(numbered(n + 1))
        self._path.replace(numbered(1))
