"""A real video-metrics server in a subprocess on a loopback port, as a user would run it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class ServerProcess:
    """`python -m app serve` with the given environment; started and stopped by the tests."""

    def __init__(self, database_url: str, data_dir: Path, **env: str) -> None:
        self.port = free_port()
        self.data_dir = data_dir
        self.log_path = data_dir / f"server-{self.port}.log"
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "METRICS_DATA_DIR": str(data_dir),
            "METRICS_FLUSH_INTERVAL": "0.1",
            # Tests place sessions years back on purpose; on TimescaleDB the default retention
            # policy would drop their chunks as soon as the server starts.
            "METRICS_RETENTION": "100 years",
            "PORT": str(self.port),
            "HOST": "127.0.0.1",
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ws_url(self, source_url: str | None = "https://shop.example.com/products/shoes") -> str:
        url = f"ws://127.0.0.1:{self.port}/socket/websocket?vsn=2.0.0&key=undefined"
        if source_url is not None:
            url += "&source_url=" + quote(source_url, safe="")
        return url

    def start(self, timeout: float = 30.0) -> ServerProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "app", "serve"], env=self.env, stdout=log, stderr=log
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}:\n{self.logs()}")
            try:
                if httpx.get(self.base_url + "/readyz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not become ready in {timeout} s:\n{self.logs()}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 40.0) -> int:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout)

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


class ServerFactory(Protocol):
    """Makes a server of a test's own: another database URL, or other settings as env vars."""

    def __call__(self, database: str | None = None, **env: str) -> ServerProcess: ...
