"""Worker folders: one per process, never shared, and nothing left behind when the workers are fewer."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from app import slots
from app.ingest.journal import OVERFLOW, PENDING, REJECTED


def test_each_process_takes_the_first_free_slot_and_a_freed_one_is_taken_again(tmp_path: Path) -> None:
    first = slots.take(tmp_path, 3)
    second = slots.take(tmp_path, 3)
    assert (first.index, first.folder) == (0, tmp_path)  # one process keeps the folder itself
    assert (second.index, second.folder) == (1, tmp_path / "worker-1")
    first.release()
    again = slots.take(tmp_path, 3)
    assert again.index == 0
    third = slots.take(tmp_path, 3)
    assert third.index == 2
    with pytest.raises(RuntimeError, match="every one of 3 worker slots is in use"):
        slots.take(tmp_path, 3)
    for slot in (second, again, third):
        slot.release()


def _hold(
    folder: str, ready: multiprocessing.synchronize.Event, done: multiprocessing.synchronize.Event
) -> None:
    slot = slots.take(Path(folder), 2)
    assert slot.index == 0
    ready.set()
    done.wait(30)


def test_a_slot_held_by_another_process_is_not_taken(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    ready, done = context.Event(), context.Event()
    holder = context.Process(target=_hold, args=(str(tmp_path), ready, done))
    holder.start()
    try:
        assert ready.wait(30)
        mine = slots.take(tmp_path, 2)
        assert mine.index == 1
        mine.release()
    finally:
        done.set()
        holder.join(30)


def _row(n: int) -> str:
    return json.dumps({"n": n}) + "\n"


def test_fewer_workers_adopt_the_files_of_the_slots_nobody_takes(tmp_path: Path) -> None:
    for index in (1, 2, 3):
        folder = tmp_path / f"worker-{index}"
        folder.mkdir()
        (folder / PENDING).write_text(_row(index))
        (folder / OVERFLOW).write_text(_row(10 + index).rstrip("\n"))  # an append cut short
        (folder / REJECTED).write_text(_row(20 + index))
        spool = folder / "sinks" / "webhook"
        spool.mkdir(parents=True)
        (spool / "spool-000000000001.jsonl").write_text(_row(30 + index))
    (tmp_path / PENDING).write_text(_row(0))
    own_spool = tmp_path / "sinks" / "webhook"
    own_spool.mkdir(parents=True)
    (own_spool / "spool-000000000007.jsonl").write_text(_row(40))

    zero = slots.take(tmp_path, 2)
    one = slots.take(tmp_path, 2)
    assert slots.adopt_leftovers(zero, tmp_path, 2) == 1  # worker-2 (2 mod 2 = 0)
    assert slots.adopt_leftovers(one, tmp_path, 2) == 1  # worker-3 (3 mod 2 = 1); worker-1 is its own
    assert sorted(p.name for p in tmp_path.glob("worker-*")) == ["worker-1"]

    lines = (tmp_path / PENDING).read_text().splitlines()
    assert [json.loads(line)["n"] for line in lines] == [0, 2]
    assert [json.loads(line)["n"] for line in (tmp_path / OVERFLOW).read_text().splitlines()] == [12]
    assert [json.loads(line)["n"] for line in (tmp_path / REJECTED).read_text().splitlines()] == [22]
    segments = sorted(p.name for p in own_spool.iterdir())
    assert segments == ["spool-000000000007.jsonl", "spool-000000000008.jsonl"]  # after its own
    worker_one = tmp_path / "worker-1"
    assert [json.loads(x)["n"] for x in (worker_one / PENDING).read_text().splitlines()] == [1, 3]
    zero.release()
    one.release()
