"""The pool's connections carry the settings the queries rely on, whatever the server's defaults."""

from __future__ import annotations

from app.db.pool import create_pool


async def test_connections_are_in_utc_without_jit(database_url: str) -> None:
    pool = await create_pool(database_url, max_size=1)
    try:
        async with pool.acquire() as connection:
            assert await connection.fetchval("SHOW timezone") == "UTC"
            # JIT compiling cost more than it saved on a whole key's month (docs/PERFORMANCE.md).
            assert await connection.fetchval("SHOW jit") == "off"
    finally:
        await pool.close()
