"""Sessions whose process is gone: their checkpoint rows are closed where they stand.

A process that dies without ending its sessions (`kill -9`, a power cut) leaves each open session
as its last checkpoint, a row with `final = false` and the process's id (migrations/010). Any
running process, its own next start included, marks such rows final once the id has no fresh row
in `live_processes` (app/live.py): the session ended at its last checkpoint, at most one interval
short of what was played. If the page reconnects within the resume window its next join continues
the row as usual, and the row becomes non-final again until that session ends.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import asyncpg

from app.live import STALE_AFTER

# How often a process looks for them: a dead process's sessions are final within
# STALE_AFTER + SWEEP_SECONDS of its last sign of life.
SWEEP_SECONDS = 15.0


def sweeps() -> Iterator[float]:
    """Seconds to wait before each sweep: one at start-up, one as soon as a process that died
    just before this start is stale, then one every SWEEP_SECONDS."""
    yield 0.0
    yield STALE_AFTER + 1.0
    yield from itertools.repeat(SWEEP_SECONDS)


_FINALIZE = """
UPDATE sessions SET final = true, process_id = NULL
WHERE NOT final
  AND (process_id IS NULL OR process_id NOT IN (
        SELECT process_id FROM live_processes
        WHERE updated_at > now() - make_interval(secs => $1)))
"""


async def finalize(pool: asyncpg.Pool) -> int:
    """Mark the checkpoint rows of dead processes final; return how many there were."""
    status = await pool.execute(_FINALIZE, STALE_AFTER)
    return int(status.split()[-1])
