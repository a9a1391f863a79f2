"""What the dashboard reads from the API, each number worked out by hand, on plain PostgreSQL and
on TimescaleDB: totals over a timeframe (/plays), plays per page (/sources), the change of
/videos' totals against the comparison period, the share of plays per engagement range with the
biggest drop-off and the most re-watched range, and timeframes of whole local days."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest

from app.api import answers
from app.api.answers.change import change, percent_change, point_change
from app.api.answers.highlights import drop_off, most_rewatched
from app.api.params import Endpoint, parse_params
from app.api.stats import Database, RangeViewers
from app.api.stats.videos import Totals
from tests.api.databases import KINDS, pool_of
from tests.api.rows import add_key, add_session, add_video

NOW = datetime(2024, 5, 10, tzinfo=UTC)
# 6 and 7 May on Berlin's calendar (CEST, +2): 5 May 22:00 UTC to 7 May 21:59:59.999999 UTC.
DAYS = {"from": "2024-05-06", "to": "2024-05-07"}
A = "https://a.example/watch"
B = "https://b.example/"


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 5, day, hour, minute, tzinfo=UTC)


@dataclass
class Data:
    db: Database
    key: str


@pytest.fixture(scope="module", params=KINDS)
async def data(request: pytest.FixtureRequest, api_pool: asyncpg.Pool) -> AsyncIterator[Data]:
    async for pool in pool_of(request.param, api_pool, "wtdash_answers"):
        async with pool.acquire() as connection:
            key_id, key = await add_key(connection)
            intro = await add_video(connection, key_id, {"v": "intro"}, "intro", 100.0)
            short = await add_video(connection, key_id, {"v": "short"}, "short", 60.0)
            sessions: list[tuple[int, datetime, float, list[list[float]], dict[str, str]]] = [
                # In the two days: 00:30 on 6 May in Berlin, still 5 May in UTC.
                (intro, utc(5, 22, 30), 10.0, [[0, 10]], {}),
                (intro, utc(6, 10), 20.0, [[0, 20]], {}),
                (intro, utc(6, 12), 30.0, [[0, 20], [10, 20]],
                 {"browser": "firefox", "device": "mobile", "platform": "android", "page": B}),
                (intro, utc(7, 9), 100.0, [[0, 100]], {"platform": "windows"}),
                (intro, utc(7, 21, 30), 0.5, [[0, 0.5]], {}),  # no play
                (short, utc(6, 8), 60.0, [[0, 60]],
                 {"browser": "safari", "device": "mobile", "platform": "ios"}),
                # The two days before.
                (intro, utc(4, 10), 20.0, [[0, 20]], {}),
                (short, utc(5, 10), 30.0, [[0, 30]], {}),
                # Later: outside both.
                (intro, utc(8, 10), 50.0, [[0, 50]], {}),
            ]  # fmt: skip
            for video, moment, watched, segments, extra in sessions:
                await add_session(connection, key_id, video, moment, watched, segments=segments, **extra)
            yield Data(await Database.of(connection), key)


async def ask(data: Data, endpoint: Endpoint, **raw: Any) -> dict[str, Any]:
    given = {"query": {"key": data.key}, "timeframe": DAYS, "timezone": "Europe/Berlin", **raw}
    return await answers.ANSWERS[endpoint](data.db, parse_params(given, endpoint), NOW)


async def test_whole_local_days(data: Data) -> None:
    answer = await ask(data, Endpoint.PLAYS, interval="1 day", compare="previous")
    assert answer["timeframe"] == {"from": "2024-05-05T22:00:00.000000Z", "to": "2024-05-07T21:59:59.999999Z"}
    assert answer["compare"]["timeframe"] == {
        "from": "2024-05-03T22:00:00.000000Z",
        "to": "2024-05-05T21:59:59.999999Z",
    }
    assert [(b["interval"], b["views"]) for b in answer["views"]] == [
        ("2024-05-05T22:00:00.000000Z", 4),
        ("2024-05-06T22:00:00.000000Z", 1),
    ]


async def test_plays_totals(data: Data) -> None:
    answer = await ask(data, Endpoint.PLAYS, interval="1 hour", compare="previous")
    assert answer["totals"] == {
        "views": 5,
        "total_view_time": 220.0,
        "unique_total_view_time": 220.0,
        "browser": {
            "edge": 0,
            "ie": 0,
            "chrome": 3,
            "firefox": 1,
            "opera": 0,
            "safari": 1,
            "brave": 0,
            "other": 0,
        },
        "device_type": {"mobile": 2, "tablet": 0, "desktop": 3, "other": 0},
        "platform": {"ios": 1, "android": 1, "mac": 0, "windows": 1, "linux": 2, "other": 0},
        # Sessions stored without the snippet's quality events: no impressions, no country.
        "country": {"unknown": 5},
        "impressions": 0,
        "play_rate": None,
        "completions": 0,
        "completion_rate": 0.0,
    }
    assert answer["compare"]["totals"]["views"] == 2
    assert answer["compare"]["totals"]["total_view_time"] == 50.0
    views = await ask(data, Endpoint.VIEWS, minimum_watch_seconds=0)
    assert views["totals"]["views"] == 6
    assert views["totals"]["device"] == {"mobile": 2, "tablet": 0, "desktop": 4, "other": 0}
    nothing = await ask(data, Endpoint.PLAYS, timeframe={"from": "2023-01-01", "to": "2023-01-02"})
    assert nothing["views"] == []
    assert nothing["totals"]["views"] == 0
    assert nothing["totals"]["browser"]["chrome"] == 0


async def test_plays_per_page(data: Data) -> None:
    answer = await ask(data, Endpoint.SOURCES, interval="1 hour", compare="previous")
    assert answer["pages"] == [
        {"path": A, "host": "a.example", "views": 4},
        {"path": B, "host": "b.example", "views": 1},
    ]
    assert answer["compare"]["pages"] == [{"path": A, "host": "a.example", "views": 2}]
    only_b = await ask(data, Endpoint.SOURCES, page=B)
    assert only_b["pages"] == [{"path": B, "host": "b.example", "views": 1}]


async def test_change_of_the_videos_totals(data: Data) -> None:
    answer = await ask(data, Endpoint.VIDEOS, compare="previous")
    now, then = answer["totals"], answer["compare"]["totals"]
    assert (now["plays"], now["total_view_time"], now["average_view_time"]) == (5, 220.0, 44.0)
    assert (then["plays"], then["total_view_time"], then["average_view_time"]) == (2, 50.0, 25.0)
    # Σ min(watched, duration) ÷ Σ duration: (10 + 20 + 30 + 100 + 60) / 460, then 50 / 160.
    assert now["average_percent_watched"] == pytest.approx(100 * 220 / 460)
    assert then["average_percent_watched"] == pytest.approx(100 * 50 / 160)
    assert answer["compare"]["change"] == {
        "plays": pytest.approx(150.0),
        "total_view_time": pytest.approx(340.0),
        "average_view_time": pytest.approx(76.0),
        "average_percent_watched": pytest.approx(100 * 220 / 460 - 100 * 50 / 160),
    }


async def test_no_baseline_is_no_change(data: Data) -> None:
    answer = await ask(data, Endpoint.VIDEOS, compare="year")
    assert answer["compare"]["totals"]["plays"] == 0
    assert answer["compare"]["change"] == {
        "plays": None,
        "total_view_time": None,
        "average_view_time": None,
        "average_percent_watched": None,
    }


async def test_engagement_share_of_plays_and_highlights(data: Data) -> None:
    answer = await ask(
        data, Endpoint.ENGAGEMENT, query={"key": data.key, "video": {"v": "intro"}}, ranges=10,
        minimum_watch_seconds=1, compare="previous",
    )  # fmt: skip
    ranges = answer["engagement"]
    # Plays of intro in the two days: [0, 10], [0, 20], [0, 20] + [10, 20] again, [0, 100].
    assert answer["plays"] == 4
    assert [r["viewers"] for r in ranges] == [4, 3, 1, 1, 1, 1, 1, 1, 1, 1]
    assert [r["percent_of_plays"] for r in ranges] == [100.0, 75.0, *[25.0] * 8]
    assert [r["rewatches"] for r in ranges] == [0, 1, *[0] * 8]
    assert answer["drop_off"] == {"range": 2, "viewers_lost": 2}
    assert answer["most_rewatched"] == {"range": 1, "rewatches": 1}
    # The two days before: one play of [0, 20], cut at the same length.
    assert answer["compare"]["plays"] == 1
    assert [r["viewers"] for r in answer["compare"]["engagement"]][:3] == [1, 1, 0]
    assert answer["compare"]["drop_off"] == {"range": 2, "viewers_lost": 1}
    assert answer["compare"]["most_rewatched"] is None


async def test_engagement_of_every_session_has_no_share(data: Data) -> None:
    answer = await ask(data, Endpoint.ENGAGEMENT, query={"key": data.key, "video": {"v": "intro"}}, ranges=10)
    assert [r["viewers"] for r in answer["engagement"]][:3] == [5, 3, 1]  # the 0.5 s session too
    assert all("percent_of_plays" not in r for r in answer["engagement"])
    assert "plays" not in answer
    assert answer["drop_off"] == {"range": 1, "viewers_lost": 2}  # the earliest of equal drops


async def test_engagement_without_plays(data: Data) -> None:
    answer = await ask(
        data, Endpoint.ENGAGEMENT, query={"key": data.key, "video": {"v": "intro"}}, ranges=4,
        minimum_watch_seconds=1000,
    )  # fmt: skip
    assert answer["plays"] == 0
    assert [(r["viewers"], r["percent_of_plays"]) for r in answer["engagement"]] == [(0, None)] * 4
    assert answer["drop_off"] is None
    assert answer["most_rewatched"] is None


def ranges(*counts: tuple[int, int]) -> list[RangeViewers]:
    return [
        RangeViewers(i, i * 10.0, i * 10.0 + 10, viewers, rewatches)
        for i, (viewers, rewatches) in enumerate(counts)
    ]


def test_highlights() -> None:
    assert drop_off(ranges()) is None
    assert drop_off(ranges((3, 0))) is None
    assert drop_off(ranges((1, 0), (2, 0), (2, 0))) is None  # rising or flat: no drop
    assert drop_off(ranges((5, 0), (4, 0), (6, 0), (2, 0))) == {"range": 3, "viewers_lost": 4}
    assert drop_off(ranges((5, 0), (3, 0), (1, 0))) == {"range": 1, "viewers_lost": 2}
    assert most_rewatched(ranges((5, 0), (4, 0))) is None
    assert most_rewatched(ranges((5, 2), (4, 3), (4, 3))) == {"range": 1, "rewatches": 3}


def test_change() -> None:
    assert percent_change(15, 10) == 50.0
    assert percent_change(5, 10) == -50.0
    assert percent_change(0, 10) == -100.0
    assert percent_change(10, 0) is None
    assert percent_change(None, 10) is None
    assert percent_change(10, None) is None
    assert point_change(40.0, 35.0) == 5.0
    assert point_change(None, 35.0) is None
    now = Totals(
        videos=2, plays=3, total_view_time=30.0, average_view_time=10.0, average_percent_watched=40.0
    )
    then = Totals(
        videos=1, plays=0, total_view_time=0.0, average_view_time=None, average_percent_watched=None
    )
    assert change(now, then) == {
        "plays": None,
        "total_view_time": None,
        "average_view_time": None,
        "average_percent_watched": None,
    }
    assert change(now, now) == {
        "plays": 0.0,
        "total_view_time": 0.0,
        "average_view_time": 0.0,
        "average_percent_watched": 0.0,
    }
