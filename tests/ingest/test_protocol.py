import json

from app.ingest import protocol
from app.ingest.protocol import BadFrame, Frame, parse_frame

LIMIT = 1024


def test_parses_a_join_frame() -> None:
    text = '["3","3","session:abc","phx_join",{"key":"K","metadata":{"vid":1}}]'
    assert parse_frame(text, LIMIT) == Frame(
        "3", "3", "session:abc", "phx_join", {"key": "K", "metadata": {"vid": 1}}
    )


def test_heartbeat_with_null_join_ref() -> None:
    assert parse_frame('[null,"4","phoenix","heartbeat",{}]', LIMIT) == Frame(
        None, "4", "phoenix", "heartbeat", {}
    )


def test_bytes_frames_are_decoded() -> None:
    assert isinstance(parse_frame(b'[null,"4","phoenix","heartbeat",{}]', LIMIT), Frame)


def test_invalid_utf8_is_refused() -> None:
    assert parse_frame(b"\xff\xfe", LIMIT) == BadFrame("frame is not UTF-8 text")


def test_not_json_is_refused_without_a_ref() -> None:
    bad = parse_frame("{nope", LIMIT)
    assert isinstance(bad, BadFrame)
    assert bad.reason == "frame is not JSON"
    assert not bad.answerable


def test_four_elements_are_refused() -> None:
    bad = parse_frame('[null,"1","phoenix","heartbeat"]', LIMIT)
    assert isinstance(bad, BadFrame)
    assert "5" not in bad.reason and "array" in bad.reason


def test_list_payload_is_refused_with_its_ref() -> None:
    bad = parse_frame('["3","5","session:abc","event",[1,2]]', LIMIT)
    assert bad == BadFrame("payload must be an object", "3", "5", "session:abc")
    assert bad.answerable


def test_numeric_refs_are_refused() -> None:
    bad = parse_frame('[1,2,"phoenix","heartbeat",{}]', LIMIT)
    assert isinstance(bad, BadFrame)
    assert "ref" in bad.reason


def test_frame_at_the_limit_is_accepted_and_one_byte_over_refused() -> None:
    head = '["3","7","session:abc","event",{"name":"play","pad":"'
    tail = '"}]'
    exact = head + "x" * (LIMIT - len(head) - len(tail)) + tail
    assert len(exact.encode()) == LIMIT
    assert isinstance(parse_frame(exact, LIMIT), Frame)
    over = head + "x" * (LIMIT - len(head) - len(tail) + 1) + tail
    bad = parse_frame(over, LIMIT)
    assert bad == BadFrame(f"frame is larger than {LIMIT} bytes", "3", "7", "session:abc")


def test_limit_counts_utf8_bytes_not_characters() -> None:
    head = '["3","7","session:abc","event",{"pad":"'
    tail = '"}]'
    # 'é' is two bytes: within the limit in characters, over it in bytes.
    text = head + "é" * ((LIMIT - len(head) - len(tail)) // 2 + 1) + tail
    assert len(text) < LIMIT
    assert isinstance(parse_frame(text, LIMIT), BadFrame)


def test_oversized_garbage_is_refused_without_a_ref() -> None:
    bad = parse_frame("x" * (LIMIT + 1), LIMIT)
    assert isinstance(bad, BadFrame)
    assert not bad.answerable


def test_deep_nesting_is_refused_not_a_crash() -> None:
    assert isinstance(parse_frame("[" * 100_000, 10**6), BadFrame)


def test_replies_have_the_reference_shape() -> None:
    assert json.loads(protocol.reply_ok("3", "3", "session:x")) == [
        "3",
        "3",
        "session:x",
        "phx_reply",
        {"status": "ok", "response": {}},
    ]
    assert json.loads(protocol.reply_error(None, "3", "video:1", "unmatched topic")) == [
        None,
        "3",
        "video:1",
        "phx_reply",
        {"status": "error", "response": {"reason": "unmatched topic"}},
    ]
    assert json.loads(protocol.close("3", "session:x")) == ["3", "3", "session:x", "phx_close", {}]
