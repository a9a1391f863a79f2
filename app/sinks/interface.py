"""What a sink is: the small interface the built-in sinks and plugins implement.

A sink has a `name` and three coroutines. `start()` once before the first batch; `send(batch)`
with a list of sessions (dicts with the columns of the JSON Lines export, app/data/columns.py),
returning once the destination has them; `stop()` once at shutdown. `send` raises `Refused` when
the destination refuses the batch as data (it is then set aside with the reason, not retried);
any other exception, or a send that outlasts `METRICS_SINK_SEND_TIMEOUT`, is a failure the batch
is retried after, with backoff. A sink never sees the same batch twice at once: batches are sent
one after the other.

Plugins are found through the entry-point group `video_metrics.sinks`: each entry point names a
class or function that takes no arguments and returns a sink (it reads its own settings, from
the environment say), and `METRICS_SINKS` lists the entry points to use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

Session = Mapping[str, Any]


class Refused(Exception):
    """The destination refused the batch as data; the message is the reason kept with it."""


@runtime_checkable
class Sink(Protocol):
    name: str

    async def start(self) -> None: ...

    async def send(self, batch: Sequence[Session]) -> None: ...

    async def stop(self) -> None: ...
