"""Plays with impressions, play rate, completions and completion rate on the quality site
(tests/api/quality_site.py), and the country breakdown of plays from a server with a GeoIP file.

On the site, plays at the default 1 s are A (30 s), B (5), C (29) on day 1 and I (10) on day 2;
impressions are A, B, D on day 1 and E, F, G on day 2; A and C played to within 2 s of the end.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from tests.api.quality_site import WINDOW, QualitySite
from tests.api.sessions import FIREFOX_WINDOWS, Watch, move, record_at_once
from tests.support.geoip import write_country_database
from tests.support.server import ServerFactory, ServerProcess


def rates(answer: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (b["views"], b["impressions"], b["play_rate"], b["completions"], b["completion_rate"])
        for b in answer["views"]
    ]


@pytest.mark.parametrize("endpoint", ["plays", "views"])
async def test_play_rate_and_completion_rate(quality_site: QualitySite, endpoint: str) -> None:
    q = quality_site
    answer = await q.ask(endpoint, timeframe=WINDOW, interval="1 day")
    assert rates(answer) == [
        # Day 1: of the impressions A, B and D, A and B played; of the plays A, B, C, A and C completed.
        (3, 3, pytest.approx(2 / 3), 2, pytest.approx(2 / 3)),
        # Day 2: the impressions E, F (0.5 s) and G made no play; I (the published client) is the play.
        (1, 3, 0.0, 0, 0.0),
    ]
    # Every session is a play at 0 s: D and E to H too.
    assert rates(await q.ask(endpoint, timeframe=WINDOW, interval="1 day", minimum_watch_seconds=0)) == [
        (4, 3, 1.0, 2, 0.5),
        (5, 3, 1.0, 0, 0.0),
    ]
    # At 11 s only A and C play: day 2 has impressions and no play, and is still listed.
    assert rates(await q.ask(endpoint, timeframe=WINDOW, interval="1 day", minimum_watch_seconds=11)) == [
        (2, 3, pytest.approx(1 / 3), 2, 1.0),
        (0, 3, 0.0, 0, None),
    ]
    # The same numbers from the sessions (a video, not a key) and in one bucket.
    by_video = await q.ask(endpoint, query={"video": {"clip": q.run}}, timeframe=WINDOW, interval="1 day")
    assert rates(by_video) == rates(answer)
    assert rates(await q.ask(endpoint, timeframe=WINDOW)) == [(4, 6, pytest.approx(2 / 6), 2, 0.5)]
    # The totals over the days are that one bucket's numbers, not an average of the days' rates.
    assert rates({"views": [answer["totals"]]}) == [(4, 6, pytest.approx(2 / 6), 2, 0.5)]
    # A filter narrows the impressions as it narrows the plays: chrome is A, D; E, G, I.
    chrome = await q.ask(endpoint, timeframe=WINDOW, interval="1 day", browser="chrome")
    assert rates(chrome) == [(1, 2, 0.5, 1, 1.0), (1, 2, 0.0, 0, 0.0)]


@pytest.fixture(scope="module")
def country_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_country_database(tmp_path_factory.mktemp("geoip") / "countries.mmdb")


HOUR = datetime(2024, 6, 3, 9, 0, tzinfo=UTC)


async def test_countries_of_plays(
    make_server: ServerFactory,
    server: ServerProcess,
    db: asyncpg.Connection,
    api_key: str,
    country_file: Path,
) -> None:
    # The tests' GeoIP file places loopback in Germany: two plays through a server that has it,
    # one through the shared server, which has none; one session too short to be a play.
    placed = await asyncio.to_thread(make_server(METRICS_GEOIP_DATABASE=str(country_file)).start)
    watches = [
        Watch({"v": "geo"}, [(0, 20)], 60, page="https://geo.example/1"),
        Watch({"v": "geo"}, [(0, 59)], 60, page="https://geo.example/2", user_agent=FIREFOX_WINDOWS),
        Watch({"v": "geo"}, [(0, 0.5)], 60, page="https://geo.example/3"),
    ]
    ids = await record_at_once(placed, api_key, db, watches)
    ids += await record_at_once(
        server, api_key, db, [Watch({"v": "geo"}, [(0, 8)], 60, page="https://geo.example/4")]
    )
    stored = await db.fetch("SELECT country FROM sessions WHERE id = ANY($1::uuid[]) ORDER BY page_url", ids)
    assert [row["country"] for row in stored] == ["DE", "DE", "DE", "unknown"]
    # Two whole hours, then the partial hours at the ends of a timeframe (from the sessions).
    for session_id, moment in zip(
        ids, [HOUR, HOUR + timedelta(minutes=5), HOUR, HOUR + timedelta(hours=1)], strict=True
    ):
        await move(db, session_id, moment)
    whole = {"from": HOUR.timestamp() - 3600, "to": HOUR.timestamp() + 3 * 3600}
    partial = {"from": HOUR.timestamp() + 60, "to": HOUR.timestamp() + 3700}

    async with httpx.AsyncClient(base_url=server.base_url) as client:

        async def ask(**params: Any) -> Any:
            response = await client.post("/api/v1/plays", json={"query": {"key": api_key}, **params})
            assert response.status_code == 200, response.text
            return response.json()

        answer = await ask(timeframe=whole, interval="1 day")
        assert [b["country"] for b in answer["views"]] == [{"DE": 2, "unknown": 1}]
        hours = await ask(timeframe=whole, interval="1 hour")
        assert [(b["interval"][11:13], b["country"]) for b in hours["views"]] == [
            ("09", {"DE": 2}),
            ("10", {"unknown": 1}),
        ]
        assert [b["country"] for b in (await ask(timeframe=partial))["views"]] == [{"DE": 1, "unknown": 1}]
        assert [b["country"] for b in (await ask(timeframe=whole, minimum_watch_seconds=0))["views"]] == [
            {"DE": 3, "unknown": 1}
        ]
        assert [b["country"] for b in (await ask(timeframe=whole, minimum_watch_seconds=30))["views"]] == [
            {"DE": 1}
        ]
        # Between the rollup's thresholds (from the sessions), and narrowed to one country.
        assert [b["country"] for b in (await ask(timeframe=whole, minimum_watch_seconds=15))["views"]] == [
            {"DE": 2}
        ]
        germany = await ask(timeframe=whole, country="de")
        assert [(b["views"], b["country"], b["browser"]["firefox"]) for b in germany["views"]] == [
            (2, {"DE": 2}, 1)
        ]
        assert (await ask(timeframe=whole, country="unknown"))["views"][0]["views"] == 1
        videos = await client.post(
            "/api/v1/videos", json={"query": {"key": api_key}, "timeframe": whole, "country": "DE"}
        )
        assert videos.json()["totals"]["plays"] == 2
        response = await client.get(
            "/api/v1/views",
            params={"query": json.dumps({"key": api_key}), "timeframe": json.dumps(whole), "format": "csv"},
        )
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][-2:] == ["country_DE", "country_unknown"]
    assert rows[1][-2:] == ["2", "1"]
    await asyncio.to_thread(placed.stop)
