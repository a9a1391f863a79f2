"""User-Agent → browser, platform and device categories. Only the categories are kept, never the string."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import user_agents

BROWSERS = ("edge", "ie", "chrome", "firefox", "opera", "safari", "brave", "other")
PLATFORMS = ("ios", "android", "mac", "windows", "linux", "other")
DEVICES = ("mobile", "tablet", "desktop", "other")

# ua-parser family names, by category. Anything not listed is "other".
_BROWSER_FAMILIES = {
    "edge": ("Edge", "Edge Mobile"),
    "ie": ("IE", "IE Mobile"),
    "chrome": (
        "Chrome",
        "Chrome Mobile",
        "Chrome Mobile iOS",
        "Chrome Mobile WebView",
        "Chromium",
        "HeadlessChrome",
    ),
    "firefox": ("Firefox", "Firefox Mobile", "Firefox iOS", "Firefox Focus"),
    "opera": ("Opera", "Opera Mobile", "Opera Mini", "Opera Touch", "Opera GX"),
    "safari": ("Safari", "Mobile Safari", "Mobile Safari UI/WKWebView"),
    "brave": ("Brave",),
}
_BROWSER_BY_FAMILY = {family: name for name, fams in _BROWSER_FAMILIES.items() for family in fams}

_LINUX_FAMILIES = frozenset(
    (
        "Linux",
        "Ubuntu",
        "Debian",
        "Fedora",
        "Red Hat",
        "SUSE",
        "openSUSE",
        "Gentoo",
        "Mint",
        "Arch Linux",
        "Slackware",
        "Mandriva",
        "CentOS",
        "Kubuntu",
        "Xubuntu",
    )
)

# A parsed User-Agent string is kept only in this bounded cache, in memory, never stored.
_CACHE_SIZE = 8192
# Longer headers are cut before parsing: no real browser sends more, and the regexes cost per byte.
_MAX_LENGTH = 512


@dataclass(frozen=True, slots=True)
class Client:
    browser: str
    platform: str
    device: str


def classify(user_agent: str | None) -> Client:
    return _classify((user_agent or "")[:_MAX_LENGTH])


@lru_cache(maxsize=_CACHE_SIZE)
def _classify(user_agent: str) -> Client:
    try:
        parsed = user_agents.parse(user_agent)
    except Exception:  # a parser fault on a hostile string must cost nothing but "other"
        return Client("other", "other", "other")
    return Client(_browser(parsed), _platform(parsed.os.family), _device(parsed))


def _browser(parsed: user_agents.parsers.UserAgent) -> str:
    if parsed.is_bot:
        return "other"
    # Older Edge versions parse as Chrome in some rule sets; the "Edg/" token is what Edge sends.
    if "Edg/" in parsed.ua_string or "EdgA/" in parsed.ua_string or "EdgiOS/" in parsed.ua_string:
        return "edge"
    family: str = parsed.browser.family
    if family.startswith("Firefox"):
        return "firefox"
    if family.startswith("Opera") or "OPR/" in parsed.ua_string:
        return "opera"
    return _BROWSER_BY_FAMILY.get(family, "other")


def _platform(family: str) -> str:
    if family in ("iOS", "iPadOS"):
        return "ios"
    if family == "Android":
        return "android"
    if family in ("Mac OS X", "macOS", "Mac OS"):
        return "mac"
    if family.startswith("Windows"):
        return "windows"
    if family in _LINUX_FAMILIES:
        return "linux"
    return "other"


def _device(parsed: user_agents.parsers.UserAgent) -> str:
    if parsed.is_bot:
        return "other"
    if parsed.is_tablet:
        return "tablet"
    if parsed.is_mobile:
        return "mobile"
    if parsed.is_pc:
        return "desktop"
    return "other"
