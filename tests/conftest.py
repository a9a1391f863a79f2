"""Shared fixtures: one real PostgreSQL and one real server for the session, keys per test.

PostgreSQL is the embedded server unless DATABASE_URL names another (a TimescaleDB, say).
"""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from app.db.embedded import EmbeddedPostgres
from app.db.pool import init_connection
from tests.support.server import ServerFactory, ServerProcess


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("DATABASE_URL")
    if url:
        yield url
        return
    # Not under pytest's temporary folder: that is private to root (0700), and the embedded
    # server runs as its own unprivileged user, which must reach its data folder to stop.
    folder = Path(tempfile.mkdtemp(prefix="video-metrics-test-"))
    folder.chmod(0o755)
    embedded = EmbeddedPostgres(folder)
    try:
        yield embedded.start()
    finally:
        embedded.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server for the tests that only need it running; tests that stop it make their own."""
    process = ServerProcess(database_url, tmp_path_factory.mktemp("server")).start()
    yield process
    process.stop()


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(database_url)
    await init_connection(connection)
    yield connection
    await connection.close()


@pytest.fixture
def make_server(database_url: str, tmp_path: Path) -> Iterator[ServerFactory]:
    """Start servers of a test's own (other settings, or to stop them); all are stopped after."""
    started: list[ServerProcess] = []

    def make(database: str | None = None, **env: str) -> ServerProcess:
        process = ServerProcess(database or database_url, tmp_path / f"server{len(started)}", **env)
        started.append(process)
        return process

    yield make
    for process in started:
        if process.process is not None and process.process.poll() is None:
            process.stop()


@pytest.fixture
async def api_key(db: asyncpg.Connection, server: ServerProcess) -> str:
    """A fresh key for one test (the server has migrated the schema by now)."""
    key = base64.b64encode(secrets.token_bytes(16)).decode()
    await db.execute("INSERT INTO keys (key) VALUES ($1)", key)
    return key
