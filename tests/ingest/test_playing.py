"""What a process publishes as its viewers playing now (app/live.py): sessions counted per video
and page, the same video however its metadata's fields are ordered."""

from __future__ import annotations

import uuid
from typing import Any

from app.ingest.hub import Hub, OpenSession, Playing
from app.ingest.session import Session
from app.ingest.useragent import classify
from tests.support.writers import RecordingWriter


def opened(metadata: Any, page: str = "https://example.com/a") -> OpenSession:
    return OpenSession(
        key_id=1,
        metadata=metadata,
        identifier="clip",
        client=classify(None),
        page_host="example.com",
        page_url=page,
        session=Session(opened_at=0.0),
        id=uuid.uuid4(),
    )


def test_playing_sessions_are_counted_per_video_and_page_and_paused_ones_not() -> None:
    hub = Hub(RecordingWriter(), 10.0)  # type: ignore[arg-type]
    first, second = opened({"a": 1, "b": 2}), opened({"b": 2, "a": 1})
    other_page, paused = opened({"a": 1, "b": 2}, "https://example.com/b"), opened({"a": 1})
    for session in (first, second, other_page, paused):
        hub.open(session, 0.0)
        session.session.play(0, 100, at=1.0)
    paused.session.pause(3, 100, at=4.0)
    video = Playing(1, '{"a":1,"b":2}', "clip", "https://example.com/a", "example.com")
    assert hub.playing_by_video_and_page() == {video: 2, video._replace(page_url="https://example.com/b"): 1}
    second.session.pause(5, 100, at=6.0)
    paused.session.play(3, 100, at=7.0)
    again = hub.playing_by_video_and_page()
    assert again[video] == 1 and again[video._replace(metadata='{"a":1}')] == 1
    hub.end(first, 8.0)
    assert video not in hub.playing_by_video_and_page()
