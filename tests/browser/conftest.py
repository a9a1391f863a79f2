"""Browser fixtures: headless Debian Chromium driven by Playwright for Python.

Playwright's own browser download does not work offline, so the system `chromium` is used. Without
it (or without Playwright) these tests skip and say why, unless VIDEO_METRICS_REQUIRE_BROWSER=1
(CI sets it) turns that into a failure, so a CI without a browser cannot pass by skipping.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.availability import unavailable
from tests.support.media import MediaServer

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
HAVE_CHROMIUM = CHROMIUM.exists()
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Tests start playback from script, with no user gesture to unlock sound.
    "--autoplay-policy=no-user-gesture-required",
    # Test pages sit on made-up public origins and the server on loopback; Chromium's Local
    # Network Access checks would block that (in production both are on the public network).
    "--disable-features=LocalNetworkAccessChecks",
]


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        unavailable("Playwright for Python is not installed (pip install -e '.[test]')")
    if not HAVE_CHROMIUM:
        unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set CHROMIUM)")
    playwright = await async_playwright().start()
    try:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        await browser.close()
    finally:
        await playwright.stop()


@pytest.fixture
async def context(browser: Any) -> AsyncIterator[Any]:
    """A fresh profile per test: no cookies, no storage, no cache carried between tests."""
    context = await browser.new_context()
    yield context
    await context.close()


@pytest.fixture
async def media() -> AsyncIterator[MediaServer]:
    """The test media (tests/media) from a server of the test's own, which can hold a file back."""
    server = MediaServer().start()
    yield server
    await asyncio.to_thread(server.stop)


@pytest.fixture(scope="session")
async def dashboard(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Any]:
    """One server with Basic auth for every dashboard test, and the week they look at
    (tests/browser/dashboard.py)."""
    from tests.browser.dashboard import start

    started = await start(database_url, tmp_path_factory.mktemp("dashboard"))
    yield started
    started.server.stop()


@pytest.fixture
async def owner(browser: Any) -> AsyncIterator[Any]:
    """A fresh profile of the site owner's browser: signed in, en-US, on Berlin's clock."""
    from tests.browser.dashboard import context_options

    context = await browser.new_context(**context_options())
    yield context
    await context.close()


@pytest.fixture(scope="session")
async def quality_dashboard(dashboard: Any, database_url: str) -> Any:
    """The quality site (tests/api/quality_site.py: sessions with quality events, and one from
    the published client) recorded with a key of its own on the dashboard tests' server."""
    from tests.api.quality_site import record_quality_site
    from tests.browser.dashboard import PASSWORD, USER

    return await record_quality_site(dashboard.server, database_url, auth=(USER, PASSWORD))
