"""Export over HTTP and the CLI: every column of every stored session of a scope, CSV or JSON Lines."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from app.data.columns import COLUMNS, NAMES
from benchmarks.query_benchmark import GENERATE, ROLLUP_TRIGGERS
from tests.api.sessions import FIREFOX_WINDOWS, Watch, move, record_all
from tests.support.databases import migrated_pool, with_database
from tests.support.server import ServerFactory, ServerProcess
from tests.test_cli import run

ROOT = Path(__file__).resolve().parents[2]
RUN = uuid.uuid4().hex[:12]
V1 = {"vid": "export-1", "run": RUN, "note": 'quote " and, comma\nnewline \\ backslash'}
V2 = {"vid": "export-2", "run": RUN}
WATCHES = [
    Watch(V1, [(0, 12)], 30, '=HYPERLINK("x")', page="https://a.example/watch?q=1"),
    Watch(V1, [(0, 5), (3, 8)], 30, '=HYPERLINK("x")', "https://a.example/other", FIREFOX_WINDOWS),
    Watch(V2, [(20, 45)], 60, "second", "https://b.example/"),
]
ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


@pytest.fixture(scope="module")
async def recorded(server: ServerProcess, database_url: str) -> AsyncIterator[tuple[str, list[uuid.UUID]]]:
    db = await asyncpg.connect(database_url)
    key = f"export-{RUN}"
    await db.execute("INSERT INTO keys (key) VALUES ($1)", key)
    ids = await record_all(server, key, db, WATCHES)
    # The first session two years back, so that a timeframe can leave it out.
    await move(db, ids[0], datetime(2022, 3, 1, 12, tzinfo=UTC))
    await db.close()
    yield key, ids


async def get(server: ServerProcess, **params: Any) -> httpx.Response:
    query = {name: v if isinstance(v, str) else json.dumps(v) for name, v in params.items()}
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
        return await client.get("/api/v1/export", params=query)


async def stored(db: asyncpg.Connection, key: str) -> dict[str, dict[str, Any]]:
    rows = await db.fetch(
        """
        SELECT s.*, v.metadata, v.identifier, v.duration, k.key
        FROM sessions s JOIN videos v ON v.id = s.video_id JOIN keys k ON k.id = s.key_id
        WHERE k.key = $1
        """,
        key,
    )
    return {str(row["id"]): dict(row) for row in rows}


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


async def test_jsonl_holds_every_column_of_every_session(
    server: ServerProcess, recorded: tuple[str, list[uuid.UUID]], db: asyncpg.Connection
) -> None:
    key, ids = recorded
    response = await get(server, query={"key": key}, format="jsonl")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/x-ndjson"
    assert re.fullmatch(
        r'attachment; filename="video-metrics-sessions-\d{8}-\d{6}\.jsonl"',
        response.headers["content-disposition"],
    )
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert [line["session_id"] for line in lines] == [str(i) for i in ids]  # oldest first
    rows = await stored(db, key)
    for line in lines:
        assert list(line) == list(NAMES)
        row = rows[line["session_id"]]
        assert line == {
            "session_id": str(row["id"]),
            "started_at": iso(row["started_at"]),
            "ended_at": iso(row["ended_at"]),
            "key": key,
            "identifier": row["identifier"],
            "metadata": row["metadata"],
            "duration": row["duration"],
            "page_host": row["page_host"],
            "page_url": row["page_url"],
            "browser": row["browser"],
            "platform": row["platform"],
            "device": row["device"],
            "watched": row["watched"],
            "unique_watched": row["unique_watched"],
            "segments": [list(segment) for segment in row["segments"]],
            "final": True,
        }
    assert lines[1]["segments"] == [[0, 5], [3, 8]]
    assert lines[0]["metadata"]["note"] == V1["note"]


async def test_csv_is_the_same_rows_with_formulas_defused(
    server: ServerProcess, recorded: tuple[str, list[uuid.UUID]], db: asyncpg.Connection
) -> None:
    key, ids = recorded
    response = await get(server, query={"key": key})  # CSV is the default
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    table = list(csv.DictReader(io.StringIO(response.text, newline="")))
    assert list(table[0]) == list(NAMES)
    assert [row["session_id"] for row in table] == [str(i) for i in ids]
    rows = await stored(db, key)
    for line in table:
        row = rows[line["session_id"]]
        assert ISO.fullmatch(line["started_at"]) and line["started_at"] == iso(row["started_at"])
        assert json.loads(line["metadata"]) == row["metadata"]
        assert json.loads(line["segments"]) == [list(segment) for segment in row["segments"]]
        assert float(line["watched"]) == row["watched"]
        assert line["final"] == "true"
        assert line["page_url"] == row["page_url"]
    # A label that a spreadsheet would run as a formula is kept as text.
    assert table[0]["identifier"] == '\'=HYPERLINK("x")'
    assert table[2]["identifier"] == "second"


def session_ids(response: httpx.Response) -> list[uuid.UUID]:
    return [uuid.UUID(json.loads(line)["session_id"]) for line in response.text.splitlines()]


async def test_scope_and_timeframe(server: ServerProcess, recorded: tuple[str, list[uuid.UUID]]) -> None:
    key, ids = recorded
    by_video = await get(server, query={"video": {"vid": "export-1", "run": RUN}}, format="jsonl")
    assert session_ids(by_video) == ids[:2]
    by_label = await get(server, identifier="second", query={"key": key}, format="jsonl")
    assert session_ids(by_label) == [ids[2]]
    recent = await get(server, query={"key": key}, timeframe="30 days", format="jsonl")
    assert session_ids(recent) == ids[1:]
    start, end = datetime(2022, 1, 1, tzinfo=UTC), datetime(2023, 1, 1, tzinfo=UTC)
    window = {"from": start.timestamp(), "to": end.timestamp()}
    old = await get(server, query={"key": key}, timeframe=window, format="jsonl")
    assert session_ids(old) == [ids[0]]


async def test_post_body_and_an_empty_scope(server: ServerProcess) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        response = await client.post("/api/v1/export", json={"query": {"key": f"nobody-{RUN}"}})
    assert response.status_code == 200
    assert response.text == ",".join(NAMES) + "\n"  # a header, no rows
    nothing = await get(server, query={"video": {"never": RUN}}, format="jsonl")
    assert (nothing.status_code, nothing.text) == (200, "")


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"format": "xlsx", "query": {"key": "k"}}, "format"),
        ({"format": "jsonl"}, "query"),
        ({"query": {"key": "k"}, "timeframe": "7 fortnights"}, "timeframe"),
        ({"query": {"key": "k"}, "interval": "1 day"}, "interval"),
        ({"query": {"key": "has space"}}, "query"),
        ({"query": {"video": {"a": "\u0000"}}}, "query"),
    ],
)
async def test_bad_parameters_are_refused_before_anything_is_sent(
    server: ServerProcess, params: dict[str, Any], parameter: str
) -> None:
    response = await get(server, **params)
    assert response.status_code == 400, response.text
    assert response.json()["parameter"] == parameter
    assert response.json()["error"].startswith(f"{parameter}: ")


def test_every_column_is_documented() -> None:
    api = (ROOT / "docs" / "API.md").read_text()
    for column in COLUMNS:
        assert f"| `{column.name}` | {column.doc} |" in api, column.name


async def test_cli_export_to_a_file_and_to_stdout(
    recorded: tuple[str, list[uuid.UUID]], database_url: str, tmp_path: Path
) -> None:
    key, ids = recorded
    target = tmp_path / "sessions.jsonl"
    result = run("export", "--key", key, "--format", "jsonl", "-o", str(target), DATABASE_URL=database_url)
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["session_id"] for line in target.read_text().splitlines()] == list(map(str, ids))
    assert "3 sessions" in result.stderr
    printed = run("export", "--video", json.dumps(V2), DATABASE_URL=database_url)
    assert printed.returncode == 0, printed.stderr
    table = list(csv.DictReader(io.StringIO(printed.stdout, newline="")))
    assert [row["session_id"] for row in table] == [str(ids[2])]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export"], "query: is required"),
        (["export", "--key", "k", "--format", "xml"], "format: 'xml' is not a format"),
        (["export", "--video", "{nope"], "query: is not valid JSON"),
        (["export", "--key", "k", "--timeframe", "soon"], "timeframe: "),
    ],
)
def test_cli_export_refuses_bad_input_by_name(args: list[str], message: str, database_url: str) -> None:
    result = run(*args, DATABASE_URL=database_url)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr


async def test_a_reader_that_goes_away_cancels_the_copy(
    make_server: ServerFactory, database_url: str
) -> None:
    """A client that stops reading half way must not leave a COPY running or a connection taken."""
    async with migrated_pool(database_url, "export_cancel") as pool:
        async with pool.acquire() as connection:
            key_id = await connection.fetchval("INSERT INTO keys (key) VALUES ('many') RETURNING id")
            for trigger in ROLLUP_TRIGGERS:  # a database of its own: no rollups needed
                await connection.execute(f"ALTER TABLE sessions DISABLE TRIGGER {trigger}")
            await connection.execute(
                "INSERT INTO videos (key_id, metadata) SELECT $1, jsonb_build_object('id', i) "
                "FROM generate_series(1, 10) i",
                key_id,
            )
            # Over a minute on TimescaleDB (a hypertable insert of unordered rows, quality columns
            # included): beyond the pool's command timeout of 60 s.
            await connection.execute(GENERATE, key_id, 10, datetime.now(UTC), 30, 60_000, timeout=600)
        url = with_database(database_url, await pool.fetchval("SELECT current_database()"))
        server = await asyncio.to_thread(make_server(url).start)
        try:
            params = {"query": json.dumps({"key": "many"}), "format": "jsonl"}
            async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
                async with client.stream("GET", "/api/v1/export", params=params) as response:
                    first = await anext(response.aiter_raw(65536))
                    assert first.startswith(b'{"session_id":')
                # Gone after the first chunk of about 28 MB: the COPY is cancelled.
                copying = "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'COPY (SELECT row_to_json%'"
                deadline = time.monotonic() + 15
                while await pool.fetchval(copying):
                    assert time.monotonic() < deadline, "the COPY went on without a reader"
                    await asyncio.sleep(0.1)
                whole = await client.get("/api/v1/export", params={**params, "timeframe": "3 days"})
                assert whole.status_code == 200 and whole.text.count("\n") > 0
            assert "Traceback" not in server.logs()
        finally:
            await asyncio.to_thread(server.stop)
