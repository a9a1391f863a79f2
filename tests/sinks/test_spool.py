"""The spool: segments on disk, oldest first, bounded, kept across a restart; refused batches."""

from __future__ import annotations

import json
from pathlib import Path

from app.sinks import spool as spool_module
from app.sinks.spool import Spool, forget_in
from tests.sinks.records import stored


def test_segments_are_read_oldest_first_and_survive_a_restart(tmp_path: Path, monkeypatch: object) -> None:
    spool_module.SEGMENT_BYTES = 1500  # a few rows per segment
    try:
        spool = Spool(tmp_path, limit=1_000_000)
        rows = [stored(1, n) for n in range(10)]
        assert spool.append(rows) == 0
        assert spool.rows == 10
        segments = sorted(tmp_path.glob("spool-*.jsonl"))
        assert len(segments) > 2
        again = Spool(tmp_path, limit=1_000_000)  # as after a restart
        read = []
        while (path := again.oldest()) is not None:
            read += again.read(path)
            again.done(path)
        assert [record.id for record in read] == [record.id for record in rows]
        assert not list(tmp_path.glob("spool-*.jsonl"))
    finally:
        spool_module.SEGMENT_BYTES = 1024 * 1024


def test_rows_past_the_limit_are_dropped_and_counted(tmp_path: Path) -> None:
    one = len(stored(1, 0).to_json()) + 1
    spool = Spool(tmp_path, limit=3 * one + 10)
    assert spool.append([stored(1, n) for n in range(5)]) == 2
    assert spool.rows == 3
    assert spool.size <= 3 * one + 10


def test_a_sealed_segment_gets_no_more_rows_and_a_partly_delivered_one_keeps_the_rest(tmp_path: Path) -> None:
    spool = Spool(tmp_path, limit=1_000_000)
    spool.append([stored(1, 0), stored(1, 1)])
    first = spool.oldest()
    assert first is not None
    spool.append([stored(1, 2)])  # while the first is being read: a new segment
    rows = spool.read(first)
    assert len(rows) == 2
    spool.done(first, rows[1:])
    assert [record.metadata["n"] for record in spool.read(first)] == [1]
    assert spool.rows == 2


def test_an_unreadable_line_is_skipped(tmp_path: Path) -> None:
    spool = Spool(tmp_path, limit=1_000_000)
    spool.append([stored(1, 0)])
    path = spool.oldest()
    assert path is not None
    with path.open("a") as file:
        file.write('{"cut short')
    assert [record.metadata["n"] for record in Spool(tmp_path, limit=10**6).read(path)] == [0]


def test_refused_batches_and_forgetting(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "webhook", limit=1_000_000)
    spool.append([stored(1, 0), stored(2, 1), stored(1, 2)])
    assert spool.set_aside([stored(1, 3), stored(2, 4)], "HTTP 400: no")
    [entry] = [json.loads(line) for line in spool.refused.read_text().splitlines()]
    assert entry["reason"] == "HTTP 400: no" and len(entry["sessions"]) == 2
    assert forget_in(tmp_path, lambda record: record.key_id == 1) == 3
    again = Spool(tmp_path / "webhook", limit=1_000_000)
    path = again.oldest()
    assert path is not None
    assert [record.key_id for record in again.read(path)] == [2]
    [entry] = [json.loads(line) for line in again.refused.read_text().splitlines()]
    assert [session["key_id"] for session in entry["sessions"]] == [2]
