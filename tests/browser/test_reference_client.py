"""The published @maveio/metrics 0.1.5 client, unmodified, records against this server.

Existing pages must work by changing nothing but `socketPath` (CONTRACT). The bundle is fetched
from the npm registry at test time (`npm pack`), never committed.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import tarfile
import time
from typing import Any

import pytest

from tests.browser import player
from tests.browser.availability import unavailable
from tests.browser.results import plays
from tests.browser.site import Site
from tests.support.server import ServerProcess

PACKAGE = "@maveio/metrics@0.1.5"


@pytest.fixture(scope="session")
def reference_bundle(tmp_path_factory: pytest.TempPathFactory) -> str:
    npm = shutil.which("npm")
    if npm is None:
        unavailable(f"npm is not installed, so {PACKAGE} cannot be fetched")
    folder = tmp_path_factory.mktemp("npm")
    packed = subprocess.run(
        [npm, "pack", PACKAGE, "--silent", "--pack-destination", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if packed.returncode != 0:
        unavailable(f"npm pack {PACKAGE} failed (registry unreachable?): {packed.stderr.strip()}")
    tarball = folder / packed.stdout.strip().splitlines()[-1]
    with tarfile.open(tarball) as archive:
        member = archive.extractfile("package/dist/index.js")
        assert member is not None
        return member.read().decode()


async def test_unmodified_reference_client_records_a_session(
    context: Any, server: ServerProcess, api_key: str, reference_bundle: str
) -> None:
    site = Site("http://shop.example.test")
    site.files["mave-metrics.js"] = reference_bundle.encode()
    await site.install(context)
    socket_path = server.base_url.replace("http://", "ws://") + "/socket"
    html = f"""<!doctype html><html><body>
<video id="v" src="{server.base_url}/static/demo.webm" preload="auto" muted playsinline></video>
<script>var module = {{exports: {{}}}}; var exports = module.exports;</script>
<script src="/mave-metrics.js"></script>
<script>
  const {{ Metrics }} = module.exports;
  Metrics.config = {{apiKey: "{api_key}", socketPath: "{socket_path}"}};
  new Metrics("#v", "Reference clip", {{id: "reference-video"}}).monitor();
</script></body></html>"""
    since = time.time()
    page = await context.new_page()
    await page.goto(site.page("/products/shoes", html))
    await player.wait_ready(page)
    watched = player.Watched()
    watched.start(await player.play(page))
    await asyncio.sleep(2.0)
    watched.stop(await player.pause(page))
    await asyncio.sleep(0.3)
    await page.close()
    bucket = await plays(server.base_url, api_key, since, expect=1)
    # The reference client rounds a start under 1 s down to 0 and sends positions to 1/100 s.
    assert bucket["total_view_time"] == pytest.approx(watched.total, abs=0.5)
    assert bucket["browser"]["chrome"] == 1
