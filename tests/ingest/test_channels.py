"""Channel semantics that a real server cannot be made to show on demand: our own faults."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from app.ingest.channels import Connection, Limits
from app.ingest.hub import Hub
from app.ingest.join import Page
from app.ingest.keys import KeyCheck
from app.ingest.resume import Prior, Resumption
from app.ingest.useragent import classify
from tests.support.writers import RecordingWriter


class Keys(KeyCheck):
    """Keys as the database would answer, without one: "good" is key 1."""

    def __init__(self) -> None:
        pass

    async def key_id(self, key: str) -> int | None:
        return 1 if key == "good" else None


class NothingStored(Resumption):
    """No earlier part of any session is stored."""

    def __init__(self) -> None:
        pass

    async def prior(self, session: uuid.UUID) -> Prior | None:
        return None


def connection(writer: RecordingWriter, clock: list[float], limits: Limits | None = None) -> Connection:
    """A connection with the keys and resumption above, its sessions handed to `writer`."""
    return Connection(
        client=classify("Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0.0.0 Safari/537.36"),
        page=Page.parse("https://example.com/watch"),
        keys=Keys(),
        resumption=NothingStored(),
        hub=Hub(writer),  # type: ignore[arg-type]
        limits=limits or Limits(),
        clock=lambda: clock[0],
    )


def frame(*parts: Any) -> str:
    return json.dumps(list(parts))


async def test_a_fault_in_one_channel_errors_that_channel_only(monkeypatch: pytest.MonkeyPatch) -> None:
    writer, clock = RecordingWriter(), [100.0]
    conn = connection(writer, clock)
    for name in ("a", "b"):
        topic = "session:" + name * 21
        [reply] = await conn.answer(frame("1", "1", topic, "phx_join", {"key": "good", "metadata": {}}))
        assert json.loads(reply)[4]["status"] == "ok"
    await conn.answer(frame("1", "2", "session:" + "a" * 21, "event", {"name": "play", "from": 0}))
    clock[0] = 105.0

    # Handling this channel's frames now raises: it stands for any bug of ours.
    # (A Connection has no instance dictionary, so the method is replaced on the class.)
    original = Connection._event

    def failing(self: Connection, parsed: Any, channel: Any) -> list[str]:
        if parsed.topic.endswith("a" * 21):
            raise RuntimeError("bug")
        return original(self, parsed, channel)

    monkeypatch.setattr(Connection, "_event", failing)
    out = await conn.answer(frame("1", "3", "session:" + "a" * 21, "event", {"name": "pause", "to": 3}))
    assert [json.loads(f) for f in out] == [["1", "1", "session:" + "a" * 21, "phx_error", {}]]
    # The failed channel's session is kept (5 s of play), the other channel still answers.
    assert len(writer.records) == 1 and writer.records[0].watched == 5.0
    # The other channel still works: its push is accepted (and so, as ever, not answered).
    assert (
        await conn.answer(frame("1", "4", "session:" + "b" * 21, "event", {"name": "play", "from": 0})) == []
    )
    assert conn.sessions == 1
