"""Generated input sequences never make the detector report a negative duration, a duration longer
than the session so far, more rebuffering (or playing, or startup) than watch time."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.snippet.detector import Detector, Input

TYPES = [
    "play", "playing", "pause", "seeking", "seeked", "waiting", "time", "time", "time", "tick",
    "ended", "error", "hide", "show", "view", "rendition", "end",
]  # fmt: skip
DATA: dict[str, Any] = {
    "seeked": st.fixed_dictionaries({"paused": st.booleans()}),
    "error": st.fixed_dictionaries(
        {"code": st.sampled_from(["2", "4", "hls:x"]), "message": st.text(max_size=30)}
    ),
    "view": st.fixed_dictionaries({"ratio": st.floats(0, 1)}),
    "rendition": st.fixed_dictionaries({"bitrate": st.integers(1, 10_000_000)}),
    "time": st.fixed_dictionaries(
        {},
        optional={
            "rate": st.sampled_from([0.5, 1, 1.5, 2]),
            "upscale": st.floats(0, 300),
            "paused": st.booleans(),
            "dropped": st.integers(0, 100),
            "frames": st.integers(0, 1000),
        },
    ),
}
steps = st.lists(
    st.tuples(
        st.sampled_from(TYPES),
        # Mostly timeupdate-like gaps; sometimes long ones (a stall, a device that slept).
        st.one_of(st.floats(0, 0.5), st.floats(0, 3), st.floats(25, 40)),
        st.one_of(st.just(None), st.floats(0, 0.6), st.floats(-5, 60)),  # playhead move
    ),
    max_size=60,
)

EPS = 0.002  # the frames carry milliseconds


@settings(max_examples=300, deadline=None)
@given(steps=steps, data=st.data(), start=st.floats(0, 1e6), autoplay=st.booleans())
def test_durations_stay_within_the_session_and_the_watch_time(
    detector: Detector,
    steps: list[tuple[str, float, float | None]],
    data: st.DataObject,
    start: float,
    autoplay: bool,
) -> None:
    inputs: list[Input] = []
    t, position = start, 0.0
    for kind, gap, move in steps:
        t += gap
        if move is not None:
            position = max(0.0, position + move)
        extra = data.draw(DATA[kind]) if kind in DATA else {}
        inputs.append((kind, t, position, extra))
    run = detector.run(inputs, start=start, autoplay=autoplay)
    times = [start] + [step[1] for step in inputs]
    for at, frames in zip(times, run.outputs, strict=True):
        for frame in frames:
            if frame["name"] == "playback":
                check(frame, at - start)
    check(run.summary, t - start)


def check(summary: dict[str, Any], elapsed: float) -> None:
    for name in ("watch", "playing", "rebuffering", "seeking", "startup"):
        value = summary.get(name, 0)
        assert 0 <= value <= elapsed + EPS, (name, summary, elapsed)
    for name in ("playing", "rebuffering", "startup"):
        assert summary.get(name, 0) <= summary["watch"] + EPS, (name, summary)
    assert summary["playing"] + summary["rebuffering"] <= summary["watch"] + EPS, summary
    for name in ("rebuffers", "seeks", "renditions"):
        assert isinstance(summary[name], int) and summary[name] >= 0
    assert summary["rebuffering"] == 0 or summary["rebuffers"] > 0, summary
    assert 0 <= summary.get("upscale", 0) <= 300 and summary.get("bitrate", 1) > 0
