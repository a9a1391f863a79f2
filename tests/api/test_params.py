"""Parameter parsing: every accepted form, and a clear refusal naming the parameter for the rest."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from app.api.params import (
    DEFAULT_INTERVAL,
    DEFAULT_MINIMUM_WATCH_SECONDS,
    By,
    Compare,
    Endpoint,
    Format,
    Order,
    ParamError,
    Sort,
    Timeframe,
    VideoQuery,
    before,
    from_json_body,
    from_query_string,
    merge,
    parse_params,
)
from app.intervals import Interval

NOW = datetime(2024, 5, 31, 12, 0, tzinfo=UTC)
VIDEO = {"video": {"id": "1"}}


def _nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth):
        value = {"a": value}
    return value


def refused(raw: dict[str, Any], parameter: str, endpoint: Endpoint = Endpoint.PLAYS) -> str:
    with pytest.raises(ParamError) as caught:
        parse_params(raw, endpoint)
    assert caught.value.parameter == parameter, caught.value
    assert str(caught.value).startswith(f"{parameter}: ")
    return caught.value.message


# Defaults and accepted forms


def test_defaults() -> None:
    params = parse_params({"query": VIDEO}, Endpoint.PLAYS)
    assert params.videos == VideoQuery(video={"id": "1"})
    assert params.interval == DEFAULT_INTERVAL == Interval(months=12)
    assert params.timeframe == Timeframe(since=Interval(microseconds=7 * 86_400_000_000), days=7)
    assert params.minimum_watch_seconds == DEFAULT_MINIMUM_WATCH_SECONDS == 1.0
    assert params.ranges is None


def test_query_by_key_and_by_video_and_identifier() -> None:
    assert parse_params({"query": {"key": "abc+/="}}, Endpoint.PLAYS).videos.key_only
    both = parse_params({"query": {"key": "k", "video": {}}, "identifier": "x"}, Endpoint.PLAYS)
    assert both.videos == VideoQuery(video={}, key="k", identifier="x")
    assert not both.videos.key_only
    alone = parse_params({"identifier": "MIB2"}, Endpoint.SOURCES)
    assert alone.videos == VideoQuery(identifier="MIB2")


def test_watching_needs_no_query() -> None:
    assert parse_params({}, Endpoint.WATCHING).videos == VideoQuery()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 hour", Interval(microseconds=3_600_000_000)),
        ("1 day", Interval(microseconds=86_400_000_000)),
        ("2 weeks", Interval(microseconds=14 * 86_400_000_000)),
        ("1 month", Interval(months=1)),
        ("12 months", Interval(months=12)),
        ("1 year", Interval(months=12)),
        ("1 second", Interval(microseconds=1_000_000)),
    ],
)
def test_interval(text: str, expected: Interval) -> None:
    assert parse_params({"query": VIDEO, "interval": text}, Endpoint.PLAYS).interval == expected


def test_timeframe_three_forms() -> None:
    def timeframe(value: Any) -> Timeframe:
        return parse_params({"query": VIDEO, "timeframe": value}, Endpoint.PLAYS).timeframe

    week = timeframe("7 days")
    assert week.bounds(NOW) == (datetime(2024, 5, 24, 12, tzinfo=UTC), NOW)
    since = timeframe(1_700_000_000)
    assert since.bounds(NOW) == (datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC), NOW)
    assert timeframe("1700000000") == since
    assert timeframe(1_700_000_000.5).start == datetime(2023, 11, 14, 22, 13, 20, 500_000, UTC)
    window = timeframe({"from": 0, "to": 86_400})
    assert window.bounds(NOW) == (datetime(1970, 1, 1, tzinfo=UTC), datetime(1970, 1, 2, tzinfo=UTC))


def test_month_lookback_clamps_like_postgresql() -> None:
    assert before(NOW, Interval(months=1)) == datetime(2024, 4, 30, 12, tzinfo=UTC)
    assert before(NOW, Interval(months=3)) == datetime(2024, 2, 29, 12, tzinfo=UTC)
    assert before(NOW, Interval(months=12)) == datetime(2023, 5, 31, 12, tzinfo=UTC)
    assert before(datetime(2024, 1, 15, tzinfo=UTC), Interval(months=1)) == datetime(2023, 12, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (0, 0.0),
        (3, 3.0),
        (2.5, 2.5),
        ("3", 3.0),
        ("3 seconds", 3.0),
        ("1 minute", 60.0),
        ("500 milliseconds", 0.5),
    ],
)
def test_minimum_watch_seconds(value: Any, seconds: float) -> None:
    raw = {"query": VIDEO, "minimum_watch_seconds": value}
    assert parse_params(raw, Endpoint.PLAYS).minimum_watch_seconds == seconds


@pytest.mark.parametrize(("value", "expected"), [(1, 1), (3, 3), (1000, 1000), ("10", 10)])
def test_ranges(value: Any, expected: int) -> None:
    assert parse_params({"query": VIDEO, "ranges": value}, Endpoint.ENGAGEMENT).ranges == expected


# Refusals, each naming its parameter


@pytest.mark.parametrize(
    "value",
    [
        None,
        "abc",
        3,
        [],
        {},
        {"video": 1},
        {"video": []},
        {"key": 3},
        {"key": ""},
        {"key": "a b"},
        {"key": "x" * 129},
        {"session": {}},
        {"video": {}, "other": 1},
        True,
    ],
)
def test_bad_query(value: Any) -> None:
    refused({"query": value}, "query")


@pytest.mark.parametrize(
    "video",
    [{"a": "x\x00y"}, {"a\x00": 1}, {"a": "\ud800"}, {"a": [1e400]}, {"a": -1e400}, _nested(40)],
)
def test_query_values_postgresql_cannot_store(video: dict[str, Any]) -> None:
    refused({"query": {"video": video}}, "query")


@pytest.mark.parametrize("value", ["x\x00", "\udc80"])
def test_identifier_postgresql_cannot_store(value: str) -> None:
    refused({"identifier": value}, "identifier")


def test_query_or_identifier_required() -> None:
    assert "required unless identifier" in refused({}, "query")
    refused({"interval": "1 day"}, "query", Endpoint.ENGAGEMENT)


@pytest.mark.parametrize("value", [None, "", 3, ["a"], {"a": 1}, "x" * 1001, True])
def test_bad_identifier(value: Any) -> None:
    refused({"identifier": value}, "identifier")


@pytest.mark.parametrize(
    "value",
    [
        None,
        7,
        1.5,
        True,
        [],
        {},
        "",
        "day",
        "7",
        "7 fortnights",
        "-1 day",
        "0 days",
        "1.5 months",
        "7 days' OR 1=1",
        "7 days; DROP TABLE sessions",
        "999999999 years",
        "500 milliseconds",
        "1 day 2 hours",
    ],
)
def test_bad_interval(value: Any) -> None:
    refused({"query": VIDEO, "interval": value}, "interval")


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        [],
        [1, 2],
        "",
        "7 fortnights",
        "-7 days",
        "7 days' OR 1=1",
        "1e9",
        -1,
        -0.5,
        10**20,
        1e308,
        253_402_300_800,
        {"from": 1},
        {"to": 1},
        {"from": 2, "to": 1},
        {"from": "a", "to": 1},
        {"from": 0, "to": 1, "x": 2},
        {"from": None, "to": 1},
        {"from": True, "to": 1},
        {"from": -5, "to": 1},
    ],
)
def test_bad_timeframe(value: Any) -> None:
    message = refused({"query": VIDEO, "timeframe": value}, _timeframe_name(value))
    assert message


def _timeframe_name(value: Any) -> str:
    if isinstance(value, dict) and set(value) == {"from", "to"}:
        for side in ("from", "to"):
            inner = value[side]
            if not isinstance(inner, (int, float)) or isinstance(inner, bool) or inner < 0:
                return f"timeframe.{side}"
    return "timeframe"


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        [],
        {},
        "",
        "abc",
        "3 fortnights",
        "1 month",
        "-3",
        -1,
        -0.001,
        1e10,
        10**30,
        "3 seconds' OR 1=1",
    ],
)
def test_bad_minimum_watch_seconds(value: Any) -> None:
    refused({"query": VIDEO, "minimum_watch_seconds": value}, "minimum_watch_seconds")


@pytest.mark.parametrize(
    "value", [None, True, 0, -1, 1001, 10**12, 2.5, 3.0, "", "3.5", "abc", "-1", [], {}, "1001"]
)
def test_bad_ranges(value: Any) -> None:
    refused({"query": VIDEO, "ranges": value}, "ranges", Endpoint.ENGAGEMENT)


@pytest.mark.parametrize(
    ("endpoint", "name"),
    [
        (Endpoint.PLAYS, "ranges"),
        (Endpoint.SOURCES, "ranges"),
        (Endpoint.ENGAGEMENT, "sort"),
        (Endpoint.WATCHING, "interval"),
        (Endpoint.PLAYS, "Query"),
        (Endpoint.PLAYS, "limit"),
    ],
)
def test_unknown_parameters(endpoint: Endpoint, name: str) -> None:
    message = refused({"query": VIDEO, name: "1"}, name, endpoint)
    assert "unknown parameter" in message


def test_unknown_parameter_name_is_shortened() -> None:
    with pytest.raises(ParamError) as caught:
        parse_params({"x" * 10_000: 1}, Endpoint.PLAYS)
    assert len(str(caught.value)) < 300


# Readers


def test_query_string_decodes_nested_json_only() -> None:
    raw = from_query_string(
        [("query", '{"video":{"id":1}}'), ("interval", "1 day"), ("timeframe", '{"from":0,"to":5}')]
    )
    assert raw == {"query": {"video": {"id": 1}}, "interval": "1 day", "timeframe": {"from": 0, "to": 5}}
    assert from_query_string([("identifier", "123")]) == {"identifier": "123"}


@pytest.mark.parametrize(
    ("pairs", "parameter"),
    [
        ([("query", "{")], "query"),
        ([("query", '{"video": NaN}')], "query"),
        ([("query", '{"video": {}, "video": {}}')], "query"),
        ([("query", "[" * 100_000)], "query"),
        ([("interval", "1 day"), ("interval", "2 days")], "interval"),
    ],
)
def test_query_string_refusals(pairs: list[tuple[str, str]], parameter: str) -> None:
    with pytest.raises(ParamError) as caught:
        from_query_string(pairs)
    assert caught.value.parameter == parameter


def test_json_body() -> None:
    assert from_json_body(b"") == {}
    assert from_json_body(b"  \n") == {}
    assert from_json_body(b'{"query": {"key": "k"}}') == {"query": {"key": "k"}}


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b"[]",
        b"3",
        b'"x"',
        b"null",
        b"\xff\xfe",
        b'{"a": Infinity}',
        b'{"a": -Infinity}',
        b'{"a": 1, "a": 2}',
        b"{'a': 1}",
        b"[" * 100_000,
        b'{"a": 1} x',
    ],
)
def test_json_body_refusals(body: bytes) -> None:
    with pytest.raises(ParamError) as caught:
        from_json_body(body)
    assert caught.value.parameter == "body"


def test_huge_integers_are_refused_not_crashed() -> None:
    raw = from_json_body(b'{"minimum_watch_seconds": ' + b"9" * 400 + b"}")
    refused({"query": VIDEO, **raw}, "minimum_watch_seconds")
    with pytest.raises(ParamError) as caught:
        from_json_body(b'{"minimum_watch_seconds": ' + b"9" * 5000 + b"}")
    assert caught.value.parameter == "body"


def test_merge_refuses_a_parameter_given_twice() -> None:
    assert merge({"interval": "1 day"}, {"query": VIDEO}) == {"interval": "1 day", "query": VIDEO}
    with pytest.raises(ParamError) as caught:
        merge({"interval": "1 day"}, {"interval": "1 day"})
    assert caught.value.parameter == "interval"


# Issue 9: comparison, CSV, the videos list, live breakdowns.


def test_videos_parameters_and_their_defaults() -> None:
    params = parse_params({"query": VIDEO}, Endpoint.VIDEOS)
    assert (params.sort, params.order, params.limit, params.offset, params.search) == (
        Sort.PLAYS, Order.DESC, 50, 0, None
    )  # fmt: skip
    assert parse_params({"query": VIDEO, "sort": "identifier"}, Endpoint.VIDEOS).order is Order.ASC
    chosen = parse_params(
        {
            "query": VIDEO,
            "sort": "Duration",
            "order": "asc",
            "limit": "1000",
            "offset": 1_000_000,
            "search": "a",
        },
        Endpoint.VIDEOS,
    )
    assert (chosen.sort, chosen.order, chosen.limit, chosen.offset, chosen.search) == (
        Sort.DURATION, Order.ASC, 1000, 1_000_000, "a"
    )  # fmt: skip
    assert parse_params({"query": VIDEO, "limit": 1, "search": "x" * 1000}, Endpoint.VIDEOS).limit == 1


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("limit", 0), ("limit", 1001), ("limit", "ten"), ("limit", 2.5), ("limit", True),
        ("offset", -1), ("offset", 1_000_001), ("offset", "1e3"),
        ("sort", "views"), ("sort", 1), ("order", "up"),
        ("search", "x" * 1001), ("search", "a\x00b"), ("search", 5),
        ("compare", "week"), ("format", "XML"), ("format", None),
    ],
)  # fmt: skip
def test_bad_videos_parameters(name: str, value: Any) -> None:
    refused({"query": VIDEO, name: value}, name, Endpoint.VIDEOS)


def test_compare_and_format_where_accepted() -> None:
    for endpoint in (Endpoint.PLAYS, Endpoint.VIEWS, Endpoint.SOURCES, Endpoint.ENGAGEMENT, Endpoint.VIDEOS):
        params = parse_params({"query": VIDEO, "compare": "year", "format": "csv"}, endpoint)
        assert (params.compare, params.format) == (Compare.YEAR, Format.CSV)
    refused({"compare": "previous"}, "compare", Endpoint.WATCHING)
    refused({"query": VIDEO, "sort": "plays"}, "sort", Endpoint.PLAYS)
    refused({"query": VIDEO, "interval": "1 day"}, "interval", Endpoint.VIDEOS)


def test_watching_takes_by_and_a_timeframe() -> None:
    params = parse_params({"by": "page", "timeframe": "today"}, Endpoint.WATCHING)
    assert params.by is By.PAGE
    assert params.given == {"by", "timeframe"}
    refused({"by": "browser"}, "by", Endpoint.WATCHING)
