"""Error messages lose their particulars the same way in the page and on the server."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.ingest.failure import MAX_MESSAGE, fingerprint, normalise
from tests.snippet.detector import Detector

EXAMPLES = [
    ("Failed to fetch https://cdn.example.com/a/b.m3u8?token=abc123 (404)", "Failed to fetch <url> (<n>)"),
    ("segment 12 of 40 at 3.5s", "segment <n> of <n> at <n>s"),
    ("key 0xDEADBEEF bad, sum 9f86d081884c7d65", "key <hex> bad, sum <hex>"),
    ("session 123e4567-e89b-12d3-a456-426614174000 lost", "session <id> lost"),
    ("user jane.doe@example.org denied", "user <email> denied"),
    ("token eyJhbGciOiJIUzI1NiJ9abc expired", "token <id> expired"),
    ("blob:https://x.example/5f0c-11 failed", "<url> failed"),
    ("  many   spaces\nand\tlines ", "many spaces and lines"),
    ("PipelineStatus::DEMUXER_ERROR_COULD_NOT_OPEN", "PipelineStatus::DEMUXER_ERROR_COULD_NOT_OPEN"),
    ("a\x00b", "a b"),
]


@pytest.mark.parametrize(("message", "expected"), EXAMPLES)
def test_particulars_become_placeholders(message: str, expected: str) -> None:
    assert normalise(message) == expected


def test_the_page_normalises_as_the_server_does(detector: Detector) -> None:
    messages = [message for message, _ in EXAMPLES]
    assert detector.normalise(messages) == [normalise(message) for message in messages]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(
            st.text(st.characters(exclude_categories=["Cs"]), max_size=8)
            | st.sampled_from(["://", "@", ".", "0x", "-", "a1", "blob:", "https://", " ", "é", "٣"]),
            max_size=40,
        ).map("".join),
        min_size=1,
        max_size=10,
    )
)
def test_generated_messages_agree_and_keep_no_digit(detector: Detector, messages: list[str]) -> None:
    server = [normalise(message) for message in messages]
    assert detector.normalise(messages) == server
    for text in server:
        assert len(text) <= MAX_MESSAGE and "\x00" not in text
        assert not any(c in "0123456789" for c in text), text
        assert normalise(text) == text  # a normalised message stays as it is


def test_the_group_is_the_code_and_the_normalised_message() -> None:
    assert fingerprint("4", "a") == fingerprint("4", "a") != fingerprint("4", "b") != fingerprint("3", "a")
    assert len(fingerprint("4", "a")) == 16
