"""Takes docs/demo.png: the demo page after one play, as a new user sees it a few seconds in.

python -m tests.browser.demo_screenshot http://127.0.0.1:3000 docs/demo.png
"""

from __future__ import annotations

import asyncio
import sys

from playwright.async_api import async_playwright

from tests.browser import player
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS


async def shoot(base_url: str, target: str) -> None:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = await browser.new_page(viewport={"width": 1180, "height": 760})
        await page.goto(base_url + "/demo")
        await player.wait_ready(page)
        await player.play(page)
        await asyncio.sleep(4.0)
        await page.click("#end-session")  # stores this session now, so the panel counts it
        await page.wait_for_function(
            "Number(document.getElementById('plays').textContent) > 0",
            timeout=20_000,
        )
        await asyncio.sleep(3.5)  # the next poll, and a few more seconds of the clip
        await page.screenshot(path=target)
        await browser.close()


if __name__ == "__main__":
    asyncio.run(shoot(sys.argv[1], sys.argv[2]))
