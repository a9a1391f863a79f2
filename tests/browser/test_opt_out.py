"""Opting out in the snippet, in Chromium against a real server: with the browser's Global Privacy
Control (or Do Not Track) respected no socket is opened; otherwise the session is recorded; and
Metrics.optOut() stops an open session's recording at once."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from tests.browser import player
from tests.browser.site import Site
from tests.browser.test_end_to_end import JOIN_WITHIN, embedding_page
from tests.support.server import ServerProcess
from tests.support.stored import final_sessions, stored_rows

# Counts the page's websockets and every frame it sends, and how many closed.
WATCH_SOCKETS = """
(() => {
  const Native = window.WebSocket;
  window.sockets = {opened: 0, sent: 0, messages: 0, closed: 0};
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      window.sockets.opened += 1;
      this.addEventListener('message', () => { window.sockets.messages += 1; });
      this.addEventListener('close', () => { window.sockets.closed += 1; });
    }
    send(data) { window.sockets.sent += 1; return super.send(data); }
  };
})();
"""
GPC = "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true});"
DNT = "Object.defineProperty(Navigator.prototype, 'doNotTrack', {get: () => '1'});"

SCRIPT = """<script src="{base}/static/metrics.js"></script>
<script>
  Metrics.config = {apiKey: "{key}", socketPath: "{socket_path}", {options}};
  {before}
  window.m = new Metrics("#v", "Opt-out clip", {id: "opt-out"}).monitor();
</script>"""


async def open_page(
    context: Any, server: ServerProcess, key: str, *, signals: str = "", options: str = "", before: str = ""
) -> Any:
    site = Site("http://shop.example.test")
    await site.install(context)
    await context.add_init_script(WATCH_SOCKETS + signals)
    socket_path = server.base_url.replace("http://", "ws://") + "/socket"
    script = (
        SCRIPT.replace("{base}", server.base_url).replace("{options}", options).replace("{before}", before)
    )
    page = await context.new_page()
    await page.goto(site.page("/watch", embedding_page(socket_path, key, script)))
    await player.wait_ready(page)
    return page


async def sockets(page: Any) -> dict[str, int]:
    counts: dict[str, int] = await page.evaluate("window.sockets")
    return counts


async def until_in_page(page: Any, name: str, count: int, within: float = JOIN_WITHIN) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while (await sockets(page))[name] < count:
        assert asyncio.get_running_loop().time() < deadline, f"{name} stayed below {count}"
        await asyncio.sleep(0.05)


async def play_for(page: Any, seconds: float) -> None:
    await player.play(page)
    await asyncio.sleep(seconds)
    await player.pause(page)


@pytest.mark.parametrize(
    ("signals", "options"),
    [(GPC, "respectGlobalPrivacyControl: true"), (DNT, "respectDoNotTrack: true")],
    ids=["gpc", "dnt"],
)
async def test_a_respected_browser_signal_opens_no_socket(
    context: Any, server: ServerProcess, api_key: str, db: asyncpg.Connection, signals: str, options: str
) -> None:
    page = await open_page(context, server, api_key, signals=signals, options=options)
    await play_for(page, 1.5)
    assert await sockets(page) == {"opened": 0, "sent": 0, "messages": 0, "closed": 0}
    await page.close(run_before_unload=True)
    assert await stored_rows(db, api_key) == 0  # no socket, so nothing could be recorded


@pytest.mark.parametrize(
    ("signals", "options"),
    [(GPC, "respectGlobalPrivacyControl: false"), ("", "respectGlobalPrivacyControl: true"), (GPC, "")],
    ids=["signal-not-respected", "no-signal", "off-by-default"],
)
async def test_otherwise_the_session_is_recorded(
    context: Any, server: ServerProcess, api_key: str, db: asyncpg.Connection, signals: str, options: str
) -> None:
    page = await open_page(context, server, api_key, signals=signals, options=options)
    await until_in_page(page, "messages", 1)  # the join's answer
    await play_for(page, 1.5)
    await page.close(run_before_unload=True)
    [row] = await final_sessions(db, api_key, 1)
    assert row["watched"] >= 1.0


async def test_opt_out_stops_an_open_session_at_once(
    context: Any, server: ServerProcess, api_key: str, db: asyncpg.Connection
) -> None:
    page = await open_page(context, server, api_key)
    await until_in_page(page, "messages", 1)
    await player.play(page)
    await asyncio.sleep(2.0)
    watched_until = await player.position(page)
    sent = await page.evaluate(
        "(() => { const sent = window.sockets.sent; Metrics.optOut(); return sent; })()"
    )
    await until_in_page(page, "closed", 1)  # the socket is closed by the page itself
    await asyncio.sleep(2.5)  # the video plays on; nothing of it may be recorded
    await player.pause(page)
    await page.evaluate("window.m.demonitor(); window.m.monitor()")  # still opted out: nothing
    after = await sockets(page)
    assert (after["opened"], after["sent"]) == (1, sent)  # not a frame after optOut(), no new socket
    await page.close(run_before_unload=True)
    [row] = await final_sessions(db, api_key, 1)
    assert row["watched"] == pytest.approx(watched_until, abs=0.6)


async def test_opted_out_before_monitoring_then_opted_in(
    context: Any, server: ServerProcess, api_key: str, db: asyncpg.Connection
) -> None:
    page = await open_page(context, server, api_key, before="Metrics.optOut();", signals=GPC)
    await play_for(page, 1.0)
    assert (await sockets(page))["opened"] == 0
    await page.evaluate("Metrics.optIn()")  # the visitor agreed on the site's banner: it wins over GPC
    await until_in_page(page, "messages", 1)
    await play_for(page, 1.5)
    await page.close(run_before_unload=True)
    [row] = await final_sessions(db, api_key, 1)
    assert row["watched"] >= 1.0
