"""Time zones: IANA names, and local wall-clock time ↔ instants exactly as PostgreSQL converts them.

Pure: values in, values out, no clock. The zone data are Python's `zoneinfo` (the system's files,
or the `tzdata` package where a machine has none); PostgreSQL converts with its own copy of the
same IANA database, so the two agree wherever their versions carry the same rules.
"""

from __future__ import annotations

import functools
import zoneinfo
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

UTC_ZONE = ZoneInfo("UTC")

# Names of zones that are UTC at every instant, so that the plain UTC forms of the SQL serve them.
_UTC_NAMES = frozenset(
    {
        "UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Universal", "Universal", "Etc/Zulu", "Zulu",
        "Etc/GMT", "GMT", "Etc/GMT0", "Etc/GMT+0", "Etc/GMT-0", "GMT0", "GMT+0", "GMT-0",
        "Etc/Greenwich", "Greenwich",
    }
)  # fmt: skip


@functools.cache
def _names() -> dict[str, str]:
    return {name.lower(): name for name in zoneinfo.available_timezones()}


def names() -> list[str]:
    """Every IANA zone name known here, sorted."""
    return sorted(_names().values())


def zone_named(name: str) -> ZoneInfo:
    """The zone of an IANA name (any letter case), or ValueError saying what is accepted."""
    if not isinstance(name, str) or not 0 < len(name) <= 100:
        raise ValueError("must be an IANA time zone name such as 'Europe/Berlin' or 'UTC'")
    canonical = _names().get(name.strip().lower())
    if canonical is None:
        shown = name if len(name) <= 40 else name[:40] + "…"
        raise ValueError(f"{shown!r} is not an IANA time zone name; use one like 'Europe/Berlin' or 'UTC'")
    return ZoneInfo(canonical)


def is_utc(zone: ZoneInfo) -> bool:
    return zone.key in _UTC_NAMES


def local(moment: datetime, zone: ZoneInfo) -> datetime:
    """The wall-clock time in `zone` at `moment` (naive), as `moment AT TIME ZONE zone`."""
    return moment.astimezone(zone).replace(tzinfo=None)


def instant(wall: datetime, zone: ZoneInfo) -> datetime:
    """The instant (in UTC) a naive wall-clock time names in `zone`, as PostgreSQL's
    `wall AT TIME ZONE zone` decides it: a time skipped by a spring-forward change is read with
    the offset from before the change (so it lands after the gap), and a time that occurs twice
    after a fall-back change is read with the offset from after it (the later instant)."""
    first = wall.replace(tzinfo=zone, fold=0)
    second = wall.replace(tzinfo=zone, fold=1)
    before, after = first.utcoffset(), second.utcoffset()
    assert before is not None and after is not None
    # zoneinfo gives the offset from before a change for fold=0 and from after it for fold=1.
    # The offset grows at a spring-forward change (a gap) and shrinks at a fall-back (a repeat).
    chosen = first if before <= after else second
    return chosen.astimezone(UTC)


def months_before(moment: datetime, months: int) -> datetime:
    """`moment - months` as PostgreSQL computes it on the calendar of the moment's own zone:
    the day is clamped to the last day of the month it lands in."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, _days_in_month(year, month + 1))
    return moment.replace(year=year, month=month + 1, day=day)


def _days_in_month(year: int, month: int) -> int:
    following = datetime(year + month // 12, month % 12 + 1, 1)
    return (following - timedelta(days=1)).day
