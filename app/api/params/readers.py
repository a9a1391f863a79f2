"""Where parameters come from: a query string, a JSON body, or both; each gives name → JSON value."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from app.api.params.errors import ParamError, kind


def from_query_string(items: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Query-string pairs; a value that starts with `{` or `[` is JSON (nested values)."""
    found: dict[str, Any] = {}
    for name, value in items:
        if name in found:
            raise ParamError(name, "given more than once; give each parameter once")
        stripped = value.strip()
        found[name] = _decode_json(name, stripped) if stripped[:1] in ("{", "[") else value
    return found


def from_json_body(body: bytes) -> dict[str, Any]:
    """A JSON object body; an empty body is no parameters at all."""
    if not body.strip():
        return {}
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ParamError("body", "is not UTF-8 text; send a JSON object") from None
    value = _decode_json("body", text)
    if not isinstance(value, dict):
        raise ParamError("body", f"must be a JSON object, not {kind(value)}")
    return value


def merge(query_string: Mapping[str, Any], body: Mapping[str, Any]) -> dict[str, Any]:
    """Parameters of a GET that has both a query string and a JSON body."""
    for name in query_string.keys() & body.keys():
        raise ParamError(name, "given both in the query string and in the body; give it once")
    return {**query_string, **body}


def _decode_json(parameter: str, text: str) -> Any:
    try:
        return json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=_unique_pairs)
    except _DuplicateField as error:
        raise ParamError(parameter, f"field {error.args[0]!r} is given twice") from None
    except _NonFiniteNumber as error:
        raise ParamError(parameter, f"{error.args[0]} is not a number JSON allows") from None
    except (ValueError, RecursionError) as error:
        reason = error.msg if isinstance(error, json.JSONDecodeError) else "nested too deeply"
        raise ParamError(parameter, f"is not valid JSON ({reason})") from None


class _DuplicateField(ValueError):
    pass


class _NonFiniteNumber(ValueError):
    pass


def _refuse_constant(name: str) -> Any:
    raise _NonFiniteNumber(name)


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, value in pairs:
        if name in result:
            raise _DuplicateField(name)
        result[name] = value
    return result
