"""Parameters of export and deletion: pure, and built on the stats endpoints' own parsers.

`query`, `identifier` and `timeframe` mean exactly what they mean everywhere else in the API
(app/api/params.py parses them); what is added here is what only these two take: the export's
`format`, and the deletion's `before`, `dry_run` and `revoke_key`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any

from app.api.params import (
    EVERY_KEY,
    MAX_DECIMAL,
    ParamError,
    Reach,
    Timeframe,
    VideoQuery,
    parse_identifier,
    parse_query,
    parse_timeframe,
    restrict,
)

_DECIMAL = re.compile(r"\s*\d{1,12}(?:\.\d{1,6})?\s*", re.ASCII)


class ExportFormat(Enum):
    CSV = "csv"
    JSONL = "jsonl"


EXPORT_PARAMETERS = ("query", "identifier", "timeframe", "format")
DELETION_PARAMETERS = ("query", "identifier", "before", "dry_run", "revoke_key")


@dataclass(frozen=True, slots=True)
class ExportParams:
    videos: VideoQuery
    timeframe: Timeframe | None  # None: every stored session
    format: ExportFormat


@dataclass(frozen=True, slots=True)
class DeletionParams:
    videos: VideoQuery
    before: datetime | None  # only sessions started before this; None: all of them
    dry_run: bool
    revoke_key: bool


def parse_export(raw: Mapping[str, Any], reach: Reach = EVERY_KEY) -> ExportParams:
    """An export's parameters; without `timeframe` every stored session of the scope, as far as
    the reader may see (a read-only token: its keys)."""
    _known(raw, EXPORT_PARAMETERS, "export")
    return ExportParams(
        videos=restrict(_videos(raw), reach),
        timeframe=parse_timeframe(raw["timeframe"]) if "timeframe" in raw else None,
        format=parse_format(raw.get("format", ExportFormat.CSV.value)),
    )


def parse_deletion(raw: Mapping[str, Any]) -> DeletionParams:
    """A deletion's parameters. `revoke_key` needs a key in `query`: it names what to revoke."""
    _known(raw, DELETION_PARAMETERS, "deleting sessions")
    videos = _videos(raw)
    revoke_key = parse_flag(raw.get("revoke_key", False), "revoke_key")
    if revoke_key and videos.key is None:
        raise ParamError("revoke_key", 'needs the key to revoke in query: {"key": "<api key>"}')
    return DeletionParams(
        videos=videos,
        before=parse_before(raw["before"]) if "before" in raw else None,
        dry_run=parse_flag(raw.get("dry_run", False), "dry_run"),
        revoke_key=revoke_key,
    )


def _known(raw: Mapping[str, Any], accepted: tuple[str, ...], what: str) -> None:
    for name in raw:
        if name not in accepted:
            raise ParamError(str(name)[:100], f"unknown parameter; {what} accepts {', '.join(accepted)}")


def _videos(raw: Mapping[str, Any]) -> VideoQuery:
    """The scope, required: an export or a deletion of "everything" must be asked for by key."""
    identifier = parse_identifier(raw["identifier"]) if "identifier" in raw else None
    if "query" in raw:
        return parse_query(raw["query"], identifier)
    if identifier is None:
        raise ParamError(
            "query",
            'is required unless identifier is given, for example {"key": "<api key>"} '
            'or {"video": {"id": "1"}}',
        )
    return VideoQuery(identifier=identifier)


def parse_format(value: Any) -> ExportFormat:
    for known in ExportFormat:
        if value == known.value:
            return known
    shown = repr(value)[:40] if isinstance(value, str) else f"a {type(value).__name__}"
    raise ParamError("format", f"{shown} is not a format; use csv or jsonl")


def parse_flag(value: Any, parameter: str) -> bool:
    """true or false: a JSON boolean, or the text true/false/1/0 of a query string."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "1"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("false", "0"):
        return False
    shown = repr(value)[:40] if isinstance(value, str) else "a non-boolean value"
    raise ParamError(parameter, f"{shown} is not true or false")


def parse_before(value: Any) -> datetime:
    """A moment: unix seconds, or an ISO 8601 date or date and time (UTC unless it says otherwise)."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ParamError("before", "must be a date like '2024-01-31', a date and time, or unix seconds")
    if isinstance(value, str) and not _DECIMAL.fullmatch(value):
        text = value.strip()
        try:
            moment = datetime.fromisoformat(text)
            return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
        except (ValueError, OverflowError):
            raise ParamError(
                "before", f"{text[:40]!r} is not a date like '2024-01-31' or '2024-01-31T12:00:00Z'"
            ) from None
    seconds = float(value) if not isinstance(value, int) or abs(value) <= MAX_DECIMAL else -1.0
    if not 0 <= seconds <= MAX_DECIMAL:
        raise ParamError("before", f"{value!r} is not unix seconds between 0 and {MAX_DECIMAL}")
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=round(seconds * 1_000_000))
