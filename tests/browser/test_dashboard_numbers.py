"""Every number on the overview and a video's page is the API's answer for the same URL state; the
change against the week before is right; the time zone moves the day boundaries; every CSV
download holds exactly its table."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.browser.dashboard import (
    ALPHA,
    BETA,
    BOUNDARY,
    SHOP,
    Dashboard,
    api_params,
    cards,
    downloaded_csv,
    number,
    ready,
    same_cell,
    table,
    week,
)


async def open_view(owner: Any, dashboard: Dashboard, path: str, state: dict[str, Any]) -> Any:
    page = await owner.new_page()
    await page.goto(dashboard.url(path, **state))
    await ready(page)
    return page


async def show_table(page: Any, chart: str) -> None:
    await page.click(f'[data-show-table="{chart}"]')
    await page.wait_for_selector(f'table[data-table="{chart}-table"]')
    await ready(page)


def as_values(values: list[Any]) -> list[str]:
    """API values as the table's data attributes hold them."""
    return [
        "" if v is None else json.dumps(v, separators=(",", ":")) if isinstance(v, dict) else str(v)
        for v in values
    ]


def assert_rows(shown: list[list[str]], expected: list[list[Any]]) -> None:
    assert len(shown) == len(expected), (shown, expected)
    for row, wanted in zip(shown, expected, strict=True):
        for cell, value in zip(row, as_values(wanted), strict=True):
            assert same_cell(cell, value), (row, wanted)


async def test_overview_numbers_equal_the_api(owner: Any, dashboard: Dashboard) -> None:
    state = week(dashboard)
    page = await open_view(owner, dashboard, "/", state)
    params = api_params(state)
    videos = await dashboard.api("videos", **params, compare="previous", limit=10)
    plays = await dashboard.api("plays", **params, interval="1 day", compare="previous")
    sources = await dashboard.api("sources", **params, interval="12 months")
    watching = await dashboard.api("watching", query=params["query"], timezone="Europe/Berlin")

    shown = await cards(page)
    for name in ("plays", "total_view_time", "average_view_time", "average_percent_watched"):
        assert number(shown[name]["value"]) == pytest.approx(videos["totals"][name]), name
        assert number(shown[name]["change"]) == pytest.approx(videos["compare"]["change"][name]), name
    assert number(shown["watching"]["value"]) == watching["watching"]
    assert shown["watching"]["change_text"].startswith("—")  # no baseline for a live count
    # Formatted for the eye, in the browser's locale (en-US here).
    assert shown["plays"]["text"] == "4"
    assert shown["total_view_time"]["text"] == "3 min 50 sec"
    assert shown["average_percent_watched"]["text"] == "63.9%"

    columns, rows = await table(page, "videos")
    assert columns == ["identifier", "plays"]
    assert_rows(rows, [[v["identifier"], v["plays"]] for v in videos["videos"]])
    columns, rows = await table(page, "pages")
    assert_rows(rows, [[p["path"], p["views"]] for p in sources["pages"]])
    for breakdown, field in (("browser", "browser"), ("device", "device_type"), ("platform", "platform")):
        columns, rows = await table(page, breakdown)
        counts = sorted(((n, c) for n, c in plays["totals"][field].items() if c), key=lambda item: -item[1])
        assert sorted(map(tuple, rows)) == sorted((n, str(c)) for n, c in counts), breakdown

    await show_table(page, "plays-chart")
    columns, rows = await table(page, "plays-chart-table")
    assert columns == ["interval", "views", "total_view_time", "compare_interval", "compare_views"]
    main = {row[0]: row for row in rows if row[0]}
    assert {k: (number(r[1]), number(r[2])) for k, r in main.items()} == {
        b["interval"]: (b["views"], b["total_view_time"]) for b in plays["views"]
    }
    compared = {row[3]: number(row[4]) for row in rows if row[3]}
    assert compared == {b["interval"]: b["views"] for b in plays["compare"]["views"]}
    await page.close()


async def test_the_change_against_the_week_before(owner: Any, dashboard: Dashboard) -> None:
    """Worked out by hand from what was recorded: 4 plays (230 s) after 2 (60 s)."""
    page = await open_view(owner, dashboard, "/", week(dashboard))
    shown = await cards(page)
    assert number(shown["plays"]["change"]) == pytest.approx(100.0)
    assert shown["plays"]["change_text"].startswith("+100%")
    assert number(shown["total_view_time"]["change"]) == pytest.approx((230 - 60) / 60 * 100)
    assert number(shown["average_view_time"]["change"]) == pytest.approx((57.5 - 30) / 30 * 100)
    # Percentage points: 230 of 360 s of video after 60 of 160.
    points = 100 * 230 / 360 - 100 * 60 / 160
    assert number(shown["average_percent_watched"]["change"]) == pytest.approx(points)
    assert shown["average_percent_watched"]["change_text"].startswith(f"+{points:.1f} pp")
    # A year earlier there was nothing: no baseline, no change.
    await page.goto(dashboard.url("/", **week(dashboard, compare="year")))
    await ready(page)
    shown = await cards(page)
    assert shown["plays"]["change"] == ""
    assert shown["plays"]["change_text"].startswith("—")
    await page.close()


async def test_video_page_numbers_equal_the_api(owner: Any, dashboard: Dashboard) -> None:
    state = week(dashboard, video=json.dumps(ALPHA))
    page = await open_view(owner, dashboard, "/video", state)
    params = api_params(state)
    videos = await dashboard.api("videos", **params, compare="previous", limit=5)
    engagement = await dashboard.api("engagement", **params, compare="previous", ranges=50)
    sources = await dashboard.api("sources", **params, interval="12 months")
    watching = await dashboard.api(
        "watching", query=params["query"], timezone="Europe/Berlin", timeframe=params["timeframe"]
    )
    assert await page.text_content("h1") == "Alpha"
    shown = await cards(page)
    for name in ("plays", "total_view_time", "average_view_time", "average_percent_watched"):
        assert number(shown[name]["value"]) == pytest.approx(videos["totals"][name]), name
        assert number(shown[name]["change"]) == pytest.approx(videos["compare"]["change"][name]), name
    assert shown["plays"]["value"] == "3"
    peak = watching["peak"]
    assert number(shown["peak"]["value"]) == (None if peak is None else peak["watching"])
    assert number(shown["watching"]["value"]) == watching["watching"]

    columns, rows = await table(page, "pages")
    assert_rows(rows, [[p["path"], p["views"]] for p in sources["pages"]])
    assert rows[0][0] == SHOP

    await show_table(page, "engagement-chart")
    columns, rows = await table(page, "engagement-chart-table")
    assert columns == [
        "range", "range_from", "range_to", "viewers", "percent_of_plays", "retention", "rewatches",
        "compare_viewers", "compare_percent_of_plays",
    ]  # fmt: skip
    then = engagement["compare"]["engagement"]
    assert_rows(
        rows,
        [
            [r["range"], r["range_time"]["from"], r["range_time"]["to"], r["viewers"], r["percent_of_plays"],
             r["retention"], r["rewatches"], t["viewers"], t["percent_of_plays"]]
            for r, t in zip(engagement["engagement"], then, strict=True)
        ],
    )  # fmt: skip
    # The table names the ranges the API marked.
    first = await page.eval_on_selector_all(
        "table[data-table='engagement-chart-table'] tbody td:first-child",
        "cells => cells.map(c => c.textContent)",
    )
    assert "most re-watched" in first[engagement["most_rewatched"]["range"]]
    assert "biggest drop-off" in first[engagement["drop_off"]["range"]]
    await page.close()


async def test_the_marks_on_the_engagement_curve(owner: Any, dashboard: Dashboard) -> None:
    state = week(dashboard, video=json.dumps(ALPHA))
    page = await open_view(owner, dashboard, "/video", state)
    engagement = await dashboard.api("engagement", **api_params(state), compare="previous", ranges=50)
    drop = engagement["drop_off"]
    again = engagement["most_rewatched"]
    # Alpha's plays reach 40 s, 20 s and 100 s: the most viewers leave at 20 s, 10-20 s was rewatched.
    assert engagement["engagement"][drop["range"]]["range_time"]["from"] == 20.0
    assert drop["viewers_lost"] == 1
    assert again == {"range": 5, "rewatches": 1}
    assert "0:20\u20130:22" in await page.text_content("[data-mark='drop_off']")
    assert "1 viewer fewer" in await page.text_content("[data-mark='drop_off']")
    assert "0:10\u20130:12" in await page.text_content("[data-mark='most_rewatched']")
    await page.close()


@pytest.mark.parametrize(
    ("zone", "bucket", "plays"),
    [("UTC", "2024-05-07T00:00:00.000000Z", 2), ("Europe/Berlin", "2024-05-07T22:00:00.000000Z", 1)],
)
async def test_the_time_zone_moves_the_day_boundaries(
    owner: Any, dashboard: Dashboard, zone: str, bucket: str, plays: int
) -> None:
    """The Safari play at 22:30 UTC on Tuesday is Tuesday's in UTC (with the Firefox play at noon)
    and Wednesday's, alone, in Berlin."""
    state = week(dashboard, zone, video=json.dumps(ALPHA), compare="off", show="plays-chart")
    page = await open_view(owner, dashboard, "/", state)
    _, rows = await table(page, "plays-chart-table")
    answer = await dashboard.api("plays", **api_params(state), interval="1 day")
    assert [(row[0], number(row[1])) for row in rows] == [
        (b["interval"], b["views"]) for b in answer["views"]
    ]
    assert BOUNDARY.isoformat().startswith("2024-05-07T22:30")
    assert number({row[0]: row for row in rows}[bucket][1]) == plays
    # The day's label is the zone's calendar day.
    label = await page.text_content(f'td[data-value="{bucket}"]')
    assert ("Wed, May 8" if zone == "Europe/Berlin" else "Tue, May 7") in (label or "")
    await page.close()


async def test_switching_the_time_zone_in_the_page(owner: Any, dashboard: Dashboard) -> None:
    state = week(dashboard, "UTC", compare="off", show="plays-chart")
    page = await open_view(owner, dashboard, "/", state)
    before = [row[0] for row in (await table(page, "plays-chart-table"))[1]]
    await page.select_option("select[name='tz']", "Europe/Berlin")
    await page.wait_for_url("**tz=Europe%2FBerlin**")
    await ready(page)
    after = [row[0] for row in (await table(page, "plays-chart-table"))[1]]
    assert all(bucket.endswith("T00:00:00.000000Z") for bucket in before), before
    assert all(bucket.endswith("T22:00:00.000000Z") for bucket in after), after
    await page.go_back()
    await page.wait_for_url("**tz=UTC**")
    await ready(page)
    assert [row[0] for row in (await table(page, "plays-chart-table"))[1]] == before
    await page.close()


async def assert_downloads_equal_tables(page: Any) -> int:
    checked = 0
    for table_id in await page.eval_on_selector_all(
        "table[data-table]", "ts => ts.map(t => t.dataset.table)"
    ):
        columns, rows = await table(page, table_id)
        header, written = await downloaded_csv(page, f'[data-csv="{table_id}"]')
        assert header == columns, table_id
        assert len(written) == len(rows), table_id
        for shown, row in zip(rows, written, strict=True):
            assert all(same_cell(a, b) for a, b in zip(shown, row, strict=True)), (table_id, shown, row)
        checked += 1
    return checked


async def test_each_csv_download_equals_its_table(owner: Any, dashboard: Dashboard) -> None:
    page = await open_view(owner, dashboard, "/", week(dashboard, show="plays-chart"))
    assert await assert_downloads_equal_tables(page) == 6  # the chart's, videos, pages, 3 breakdowns
    state = week(dashboard, video=json.dumps(BETA), show="plays-chart,engagement-chart")
    await page.goto(dashboard.url("/video", **state))
    await ready(page)
    assert await assert_downloads_equal_tables(page) == 6  # two charts', pages, 3 breakdowns
    await page.goto(dashboard.url("/videos", **week(dashboard)))
    await ready(page)
    assert await assert_downloads_equal_tables(page) == 1
    await page.close()
