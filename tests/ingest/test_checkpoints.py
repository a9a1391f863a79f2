"""Checkpoints keep the promise: every open session written at most one interval after it starts
and after each later change, so a crash loses at most one interval of any session."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from app.ingest.checkpoints import CheckpointSchedule
from app.ingest.hub import Hub, OpenSession
from app.ingest.session import Session
from app.ingest.useragent import classify
from tests.support.writers import RecordingWriter

INTERVAL = 10.0


def opened(at: float) -> OpenSession:
    return OpenSession(
        key_id=1,
        metadata={"v": 1},
        identifier=None,
        client=classify(None),
        page_host="example.com",
        page_url="https://example.com/",
        session=Session(opened_at=at),
        id=uuid.uuid4(),
    )


def test_schedule_takes_what_is_due_and_schedules_it_again() -> None:
    schedule: CheckpointSchedule[str] = CheckpointSchedule(10.0, slack=0.5)
    assert schedule.wait(0.0) == 10.0  # nothing open: look again in an interval
    schedule.add("a", 0.0)
    schedule.add("b", 3.0)
    assert schedule.wait(0.0) == 9.5
    assert schedule.due(9.4, lambda _: True) == []
    assert schedule.due(9.5, lambda _: True) == ["a"]  # due at 10, taken within the slack
    assert schedule.wait(9.5) == 3.0  # b is due at 13
    assert schedule.due(13.0, lambda item: item != "b") == []  # b has ended: dropped
    assert len(schedule) == 1
    assert schedule.due(19.5, lambda _: True) == ["a"]


def test_at_most_the_asked_number_is_taken_and_the_rest_stay_due_in_order() -> None:
    schedule: CheckpointSchedule[str] = CheckpointSchedule(10.0, slack=0.5)
    for name in "abcde":
        schedule.add(name, 0.0)
    assert schedule.due(10.0, lambda _: True, most=2) == ["a", "b"]
    assert schedule.wait(10.0) == 0.0  # c, d and e are still due
    assert schedule.due(10.0, lambda item: item != "d", most=2) == ["c", "e"]  # d ended: dropped
    assert schedule.due(10.0, lambda _: True, most=2) == []
    assert schedule.wait(10.0) == 9.5  # a is next, one interval after it was taken


def test_a_hub_checkpoints_in_slices_and_writes_every_due_session_once() -> None:
    writer = RecordingWriter()
    hub = Hub(writer, INTERVAL)  # type: ignore[arg-type]
    sessions = [opened(0.0) for _ in range(5)]
    for session in sessions:
        hub.open(session, 0.0)
    assert [hub.checkpoint(10.0, most=2) for _ in range(4)] == [2, 2, 1, 0]
    assert sorted(r.id for r in writer.records) == sorted(s.id for s in sessions)


def test_a_session_is_first_written_one_interval_after_it_opens_even_before_a_play() -> None:
    writer = RecordingWriter()
    hub = Hub(writer, INTERVAL)  # type: ignore[arg-type]
    session = opened(100.0)
    hub.open(session, 100.0)
    assert hub.checkpoint(108.9) == 0
    assert hub.checkpoint(109.0) == 1  # due at 110, taken within the slack of a tenth
    [row] = writer.records
    assert not row.final and row.process_id == hub.process_id and row.watched == 0


def test_a_paused_session_is_not_written_again_until_it_changes() -> None:
    writer = RecordingWriter()
    hub = Hub(writer, INTERVAL)  # type: ignore[arg-type]
    session = opened(0.0)
    hub.open(session, 0.0)
    session.session.play(0, 100, at=1.0)
    session.session.pause(5, 100, at=5.0)
    assert hub.checkpoint(10.0) == 1
    assert hub.checkpoint(20.0) == 0  # nothing new
    session.session.play(5, 100, at=25.0)
    assert hub.checkpoint(30.0) == 1  # the play, five seconds after it
    assert hub.checkpoint(40.0) == 1  # still playing: its position moves
    assert [round(r.watched, 3) for r in writer.records] == [5.0, 10.0, 20.0]


def test_an_ended_session_is_not_checkpointed() -> None:
    writer = RecordingWriter()
    hub = Hub(writer, INTERVAL)  # type: ignore[arg-type]
    session = opened(0.0)
    hub.open(session, 0.0)
    hub.end(session, 5.0)
    assert hub.checkpoint(10.0) == 0
    assert [r.final for r in writer.records] == [True]
    assert writer.records[0].process_id is None


@dataclass
class Life:
    """What happened to one session in a simulated run, on the simulated clock."""

    opened_at: float
    changes: list[float] = field(default_factory=list)
    playing: list[tuple[float, float]] = field(default_factory=list)  # [from, to) wall times
    ended_at: float | None = None
    checkpoints: list[float] = field(default_factory=list)


actions = st.lists(
    st.tuples(
        st.floats(min_value=0.0, max_value=25.0),  # wait before the action
        st.sampled_from(["open", "play", "pause", "end", "nothing"]),
        st.integers(min_value=0, max_value=5),  # which session
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(actions=actions, interval=st.sampled_from([1.0, 10.0, 60.0]))
def test_no_change_waits_longer_than_one_interval(
    actions: list[tuple[float, str, int]], interval: float
) -> None:
    """Drive the hub as the service does (sleep until_checkpoint, then checkpoint) through
    generated opens, plays, pauses and ends; then every change, every first sight and every
    stretch of playing must have been written within one interval, unless the session ended."""
    writer = RecordingWriter()
    hub = Hub(writer, interval)  # type: ignore[arg-type]
    now = 0.0
    wake = hub.until_checkpoint(now)
    sessions: dict[int, tuple[OpenSession, Life]] = {}

    def advance(to: float) -> None:
        nonlocal now, wake
        while now + wake <= to:
            now += wake
            hub.checkpoint(now)
            wake = hub.until_checkpoint(now)
        wake -= to - now
        now = to

    for pause_before, action, n in actions:
        advance(now + pause_before)
        if action == "open" and n not in sessions:
            session = opened(now)
            hub.open(session, now)
            sessions[n] = (session, Life(opened_at=now))
        elif n in sessions and sessions[n][1].ended_at is None:
            session, life = sessions[n]
            before = session.session.revision
            if action == "play":
                session.session.play(0.0, 100.0, at=now)
                if not life.playing or life.playing[-1][1] != float("inf"):
                    life.playing.append((now, float("inf")))
            elif action == "pause":
                session.session.pause(50.0, 100.0, at=now)
                if life.playing and life.playing[-1][1] == float("inf"):
                    life.playing[-1] = (life.playing[-1][0], now)
            elif action == "end":
                hub.end(session, now)
                life.ended_at = now
            if session.session.revision != before:
                life.changes.append(now)
    advance(now + 3 * interval)  # long enough for everything to be due

    by_id = {session.id: life for session, life in sessions.values()}
    for record in writer.records:
        if not record.final:
            by_id[record.id].checkpoints.append(record.ended_at.timestamp())
    for life in by_id.values():
        end = life.ended_at if life.ended_at is not None else float("inf")
        for moment in [life.opened_at, *life.changes]:
            if moment + interval < end:
                assert any(moment <= c <= moment + interval for c in life.checkpoints), (moment, life)
        for start, stop in life.playing:
            looked = [c for c in life.checkpoints if start <= c <= min(stop, end)]
            edges = [start, *looked, min(stop, end, now)]
            assert all(b - a <= interval + 1e-9 for a, b in itertools.pairwise(edges)), (
                start,
                stop,
                looked,
            )
