"""The columns of an exported session: one list for the CSV and JSON Lines exports and the sinks.

A column is a name, the SQL that reads it (over `sessions s`, `videos v`, `keys k`), the text
CSV gets where that differs, and a line of documentation: docs/API.md lists each column with that
line, and a test holds the two together. A new column is one more entry here.
"""

from __future__ import annotations

from dataclasses import dataclass

# ISO 8601 in UTC with microseconds and Z, as every time in the API is printed.
ISO_FORMAT = """'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'"""


def _time(column: str) -> str:
    return f"to_char({column} AT TIME ZONE 'UTC', {ISO_FORMAT})"


def _no_formula(column: str) -> str:
    """Free text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, return first)
    gets a leading apostrophe in CSV, as OWASP advises; JSON Lines carries it unchanged."""
    risky = "('=', '+', '-', '@', E'\\t', E'\\r')"
    return f"CASE WHEN left({column}, 1) IN {risky} THEN '''' || {column} ELSE {column} END"


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    sql: str  # typed: JSON Lines prints it with row_to_json
    doc: str
    csv: str | None = None  # the text CSV prints, when the typed value would print otherwise


COLUMNS: tuple[Column, ...] = (
    Column("session_id", "s.id", "the session's id (a UUID); a session continued after a reconnect keeps it"),
    Column("started_at", _time("s.started_at"), "when the session started (the channel join), UTC"),
    Column("ended_at", _time("s.ended_at"), "when it ended, or when it was last checkpointed if still open"),
    Column("key", "k.key", "the API key it was recorded with", csv=_no_formula("k.key")),
    Column(
        "identifier",
        "v.identifier",
        "the video's label; empty in CSV and null in JSON Lines when it has none",
        csv=_no_formula("v.identifier"),
    ),
    Column(
        "metadata", "v.metadata", "the video's metadata as the page gave it (JSON)", csv="v.metadata::text"
    ),
    Column(
        "duration",
        "v.duration",
        "the video's length in seconds as the player reported it; empty or null when unknown (live)",
    ),
    Column("page_host", "s.page_host", "the host of the page it was watched on"),
    Column("page_url", "s.page_url", "the page's URL without query string or fragment"),
    Column("browser", "s.browser", "edge, ie, chrome, firefox, opera, safari, brave or other"),
    Column("platform", "s.platform", "ios, android, mac, windows, linux or other"),
    Column("device", "s.device", "mobile, tablet, desktop or other"),
    Column("watched", "s.watched", "seconds watched, rewatches included"),
    Column("unique_watched", "s.unique_watched", "seconds of the video seen at least once"),
    Column(
        "segments",
        "s.segments",
        "the watched segments in video seconds, in the order watched, as JSON: `[[from, to], ...]`",
        csv="array_to_json(s.segments)::text",
    ),
    Column(
        "final",
        "s.final",
        "true once the session ended; false for a checkpoint of one still open",
        csv="CASE WHEN s.final THEN 'true' ELSE 'false' END",
    ),
)

NAMES = tuple(column.name for column in COLUMNS)
