"""The snippet beside a video.js player: its tech's element is monitored, its quality levels give
the bitrate, its errors fail the view. video.js is fetched from the npm registry at test time
(`npm pack`), like the reference client, and never committed."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import tarfile
from typing import Any

import asyncpg
import pytest

from tests.browser import player
from tests.browser.availability import unavailable
from tests.browser.quality_pages import HIGH, LOW, logged, open_page, stored
from tests.support.media import MediaServer
from tests.support.server import ServerProcess

PACKAGE = "video.js@8.24.1"


@pytest.fixture(scope="session")
def videojs_bundle(tmp_path_factory: pytest.TempPathFactory) -> str:
    npm = shutil.which("npm")
    if npm is None:
        unavailable(f"npm is not installed, so {PACKAGE} cannot be fetched")
    folder = tmp_path_factory.mktemp("videojs")
    packed = subprocess.run(
        [npm, "pack", PACKAGE, "--silent", "--pack-destination", str(folder)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    if packed.returncode != 0:
        unavailable(f"npm pack {PACKAGE} failed (registry unreachable?): {packed.stderr.strip()}")
    tarball = folder / packed.stdout.strip().splitlines()[-1]
    with tarfile.open(tarball) as archive:
        member = archive.extractfile("package/dist/video.min.js")
        assert member is not None
        return member.read().decode()


def videojs_page(
    server: ServerProcess, key: str, video: str, source: str, kind: str, options: str = ""
) -> str:
    socket = server.base_url.replace("http://", "ws://") + "/socket"
    return f"""<!doctype html><html><body>
<video id="player" class="video-js" muted playsinline width="640" height="360"></video>
<script src="/video.min.js"></script>
<script src="{server.base_url}/static/metrics.js"></script>
<script>
Metrics.config = {{apiKey: "{key}", socketPath: "{socket}"}};
const vjs = window.vjs = videojs("player", {{html5: {{vhs: {{overrideNative: true}}}}{options}}});
// What the tests read: the tech's own <video>, and what it did.
const v = vjs.tech(true).el();
v.id = "v";
window.log = [];
for (const type of ['play', 'playing', 'pause', 'error'])
  v.addEventListener(type, () => log.push([type, performance.now() / 1000, v.currentTime]));
window.m = new Metrics(vjs, "Clip", {{id: "{video}"}}).monitor();
vjs.src({{src: "{source}", type: "{kind}"}});
</script></body></html>"""


async def test_a_videojs_player_reports_its_bitrate(
    context: Any,
    server: ServerProcess,
    api_key: str,
    media: MediaServer,
    db: asyncpg.Connection,
    videojs_bundle: str,
) -> None:
    media.pages["/video.min.js"] = videojs_bundle
    html = videojs_page(server, api_key, "vjs", "/hls/index.m3u8", "application/x-mpegURL")
    page = await open_page(context, media.page("/watch", html))
    await player.play(page)
    await asyncio.sleep(3.0)
    await player.pause(page)
    await page.close(run_before_unload=True)

    [row] = await stored(db, api_key)
    assert row["impression"] and row["exit"] == "paused" and row["startup_time"] is not None, row
    assert row["bitrate"] is not None and LOW <= row["bitrate"] <= HIGH, row["bitrate"]
    assert row["watched"] >= 2


async def test_a_videojs_error_fails_the_view(
    context: Any,
    server: ServerProcess,
    api_key: str,
    media: MediaServer,
    db: asyncpg.Connection,
    videojs_bundle: str,
) -> None:
    media.pages["/video.min.js"] = videojs_bundle
    # It autoplays: the intent is there before the error (the browser fires no `play` for a
    # source it already refused, whatever the page calls).
    html = videojs_page(server, api_key, "vjs-broken", "/broken.mp4", "video/mp4", ", autoplay: true")
    page = await open_page(context, media.page("/watch", html))
    await logged(page, "vjs.error() !== null")
    await page.close(run_before_unload=True)

    [row] = await stored(db, api_key)
    assert row["exit"] == "failed" and row["error_phase"] == "startup", row
    group = await db.fetchrow(
        "SELECT code FROM error_groups WHERE key_id = $1 AND fingerprint = $2",
        row["key_id"],
        row["error_fingerprint"],
    )
    assert group is not None and group["code"] in ("4", "vjs:4")
