"""The asyncpg pool: wait for the database at start-up, decode JSON columns as Python values."""

from __future__ import annotations

import asyncio
import json
import logging
import time

import asyncpg

log = logging.getLogger("video_metrics.db")


# jsonb's binary form is a version byte (1) and the JSON text. Binary, so that COPY (which the
# writer uses for large batches) can encode it as well as ordinary queries.
_JSONB_VERSION = b"\x01"


def _encode_jsonb(value: object) -> bytes:
    return _JSONB_VERSION + json.dumps(value, separators=(",", ":")).encode()


def _decode_jsonb(data: bytes) -> object:
    return json.loads(data[1:])


async def init_connection(connection: asyncpg.Connection) -> None:
    """Pass and receive json/jsonb values as Python values."""
    await connection.set_type_codec(
        "jsonb", encoder=_encode_jsonb, decoder=_decode_jsonb, schema="pg_catalog", format="binary"
    )
    await connection.set_type_codec("json", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def create_pool(url: str, *, wait: float = 30.0, max_size: int = 10) -> asyncpg.Pool:
    """Connect, retrying for up to `wait` seconds while the database comes up."""
    deadline = time.monotonic() + wait
    delay = 0.2
    while True:
        try:
            pool = await asyncpg.create_pool(
                url,
                min_size=1,
                max_size=max_size,
                init=init_connection,
                command_timeout=60,
                # Buckets in a time zone step back in UTC (app/api/buckets.py), as time_bucket
                # does in the session's zone: the session's zone must not be the server's choice.
                # JIT compiles a statement whose estimate passes jit_above_cost: a whole key's
                # month is far past it, and compiling took 1.4 s of a 1.7 s answer on PostgreSQL
                # 15 with JIT (docs/PERFORMANCE.md); these statements gain nothing from it.
                server_settings={"timezone": "UTC", "jit": "off"},
            )
        except (OSError, asyncpg.CannotConnectNowError, asyncpg.PostgresConnectionError) as error:
            reason = str(error) or type(error).__name__
            if time.monotonic() + delay > deadline:
                raise DatabaseUnavailable(f"database not reachable after {wait:.0f} s: {reason}") from error
            log.warning("event=database_waiting error=%r retry_in=%.1f", reason, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)
        else:
            assert pool is not None
            return pool


class DatabaseUnavailable(Exception):
    """The database did not answer in time; the message says what the driver reported."""
