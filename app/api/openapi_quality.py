"""The schemas of the quality answers in the OpenAPI document: /qoe and /errors, and the
shares and per-country counts that plays and engagement carry (issue 10)."""

from __future__ import annotations

from app.api.categories import BROWSERS, DEVICES, PLATFORMS
from app.api.openapi_schema import _PERIOD, _TIME, Schema, _counts, _framed, _object

# A share (0 to 1) or a percentage (0 to 100), null where there is nothing to divide by.
_SHARE = {"type": ["number", "null"], "minimum": 0, "maximum": 1}
_PERCENTAGE = {"type": ["number", "null"], "minimum": 0, "maximum": 100}
_NOT_NEGATIVE = {"type": ["number", "null"], "minimum": 0}
_COUNTRIES = {
    "type": "object",
    "description": "Plays per country (ISO 3166-1 alpha-2, or unknown): only the countries with plays",
    "propertyNames": {"pattern": "^([A-Z]{2}|unknown)$"},
    "additionalProperties": {"type": "integer", "minimum": 1},
}
_FIGURES = _object(
    {
        "sessions": {"type": "integer", "minimum": 0, "description": "views: sessions with a play intent"},
        "startup_time_p50": _NOT_NEGATIVE,
        "startup_time_p95": _NOT_NEGATIVE,
        "rebuffer_percentage": _PERCENTAGE,
        "rebuffer_frequency": _NOT_NEGATIVE,
        "rebuffered_sessions_percentage": _PERCENTAGE,
        "playback_failure_percentage": _PERCENTAGE,
        "startup_failure_percentage": _PERCENTAGE,
        "exits_before_start_percentage": _PERCENTAGE,
        "seek_latency": _NOT_NEGATIVE,
        "average_bitrate": _NOT_NEGATIVE,
    }
)


def _split(names: tuple[str, ...]) -> Schema:
    return {
        "type": "object",
        "properties": dict.fromkeys(names, _FIGURES),
        "required": list(names),
        "additionalProperties": False,
    }


_QOE_SCHEMA = _framed(
    {
        "qoe": {
            "type": "array",
            "items": _object(
                {
                    "interval": _TIME,
                    **_FIGURES["properties"],
                    "browser": _split(BROWSERS),
                    "device_type": _split(DEVICES),
                    "platform": _split(PLATFORMS),
                }
            ),
        }
    }
)


def _error_group(times: Schema) -> Schema:
    return _object(
        {
            "fingerprint": {"type": "string", "pattern": "^[0-9a-f]{16}$"},
            "code": {"type": "string"},
            "message": {"type": "string"},
            "sessions": {"type": "integer", "minimum": 0},
            "first_seen": times,
            "last_seen": times,
            "browser": _counts(BROWSERS),
        }
    )


_ERROR_TOTALS = _object(
    {"groups": {"type": "integer", "minimum": 0}, "sessions": {"type": "integer", "minimum": 0}}
)
_ERRORS_SCHEMA = _object(
    {
        "errors": {"type": "array", "items": _error_group(_TIME)},
        "totals": _ERROR_TOTALS,
        "next_offset": {"type": ["integer", "null"]},
        "timezone": {"type": "string"},
        "timeframe": _PERIOD,
        "compare": _object(
            {
                "timeframe": _PERIOD,
                "errors": {"type": "array", "items": _error_group({"oneOf": [_TIME, {"type": "null"}]})},
                "totals": _ERROR_TOTALS,
            }
        ),
    },
    ["errors", "totals", "next_offset", "timezone", "timeframe"],
)
