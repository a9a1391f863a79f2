"""Takes the dashboard's screenshots in docs/dashboard/: every page at desktop and phone width, in
light and dark, on a shop's and a blog's plausible quarter (tests/browser/dashboard_data.py) with
a few playbacks playing right now.

    python -m tests.browser.dashboard_screenshots                 # embedded PostgreSQL
    DATABASE_URL=postgresql://... python -m tests.browser.dashboard_screenshots

Each run uses a database of its own on that server and drops it after.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import tempfile
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from playwright.async_api import ViewportSize, async_playwright

from app.db.embedded import EmbeddedPostgres
from app.db.migrate import migrate
from app.db.pool import init_connection
from tests.api.sessions import CHROME_ANDROID, SAFARI_IPHONE
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.dashboard import ready
from tests.browser.dashboard_data import VIDEOS, seed
from tests.support.databases import fresh_database
from tests.support.phoenix import CHROME_LINUX, PhoenixSocket
from tests.support.server import ServerProcess

ROOT = Path(__file__).resolve().parents[2]
SHOP = "example-shop"
PAGES = {
    "overview": ("/", {"key": SHOP}),
    "videos": ("/videos", {"key": SHOP}),
    "video": ("/video", {"key": SHOP, "video": json.dumps({"id": "pick-shoes"})}),
    "quality": ("/quality", {"key": SHOP}),
    "live": ("/live", {"key": SHOP}),
    "keys": ("/keys", {}),
}
SIZES: dict[str, ViewportSize] = {
    "desktop": {"width": 1280, "height": 900},
    "phone": {"width": 360, "height": 780},
}
# Playing right now, for the Live page: (video id, label, page, browser).
PLAYING = [
    ("spring-24", "Spring collection 2024", "https://shop.example.com/", CHROME_LINUX),
    ("spring-24", "Spring collection 2024", "https://shop.example.com/collections/spring", SAFARI_IPHONE),
    (
        "pick-shoes",
        "How to pick running shoes",
        "https://shop.example.com/guides/running-shoes",
        CHROME_ANDROID,
    ),
]


async def play_now(server: ServerProcess, stack: AsyncExitStack) -> None:
    for n, (video, label, page, agent) in enumerate(PLAYING):
        socket = await PhoenixSocket.open(server.ws_url(source_url=page), agent)
        stack.push_async_callback(socket.close)
        topic = f"session:screenshot{n:012d}"
        join_ref, _ = await socket.join(topic, SHOP, {"id": video}, identifier=label, source_url=page)
        # The video's real length: the player's report of it becomes the stored one.
        length = next(seconds for _, name, _, seconds, _, _ in VIDEOS if name == video)
        await socket.push(join_ref, topic, {"name": "play", "from": 0, "duration": length})
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        for _ in range(100):
            answer = (await client.get("/api/v1/watching")).json()
            if answer["watching"] >= len(PLAYING):
                return
            await asyncio.sleep(0.1)


async def shoot(base_url: str, out: Path) -> list[Path]:
    taken = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for size, viewport in SIZES.items():
            for scheme in ("light", "dark"):
                context = await browser.new_context(
                    viewport=viewport,
                    color_scheme=scheme,
                    locale="en-US",
                    timezone_id="Europe/Berlin",
                    device_scale_factor=1,
                    is_mobile=size == "phone",
                )
                page = await context.new_page()
                for name, (path, state) in PAGES.items():
                    query = httpx.QueryParams(state)
                    await page.goto(f"{base_url}{path}?{query}" if state else base_url + path)
                    await ready(page)
                    if name == "keys":
                        await page.click("tr:has(td[data-value='example-shop']) button:has-text('Snippet')")
                        # The click scrolled the table to the button; show it from its start.
                        await page.eval_on_selector_all(
                            ".scroll", "boxes => boxes.forEach(b => (b.scrollLeft = 0))"
                        )
                    target = out / f"{name}-{size}-{scheme}.png"
                    await page.screenshot(path=target, full_page=True)
                    taken.append(target)
                await context.close()
        await browser.close()
    return taken


async def main(database_url: str | None, out: Path) -> None:
    folder = None
    embedded = None
    if database_url is None:
        folder = Path(tempfile.mkdtemp(prefix="video-metrics-shots-"))
        folder.chmod(0o755)
        embedded = EmbeddedPostgres(folder / "pg")
        database_url = await asyncio.to_thread(embedded.start)
    try:
        async with fresh_database(database_url, "dashboard_shots") as url:
            connection = await asyncpg.connect(url)
            try:
                await init_connection(connection)
                await migrate(connection)
                await seed(connection)
            finally:
                await connection.close()
            data_dir = Path(tempfile.mkdtemp(prefix="video-metrics-shots-server-"))
            server = ServerProcess(url, data_dir).start()
            try:
                async with AsyncExitStack() as stack:
                    await play_now(server, stack)
                    for target in await shoot(server.base_url, out):
                        print(target.relative_to(ROOT) if target.is_relative_to(ROOT) else target)
            finally:
                server.stop()
                shutil.rmtree(data_dir, ignore_errors=True)
    finally:
        if embedded is not None:
            await asyncio.to_thread(embedded.stop)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


def arguments() -> Any:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "dashboard")
    return parser.parse_args()


if __name__ == "__main__":
    target = arguments().out
    target.mkdir(parents=True, exist_ok=True)
    asyncio.run(main(os.environ.get("DATABASE_URL"), target))
