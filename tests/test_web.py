"""app/web.py: static files with cache and cross-origin headers, the demo page, the demo key."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from starlette.applications import Starlette

from app.web import ensure_demo_key, web_routes
from tests.support.databases import migrated_pool
from tests.support.server import ServerProcess


@pytest.fixture
async def static_client() -> AsyncIterator[httpx.AsyncClient]:
    app = Starlette(routes=web_routes())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://metrics.test") as client:
        yield client


@pytest.mark.parametrize("path", ["/static/metrics.js", "/static/metrics.mjs", "/static/demo.webm"])
async def test_static_files_embeddable_from_any_origin_with_cache_headers(
    static_client: httpx.AsyncClient, path: str
) -> None:
    response = await static_client.get(path, headers={"Origin": "https://shop.example.com"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["cache-control"] == "public, max-age=3600"
    assert response.headers["etag"]
    again = await static_client.get(path, headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304
    assert again.headers["cache-control"] == "public, max-age=3600"


async def test_module_is_served_as_javascript(static_client: httpx.AsyncClient) -> None:
    response = await static_client.get("/static/metrics.mjs")
    assert response.headers["content-type"].startswith("text/javascript")


async def test_missing_file_is_a_plain_404(static_client: httpx.AsyncClient) -> None:
    response = await static_client.get("/static/nope.js")
    assert response.status_code == 404
    assert "cache-control" not in response.headers


async def test_video_is_served_in_ranges(static_client: httpx.AsyncClient) -> None:
    response = await static_client.get("/static/demo.webm", headers={"Range": "bytes=0-99"})
    assert response.status_code == 206
    assert len(response.content) == 100
    assert response.content[:4] == b"\x1aE\xdf\xa3"  # EBML: a WebM file


def test_demo_clip_is_small() -> None:
    from app.web import STATIC_DIR

    assert (STATIC_DIR / "demo.webm").stat().st_size < 1_000_000


@pytest.fixture
async def fresh_pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A database of its own, so creating and revoking the demo key touches no other test."""
    async with migrated_pool(database_url, "web", max_size=4) as pool:
        yield pool


async def test_demo_key_is_created_once_even_by_concurrent_starts(fresh_pool: asyncpg.Pool) -> None:
    keys = await asyncio.gather(*(ensure_demo_key(fresh_pool) for _ in range(4)))
    assert len(set(keys)) == 1
    assert await ensure_demo_key(fresh_pool) == keys[0]
    async with fresh_pool.acquire() as connection:
        assert await connection.fetchval("SELECT count(*) FROM keys") == 1
        assert await connection.fetchval("SELECT disabled_at FROM keys WHERE key = $1", keys[0]) is None


async def test_a_revoked_demo_key_stays_revoked(fresh_pool: asyncpg.Pool) -> None:
    key = await ensure_demo_key(fresh_pool)
    async with fresh_pool.acquire() as connection:
        await connection.execute("UPDATE keys SET disabled_at = now() WHERE key = $1", key)
    assert await ensure_demo_key(fresh_pool) == key
    async with fresh_pool.acquire() as connection:
        assert await connection.fetchval("SELECT count(*) FROM keys") == 1


async def test_demo_page_carries_the_demo_key(server: ServerProcess, db: asyncpg.Connection) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        response = await client.get("/demo")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"
    found = re.search(r'name="video-metrics-demo-key" content="([^"]+)"', response.text)
    assert found is not None
    stored = await db.fetchval("SELECT value FROM server_settings WHERE name = 'demo_key'")
    assert found.group(1) == stored
    assert '<script src="/static/metrics.js">' in response.text


def test_snippet_stays_small() -> None:
    """A guard on what every embedding page downloads: gzipped as served, comments and all, it was
    5.8 KB before the playback quality detector (issue 10) and is 11.6 KB with it (6.7 KB
    minified and gzipped, docs/SNIPPET.md)."""
    import gzip

    from app.web import STATIC_DIR

    assert len(gzip.compress((STATIC_DIR / "metrics.js").read_bytes(), 9)) < 12_000
