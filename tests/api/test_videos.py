"""/videos: every number worked out by hand, sorting, paging, search, comparison; the rollup held
to the sessions; on plain PostgreSQL and on TimescaleDB."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import astuple, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from app.api import answers, stats
from app.api.params import Endpoint, Order, Sort, VideoQuery, parse_params
from app.api.stats import Database
from app.api.stats.videos import like_pattern
from tests.api.databases import KINDS, pool_of
from tests.api.rows import add_key, add_session, add_video

DAY = timedelta(days=1)
T0 = datetime(2024, 5, 1, tzinfo=UTC)  # a Wednesday, 00:00 UTC
NOW = T0 + 10 * DAY


@dataclass
class Data:
    db: Database
    key: str


# "intro" (100 s long): plays of 10, 150 (a rewatch past the end: counts 100 s of 100 %),
# and 40 watched seconds, and a session of 0.5 s that is no play; spread over partial and
# whole days of the timeframe used below (T0 + 6 h to T0 + 5 days + 6 h).
# "long talk" (duration unknown): plays of 20 and 30 seconds.
# "50%_off\\" (60 s): one play of 60 s; its identifier holds LIKE's special characters.
# "old" (60 s): a play before the timeframe only.
INTRO = [(T0 + timedelta(hours=7), 10.0), (T0 + DAY + timedelta(hours=3), 150.0),
         (T0 + 3 * DAY, 40.0), (T0 + 5 * DAY + timedelta(hours=5), 0.5)]  # fmt: skip
TALK = [(T0 + 2 * DAY, 20.0), (T0 + 2 * DAY + timedelta(hours=1), 30.0)]
SALE = [(T0 + 4 * DAY, 60.0)]
OLD = [(T0 - 3 * DAY, 60.0)]
WINDOW = {
    "from": (T0 + timedelta(hours=6)).timestamp(),
    "to": (T0 + 5 * DAY + timedelta(hours=6)).timestamp(),
}


@pytest.fixture(scope="module", params=KINDS)
async def data(request: pytest.FixtureRequest, api_pool: asyncpg.Pool) -> AsyncIterator[Data]:
    async for pool in pool_of(request.param, api_pool, "wtapi_videos"):
        async with pool.acquire() as connection:
            key_id, key = await add_key(connection)
            for metadata, identifier, duration, plays in (
                ({"v": "intro"}, "intro", 100.0, INTRO),
                ({"v": "talk"}, "long talk", None, TALK),
                ({"v": "sale"}, "50%_off\\", 60.0, SALE),
                ({"v": "old"}, "old", 60.0, OLD),
            ):
                video = await add_video(connection, key_id, metadata, identifier, duration)
                for moment, watched in plays:
                    await add_session(connection, key_id, video, moment, watched)
            yield Data(await Database.of(connection), key)


async def ask(data: Data, **raw: Any) -> dict[str, Any]:
    params = parse_params({"query": {"key": data.key}, "timeframe": WINDOW, **raw}, Endpoint.VIDEOS)
    return await answers.videos(data.db, params, NOW)


async def test_every_number(data: Data) -> None:
    answer = await ask(data)
    assert answer["videos"] == [
        {
            "identifier": "intro", "metadata": {"v": "intro"}, "duration": 100.0, "plays": 3,
            "total_view_time": 200.0, "average_view_time": pytest.approx(200 / 3),
            # (10 + 100 + 40) / (3 * 100)
            "average_percent_watched": pytest.approx(50.0),
        },
        {
            "identifier": "long talk", "metadata": {"v": "talk"}, "duration": None, "plays": 2,
            "total_view_time": 50.0, "average_view_time": 25.0, "average_percent_watched": None,
        },
        {
            "identifier": "50%_off\\", "metadata": {"v": "sale"}, "duration": 60.0, "plays": 1,
            "total_view_time": 60.0, "average_view_time": 60.0, "average_percent_watched": 100.0,
        },
    ]  # fmt: skip
    assert answer["totals"] == {
        "videos": 3,
        "plays": 6,
        "total_view_time": 310.0,
        "average_view_time": pytest.approx(310 / 6),
        # Over the videos of known length: (150 + 60) / (300 + 60).
        "average_percent_watched": pytest.approx(100 * 210 / 360),
    }
    assert answer["next_offset"] is None
    assert answer["timezone"] == "UTC"
    assert answer["timeframe"] == {"from": "2024-05-01T06:00:00.000000Z", "to": "2024-05-06T06:00:00.000000Z"}


async def test_a_video_with_sessions_but_no_play_is_listed(data: Data) -> None:
    answer = await ask(data, minimum_watch_seconds="45 seconds")
    assert [(v["identifier"], v["plays"], v["average_view_time"]) for v in answer["videos"]] == [
        ("intro", 1, 150.0),
        ("50%_off\\", 1, 60.0),
        ("long talk", 0, None),
    ]


@pytest.mark.parametrize(
    ("sort", "order", "expected"),
    [
        ("plays", None, ["intro", "long talk", "50%_off\\"]),
        ("plays", "asc", ["50%_off\\", "long talk", "intro"]),
        ("total_view_time", None, ["intro", "50%_off\\", "long talk"]),
        ("average_view_time", None, ["intro", "50%_off\\", "long talk"]),
        ("average_percent_watched", None, ["50%_off\\", "intro", "long talk"]),  # nulls last
        ("average_percent_watched", "asc", ["intro", "50%_off\\", "long talk"]),
        ("duration", None, ["intro", "50%_off\\", "long talk"]),
        ("identifier", None, ["50%_off\\", "intro", "long talk"]),
        ("identifier", "desc", ["long talk", "intro", "50%_off\\"]),
    ],
)
async def test_sorted(data: Data, sort: str, order: str | None, expected: list[str]) -> None:
    raw = {"sort": sort} | ({"order": order} if order else {})
    assert [v["identifier"] for v in (await ask(data, **raw))["videos"]] == expected


async def test_pages(data: Data) -> None:
    first = await ask(data, limit=2)
    assert [v["identifier"] for v in first["videos"]] == ["intro", "long talk"]
    assert first["next_offset"] == 2
    second = await ask(data, limit=2, offset=first["next_offset"])
    assert [v["identifier"] for v in second["videos"]] == ["50%_off\\"]
    assert second["next_offset"] is None
    past = await ask(data, offset=10)
    assert past["videos"] == []
    assert past["totals"]["videos"] == 3  # the totals are of the whole list, whatever the page


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("INTRO", ["intro"]),
        ("o", ["intro", "long talk", "50%_off\\"]),
        ("%", ["50%_off\\"]),  # a percent sign matches itself, not anything
        ("_", ["50%_off\\"]),
        ("\\", ["50%_off\\"]),
        ("0%_O", ["50%_off\\"]),
        ("old", []),  # its only play is before the timeframe
        ("", ["intro", "long talk", "50%_off\\"]),
    ],
)
async def test_search(data: Data, search: str, expected: list[str]) -> None:
    answer = await ask(data, search=search)
    assert [v["identifier"] for v in answer["videos"]] == expected
    assert answer["totals"]["videos"] == len(expected)


def test_like_pattern() -> None:
    assert like_pattern("50%_off\\") == "%50\\%\\_off\\\\%"


async def test_compare_lists_the_same_videos(data: Data) -> None:
    answer = await ask(data, compare="previous", limit=2)
    compared = answer["compare"]
    # The five days before: only "old" played then, which is not on the page.
    assert compared["timeframe"] == {
        "from": "2024-04-26T06:00:00.000000Z",
        "to": "2024-05-01T05:59:59.999999Z",
    }
    assert [(v["identifier"], v["plays"], v["total_view_time"]) for v in compared["videos"]] == [
        ("intro", 0, 0.0),
        ("long talk", 0, 0.0),
    ]
    assert compared["totals"]["videos"] == 1
    assert compared["totals"]["plays"] == 1


WINDOWS = [
    (T0, T0 + 10 * DAY),
    (T0 + timedelta(hours=6), T0 + 5 * DAY + timedelta(hours=6)),
    (T0 + DAY + timedelta(hours=3), T0 + 3 * DAY),  # starts exactly on a play, ends on another
    (T0 + timedelta(hours=1), T0 + timedelta(hours=20)),  # no whole day
]


async def test_the_rollup_equals_the_sessions(data: Data) -> None:
    connection = data.db.connection
    for (start, end), minimum, sort in itertools.product(WINDOWS, [0, 1, 10, 30, 2.5], Sort):
        scope = await stats.scope_for(connection, VideoQuery(key=data.key), start, end)
        assert scope is not None
        kwargs: dict[str, Any] = {"sort": sort, "order": Order.DESC}
        rolled = await stats.videos(connection, scope, minimum, **kwargs)
        raw = await stats.videos(connection, scope, minimum, use_rollup=False, **kwargs)
        assert same(rolled, raw), (start, end, minimum, sort)


async def test_checkpoints_and_deletes_keep_the_rollup_exact(data: Data) -> None:
    connection = data.db.connection
    key_id = await connection.fetchval("SELECT id FROM keys WHERE key = $1", data.key)
    video = await add_video(connection, key_id, {"v": "rewritten"}, "rewritten", 30.0)
    session = await add_session(connection, key_id, video, T0 + 2 * DAY, 10.0)
    gone = await add_session(connection, key_id, video, T0 + 2 * DAY, 50.0)
    # A checkpoint rewritten as final with more watched, and a retention delete.
    await connection.execute("UPDATE sessions SET watched = 25, unique_watched = 25 WHERE id = $1", session)
    await connection.execute("DELETE FROM sessions WHERE id = $1", gone)
    answer = await ask(data, search="rewritten")
    [row] = answer["videos"]
    assert (row["plays"], row["total_view_time"], row["average_percent_watched"]) == (
        1,
        25.0,
        pytest.approx(25 / 30 * 100),
    )
    # A player reports a shorter duration later: the day's capped sum is read from its sessions.
    await connection.execute("UPDATE videos SET duration = 20 WHERE id = $1", video)
    [row] = (await ask(data, search="rewritten"))["videos"]
    assert row["average_percent_watched"] == 100.0
    for start, end in WINDOWS:
        scope = await stats.scope_for(connection, VideoQuery(key=data.key), start, end)
        assert scope is not None
        for minimum in (0, 1, 30):
            rolled = await stats.videos(connection, scope, minimum)
            assert same(rolled, await stats.videos(connection, scope, minimum, use_rollup=False))


def same(rolled: stats.VideoList, raw: stats.VideoList) -> bool:
    """Equal, the sums of seconds to within rounding (the rollup adds them in another order)."""

    def numbers(listing: stats.VideoList) -> list[Any]:
        return [astuple(row) for row in listing.rows] + [astuple(listing.totals)]

    for a, b in zip(numbers(rolled), numbers(raw), strict=True):
        for x, y in zip(a, b, strict=True):
            if x != (pytest.approx(y) if isinstance(y, float) else y):
                return False
    return len(rolled.rows) == len(raw.rows)
