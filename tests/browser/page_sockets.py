"""What the page's own websockets went through, counted in the page.

The server (or the fake one) sees a frame or a refused upgrade before the page sees the answer. A
test that acts on the page (moves its clock, plays, closes it) as soon as the server has seen
something may be ahead of the page; these let it wait for the page itself.
"""

from __future__ import annotations

import asyncio
from typing import Any

# Counts the `message` and `close` events of every websocket in the page (add it with
# `context.add_init_script` before the page loads).
COUNT_SOCKET_EVENTS = """
(() => {
  const Native = window.WebSocket;
  window.socketEvents = {message: 0, close: 0};
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      for (const type of ['message', 'close']) {
        this.addEventListener(type, () => { window.socketEvents[type] += 1; });
      }
    }
  };
})();
"""


async def wait_in_page(page: Any, event: str, count: int, within: float = 10.0) -> None:
    """Waits until the page's sockets have had `count` events of this type in all.

    Polled from Python, so the wait does not depend on the page clock the test is driving."""
    deadline = asyncio.get_running_loop().time() + within
    while (seen := await page.evaluate(f"window.socketEvents.{event}")) < count:
        assert asyncio.get_running_loop().time() < deadline, f"{seen} {event} events in the page, not {count}"
        await asyncio.sleep(0.05)
