"""Assembles the ASGI app: database and ingest in the lifespan, routes, middleware."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute

from app import http_protocol, live, slots
from app.api.middleware import api_middleware
from app.api.routes import api_routes, root_routes
from app.config import Settings, load_settings
from app.dashboard import dashboard_routes
from app.datadir import DataDirLock
from app.db import retention
from app.db.embedded import EmbeddedPostgres
from app.db.migrate import migrate
from app.db.pool import create_pool
from app.db.reads import Reads
from app.health import healthz, readyz
from app.ingest.service import Ingest
from app.ingest.socket import socket_endpoint
from app.mcp.http import McpHttp
from app.sinks.interface import Sink
from app.sinks.service import Sinks, configured
from app.web import ensure_demo_key, web_routes

log = logging.getLogger("video_metrics")


def app_from_environment() -> Starlette:
    """The app as each worker process of `serve --workers N` makes it (uvicorn imports this by
    name in every worker): settings from the environment, which the parent already checked, and
    this process's logging and collector set up as the parent's are."""
    from app.logs import configure_logging
    from app.runtime import keep_client_addresses_out_of_logs, tune_garbage_collector

    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    keep_client_addresses_out_of_logs()
    app = create_app(settings)
    tune_garbage_collector()
    return app


def create_app(settings: Settings, sinks: list[Sink] | None = None) -> Starlette:
    """The app; `sinks` when the caller built them already (to refuse a bad plugin before it
    starts), otherwise they are built from the settings at start-up."""
    http_protocol.set_head_timeout(settings.handshake_timeout)
    # The assistants' tools at /mcp (app/mcp/), served while the database is there.
    assistants = McpHttp(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # This process's own folder for the writer's and the sinks' files (app/slots.py): the data
        # folder itself, or worker-<i> in it when several workers serve the port.
        slot = slots.take(settings.data_dir, settings.workers)
        slots.adopt_leftovers(slot, settings.data_dir, settings.workers)
        own = settings.model_copy(update={"data_dir": slot.folder})
        # Held while this server may write the files of its folder (app/datadir.py).
        folder_lock = DataDirLock(own.data_dir)
        folder_lock.hold_shared()
        embedded = None
        url = settings.database_url
        if url is None:
            embedded = EmbeddedPostgres(settings.data_dir)
            url = await asyncio.to_thread(embedded.start)
        try:
            pool = await create_pool(url)
            try:
                async with pool.acquire() as connection:
                    await migrate(connection)
                # The demo page records with a key of its own, made on the first start.
                await ensure_demo_key(pool)
                outlets = Sinks(pool, own, configured(own) if sinks is None else sinks)
                await outlets.start()
                ingest = Ingest(pool, own, on_written=outlets.publish if outlets else None)
                app.state.pool = pool
                app.state.reads = reads = Reads(pool, settings.database_read_url, settings.read_max_lag)
                app.state.ingest = ingest
                app.state.sinks = outlets
                await ingest.start()
                retention_job = asyncio.create_task(retention.run(pool, settings.retention))
                sampler = asyncio.create_task(live.sample_every_minute(pool))
                standby_watch = asyncio.create_task(reads.run())
                base = f"http://{settings.host}:{settings.port}"
                log.info(
                    "event=ready database=%s listen=%s demo=%s/demo",
                    "embedded:" + str(embedded.pgdata) if embedded else "external",
                    base,
                    base,
                )
                try:
                    async with assistants.running(reads):
                        yield
                finally:
                    for job in (retention_job, sampler, standby_watch):
                        job.cancel()
                        with contextlib.suppress(asyncio.CancelledError):
                            await job
                    await ingest.stop()
                    await outlets.stop()  # after ingest, so that the last sessions stored reach them
            finally:
                await pool.close()
        finally:
            if embedded is not None:
                await asyncio.to_thread(embedded.stop)
            folder_lock.release()
            slot.release()

    routes: list[BaseRoute] = [
        WebSocketRoute("/socket/websocket", socket_endpoint),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        *dashboard_routes(),
        *web_routes(),
        Mount("/api/v1", routes=api_routes()),
        *root_routes(),
        *assistants.routes(),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, middleware=api_middleware(settings))
    app.state.settings = settings
    return app
