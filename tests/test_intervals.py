import pytest

from app.intervals import Interval, parse_interval


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 hour", Interval(microseconds=3_600_000_000)),
        ("7 days", Interval(microseconds=604_800_000_000)),
        ("1 week", Interval(microseconds=604_800_000_000)),
        ("12 months", Interval(months=12)),
        ("2 years", Interval(months=24)),
        ("1 month", Interval(months=1)),
        ("30 sec", Interval(microseconds=30_000_000)),
        ("1.5 hours", Interval(microseconds=5_400_000_000)),
        (" 3 DAYS ", Interval(microseconds=259_200_000_000)),
    ],
)
def test_accepted(text: str, expected: Interval) -> None:
    assert parse_interval(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "days",
        "7",
        "-7 days",
        "0 days",
        "7 days' OR 1=1",
        "1.5 months",
        "7 fortnights",
        "1 hour 2 minutes",
        "201 years",
        "99999999 days",
        "\uff17 days",
    ],
)
def test_refused_with_a_reason(text: str) -> None:
    with pytest.raises(ValueError, match=r"\S"):
        parse_interval(text)


def test_not_a_string() -> None:
    with pytest.raises(ValueError, match="expected a string"):
        parse_interval(7)  # type: ignore[arg-type]


def test_str_is_a_postgres_literal() -> None:
    assert str(parse_interval("2 years")) == "24 months"
    assert str(parse_interval("1 hour")) == "3600000000 microseconds"
