"""Log lines that a client can cause, at most one per kind per period, so they cannot fill a disk.

A hostile page can send tens of thousands of bad frames a second; each is counted (Prometheus)
and answered, but only the first of each kind in a period is logged, with how many were left
unlogged before it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable


class ThrottledLog:
    """`log(kind, message)` logs at most once per `period` seconds for each kind."""

    def __init__(
        self,
        logger: logging.Logger,
        period: float = 10.0,
        level: int = logging.INFO,
        clock: Callable[[], float] = time.monotonic,
        max_kinds: int = 1000,
    ) -> None:
        self._logger = logger
        self._period = period
        self._level = level
        self._clock = clock
        self._max_kinds = max_kinds
        self._last: dict[str, float] = {}
        self._unlogged: dict[str, int] = {}

    def log(self, kind: str, message: str, *args: object) -> bool:
        """Log now if this kind was not logged in the last period; return whether it was."""
        now = self._clock()
        last = self._last.get(kind)
        if last is not None and now - last < self._period:
            self._unlogged[kind] = self._unlogged.get(kind, 0) + 1
            return False
        if last is None and len(self._last) >= self._max_kinds:
            self._last.clear()  # kinds come from a fixed set of reasons; this only bounds memory
            self._unlogged.clear()
        self._last[kind] = now
        unlogged = self._unlogged.pop(kind, 0)
        self._logger.log(self._level, message + " unlogged_since_last=%d", *args, unlogged)
        return True
