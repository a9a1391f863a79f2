"""The Quality page, and the completion, play-rate and retention numbers of the overview and a
video's page, show exactly what the API answers for the same URL state, on the quality site
(tests/api/quality_site.py: views with startup, stalls, failures and exits, two error groups, one
session from the published client) recorded on the dashboard tests' server; without quality data
the page says why."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api.quality_site import HLS_GROUP, MEDIA_GROUP, QualitySite
from tests.browser.dashboard import Dashboard, cards, downloaded_csv, number, ready, same_cell, table, week
from tests.browser.test_dashboard_numbers import as_values, assert_rows, open_view, show_table

# The site's two days (1 and 2 May 2024) and the day after, on UTC's calendar, by day.
DAYS = {"range": "custom", "from": "2024-05-01", "to": "2024-05-03", "tz": "UTC", "interval": "day"}
FIGURES = [
    "sessions",
    "startup_time_p50",
    "startup_time_p95",
    "rebuffer_percentage",
    "rebuffered_sessions_percentage",
    "playback_failure_percentage",
    "startup_failure_percentage",
    "exits_before_start_percentage",
    "average_bitrate",
]


def state_of(site: QualitySite, **more: Any) -> dict[str, Any]:
    return {"key": site.key, **DAYS, "min": "1", "compare": "previous", **more}


def quality_params(site: QualitySite) -> dict[str, Any]:
    return {
        "query": {"key": site.key},
        "timezone": "UTC",
        "timeframe": {"from": DAYS["from"], "to": DAYS["to"]},
        "compare": "previous",
    }


async def then_values(page: Any) -> dict[str, str]:
    """Each card's comparison-period figure, as its data attribute holds it."""
    found: dict[str, str] = await page.eval_on_selector_all(
        ".card:has(.card-then)",
        """cards => Object.fromEntries(
            cards.map(c => [c.dataset.metric, c.querySelector('.card-then').dataset.value]))""",
    )
    return found


async def test_quality_numbers_equal_the_api(
    owner: Any, dashboard: Dashboard, quality_dashboard: QualitySite
) -> None:
    site = quality_dashboard
    page = await open_view(owner, dashboard, "/quality", state_of(site))
    params = quality_params(site)
    whole = await dashboard.api("qoe", **params, interval="100 years")
    daily = await dashboard.api("qoe", **params, interval="1 day")
    errors = await dashboard.api("errors", **params, limit=50)

    # The whole period in one bucket is the period: its views are the days' views added up.
    period = whole["qoe"][0]
    assert len(whole["qoe"]) == 1
    assert period["sessions"] == sum(bucket["sessions"] for bucket in daily["qoe"]) == 6
    shown = await cards(page)
    for name in FIGURES:
        assert number(shown[name]["value"]) == pytest.approx(period[name]), name
    # Worked out by hand (tests/api/quality_site.py): of the 6 views, E failed before its first
    # frame, F after it, D gave up; A and C stalled.
    assert shown["sessions"]["text"] == "6"
    assert shown["startup_failure_percentage"]["text"] == "16.7%"
    assert shown["playback_failure_percentage"]["text"] == "33.3%"
    assert shown["exits_before_start_percentage"]["text"] == "16.7%"
    assert shown["rebuffered_sessions_percentage"]["text"] == "33.3%"
    # The days before had no views: the comparison figures are the API's nothing.
    assert whole["compare"]["qoe"] == []
    then = await then_values(page)
    assert then["sessions"] == "" and then["startup_time_p50"] == ""

    for breakdown, field in (("browser", "browser"), ("device", "device_type"), ("platform", "platform")):
        columns, rows = await table(page, f"quality-{breakdown}")
        assert columns[:3] == [breakdown, "sessions", "startup_time_p50"]
        expected = sorted(name for name, figures in period[field].items() if figures["sessions"])
        assert sorted(row[0] for row in rows) == expected, breakdown
        for row in rows:
            figures = period[field][row[0]]
            assert_rows([row[1:]], [[figures[column] for column in columns[1:]]])

    columns, rows = await table(page, "errors")
    assert columns == ["code", "message", "sessions", "first_seen", "last_seen", "compare_sessions"]
    assert_rows(
        rows,
        [
            [g["code"], g["message"], g["sessions"], g["first_seen"], g["last_seen"], c["sessions"]]
            for g, c in zip(errors["errors"], errors["compare"]["errors"], strict=True)
        ],
    )
    assert [(row[0], row[1]) for row in rows] == [HLS_GROUP, MEDIA_GROUP]
    header, written = await downloaded_csv(page, '[data-csv="errors"]')
    assert header == columns
    for line, row in zip(written, rows, strict=True):
        assert all(same_cell(cell, value) for cell, value in zip(row, line, strict=True)), (row, line)

    for chart, keys in (
        ("startup-chart", ["sessions", "startup_time_p50", "startup_time_p95"]),
        ("failures-chart", ["sessions", "rebuffer_percentage", "playback_failure_percentage"]),
    ):
        await show_table(page, chart)
        columns, rows = await table(page, f"{chart}-table")
        assert columns[0] == "interval"
        main = [row for row in rows if row[0]]
        assert [row[0] for row in main] == [bucket["interval"] for bucket in daily["qoe"]]
        for row, bucket in zip(main, daily["qoe"], strict=True):
            for key in keys:
                cell = row[columns.index(key)]
                assert same_cell(cell, as_values([bucket[key]])[0]), (chart, key, row)
    await page.close()


async def test_a_filter_from_a_breakdown_row(
    owner: Any, dashboard: Dashboard, quality_dashboard: QualitySite
) -> None:
    site = quality_dashboard
    page = await open_view(owner, dashboard, "/quality", state_of(site))
    await page.click('table[data-table="quality-browser"] td[data-value="firefox"] a')
    await page.wait_for_url("**browser=firefox**")
    await ready(page)
    firefox = await dashboard.api("qoe", **quality_params(site), interval="100 years", browser="firefox")
    shown = await cards(page)
    assert number(shown["sessions"]["value"]) == firefox["qoe"][0]["sessions"] == 1
    await page.close()


async def test_without_quality_data_the_page_says_why(owner: Any, dashboard: Dashboard) -> None:
    """The recorded week's sessions come from a client without quality events."""
    page = await open_view(owner, dashboard, "/quality", week(dashboard))
    empty = page.locator('[data-empty="quality"]')
    assert await empty.count() == 1
    text = await empty.inner_text()
    assert "No quality data in this period" in text and "@maveio/metrics" in text
    assert await page.locator(".card").count() == 0
    assert await page.locator('table[data-table="errors"]').count() == 0
    assert "No fatal error in this period." in await page.inner_text("main")
    await page.close()


async def test_rates_and_retention_equal_the_api(
    owner: Any, dashboard: Dashboard, quality_dashboard: QualitySite
) -> None:
    site = quality_dashboard
    params = {**quality_params(site), "minimum_watch_seconds": 1}
    plays = await dashboard.api("plays", **params, interval="1 day")
    # By hand: the six impressions (A, B, D, E, F, G) gave two plays of at least 1 s (A, B), and
    # of the three plays (A, B, C; I has no impression) A and C played to the end.
    assert plays["totals"]["play_rate"] == pytest.approx(2 / 6)
    assert plays["totals"]["completion_rate"] == pytest.approx(2 / 4)
    for path, extra in (("/", {}), ("/video", {"video": json.dumps({"clip": site.run})})):
        page = await open_view(owner, dashboard, path, state_of(site, **extra))
        video = {"video": json.loads(extra["video"])} if extra else {}
        asked = {**params, "query": {"key": site.key, **video}}
        answer = await dashboard.api("plays", **asked, interval="1 day")
        shown = await cards(page)
        then = await then_values(page)
        for name in ("play_rate", "completion_rate"):
            assert number(shown[name]["value"]) == pytest.approx(answer["totals"][name]), (path, name)
            assert then[name] == as_values([answer["compare"]["totals"][name]])[0], (path, name)
        assert shown["completion_rate"]["text"] == "50%"
        assert shown["play_rate"]["text"] == "33.3%"
        if path == "/video":
            engagement = await dashboard.api("engagement", **asked, ranges=50)
            await show_table(page, "engagement-chart")
            columns, rows = await table(page, "engagement-chart-table")
            index = columns.index("retention")
            assert_rows([[row[index]] for row in rows], [[r["retention"]] for r in engagement["engagement"]])
            assert engagement["engagement"][0]["retention"] == pytest.approx(1.0)
        await page.close()
