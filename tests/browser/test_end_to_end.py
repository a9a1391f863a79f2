"""The demo page and embedding pages in headless Chromium against a real server, checked through
the REST API: what the page did is what the server counted, within half a second.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from tests.browser import player
from tests.browser.page_sockets import COUNT_SOCKET_EVENTS, wait_in_page
from tests.browser.results import api, plays, until_watching
from tests.browser.site import Site
from tests.support.server import ServerFactory, ServerProcess

TOLERANCE = 0.5
# Each test plays only once the page has its join's answer: what a page plays before then is
# queued in the page, and lost if the page closes first, which is not what these tests are about.
# On a machine loaded enough, a page's first connection can take seconds.
JOIN_WITHIN = 20.0


def assert_counted(bucket: dict[str, Any], watched: player.Watched) -> None:
    assert bucket["total_view_time"] == pytest.approx(watched.total, abs=TOLERANCE)
    assert bucket["unique_total_view_time"] == pytest.approx(watched.unique, abs=TOLERANCE)
    assert bucket["browser"]["chrome"] == bucket["views"]
    assert bucket["platform"]["linux"] == bucket["views"]
    assert bucket["device_type"]["desktop"] == bucket["views"]


async def assert_engagement(base_url: str, video: dict[str, Any], watched: player.Watched) -> None:
    answer = await api(base_url, "engagement", query={"video": video}, ranges=24, timeframe="1 day")
    ranges = answer["engagement"]
    assert len(ranges) == 24
    checked = 0
    for item in ranges:
        expected = watched.range_watched(item["range_time"]["from"], item["range_time"]["to"], TOLERANCE)
        if expected is None:
            continue  # a segment edge within half a second of this range: either answer is right
        checked += 1
        assert item["viewers"] == int(expected), (item, watched.segments)
    assert checked >= 16, "most ranges are far from any segment edge"


async def test_demo_page_play_seek_pause_resume_close(context: Any, server: ServerProcess) -> None:
    since = time.time()
    await context.add_init_script(COUNT_SOCKET_EVENTS)
    page = await context.new_page()
    await page.goto(server.base_url + "/demo")
    key = await page.get_attribute('meta[name="video-metrics-demo-key"]', "content")
    assert key and "{{" not in key
    await player.wait_ready(page)
    await wait_in_page(page, "message", 1, within=JOIN_WITHIN)  # the join's answer
    watched = player.Watched()

    watched.start(await player.play(page))
    await asyncio.sleep(2.5)
    watched.stop(await player.seek(page, 12.0))
    watched.start(12.0)
    await asyncio.sleep(2.0)
    watched.stop(await player.pause(page))
    await asyncio.sleep(1.0)
    watched.start(await player.play(page))
    await asyncio.sleep(2.0)
    watched.stop(await player.position(page))
    await page.close(run_before_unload=True)

    bucket = await plays(server.base_url, key, since, expect=1)
    assert_counted(bucket, watched)
    await assert_engagement(server.base_url, {"id": "video-metrics-demo"}, watched)
    sources = await api(server.base_url, "sources", query={"key": key}, timeframe="1 day")
    paths = {(s["path"], s["host"]) for s in sources["sources"]}
    assert paths == {(server.base_url + "/demo", "127.0.0.1")}


def embedding_page(socket_path: str, key: str, module: str) -> str:
    return f"""<!doctype html><html><body>
<video id="v" src="{socket_path.replace("ws://", "http://").removesuffix("/socket")}/static/demo.webm"
       preload="auto" muted playsinline></video>
{module}
</body></html>""".replace("{key}", key).replace("{socket_path}", socket_path)


async def watch_for(page: Any, seconds: float) -> player.Watched:
    """Play from the start for about `seconds`, pause, and note what was played."""
    await player.wait_ready(page)
    watched = player.Watched()
    watched.start(await player.play(page))
    await asyncio.sleep(seconds)
    watched.stop(await player.pause(page))
    return watched


ES_MODULE = """<script type="module">
  import { Metrics } from "{base}/static/metrics.mjs";
  Metrics.config = {apiKey: "{key}", socketPath: "{socket_path}"};
  new Metrics("#v", {id: "esm-video"}).monitor();
</script>"""

HLS_STYLE = """<script src="{base}/static/metrics.js"></script>
<script>
  // What hls.js hands over: an object whose `media` is the video element once attached.
  const hls = {media: null, attachMedia(video) { this.media = video; }};
  hls.attachMedia(document.getElementById("v"));
  // No socketPath: the snippet uses the server it was loaded from.
  Metrics.config = {apiKey: "{key}"};
  new Metrics(hls, "Big buck bunny", {id: "hls-video"}).monitor();
</script>"""


@pytest.mark.parametrize(
    ("script", "video"), [(ES_MODULE, "esm-video"), (HLS_STYLE, "hls-video")], ids=["esm", "hls"]
)
async def test_pages_on_another_origin_record_sessions(
    context: Any, server: ServerProcess, api_key: str, script: str, video: str
) -> None:
    site = Site("http://shop.example.test")
    await site.install(context)
    socket_path = server.base_url.replace("http://", "ws://") + "/socket"
    html = embedding_page(socket_path, api_key, script.replace("{base}", server.base_url))
    since = time.time()
    await context.add_init_script(COUNT_SOCKET_EVENTS)
    page = await context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    await page.goto(site.page("/products/shoes", html) + "?utm_source=x")
    await wait_in_page(page, "message", 1, within=JOIN_WITHIN)  # the join's answer
    watched = await watch_for(page, 2.0)
    await page.close(run_before_unload=True)
    bucket = await plays(server.base_url, api_key, since, expect=1)
    assert_counted(bucket, watched)
    sources = await api(server.base_url, "sources", query={"key": api_key}, timeframe="1 day")
    assert [s["path"] for s in sources["sources"]] == ["http://shop.example.test/products/shoes"]
    assert page_errors == []


async def test_server_restart_mid_play_counts_nothing_twice(
    context: Any, make_server: ServerFactory, api_key: str
) -> None:
    restarting = make_server().start()
    site = Site("http://shop.example.test")
    await site.install(context)
    socket_path = restarting.base_url.replace("http://", "ws://") + "/socket"
    html = embedding_page(
        socket_path,
        api_key,
        HLS_STYLE.replace("{base}", restarting.base_url).replace("hls-video", "restart-video"),
    )
    since = time.time()
    await context.add_init_script(COUNT_SOCKET_EVENTS)
    page = await context.new_page()
    await page.goto(site.page("/restart", html))
    await player.wait_ready(page)
    await wait_in_page(page, "message", 1, within=JOIN_WITHIN)  # the join's answer
    watched = player.Watched()
    watched.start(await player.play(page))
    await asyncio.sleep(2.0)
    restarting.stop()  # graceful: the server ends and stores the open session
    restarting.start()
    # The snippet reconnects (after 1 s, 5 s, 10 s, ...) and rejoins; how soon depends on how
    # fast the server came back, so wait for the rejoin itself, then watch on a little.
    await until_watching(restarting.base_url, 1)
    await asyncio.sleep(2.0)
    watched.stop(await player.pause(page))
    await page.close(run_before_unload=True)

    # The server stores the session at shutdown; the rejoin of the same topic continues it, so
    # the page's watching stays one session and one play, with no second counted twice.
    # The row stored at shutdown counts the play already: wait for the continued session's time.
    bucket = await plays(restarting.base_url, api_key, since, expect=1, min_total=watched.total - TOLERANCE)
    assert_counted(bucket, watched)
    assert bucket["unique_total_view_time"] == pytest.approx(bucket["total_view_time"], abs=0.2)
