"""The idle sweeper at its edges: never before the timeout, within two periods after the last
frame, and only its own cancellation closes a socket as idle."""

from __future__ import annotations

import asyncio

import pytest

from app.ingest.idle import IdleSweeper, Watch, ended_by


async def watched(
    sweeper: IdleSweeper, idle: list[bool] | None = None
) -> tuple[asyncio.Task[None], asyncio.Future[Watch]]:
    """A task standing for a socket's receive loop, and its watch once it has one; when it is
    cancelled, whether it was an idle close goes into `idle`, as app/ingest/socket.py asks."""
    ready: asyncio.Future[Watch] = asyncio.get_running_loop().create_future()

    async def loop() -> None:
        watch = sweeper.watch()
        ready.set_result(watch)
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            if idle is not None:
                idle.append(ended_by(watch))
            raise

    task = asyncio.create_task(loop())
    await ready
    return task, ready


async def test_a_silent_socket_is_cancelled_at_the_timeout_and_not_before() -> None:
    sweeper = IdleSweeper(timeout=10.0)
    idle: list[bool] = []
    task, ready = await watched(sweeper, idle)
    watch = ready.result()
    opened = watch.stamp
    assert sweeper.sweep(opened + 9.999) == 0
    assert not task.cancelling()
    assert sweeper.sweep(opened + 10.0) == 1
    assert watch.expired and task.cancelling() == 1
    assert len(sweeper) == 0
    with pytest.raises(asyncio.CancelledError):
        await task
    assert idle == [True]


async def test_a_frame_moves_the_deadline_to_the_sweep_that_saw_it() -> None:
    sweeper = IdleSweeper(timeout=10.0, period=0.5)
    task, ready = await watched(sweeper)
    watch = ready.result()
    start = watch.stamp
    # A frame just after a sweep at `start`: the next sweep, half a second later, stamps it.
    watch.heard = True
    assert sweeper.sweep(start + 0.5) == 0
    assert watch.stamp == start + 0.5 and not watch.heard
    assert sweeper.sweep(start + 10.499) == 0  # 10.499 s after the frame: not yet
    assert sweeper.sweep(start + 10.5) == 1  # at most two periods past the timeout
    task.cancel()


async def test_only_the_sweepers_own_cancellation_is_an_idle_close() -> None:
    sweeper = IdleSweeper(timeout=1.0)
    idle: list[bool] = []
    task, ready = await watched(sweeper, idle)
    watch = ready.result()
    task.cancel()  # someone else's: the server shutting down
    sweeper.sweep(watch.stamp + 1.0)  # and the sweeper's in the same turn of the loop
    assert watch.expired
    with pytest.raises(asyncio.CancelledError):
        await task
    assert idle == [False]  # not only the sweeper's: the cancellation goes on up


async def test_another_cancellation_alone_is_not_an_idle_close() -> None:
    sweeper = IdleSweeper(timeout=1.0)
    idle: list[bool] = []
    task, _ = await watched(sweeper, idle)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert idle == [False]


async def test_a_forgotten_socket_is_not_swept() -> None:
    sweeper = IdleSweeper(timeout=1.0)
    task, ready = await watched(sweeper)
    sweeper.forget(ready.result())
    assert sweeper.sweep(ready.result().stamp + 100.0) == 0
    assert not task.cancelling()
    task.cancel()
