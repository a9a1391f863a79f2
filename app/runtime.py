"""How the server process runs: uvicorn's websocket settings and the garbage collector's tuning.

One place, so the ingest benchmark's ceiling (a bare endpoint) runs on exactly the same stack and
process settings as the server, and the ratio between them measures only the app.
"""

from __future__ import annotations

import gc
import logging
from typing import Any

# websockets-sansio: uvicorn's implementation on the websockets library's current API (its
# "websockets" one is built on websockets.legacy, deprecated since websockets 14). Compression
# is off: frames are tiny and deflate costs memory per socket. Past 1 MiB a frame closes the
# socket (1009); the app's own, smaller frame limit answers with an error reply before that.
UVICORN_WEBSOCKETS: dict[str, Any] = {
    "ws": "websockets-sansio",
    "ws_per_message_deflate": False,
    "ws_max_size": 1024 * 1024,
}


# HTTP/1.1 with a deadline for the request head and JSON refusals of bad heads. By name, so that
# worker processes import it too (app/http_protocol.py).
UVICORN_PROTOCOLS: dict[str, Any] = {**UVICORN_WEBSOCKETS, "http": "app.http_protocol:DeadlineH11Protocol"}


def tune_garbage_collector() -> None:
    """Collect the young generation less often, and never trace what start-up loaded.

    Every frame leaves short-lived objects; with the default threshold (700) the collector ran
    over a thousand times in ten seconds of load and took a tenth of the CPU, and each full
    collection paused every socket for about 90 ms (docs/PERFORMANCE.md)."""
    gc.freeze()
    gc.set_threshold(10_000, 50, 100)


class _NoClientAddresses(logging.Filter):
    """Drops uvicorn's per-connection lines: each names the client's address and port, which this
    product promises not to keep, and at one line per page view they are noise besides. The
    server logs its own events (sockets refused, sessions written) without personal data."""

    _PER_CONNECTION = frozenset(("connection open", "connection closed"))

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.msg
        if not isinstance(message, str):
            return True
        return not (message.startswith('%s - "WebSocket ') or message in self._PER_CONNECTION)


def keep_client_addresses_out_of_logs() -> None:
    """Call after uvicorn configured logging (it does when its Config is made)."""
    logging.getLogger("uvicorn.error").addFilter(_NoClientAddresses())
