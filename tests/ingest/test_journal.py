"""The writer's files beside the database (app/ingest/journal.py), on a real folder."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.ingest.journal import Journal
from app.ingest.record import SessionRecord
from tests.support.records import session_record


def record(n: int) -> SessionRecord:
    at = datetime(2026, 11, 23, 12, 0, n, tzinfo=UTC)
    return session_record(
        id=uuid.UUID(int=n),
        started_at=at,
        ended_at=at,
        metadata={"vid": n},
        page_url="/watch",
        segments=[[0.0, float(n)]],
        watched=float(n),
        unique_watched=float(n),
    )


def test_kept_rows_read_back_equal_and_in_order(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "data")  # the folder is made when first needed
    assert journal.keep([record(1), record(2)]) == 2
    assert journal.read_pending() == [record(1), record(2)]


def test_keeping_replaces_the_file_whole(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    journal.keep([record(1), record(2)])
    journal.keep([record(2), record(3)])  # a later stop: the replayed row 2 is still unwritten
    assert journal.read_pending() == [record(2), record(3)]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["pending-sessions.jsonl"]


def test_a_write_cut_short_leaves_the_previous_journal_whole(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    journal.keep([record(1)])
    # What a crash or a full disk in the middle of the next `keep` leaves behind.
    (tmp_path / "pending-sessions.jsonl.partial").write_text(record(2).to_json()[:40])
    assert journal.read_pending() == [record(1)]
    journal.keep([record(1), record(2)])
    assert journal.read_pending() == [record(1), record(2)]
    assert not (tmp_path / "pending-sessions.jsonl.partial").exists()


def test_no_file_is_no_rows_and_forgetting_twice_is_harmless(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    assert journal.read_pending() == []
    journal.keep([record(1)])
    journal.forget_pending()
    journal.forget_pending()
    assert journal.read_pending() == []


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ('{"id": "x"', "Expecting"),  # cut short
        ('{"id": "not-a-uuid"}', "badly formed"),
        ("[1, 2]", "a line must be a JSON object"),
        (json.dumps({**record(5).to_dict(), "colour": "red"}), "colour"),
        (json.dumps({**record(5).to_dict(), "started_at": "yesterday"}), "yesterday"),
        # Values the database would refuse, or store wrong: each a row ingest never makes.
        (json.dumps(record(5).to_dict()).replace('"watched": 5.0', '"watched": NaN'), "NaN"),
        (json.dumps({**record(5).to_dict(), "watched": 1e13}), "watched must be"),
        (json.dumps({**record(5).to_dict(), "duration": 5e-324}), "duration must be"),
        (json.dumps({**record(5).to_dict(), "segments": [[0, 2e6]]}), "segments must be"),
        (json.dumps({**record(5).to_dict(), "segments": [[0]]}), "segments must be"),
        (json.dumps({**record(5).to_dict(), "identifier": "a\u0000b"}), "NUL"),
        (json.dumps({**record(5).to_dict(), "metadata": {"t": "a\u0000b"}}), "NUL"),
        (json.dumps({**record(5).to_dict(), "started_at": "2026-01-01T00:00:00"}), "offset"),
    ],
)
def test_an_unreadable_line_is_set_aside_with_its_reason_and_the_rest_replayed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, line: str, says: str
) -> None:
    journal = Journal(tmp_path)
    journal.pending.write_text(f"{record(1).to_json()}\n{line}\n\n{record(2).to_json()}\n")
    with caplog.at_level(logging.ERROR, "video_metrics.writer"):
        assert journal.read_pending() == [record(1), record(2)]
    [entry] = [json.loads(text) for text in journal.rejected.read_text().splitlines()]
    assert entry["line"] == line
    assert entry["reason"].startswith("pending-sessions.jsonl line 2 unreadable: ")
    assert says in entry["reason"]
    assert "event=journal_line_unreadable file=pending-sessions.jsonl line=2" in caplog.text


def test_a_refused_row_is_appended_with_its_reason(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    journal.set_aside(record(1), "violates check constraint")
    journal.set_aside(record(2), "value too long")
    entries = [json.loads(text) for text in journal.rejected.read_text().splitlines()]
    assert entries == [
        {"reason": "violates check constraint", "session": record(1).to_dict()},
        {"reason": "value too long", "session": record(2).to_dict()},
    ]


def test_overflow_is_read_in_batches_and_removed_once_written(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    assert not journal.overflow_waiting() and journal.read_overflow(10) == []
    journal.spill([record(1), record(2)])
    journal.spill([record(3)])
    assert journal.overflow_waiting()
    assert journal.read_overflow(2) == [record(1), record(2)]
    journal.overflow_written()
    assert journal.overflow_writing.exists() and not journal.overflow.exists()
    # Rows that overflow meanwhile start a new file; the one being written is left as it is.
    journal.spill([record(4)])
    assert journal.read_overflow(2) == [record(3)]
    journal.overflow_written()  # read to its end and written: gone
    assert not journal.overflow_writing.exists()
    assert journal.overflow_waiting()
    assert journal.read_overflow(2) == [record(4)]
    journal.overflow_written()
    assert journal.read_overflow(2) == []
    assert not journal.overflow_waiting()
    assert list(tmp_path.iterdir()) == []


def test_a_file_read_to_its_end_stays_until_its_rows_are_written(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    journal.spill([record(1)])
    assert journal.read_overflow(5) == [record(1)]
    assert journal.overflow_writing.exists()  # the database has not taken them yet
    journal.close()  # the server stops before they are written: the next start writes them
    again = Journal(tmp_path)
    assert again.overflow_waiting()
    assert again.read_overflow(5) == [record(1)]
    again.close()


def test_an_append_cut_short_is_set_aside_and_the_rows_before_it_written(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    journal.spill([record(1)])
    with journal.overflow.open("a") as file:
        file.write(record(2).to_json()[:30])  # a crash in the middle of an append
    journal.spill([record(3)])  # the next start's first overflow does not run on from it
    assert journal.read_overflow(5) == [record(1), record(3)]
    [entry] = [json.loads(text) for text in journal.rejected.read_text().splitlines()]
    assert entry["reason"].startswith("overflow-sessions.writing.jsonl line 2 unreadable: ")
    journal.close()
