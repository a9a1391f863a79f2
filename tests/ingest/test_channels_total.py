"""The protocol layer is total over its input: generated frames and frame sequences never raise,
never meet an internal error, every frame with a ref and a topic gets its own specific reply (but
an accepted push, which the reference server does not answer either), and every row handed to the
writer is one the database stores."""

from __future__ import annotations

import math
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from app.ingest.channels import Limits
from app.ingest.failure import fingerprint
from app.ingest.join import MAX_METADATA_BYTES, stored_size_bound
from app.ingest.quality import EXITS, STATES
from app.ingest.session import MAX_POSITION
from tests.ingest.test_channels import connection
from tests.support.writers import RecordingWriter


def text(max_size: int) -> st.SearchStrategy[str]:
    """Text a client can send: JSON cannot carry lone surrogates (those are tried as raw frames)."""
    return st.text(st.characters(exclude_categories=["Cs"]), max_size=max_size)


SUMMARY_FIELDS = (
    "watch", "playing", "rebuffers", "rebuffering", "seeks", "seeking", "startup",
    "bitrate", "renditions", "dropped", "frames", "upscale",
)  # fmt: skip
LIMITS = Limits(max_frame_bytes=2048, max_sessions_per_socket=4, max_events_per_session=12)
TOPICS = ["session:" + c * 21 for c in "abc"] + ["session:", "phoenix", "room:lobby", "session:a/b", ""]

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([5e-324, -5e-324, 1e308, 1e-310, 0.0, -0.0, 1e6, 1e6 + 1e-6, 999999.9999999])
    | text(12)
    | st.sampled_from(["\x00", "12.5", " 3 ", "1e400", "NaN", "-1", "Infinity", "0x10", "١٢"])
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text(6), inner, max_size=4),
    max_leaves=20,
)
refs = st.none() | text(4) | st.integers(0, 99) | st.just(["x"])
payloads = st.one_of(
    st.fixed_dictionaries(
        {"key": st.sampled_from(["good", "bad", "", "good\x00", 7]), "metadata": json_values},
        optional={
            "identifier": json_values,
            "source_url": st.sampled_from(
                ["https://a.example/x?y#z", "ftp://a/", "https://\x00/", "http://[::1", "", 5, "h" * 3000]
            ),
        },
    ),
    st.fixed_dictionaries(
        {"name": st.sampled_from(["play", "pause", "seek", "", None, 3])},
        optional={"from": json_scalars, "to": json_scalars, "duration": json_scalars},
    ),
    # The quality events (docs/PROTOCOL.md), with hostile values in every field.
    st.fixed_dictionaries(
        {"name": st.sampled_from(["playback", "impression", "viewable", "error"])},
        optional={
            "state": st.sampled_from([*STATES, "", "PLAYING", None, 3]),
            "hidden": json_scalars,
            "autoplay": json_scalars,
            **{field: json_scalars for field in SUMMARY_FIELDS},
            "code": st.sampled_from(["4", "hls:networkError", "x" * 64, "x" * 65, "", "a\x00", 3, True])
            | json_scalars,
            "message": st.sampled_from(["m" * 200, "m" * 201, "at https://a.example/1 \x00", ""])
            | json_scalars,
        },
    ),
    st.dictionaries(text(5), json_values, max_size=3),
    json_values,
)
events = st.sampled_from(["phx_join", "event", "phx_leave", "heartbeat", "phx_reply", "other", ""])
frames = st.tuples(
    refs, refs, st.sampled_from(TOPICS) | text(10) | st.integers(-1000, 1000), events, payloads
)


JOIN_HEAD = '["1","1","session:aaaaaaaaaaaaaaaaaaaaa","phx_join",{"key":"good","metadata":'


def deep(depth: int) -> str:
    return "[" * depth + "]" * depth


raw_texts = st.one_of(
    frames.map(lambda f: orjson.dumps(list(f)).decode()),
    frames.map(lambda f: orjson.dumps(list(f)).decode()[: len(orjson.dumps(list(f))) // 2]),  # cut short
    st.binary(max_size=64),
    text(64),
    st.sampled_from(
        [
            '["1","1","session:aaaaaaaaaaaaaaaaaaaaa","phx_join",{"key":"good","metadata":'
            + deep(300)
            + "}]",
            '["1","1","session:aaaaaaaaaaaaaaaaaaaaa","phx_join",{"key":"good","metadata":'
            + deep(1100)
            + "}]",
            '["1","2","session:aaaaaaaaaaaaaaaaaaaaa","event",{"name":"play","from":1e999}]',
            '["1","2","session:aaaaaaaaaaaaaaaaaaaaa","event",{"name":"play","from":NaN}]',
            '["1","2","session:aaaaaaaaaaaaaaaaaaaaa","event",{"name":"play","from":"\\ud800"}]',
            '["1","3","session:aaaaaaaaaaaaaaaaaaaaa","event",{"name":"pause","to":' + "9" * 400 + "}]",
            '["1","4","session:aaaaaaaaaaaaaaaaaaaaa","event",{"pad":"' + "x" * 3000 + '"}]',
            '[null,"5","phoenix","heartbeat",{}]',
            "[" * 5000,
        ]
    ),
)


def ref_and_topic(text: str | bytes) -> tuple[str, str, str] | None:
    """The ref, topic and event of a frame that has them and fits the limit."""
    try:
        message = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    size = len(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    if size > LIMITS.max_frame_bytes or not isinstance(message, list) or len(message) != 5:
        return None
    join_ref, ref, topic, event, _ = message
    if not isinstance(ref, str) or not isinstance(topic, str) or not isinstance(event, str):
        return None
    if join_ref is not None and not isinstance(join_ref, str):
        return None
    return ref, topic, event


@settings(max_examples=400, deadline=None)
@given(
    texts=st.lists(raw_texts, min_size=1, max_size=25),
    steps=st.lists(st.floats(0, 30), min_size=25, max_size=25),
)
async def test_any_frames_get_specific_answers_and_only_storable_rows(
    texts: list[str | bytes], steps: list[float]
) -> None:
    writer, clock = RecordingWriter(), [1_000.0]
    conn = connection(writer, clock, LIMITS)
    for text, step in zip(texts, steps, strict=False):
        clock[0] += step
        joined = set(conn.topics())  # an accepted push on a joined channel is not answered
        replies = [orjson.loads(reply) for reply in await conn.answer(text)]
        for reply in replies:
            assert reply[3] != "phx_error", (text, reply)
            if reply[3] == "phx_reply" and reply[4]["status"] == "error":
                assert reply[4]["response"]["reason"] != "internal error", text
        expected = ref_and_topic(text)
        if expected is not None:
            ref, topic, event = expected
            answered = [r for r in replies if r[3] == "phx_reply" and r[1] == ref and r[2] == topic]
            if event == "event" and topic in joined:
                # Accepted: silence, as the reference server; refused: its one error reply.
                assert len(answered) <= 1 and all(r[4]["status"] == "error" for r in answered), (
                    text,
                    replies,
                )
            else:
                assert len(answered) == 1, (text, replies)
    clock[0] += 1.0
    conn.close()
    for record in writer.records:
        assert stored_size_bound(record.metadata) <= MAX_METADATA_BYTES
        assert "\x00" not in (record.identifier or "") + record.page_url + record.page_host
        assert record.duration is None or 1e-6 <= record.duration <= MAX_POSITION
        for start, end in record.segments:
            assert 0 <= start < end <= MAX_POSITION
            for position in (start, end):
                assert position == 0 or abs(position) >= 1e-6  # never subnormal
        assert math.isfinite(record.watched) and 0 <= record.unique_watched <= record.watched + 1e-6
        assert record.watched <= 1e12
        assert_quality_storable(record)


def assert_quality_storable(record: Any) -> None:
    """What migrations/020's check and column types demand of the quality columns."""
    wall = (record.ended_at - record.started_at).total_seconds()
    assert record.exit is None or record.exit in EXITS
    assert 0 <= record.watch_time <= min(wall, 1e6) + 1e-6
    for name in ("playing_time", "rebuffer_time"):
        assert 0 <= getattr(record, name) <= record.watch_time + 1e-6, name
    assert 0 <= record.seek_time <= min(wall, 1e6) + 1e-6
    for name in ("startup_time", "waited", "furthest", "bitrate", "upscale"):
        value = getattr(record, name)
        assert value is None or (math.isfinite(value) and value >= 0 and (value == 0 or value >= 1e-6)), name
    assert record.bitrate is None or 0 < record.bitrate <= 1e10
    assert record.upscale is None or record.upscale <= 1e4
    for name in ("rebuffer_count", "seek_count", "rendition_changes", "dropped_frames", "frames"):
        value = getattr(record, name)
        assert value is None or (isinstance(value, int) and 0 <= value <= 2_000_000_000), name
    assert 0 <= record.quartiles <= 15 and record.country == "unknown"
    if record.error_fingerprint is not None:
        assert record.error_phase in ("startup", "playback")
        assert record.error_fingerprint == fingerprint(record.error_code, record.error_message)
        assert 1 <= len(record.error_code) <= 64 and len(record.error_message) <= 200
        assert "\x00" not in record.error_code + record.error_message
