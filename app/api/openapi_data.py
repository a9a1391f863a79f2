"""The OpenAPI description of export and deletion (app/api/export.py, app/api/deletion.py), built
on the helpers and parameter schemas of app/api/openapi.py and merged into its document."""

from __future__ import annotations

from app.api.openapi import _COMMON_ERRORS, _QUERY_STRING_SCHEMA, PARAMETERS, _ok
from app.api.openapi_schema import Schema, _object
from app.data.columns import COLUMNS
from app.data.params import DELETION_PARAMETERS, EXPORT_PARAMETERS

_TIME_OF_DAY = r"([T ][0-2][0-9]:[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?(Z|[+-][01][0-9]:[0-5][0-9])?)?"
_MOMENT_TEXT = {
    "type": "string",
    "pattern": rf"^[0-9]{{4}}-[01][0-9]-[0-3][0-9]{_TIME_OF_DAY}$",
    "example": "2024-01-31",
}
_UNIX_TEXT = {"type": "string", "pattern": r"^[0-9]{1,12}(\.[0-9]{1,6})?$"}

OWN_PARAMETERS: dict[str, tuple[Schema, Schema, str]] = {
    # name: (in a JSON body, in a query string, description)
    "format": ({"enum": ["csv", "jsonl"]}, {"enum": ["csv", "jsonl"]}, "csv (the default) or jsonl"),
    "before": (
        {"anyOf": [_MOMENT_TEXT, {"type": "number", "minimum": 0, "maximum": 253402300799}]},
        {"anyOf": [_MOMENT_TEXT, _UNIX_TEXT]},
        'Only sessions started before this: "2024-01-31" (midnight UTC), an ISO 8601 date and time, '
        "or unix seconds. Without it, every session of the scope.",
    ),
    "dry_run": (
        {"type": "boolean"},
        {"enum": ["true", "false", "1", "0"]},
        "true: only say how many sessions and videos would go. Default false.",
    ),
    "revoke_key": (
        {"type": "boolean"},
        {"enum": ["true", "false", "1", "0"]},
        'true: also revoke the key named in query ({"key": ...} is then required). Default false.',
    ),
}


def _body(name: str) -> Schema:
    return OWN_PARAMETERS[name][0] if name in OWN_PARAMETERS else PARAMETERS[name][0]


def _query(name: str) -> Schema:
    own = OWN_PARAMETERS.get(name)
    return own[1] if own is not None else _QUERY_STRING_SCHEMA[name]


def _description(name: str) -> str:
    own = OWN_PARAMETERS.get(name)
    return own[2] if own is not None else PARAMETERS[name][1]


def _query_parameters(names: tuple[str, ...]) -> list[Schema]:
    return [
        {
            "name": name,
            "in": "query",
            "required": False,
            "description": _description(name),
            "schema": _query(name),
        }
        for name in names
    ]


def _request_body(names: tuple[str, ...]) -> Schema:
    schema = {"type": "object", "properties": {n: _body(n) for n in names}, "additionalProperties": False}
    return {"required": False, "content": {"application/json": {"schema": schema}}}


_EXPORTED = {
    "description": "The sessions, oldest first, streamed. Columns: "
    + ", ".join(column.name for column in COLUMNS)
    + " (docs/API.md says what each holds).",
    "headers": {"Content-Disposition": {"schema": {"type": "string"}}},
    "content": {
        "text/csv": {"schema": {"type": "string"}},
        "application/x-ndjson": {"schema": {"type": "string"}},
    },
}

SCHEMAS: dict[str, Schema] = {
    "Deletion": _object(
        {
            "dry_run": {"type": "boolean"},
            "sessions": {"type": "integer", "minimum": 0},
            "videos": {"type": "integer", "minimum": 0},
            "waiting": {"type": "integer", "minimum": 0},
            "key_revoked": {"type": "boolean"},
        }
    ),
}

PATHS: dict[str, Schema] = {
    "/api/v1/export": {
        "get": {
            "summary": "The stored sessions of a scope as CSV or JSON Lines",
            "operationId": "get_export",
            "parameters": _query_parameters(EXPORT_PARAMETERS),
            "responses": {"200": _EXPORTED, **_COMMON_ERRORS},
        },
        "post": {
            "summary": "The stored sessions of a scope as CSV or JSON Lines",
            "operationId": "post_export",
            "requestBody": _request_body(EXPORT_PARAMETERS),
            "responses": {"200": _EXPORTED, **_COMMON_ERRORS},
        },
    },
    "/api/v1/sessions": {
        "delete": {
            "summary": "Delete a scope's sessions and all derived from them; with dry_run, count them",
            "description": "The parameters may also come as a JSON object body (each given once).",
            "operationId": "delete_sessions",
            "parameters": _query_parameters(DELETION_PARAMETERS),
            "responses": {
                "200": _ok("Deletion", "What went, or with dry_run would go"),
                **_COMMON_ERRORS,
            },
        }
    },
}
