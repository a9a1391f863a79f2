"""When each open session is due for a checkpoint, so that a crash loses at most one interval. Pure.

The promise (CONTRACT §3): an open session is written at most one interval after it starts and
after each later change. Every open session is therefore looked at once per interval: at its
first look it is written (the database has nothing of it yet); at each later look it is written
again if it changed since (a play, a pause, a new duration) or is playing (its position moves
with the clock), and otherwise skipped. A change is thus written at most one interval after it
happened, and a session that sits paused costs nothing.

Since every session is next due one interval after it was last looked at, and looks happen in
time order, appending to a queue keeps it sorted by due time: no heap is needed, and a tick
costs only the sessions that are due.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

Item = TypeVar("Item")


class CheckpointSchedule(Generic[Item]):
    """Open sessions in the order they fall due; times are seconds on the caller's clock."""

    def __init__(self, interval: float, slack: float | None = None) -> None:
        if interval <= 0:
            raise ValueError("the checkpoint interval must be positive")
        self.interval = interval
        # Sessions due a little later are taken with the ones due now: one batch instead of a
        # wake-up for each, at the price of writing them that much early (never late).
        self.slack = min(1.0, interval / 10) if slack is None else slack
        # Due times and sessions in two queues side by side rather than one of pairs: a pair per
        # open session was ~70 bytes of each, and the sessions taken together share one due time.
        self._due: deque[float] = deque()
        self._items: deque[Item] = deque()

    def __len__(self) -> int:
        return len(self._items)

    def add(self, item: Item, at: float) -> None:
        """A session opened at `at`: first due one interval later."""
        self._due.append(at + self.interval)
        self._items.append(item)

    def wait(self, now: float) -> float:
        """Seconds until the next session falls due (an interval when none is open)."""
        if not self._due:
            return self.interval
        return max(0.0, self._due[0] - self.slack - now)

    def due(self, now: float, still_open: Callable[[Item], bool], most: int | None = None) -> list[Item]:
        """The open sessions due by `now` (plus the slack), each scheduled again one interval on;
        sessions that have ended since are dropped. At most `most` are taken: the rest stay at
        the head of the queue, due, for the next call."""
        taken: list[Item] = []
        horizon = now + self.slack
        while self._due and self._due[0] <= horizon and (most is None or len(taken) < most):
            self._due.popleft()
            item = self._items.popleft()
            if not still_open(item):
                continue
            taken.append(item)
        again = now + self.interval
        for item in taken:
            self._due.append(again)
            self._items.append(item)
        return taken
