"""Closing silent sockets: one sweeper for every socket of the process, not a timer per socket.

A timer per socket (`asyncio.timeout`: a Timeout, a TimerHandle and a copied Context) cost about
0.4 KiB of every open socket's memory, and moving it cost CPU on every frame. Here a frame only
marks its socket as heard (one attribute store); a task wakes every `PERIOD` seconds, stamps the
sockets heard since the last sweep with the sweep's time, and cancels the receive loop of each
socket not heard for `timeout` seconds since its stamp (app/ingest/socket.py then closes it).

The stamp is never earlier than the last frame, so a socket is never closed before `timeout`
seconds of silence; it is closed less than `timeout` + 2 * `PERIOD` seconds after its last frame
(the sweep that stamps it comes at most one period late, the one that closes it too).
"""

from __future__ import annotations

import asyncio

# Seconds between sweeps: a socket closes between idle_timeout and idle_timeout + 1 s of silence,
# as it did when each socket moved its own timer at most once a second. A sweep of 20,000 sockets
# takes about a millisecond.
PERIOD = 0.5


class Watch:
    """One socket as the sweeper sees it: whether a frame came since the last sweep, when the
    socket was last stamped as heard, and whether the sweeper ended it."""

    __slots__ = ("expired", "heard", "stamp", "task")

    def __init__(self, task: asyncio.Task[object], stamp: float) -> None:
        self.task = task
        self.heard = False
        self.stamp = stamp
        self.expired = False


class IdleSweeper:
    """The sockets open in this process, and the task that closes the silent ones."""

    def __init__(self, timeout: float, period: float = PERIOD) -> None:
        self.timeout = timeout
        self.period = period
        self._watches: set[Watch] = set()

    def __len__(self) -> int:
        return len(self._watches)

    def watch(self) -> Watch:
        """Watch the current task's socket from now; `forget` it when its loop ends."""
        task = asyncio.current_task()
        assert task is not None
        watch = Watch(task, asyncio.get_running_loop().time())
        self._watches.add(watch)
        return watch

    def forget(self, watch: Watch) -> None:
        self._watches.discard(watch)

    def sweep(self, now: float) -> int:
        """Stamp the sockets heard since the last sweep; cancel the loops of those silent for the
        timeout. Returns how many were cancelled."""
        deadline = now - self.timeout
        silent = []
        for watch in self._watches:
            if watch.heard:
                watch.heard = False
                watch.stamp = now
            elif watch.stamp <= deadline:
                silent.append(watch)
        for watch in silent:
            self._watches.discard(watch)
            watch.expired = True
            watch.task.cancel()
        return len(silent)

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self.period)
            self.sweep(loop.time())


def ended_by(watch: Watch) -> bool:
    """Whether the cancellation being handled is the sweeper's alone (then the socket closes as
    idle), rather than another's, such as the server shutting down (then it goes on up), as
    `asyncio.timeout` tells its own cancellation from others."""
    return watch.expired and watch.task.uncancel() == 0
