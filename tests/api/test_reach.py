"""What a reader may see, where every question's videos are parsed: pure."""

from __future__ import annotations

import pytest

from app.api.params import EVERY_KEY, Endpoint, OutOfReach, Reach, VideoQuery, parse_params, restrict
from app.data.params import parse_export

A = Reach(frozenset({"site-a", "site-b"}))


def test_every_key_changes_nothing() -> None:
    query = VideoQuery(video={"id": 1}, key="k", identifier="x")
    assert restrict(query, EVERY_KEY) is query


def test_a_key_in_reach_is_asked_as_it_is() -> None:
    assert restrict(VideoQuery(key="site-a"), A) == VideoQuery(key="site-a")


def test_a_key_outside_is_refused_naming_what_may_be_read() -> None:
    with pytest.raises(OutOfReach) as refused:
        restrict(VideoQuery(key="site-c", video={"id": 1}), A)
    assert refused.value.parameter == "query"
    assert str(refused.value) == (
        "query: key 'site-c' is outside this token's scope; it reads the keys site-a, site-b"
    )


def test_without_a_key_only_the_reachs_keys() -> None:
    assert restrict(VideoQuery(identifier="x"), A) == VideoQuery(identifier="x", within=("site-a", "site-b"))
    assert restrict(VideoQuery(), Reach(frozenset())) == VideoQuery(within=())


def test_every_endpoint_and_the_export_apply_it() -> None:
    for endpoint in Endpoint:
        with pytest.raises(OutOfReach):
            parse_params({"query": {"key": "site-c"}}, endpoint, reach=A)
        assert parse_params({"identifier": "x"}, endpoint, reach=A).videos.within == ("site-a", "site-b")
    assert parse_params({}, Endpoint.WATCHING, reach=A).videos.within == ("site-a", "site-b")
    with pytest.raises(OutOfReach):
        parse_export({"query": {"key": "site-c"}}, A)
    assert parse_export({"identifier": "x"}, A).videos.within == ("site-a", "site-b")
