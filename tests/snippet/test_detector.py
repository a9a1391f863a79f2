"""The snippet's playback detector on a fake clock, edge by edge (definitions: docs/METRICS.md)."""

from __future__ import annotations

import pytest

from tests.snippet.detector import Detector, Input


def playing_from(t0: float, p0: float, until: float, step: float = 0.25) -> list[Input]:
    """timeupdates of a playhead moving at rate 1 from (t0, p0) up to `until`."""
    steps: list[Input] = []
    t = t0
    while t + step <= until + 1e-9:
        t += step
        steps.append(("time", round(t, 6), round(p0 + t - t0, 6)))
    return steps


def started(at: float = 0.0) -> list[Input]:
    """A play intent at `at`, `playing` 0.5 s later, the first frame moving at `at` + 0.5."""
    return [("play", at, 0.0), ("playing", at + 0.5, 0.0), *playing_from(at + 0.5, 0.0, at + 1.0)]


def test_startup_is_intent_to_first_moving_frame(detector: Detector) -> None:
    run = detector.run([("play", 0.0, 0.0), ("playing", 0.8, 0.0), ("time", 1.0, 0.1)])
    [intent, first] = run.named("playback")
    assert intent["state"] == "starting" and "startup" not in intent
    # The playhead moved 0.1 s by t = 1.0: it started at 0.9, after `playing` (0.8).
    assert first["state"] == "playing" and first["startup"] == pytest.approx(0.9)


def test_startup_never_before_playing_and_paused_time_is_not_counted(detector: Detector) -> None:
    run = detector.run(
        [
            ("play", 0.0, 0.0),
            ("pause", 1.0, 0.0),  # the viewer paused while it loaded
            ("play", 5.0, 0.0),
            ("playing", 5.5, 0.0),
            ("time", 5.6, 0.5),  # moved further than the time since `playing` allows
        ]
    )
    assert run.states == ["starting", "paused", "starting", "playing"]
    assert run.named("playback")[-1]["startup"] == pytest.approx(1.0 + 0.5)


def test_a_long_stall_is_dated_back_to_the_last_movement(detector: Detector) -> None:
    steps = [*started(), *playing_from(1.0, 0.5, 5.0)]  # at t = 5 the playhead is at 4.5
    steps += [("time", 5.25, 4.5), ("tick", 6.0, 4.5)]  # still: a rebuffer from t = 5
    steps += [("tick", 7.0, 4.5), ("time", 8.1, 4.6)]  # moved 0.1 s by 8.1: resumed at 8.0
    run = detector.run(steps)
    assert run.states == ["starting", "playing", "rebuffering", "playing"]
    end = run.named("playback")[-1]
    assert end["rebuffers"] == 1
    assert end["rebuffering"] == pytest.approx(3.0)
    assert end["watch"] == pytest.approx(8.1)
    assert end["playing"] == pytest.approx(8.1 - 0.5 - 3.0)


def test_the_stall_is_due_one_second_after_the_last_movement(detector: Detector) -> None:
    run = detector.run([*started(), ("time", 1.25, 0.75)])
    assert run.wakes[-1] == pytest.approx(2.25)


def test_a_shorter_stall_over_250_ms_is_counted_when_playback_resumes(detector: Detector) -> None:
    steps = [*started(), ("time", 1.25, 0.75), ("time", 2.0, 1.0)]  # 0.75 s for 0.25 s of video
    run = detector.run(steps)
    end = run.named("playback")[-1]
    assert end["rebuffers"] == 1 and end["rebuffering"] == pytest.approx(0.5)


def test_a_stall_of_250_ms_or_less_is_not_counted(detector: Detector) -> None:
    steps = [*started(), ("time", 1.25, 0.75), ("time", 1.75, 1.0)]  # 0.25 s behind
    run = detector.run([*steps, ("pause", 2.0, 1.25)])
    assert run.named("playback")[-1]["rebuffers"] == 0


def test_waiting_and_stalled_are_hints_only(detector: Detector) -> None:
    steps = [*started(), ("waiting", 1.1, 0.6), ("time", 1.25, 0.75), ("pause", 1.3, 0.8)]
    run = detector.run(steps)
    assert run.named("playback")[-1]["rebuffers"] == 0


def test_a_hold_during_a_seek_is_seek_time_not_rebuffering(detector: Detector) -> None:
    steps = [*started(), ("seeking", 2.0, 10.0), ("tick", 3.5, 10.0), ("seeked", 5.0, 10.0)]
    steps += playing_from(5.0, 10.0, 6.0)
    end = detector.run(steps).summary
    assert end["seeks"] == 1 and end["seeking"] == pytest.approx(3.0)
    assert end["rebuffers"] == 0 and end["rebuffering"] == 0
    assert end["watch"] == pytest.approx(6.0)
    assert end["playing"] == pytest.approx(6.0 - 0.5 - 3.0)


def test_seeks_less_than_two_seconds_apart_count_once(detector: Detector) -> None:
    scrub = [("seeking", 2.0, 5.0), ("seeked", 2.1, 5.0), ("seeking", 3.0, 9.0), ("seeked", 3.2, 9.0)]
    later = [("seeking", 5.0, 20.0), ("seeked", 5.1, 20.0)]
    run = detector.run([*started(), *scrub, *later])
    end = run.named("playback")[-1]
    assert end["seeks"] == 2
    assert end["seeking"] == pytest.approx(0.1 + 0.2 + 0.1)


def test_a_stall_that_turns_into_a_seek_ends_at_the_seek(detector: Detector) -> None:
    steps = [*started(), ("tick", 2.5, 0.5), ("seeking", 4.0, 30.0), ("seeked", 4.5, 30.0)]
    end = detector.run(steps).named("playback")[-1]
    assert end["rebuffers"] == 1 and end["rebuffering"] == pytest.approx(3.0)


def test_a_seek_while_paused_is_latency_not_watch_time(detector: Detector) -> None:
    steps = [*started(), ("pause", 2.0, 1.5), ("seeking", 10.0, 5.0), ("seeked", 12.0, 5.0, {"paused": True})]
    end = detector.run(steps).named("playback")[-1]
    assert end["state"] == "paused" and end["seeking"] == pytest.approx(2.0)
    assert end["watch"] == pytest.approx(2.0)


def test_a_device_that_slept_does_not_count_the_gap(detector: Detector) -> None:
    steps = [
        *started(),
        ("time", 1.25, 0.75),
        ("time", 61.25, 0.75),
        ("time", 61.5, 1.0),
        ("pause", 62.0, 1.5),
    ]
    end = detector.run(steps).named("playback")[-1]
    assert end["watch"] == pytest.approx(1.25 + 0.75)
    assert end["rebuffers"] == 0


def test_a_hidden_page_counts_nothing_and_ends_a_stall(detector: Detector) -> None:
    steps = [*started(), ("tick", 2.5, 0.5), ("hide", 3.0, 0.5), ("tick", 9.0, 0.5), ("show", 20.0, 0.5)]
    steps += playing_from(20.0, 0.5, 21.0)
    run = detector.run(steps)
    hidden = [f for f in run.named("playback") if f["hidden"]]
    assert hidden and hidden[0]["rebuffering"] == pytest.approx(2.0)
    end = run.summary
    assert end["watch"] == pytest.approx(3.0 + 1.0)
    assert end["rebuffers"] == 1 and end["rebuffering"] == pytest.approx(2.0)


def test_a_fatal_error_before_the_first_frame(detector: Detector) -> None:
    message = "Failed to load https://cdn.example.com/v/abc.m3u8?token=9f8e7d6c5b4a39281706 (status 404)"
    run = detector.run([("play", 0.0, 0.0), ("error", 2.0, 0.0, {"code": "4", "message": message})])
    [error] = run.named("error")
    assert error == {"name": "error", "code": "4", "message": "Failed to load <url> (status <n>)"}
    # Only the first fatal error counts: the others follow from it.
    again = detector.run(
        [("play", 0.0, 0.0), ("error", 1.0, 0.0, {"code": "4"}), ("error", 2.0, 0.0, {"code": "3"})]
    )
    assert len(again.named("error")) == 1


def test_autoplay_is_the_intent_of_a_source_that_fails(detector: Detector) -> None:
    run = detector.run([("error", 1.0, 0.0, {"code": "4", "message": "x"})], autoplay=True)
    assert run.states == ["starting"] and len(run.named("error")) == 1
    without = detector.run([("error", 1.0, 0.0, {"code": "4", "message": "x"})], autoplay=False)
    assert without.states == [] and len(without.named("error")) == 1


def test_refused_autoplay_is_no_view(detector: Detector) -> None:
    # NotAllowedError: the browser fires no `play` event; only the impression was sent.
    run = detector.run(
        [("time", 1.0, 0.0), ("tick", 5.0, 0.0), ("end", 6.0, 0.0)], autoplay=True, impression=True
    )
    assert run.frames == [{"name": "impression", "autoplay": True}]
    assert not run.intent


def test_giving_up_before_the_first_frame(detector: Detector) -> None:
    run = detector.run([("play", 0.0, 0.0), ("tick", 2.0, 0.0), ("hide", 3.5, 0.0)])
    end = run.named("playback")[-1]
    assert end["state"] == "starting" and end["hidden"] and "startup" not in end
    assert end["watch"] == pytest.approx(3.5)


def test_ended_and_a_replay(detector: Detector) -> None:
    steps = [
        *started(),
        ("pause", 5.0, 4.5),
        ("ended", 5.0, 4.5),
        ("seeking", 8.0, 0.0),
        ("seeked", 8.1, 0.0),
    ]
    steps += [("play", 8.1, 0.0), *playing_from(8.1, 0.0, 9.0)]
    run = detector.run(steps)
    assert run.states[:4] == ["starting", "playing", "paused", "ended"]
    assert run.states[-1] == "playing"


def test_viewable_after_two_seconds_half_in_view_on_a_visible_page(detector: Detector) -> None:
    run = detector.run([("view", 0.0, 0.0, {"ratio": 0.6}), ("tick", 1.9, 0.0), ("tick", 2.0, 0.0)])
    assert run.wakes[0] == pytest.approx(2.0)
    assert [o for o in run.outputs[2]] == [] and run.outputs[3] == [{"name": "viewable"}]
    less = detector.run([("view", 0.0, 0.0, {"ratio": 0.49}), ("tick", 5.0, 0.0)])
    assert less.named("viewable") == []
    hidden = detector.run([("view", 0.0, 0.0, {"ratio": 1}), ("hide", 1.0, 0.0), ("tick", 5.0, 0.0)])
    assert hidden.named("viewable") == []


def test_bitrate_is_weighted_by_playing_time_and_changes_are_counted(detector: Detector) -> None:
    steps = [("rendition", 0.0, 0.0, {"bitrate": 1_000_000}), *started()]
    steps += [*playing_from(1.0, 0.5, 3.0), ("rendition", 3.0, 2.5, {"bitrate": 3_000_000})]
    steps += [*playing_from(3.0, 2.5, 4.0), ("pause", 4.0, 3.5)]
    end = detector.run(steps).named("playback")[-1]
    # 2.5 s playing at 1 Mbit/s (from the first frame at 0.5), then 1 s at 3 Mbit/s.
    assert end["bitrate"] == round((2.5 * 1e6 + 1 * 3e6) / 3.5)
    assert end["renditions"] == 1


def test_upscaling_is_weighted_by_playing_time(detector: Detector) -> None:
    steps = [*started(), ("time", 1.0, 0.5, {"upscale": 100}), *playing_from(1.0, 0.5, 2.0)]
    steps += [("time", 2.0, 1.5, {"upscale": 0}), *playing_from(2.0, 1.5, 3.0), ("pause", 3.0, 2.5)]
    end = detector.run(steps).named("playback")[-1]
    assert end["upscale"] == pytest.approx(50.0)


def test_dropped_frames_are_the_players_counts(detector: Detector) -> None:
    steps = [*started(), ("pause", 2.0, 1.5, {"dropped": 3, "frames": 48})]
    end = detector.run(steps).named("playback")[-1]
    assert (end["dropped"], end["frames"]) == (3, 48)
