"""The `video-metrics` command: serve (the default), migrate, keys create / list / revoke,
export and delete, tokens create / list / revoke, and mcp (the assistants' tools over stdio)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

from app.api import keys
from app.api.params import KEY_PATTERN, KEY_RULE
from app.config import Settings, SettingsError, load_settings
from app.data import commands as data_commands
from app.logs import configure_logging
from app.tokens import commands as token_commands


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(_key_as_operand(sys.argv[1:] if argv is None else argv))
    overrides = {
        name: value
        for name in ("host", "port", "database_url", "data_dir", "log_level", "workers")
        if (value := getattr(args, name, None)) is not None
    }
    try:
        settings = load_settings(**overrides)
    except SettingsError as error:
        print(f"video-metrics: bad setting: {error}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.log_format)
    command = args.command or "serve"
    if command == "serve":
        return _serve(settings)
    if command == "migrate":
        return _with_database(settings, _migrate)
    if command == "keys":
        if args.keys_command == "create":
            return _with_database(settings, lambda c: _keys_create(c, args.key))
        if args.keys_command == "list":
            return _with_database(settings, _keys_list)
        if args.keys_command == "revoke":
            return _with_database(settings, lambda c: _keys_revoke(c, args.key))
        parser.parse_args(["keys", "--help"])
    if command == "export":
        return _with_database(settings, lambda c: data_commands.run_export(c, args))
    if command == "delete":
        return _with_database(settings, lambda c: data_commands.run_delete(c, args, settings))
    if command == "tokens":
        if token_commands.usage_needed(args):
            parser.parse_args(["tokens", "--help"])
        return _with_database(settings, lambda c: token_commands.run(c, args))
    if command == "mcp":
        from app.mcp.stdio import serve_stdio

        return serve_stdio(settings, args.keys)
    return 2


def _key_as_operand(argv: list[str]) -> list[str]:
    """`keys create|revoke KEY` with a key that starts with "-" (base64url keys can): mark it as
    an operand, or argparse would take it for an option."""
    if "keys" not in argv:
        return argv
    at = argv.index("keys") + 2
    if at >= len(argv) or argv[at - 1] not in ("create", "revoke"):
        return argv
    if argv[at].startswith("-") and argv[at] not in ("-h", "--help", "--"):
        return [*argv[:at], "--", *argv[at:]]
    return argv


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="video-metrics", description=__doc__)
    parser.add_argument("--database-url", help="PostgreSQL URL (default: embedded server)")
    parser.add_argument("--data-dir", help="folder for the embedded database and the journal")
    parser.add_argument("--log-level", help="critical, error, warning, info or debug")
    commands = parser.add_subparsers(dest="command")
    serve = commands.add_parser("serve", help="run the server (the default)")
    serve.add_argument("--host", help="listen address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="listen port (default 3000)")
    serve.add_argument("--workers", type=int, help="processes sharing the port (default 1)")
    commands.add_parser("migrate", help="apply database migrations and exit")
    keys = commands.add_parser("keys", help="manage API keys")
    key_commands = keys.add_subparsers(dest="keys_command")
    create = key_commands.add_parser("create", help="create a key and print it")
    create.add_argument("key", nargs="?", help="the key to create (default: 16 random bytes)")
    key_commands.add_parser("list", help="list keys")
    revoke = key_commands.add_parser("revoke", help="revoke a key: new joins with it fail")
    revoke.add_argument("key")
    data_commands.add_parsers(commands)
    token_commands.add_parsers(commands)
    mcp = commands.add_parser("mcp", help="serve the assistants' tools (Model Context Protocol) over stdio")
    mcp.add_argument(
        "--key",
        dest="keys",
        action="extend",
        nargs="+",
        metavar="KEY",
        help="only these API keys' videos (default: every key)",
    )
    return parser


def _serve(settings: Settings) -> int:
    import uvicorn

    from app.runtime import UVICORN_PROTOCOLS, keep_client_addresses_out_of_logs, tune_garbage_collector
    from app.sinks.plugins import PluginError
    from app.sinks.service import configured

    try:
        settings.check_exposure()
        sinks = configured(settings)
    except (SettingsError, PluginError) as error:
        print(f"video-metrics: {error}", file=sys.stderr)
        return 2
    common: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        **UVICORN_PROTOCOLS,
        "lifespan": "on",
        "log_level": settings.log_level,
        "log_config": None,  # logging is ours (app/logs.py), in every process
        "access_log": False,
        "timeout_graceful_shutdown": 30,
    }
    if settings.workers > 1:
        return _serve_workers(settings, common)
    from app.server import create_app

    config = uvicorn.Config(create_app(settings, sinks), **common)
    keep_client_addresses_out_of_logs()
    server = uvicorn.Server(config)
    tune_garbage_collector()
    # uvicorn re-raises Ctrl-C after its graceful shutdown; everything is flushed by then.
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    return 0 if server.started else 1


def _serve_workers(settings: Settings, common: dict[str, Any]) -> int:
    """`serve --workers N`: N processes accept on one listening socket, each with its own
    sockets, sessions, writer and files (several processes sharing a database is the same case as
    several hosts). Each makes the app from the environment, so every setting given here as a
    flag is put there first; the embedded database, if any, is started once, here."""
    import os

    import uvicorn

    from app.db.embedded import EmbeddedPostgres

    embedded = None
    url = settings.database_url
    if url is None:
        embedded = EmbeddedPostgres(settings.data_dir)
        url = embedded.start()
    os.environ.update(
        {
            "DATABASE_URL": url,
            "METRICS_DATA_DIR": str(settings.data_dir),
            "HOST": settings.host,
            "PORT": str(settings.port),
            "METRICS_LOG_LEVEL": settings.log_level,
            "METRICS_WORKERS": str(settings.workers),
        }
    )
    try:
        with contextlib.suppress(KeyboardInterrupt):
            uvicorn.run("app.server:app_from_environment", factory=True, workers=settings.workers, **common)
    finally:
        if embedded is not None:
            embedded.stop()
    return 0


def _with_database(settings: Settings, action: Callable[[asyncpg.Connection], Awaitable[int]]) -> int:
    from app.db.embedded import EmbeddedPostgres
    from app.db.migrate import migrate
    from app.db.pool import init_connection

    async def run(url: str) -> int:
        connection = await asyncpg.connect(url)
        try:
            await init_connection(connection)
            await migrate(connection)
            return await action(connection)
        finally:
            await connection.close()

    embedded = None
    url = settings.database_url
    if url is None:
        embedded = EmbeddedPostgres(settings.data_dir)
        url = embedded.start()
    try:
        return asyncio.run(run(url))
    finally:
        if embedded is not None:
            embedded.stop()


async def _migrate(connection: asyncpg.Connection) -> int:
    print("schema is current")
    return 0


async def _keys_create(connection: asyncpg.Connection, key: str | None) -> int:
    if key is not None and not KEY_PATTERN.fullmatch(key):
        print(f"video-metrics: a key must be {KEY_RULE}", file=sys.stderr)
        return 2
    try:
        print(await keys.create_key(connection, key))
    except keys.KeyExists:
        print(f"video-metrics: key {key!r} exists already", file=sys.stderr)
        return 1
    return 0


async def _keys_list(connection: asyncpg.Connection) -> int:
    for row in await keys.list_keys(connection):
        state = f"revoked {row.disabled_at:%Y-%m-%d %H:%M}" if row.disabled_at else "active"
        print(f"{row.key}\t{row.created_at:%Y-%m-%d %H:%M}\t{state}")
    return 0


async def _keys_revoke(connection: asyncpg.Connection, key: str) -> int:
    if await keys.revoke_key(connection, key) is None:
        print(f"video-metrics: no key {key!r}", file=sys.stderr)
        return 1
    print("Key revoked")
    return 0


if __name__ == "__main__":
    sys.exit(main())
