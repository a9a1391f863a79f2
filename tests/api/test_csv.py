"""CSV: every query endpoint, by `format=csv` or `Accept: text/csv`, gives exactly the numbers of its
JSON answer, one header row, breakdowns as columns, a file name stating scope, range and zone;
and a year of hourly buckets arrives streamed, in chunks."""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest

from tests.api.rows import add_session
from tests.api.sessions import FIREFOX_WINDOWS, SAFARI_IPHONE, Watch, record_all
from tests.support.server import ServerProcess

BROWSERS = ("edge", "ie", "chrome", "firefox", "opera", "safari", "brave", "other")
DEVICES = ("mobile", "tablet", "desktop", "other")
PLATFORMS = ("ios", "android", "mac", "windows", "linux", "other")
RUN = uuid.uuid4().hex[:10]


class Api:
    def __init__(self, client: httpx.AsyncClient, key: str) -> None:
        self.client = client
        self.key = key

    async def get(
        self, endpoint: str, headers: dict[str, str] | None = None, **params: Any
    ) -> httpx.Response:
        params.setdefault("query", {"key": self.key})
        encoded = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
        response = await self.client.get(f"/api/v1/{endpoint}", params=encoded, headers=headers)
        assert response.status_code == 200, response.text
        return response

    async def both(self, endpoint: str, **params: Any) -> tuple[dict[str, Any], list[list[str]]]:
        answer = (await self.get(endpoint, **params)).json()
        response = await self.get(endpoint, format="csv", **params)
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        return answer, list(csv.reader(io.StringIO(response.text)))


@pytest.fixture(scope="module")
async def api(server: ServerProcess, database_url: str) -> AsyncIterator[Api]:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=60) as client:
        key = (await client.post("/api/v1/keys")).json()["key"]
        db = await asyncpg.connect(database_url)
        try:
            await record_all(
                server,
                key,
                db,
                [
                    Watch({"vid": "c1", "run": RUN}, [(0, 12.5)], 30, "=SUM(A1)", page="https://a.example/x"),
                    Watch(
                        {"vid": "c1", "run": RUN},
                        [(0, 5), (3, 8)],
                        30,
                        "=SUM(A1)",
                        user_agent=FIREFOX_WINDOWS,
                    ),
                    Watch(
                        {"vid": "c2", "run": RUN},
                        [(20, 45)],
                        60,
                        'Second, "quoted"',
                        user_agent=SAFARI_IPHONE,
                    ),
                ],
            )
        finally:
            await db.close()
        yield Api(client, key)


def number(cell: str) -> float | None:
    return None if cell == "" else float(cell)


def flat(value: Any) -> str:
    """How the JSON value must appear in a cell."""
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    if isinstance(value, str):
        return "'" + value if value[:1] in ("=", "+", "-", "@") else value
    return json.dumps(value)


@pytest.mark.parametrize("endpoint", ["plays", "views"])
async def test_plays_and_views(api: Api, endpoint: str) -> None:
    answer, rows = await api.both(endpoint, minimum_watch_seconds=0, interval="1 day", compare="previous")
    device = "device_type" if endpoint == "plays" else "device"
    header = ["period", "interval", "views", "total_view_time", "unique_total_view_time"]
    header += [f"browser_{b}" for b in BROWSERS] + [f"{device}_{d}" for d in DEVICES]
    header += [f"platform_{p}" for p in PLATFORMS]
    # Issue 10's columns after those, then a column per country with plays (none placed here).
    header += ["impressions", "play_rate", "completions", "completion_rate", "country_unknown"]
    assert rows[0] == header
    expected = []
    for label, part in (("main", answer), ("compare", answer["compare"])):
        for bucket in part["views"]:
            counts = [bucket["browser"][b] for b in BROWSERS] + [bucket[device][d] for d in DEVICES]
            counts += [bucket["platform"][p] for p in PLATFORMS]
            values = [
                bucket["interval"],
                bucket["views"],
                bucket["total_view_time"],
                bucket["unique_total_view_time"],
            ]
            later = [bucket[name] for name in ("impressions", "play_rate", "completions", "completion_rate")]
            later.append(bucket["country"]["unknown"])
            expected.append([label, *map(flat, values), *map(flat, counts), *map(flat, later)])
    assert rows[1:] == expected
    assert sum(int(row[2]) for row in rows[1:]) == 3


async def test_sources_and_engagement(api: Api) -> None:
    answer, rows = await api.both("sources", minimum_watch_seconds=0)
    assert rows[0] == ["interval", "path", "host", "views"]
    assert rows[1:] == [[r["interval"], r["path"], r["host"], str(r["views"])] for r in answer["sources"]]
    answer, rows = await api.both("engagement", ranges=4)
    assert rows[0] == ["range", "range_from", "range_to", "viewers", "rewatches", "retention"]
    assert rows[1:] == [
        [str(r["range"]), flat(r["range_time"]["from"]), flat(r["range_time"]["to"]), str(r["viewers"]),
         str(r["rewatches"]), flat(r["retention"])]
        for r in answer["engagement"]
    ]  # fmt: skip
    answer, rows = await api.both("engagement", query={"video": {"vid": "c1", "run": RUN}})
    assert rows[0] == ["interval", "second", "views"]
    expected = [
        [b["interval"], str(s["second"]), str(s["views"])]
        for b in answer["engagement"]
        for s in b["per_second"]
    ]
    assert rows[1:] == expected
    assert len(expected) == 13  # seconds 0 to 12 of video 1


async def test_videos_and_text_a_spreadsheet_would_run(api: Api) -> None:
    answer, rows = await api.both("videos", minimum_watch_seconds=0)
    columns = ["identifier", "metadata", "duration", "plays", "total_view_time", "average_view_time",
               "average_percent_watched"]  # fmt: skip
    assert rows[0] == columns
    assert rows[1:] == [[flat(video[name]) for name in columns] for video in answer["videos"]]
    # A label that starts like a formula is written so that a spreadsheet shows it as text.
    assert rows[1][0] == "'=SUM(A1)"
    assert rows[2][0] == 'Second, "quoted"'
    assert number(rows[1][6]) == pytest.approx(answer["videos"][0]["average_percent_watched"])


async def test_watching(api: Api) -> None:
    answer, rows = await api.both("watching")
    assert rows == [["watching"], [str(answer["watching"])]]
    answer, rows = await api.both("watching", by="page")
    assert rows == [["path", "host", "watching"]] + [
        [p["path"], p["host"], str(p["watching"])] for p in answer["pages"]
    ]
    answer, rows = await api.both("watching", timeframe="1 hour")
    assert rows[0] == ["minute", "watching"]
    assert rows[1:] == [[m["minute"], str(m["watching"])] for m in answer["minutes"]]


async def test_accept_header_and_file_name(api: Api) -> None:
    response = await api.get(
        "plays", headers={"Accept": "text/csv"}, timezone="Europe/Berlin", timeframe="today"
    )
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    disposition = response.headers["content-disposition"]
    match = re.fullmatch(r'attachment; filename="([A-Za-z0-9._-]+)"', disposition)
    assert match is not None, disposition
    today = datetime.now(UTC).astimezone(ZoneInfo("Europe/Berlin")).date().isoformat()
    key = re.sub(r"[^A-Za-z0-9._-]+", "-", api.key).strip("-")
    assert match.group(1).startswith(f"video-metrics_plays_key-{key}_{today}T000000_to_{today}T")
    assert match.group(1).endswith("_Europe-Berlin.csv")
    # JSON stays the default, and wins a tie; a preferred CSV wins.
    for accept, kind in [
        ("*/*", "application/json"),
        ("application/json, text/csv", "application/json"),
        ("text/csv;q=0.9, application/json;q=0.5", "text/csv"),
        ("text/html", "application/json"),
    ]:
        response = await api.get("plays", headers={"Accept": accept})
        assert response.headers["content-type"].startswith(kind), accept
    named = await api.get("videos", query={"video": {"vid": "c1"}}, format="csv")
    assert "_videos_video-vid-c1_" in named.headers["content-disposition"]


async def test_errors_stay_json(api: Api) -> None:
    response = await api.client.get("/api/v1/plays", params={"format": "csv", "query": "{"})
    assert response.status_code == 400
    assert response.json()["parameter"] == "query"
    response = await api.client.get(
        "/api/v1/plays", params={"format": "xml", "query": json.dumps({"key": api.key})}
    )
    assert (response.status_code, response.json()["parameter"]) == (400, "format")


async def test_a_year_of_hours_arrives_in_chunks(
    server: ServerProcess, db: asyncpg.Connection, api_key: str
) -> None:
    key_id = await db.fetchval("SELECT id FROM keys WHERE key = $1", api_key)
    video = await db.fetchval(
        "INSERT INTO videos (key_id, metadata, duration) VALUES ($1, $2, 60) RETURNING id",
        key_id,
        {"year": 1},
    )
    start = datetime(2023, 1, 1, tzinfo=UTC)
    hours = 365 * 24
    for hour in range(0, hours, 1):
        if hour % 500 == 0:
            async with db.transaction():
                for offset in range(hour, min(hour + 500, hours)):
                    await add_session(db, key_id, video, start + timedelta(hours=offset, minutes=7), 5.0)
    params = {"query": json.dumps({"key": api_key}), "interval": "1 hour", "timeframe": json.dumps(
        {"from": start.timestamp(), "to": (start + timedelta(hours=hours)).timestamp() - 1})}  # fmt: skip
    async with httpx.AsyncClient(base_url=server.base_url, timeout=120) as client:
        answer = (await client.get("/api/v1/plays", params=params)).json()
        assert len(answer["views"]) == hours
        async with client.stream("GET", "/api/v1/plays", params={**params, "format": "csv"}) as response:
            assert "content-length" not in response.headers
            chunks = [chunk async for chunk in response.aiter_text()]
    assert len(chunks) > 10
    rows = list(csv.reader(io.StringIO("".join(chunks))))
    assert len(rows) == hours + 1
    assert [row[0] for row in rows[1:]] == [bucket["interval"] for bucket in answer["views"]]
    assert all(row[1] == "1" and row[2] == "5.0" for row in rows[1:])
