"""/api/v1/qoe on a running server, with sessions recorded through the websocket with quality
events (tests/api/quality_site.py has the table), every figure worked out by hand below."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import httpx
import pytest

from tests.api.quality_site import WINDOW, QualitySite

FIGURES = (
    "sessions", "startup_time_p50", "startup_time_p95", "rebuffer_percentage", "rebuffer_frequency",
    "rebuffered_sessions_percentage", "playback_failure_percentage", "startup_failure_percentage",
    "exits_before_start_percentage", "seek_latency", "average_bitrate",
)  # fmt: skip
NOTHING = dict.fromkeys(FIGURES) | {"sessions": 0}


def figures(*values: Any) -> dict[str, Any]:
    return {
        name: pytest.approx(value) if isinstance(value, float) else value
        for name, value in zip(FIGURES, values, strict=True)
    }


# Day 1: A, B, C, D are views. Started: A 0.2, B 0.1, C 0.2 s: sorted 0.1, 0.2, 0.2; p50 is the
# 2nd (ceil(0.5 x 3)), p95 the 3rd. Watch time 0.8 + 0.6 + 0.4 + 0.5 = 2.3 s; stalls A 1 (0.1 s)
# and C 2 (0.1 s): 0.2 / 2.3 = 8.70 %, 3 per 2.3 / 60 minutes; A and C rebuffered (2 of 4); D
# gave up (1 of 4); seeks 0.3 + 0.2 s over 3; bitrate (1 M x 0.5 + 3 M x 0.5) / (0.5 + 0.5).
DAY1 = figures(4, 0.2, 0.2, 100 * 0.2 / 2.3, 3 * 60 / 2.3, 50.0, 0.0, 0.0, 25.0, 0.5 / 3, 2_000_000.0)
# Day 2: E and F are views (G never played, H failed before any play, I sent no quality events).
# Only F started (0.3 s); watch 0.3 + 0.6; both failed, E before its first frame.
DAY2 = figures(2, 0.3, 0.3, 0.0, 0.0, 0.0, 100.0, 50.0, 0.0, None, None)
# Both days in one bucket: started 0.1, 0.2, 0.2, 0.3: p50 the 2nd, p95 the 4th (ceil(3.8)).
BOTH = figures(
    6, 0.2, 0.3, 100 * 0.2 / 3.2, 3 * 60 / 3.2, 100 * 2 / 6, 100 * 2 / 6, 100 / 6, 100 / 6, 0.5 / 3, 2e6
)


def totals(bucket: dict[str, Any]) -> dict[str, Any]:
    return {name: bucket[name] for name in FIGURES}


async def test_per_day(quality_site: QualitySite) -> None:
    quality = quality_site
    answer = await quality.ask("qoe", query={"key": quality.key}, timeframe=WINDOW, interval="1 day")
    assert [bucket["interval"] for bucket in answer["qoe"]] == [
        "2024-05-01T00:00:00.000000Z",
        "2024-05-02T00:00:00.000000Z",
    ]
    day1, day2 = answer["qoe"]
    assert totals(day1) == DAY1
    assert totals(day2) == DAY2
    assert list(answer) == ["qoe", "timezone", "timeframe"]
    assert list(day1) == ["interval", *FIGURES, "browser", "device_type", "platform"]


async def test_the_split_by_browser_device_and_platform(quality_site: QualitySite) -> None:
    quality = quality_site
    answer = await quality.ask("qoe", query={"key": quality.key}, timeframe=WINDOW, interval="1 day")
    day1, day2 = answer["qoe"]
    assert list(day1["browser"]) == ["edge", "ie", "chrome", "firefox", "opera", "safari", "brave", "other"]
    assert list(day1["device_type"]) == ["mobile", "tablet", "desktop", "other"]
    assert list(day1["platform"]) == ["ios", "android", "mac", "windows", "linux", "other"]
    # Chrome on day 1: A (desktop) and D (mobile, gave up). Watch 0.8 + 0.5, A's one stall.
    assert day1["browser"]["chrome"] == figures(
        2, 0.2, 0.2, 100 * 0.1 / 1.3, 60 / 1.3, 50.0, 0.0, 0.0, 50.0, 0.15, 1e6
    )
    assert day1["browser"]["firefox"] == figures(1, 0.1, 0.1, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, None, 3e6)  # B
    # C on an iPhone: two stalls of 0.1 s in 0.4 s, one seek of 0.2 s, no bitrate (a plain <video>).
    assert day1["browser"]["safari"] == figures(1, 0.2, 0.2, 25.0, 300.0, 100.0, 0.0, 0.0, 0.0, 0.2, None)
    assert day1["browser"]["edge"] == NOTHING
    # Mobile: C and D; android: D alone, who never saw a frame.
    assert day1["device_type"]["mobile"] == figures(
        2, 0.2, 0.2, 100 * 0.1 / 0.9, 120 / 0.9, 50.0, 0.0, 0.0, 50.0, 0.2, None
    )
    assert day1["platform"]["android"] == figures(1, None, None, 0.0, 0.0, 0.0, 0.0, 0.0, 100.0, None, None)
    assert day1["device_type"]["desktop"] == figures(
        2, 0.1, 0.2, 100 * 0.1 / 1.4, 60 / 1.4, 50.0, 0.0, 0.0, 0.0, 0.15, 2e6
    )
    # Day 2: E (chrome, failed at startup) and F (edge, failed while playing).
    assert day2["browser"]["chrome"] == figures(1, None, None, 0.0, 0.0, 0.0, 100.0, 100.0, 0.0, None, None)
    assert day2["browser"]["edge"] == figures(1, 0.3, 0.3, 0.0, 0.0, 0.0, 100.0, 0.0, 0.0, None, None)
    assert day2["platform"]["windows"] == day2["browser"]["edge"]
    assert day2["browser"]["firefox"] == NOTHING  # H failed before any play: no view


async def test_one_bucket_and_the_sessions_path(quality_site: QualitySite) -> None:
    quality = quality_site
    by_key = await quality.ask("qoe", query={"key": quality.key}, timeframe=WINDOW)
    assert [totals(bucket) for bucket in by_key["qoe"]] == [BOTH]
    # The same views asked by their video's metadata are read from the sessions (no rollup).
    by_video = await quality.ask("qoe", query={"video": {"clip": quality.run}}, timeframe=WINDOW)
    assert by_video["qoe"] == by_key["qoe"]


async def test_filters_compare_and_time_zones(quality_site: QualitySite) -> None:
    quality = quality_site
    key = {"key": quality.key}
    chrome = await quality.ask("qoe", query=key, timeframe=WINDOW, interval="1 day", browser="chrome")
    per_day = await quality.ask("qoe", query=key, timeframe=WINDOW, interval="1 day")
    assert [totals(b) for b in chrome["qoe"]] == [b["browser"]["chrome"] for b in per_day["qoe"]]
    mobile = await quality.ask("qoe", query=key, timeframe=WINDOW, interval="12 months", device="mobile")
    assert mobile["qoe"][0]["browser"]["safari"]["sessions"] == 1  # C, and D in chrome
    assert mobile["qoe"][0]["sessions"] == 2
    assert (await quality.ask("qoe", query=key, timeframe=WINDOW, country="DE"))["qoe"] == []
    # Compared with the three days before: nothing then.
    compared = await quality.ask("qoe", query=key, timeframe=WINDOW, compare="previous")
    assert (
        compared["compare"]["qoe"] == []
        and compared["compare"]["timeframe"]["to"] == "2024-04-30T23:59:59.999999Z"
    )
    # In Los Angeles (UTC-7), D (10:30 UTC) is still on 1 May, E to I (18:34 UTC) too.
    zoned = await quality.ask(
        "qoe", query=key, timeframe=WINDOW, interval="1 day", timezone="America/Los_Angeles"
    )
    assert [(b["interval"], b["sessions"]) for b in zoned["qoe"]] == [
        ("2024-05-01T07:00:00.000000Z", 4),
        ("2024-05-02T07:00:00.000000Z", 2),
    ]
    # Hours: A, B, C at 10:10 and D at 10:30 are one hour, E and F another.
    hours = await quality.ask("qoe", query=key, timeframe=WINDOW, interval="1 hour")
    assert [(b["interval"], b["sessions"]) for b in hours["qoe"]] == [
        ("2024-05-01T10:00:00.000000Z", 4),
        ("2024-05-02T18:00:00.000000Z", 2),
    ]
    assert totals(hours["qoe"][0]) == DAY1


async def test_csv_holds_every_figure(quality_site: QualitySite) -> None:
    quality = quality_site
    params = {"query": json.dumps({"key": quality.key}), "timeframe": json.dumps(WINDOW), "interval": "1 day"}
    async with httpx.AsyncClient(base_url=quality.server.base_url, timeout=60) as client:
        answer = (await client.get("/api/v1/qoe", params=params)).json()
        response = await client.get("/api/v1/qoe", params={**params, "format": "csv"})
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "video-metrics_qoe_key-" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][: len(FIGURES) + 2] == ["interval", *FIGURES, f"browser_edge_{FIGURES[0]}"]
    assert len(rows[0]) == 1 + len(FIGURES) * 19
    for row, bucket in zip(rows[1:], answer["qoe"], strict=True):
        cells = dict(zip(rows[0], row, strict=True))
        assert cells["interval"] == bucket["interval"]
        for name in FIGURES:
            assert cells[name] == ("" if bucket[name] is None else json.dumps(bucket[name]))
            assert cells[f"platform_android_{name}"] == (
                ""
                if bucket["platform"]["android"][name] is None
                else json.dumps(bucket["platform"]["android"][name])
            )


async def test_refusals_name_the_parameter(quality_site: QualitySite) -> None:
    quality = quality_site
    for params, parameter in (
        ({"query": {"key": quality.key}, "minimum_watch_seconds": 3}, "minimum_watch_seconds"),
        ({"query": {"key": quality.key}, "ranges": 3}, "ranges"),
        ({"query": {"key": quality.key}, "interval": "1 fortnight"}, "interval"),
        ({"query": {"key": quality.key}, "country": "Germany"}, "country"),
        ({"timeframe": "7 days"}, "query"),
    ):
        assert await quality.refused("qoe", **params) == (400, parameter), params
    nothing = await quality.ask("qoe", query={"key": "no-such-key"})
    assert nothing["qoe"] == []
