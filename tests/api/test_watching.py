"""`watching` follows plays, pauses and closed sockets, per video and page, across processes,
through the database; and its per-minute samples give the series and the peak."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx

from app import live
from app.db.pool import create_pool
from tests.support.phoenix import PhoenixSocket, ok
from tests.support.server import ServerFactory, ServerProcess


async def watching(client: httpx.AsyncClient) -> int:
    response = await client.get("/api/v1/watching")
    assert response.status_code == 200, response.text
    count: int = response.json()["watching"]
    return count


async def until(client: httpx.AsyncClient, expected: int) -> None:
    """Live counts are published about every second; wait up to a few for the expected one."""
    deadline = time.monotonic() + 8
    seen = await watching(client)
    while seen != expected and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        seen = await watching(client)
    assert seen == expected


async def test_watching_rises_on_play_and_falls_on_pause_and_close(
    server: ServerProcess, api_key: str
) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        base = await watching(client)
        sock = await PhoenixSocket.open(server.ws_url())
        topic = f"session:{uuid.uuid4().hex[:16]}"
        join_ref, reply = await sock.join(topic, api_key, {"vid": "live"})
        assert ok(reply)
        await until(client, base)  # joined, not playing

        await sock.push(join_ref, topic, {"name": "play", "from": 0, "duration": 60})
        await until(client, base + 1)
        await sock.push(join_ref, topic, {"name": "pause", "to": 3, "duration": 60})
        await until(client, base)

        await sock.push(join_ref, topic, {"name": "play", "from": 3, "duration": 60})
        await until(client, base + 1)
        await sock.close()
        await until(client, base)


async def test_watching_accepts_the_reference_clients_query(server: ServerProcess) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        response = await client.post("/api/v1/watching", json={"query": {"key": "any"}})
        assert response.status_code == 200
        assert isinstance(response.json()["watching"], int)
        bad = await client.post("/api/v1/watching", json={"interval": "1 day"})
        assert bad.status_code == 400


# Per video and page, across two server processes.

A_PAGE, B_PAGE = "https://shop.example.com/a", "https://blog.example.org/b"


async def ask(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    encoded = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    response = await client.get("/api/v1/watching", params=encoded)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def play(
    server: ServerProcess, key: str, metadata: dict[str, Any], page: str, label: str
) -> PhoenixSocket:
    sock = await PhoenixSocket.open(server.ws_url(source_url=page))
    topic = f"session:{uuid.uuid4().hex[:16]}"
    join_ref, reply = await sock.join(topic, key, metadata, identifier=label)
    assert ok(reply)
    await sock.push(join_ref, topic, {"name": "play", "from": 0, "duration": 60})
    return sock


async def settled(client: httpx.AsyncClient, expected: int, **params: Any) -> dict[str, Any]:
    deadline = time.monotonic() + 8
    answer = await ask(client, **params)
    while answer["watching"] != expected and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        answer = await ask(client, **params)
    assert answer["watching"] == expected, answer
    return answer


async def test_watching_per_video_and_page_across_two_processes(
    server: ServerProcess, make_server: ServerFactory, database_url: str, api_key: str
) -> None:
    other = make_server().start()
    run = uuid.uuid4().hex[:8]
    video_a, video_b = {"vid": "a", "run": run}, {"vid": "b", "run": run}
    sockets = [
        await play(server, api_key, video_a, A_PAGE, "Film A"),
        await play(server, api_key, video_a, A_PAGE, "Film A"),
        await play(other, api_key, video_a, B_PAGE, "Film A"),
        await play(other, api_key, video_b, A_PAGE, "Film B"),
    ]
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        await settled(client, 4, query={"key": api_key})
        await settled(client, 3, query={"video": video_a})
        await settled(client, 1, query={"video": video_b})
        await settled(client, 1, query={"key": api_key}, identifier="Film B")
        await settled(client, 0, query={"video": {"vid": "a", "run": "another"}})
        by_video = await settled(client, 4, query={"key": api_key}, by="video")
        assert by_video["videos"] == [
            {"identifier": "Film A", "metadata": video_a, "watching": 3},
            {"identifier": "Film B", "metadata": video_b, "watching": 1},
        ]
        by_page = await settled(client, 4, query={"key": api_key}, by="page")
        assert by_page["pages"] == [
            {"path": A_PAGE, "host": "shop.example.com", "watching": 3},
            {"path": B_PAGE, "host": "blog.example.org", "watching": 1},
        ]
        only_a = await settled(client, 3, query={"video": video_a}, by="page")
        assert [(p["path"], p["watching"]) for p in only_a["pages"]] == [(A_PAGE, 2), (B_PAGE, 1)]

        # A minute's sample, and the series and peak it gives; a later minute with fewer.
        pool = await create_pool(database_url, max_size=1)
        try:
            minute = datetime(2031, 1, 1, 12, 0, tzinfo=UTC)
            assert await live.sample(pool, minute) >= 2
            assert await live.sample(pool, minute) == 0  # written once, whoever samples it
            await sockets[0].close()
            await settled(client, 2, query={"video": video_a})
            await live.sample(pool, minute + timedelta(minutes=1))
        finally:
            await pool.close()
        frame = {"from": minute.timestamp(), "to": minute.timestamp() + 3600}
        series = await ask(client, query={"video": video_a}, timeframe=frame)
        assert series["minutes"] == [
            {"minute": "2031-01-01T12:00:00.000000Z", "watching": 3},
            {"minute": "2031-01-01T12:01:00.000000Z", "watching": 2},
        ]
        assert series["peak"] == {"minute": "2031-01-01T12:00:00.000000Z", "watching": 3}
        whole = await ask(client, query={"key": api_key}, timeframe=frame)
        assert [m["watching"] for m in whole["minutes"]] == [4, 3]
        nothing = await ask(client, query={"video": {"vid": "none"}}, timeframe=frame)
        assert (nothing["minutes"], nothing["peak"]) == ([], None)

        for sock in sockets[1:]:
            await sock.close()
        await settled(client, 0, query={"key": api_key})


async def test_a_dead_process_stops_counting(
    server: ServerProcess, db: asyncpg.Connection, api_key: str
) -> None:
    key_id = await db.fetchval("SELECT id FROM keys WHERE key = $1", api_key)
    entry = [{"k": key_id, "m": {"dead": 1}, "i": None, "u": A_PAGE, "h": "shop.example.com", "n": 5}]
    process = uuid.uuid4()
    await db.execute(
        "INSERT INTO live_processes (process_id, playing, playing_by, updated_at) "
        "VALUES ($1, 5, $2, now() - interval '11 seconds')",
        process,
        entry,
    )
    try:
        async with httpx.AsyncClient(base_url=server.base_url) as client:
            assert (await ask(client, query={"key": api_key}))["watching"] == 0
            await db.execute("UPDATE live_processes SET updated_at = now() WHERE process_id = $1", process)
            assert (await ask(client, query={"key": api_key}))["watching"] == 5
    finally:
        await db.execute("DELETE FROM live_processes WHERE process_id = $1", process)
