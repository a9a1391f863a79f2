"""Each page of the dashboard renders without a console error and without a request to anywhere
else, under its Content-Security-Policy; fits a 360 px phone; says what to do when there is no
data, when a filter is wrong and when the server is away; asks for the sign-in again after a
wrong one; and the Live page refreshes while it is seen and not while it is hidden."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import httpx
import pytest

from tests.browser.dashboard import (
    ALPHA,
    PASSWORD,
    SHOP,
    USER,
    Dashboard,
    Watcher,
    cards,
    context_options,
    number,
    random_key,
    ready,
    table,
    week,
)
from tests.support.phoenix import PhoenixSocket, ok

PAGES = ["/", "/videos", "/video", "/quality", "/live", "/keys"]


def state_for(path: str, dashboard: Dashboard) -> dict[str, Any]:
    return week(dashboard, video=json.dumps(ALPHA)) if path == "/video" else week(dashboard)


@pytest.mark.parametrize("path", PAGES)
async def test_each_page_renders_without_a_console_error(owner: Any, dashboard: Dashboard, path: str) -> None:
    page = await owner.new_page()
    watcher = Watcher(page, dashboard.base_url)
    response = await page.goto(dashboard.url(path, **state_for(path, dashboard)))
    assert response is not None and response.status == 200
    await ready(page)
    await page.wait_for_selector("main h1")
    assert await page.query_selector(".notice.error") is None
    shows = {
        "/videos": "table[data-table='video-list']",
        "/keys": "table[data-table='keys']",
        # The recorded week comes from a client without quality events (test_dashboard_quality.py).
        "/quality": "[data-empty='quality']",
    }
    assert await page.query_selector(shows.get(path, ".card")) is not None
    if path in ("/", "/video"):
        assert await page.query_selector("[data-chart] canvas") is not None  # uPlot drew
    assert watcher.errors == []
    assert watcher.elsewhere == []
    await page.close()


async def test_the_policy_allows_this_server_only(dashboard: Dashboard) -> None:
    async with httpx.AsyncClient(base_url=dashboard.base_url, auth=(USER, PASSWORD)) as client:
        response = await client.get("/")
        modules = await client.get("/static/dashboard/app.js")
    policy = response.headers["content-security-policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'none'"
    # The import map and the theme's three lines, each by its hash.
    assert re.fullmatch(r"'self' 'sha256-[A-Za-z0-9+/=]+' 'sha256-[A-Za-z0-9+/=]+'", directives["script-src"])
    assert directives["style-src"] == "'self'"
    assert directives["connect-src"] == "'self'"
    assert "unsafe" not in policy
    assert response.headers["cache-control"] == "no-cache"
    # Two inline scripts, the import map and the theme; everything else is a file of this server.
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", response.text) == [
        '<script type="importmap">',
        "<script>",
    ]
    assert "http://" not in response.text and "https://" not in response.text
    # A browser ignores an import map that comes after the first module it was asked to load.
    first_module = min(response.text.index('rel="modulepreload"'), response.text.index('type="module"'))
    assert response.text.index('type="importmap"') < first_module
    assert modules.headers["cache-control"] == "no-cache"
    assert modules.headers["content-type"].startswith("text/javascript")


async def test_the_dashboard_files_stay_small() -> None:
    """The issue's budget: the dashboard's own files under 150 KB gzipped in all."""
    import gzip

    from app.dashboard import DASHBOARD_DIR

    files = [file for file in DASHBOARD_DIR.rglob("*") if file.is_file()]
    total = sum(len(gzip.compress(file.read_bytes(), 9)) for file in files)
    assert total < 150_000, total


@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_no_horizontal_scroll_on_a_phone(browser: Any, dashboard: Dashboard, scheme: str) -> None:
    context = await browser.new_context(
        **context_options(viewport={"width": 360, "height": 740}, color_scheme=scheme, is_mobile=True)
    )
    page = await context.new_page()
    watcher = Watcher(page, dashboard.base_url)
    # One page going from view to view, as a person does (modules loaded again in a used page).
    for path in PAGES:
        await page.goto(dashboard.url(path, **state_for(path, dashboard)))
        await ready(page)
        width = await page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert width[0] <= width[1], (path, width)
    assert watcher.errors == []
    await context.close()


async def test_a_failed_sign_in_is_asked_again(browser: Any, dashboard: Dashboard) -> None:
    # Every page and request without the right credentials is challenged again, which is what
    # makes a browser show its sign-in dialog again; a person who cancels it reads what to do.
    async with httpx.AsyncClient(base_url=dashboard.base_url) as client:
        for auth in (None, (USER, "wrong"), ("someone", PASSWORD)):
            page = await client.get("/videos", headers={"Accept": "text/html"}, auth=auth)
            assert page.status_code == 401, auth
            assert page.headers["www-authenticate"] == 'Basic realm="Application"'
            assert page.headers["content-type"].startswith("text/html")
            assert "Reload this page</a> to sign in again" in page.text
            api = await client.get("/api/v1/keys", auth=auth)
            assert api.status_code == 401 and api.json()["error"].startswith("authorization")
            assert api.headers["www-authenticate"] == 'Basic realm="Application"'
    # Chromium answers the challenge with the wrong pair and is challenged again: it shows the
    # page for people who cancel the dialog (headless, it has no dialog to show); with the right
    # pair the dashboard opens.
    context = await browser.new_context(http_credentials={"username": USER, "password": "wrong"})
    page = await context.new_page()
    response = await page.goto(dashboard.base_url + "/keys")
    assert response is not None and response.status == 401
    assert (await response.all_headers())["www-authenticate"] == 'Basic realm="Application"'
    assert await page.text_content("h1") == "Sign in to video-metrics"
    await context.close()
    context = await browser.new_context(**context_options())
    page = await context.new_page()
    response = await page.goto(dashboard.base_url + "/keys")
    assert response is not None and response.status == 200
    await ready(page)
    await context.close()


async def test_a_bad_filter_shows_the_api_error(owner: Any, dashboard: Dashboard) -> None:
    page = await owner.new_page()
    await page.goto(dashboard.url("/", **week(dashboard, video="[1, 2]")))
    await ready(page)
    assert "must be a JSON object of metadata" in await page.text_content(".notice.error")
    # What the API itself refuses is shown in its own words.
    await page.goto(dashboard.url("/", **week(dashboard, tz="Mars/Olympus_Mons")))
    await ready(page)
    notice = await page.text_content(".notice.error")
    assert "The API refused this view" in notice
    assert "timezone: 'Mars/Olympus_Mons' is not an IANA time zone name" in notice
    await page.close()


async def test_an_unreachable_server_is_said_so(owner: Any, dashboard: Dashboard) -> None:
    page = await owner.new_page()
    await page.route("**/api/v1/**", lambda route: route.abort("connectionrefused"))
    watcher = Watcher(page, dashboard.base_url)
    await page.goto(dashboard.url("/", **week(dashboard)))
    await ready(page)
    assert "The server cannot be reached" in await page.text_content(".notice.error")
    assert await page.query_selector(".notice.error button") is not None
    assert all("Failed to load resource" in error for error in watcher.errors)  # the aborted requests only
    await page.close()


async def test_no_data_yet_shows_the_snippet_and_the_demo(owner: Any, dashboard: Dashboard) -> None:
    key = random_key()
    async with httpx.AsyncClient(base_url=dashboard.base_url, auth=(USER, PASSWORD)) as client:
        assert (await client.post("/api/v1/keys", json={"key": key})).status_code == 201
    page = await owner.new_page()
    await page.goto(dashboard.url("/", key=key))
    await ready(page)
    await page.wait_for_selector(".empty textarea")
    assert "No plays here yet" in await page.text_content(".empty h2")
    snippet = await page.input_value(".empty textarea")
    assert f'apiKey: "{key}"' in snippet
    assert f"{dashboard.base_url}/static/metrics.js" in snippet
    assert await page.get_attribute(".empty a[href='/demo']", "href") == "/demo"
    await page.close()


async def test_live_page_follows_playing_sessions_while_visible(browser: Any, dashboard: Dashboard) -> None:
    context = await browser.new_context(**context_options())
    await context.clock.install()
    page = await context.new_page()
    asked: list[str] = []
    page.on(
        "request", lambda request: asked.append(request.url) if "/api/v1/watching" in request.url else None
    )
    # One playback of Alpha, playing now.
    socket = await PhoenixSocket.open(dashboard.server.ws_url(source_url=SHOP))
    topic = "session:dashboardlive000000"
    join_ref, reply = await socket.join(topic, dashboard.key, ALPHA, identifier="Alpha", source_url=SHOP)
    assert ok(reply)
    await socket.push(join_ref, topic, {"name": "play", "from": 0, "duration": 100})
    try:
        query = {"key": dashboard.key, "video": ALPHA}
        await until_playing(dashboard, query, 1)
        await page.goto(
            dashboard.url("/live", key=dashboard.key, video=json.dumps(ALPHA), tz="Europe/Berlin")
        )
        await ready(page)
        answer = await dashboard.api("watching", query=query, by="video", timezone="Europe/Berlin")
        shown = await cards(page)
        assert number(shown["watching"]["value"]) == answer["watching"] == 1
        _, rows = await table(page, "live-videos")
        assert rows == [["Alpha", "1"]]
        _, rows = await table(page, "live-pages")
        assert rows == [[SHOP, "1"]]
        # Every 5 seconds while visible...
        before = len(asked)
        await page.clock.run_for(5_500)
        await ready(page)
        assert len(asked) > before
        # ...and never while hidden.
        await page.evaluate(
            """() => {
                Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'hidden'});
                document.dispatchEvent(new Event('visibilitychange'));
            }"""
        )
        assert await page.get_attribute("[data-live]", "data-live") == "paused"
        hidden = len(asked)
        await page.clock.run_for(30_000)
        await asyncio.sleep(0.3)
        assert len(asked) == hidden
    finally:
        await socket.close()
        await context.close()


async def until_playing(dashboard: Dashboard, query: dict[str, Any], count: int) -> None:
    for _ in range(100):
        if (await dashboard.api("watching", query=query))["watching"] == count:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"the API never counted {count} playing")


async def test_video_page_without_a_video_says_what_to_do(owner: Any, dashboard: Dashboard) -> None:
    page = await owner.new_page()
    await page.goto(dashboard.url("/video", key=dashboard.key))
    await ready(page)
    assert "pick one on the Videos page" in await page.text_content(".notice.error")
    await page.close()
