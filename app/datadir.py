"""A lock on the data folder (`METRICS_DATA_DIR`), so that a command can tell whether a server
is using the files in it.

Every server holds it shared for as long as it runs; `video-metrics delete` takes it exclusively
(without waiting) before it rewrites the writer's and the sinks' files there, so it never edits
a file a running server is appending to or reading.
"""

from __future__ import annotations

import fcntl
from pathlib import Path
from typing import TextIO

LOCK_FILE = "server.lock"


class DataDirLock:
    def __init__(self, folder: Path) -> None:
        self.path = folder / LOCK_FILE
        self._file: TextIO | None = None

    def hold_shared(self) -> None:
        """Held by a running server (several may share a folder's lock)."""
        self._open()
        assert self._file is not None
        fcntl.flock(self._file, fcntl.LOCK_SH)

    def try_exclusive(self) -> bool:
        """True when no server holds the folder: the lock is then this process's until release."""
        self._open()
        assert self._file is not None
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.release()
            return False
        return True

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing the file releases the lock
            self._file = None

    def _open(self) -> None:
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("a")
