"""/api/v1/errors on the quality site (tests/api/quality_site.py): E failed with a media error
before its first frame; F (edge) and H (firefox, before any play) met the same hls.js error,
whose message the server stored without its number and address."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

import httpx

from tests.api.quality_site import DAY1, HLS_GROUP, MEDIA_GROUP, WINDOW, QualitySite

BROWSERS = ("edge", "ie", "chrome", "firefox", "opera", "safari", "brave", "other")


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def browsers(**counts: int) -> dict[str, int]:
    return {name: counts.get(name, 0) for name in BROWSERS}


async def test_groups_most_sessions_first(quality_site: QualitySite) -> None:
    q = quality_site
    answer = await q.ask("errors", timeframe=WINDOW)
    [hls, media] = answer["errors"]
    assert (hls["code"], hls["message"]) == HLS_GROUP
    assert len(hls["fingerprint"]) == 16
    assert hls | {"fingerprint": None} == {
        "fingerprint": None,
        "code": "hls:fragLoadError",
        "message": "HTTP Error <n> for <url>",
        "sessions": 2,
        "first_seen": iso(q.started["F"]),
        "last_seen": iso(q.started["H"]),
        "browser": browsers(edge=1, firefox=1),
    }
    assert (media["code"], media["message"], media["sessions"]) == (*MEDIA_GROUP, 1)
    assert media["first_seen"] == media["last_seen"] == iso(q.started["E"])
    assert media["browser"] == browsers(chrome=1)
    assert answer["totals"] == {"groups": 2, "sessions": 3}
    assert answer["next_offset"] is None
    assert list(answer) == ["errors", "totals", "next_offset", "timezone", "timeframe"]
    # The same sessions asked by their video; and the groups' rows as the writer stored them.
    assert (await q.ask("errors", query={"video": {"clip": q.run}}, timeframe=WINDOW))["errors"] == answer[
        "errors"
    ]


async def test_pages_filters_and_timeframes(quality_site: QualitySite) -> None:
    q = quality_site
    first = await q.ask("errors", timeframe=WINDOW, limit=1)
    assert [g["code"] for g in first["errors"]] == ["hls:fragLoadError"] and first["next_offset"] == 1
    second = await q.ask("errors", timeframe=WINDOW, limit=1, offset=1)
    assert [g["code"] for g in second["errors"]] == ["4"] and second["next_offset"] is None
    past = await q.ask("errors", timeframe=WINDOW, offset=5)
    assert past["errors"] == [] and past["totals"] == {"groups": 2, "sessions": 3}
    firefox = await q.ask("errors", timeframe=WINDOW, browser="firefox")
    assert [(g["code"], g["sessions"], g["first_seen"]) for g in firefox["errors"]] == [
        ("hls:fragLoadError", 1, iso(q.started["H"]))
    ]
    assert (await q.ask("errors", timeframe=WINDOW, country="unknown"))["totals"]["sessions"] == 3
    day1 = await q.ask("errors", timeframe={"from": DAY1.timestamp() - 60, "to": DAY1.timestamp() + 3600})
    assert day1["errors"] == [] and day1["totals"] == {"groups": 0, "sessions": 0}


async def test_compared_with_a_period_without_them(quality_site: QualitySite) -> None:
    q = quality_site
    answer = await q.ask("errors", timeframe=WINDOW, compare="previous")
    compared = answer["compare"]
    assert compared["timeframe"] == {
        "from": "2024-04-28T00:00:00.000000Z",
        "to": "2024-04-30T23:59:59.999999Z",
    }
    # The page's groups, in its order, with what they were then: nothing.
    assert [(g["fingerprint"], g["sessions"], g["first_seen"], g["browser"]) for g in compared["errors"]] == [
        (g["fingerprint"], 0, None, browsers()) for g in answer["errors"]
    ]
    assert compared["totals"] == {"groups": 0, "sessions": 0}
    # Compared the other way round: the later period's groups against the window.
    later = {"from": WINDOW["to"] + 1, "to": WINDOW["to"] + 3 * 86400}
    back = await q.ask("errors", timeframe=later, compare="previous")
    assert back["errors"] == [] and back["compare"]["errors"] == []
    assert back["compare"]["totals"] == {"groups": 2, "sessions": 3}  # totals are of every group


async def test_csv_and_refusals(quality_site: QualitySite) -> None:
    q = quality_site
    params = {"query": json.dumps({"key": q.key}), "timeframe": json.dumps(WINDOW), "format": "csv"}
    async with httpx.AsyncClient(base_url=q.server.base_url) as client:
        response = await client.get("/api/v1/errors", params=params)
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["fingerprint", "code", "message", "sessions", "first_seen", "last_seen"] + [
        f"browser_{b}" for b in BROWSERS
    ]
    answer = await q.ask("errors", timeframe=WINDOW)
    assert rows[1:] == [
        [g["fingerprint"], g["code"], g["message"], str(g["sessions"]), g["first_seen"], g["last_seen"]]
        + [str(g["browser"][b]) for b in BROWSERS]
        for g in answer["errors"]
    ]
    for params_, parameter in (
        ({"query": {"key": q.key}, "interval": "1 day"}, "interval"),
        ({"query": {"key": q.key}, "limit": 0}, "limit"),
        ({"query": {"key": q.key}, "limit": 1001}, "limit"),
        ({"query": {"key": q.key}, "offset": -1}, "offset"),
        ({"query": {"key": q.key}, "offset": 1_000_001}, "offset"),
        ({"query": {"key": q.key}, "minimum_watch_seconds": 1}, "minimum_watch_seconds"),
    ):
        assert await q.refused("errors", **params_) == (400, parameter), params_
    assert (await q.ask("errors", limit=1000))["next_offset"] is None
    last = await q.ask("errors", timeframe=WINDOW, offset=1_000_000)
    assert last["errors"] == [] and last["totals"] == {"groups": 2, "sessions": 3}
