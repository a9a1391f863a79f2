"""A TCP proxy in front of PostgreSQL that a test can cut and restore: the database "goes away"."""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import urlsplit, urlunsplit

from tests.support.server import free_port


class DatabaseProxy:
    """Listens on a loopback port and forwards to the real database (TCP or Unix socket)."""

    def __init__(self, database_url: str) -> None:
        self._target = urlsplit(database_url)
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        """The database URL, pointed at the proxy (the query, e.g. a socket folder, dropped)."""
        user = self._target.username or "postgres"
        password = f":{self._target.password}" if self._target.password else ""
        path = self._target.path or "/postgres"
        return urlunsplit(("postgresql", f"{user}{password}@127.0.0.1:{self.port}", path, "", ""))

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._link, "127.0.0.1", self.port)

    async def cut(self) -> None:
        """Refuse new connections and break every open one, as a database restart does."""
        assert self._server is not None
        self._server.close()
        for writer in list(self._links):
            writer.transport.abort()
        await self._server.wait_closed()
        self._server = None

    async def _open_target(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        query = dict(part.split("=", 1) for part in self._target.query.split("&") if "=" in part)
        socket_dir = query.get("host")
        if socket_dir:
            port = self._target.port or 5432
            return await asyncio.open_unix_connection(f"{socket_dir}/.s.PGSQL.{port}")
        return await asyncio.open_connection(self._target.hostname, self._target.port or 5432)

    async def _link(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            target_reader, target_writer = await self._open_target()
        except OSError:
            writer.close()
            return
        self._links.update((writer, target_writer))
        await asyncio.gather(self._pipe(reader, target_writer), self._pipe(target_reader, writer))
        self._links.difference_update((writer, target_writer))

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.transport.abort()
