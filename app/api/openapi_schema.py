"""JSON Schema building blocks shared by the OpenAPI document's modules (app/api/openapi*.py)."""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _counts(names: tuple[str, ...]) -> Schema:
    return {
        "type": "object",
        "properties": {name: {"type": "integer", "minimum": 0} for name in names},
        "required": list(names),
        "additionalProperties": False,
    }


def _object(properties: dict[str, Schema], required: list[str] | None = None) -> Schema:
    return {
        "type": "object",
        "properties": properties,
        "required": required if required is not None else list(properties),
        "additionalProperties": False,
    }


_TIME = {"type": "string", "format": "date-time", "example": "2024-05-02T00:00:00.000000Z"}
_NUMBER_OR_NULL = {"type": ["number", "null"]}
_PERIOD = _object({"from": _TIME, "to": _TIME})


def _framed(properties: dict[str, Schema], required: list[str] | None = None) -> Schema:
    """An answer's own keys, the time zone and resolved timeframe it used, and with `compare`
    the same keys for the comparison period."""
    own = list(properties) if required is None else required
    compared = _object({"timeframe": _PERIOD, **properties}, ["timeframe", *own])
    return _object(
        {**properties, "timezone": {"type": "string"}, "timeframe": _PERIOD, "compare": compared},
        [*own, "timezone", "timeframe"],
    )
