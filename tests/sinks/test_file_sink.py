"""The JSON Lines file sink on a real server: one session per line, rotated by size."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import asyncpg

from app.data.columns import NAMES
from app.sinks.document import document
from tests.api.sessions import Watch, record_all
from tests.sinks.records import stored
from tests.support.server import ServerFactory


def test_a_session_is_a_line_of_the_export() -> None:
    assert list(document(stored(1, 0), "k")) == list(NAMES)


async def test_sessions_are_appended_and_the_file_rotated_by_size(
    make_server: ServerFactory, api_key: str, db: asyncpg.Connection, tmp_path: Path
) -> None:
    target = tmp_path / "out" / "sessions.jsonl"
    env = {
        "METRICS_FILE_SINK_PATH": str(target),
        "METRICS_FILE_SINK_MAX_BYTES": "1024",  # two sessions a file, about
        "METRICS_FILE_SINK_BACKUPS": "2",
        "METRICS_SINK_BATCH_SIZE": "1",
        "METRICS_SINK_BATCH_WAIT": "0",
    }
    server = await asyncio.to_thread(make_server(**env).start)
    watches = [Watch({"vid": f"f{n}"}, [(0, n + 1)], 60, f"file {n}") for n in range(8)]
    ids = [str(i) for i in await record_all(server, api_key, db, watches)]
    await asyncio.to_thread(server.stop)  # everything waiting is written before it exits

    files = [target, target.with_name("sessions.jsonl.1"), target.with_name("sessions.jsonl.2")]
    assert all(path.exists() for path in files)
    assert not target.with_name("sessions.jsonl.3").exists()
    kept = []
    for path in reversed(files):  # oldest first
        assert path.stat().st_size <= 1024
        kept += [json.loads(line) for line in path.read_text().splitlines()]
    assert all(list(session) == list(NAMES) for session in kept)
    kept_ids = [session["session_id"] for session in kept]
    assert kept_ids == ids[-len(kept_ids) :]  # the newest sessions, in order; older ones rotated away
    assert len(kept_ids) >= 4
