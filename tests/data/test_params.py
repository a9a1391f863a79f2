"""Export and deletion parameters: the accepted forms, and a named refusal for anything else."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.api.params import ParamError, Timeframe, VideoQuery
from app.data.params import ExportFormat, parse_before, parse_deletion, parse_export
from app.intervals import Interval

KEY = {"query": {"key": "k"}}


def test_export_defaults_to_every_session_as_csv() -> None:
    params = parse_export(KEY)
    assert (params.videos, params.timeframe, params.format) == (VideoQuery(key="k"), None, ExportFormat.CSV)
    limited = parse_export({**KEY, "timeframe": "30 days", "format": "jsonl"})
    assert limited.timeframe == Timeframe(since=Interval(microseconds=30 * 86_400_000_000), days=30)
    assert limited.format is ExportFormat.JSONL
    assert parse_export({"identifier": "t"}).videos == VideoQuery(identifier="t")


def test_deletion_defaults_and_flags() -> None:
    params = parse_deletion(KEY)
    assert (params.before, params.dry_run, params.revoke_key) == (None, False, False)
    flags = parse_deletion({**KEY, "dry_run": "1", "revoke_key": "TRUE"})
    assert flags.dry_run and flags.revoke_key
    assert not parse_deletion({**KEY, "dry_run": "false"}).dry_run


@pytest.mark.parametrize(
    ("value", "moment"),
    [
        ("2024-01-31", datetime(2024, 1, 31, tzinfo=UTC)),
        ("2024-01-31T12:30:00Z", datetime(2024, 1, 31, 12, 30, tzinfo=UTC)),
        ("2024-01-31T12:30:00+02:00", datetime(2024, 1, 31, 10, 30, tzinfo=UTC)),
        ("2024-01-31 12:30", datetime(2024, 1, 31, 12, 30, tzinfo=UTC)),
        (1706659200, datetime(2024, 1, 31, tzinfo=UTC)),
        ("1706659200.5", datetime(2024, 1, 31, 0, 0, 0, 500000, tzinfo=UTC)),
    ],
)
def test_before_forms(value: Any, moment: datetime) -> None:
    assert parse_before(value) == moment


@pytest.mark.parametrize(
    ("raw", "parameter"),
    [
        ({}, "query"),
        ({**KEY, "format": "CSV"}, "format"),
        ({**KEY, "format": ["csv"]}, "format"),
        ({**KEY, "ranges": 3}, "ranges"),
        ({**KEY, "timeframe": {"from": 2}}, "timeframe"),
    ],
)
def test_export_refusals_name_the_parameter(raw: dict[str, Any], parameter: str) -> None:
    with pytest.raises(ParamError) as caught:
        parse_export(raw)
    assert caught.value.parameter == parameter


@pytest.mark.parametrize(
    ("raw", "parameter"),
    [
        ({"identifier": ""}, "identifier"),
        ({**KEY, "before": "yesterday"}, "before"),
        ({**KEY, "before": True}, "before"),
        ({**KEY, "before": 10**400}, "before"),
        ({**KEY, "before": float("nan")}, "before"),
        ({**KEY, "before": "9999-12-31T23:59:59-14:00"}, "before"),
        ({**KEY, "dry_run": 1}, "dry_run"),
        ({**KEY, "dry_run": None}, "dry_run"),
        ({"query": {"video": {}}, "revoke_key": True}, "revoke_key"),
        ({**KEY, "format": "csv"}, "format"),
    ],
)
def test_deletion_refusals_name_the_parameter(raw: dict[str, Any], parameter: str) -> None:
    with pytest.raises(ParamError) as caught:
        parse_deletion(raw)
    assert caught.value.parameter == parameter


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)
# Near-misses of what is accepted, beside anything at all.
near = st.sampled_from(
    ["2024-02-30", "2024-01-31T25:00", "1e400", "-0", "jsonl ", "true ", " 1", "9" * 30, "\x00", "\ud800"]
)
values = st.one_of(
    json_values, near, st.dictionaries(st.sampled_from(["key", "video", "from", "to"]), json_values)
)
names = st.sampled_from(
    ["query", "identifier", "timeframe", "format", "before", "dry_run", "revoke_key", "x"]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.dictionaries(names, values, max_size=5))
def test_hostile_parameters_are_parsed_or_refused_by_name(raw: dict[str, Any]) -> None:
    """Whatever a client sends, the answer is a value or a ParamError that names a parameter:
    never another exception (which the route would turn into a 500)."""
    for parse in (parse_export, parse_deletion):
        try:
            parse(raw)
        except ParamError as error:
            assert str(error).startswith(f"{error.parameter}: ")
