"""One node process per test module runs the snippet's detector."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.snippet.detector import Detector


@pytest.fixture(scope="module")
def detector() -> Iterator[Detector]:
    running = Detector()
    yield running
    running.close()
