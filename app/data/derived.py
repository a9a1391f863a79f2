"""Every table that holds something derived from sessions, and how a deletion clears it.

When sessions are deleted, the rows derived from them must go too. There are two kinds:

* a **rollup** kept by a trigger on `sessions` (migrations 004, 007, 011, 021 and 023): the trigger takes each
  deleted session's contribution away as it goes, so what is left to do is removing the rows that
  now count nothing;
* a table **recorded** per video beside the sessions, with a time of its own (impressions, say,
  or samples of live viewers): its rows of the scope's videos from before the deletion's
  `before` go with the sessions.

A new derived table is one line in `DERIVED`. tests/data/test_deletion.py searches every table
the catalog lists for what a deletion removed, so a table missing here fails that test.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Owner = Literal["key_id", "video_id"]


@dataclass(frozen=True, slots=True)
class Rollup:
    """Kept by a trigger; after a deletion its scope's rows that count nothing are removed."""

    table: str
    owner: Owner
    empty: str  # the condition of a row that counts no session

    def statement(self) -> str:
        # Built from the constants below, never from input.
        return f"DELETE FROM {self.table} WHERE {self.owner} = ANY($1::bigint[]) AND {self.empty}"  # noqa: S608

    def args(self, key_ids: list[int], video_ids: list[int], before: datetime) -> tuple[object, ...]:
        return (key_ids if self.owner == "key_id" else video_ids,)


@dataclass(frozen=True, slots=True)
class Recorded:
    """Recorded per video with a time of its own; deleted over the same videos and time."""

    table: str
    time: str

    def statement(self) -> str:
        return f"DELETE FROM {self.table} WHERE video_id = ANY($1::bigint[]) AND {self.time} < $2"  # noqa: S608

    def args(self, key_ids: list[int], video_ids: list[int], before: datetime) -> tuple[object, ...]:
        return (video_ids, before)


@dataclass(frozen=True, slots=True)
class RecordedByVideoIdentity:
    """Recorded per video by its key and metadata (ingest does not know a video's id), with a time
    of its own; deleted over the same videos and time. Runs before the emptied videos go."""

    table: str
    time: str

    def statement(self) -> str:
        return (
            f"DELETE FROM {self.table} t USING videos v WHERE v.id = ANY($1::bigint[])"  # noqa: S608
            f" AND t.key_id = v.key_id AND t.metadata = v.metadata AND t.{self.time} < $2"
        )

    def args(self, key_ids: list[int], video_ids: list[int], before: datetime) -> tuple[object, ...]:
        return (video_ids, before)


@dataclass(frozen=True, slots=True)
class Unreferenced:
    """Rows that sessions name (error groups, by key and fingerprint): those of the scope's keys
    that no session names any more go (a group another session still names stays)."""

    table: str
    reference: str  # the sessions' column that names a row, matched to the table's `fingerprint`

    def statement(self) -> str:
        return (
            f"DELETE FROM {self.table} g WHERE g.key_id = ANY($1::bigint[]) AND NOT EXISTS ("  # noqa: S608
            f"SELECT 1 FROM sessions s WHERE s.key_id = g.key_id AND s.{self.reference} = g.fingerprint)"
        )

    def args(self, key_ids: list[int], video_ids: list[int], before: datetime) -> tuple[object, ...]:
        return (key_ids,)


Derived = Rollup | Recorded | RecordedByVideoIdentity | Unreferenced

DERIVED: tuple[Derived, ...] = (
    Rollup("plays_hourly", "key_id", "views = 0"),
    Rollup("sources_hourly", "key_id", "plays_0 = 0"),
    Rollup("sources_daily", "video_id", "plays_0 = 0"),
    Rollup("videos_daily", "video_id", "plays_0 = 0"),
    Rollup("impressions_hourly", "video_id", "impressions = 0"),
    Rollup("qoe_hourly", "key_id", "views = 0"),
    Rollup("startup_hourly", "key_id", "views = 0"),
    Rollup("startup_daily", "key_id", "views = 0"),
    Rollup("countries_hourly", "key_id", "plays_0 = 0"),
    Unreferenced("error_groups", "error_fingerprint"),
    RecordedByVideoIdentity("watching_minutes", "minute"),
)
