"""Time zones: names, and wall-clock time to instants as PostgreSQL reads them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app import zones


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_names_in_any_case_give_the_canonical_zone() -> None:
    assert zones.zone_named("europe/berlin").key == "Europe/Berlin"
    assert zones.zone_named(" UTC ").key == "UTC"
    bad_names = (
        "Mars/Olympus",
        "",
        "../etc/passwd",
        "/usr/share/zoneinfo/UTC",
        "Europe/Berlin\x00",
        "x" * 101,
    )
    for bad in bad_names:
        with pytest.raises(ValueError, match="IANA time zone name"):
            zones.zone_named(bad)


def test_utc_aliases() -> None:
    assert zones.is_utc(zones.zone_named("Etc/UTC"))
    assert zones.is_utc(zones.zone_named("GMT"))
    assert not zones.is_utc(zones.zone_named("Europe/London"))


def test_local_times_are_read_as_postgresql_reads_them() -> None:
    berlin = zones.zone_named("Europe/Berlin")
    # Skipped by the spring-forward change: read with the offset from before it (+1), after the gap.
    assert zones.instant(datetime(2024, 3, 31, 2, 30), berlin) == utc(2024, 3, 31, 1, 30)
    # Repeated by the fall-back change: the later of the two instants.
    assert zones.instant(datetime(2024, 10, 27, 2, 30), berlin) == utc(2024, 10, 27, 1, 30)
    assert zones.instant(datetime(2024, 10, 27, 1, 59), berlin) == utc(2024, 10, 26, 23, 59)
    assert zones.local(utc(2024, 10, 27, 0, 30), berlin) == datetime(2024, 10, 27, 2, 30)
