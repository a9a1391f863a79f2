"""Timeframes in a time zone and the periods they are compared with: pure, the clock passed in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.api.params import Compare, Endpoint, ParamError, parse_params
from app.api.periods import Period, asked, compared
from app.zones import zone_named

BERLIN = zone_named("Europe/Berlin")
MICRO = timedelta(microseconds=1)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def period(timeframe: Any, zone: str, now: datetime) -> Period:
    params = parse_params({"query": {"key": "k"}, "timeframe": timeframe, "timezone": zone}, Endpoint.PLAYS)
    return asked(params, now)


NOW = utc(2024, 10, 27, 12)  # 13:00 in Berlin, on the day clocks went back


@pytest.mark.parametrize(
    ("timeframe", "zone", "start", "end"),
    [
        ("today", "Europe/Berlin", utc(2024, 10, 26, 22), NOW),
        ("yesterday", "Europe/Berlin", utc(2024, 10, 25, 22), utc(2024, 10, 26, 22) - MICRO),
        ("month to date", "Europe/Berlin", utc(2024, 9, 30, 22), NOW),
        ("year to date", "Europe/Berlin", utc(2023, 12, 31, 23), NOW),
        (" Month_To_Date ", "Europe/Berlin", utc(2024, 9, 30, 22), NOW),
        ("today", "Asia/Kolkata", utc(2024, 10, 26, 18, 30), NOW),
        ("today", "Asia/Kathmandu", utc(2024, 10, 26, 18, 15), NOW),
        # 12:00 UTC is 02:00 on 28 October at UTC+14.
        ("today", "Pacific/Kiritimati", utc(2024, 10, 27, 10), NOW),
        ("yesterday", "Pacific/Kiritimati", utc(2024, 10, 26, 10), utc(2024, 10, 27, 10) - MICRO),
        ("today", "UTC", utc(2024, 10, 27), NOW),
        # A day back on the zone's clock: 13:00 CET now, 13:00 CEST yesterday, 25 hours.
        ("1 day", "Europe/Berlin", utc(2024, 10, 26, 11), NOW),
        ("7 days", "Europe/Berlin", utc(2024, 10, 20, 11), NOW),
        ("1 week", "Europe/Berlin", utc(2024, 10, 20, 11), NOW),
        # Hours and fractions of a day are exact durations.
        ("24 hours", "Europe/Berlin", utc(2024, 10, 26, 12), NOW),
        ("1.5 days", "Europe/Berlin", utc(2024, 10, 26), NOW),
        ("1 month", "Europe/Berlin", utc(2024, 9, 27, 11), NOW),
        ("7 days", "UTC", utc(2024, 10, 20, 12), NOW),
        ({"from": 0, "to": 86400}, "Asia/Kolkata", utc(1970, 1, 1), utc(1970, 1, 2)),
    ],
)
def test_timeframes_in_a_zone(timeframe: Any, zone: str, start: datetime, end: datetime) -> None:
    assert period(timeframe, zone, NOW) == Period(start, end)


def test_months_clamp_on_the_zones_calendar() -> None:
    # 31 March 14:00 CEST, a month back: 29 February 14:00 CET.
    assert period("1 month", "Europe/Berlin", utc(2024, 3, 31, 12)).start == utc(2024, 2, 29, 13)


def test_the_default_zone_comes_from_the_caller() -> None:
    params = parse_params({"query": {"key": "k"}, "timeframe": "today"}, Endpoint.PLAYS, BERLIN)
    assert params.timezone == BERLIN
    assert asked(params, NOW).start == utc(2024, 10, 26, 22)


@pytest.mark.parametrize(
    "value", [5, "", "Mars/Olympus", "Europe/Berlin; DROP TABLE", ["UTC"], {"zone": "UTC"}, None, "x" * 200]
)
def test_bad_time_zones_name_the_parameter(value: Any) -> None:
    with pytest.raises(ParamError) as caught:
        parse_params({"query": {"key": "k"}, "timezone": value}, Endpoint.PLAYS)
    assert caught.value.parameter == "timezone"


@pytest.mark.parametrize("value", ["tomorrow", "this month", "today and more", 7.5e300])
def test_bad_timeframe_words(value: Any) -> None:
    with pytest.raises(ParamError) as caught:
        parse_params({"query": {"key": "k"}, "timeframe": value}, Endpoint.PLAYS)
    assert caught.value.parameter == "timeframe"


# Comparison periods


def test_previous_whole_days_are_the_zones_days() -> None:
    # Yesterday was 27 October in Berlin, 25 hours; the day before it had 24.
    now = utc(2024, 10, 28, 12)
    main = period("yesterday", "Europe/Berlin", now)
    assert main == Period(utc(2024, 10, 26, 22), utc(2024, 10, 27, 23) - MICRO)
    assert compared(main, Compare.PREVIOUS, BERLIN) == Period(
        utc(2024, 10, 25, 22), utc(2024, 10, 26, 22) - MICRO
    )


def test_previous_week_keeps_weekdays_across_a_change() -> None:
    # Monday 25 March to Monday 1 April 2024 in Berlin: 167 hours, a week on the clock.
    main = Period(utc(2024, 3, 24, 23), utc(2024, 3, 31, 22))
    before = compared(main, Compare.PREVIOUS, BERLIN)
    assert before == Period(utc(2024, 3, 17, 23), utc(2024, 3, 24, 23) - MICRO)
    assert before.start.astimezone(BERLIN).weekday() == 0  # a Monday, at midnight
    # A look-back of 7 days is compared with the 7 days before it, at the same time of day.
    look_back = period("7 days", "Europe/Berlin", utc(2024, 3, 31, 12))
    assert compared(look_back, Compare.PREVIOUS, BERLIN) == Period(
        utc(2024, 3, 17, 13), utc(2024, 3, 24, 13) - MICRO
    )


def test_previous_of_a_part_of_a_day_is_as_long() -> None:
    main = period("today", "Europe/Berlin", NOW)  # 22:00 UTC to 12:00 UTC, 14 hours
    before = compared(main, Compare.PREVIOUS, BERLIN)
    assert before.end == main.start - MICRO
    assert before.end - before.start == main.end - main.start


def test_a_year_earlier_is_the_same_dates() -> None:
    main = Period(utc(2024, 2, 28, 23), utc(2024, 3, 1, 23) - MICRO)  # 29 Feb and 1 Mar in Berlin
    assert compared(main, Compare.YEAR, BERLIN) == Period(utc(2023, 2, 27, 23), utc(2023, 3, 1, 23) - MICRO)
    summer = Period(utc(2024, 7, 1, 10), utc(2024, 7, 2, 10))
    assert compared(summer, Compare.YEAR, BERLIN) == Period(utc(2023, 7, 1, 10), utc(2023, 7, 2, 10))


def test_a_comparison_outside_the_calendar_is_refused() -> None:
    main = Period(utc(1970, 1, 1), utc(9999, 12, 31))
    with pytest.raises(ParamError) as caught:
        compared(main, Compare.PREVIOUS, zone_named("Pacific/Kiritimati"))
    assert caught.value.parameter == "compare"


@pytest.mark.parametrize(
    ("days", "zone", "start", "end", "compared"),
    [
        # The day of 23 hours, compared with the whole day before it (24 hours).
        (("2024-03-31", "2024-03-31"), "Europe/Berlin", utc(2024, 3, 30, 23), utc(2024, 3, 31, 22) - MICRO,
         (utc(2024, 3, 29, 23), utc(2024, 3, 30, 23) - MICRO)),
        # The day of 25 hours.
        (("2024-10-27", "2024-10-27"), "Europe/Berlin", utc(2024, 10, 26, 22), utc(2024, 10, 27, 23) - MICRO,
         (utc(2024, 10, 25, 22), utc(2024, 10, 26, 22) - MICRO)),
        # A week, compared with the week before, weekday for weekday.
        (("2024-05-06", "2024-05-12"), "Asia/Kolkata",
         utc(2024, 5, 5, 18, 30), utc(2024, 5, 12, 18, 30) - MICRO,
         (utc(2024, 4, 28, 18, 30), utc(2024, 5, 5, 18, 30) - MICRO)),
        ((" 2024-05-01 ", "2024-05-01"), "Pacific/Kiritimati",
         utc(2024, 4, 30, 10), utc(2024, 5, 1, 10) - MICRO,
         (utc(2024, 4, 29, 10), utc(2024, 4, 30, 10) - MICRO)),
        (("2024-05-01", "2024-05-01"), "UTC", utc(2024, 5, 1), utc(2024, 5, 2) - MICRO,
         (utc(2024, 4, 30), utc(2024, 5, 1) - MICRO)),
    ],
)  # fmt: skip
def test_whole_days(
    days: tuple[str, str], zone: str, start: datetime, end: datetime, compared: tuple[datetime, datetime]
) -> None:
    timeframe = {"from": days[0], "to": days[1]}
    assert period(timeframe, zone, NOW) == Period(start, end)
    previous = compared_period(timeframe, zone)
    assert (previous.start, previous.end) == compared


def compared_period(timeframe: Any, zone: str) -> Period:
    params = parse_params(
        {"query": {"key": "k"}, "timeframe": timeframe, "timezone": zone, "compare": "previous"},
        Endpoint.PLAYS,
    )
    assert params.compare is Compare.PREVIOUS
    return compared(asked(params, NOW), params.compare, params.timezone)


@pytest.mark.parametrize(
    ("timeframe", "message"),
    [
        ({"from": "2024-05-02", "to": "2024-05-01"}, "timeframe: from is later than to"),
        ({"from": "2024-05-01", "to": 1714521600}, "timeframe: to must be a date"),
        ({"from": "2024-02-30", "to": "2024-03-01"}, "timeframe.from: '2024-02-30' is not a date"),
        ({"from": "2024-02-01", "to": "2024-13-01"}, "timeframe.to: '2024-13-01' is not a date"),
        ({"from": "2024-02-01", "to": "9999-12-31"}, "timeframe.to: must be before 9999-12-31"),
        ({"from": "2024-02-01"}, 'timeframe: needs both "from" and "to"'),
    ],
)
def test_bad_days(timeframe: Any, message: str) -> None:
    with pytest.raises(ParamError) as refused:
        parse_params({"query": {"key": "k"}, "timeframe": timeframe}, Endpoint.PLAYS)
    assert str(refused.value).startswith(message), str(refused.value)


def test_days_past_the_calendar_are_refused() -> None:
    params = parse_params(
        {
            "query": {"key": "k"},
            "timeframe": {"from": "0001-01-01", "to": "0001-01-02"},
            "timezone": "Asia/Tokyo",
        },
        Endpoint.PLAYS,
    )
    with pytest.raises(ParamError) as refused:
        asked(params, NOW)
    assert refused.value.parameter == "timeframe"
