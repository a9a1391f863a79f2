"""`video-metrics export` and `video-metrics delete`: the API's export and deletion, from a shell.

Their options take what the API's parameters take (`--query`, `--identifier`, `--timeframe`,
`--format`, `--before`), with `--key KEY` and `--video JSON` as short forms of `--query`; a bad
value is refused with the API's message, which names the parameter.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from app.api.params import ParamError, from_query_string
from app.config import Settings
from app.data import export
from app.data.deletion import Deletion, Matches, delete
from app.data.params import parse_deletion, parse_export
from app.data.scope import resolve
from app.datadir import DataDirLock
from app.ingest.journal import Journal
from app.sinks import spool


def add_parsers(commands: Any) -> None:
    """The two sub-commands, on the CLI's parser."""
    out = commands.add_parser("export", help="write the stored sessions of a scope as CSV or JSON Lines")
    _scope_options(out)
    out.add_argument("--timeframe", help="sessions started in: '30 days', unix seconds, or a JSON {from, to}")
    out.add_argument("--format", default="csv", help="csv (the default) or jsonl")
    out.add_argument("--output", "-o", help="file to write (default: standard output)")
    gone = commands.add_parser("delete", help="delete a scope's sessions and what is derived from them")
    _scope_options(gone)
    gone.add_argument("--before", help="only sessions started before this date (2024-01-31) or time")
    gone.add_argument("--dry-run", action="store_true", help="only say how many sessions and videos would go")
    gone.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    gone.add_argument("--revoke-key", action="store_true", help="also revoke the key given with --key")


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


async def run_delete(
    connection: asyncpg.Connection,
    args: argparse.Namespace,
    settings: Settings,
    confirm: Callable[[str], str] = input,
) -> int:
    try:
        raw = _raw(args, ("query", "identifier", "before"))
        raw["revoke_key"] = args.revoke_key
        raw["dry_run"] = True
        plan_params = parse_deletion(raw)
    except ParamError as error:
        return fail(str(error))
    # The data folder, and the folders of worker processes (app/slots.py) if it had any.
    folders = [settings.data_dir, *sorted(p for p in settings.data_dir.glob("worker-*") if p.is_dir())]
    locks = [DataDirLock(folder) for folder in folders]
    stopped = all([lock.try_exclusive() for lock in locks])  # every lock tried, so each is released
    files = StoppedServerFiles(folders) if stopped else None
    try:
        plan = await delete(connection, plan_params, waiting=files)
        print(_describe(plan, args.revoke_key))
        if files is None:
            print(
                f"A server is running with {settings.data_dir}: the sessions it has not stored yet are "
                "not reached from here; use DELETE /api/v1/sessions on that server for them.",
                file=sys.stderr,
            )
        if args.dry_run:
            return 0
        if not args.yes:
            if not sys.stdin.isatty():
                return fail("refusing to delete without confirmation: pass --yes, or run it in a terminal")
            if confirm("Delete them? Type yes to confirm: ").strip().lower() != "yes":
                print("Nothing deleted.")
                return 1
        raw["dry_run"] = False
        done = await delete(connection, parse_deletion(raw), waiting=files)
        print(_describe(done, args.revoke_key))
        return 0
    finally:
        for lock in locks:
            lock.release()


def _describe(result: Deletion, revoke: bool) -> str:
    verb = "Would delete" if result.dry_run else "Deleted"
    text = (
        f"{verb} {result.sessions} stored sessions, {result.waiting} not stored yet, "
        f"and {result.videos} videos"
    )
    if result.dry_run and revoke:
        text += ", and revoke the key"
    elif result.key_revoked:
        text += "; the key is revoked"
    return text + "."


class StoppedServerFiles:
    """What a stopped server left in its data folders (its own, and each worker's): rows it had not
    stored yet (the writer's journal and overflow), the rows it set aside, and copies waiting for
    its sinks."""

    def __init__(self, folders: list[Path]) -> None:
        self._journals = [Journal(folder) for folder in folders]
        self._sinks = [folder / "sinks" for folder in folders]

    def waiting(self, matches: Matches) -> int:
        return sum(len(journal.forget(matches, count_only=True)) for journal in self._journals)

    @contextlib.asynccontextmanager
    async def forgetting(self, matches: Matches) -> AsyncIterator[int]:
        for sinks in self._sinks:
            spool.forget_in(sinks, matches)
        yield sum(len(journal.forget(matches)) for journal in self._journals)
