"""The snippet (static/metrics.js) in headless Chromium against a logging Phoenix endpoint.

These pin its side of the protocol frame by frame: the reference client's frames, and the pauses
the reference client never sent (readyState < 4, ended, demonitor, hidden or closed page, scrubs).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from tests.browser import player
from tests.browser.fake_socket import FakeSocketServer
from tests.browser.page_sockets import COUNT_SOCKET_EVENTS, wait_in_page
from tests.browser.site import Site, video_page

TOPIC = re.compile(r"session:[0-9A-Za-z_-]{21}")
DURATION = pytest.approx(24.008, abs=0.01)


@pytest.fixture
async def fake() -> AsyncIterator[FakeSocketServer]:
    server = await FakeSocketServer().start()
    yield server
    await server.stop()


@pytest.fixture
async def site(context: Any) -> Site:
    site = Site()
    await site.install(context)
    return site


def monitored(fake: FakeSocketServer, *lines: str) -> str:
    config = f"Metrics.config = {{apiKey: 'K1', socketPath: '{fake.socket_path}'}};"
    body = "\n".join(lines) or "window.m = new Metrics('#v', 'Clip', {vid: 7}, {plan: 'pro'}).monitor();"
    return video_page(config + "\n" + body)


async def open_page(context: Any, site: Site, html: str, path: str = "/watch/shoes") -> Any:
    page = await context.new_page()
    await page.goto(site.page(path, html) + "?utm_source=x#reviews")
    await player.wait_ready(page)
    return page


def position(value: Any) -> float:
    assert isinstance(value, str) and re.fullmatch(r"\d+\.\d\d", value), value
    return float(value)


def upgrades_reached(fake: FakeSocketServer, count: int) -> Callable[[], bool]:
    return lambda: len(fake.upgrades) == count


async def test_connects_and_joins_with_the_reference_frames(
    context: Any, site: Site, fake: FakeSocketServer
) -> None:
    await open_page(context, site, monitored(fake))
    join = await fake.wait_for(lambda: fake.of("phx_join"), what="a join")
    assert len(join) == 1
    join_ref, ref, topic, _, payload = join[0]
    assert join_ref == ref and TOPIC.fullmatch(topic)
    assert payload == {
        "identifier": "Clip",
        "metadata": {"vid": 7},
        "session_data": {"plan": "pro"},
        "source_url": "http://shop.example.test/watch/shoes?utm_source=x#reviews",
        "key": "K1",
    }
    assert urlpath(fake.upgrades[0][1]) == "/socket/websocket"
    assert fake.query() == {
        "source_url": ["http://shop.example.test/watch/shoes"],
        "key": ["K1"],
        "vsn": ["2.0.0"],
    }


def urlpath(path: str) -> str:
    return path.split("?", 1)[0]


async def test_play_pause_and_a_pause_whatever_the_ready_state(
    context: Any, site: Site, fake: FakeSocketServer
) -> None:
    page = await open_page(context, site, monitored(fake))
    await player.play(page)
    play = await fake.wait_event("play")
    # `from` is currentTime when `playing` fires; on a loaded machine the clip may have moved a frame.
    assert play == {"name": "play", "duration": DURATION, "from": play["from"]}
    assert position(play["from"]) == pytest.approx(0, abs=0.05)
    await asyncio.sleep(1.0)
    # The reference client drops a pause unless readyState is 4 (fully buffered): pretend it is not.
    await page.evaluate("Object.defineProperty(document.querySelector('#v'), 'readyState', {get: () => 2})")
    at = await player.pause(page)
    pause = await fake.wait_event("pause")
    assert pause["duration"] == DURATION
    assert position(pause["to"]) == pytest.approx(at, abs=0.011)
    frames = [frame for _, frame in fake.frames if frame[3] == "event"]
    join_ref = fake.of("phx_join")[0][0]
    assert all(frame[0] == join_ref for frame in frames)
    refs = [int(frame[1]) for _, frame in fake.frames]
    assert refs == sorted(set(refs)), "refs count up, one per frame"


async def test_scrub_while_playing_is_a_pause_then_a_play(
    context: Any, site: Site, fake: FakeSocketServer
) -> None:
    page = await open_page(context, site, monitored(fake))
    await player.play(page)
    await asyncio.sleep(1.5)
    left = await player.seek(page, 15.0)
    pause = await fake.wait_event("pause")
    play = await fake.wait_event("play", 2)
    assert position(pause["to"]) == pytest.approx(left, abs=0.3)
    assert position(play["from"]) == pytest.approx(15.0, abs=0.05)


async def test_ended_sends_the_pause(context: Any, site: Site, fake: FakeSocketServer) -> None:
    page = await open_page(context, site, monitored(fake))
    await player.seek(page, 22.8)
    await player.play(page)
    pause = await fake.wait_event("pause", within=15)
    assert position(pause["to"]) == pytest.approx(24.0, abs=0.05)


async def test_demonitor_pauses_leaves_and_stops_listening_then_monitor_starts_again(
    context: Any, site: Site, fake: FakeSocketServer
) -> None:
    page = await open_page(context, site, monitored(fake))
    await player.play(page)
    await fake.wait_event("play")
    await asyncio.sleep(0.5)
    await page.evaluate("window.m.demonitor()")
    await fake.wait_event("pause")
    leave = await fake.wait_for(lambda: fake.of("phx_leave"), what="a leave")
    first_topic = fake.of("phx_join")[0][2]
    assert leave[0][2] == first_topic and leave[0][4] == {}
    events_before = len(fake.events())
    await player.pause(page)
    await player.play(page)
    await asyncio.sleep(0.5)
    assert len(fake.events()) == events_before, "listeners were removed"
    await page.evaluate("window.m.monitor()")
    joins = await fake.wait_for(lambda: len(fake.of("phx_join")) == 2 and fake.of("phx_join"))
    assert joins[1][2] != first_topic, "a new session has a new topic"
    resumed = await fake.wait_event("play", 2)
    assert position(resumed["from"]) > 0.4
    assert len(fake.connections) == 1, "the same socket"


async def test_one_socket_for_every_video_and_no_double_monitoring(
    context: Any, site: Site, fake: FakeSocketServer
) -> None:
    html = monitored(
        fake,
        "const w = document.createElement('video'); w.id = 'w'; document.body.append(w);",
        "new Metrics('#v', {vid: 1}).monitor(); new Metrics(w, {vid: 2}).monitor();",
        "new Metrics('#v', {vid: 1}).monitor();",
    )
    await open_page(context, site, html)
    joins = await fake.wait_for(lambda: len(fake.of("phx_join")) >= 2 and fake.of("phx_join"))
    await asyncio.sleep(0.5)
    assert len(fake.upgrades) == 1
    assert sorted(j[4]["metadata"]["vid"] for j in fake.of("phx_join")) == [1, 2]
    assert len({j[2] for j in joins}) == 2


async def test_hidden_page_pauses_and_visible_page_resumes(
    context: Any, site: Site, fake: FakeSocketServer
) -> None:
    page = await open_page(context, site, monitored(fake))
    await player.play(page)
    await fake.wait_event("play")
    await asyncio.sleep(0.5)
    visibility = """(state) => {
        Object.defineProperty(document, 'visibilityState', {get: () => state, configurable: true});
        document.dispatchEvent(new Event('visibilitychange'));
    }"""
    await page.evaluate(visibility, "hidden")
    await fake.wait_event("pause")
    await player.seek(page, 10.0)  # a hidden page counts nothing, whatever the video does
    await asyncio.sleep(0.3)
    assert [e["name"] for e in fake.events()] == ["play", "pause"]
    await page.evaluate(visibility, "visible")
    await fake.wait_event("play", 2)


async def test_closing_the_tab_sends_the_pause_and_closes_cleanly(
    context: Any, site: Site, fake: FakeSocketServer
) -> None:
    page = await open_page(context, site, monitored(fake))
    await player.play(page)
    await fake.wait_event("play")
    await asyncio.sleep(0.8)
    at = await player.position(page)
    await page.close(run_before_unload=True)
    pause = await fake.wait_event("pause")
    assert position(pause["to"]) == pytest.approx(at, abs=0.3)
    await fake.wait_for(lambda: fake.closes, what="the socket to close")
    assert fake.closes == [1000]


async def test_no_cookie_and_no_storage(context: Any, site: Site, fake: FakeSocketServer) -> None:
    page = await open_page(context, site, monitored(fake))
    await player.play(page)
    await fake.wait_event("play")
    stored = await page.evaluate("[document.cookie, localStorage.length, sessionStorage.length]")
    assert stored == ["", 0, 0]
    assert await context.cookies() == []


async def test_heartbeat_every_30_s_and_a_silent_server_is_left(
    context: Any, site: Site, fake: FakeSocketServer
) -> None:
    await context.clock.install()
    await context.add_init_script(COUNT_SOCKET_EVENTS)
    page = await open_page(context, site, monitored(fake))
    await fake.wait_for(lambda: fake.of("phx_join"))
    await wait_in_page(page, "message", 1)  # the join's reply
    await page.clock.run_for(29_000)
    await asyncio.sleep(0.3)
    assert fake.of("heartbeat") == []
    await page.clock.run_for(1_500)
    beat = await fake.wait_for(lambda: fake.of("heartbeat"), what="a heartbeat")
    assert beat[0][0] is None and beat[0][2] == "phoenix" and beat[0][4] == {}
    await wait_in_page(page, "message", 2)  # the heartbeat's reply: an unanswered one ends the socket
    fake.answer_heartbeats = False
    await page.clock.run_for(30_000)
    await fake.wait_for(lambda: len(fake.of("heartbeat")) == 2, what="the second heartbeat")
    await page.clock.run_for(30_000)  # unanswered: the client gives up on this socket
    await fake.wait_for(lambda: fake.closes, what="the socket to close")
    await page.clock.run_for(1_100)
    await fake.wait_for(lambda: len(fake.upgrades) == 2, what="a reconnect")


async def test_reconnects_after_1_5_10_then_25_s_and_rejoins_the_same_topic(
    context: Any, site: Site, fake: FakeSocketServer
) -> None:
    await context.clock.install()
    await context.add_init_script(COUNT_SOCKET_EVENTS)
    page = await open_page(context, site, monitored(fake))
    await player.play(page)
    await fake.wait_event("play")
    topic = fake.of("phx_join")[0][2]
    fake.refuse_upgrades = True
    await fake.drop_all()
    await wait_in_page(page, "close", 1)
    attempts = 1
    # The page clock also runs in real time, so each wait is checked with half a second to spare.
    for wait in (1_000, 5_000, 10_000, 25_000, 25_000):
        await page.clock.run_for(wait - 500)
        await asyncio.sleep(0.1)
        assert len(fake.upgrades) == attempts, f"no attempt before {wait} ms"
        await page.clock.run_for(700)
        attempts += 1
        await fake.wait_for(upgrades_reached(fake, attempts), what=f"attempt {attempts}")
        await wait_in_page(page, "close", attempts)
    fake.refuse_upgrades = False
    await page.clock.run_for(25_000)
    joins = await fake.wait_for(lambda: len(fake.of("phx_join")) == 2 and fake.of("phx_join"))
    assert joins[1][2] == topic and joins[1][4] == joins[0][4]
    # The rejoined session is new on the server: it starts with a play where the old one was cut.
    play = await fake.wait_event("play", 2)
    assert position(play["from"]) < await player.position(page)


async def test_a_refused_join_is_retried_on_the_same_socket(
    context: Any, site: Site, fake: FakeSocketServer
) -> None:
    fake.join_error = "invalid key"
    await context.clock.install()
    await context.add_init_script(COUNT_SOCKET_EVENTS)
    page = await open_page(context, site, monitored(fake))
    await fake.wait_for(lambda: fake.of("phx_join"))
    await wait_in_page(page, "message", 1)
    await page.clock.run_for(1_100)
    await fake.wait_for(lambda: len(fake.of("phx_join")) == 2, what="the first retry")
    await wait_in_page(page, "message", 2)
    await page.clock.run_for(5_100)
    await fake.wait_for(lambda: len(fake.of("phx_join")) == 3, what="the second retry")
    assert len(fake.upgrades) == 1 and len({j[2] for j in fake.of("phx_join")}) == 1


async def test_a_label_alone_identifies_the_video(context: Any, site: Site, fake: FakeSocketServer) -> None:
    await open_page(context, site, monitored(fake, "new Metrics('#v', 'Big buck bunny').monitor();"))
    join = await fake.wait_for(lambda: fake.of("phx_join"))
    assert join[0][4]["metadata"] == {"identifier": "Big buck bunny"}
    assert join[0][4]["identifier"] == "Big buck bunny"


async def test_es_module_and_classic_script_are_one_snippet(
    context: Any, site: Site, fake: FakeSocketServer
) -> None:
    html = f"""<!doctype html><video id="v" src="/demo.webm" muted></video>
<script src="/metrics.js"></script>
<script type="module">
  import {{ Metrics }} from "/metrics.mjs";
  window.same = Metrics === window.Metrics;
  Metrics.config = {{apiKey: 'K1', socketPath: '{fake.socket_path}'}};
  new Metrics('#v', {{vid: 3}}).monitor();
</script>"""
    page = await open_page(context, site, html)
    await fake.wait_for(lambda: fake.of("phx_join"))
    assert await page.evaluate("window.same") is True


async def test_a_new_source_is_a_new_session_with_its_own_impression(
    context: Any, site: Site, fake: FakeSocketServer
) -> None:
    page = await open_page(context, site, monitored(fake))
    first = await fake.wait_event("impression")
    assert first == {"name": "impression", "autoplay": False}
    await page.evaluate("() => { document.querySelector('#v').src = '/demo.webm?another-cut'; }")
    await fake.wait_for(lambda: len(fake.of("phx_join")) == 2, what="a second join")
    await fake.wait_event("impression", 2)
    [left] = fake.of("phx_leave")
    joins = fake.of("phx_join")
    assert left[2] == joins[0][2] != joins[1][2], "the first session was left, the second is new"
