"""Rows written straight into a test database, for the SQL held to hand-worked numbers on both
kinds of database (the websocket path that writes them is tested in tests/ingest)."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from app.api.stats import Connection


async def add_key(connection: Connection) -> tuple[int, str]:
    key = "t-" + secrets.token_hex(8)
    key_id = await connection.fetchval("INSERT INTO keys (key) VALUES ($1) RETURNING id", key)
    return int(key_id), key


async def add_video(
    connection: Connection,
    key_id: int,
    metadata: dict[str, Any],
    identifier: str | None = None,
    duration: float | None = None,
) -> int:
    video_id = await connection.fetchval(
        "INSERT INTO videos (key_id, metadata, identifier, duration) VALUES ($1, $2, $3, $4) RETURNING id",
        key_id,
        metadata,
        identifier,
        duration,
    )
    return int(video_id)


async def add_session(
    connection: Connection,
    key_id: int,
    video_id: int,
    started_at: datetime,
    watched: float,
    *,
    segments: list[list[float]] | None = None,
    page: str = "https://a.example/watch",
    browser: str = "chrome",
    platform: str = "linux",
    device: str = "desktop",
) -> uuid.UUID:
    """One final session; its segments default to one of `watched` seconds from 0."""
    session_id = uuid.uuid4()
    await connection.execute(
        """
        INSERT INTO sessions (id, started_at, ended_at, key_id, video_id, browser, platform, device,
                              page_host, page_url, segments, watched, unique_watched, final)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, true)
        """,
        session_id,
        started_at,
        started_at + timedelta(seconds=watched + 1),
        key_id,
        video_id,
        browser,
        platform,
        device,
        urlsplit(page).hostname,
        page,
        segments if segments is not None else [[0.0, watched]],
        watched,
        min(watched, sum(b - a for a, b in segments)) if segments else watched,
    )
    return session_id
