"""The export's SQL: one COPY per format, over the columns of app/data/columns.py.

COPY cannot take bind parameters, and nothing from input is ever formatted into SQL here, so the
scope travels as transaction-local settings (`set_config(..., true)` with bind parameters) that
the statement reads back with `current_setting`: the same values a bind parameter would carry.
"""

from __future__ import annotations

from typing import NamedTuple

from app.data.columns import COLUMNS
from app.data.params import ExportFormat

SET_SCOPE = """
SELECT set_config('video_metrics.key_id', $1, true), set_config('video_metrics.key_ids', $2, true),
       set_config('video_metrics.video_ids', $3, true), set_config('video_metrics.from', $4, true),
       set_config('video_metrics.to', $5, true)
"""

_FROM = "sessions s JOIN videos v ON v.id = s.video_id JOIN keys k ON k.id = s.key_id"
_IN_TIME = (
    "s.started_at BETWEEN current_setting('video_metrics.from')::timestamptz"
    " AND current_setting('video_metrics.to')::timestamptz"
)
# A whole key reads its index (key_id, started_at) in order; videos are narrowed by their keys
# first, which on TimescaleDB skips every compressed batch of another key.
_WHOLE_KEY = f"s.key_id = current_setting('video_metrics.key_id')::bigint AND {_IN_TIME}"
_SOME_VIDEOS = (
    "s.key_id = ANY(current_setting('video_metrics.key_ids')::bigint[])"
    f" AND s.video_id = ANY(current_setting('video_metrics.video_ids')::bigint[]) AND {_IN_TIME}"
)
_ORDER = "ORDER BY s.started_at, s.id"


def copy_query(export_format: ExportFormat, *, whole_key: bool) -> str:
    """The query COPY runs; built from the constant column list, never from input."""
    where = _WHOLE_KEY if whole_key else _SOME_VIDEOS
    if export_format is ExportFormat.CSV:
        columns = ", ".join(f"{column.csv or column.sql} AS {column.name}" for column in COLUMNS)
        return f"SELECT {columns} FROM {_FROM} WHERE {where} {_ORDER}"  # noqa: S608
    # One JSON object per row, its fields in the columns' order; the LATERAL keeps the ORDER BY
    # on the same level as the rows it orders.
    columns = ", ".join(f"{column.sql} AS {column.name}" for column in COLUMNS)
    return (
        f"SELECT row_to_json(e) FROM {_FROM} CROSS JOIN LATERAL (SELECT {columns}) AS e "  # noqa: S608
        f"WHERE {where} {_ORDER}"
    )


class CopyOptions(NamedTuple):
    header: bool
    quote: str | None = None
    delimiter: str | None = None


def copy_options(export_format: ExportFormat) -> CopyOptions:
    """COPY's CSV options: a header row for CSV; for JSON Lines, a quote and a delimiter that
    are control characters JSON text never holds raw (it escapes them), so each line is the JSON
    text unchanged. (COPY's text format would double every backslash.)"""
    if export_format is ExportFormat.CSV:
        return CopyOptions(header=True)
    return CopyOptions(header=False, quote="\x01", delimiter="\x02")
