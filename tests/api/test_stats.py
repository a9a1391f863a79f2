"""Plays, views, sources and engagement on a running server, with sessions recorded over its
websocket and every expected number worked out by hand below."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import pytest

from tests.api.sessions import (
    CHROME_ANDROID,
    EDGE_WINDOWS,
    FIREFOX_WINDOWS,
    SAFARI_IPHONE,
    Watch,
    record_all,
)
from tests.support.server import ServerProcess

# Unique to this run: the database may hold other tests' (or earlier runs') videos.
RUN = uuid.uuid4().hex[:12]
V1 = {"vid": "v1", "series": "a", "run": RUN}
V2 = {"vid": "v2", "series": "b", "run": RUN}
FIRST, SECOND = f"first-{RUN}", f"second-{RUN}"

# Video 1 (30 s long, labelled "first"):
#   S1 chrome/linux/desktop on a.example/watch, [0, 12]          watched 12, unique 12
#   S2 firefox/windows/desktop on a.example/watch?x=1, [0,5][3,8] watched 10, unique 8
#   S3 safari/ios/mobile on b.example/, [0, 0.5]                  watched 0.5 (below the default 1 s)
#   S5 edge/windows/desktop on a.example/watch, [25, 30]          watched 5, unique 5
# Video 2 (60 s long, labelled "second"):
#   S4 chrome/android/mobile on b.example/, [20, 45]              watched 25, unique 25
WATCHES = [
    Watch(V1, [(0, 12)], 30, FIRST, page="https://a.example/watch"),
    Watch(V1, [(0, 5), (3, 8)], 30, FIRST, "https://a.example/watch?x=1#t", FIREFOX_WINDOWS),
    Watch(V1, [(0, 0.5)], 30, FIRST, "https://b.example/", SAFARI_IPHONE),
    Watch(V2, [(20, 45)], 60, SECOND, "https://b.example/", CHROME_ANDROID),
    Watch(V1, [(25, 30)], 30, FIRST, "https://a.example/watch", EDGE_WINDOWS),
]


def zeros(names: tuple[str, ...], **counts: int) -> dict[str, int]:
    return {name: counts.get(name, 0) for name in names}


BROWSERS = ("edge", "ie", "chrome", "firefox", "opera", "safari", "brave", "other")
DEVICES = ("mobile", "tablet", "desktop", "other")
PLATFORMS = ("ios", "android", "mac", "windows", "linux", "other")


@dataclass
class Recorded:
    key: str
    client: httpx.AsyncClient
    started: float

    async def get(self, path: str, **params: Any) -> Any:
        """GET with query-string parameters, nested values JSON-encoded as the contract says."""
        import json

        encoded = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
        response = await self.client.get(f"/api/v1/{path}", params=encoded)
        assert response.status_code == 200, response.text
        return response.json()

    async def post(self, path: str, **params: Any) -> Any:
        response = await self.client.post(f"/api/v1/{path}", json=params)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture(scope="module")
async def recorded(server: ServerProcess, database_url: str) -> AsyncIterator[Recorded]:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
        created = await client.post("/api/v1/keys")
        assert created.status_code == 201, created.text
        key = created.json()["key"]
        db = await asyncpg.connect(database_url)
        try:
            started = time.time()
            await record_all(server, key, db, WATCHES)
        finally:
            await db.close()
        yield Recorded(key, client, started)


def this_year() -> str:
    # The default interval is 12 months from 2000-01-01: calendar years.
    return f"{datetime.now(UTC).year:04d}-01-01T00:00:00.000000Z"


async def test_plays_with_the_default_minimum(recorded: Recorded) -> None:
    answer = await recorded.post("plays", query={"video": {"vid": "v1", "run": RUN}})
    assert answer["views"] == [
        {
            "interval": this_year(),
            "views": 3,  # S1, S2, S5
            "total_view_time": pytest.approx(27),
            "unique_total_view_time": pytest.approx(25),
            "browser": zeros(BROWSERS, chrome=1, firefox=1, edge=1),
            "device_type": zeros(DEVICES, desktop=3),
            "platform": zeros(PLATFORMS, linux=1, windows=2),
            # Issue 10: no GeoIP file, so no country; frames by hand send no impression; S5
            # played [25, 30] of 30 s, to the end.
            "country": {"unknown": 3},
            "impressions": 0,
            "play_rate": None,
            "completions": 1,
            "completion_rate": pytest.approx(1 / 3),
        }
    ]
    # The keys the contract lists, then the whole timeframe's totals, the time zone and the
    # timeframe it resolved (issue 9).
    assert list(answer) == ["views", "totals", "timezone", "timeframe"]


async def test_views_is_the_reference_shape(recorded: Recorded) -> None:
    plays = await recorded.post("plays", query={"video": {"vid": "v1", "run": RUN}})
    views = await recorded.post("views", query={"video": {"vid": "v1", "run": RUN}})
    [bucket] = views["views"]
    assert "device_type" not in bucket
    assert bucket["device"] == plays["views"][0]["device_type"]
    assert {k: v for k, v in bucket.items() if k != "device"} == {
        k: v for k, v in plays["views"][0].items() if k != "device_type"
    }


@pytest.mark.parametrize(
    ("minimum", "views", "total", "unique"),
    [
        (0, 4, 27.5, 25.5),  # S3 counts too
        ("6 seconds", 2, 22, 20),  # S1 (12), S2 (10)
        (10, 2, 22, 20),  # at least: S2's 10 counts
        ("10.5", 1, 12, 12),  # S1 only
        ("1 minute", 0, 0, 0),
    ],
)
async def test_plays_with_minimum_watch_seconds(
    recorded: Recorded, minimum: Any, views: int, total: float, unique: float
) -> None:
    answer = await recorded.get(
        "plays", query={"video": {"vid": "v1", "run": RUN}}, minimum_watch_seconds=minimum
    )
    if views == 0:
        assert answer["views"] == []
        return
    [bucket] = answer["views"]
    assert (bucket["views"], bucket["total_view_time"], bucket["unique_total_view_time"]) == (
        views,
        pytest.approx(total),
        pytest.approx(unique),
    )
    if minimum == 0:
        assert bucket["browser"] == zeros(BROWSERS, chrome=1, firefox=1, edge=1, safari=1)
        assert bucket["device_type"] == zeros(DEVICES, desktop=3, mobile=1)
        assert bucket["platform"] == zeros(PLATFORMS, linux=1, windows=2, ios=1)


async def test_query_by_key_identifier_and_metadata(recorded: Recorded) -> None:
    async def views(**params: Any) -> int:
        answer = await recorded.post("plays", **params)
        return sum(bucket["views"] for bucket in answer["views"])

    assert await views(query={"key": recorded.key}) == 4  # S1, S2, S5, S4
    assert await views(query={"key": recorded.key}, identifier=SECOND) == 1
    assert await views(query={"video": {"series": "b"}, "key": recorded.key}) == 1
    assert await views(query={"video": {"vid": "v1", "run": RUN}}, identifier=SECOND) == 0
    assert await views(query={"video": {"vid": "nope"}}) == 0
    assert await views(query={"key": "no-such-key"}) == 0


async def test_identifier_alone(recorded: Recorded) -> None:
    answer = await recorded.get("plays", identifier=SECOND)
    assert [bucket["views"] for bucket in answer["views"]] == [1]


async def test_timeframe_in_three_forms(recorded: Recorded) -> None:
    query = {"key": recorded.key}
    hour_ago = int(recorded.started) - 3600

    async def views(timeframe: Any) -> int:
        answer = await recorded.get("plays", query=query, timeframe=timeframe)
        return sum(bucket["views"] for bucket in answer["views"])

    assert await views("7 days") == 4
    assert await views("1 hour") == 4
    assert await views(hour_ago) == 4
    assert await views(str(hour_ago)) == 4
    assert await views({"from": hour_ago, "to": int(time.time()) + 60}) == 4
    assert await views({"from": 0, "to": hour_ago}) == 0
    assert await views(int(time.time()) + 3600) == 0


async def test_sources(recorded: Recorded) -> None:
    answer = await recorded.get("sources", query={"key": recorded.key})
    assert answer["sources"] == [
        # S1, S2 (query and fragment dropped), S5; then S4 (S3 is below the minimum).
        {"interval": this_year(), "path": "https://a.example/watch", "host": "a.example", "views": 3},
        {"interval": this_year(), "path": "https://b.example/", "host": "b.example", "views": 1},
    ]


async def test_engagement_in_three_ranges_of_one_video(recorded: Recorded) -> None:
    answer = await recorded.post("engagement", query={"video": {"vid": "v1", "run": RUN}}, ranges=3)
    assert answer["engagement"] == [
        # S1, S2, S3; S2 watched [0, 5] and then [3, 8], a rewatch.
        {"range": 0, "range_time": {"from": 0, "to": 10}, "viewers": 3, "rewatches": 1, "retention": 1},
        # S1; retention: S1 and S5 of the three plays went past 10 s.
        {"range": 1, "range_time": {"from": 10, "to": 20}, "viewers": 1, "rewatches": 0,
         "retention": pytest.approx(2 / 3)},
        {"range": 2, "range_time": {"from": 20, "to": 30}, "viewers": 1, "rewatches": 0,
         "retention": pytest.approx(1 / 3)},  # S5
    ]  # fmt: skip


async def test_retention_is_the_share_of_plays_that_reached_each_range(recorded: Recorded) -> None:
    # The plays of video 1 (S3's 0.5 s is none) reached 12 (S1), 8 (S2) and 30 s (S5): all went
    # past 0, two past 10, one past 20. Retention counts plays whatever engagement counts.
    query = {"video": {"vid": "v1", "run": RUN}}
    for minimum in ({}, {"minimum_watch_seconds": 1}):
        answer = await recorded.post("engagement", query=query, ranges=3, **minimum)
        assert [r["retention"] for r in answer["engagement"]] == [
            1,
            pytest.approx(2 / 3),
            pytest.approx(1 / 3),
        ]
    # At least 10 s watched: S1 and S2; S2 stopped at 8.
    answer = await recorded.post("engagement", query=query, ranges=3, minimum_watch_seconds=10)
    assert [r["retention"] for r in answer["engagement"]] == [1, 0.5, 0]
    # The whole key in thirds of 60 s: S4 reached 45 s as well.
    answer = await recorded.post("engagement", query={"key": recorded.key}, ranges=3)
    assert [r["retention"] for r in answer["engagement"]] == [1, 0.5, 0.25]
    # Video 2 in sixths: S4 went past 40 but not past 50; a range reached exactly at its start
    # (S5 stopped at 30 of video 1's 30 s) is not.
    answer = await recorded.post("engagement", query={"video": {"vid": "v2", "run": RUN}}, ranges=6)
    assert [r["retention"] for r in answer["engagement"]] == [1, 1, 1, 1, 1, 0]
    answer = await recorded.post("engagement", query=query, ranges=1, minimum_watch_seconds="1 minute")
    assert [r["retention"] for r in answer["engagement"]] == [None]  # no play to divide by


async def test_engagement_of_plays_only(recorded: Recorded) -> None:
    query = {"video": {"vid": "v1", "run": RUN}}
    plays = await recorded.post("engagement", query=query, ranges=3, minimum_watch_seconds=1)
    # S3 (0.5 s) is no play: range 0 has S1 and S2 only.
    assert [r["viewers"] for r in plays["engagement"]] == [2, 1, 1]
    seconds = await recorded.post("engagement", query=query, minimum_watch_seconds="11 seconds")
    [bucket] = seconds["engagement"]
    assert [(p["second"], p["views"]) for p in bucket["per_second"]] == [(s, 1) for s in range(12)]


async def test_engagement_of_a_whole_key_uses_the_longest_video(recorded: Recorded) -> None:
    answer = await recorded.get("engagement", query={"key": recorded.key}, ranges="3")
    # 60 s in thirds; S4 [20, 45] touches [20, 40] and [40, 60] but not [0, 20] (zero overlap).
    assert [(r["range_time"], r["viewers"]) for r in answer["engagement"]] == [
        ({"from": 0, "to": 20}, 3),  # S1, S2, S3
        ({"from": 20, "to": 40}, 2),  # S5, S4
        ({"from": 40, "to": 60}, 1),  # S4
    ]


async def test_engagement_lists_every_range_even_when_empty(recorded: Recorded) -> None:
    answer = await recorded.post("engagement", query={"video": {"vid": "v2", "run": RUN}}, ranges=6)
    assert [r["viewers"] for r in answer["engagement"]] == [0, 0, 1, 1, 1, 0]
    nothing = await recorded.post("engagement", query={"video": {"vid": "nope"}}, ranges=6)
    assert nothing["engagement"] == []


async def test_engagement_per_second(recorded: Recorded) -> None:
    answer = await recorded.post("engagement", query={"video": {"vid": "v1", "run": RUN}})
    [bucket] = answer["engagement"]
    assert bucket["interval"] == this_year()
    # Second 0: S1, S2, S3; 1-7: S1, S2 (S2's rewatch of 3-5 counts once); 8-11: S1; 25-29: S5.
    expected = [(0, 3)] + [(s, 2) for s in range(1, 8)] + [(s, 1) for s in range(8, 12)]
    expected += [(s, 1) for s in range(25, 30)]
    assert [(p["second"], p["views"]) for p in bucket["per_second"]] == expected


async def test_get_with_a_json_body(recorded: Recorded) -> None:
    response = await recorded.client.request(
        "GET",
        "/api/v1/plays",
        json={"query": {"video": {"vid": "v1", "run": RUN}}, "minimum_watch_seconds": 0},
    )
    assert response.status_code == 200
    assert response.json()["views"][0]["views"] == 4


async def test_filters_narrow_to_a_page_browser_device_or_platform(recorded: Recorded) -> None:
    key = {"key": recorded.key}

    async def plays(endpoint: str = "plays", **filters: Any) -> int:
        answer = await recorded.get(endpoint, query=key, **filters)
        return sum(bucket["views"] for bucket in answer["views"])

    assert await plays(browser="chrome") == 2  # S1, S4
    assert await plays(page="https://a.example/watch") == 3  # S1, S2 (its query dropped), S5
    assert await plays(device="mobile", minimum_watch_seconds=0) == 2  # S3, S4
    assert await plays("views", platform="windows", browser="edge") == 1  # S5
    assert await plays(platform="mac") == 0
    assert await plays(country="unknown") == 4  # no GeoIP file: every session
    assert await plays(country="de") == 0
    sources = await recorded.get("sources", query=key, browser="chrome")
    assert [(row["path"], row["views"]) for row in sources["sources"]] == [
        ("https://a.example/watch", 1),
        ("https://b.example/", 1),
    ]
    engagement = await recorded.post(
        "engagement", query={"video": {"vid": "v1", "run": RUN}}, ranges=3, browser="firefox"
    )
    assert [(r["viewers"], r["rewatches"]) for r in engagement["engagement"]] == [(1, 1), (0, 0), (0, 0)]
    videos = await recorded.get("videos", query=key, page="https://b.example/", minimum_watch_seconds=0)
    assert [(v["identifier"], v["plays"]) for v in videos["videos"]] == [(FIRST, 1), (SECOND, 1)]
    for name, value in (
        ("browser", "netscape"), ("page", ""), ("page", 5), ("device", ["mobile"]), ("country", "DEU"),
        ("country", "Germany"), ("country", 49), ("country", "d1"),
    ):  # fmt: skip
        response = await recorded.client.post("/api/v1/plays", json={"query": key, name: value})
        assert (response.status_code, response.json()["parameter"]) == (400, name)
