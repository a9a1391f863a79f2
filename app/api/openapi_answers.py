"""The schemas of the query endpoints' answers in the OpenAPI document (app/api/openapi.py)."""

from __future__ import annotations

from app.api.categories import BROWSERS, DEVICES, PLATFORMS
from app.api.openapi_quality import _COUNTRIES, _ERRORS_SCHEMA, _QOE_SCHEMA, _SHARE
from app.api.openapi_schema import _NUMBER_OR_NULL, _PERIOD, _TIME, Schema, _counts, _framed, _object


def _nullable(schema: Schema) -> Schema:
    return {"oneOf": [schema, {"type": "null"}]}


def _plays_schema(device_name: str) -> Schema:
    """`plays` and `views` answer the same numbers; `views` (the reference shape) names the
    device breakdown `device`, `plays` names it `device_type`. `totals`: the whole timeframe."""
    counted: dict[str, Schema] = {
        "views": {"type": "integer"},
        "total_view_time": {"type": "number"},
        "unique_total_view_time": {"type": "number"},
        "browser": _counts(BROWSERS),
        device_name: _counts(DEVICES),
        "platform": _counts(PLATFORMS),
        "country": _COUNTRIES,
        "impressions": {"type": "integer", "minimum": 0},
        "play_rate": _SHARE,
        "completions": {"type": "integer", "minimum": 0},
        "completion_rate": _SHARE,
    }
    return _framed(
        {
            "views": {"type": "array", "items": _object({"interval": _TIME, **counted})},
            "totals": _object(counted),
        }
    )


_VIDEO = _object(
    {
        "identifier": {"type": ["string", "null"]},
        "metadata": {"type": "object"},
        "duration": _NUMBER_OR_NULL,
        "plays": {"type": "integer", "minimum": 0},
        "total_view_time": {"type": "number"},
        "average_view_time": _NUMBER_OR_NULL,
        "average_percent_watched": _NUMBER_OR_NULL,
    }
)
_TOTALS = _object(
    {
        "videos": {"type": "integer", "minimum": 0},
        "plays": {"type": "integer", "minimum": 0},
        "total_view_time": {"type": "number"},
        "average_view_time": _NUMBER_OR_NULL,
        "average_percent_watched": _NUMBER_OR_NULL,
    }
)
_VIDEOS_SCHEMA = _object(
    {
        "videos": {"type": "array", "items": _VIDEO},
        "totals": _TOTALS,
        "next_offset": {"type": ["integer", "null"]},
        "timezone": {"type": "string"},
        "timeframe": _PERIOD,
        "compare": _object(
            {
                "timeframe": _PERIOD,
                "videos": {"type": "array", "items": _VIDEO},
                "totals": _TOTALS,
                "change": _object(
                    {
                        "plays": _NUMBER_OR_NULL,
                        "total_view_time": _NUMBER_OR_NULL,
                        "average_view_time": _NUMBER_OR_NULL,
                        "average_percent_watched": _NUMBER_OR_NULL,
                    }
                ),
            }
        ),
    },
    ["videos", "totals", "next_offset", "timezone", "timeframe"],
)
_WATCHING_SCHEMA = _object(
    {
        "watching": {"type": "integer", "minimum": 0},
        "timezone": {"type": "string"},
        "videos": {
            "type": "array",
            "items": _object(
                {
                    "identifier": {"type": ["string", "null"]},
                    "metadata": {"type": "object"},
                    "watching": {"type": "integer", "minimum": 0},
                }
            ),
        },
        "pages": {
            "type": "array",
            "items": _object(
                {"path": {"type": "string"}, "host": {"type": "string"}, "watching": {"type": "integer"}}
            ),
        },
        "timeframe": _PERIOD,
        "minutes": {
            "type": "array",
            "items": _object({"minute": _TIME, "watching": {"type": "integer", "minimum": 0}}),
        },
        "peak": {"oneOf": [_object({"minute": _TIME, "watching": {"type": "integer"}}), {"type": "null"}]},
    },
    ["watching", "timezone"],
)


ANSWER_SCHEMAS: dict[str, Schema] = {
    "Plays": _plays_schema("device_type"),
    "Views": _plays_schema("device"),
    "Engagement": _framed(
        {
            "engagement": {
                "type": "array",
                "items": {
                    "oneOf": [
                        _object(
                            {
                                "range": {"type": "integer"},
                                "range_time": _object({"from": {"type": "number"}, "to": {"type": "number"}}),
                                "viewers": {"type": "integer"},
                                "rewatches": {"type": "integer", "minimum": 0},
                                "retention": _SHARE,
                                # With minimum_watch_seconds only.
                                "percent_of_plays": _NUMBER_OR_NULL,
                            },
                            ["range", "range_time", "viewers", "rewatches"],
                        ),
                        _object(
                            {
                                "interval": _TIME,
                                "per_second": {
                                    "type": "array",
                                    "items": _object(
                                        {"second": {"type": "integer"}, "views": {"type": "integer"}}
                                    ),
                                },
                            }
                        ),
                    ]
                },
            },
            # With ranges only; `plays` with minimum_watch_seconds only.
            "drop_off": _nullable(
                _object({"range": {"type": "integer"}, "viewers_lost": {"type": "integer"}})
            ),
            "most_rewatched": _nullable(
                _object({"range": {"type": "integer"}, "rewatches": {"type": "integer"}})
            ),
            "plays": {"type": "integer", "minimum": 0},
        },
        ["engagement"],
    ),
    "Sources": _framed(
        {
            "sources": {
                "type": "array",
                "items": _object(
                    {
                        "interval": _TIME,
                        "path": {"type": "string"},
                        "host": {"type": "string"},
                        "views": {"type": "integer"},
                    }
                ),
            },
            "pages": {
                "type": "array",
                "items": _object(
                    {"path": {"type": "string"}, "host": {"type": "string"}, "views": {"type": "integer"}}
                ),
            },
        }
    ),
    "Videos": _VIDEOS_SCHEMA,
    "Watching": _WATCHING_SCHEMA,
    "Qoe": _QOE_SCHEMA,
    "Errors": _ERRORS_SCHEMA,
}
