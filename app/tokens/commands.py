"""`video-metrics tokens create --key K... / list / revoke ID`: read-only tokens from a shell."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import asyncpg

from app.keyrules import KEY_PATTERN, KEY_RULE
from app.tokens.store import MAX_NAME, UnknownKeys, create_token, list_tokens, revoke_token


def add_parsers(commands: Any) -> None:
    """The `tokens` command and its three sub-commands, on the CLI's parser."""
    tokens = commands.add_parser("tokens", help="manage read-only tokens (for assistants and scripts)")
    token_commands = tokens.add_subparsers(dest="tokens_command")
    create = token_commands.add_parser(
        "create", help="make a token that reads the sessions of the given keys, and print it once"
    )
    create.add_argument(
        "--key",
        dest="keys",
        action="extend",
        nargs="+",
        required=True,
        metavar="KEY",
        help="an API key the token may read (repeat, or list several)",
    )
    create.add_argument("--name", default="", help="a label to recognise it by in `tokens list`")
    token_commands.add_parser("list", help="list tokens (their ids, names and keys; never the tokens)")
    revoke = token_commands.add_parser("revoke", help="revoke a token by its id: refused at once")
    revoke.add_argument("id", help="the token's id, as `tokens list` shows it")


def usage_needed(args: argparse.Namespace) -> bool:
    return getattr(args, "tokens_command", None) is None


async def run(connection: asyncpg.Connection, args: argparse.Namespace) -> int:
    if args.tokens_command == "create":
        return await _create(connection, args.keys, args.name)
    if args.tokens_command == "list":
        return await _list(connection)
    return await _revoke(connection, args.id)


def _fail(message: str, status: int = 2) -> int:
    print(f"video-metrics: {message}", file=sys.stderr)
    return status


async def _create(connection: asyncpg.Connection, keys: list[str], name: str) -> int:
    for key in keys:
        if not KEY_PATTERN.fullmatch(key):
            return _fail(f"--key: {key[:40]!r} is not an API key ({KEY_RULE})")
    if len(name) > MAX_NAME or "\x00" in name:
        return _fail(f"--name: at most {MAX_NAME} characters, without NUL")
    try:
        token_id, token = await create_token(connection, keys, name)
    except UnknownKeys as error:
        return _fail(f"--key: no such key: {', '.join(error.keys)} (create it with `keys create`)", 1)
    print(token)
    print(
        f"Token {token_id} reads {', '.join(sorted(set(keys)))}. It is shown only now: keep it "
        f"somewhere safe. Revoke it with `video-metrics tokens revoke {token_id}`.",
        file=sys.stderr,
    )
    return 0


async def _list(connection: asyncpg.Connection) -> int:
    for row in await list_tokens(connection):
        state = f"revoked {row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "active"
        keys = ",".join(row.keys)
        print(f"{row.id}\t{row.created_at:%Y-%m-%d %H:%M}\t{state}\t{keys}\t{row.name}")
    return 0


async def _revoke(connection: asyncpg.Connection, raw_id: str) -> int:
    if not raw_id.isdigit() or len(raw_id) > 18:
        return _fail(f"id: {raw_id[:40]!r} is not a token id (a number, as `tokens list` shows it)")
    if await revoke_token(connection, int(raw_id)) is None:
        return _fail(f"no token {raw_id}", 1)
    print("Token revoked")
    return 0
