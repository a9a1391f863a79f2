"""`video-metrics delete` as an operator runs it: a dry run, a confirmation, and the files a
stopped server left in its data folder."""

from __future__ import annotations

import asyncio
import os
import pty
import signal
import subprocess
import sys
import uuid

import asyncpg
import pytest

from tests.support.phoenix import PhoenixSocket, ok, topic
from tests.support.proxy import DatabaseProxy
from tests.support.server import ServerFactory, ServerProcess
from tests.support.stored import final_sessions, stored_rows
from tests.support.traces import file_traces
from tests.test_cli import run


async def recorded_key(db: asyncpg.Connection, server: ServerProcess, sessions: int) -> str:
    key = f"cli-{uuid.uuid4().hex[:10]}"
    await db.execute("INSERT INTO keys (key) VALUES ($1)", key)
    sock = await PhoenixSocket.open(server.ws_url())
    for n in range(sessions):
        ref, reply = await sock.join(topic(n), key, {"vid": key})
        assert ok(reply)
        await sock.push(ref, topic(n), {"name": "play", "from": 0, "duration": 60})
        await sock.push(ref, topic(n), {"name": "pause", "to": 2, "duration": 60})
    await sock.close()
    await final_sessions(db, key, sessions)
    return key


def answer_in_a_terminal(
    args: list[str], answer: str, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run the command with a terminal as its input, and type `answer` at its question."""
    controller, terminal = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "app", *args],
            stdin=terminal,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, **env},
            text=True,
        )
        os.write(controller, answer.encode() + b"\n")
        stdout, stderr = process.communicate(timeout=60)
    finally:
        os.close(controller)
        os.close(terminal)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


async def test_dry_run_then_a_confirmation(
    make_server: ServerFactory, db: asyncpg.Connection, database_url: str, tmp_path: pytest.TempPathFactory
) -> None:
    server = await asyncio.to_thread(make_server().start)
    key = await recorded_key(db, server, 3)
    await asyncio.to_thread(server.stop)
    env = {"DATABASE_URL": database_url, "METRICS_DATA_DIR": str(server.data_dir)}

    dry = run("delete", "--key", key, "--dry-run", **env)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.strip() == "Would delete 3 stored sessions, 0 not stored yet, and 1 videos."
    unconfirmed = run("delete", "--key", key, **env)  # no terminal, no --yes
    assert unconfirmed.returncode == 2
    assert "refusing to delete without confirmation: pass --yes" in unconfirmed.stderr
    declined = await asyncio.to_thread(answer_in_a_terminal, ["delete", "--key", key], "no", env)
    assert declined.returncode == 1 and "Nothing deleted." in declined.stdout
    assert await stored_rows(db, key) == 3

    confirmed = await asyncio.to_thread(
        answer_in_a_terminal, ["delete", "--key", key, "--revoke-key"], "yes", env
    )
    assert confirmed.returncode == 0, confirmed.stderr
    assert (
        "Deleted 3 stored sessions, 0 not stored yet, and 1 videos; the key is revoked." in confirmed.stdout
    )
    assert await stored_rows(db, key) == 0
    assert await db.fetchval("SELECT disabled_at IS NOT NULL FROM keys WHERE key = $1", key)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["delete"], "query: is required"),
        (["delete", "--identifier", "x", "--revoke-key"], "revoke_key: needs the key"),
        (["delete", "--key", "k", "--before", "someday"], "before: 'someday' is not a date"),
        (["delete", "--key", "k", "--query", '{"key": "k"}'], "query: give --query, or --key"),
    ],
)
def test_bad_input_is_refused_by_name(args: list[str], message: str, database_url: str) -> None:
    result = run(*args, DATABASE_URL=database_url)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr


async def test_rows_a_stopped_server_had_not_stored_are_deleted_from_its_files(
    make_server: ServerFactory, db: asyncpg.Connection, database_url: str
) -> None:
    """A server stopped while the database was away keeps its unwritten rows in files, and
    writes them at its next start: a deletion meanwhile must reach them, or they come back."""
    proxy = DatabaseProxy(database_url)
    await proxy.start()
    server = await asyncio.to_thread(
        make_server(proxy.url, METRICS_WRITE_QUEUE_LIMIT="2", METRICS_SHUTDOWN_FLUSH_SECONDS="1").start
    )
    gone, kept = f"gone-{uuid.uuid4().hex[:8]}", f"kept-{uuid.uuid4().hex[:8]}"
    await db.executemany("INSERT INTO keys (key) VALUES ($1)", [(gone,), (kept,)])
    sock = await PhoenixSocket.open(server.ws_url())
    refs = {}
    for n, key in enumerate([gone, kept, gone, kept, gone]):
        refs[n], reply = await sock.join(topic(n), key, {"vid": key})
        assert ok(reply)
        await sock.push(refs[n], topic(n), {"name": "play", "from": 0, "duration": 60})
    await proxy.cut()
    await sock.close()  # five sessions end while the database is away: two in memory, three on disk
    assert await asyncio.to_thread(server.stop, signal.SIGTERM) in (0, -signal.SIGTERM)
    assert file_traces(server.data_dir, [gone]) and file_traces(server.data_dir, [kept])

    env = {"DATABASE_URL": database_url, "METRICS_DATA_DIR": str(server.data_dir)}
    result = run("delete", "--key", gone, "--yes", **env)
    assert result.returncode == 0, result.stderr
    assert "Deleted 0 stored sessions, 3 not stored yet, and 0 videos." in result.stdout
    assert file_traces(server.data_dir, [gone]) == []

    await proxy.start()
    again = await asyncio.to_thread(ServerProcess(proxy.url, server.data_dir).start)
    try:
        await final_sessions(db, kept, 2, timeout=15)
        assert await stored_rows(db, gone) == 0
    finally:
        await asyncio.to_thread(again.stop)
        await proxy.cut()


async def test_a_running_server_keeps_its_files_to_itself(
    make_server: ServerFactory, db: asyncpg.Connection, database_url: str
) -> None:
    server = await asyncio.to_thread(make_server().start)
    key = await recorded_key(db, server, 1)
    env = {"DATABASE_URL": database_url, "METRICS_DATA_DIR": str(server.data_dir)}
    result = run("delete", "--key", key, "--yes", **env)
    assert result.returncode == 0, result.stderr
    assert f"A server is running with {server.data_dir}" in result.stderr
    assert await stored_rows(db, key) == 0
