"""Log lines a client can cause come at most once per kind per period, counting what was held back."""

from __future__ import annotations

import logging

import pytest

from app.throttle import ThrottledLog


def test_one_line_per_kind_per_period_with_the_count_held_back(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    throttled = ThrottledLog(logging.getLogger("t"), period=10.0, clock=lambda: now[0])
    with caplog.at_level(logging.INFO, "t"):
        assert throttled.log("not_json", "event=frame_refused reason=%r", "frame is not JSON")
        for _ in range(5000):
            assert not throttled.log("not_json", "event=frame_refused reason=%r", "frame is not JSON")
        assert throttled.log("too_large", "event=frame_refused reason=%r", "frame is larger")
        now[0] = 9.99
        assert not throttled.log("not_json", "event=frame_refused reason=%r", "frame is not JSON")
        now[0] = 10.0
        assert throttled.log("not_json", "event=frame_refused reason=%r", "frame is not JSON")
    assert [record.getMessage() for record in caplog.records] == [
        "event=frame_refused reason='frame is not JSON' unlogged_since_last=0",
        "event=frame_refused reason='frame is larger' unlogged_since_last=0",
        "event=frame_refused reason='frame is not JSON' unlogged_since_last=5001",
    ]


def test_memory_stays_bounded_however_many_kinds() -> None:
    throttled = ThrottledLog(logging.getLogger("t"), max_kinds=10, clock=lambda: 0.0)
    for n in range(1000):
        throttled.log(f"kind{n}", "event=x")
    assert len(throttled._last) <= 10
