"""Which database errors say "this value is unacceptable", as opposed to "the database is away".

The two call for opposite answers: a row or key the database refuses as data will be refused
however often it is sent (set it aside, call the key invalid), while an outage passes (keep the
row, retry). Anything not known to be about the data is treated as passing, so that a schema in
the middle of an upgrade or a failover never costs a row.
"""

from __future__ import annotations

import asyncpg

# SQLSTATE classes about the value itself: data exception (22: bad encoding, out of range),
# integrity constraint violation (23: a CHECK), program limit exceeded (54: an index entry
# larger than a B-tree page allows).
_DATA_CLASSES = ("22", "23", "54")


def refuses_data(error: BaseException) -> bool:
    """Whether the database refused the values sent, so sending them again would fail again."""
    if not isinstance(error, asyncpg.PostgresError):
        return False
    state = getattr(error, "sqlstate", None) or ""
    return state[:2] in _DATA_CLASSES
