"""Time zones: names, wall-clock time to instants as PostgreSQL reads them, steady offsets."""

from __future__ import annotations

import itertools
import zoneinfo
from datetime import UTC, datetime, timedelta
from zoneinfo import _zoneinfo  # type: ignore[attr-defined]

import pytest

from app import zones

HOUR = timedelta(hours=1)


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


def test_steady_offsets() -> None:
    year = (utc(2024, 1, 1), utc(2025, 1, 1))
    assert zones.steady(zones.zone_named("Europe/Berlin"), *year, HOUR)
    assert zones.steady(zones.zone_named("Pacific/Kiritimati"), *year, HOUR)
    assert not zones.steady(zones.zone_named("Asia/Kolkata"), *year, HOUR)
    assert not zones.steady(zones.zone_named("Asia/Kathmandu"), *year, HOUR)
    # Lord Howe's daylight saving moves the clock by half an hour.
    assert not zones.steady(zones.zone_named("Australia/Lord_Howe"), *year, HOUR)
    # London is UTC in winter only: whole UTC days hold there until the end of March.
    london = zones.zone_named("Europe/London")
    assert zones.steady(london, utc(2024, 1, 1), utc(2024, 3, 31), timedelta(days=1))
    assert not zones.steady(london, utc(2024, 1, 1), utc(2024, 4, 1), timedelta(days=1))
    # Venezuela was UTC-4:30 from December 2007 to May 2016.
    caracas = zones.zone_named("America/Caracas")
    assert zones.steady(caracas, utc(2017, 1, 1), utc(2024, 1, 1), HOUR)
    assert not zones.steady(caracas, utc(2006, 1, 1), utc(2024, 1, 1), HOUR)


def test_changes_are_far_enough_apart_for_a_daily_scan() -> None:
    """`steady` samples offsets once a day: no two changes of any zone may be a day apart.
    The pure-Python zoneinfo exposes the transitions the C one reads from the same files."""
    closest = timedelta(days=365)
    for name in zoneinfo.available_timezones():
        moments = _zoneinfo.ZoneInfo.no_cache(name)._trans_utc
        for earlier, later in itertools.pairwise(moments):
            if earlier >= -2_208_988_800:  # 1900 onwards
                closest = min(closest, timedelta(seconds=later - earlier))
    assert closest > 2 * zones._SCAN_STEP, closest
