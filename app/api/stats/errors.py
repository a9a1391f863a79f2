"""Error groups: the fatal errors of the sessions in scope, grouped by their code and normalised
message (app/ingest/failure.py), most sessions first, a page at a time.

A group's `sessions` are the sessions of the scope and timeframe whose fatal error is in it,
views or not (an error before any play is still an error a viewer met); `first_seen` and
`last_seen` are the earliest and latest start among them; `browser` splits them. The
fingerprint hashes the code and message only, so a group is the same across keys: a question
about videos of several keys adds their sessions up.

For a key, the failed sessions are read from their partial index (migrations/020), which holds
only them; for videos, from the video index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.api.categories import BROWSERS
from app.api.stats.scope import Connection, Scope


@dataclass(frozen=True, slots=True)
class ErrorGroup:
    fingerprint: str
    code: str
    message: str
    sessions: int
    first_seen: datetime
    last_seen: datetime
    browser: dict[str, int]


@dataclass(frozen=True, slots=True)
class ErrorList:
    """A page of groups, and over all of them how many there are and their sessions."""

    groups: list[ErrorGroup]
    total_groups: int
    total_sessions: int


_BROWSERS = ", ".join(
    f"count(*) FILTER (WHERE s.browser = '{value}') AS browser_{value}" for value in BROWSERS
)


async def errors(
    connection: Connection,
    scope: Scope,
    *,
    limit: int = 50,
    offset: int = 0,
    only: tuple[str, ...] | None = None,
) -> ErrorList:
    """The page of `limit` groups from `offset`, or with `only` just those groups (in no
    particular order); the totals are over every group either way."""
    where, args = scope.condition()
    if scope.key_id is None:
        # The failed sessions' partial index holds the video too: a hit video's failures are
        # read from it rather than every one of its sessions from the table.
        where += " AND s.key_id IN (SELECT v.key_id FROM videos v WHERE v.id = ANY($1::bigint[]))"
    where = scope.narrowed(where, args)
    if only is None:
        args += [limit, offset]
        order = "ORDER BY g.sessions DESC, g.last_seen DESC, g.fingerprint"
        page = f"{order} LIMIT ${len(args) - 1} OFFSET ${len(args)}"
    else:
        args.append(list(only))
        page = f"WHERE g.fingerprint = ANY(${len(args)}::text[])"
    rows = await connection.fetch(
        f"""
        WITH grouped AS MATERIALIZED (
            SELECT s.error_fingerprint AS fingerprint, e.code, e.message, count(*) AS sessions,
                   min(s.started_at) AS first_seen, max(s.started_at) AS last_seen, {_BROWSERS}
            FROM sessions s
            JOIN error_groups e ON e.key_id = s.key_id AND e.fingerprint = s.error_fingerprint
            WHERE {where} AND s.error_fingerprint IS NOT NULL
            GROUP BY 1, 2, 3
        ),
        totals AS (
            SELECT count(*) AS total_groups, coalesce(sum(sessions), 0)::bigint AS total_sessions
            FROM grouped
        )
        SELECT totals.*, page.*
        FROM totals LEFT JOIN LATERAL (SELECT * FROM grouped g {page}) AS page ON true
        """,  # noqa: S608 (fixed fragments; values are bound)
        *args,
    )
    head = rows[0]
    return ErrorList(
        [_group(row) for row in rows if row["fingerprint"] is not None],
        total_groups=head["total_groups"],
        total_sessions=head["total_sessions"],
    )


def _group(row: Any) -> ErrorGroup:
    return ErrorGroup(
        fingerprint=row["fingerprint"],
        code=row["code"],
        message=row["message"],
        sessions=row["sessions"],
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
        browser={value: row[f"browser_{value}"] for value in BROWSERS},
    )
