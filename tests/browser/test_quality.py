"""Quality of experience end to end: headless Chromium plays real HLS media from a server the test
controls (it can hold a segment back), the snippet reports to a real server, and the stored rows
say what the page went through, measured by the page itself where a duration is compared.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from app.ingest.failure import normalise
from tests.browser import player
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.quality_pages import (
    HIGH,
    LOW,
    hls_page,
    logged,
    open_page,
    plain_page,
    stall_seconds,
    stored,
)
from tests.support.media import MediaServer
from tests.support.server import ServerProcess


async def test_a_held_segment_mid_play_is_one_rebuffer_of_its_length(
    context: Any, server: ServerProcess, api_key: str, media: MediaServer, db: asyncpg.Connection
) -> None:
    gate = media.hold("seg3.ts")  # 6 to 8 s of video
    page = await open_page(context, media.page("/watch", hls_page(server, api_key, "stall")))
    await player.play(page)
    await logged(page, "v.currentTime > 5.5 && v.readyState < 3")  # the playhead stopped at 6 s
    await asyncio.sleep(3.0)
    gate.set()
    await logged(page, "v.currentTime > 8.5")
    await player.pause(page)
    waited = await stall_seconds(page, 5.5)
    await page.close(run_before_unload=True)

    [row] = await stored(db, api_key)
    assert row["rebuffer_count"] == 1, row
    assert row["rebuffer_time"] == pytest.approx(waited, abs=0.5)
    assert 2.8 <= row["rebuffer_time"] <= 4.5
    assert row["seek_count"] == 0 and row["exit"] == "paused" and row["error_fingerprint"] is None
    assert 0 <= row["startup_time"] < 5  # the clip was buffered before the play: often a few ms
    # Watch time holds the startup, the playing and the stall; playing time only the playing.
    assert row["watch_time"] == pytest.approx(
        row["startup_time"] + row["playing_time"] + row["rebuffer_time"], abs=0.3
    )
    assert row["playing_time"] == pytest.approx(row["watched"], abs=0.6)
    assert page.errors == []


async def test_the_same_hold_during_a_seek_is_one_seek_and_no_rebuffer(
    context: Any, server: ServerProcess, api_key: str, media: MediaServer, db: asyncpg.Connection
) -> None:
    gate = media.hold("seg4.ts")  # 8 to 10 s of video
    page = await open_page(context, media.page("/watch", hls_page(server, api_key, "seek")))
    await player.play(page)
    await asyncio.sleep(1.0)
    await page.evaluate("document.getElementById('v').currentTime = 9")
    for _ in range(200):
        if media.requested("seg4.ts"):
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(3.0)
    gate.set()
    await logged(page, "log.some(e => e[0] === 'seeked') && v.currentTime > 9.8")
    await player.pause(page)
    seeking: float = await page.evaluate(
        "() => log.find(e => e[0] === 'seeked')[1] - log.find(e => e[0] === 'seeking')[1]"
    )
    await page.close(run_before_unload=True)

    [row] = await stored(db, api_key)
    assert row["seek_count"] == 1, row
    assert row["seek_time"] == pytest.approx(seeking, abs=0.5)
    assert row["seek_time"] >= 2.5
    assert row["rebuffer_count"] == 0 and row["rebuffer_time"] == 0, row


async def test_a_broken_source_is_a_startup_failure_with_its_error_group(
    context: Any, server: ServerProcess, api_key: str, media: MediaServer, db: asyncpg.Connection
) -> None:
    # It autoplays: the play intent is there before the error (a click would come after it, and
    # the browser fires no `play` for a source it already refused).
    url = media.page("/watch", plain_page(server, api_key, "broken", "/broken.mp4"))
    page = await open_page(context, url)
    await logged(page, "log.some(e => e[0] === 'error')")
    code, message = await page.evaluate("() => [v.error.code, v.error.message]")
    await page.close(run_before_unload=True)

    [row] = await stored(db, api_key)
    assert (row["exit"], row["error_phase"]) == ("failed", "startup"), row
    assert row["startup_time"] is None
    group = await db.fetchrow(
        "SELECT * FROM error_groups WHERE key_id = $1 AND fingerprint = $2",
        row["key_id"],
        row["error_fingerprint"],
    )
    assert group is not None and group["code"] == str(code) == "4"
    assert group["message"] == normalise(message)  # Chromium's own words, without particulars
    assert group["first_seen"] == group["last_seen"] == row["started_at"]


async def test_a_slow_first_segment_and_a_closed_tab_is_an_exit_before_start(
    context: Any, server: ServerProcess, api_key: str, media: MediaServer, db: asyncpg.Connection
) -> None:
    media.hold("seg0.ts")
    page = await open_page(context, media.page("/watch", hls_page(server, api_key, "exit")))
    await page.evaluate("() => { document.getElementById('v').play().catch(() => {}); }")  # no waiting
    await logged(page, "log.some(e => e[0] === 'play')")
    await asyncio.sleep(2.0)
    waited: float = await page.evaluate("() => performance.now() / 1000 - log.find(e => e[0] === 'play')[1]")
    await page.close(run_before_unload=True)

    [row] = await stored(db, api_key)
    assert row["exit"] == "gave_up", {k: v for k, v in row.items() if k not in ("metadata",)}
    assert row["startup_time"] is None and row["error_fingerprint"] is None
    assert row["waited"] == pytest.approx(waited, abs=0.5)
    assert row["watched"] == 0


async def test_a_page_that_never_plays_beside_one_that_plays_is_two_impressions(
    context: Any, server: ServerProcess, api_key: str, media: MediaServer, db: asyncpg.Connection
) -> None:
    idle = await open_page(context, media.page("/shelf", hls_page(server, api_key, "rate")))
    watching = await open_page(context, media.page("/watch", hls_page(server, api_key, "rate")))
    await player.play(watching)
    await asyncio.sleep(2.5)  # more than the 1 s of a play, and the 2 s of a viewable impression
    await player.pause(watching)
    await idle.close(run_before_unload=True)
    await watching.close(run_before_unload=True)

    rows = await stored(db, api_key, 2)
    assert all(row["impression"] and not row["autoplay"] for row in rows), rows
    by_page = {row["page_url"].rsplit("/", 1)[-1]: row for row in rows}
    assert by_page["shelf"]["exit"] is None and by_page["shelf"]["watched"] == 0
    assert by_page["watch"]["exit"] == "paused" and by_page["watch"]["watched"] >= 1
    assert by_page["watch"]["viewable"]
    # What part B computes play rate from: plays among the impressions, from the rollups.
    key_id = rows[0]["key_id"]
    rate = await db.fetchrow(
        "SELECT sum(impressions) AS impressions, sum(impressions) FILTER (WHERE watched_class >= 1) AS plays "
        "FROM plays_hourly WHERE key_id = $1",
        key_id,
    )
    assert rate is not None and (rate["impressions"], rate["plays"]) == (2, 1)  # play rate 50 %
    per_page = await db.fetch(
        "SELECT page_url, impressions, plays_1 FROM impressions_hourly WHERE key_id = $1 ORDER BY page_url",
        key_id,
    )
    assert [(r["page_url"].rsplit("/", 1)[-1], r["impressions"], r["plays_1"]) for r in per_page] == [
        ("shelf", 1, 0),
        ("watch", 1, 1),
    ]


async def test_two_renditions_switching_give_a_weighted_bitrate_and_a_change(
    context: Any, server: ServerProcess, api_key: str, media: MediaServer, db: asyncpg.Connection
) -> None:
    # The low rendition only (on loopback the estimate would pick the high one at once), then the
    # high one from 3 s on.
    page = await open_page(
        context, media.page("/watch", hls_page(server, api_key, "abr", "hls.autoLevelCapping = 0;"))
    )
    await player.play(page)
    await asyncio.sleep(3.0)
    await page.evaluate("() => { hls.autoLevelCapping = -1; hls.currentLevel = 1; }")  # 180p to 360p
    await logged(page, "hls.levels[hls.currentLevel].bitrate === 330000 && v.currentTime > 5")
    await asyncio.sleep(2.0)
    await player.pause(page)
    await page.close(run_before_unload=True)

    [row] = await stored(db, api_key)
    assert row["rendition_changes"] >= 1, {
        k: row[k] for k in ("bitrate", "rendition_changes", "upscale", "frames", "exit")
    }
    assert LOW < row["bitrate"] < HIGH, row
    assert row["dropped_frames"] is not None and row["frames"] > 0
    assert row["upscale"] is not None and row["upscale"] > 0  # 180p shown in a 360p box


async def test_a_play_to_the_end_is_complete_with_all_four_quartiles(
    context: Any, server: ServerProcess, api_key: str, media: MediaServer, db: asyncpg.Connection
) -> None:
    page = await open_page(context, media.page("/watch", hls_page(server, api_key, "end")))
    await player.play(page)
    await logged(page, "log.some(e => e[0] === 'ended')", within=30)
    await page.close(run_before_unload=True)

    [row] = await stored(db, api_key)
    assert row["exit"] == "ended" and row["completed"], row
    assert row["quartiles"] == 0b1111
    assert row["furthest"] == pytest.approx(12.0, abs=0.1)


async def test_refused_autoplay_is_an_impression_and_no_view(
    browser: Any, server: ServerProcess, api_key: str, media: MediaServer, db: asyncpg.Connection
) -> None:
    # A browser with Chromium's own autoplay policy: a video with sound may not start by itself.
    strict = await browser.browser_type.launch(
        executable_path=str(CHROMIUM),
        args=[a for a in CHROMIUM_ARGS if not a.startswith("--autoplay-policy")],
    )
    try:
        context = await strict.new_context()
        # A clip with sound (Chromium lets a video without an audio track autoplay).
        html = plain_page(server, api_key, "autoplay", server.base_url + "/static/demo.webm")
        html = html.replace('<video id="v" muted autoplay', '<video id="v" autoplay')
        page = await open_page(context, media.page("/watch", html))
        await asyncio.sleep(2.0)
        refused = await page.evaluate("() => [v.paused, log.some(e => e[0] === 'play')]")
        await page.close(run_before_unload=True)
        await context.close()
    finally:
        await strict.close()
    assert refused == [True, False]  # the browser refused: no `play` event at all
    [row] = await stored(db, api_key)
    assert (row["impression"], row["autoplay"], row["exit"]) == (True, True, None)
    assert row["startup_time"] is None and row["watch_time"] == 0
