"""`video-metrics export`: the API's export, from a shell.

Their options take what the API's parameters take (`--query`, `--identifier`, `--timeframe`,
`--format`, `--before`), with `--key KEY` and `--video JSON` as short forms of `--query`; a bad
value is refused with the API's message, which names the parameter.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from app.api.params import ParamError, from_query_string
from app.data import export
from app.data.params import parse_export
from app.data.scope import resolve


def add_parsers(commands: Any) -> None:
    """The two sub-commands, on the CLI's parser."""
    out = commands.add_parser("export", help="write the stored sessions of a scope as CSV or JSON Lines")
    _scope_options(out)
    out.add_argument("--timeframe", help="sessions started in: '30 days', unix seconds, or a JSON {from, to}")
    out.add_argument("--format", default="csv", help="csv (the default) or jsonl")
    out.add_argument("--output", "-o", help="file to write (default: standard output)")


def _scope_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--key", help="every video recorded with this API key")
    parser.add_argument("--video", help='videos whose metadata contains this JSON, e.g. \'{"id": "42"}\'')
    parser.add_argument("--query", help='the API\'s query, e.g. \'{"key": "...", "video": {...}}\'')
    parser.add_argument("--identifier", help="videos with this label")


def _raw(args: argparse.Namespace, names: tuple[str, ...]) -> dict[str, Any]:
    """The options as the API's parameters, read with the API's own query-string reader."""
    pairs = [(name, value) for name in names if (value := getattr(args, name, None)) is not None]
    raw = from_query_string(pairs)
    if args.key is not None or args.video is not None:
        if "query" in raw:
            raise ParamError("query", "give --query, or --key and --video, not both")
        query: dict[str, Any] = {}
        if args.key is not None:
            query["key"] = args.key
        if args.video is not None:
            query["video"] = from_query_string([("query", args.video)])["query"]
        raw["query"] = query
    return raw


def fail(message: str) -> int:
    print(f"video-metrics: {message}", file=sys.stderr)
    return 2


async def run_export(connection: asyncpg.Connection, args: argparse.Namespace) -> int:
    try:
        params = parse_export(_raw(args, ("query", "identifier", "timeframe", "format")))
    except ParamError as error:
        return fail(str(error))
    resolved = await resolve(connection, params.videos)
    try:
        with _output(args.output) as write:
            rows = await export.copy_to(connection, params, resolved, datetime.now(UTC), write)
    except OSError as error:
        return fail(f"--output: cannot write {args.output}: {error.strerror or error}")
    where = args.output or "standard output"
    print(f"exported {rows} sessions to {where}", file=sys.stderr)
    return 0


@contextlib.contextmanager
def _output(path: str | None) -> Iterator[export.Output]:
    """Chunks of the export, written as they come (a command of its own: blocking is fine)."""
    target = sys.stdout.buffer if path is None else Path(path).open("wb")  # noqa: SIM115
    try:

        async def write(chunk: bytes) -> None:
            target.write(chunk)

        yield write
        target.flush()
    finally:
        if path is not None:
            target.close()
