"""The session state machine, with hand-computed expectations."""

import pytest

from app.ingest.session import Segment, Session, position, union_length

DURATION = 596.474195


def spans(session_segments: tuple[Segment, ...]) -> list[tuple[float, float]]:
    return [(round(s.start, 6), round(s.end, 6)) for s in session_segments]


def test_reference_frames_give_two_segments_and_an_open_play_closed_at_leave() -> None:
    # The event sequence of the reference document, at t = 0, 1.2, 10, 11.26, 11.3; leave at 20.
    s = Session(opened_at=0.0)
    s.play(0, DURATION, at=0.0)
    s.pause("1.2", DURATION, at=1.2)
    s.play("30.50", DURATION, at=10.0)
    s.pause("31.76", DURATION, at=11.26)
    s.play("31.76", DURATION, at=11.3)
    w = s.end(at=20.0)
    assert spans(w.segments) == [(0, 1.2), (30.5, 31.76), (31.76, 40.46)]
    assert w.watched == pytest.approx(1.2 + 1.26 + 8.7)
    assert w.unique_watched == pytest.approx(1.2 + 1.26 + 8.7)


def test_scrub_forward_is_a_pause_then_a_play_elsewhere() -> None:
    s = Session(opened_at=0.0)
    s.play(0, 100, at=0)
    s.pause(10.0, 100, at=10)  # the client reports the position before the jump, as a number
    s.play("50.00", 100, at=10.1)
    s.pause("60.00", 100, at=20)
    w = s.end(at=30)
    assert spans(w.segments) == [(0, 10), (50, 60)]
    assert w.watched == pytest.approx(20)
    assert w.unique_watched == pytest.approx(20)


def test_rewatch_counts_in_watched_but_once_in_unique() -> None:
    s = Session(opened_at=0.0)
    s.play(0, 100, at=0)
    s.pause("30.00", 100, at=30)
    s.play("10.00", 100, at=31)
    s.pause("40.00", 100, at=61)
    w = s.end(at=70)
    assert w.watched == pytest.approx(30 + 30)
    assert w.unique_watched == pytest.approx(40)


def test_repeated_pause_and_pause_before_play_are_ignored() -> None:
    s = Session(opened_at=0.0)
    s.pause("5.00", 100, at=0)
    s.play(0, 100, at=1)
    s.pause("5.00", 100, at=6)
    s.pause("7.00", 100, at=8)
    w = s.end(at=9)
    assert spans(w.segments) == [(0, 5)]


def test_open_play_is_closed_at_elapsed_time_capped_by_duration() -> None:
    s = Session(opened_at=0.0)
    s.play("90.00", 100, at=0)
    w = s.end(at=60)  # 60 s of wall clock but only 10 s of video left
    assert spans(w.segments) == [(90, 100)]


def test_open_play_without_duration_uses_elapsed_time() -> None:
    s = Session(opened_at=0.0)
    s.play(0, None, at=5)  # a live stream: duration null
    w = s.end(at=17.5)
    assert spans(w.segments) == [(0, 12.5)]
    assert w.duration is None


def test_string_and_number_positions_are_equal() -> None:
    a, b = Session(opened_at=0.0), Session(opened_at=0.0)
    a.play("12.50", "100", at=0)
    a.pause("20.25", "100", at=8)
    b.play(12.5, 100, at=0)
    b.pause(20.25, 100, at=8)
    assert a.end(9) == b.end(9)


def test_null_and_garbage_positions_are_ignored() -> None:
    s = Session(opened_at=0.0)
    s.play(None, 100, at=0)
    s.play("abc", 100, at=0)
    s.play(True, 100, at=0)
    s.play(float("nan"), 100, at=0)
    s.play(-3, 100, at=0)
    assert not s.playing
    s.play("1", 100, at=0)
    s.pause(None, 100, at=2)
    assert s.playing  # a pause with no position does not close the play
    s.pause({"x": 1}, 100, at=2)
    assert s.end(at=3).watched == pytest.approx(3)


def test_play_while_playing_closes_the_open_play_where_the_video_got_to() -> None:
    s = Session(opened_at=0.0)
    s.play(0, 100, at=0)
    s.play("50.00", 100, at=10)  # the pause was lost
    w = s.end(at=15)
    assert spans(w.segments) == [(0, 10), (50, 55)]


def test_pause_behind_the_play_position_watched_nothing() -> None:
    s = Session(opened_at=0.0)
    s.play("30.00", 100, at=0)
    s.pause("20.00", 100, at=1)
    assert s.end(at=2).segments == ()


def test_snapshot_does_not_end_the_session() -> None:
    s = Session(opened_at=0.0)
    s.play(0, 100, at=0)
    assert s.snapshot(at=10).watched == pytest.approx(10)
    assert s.playing
    assert s.end(at=20).watched == pytest.approx(20)


def test_duration_comes_from_the_events() -> None:
    s = Session(opened_at=0.0)
    s.play(0, "596.474195", at=0)
    assert s.end(at=1).duration == pytest.approx(DURATION)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, 0.0),
        ("0", 0.0),
        ("31.76", 31.76),
        (12, 12.0),
        ("", None),
        ("1e400", None),
        ("inf", None),
        (None, None),
        ([], None),
        ("x" * 40, None),
        (2_000_000, None),
    ],
)
def test_position(value: object, expected: float | None) -> None:
    assert position(value) == expected


def test_union_length_merges_overlaps_and_adjacent_segments() -> None:
    segments = [Segment(10, 20), Segment(0, 5), Segment(15, 30), Segment(30, 31), Segment(2, 3)]
    assert union_length(segments) == pytest.approx(5 + 21)
