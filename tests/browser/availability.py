"""What the browser tests need from outside Python (Chromium, Playwright, npm and its registry)."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def unavailable(reason: str) -> NoReturn:
    """Skip, saying why; in CI (VIDEO_METRICS_REQUIRE_BROWSER=1) fail instead: there the browser,
    npm and the registry are installed or reachable, so their absence is a broken setup."""
    if os.environ.get("VIDEO_METRICS_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}, and VIDEO_METRICS_REQUIRE_BROWSER=1 requires the browser tests")
    pytest.skip(reason)
