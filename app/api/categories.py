"""The categories a session is filed under (migrations/001_schema.sql), in the answers' order."""

from __future__ import annotations

BROWSERS = ("edge", "ie", "chrome", "firefox", "opera", "safari", "brave", "other")
DEVICES = ("mobile", "tablet", "desktop", "other")
PLATFORMS = ("ios", "android", "mac", "windows", "linux", "other")
