"""`video-metrics mcp`: the tools over stdio, for an assistant on the same machine.

The assistant starts this command and speaks MCP on its standard input and output; logs go to
standard error. There are no credentials on a pipe: the command reads what the user who runs it
may read with the database's own credentials (every key, or only those given with `--key`).
The database (the embedded one too) is started inside the SDK's stdio transport, which has
diverted standard output by then, so nothing it prints can corrupt the protocol.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import AsyncIterator, Sequence
from typing import Any

import anyio
from mcp.server.mcpserver import MCPServer

from app.api.params import EVERY_KEY, Reach
from app.config import Settings
from app.db.embedded import EmbeddedPostgres
from app.db.migrate import migrate
from app.db.pool import create_pool
from app.db.reads import Reads
from app.keyrules import KEY_PATTERN, KEY_RULE
from app.mcp.questions import Questions
from app.mcp.server import build_server

log = logging.getLogger("video_metrics.mcp")


def serve_stdio(settings: Settings, keys: Sequence[str] | None) -> int:
    for key in keys or ():
        if not KEY_PATTERN.fullmatch(key):
            print(f"video-metrics: --key: {key[:40]!r} is not an API key ({KEY_RULE})", file=sys.stderr)
            return 2
    reach = EVERY_KEY if not keys else Reach(frozenset(keys))
    questions = Questions(settings.zone, reach)

    @contextlib.asynccontextmanager
    async def database(server: MCPServer[Any]) -> AsyncIterator[None]:
        embedded = None
        url = settings.database_url
        if url is None:
            embedded = EmbeddedPostgres(settings.data_dir)
            url = await anyio.to_thread.run_sync(embedded.start)
        try:
            pool = await create_pool(url, max_size=4)
            try:
                async with pool.acquire() as connection:
                    await migrate(connection)
                questions.attach(Reads(pool, None, settings.read_max_lag))
                log.info(
                    "event=mcp_stdio_ready database=%s reach=%s",
                    "embedded" if embedded else "external",
                    "every-key" if reach.keys is None else len(reach.keys),
                )
                yield
            finally:
                await pool.close()
        finally:
            if embedded is not None:
                await anyio.to_thread.run_sync(embedded.stop)

    server = build_server(questions, lifespan=database)
    with contextlib.suppress(KeyboardInterrupt):
        server.run("stdio")
    return 0
