"""Which folder of `METRICS_DATA_DIR` a server process keeps its files in, with `--workers N`.

Each process has a writer journal and sink spools of its own, and two processes must never share
those files. Worker processes are alike (uvicorn starts them all the same way), so each takes the
first free slot: slot 0 is the data folder itself (a single process keeps today's layout), slot
i > 0 is `worker-<i>` inside it; a slot is held by an exclusive lock on its `slot.lock` for the
process's life. A restarted worker takes the slot its predecessor left, with its files.

When a run has fewer workers than the last one, the files of the slots no one takes any more are
adopted at start-up (slot j by slot j mod N): journal lines are appended to the adopter's files
and spool segments moved into its spools, before its writer and sinks read them.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from app.ingest.journal import OVERFLOW, OVERFLOW_WRITING, PENDING, REJECTED

log = logging.getLogger("video_metrics.slots")

LOCK = "slot.lock"
_WORKER = re.compile(r"worker-(\d{1,4})")
_SEGMENT = re.compile(r"spool-(\d{12})\.jsonl")
_SINKS = "sinks"


@dataclass
class Slot:
    """A slot this process holds: its index and folder; the lock goes with the process."""

    index: int
    folder: Path
    _lock: TextIO

    def release(self) -> None:
        self._lock.close()


def folder_of(base: Path, index: int) -> Path:
    return base if index == 0 else base / f"worker-{index}"


def take(base: Path, workers: int) -> Slot:
    """The first free slot below `workers` (there is one while at most `workers` run)."""
    for index in range(workers):
        lock = _try_lock(folder_of(base, index))
        if lock is not None:
            return Slot(index, folder_of(base, index), lock)
    raise RuntimeError(f"METRICS_DATA_DIR {base}: every one of {workers} worker slots is in use")


def adopt_leftovers(slot: Slot, base: Path, workers: int) -> int:
    """Take in the files of slots no worker of this run will take; return how many slots."""
    adopted = 0
    for folder in sorted(base.glob("worker-*")):
        match = _WORKER.fullmatch(folder.name)
        if not match or not folder.is_dir():
            continue
        index = int(match.group(1))
        if index < workers or index % workers != slot.index:
            continue
        lock = _try_lock(folder)
        if lock is None:
            continue  # a process of an earlier, larger run still holds it: its own files
        try:
            _merge(folder, slot.folder)
        finally:
            lock.close()
        shutil.rmtree(folder, ignore_errors=True)
        log.info("event=worker_files_adopted from=%s into=%s", folder.name, slot.index)
        adopted += 1
    return adopted


def _try_lock(folder: Path) -> TextIO | None:
    folder.mkdir(parents=True, exist_ok=True)
    handle = (folder / LOCK).open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


def _merge(source: Path, target: Path) -> None:
    # The writer's files: their lines are rows, in any order (rows are upserts by session id).
    for name, into in (
        (PENDING, PENDING),
        (OVERFLOW_WRITING, OVERFLOW),
        (OVERFLOW, OVERFLOW),
        (REJECTED, REJECTED),
    ):
        _append(source / name, target / into)
    sinks = source / _SINKS
    if sinks.is_dir():
        for spool in sorted(path for path in sinks.iterdir() if path.is_dir()):
            _move_spool(spool, target / _SINKS / spool.name)


def _append(source: Path, target: Path) -> None:
    if not source.exists():
        return
    data = source.read_bytes()
    if data:
        with target.open("ab") as file:
            if file.tell() and not _ends_with_newline(target):
                file.write(b"\n")
            file.write(data if data.endswith(b"\n") else data + b"\n")
            file.flush()
            os.fsync(file.fileno())
    source.unlink()


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as file:
        file.seek(-1, os.SEEK_END)
        return file.read(1) == b"\n"


def _move_spool(source: Path, target: Path) -> None:
    """Spool segments keep their order after the target's own (app/sinks/spool.py numbers them)."""
    target.mkdir(parents=True, exist_ok=True)
    taken = [int(m.group(1)) for path in target.iterdir() if (m := _SEGMENT.fullmatch(path.name))]
    sequence = max(taken, default=0) + 1
    for path in sorted(source.iterdir()):
        if _SEGMENT.fullmatch(path.name):
            path.replace(target / f"spool-{sequence:012d}.jsonl")
            sequence += 1
        elif path.is_file():
            _append(path, target / path.name)
