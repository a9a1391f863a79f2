"""Waiting on the writer's files beside the database (app/ingest/journal.py)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path


async def until_gone(*paths: Path, within: float = 5.0) -> None:
    """The writer removes a file just after the rows it held are committed, so a test that has
    seen the rows may still see the file for a moment."""
    deadline = time.monotonic() + within
    while left := [path.name for path in paths if path.exists()]:
        assert time.monotonic() < deadline, f"still there after their rows were written: {left}"
        await asyncio.sleep(0.05)
