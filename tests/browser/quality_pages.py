"""Pages for the quality browser tests: HLS or a plain source, monitored by the snippet as a site
embeds it, with a log of what the element did on the page's own clock; and reading them back."""

from __future__ import annotations

from typing import Any

import asyncpg

from tests.browser.page_sockets import COUNT_SOCKET_EVENTS, wait_in_page
from tests.support.server import ServerProcess
from tests.support.stored import final_sessions

JOIN_WITHIN = 20.0
# The clip: 12 s of H.264 in two renditions (320x180 at 110 kbit/s, 640x360 at 330 kbit/s) in
# 2 s segments, seg0.ts ... seg5.ts (tests/media/README.md has the command that made it).
LOW, HIGH = 110_000, 330_000


# Records what the video element did, with the page's clock, for the tests' own measurements.
LOG_EVENTS = """
window.log = [];
const v = document.getElementById('v');
for (const type of ['play', 'playing', 'pause', 'waiting', 'seeking', 'seeked', 'ended', 'error'])
  v.addEventListener(type, () => log.push([type, performance.now() / 1000, v.currentTime]));
"""


def hls_page(server: ServerProcess, key: str, video: str, setup: str = "") -> str:
    """A page playing the HLS clip with hls.js (a buffer of about one segment ahead, so that a
    held segment is felt at once), monitored by the snippet as a site would embed it."""
    socket = server.base_url.replace("http://", "ws://") + "/socket"
    return f"""<!doctype html><html><body>
<video id="v" muted playsinline style="width: 640px; height: 360px"></video>
<script src="{server.base_url}/static/vendor/hls.js-1.7.4/hls.min.js"></script>
<script src="{server.base_url}/static/metrics.js"></script>
<script>
{LOG_EVENTS}
Metrics.config = {{apiKey: "{key}", socketPath: "{socket}"}};
const settings = {{maxBufferLength: 2, maxMaxBufferLength: 2, backBufferLength: 0, startLevel: 0}};
const hls = window.hls = new Hls(settings);
{setup}
hls.attachMedia(v);
window.m = new Metrics(hls, "Clip", {{id: "{video}"}}).monitor();
hls.loadSource("/hls/index.m3u8");
</script></body></html>"""


def plain_page(server: ServerProcess, key: str, video: str, source: str) -> str:
    socket = server.base_url.replace("http://", "ws://") + "/socket"
    return f"""<!doctype html><html><body>
<video id="v" muted autoplay playsinline style="width: 640px; height: 360px"></video>
<script src="{server.base_url}/static/metrics.js"></script>
<script>
{LOG_EVENTS}
Metrics.config = {{apiKey: "{key}", socketPath: "{socket}"}};
window.m = new Metrics(v, "Clip", {{id: "{video}"}}).monitor();
v.src = "{source}";  // after monitor(): the impression waits for the source
</script></body></html>"""


async def open_page(context: Any, url: str) -> Any:
    await context.add_init_script(COUNT_SOCKET_EVENTS)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    await page.goto(url)
    await wait_in_page(page, "message", 1, within=JOIN_WITHIN)  # the join's answer
    return page


async def logged(page: Any, condition: str, within: float = 20.0) -> None:
    """Wait until the page's log satisfies `condition` (JS over `log`, `v`, `hls`)."""
    await page.wait_for_function(
        f"() => {{ const v = document.getElementById('v'); return {condition}; }}",
        timeout=within * 1000,
        polling=50,
    )


async def stall_seconds(page: Any, after: float) -> float:
    """How long the page's video waited: from its first `waiting` past `after` s of video to the
    next `playing`, on the page's clock."""
    seconds: float = await page.evaluate(
        """(after) => {
            const wait = log.find(e => e[0] === 'waiting' && e[2] >= after);
            const back = log.find(e => e[0] === 'playing' && e[1] > wait[1]);
            return back[1] - wait[1];
        }""",
        after,
    )
    return seconds


async def stored(db: asyncpg.Connection, key: str, count: int = 1) -> list[dict[str, Any]]:
    return await final_sessions(db, key, count, timeout=20)
