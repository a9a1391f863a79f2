import pytest

from app.ingest.useragent import BROWSERS, DEVICES, PLATFORMS, classify

CASES = [
    (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 "
        "Safari/537.36",
        ("chrome", "linux", "desktop"),
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0",
        ("edge", "windows", "desktop"),
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.0 Safari/605.1.15",
        ("safari", "mac", "desktop"),
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
        "Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
        ("safari", "ios", "mobile"),
    ),
    (
        "Mozilla/5.0 (iPad; CPU OS 16_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/16.0 Mobile/15E148 Safari/604.1",
        ("safari", "ios", "tablet"),
    ),
    (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0.0.0 Mobile Safari/537.36",
        ("chrome", "android", "mobile"),
    ),
    (
        "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0",
        ("firefox", "linux", "desktop"),
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Safari/537.36 OPR/106.0.0.0",
        ("opera", "windows", "desktop"),
    ),
    ("Mozilla/5.0 (Windows NT 6.1; Trident/7.0; rv:11.0) like Gecko", ("ie", "windows", "desktop")),
    ("Googlebot/2.1 (+http://www.google.com/bot.html)", ("other", "other", "other")),
    ("", ("other", "other", "other")),
    ("\x00\xff" * 2000, ("other", "other", "other")),
]


@pytest.mark.parametrize(("user_agent", "expected"), CASES)
def test_classify(user_agent: str, expected: tuple[str, str, str]) -> None:
    client = classify(user_agent)
    assert (client.browser, client.platform, client.device) == expected


def test_missing_header_is_other() -> None:
    client = classify(None)
    assert (client.browser, client.platform, client.device) == ("other", "other", "other")


def test_every_answer_is_a_known_category() -> None:
    for user_agent, _ in CASES:
        client = classify(user_agent)
        assert client.browser in BROWSERS
        assert client.platform in PLATFORMS
        assert client.device in DEVICES
