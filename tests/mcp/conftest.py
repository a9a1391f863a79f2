"""One server with credentials and a recorded site, for all the MCP tests."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from mcp.server.mcpserver import MCPServer

from app import tokens
from app.api.params import EVERY_KEY, Reach
from app.db.pool import create_pool, init_connection
from app.db.reads import Reads
from app.mcp.questions import Questions
from app.mcp.server import build_server
from tests.api.quality_site import quality_site  # noqa: F401 (a fixture: one recording per package)
from tests.api.sessions import record_all
from tests.mcp.site import (
    LAUNCH,
    PASSWORD,
    USER,
    WATCHES_A,
    WATCHES_B,
    Site,
    around_now,
    past,
    playing,
    until_watching,
)
from tests.support.server import ServerProcess


@pytest.fixture(scope="package")
async def site(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Site]:
    server = ServerProcess(
        database_url,
        tmp_path_factory.mktemp("mcp-server"),
        METRICS_USER=USER,
        METRICS_PASSWORD=PASSWORD,
        # The live session below is held open for all the tests without heartbeats, and is
        # never checkpointed meanwhile: its growing row would change the stored numbers between
        # the two faces' answers.
        METRICS_IDLE_TIMEOUT="900",
        METRICS_CHECKPOINT_INTERVAL="86400",
    ).start()
    connection = await asyncpg.connect(database_url)
    await init_connection(connection)
    live = None
    try:
        key_a, key_b = ("mcp-a-" + secrets.token_hex(6), "mcp-b-" + secrets.token_hex(6))
        await connection.executemany("INSERT INTO keys (key) VALUES ($1)", [(key_a,), (key_b,)])
        window = around_now()
        await record_all(server, key_a, connection, WATCHES_A)
        await record_all(server, key_b, connection, WATCHES_B)
        token_a_id, token_a = await tokens.create_token(connection, [key_a], "reads A")
        _, token_ab = await tokens.create_token(connection, [key_a, key_b], "reads A and B")
        live = await playing(server, key_a, LAUNCH)
        site = Site(server, key_a, key_b, token_a, token_ab, token_a_id, window, past(window))
        await until_watching(site, 1)
        yield site
    finally:
        if live is not None:
            await live.close()
        await connection.close()
        server.stop()


@pytest.fixture(scope="package")
async def reads(database_url: str, site: Site) -> AsyncIterator[Reads]:
    """The test database as the tools read it in process (the server has migrated it)."""
    pool = await create_pool(database_url, max_size=4)
    try:
        yield Reads(pool, None, 30.0)
    finally:
        await pool.close()


@pytest.fixture(scope="package")
def in_process(reads: Reads) -> Callable[[Reach], MCPServer[Any]]:
    """The MCP server as `video-metrics mcp` builds it, reading with a given reach."""

    built: dict[Reach, MCPServer[Any]] = {}

    def make(reach: Reach = EVERY_KEY) -> MCPServer[Any]:
        if reach not in built:
            questions = Questions(ZoneInfo("UTC"), reach)
            questions.attach(reads)
            built[reach] = build_server(questions)
        return built[reach]

    return make
