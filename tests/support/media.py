"""A small real HTTP server for the browser tests' media, that can hold a file back on demand.

Serves `tests/media/` (an HLS clip in two renditions, a file that is no video) and the test pages,
from a thread, on a loopback port. `hold(name)` makes every request for a path ending in `name`
wait until the test releases it: a segment that arrives late, as over a bad network.
"""

from __future__ import annotations

import mimetypes
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

MEDIA = Path(__file__).resolve().parents[1] / "media"
_TYPES = {".m3u8": "application/vnd.apple.mpegurl", ".ts": "video/mp2t", ".mp4": "video/mp4"}
# A held request gives up after this long, so that a failed test never leaves a thread behind.
HOLD_LIMIT = 60.0


class MediaServer:
    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        self.requests: list[tuple[float, str]] = []
        self._holds: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._http.daemon_threads = True
        self._thread = threading.Thread(target=self._http.serve_forever, name="media-server", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._http.server_address[1]}"

    def start(self) -> MediaServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        for gate in self._holds.values():
            gate.set()
        self._http.shutdown()
        self._http.server_close()

    def page(self, path: str, html: str) -> str:
        self.pages[path] = html
        return self.base_url + path

    def hold(self, name: str) -> threading.Event:
        """Hold requests for paths ending in `name` until the returned event is set."""
        gate = threading.Event()
        with self._lock:
            self._holds[name] = gate
        return gate

    def requested(self, name: str) -> int:
        with self._lock:
            return sum(1 for _, path in self.requests if path.endswith(name))

    def _gate(self, path: str) -> threading.Event | None:
        with self._lock:
            self.requests.append((time.monotonic(), path))
            for name, gate in self._holds.items():
                if path.endswith(name):
                    return gate
        return None


def _handler(server: MediaServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            gate = server._gate(path)
            if gate is not None:
                gate.wait(HOLD_LIMIT)
            if path in server.pages:
                return self._send(200, "text/html; charset=utf-8", server.pages[path].encode())
            file = (MEDIA / path.lstrip("/")).resolve()
            if MEDIA not in file.parents or not file.is_file():
                return self._send(404, "text/plain", b"not found")
            kind = _TYPES.get(file.suffix) or mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            self._send(200, kind, file.read_bytes())

        def _send(self, status: int, kind: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
