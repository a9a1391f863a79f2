"""The quality fold (app/ingest/quality.py) with plain values: every rule and limit at its edge."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.ingest import quality
from app.ingest.quality import MAX_ERRORS, MAX_SUMMARIES, MAX_UNHEARD, Quality, fold
from app.ingest.session import Session
from tests.ingest.test_channels import connection, frame
from tests.support.writers import RecordingWriter


def summary(**fields: Any) -> dict[str, Any]:
    return {"name": "playback", **fields}


def test_impression_and_viewable_count_once() -> None:
    q = Quality()
    assert fold(q, "impression", {"autoplay": True}, 0) == (True, None)
    assert fold(q, "impression", {"autoplay": False}, 1) == (False, None)
    assert q.impression and q.autoplay
    assert fold(q, "viewable", {}, 2) == (True, None) and fold(q, "viewable", {}, 3) == (False, None)
    assert fold(Quality(), "impression", {"autoplay": "yes"}, 0) and not Quality().autoplay


def test_a_summary_is_a_play_intent_and_counters_keep_their_largest_value() -> None:
    q = Quality()
    fold(q, "playback", summary(state="starting", watch=1.5), 10)
    assert q.intent and q.state == "starting" and q.state_at == 10
    fold(q, "playback", summary(state="playing", watch=4.0, playing=2.0, startup=1.234, rebuffers=2), 12)
    fold(q, "playback", summary(state="paused", watch=3.0, playing=1.0, rebuffers=1, startup=9), 13)
    assert (q.watch, q.playing, q.rebuffers) == (4.0, 2.0, 2)  # a smaller value is a late frame
    assert q.startup == 1.23  # the first one, to the hundredth of a second
    assert q.state == "paused"


@pytest.mark.parametrize(
    "bad",
    [-1, float("nan"), float("inf"), "3", True, None, [1], {"x": 1}, 1_000_000.5, 5e-324 * -1],
)
def test_invalid_numbers_are_ignored(bad: Any) -> None:
    q = Quality()
    fold(q, "playback", summary(state="playing", watch=bad, playing=bad, rebuffers=bad, seeks=bad), 0)
    assert (q.watch, q.playing, q.rebuffers, q.seeks) == (0.0, 0.0, 0, 0)


def test_numbers_are_kept_to_the_microsecond_and_never_subnormal() -> None:
    q = Quality()
    fold(q, "playback", summary(watch=5e-324, playing=1e-7, seeking=1.23456789, upscale=1e-300), 0)
    stored = q.final(0, 10.0, None)  # rounded once, as stored
    assert (stored.watch, stored.playing, stored.seeking, stored.upscale) == (0.0, 0.0, 1.234568, 0.0)


def test_counts_must_be_whole_and_bounded() -> None:
    q = Quality()
    fold(q, "playback", summary(rebuffers=2.5, seeks=quality.MAX_COUNT + 1, renditions=quality.MAX_COUNT), 0)
    assert (q.rebuffers, q.seeks, q.renditions) == (0, 0, quality.MAX_COUNT)


def test_averages_keep_the_latest_value() -> None:
    q = Quality()
    fold(q, "playback", summary(bitrate=3_000_000, upscale=50), 0)
    fold(q, "playback", summary(bitrate=1_000_000, upscale=0), 1)
    assert (q.bitrate, q.upscale) == (1_000_000, 0)
    fold(q, "playback", summary(bitrate=0, upscale=10_001), 2)  # out of bounds: kept as they were
    assert (q.bitrate, q.upscale) == (1_000_000, 0)


def test_summaries_are_limited_per_session() -> None:
    q = Quality()
    for n in range(MAX_SUMMARIES):
        assert fold(q, "playback", summary(watch=n), n) == (True, None)
    changed, refusal = fold(q, "playback", summary(watch=5_000), 5_000)
    assert not changed and refusal == f"too many playback summaries in this session (limit {MAX_SUMMARIES})"
    assert q.watch == MAX_SUMMARIES - 1


def test_the_first_fatal_error_is_the_failure_and_errors_are_limited() -> None:
    q = Quality()
    assert fold(q, "error", {"code": "4", "message": "bad at 0x1f"}, 0) == (True, None)
    assert q.failure is not None and q.failure.phase == "startup" and q.failure.message == "bad at <hex>"
    for _ in range(MAX_ERRORS - 1):
        assert fold(q, "error", {"code": "3", "message": "later"}, 1) == (False, None)
    assert q.failure.code == "4"
    assert fold(q, "error", {"code": "3"}, 2) == (
        False,
        f"too many errors in this session (limit {MAX_ERRORS})",
    )


def test_a_failure_after_the_first_frame_is_a_playback_failure() -> None:
    q = Quality()
    fold(q, "playback", summary(state="playing", startup=0.5), 0)
    fold(q, "error", {"code": 3}, 1)  # a MediaError's number
    assert q.failure is not None and (q.failure.code, q.failure.phase) == ("3", "playback")


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ({"code": "x" * 65}, "error code must be 1 to 64 letters, digits or _.:-"),
        ({"code": ""}, "error code must be 1 to 64 letters, digits or _.:-"),
        ({"code": "a b"}, "error code must be 1 to 64 letters, digits or _.:-"),
        ({"code": None}, "error code must be 1 to 64 letters, digits or _.:-"),
        ({"code": True}, "error code must be 1 to 64 letters, digits or _.:-"),
        ({"code": "4", "message": "m" * 201}, "error message must be at most 200 characters"),
        ({"code": "4", "message": 7}, "error message must be a string"),
    ],
)
def test_error_fields_are_refused_naming_the_field(payload: dict[str, Any], reason: str) -> None:
    q = Quality()
    assert fold(q, "error", payload, 0) == (False, reason)
    assert q.failure is None


def test_error_field_edges_are_accepted() -> None:
    q = Quality()
    assert fold(q, "error", {"code": "c" * 64, "message": "m" * 200}, 0) == (True, None)
    assert q.failure is not None and len(q.failure.message) == 200


def ended(q: Quality, at: float, wall: float, left: float | None = None) -> Quality:
    return q.final(at, wall, left)


def test_a_running_state_goes_on_with_the_clock_until_the_end_within_bounds() -> None:
    q = Quality()
    fold(q, "playback", summary(state="rebuffering", watch=10, playing=6, rebuffers=1, rebuffering=2), 100)
    end = ended(q, 105, wall=60)
    assert (end.watch, end.rebuffering, end.playing) == (15, 7, 6)
    far = ended(q, 100 + 10 * MAX_UNHEARD, wall=1e6)
    assert far.rebuffering == 2 + MAX_UNHEARD
    assert q.watch == 10  # the session itself is unchanged


def test_playing_goes_on_no_further_than_the_video_and_hidden_pages_not_at_all() -> None:
    q = Quality()
    fold(q, "playback", summary(state="playing", watch=10, playing=8, startup=1), 100)
    assert ended(q, 110, wall=60, left=3).playing == 11
    assert ended(q, 110, wall=60, left=None).playing == 8  # no play open: nothing plays
    fold(q, "playback", summary(state="playing", hidden=True, watch=10, playing=8), 100)
    assert ended(q, 110, wall=60, left=30).watch == 10


def test_durations_are_held_within_the_session_and_the_watch_time() -> None:
    q = Quality()
    fold(
        q,
        "playback",
        summary(state="paused", watch=50, playing=80, rebuffering=70, seeking=90, startup=60),
        0,
    )
    end = ended(q, 0, wall=40)
    assert end.watch == 40 and end.playing == 40 and end.rebuffering == 40
    assert end.seeking == 40 and end.startup == 40  # seeking may exceed watch time, not the session


@pytest.mark.parametrize("wall", [0.009801, 0.0049, 0.015, 0.999999])
def test_startup_rounded_to_the_hundredth_never_passes_a_short_session(wall: float) -> None:
    """Found by the live fuzz test: a session 9.8 ms long stored a startup of 0.01 s."""
    q = Quality()
    fold(q, "playback", summary(state="paused", startup=0.25, watch=7, playing=5.5), 0)
    end = ended(q, 0, wall=wall)
    assert end.startup is not None and 0 <= end.startup <= end.watch <= wall
    assert round(end.startup * 100) == end.startup * 100  # still a whole hundredth


@pytest.mark.parametrize(
    ("events", "exit_", "waited"),
    [
        ([], None, None),
        ([summary(state="starting", watch=3)], "gave_up", 3),
        ([summary(state="playing", startup=1, watch=3)], "closed", None),
        ([summary(state="rebuffering", startup=1, watch=3)], "closed", None),
        ([summary(state="paused", startup=1, watch=3)], "paused", None),
        ([summary(state="ended", startup=1, watch=3)], "ended", None),
        ([summary(state="starting", watch=3), {"name": "error", "code": "4"}], "failed", None),
    ],
)
def test_exit_types(events: list[dict[str, Any]], exit_: str | None, waited: float | None) -> None:
    q = Quality()
    for event in events:
        fold(q, event.pop("name"), event, 0)
    end = ended(q, 0, wall=10)
    assert (end.exit, end.waited) == (exit_, waited)


def test_an_error_without_a_play_intent_is_kept_but_is_no_view() -> None:
    q = Quality()
    fold(q, "error", {"code": "4", "message": "no source"}, 0)
    assert q.failure is not None and q.exit is None


def test_a_session_derives_completion_quartiles_and_the_furthest_position() -> None:
    s = Session(opened_at=0.0)
    s.play(0, 100, at=0)
    s.pause("30", 100, at=30)  # 25 % played through
    s.play("60", 100, at=31)
    s.pause("98.5", 100, at=70)  # 75 %, and within 2 s of the end
    w = s.end(at=71)
    assert (w.furthest, w.completed, w.quartiles) == (98.5, True, 0b1101)  # 50 % was skipped


def test_completion_needs_a_duration_and_the_player_may_say_ended() -> None:
    live = Session(opened_at=0.0)
    live.play(0, None, at=0)
    assert live.end(at=50).completed is False
    s = Session(opened_at=0.0)
    s.observe("playback", {"state": "ended", "startup": 0.1}, 5)
    w = s.end(at=6)
    assert w.completed and w.quartiles == 0b1000 and w.furthest is None
    short = Session(opened_at=0.0)
    short.play(0, 100, at=0)
    short.pause("97.9", 100, at=98)
    assert short.end(at=99).completed is False


def test_quality_events_count_as_changes_for_checkpoints() -> None:
    s = Session(opened_at=0.0)
    before = s.revision
    assert s.observe("impression", {}, 1) is None
    assert s.revision == before + 1
    s.observe("impression", {}, 2)
    assert s.revision == before + 1  # nothing new


def test_an_open_play_carries_playing_time_on_as_far_as_the_video_goes() -> None:
    s = Session(opened_at=0.0)
    s.play("95", 100, at=10)
    s.observe("playback", {"state": "playing", "startup": 0.2, "watch": 1, "playing": 0.8}, 10)
    w = s.end(at=40)
    assert w.quality.playing == pytest.approx(0.8 + 5) and w.quality.watch == pytest.approx(6)
    assert w.quality.exit == "closed"


async def test_over_the_limits_a_channel_answers_with_the_reason_and_counts_nothing() -> None:
    writer, clock = RecordingWriter(), [100.0]
    conn = connection(writer, clock)
    topic = "session:" + "q" * 21
    [joined] = await conn.answer(frame("1", "1", topic, "phx_join", {"key": "good", "metadata": {"v": 1}}))
    assert json.loads(joined)[4]["status"] == "ok"

    async def push(ref: int, payload: dict[str, Any]) -> dict[str, Any]:
        """The refusal, or an ok standing for the silence with which a push is accepted."""
        replies = await conn.answer(frame("1", str(ref), topic, "event", payload))
        if not replies:
            return {"status": "ok", "response": {}}
        [reply] = replies
        answer: dict[str, Any] = json.loads(reply)[4]
        return answer

    for n in range(MAX_SUMMARIES):
        assert (await push(10 + n, {"name": "playback", "state": "playing", "watch": n / 1000}))[
            "status"
        ] == "ok"
    over = await push(5000, {"name": "playback", "state": "paused", "watch": 999})
    assert over == {
        "status": "error",
        "response": {"reason": "too many playback summaries in this session (limit 1000)"},
    }
    long = await push(5001, {"name": "error", "code": "4", "message": "m" * 201})
    assert long["response"]["reason"] == "error message must be at most 200 characters"
    assert (await push(5002, {"name": "error", "code": "4", "message": "m" * 200}))["status"] == "ok"
    assert (await push(5003, {"name": "brand-new-event", "x": 1}))["status"] == "ok"  # unknown: ignored
    clock[0] += 5
    conn.close()
    [record] = writer.records
    assert record.watch_time == 0.999 and record.exit == "failed" and record.error_message == "m" * 200


# A number as a hostile or careless client may send one: every JSON value orjson can give.
_SENT = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-5, max_value=5),
    st.sampled_from([0, 0.0, -0.0, 1, 1.0, 0.5, 5e-324]),
    st.integers(min_value=quality.MAX_FRAMES - 2, max_value=quality.MAX_FRAMES + 2),
    st.sampled_from([quality.MAX_COUNT, quality.MAX_COUNT + 1, 10**10, 10**10 + 1, 10**30]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=0, max_value=20).map(lambda x: round(x, 1)),  # whole ones included
    st.sampled_from([quality.MAX_SECONDS, quality.MAX_SECONDS + 0.5, 10_000.0, 10_000.5, 1e10 + 1]),
    st.text(max_size=3),
    st.lists(st.integers(), max_size=1),
)
_FIELDS = (
    *("watch", "playing", "rebuffering", "seeking", "rebuffers", "seeks", "renditions"),
    *("dropped", "frames", "bitrate", "upscale", "startup"),
)


def _number(value: Any, most: float) -> float | None:
    """The model's reading of a duration: a real number (not a bool) from 0 to `most`."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if 0 <= value <= most else None


def _whole(value: Any, most: int) -> int | None:
    """The model's reading of a count: a whole number (an int, or a float without a fraction)."""
    number = _number(value, most)
    return int(number) if number is not None and number == int(number) else None


def _model(payloads: list[dict[str, Any]]) -> dict[str, Any]:
    """The rules of docs/PROTOCOL.md written plainly: counters keep the largest valid value, the
    frame counts start at the first valid one, averages keep the latest valid one, the startup
    the first valid one to the hundredth."""
    kept: dict[str, Any] = dict.fromkeys(("watch", "playing", "rebuffering", "seeking"), 0.0)
    kept |= dict.fromkeys(("rebuffers", "seeks", "renditions"), 0)
    kept |= dict.fromkeys(("dropped", "frames", "bitrate", "upscale", "startup"), None)
    for payload in payloads:
        for name in ("watch", "playing", "rebuffering", "seeking"):
            if (number := _number(payload.get(name), quality.MAX_SECONDS)) is not None:
                kept[name] = max(kept[name], number)
        for name in ("rebuffers", "seeks", "renditions"):
            if (whole := _whole(payload.get(name), quality.MAX_COUNT)) is not None:
                kept[name] = max(kept[name], whole)
        for name in ("dropped", "frames"):
            if (whole := _whole(payload.get(name), quality.MAX_FRAMES)) is not None:
                kept[name] = whole if kept[name] is None else max(kept[name], whole)
        if (bitrate := _number(payload.get("bitrate"), quality.MAX_BITRATE)) is not None and bitrate > 0:
            kept["bitrate"] = round(bitrate, 3)
        if (upscale := _number(payload.get("upscale"), quality.MAX_UPSCALE)) is not None:
            kept["upscale"] = upscale
        startup = _number(payload.get("startup"), quality.MAX_SECONDS)
        if kept["startup"] is None and startup is not None:
            kept["startup"] = round(startup, 2)
    return kept


@settings(max_examples=300, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(_FIELDS), _SENT), min_size=1, max_size=6))
def test_generated_summaries_fold_as_the_rules_say(payloads: list[dict[str, Any]]) -> None:
    """The fold is written out field by field for speed; this holds it to the plain rules for
    generated values of every JSON type, at and past every bound."""
    q = Quality()
    for at, payload in enumerate(payloads):
        assert fold(q, "playback", summary(state="playing", **payload), at) == (True, None)
    expected = _model(payloads)
    assert {name: getattr(q, name) for name in expected} == expected
    for name in ("watch", "playing", "rebuffering", "seeking", "bitrate", "upscale", "startup"):
        value = getattr(q, name)
        assert value is None or value.__class__ is float, (name, value)
    for name in ("rebuffers", "seeks", "renditions", "dropped", "frames"):
        value = getattr(q, name)
        assert value is None or value.__class__ is int, (name, value)
