"""The OpenAPI 3.1 document of the REST API, served at /openapi.json.

Written by hand, next to the parameter grammar it describes (app/api/params.py): the schemas say
what is accepted as exactly as JSON Schema can, and the schemathesis run holds the server to it.
"""

from __future__ import annotations

import copy

from starlette.requests import Request
from starlette.responses import JSONResponse

from app import __version__, zones
from app.api.categories import BROWSERS, DEVICES, PLATFORMS
from app.api.openapi_answers import ANSWER_SCHEMAS
from app.api.openapi_schema import _TIME, Schema, _object, _ref
from app.api.params import (
    ACCEPTED,
    COUNTRY_RULE,
    DEFAULT_LIMIT,
    MAX_DECIMAL,
    MAX_LIMIT,
    MAX_OFFSET,
    MAX_RANGES,
    By,
    Compare,
    Endpoint,
    Format,
    Order,
    Sort,
    Word,
)

# The grammar of app/intervals.py; bounds (positive, at most 200 years) are checked past it.
_UNITS = "microsecond|millisecond|second|sec|minute|min|hour|day|week|month|year"
_INTERVAL_PATTERN = rf"^\s*[0-9]{{1,9}}(\.[0-9]{{1,6}})?\s*({_UNITS})s?\s*$"
_INTERVAL_TEXT = {"type": "string", "pattern": _INTERVAL_PATTERN, "example": "1 day"}
_DECIMAL_TEXT = {"type": "string", "pattern": r"^\s*[0-9]{1,12}(\.[0-9]{1,6})?\s*$"}
_INTERVAL_OR_DECIMAL = {"anyOf": [_INTERVAL_TEXT, _DECIMAL_TEXT]}
_WORD_TEXT = {"type": "string", "enum": [word.value for word in Word]}
# Every IANA name this server knows (any letter case is accepted too).
_ZONE_TEXT = {"type": "string", "enum": zones.names(), "example": "Europe/Berlin"}
_DIGITS = {"type": "string", "pattern": "^[0-9]{1,9}$"}
_DATE = {"type": "string", "format": "date", "example": "2024-05-01"}
# Text PostgreSQL can store: no NUL character.
_NO_NUL = "^[^\\u0000]*$"
# A country as the filter takes it: two letters in any case, or unknown (spaces around allowed).
_COUNTRY_PATTERN = "^\\s*([A-Za-z]{2}|[Uu][Nn][Kk][Nn][Oo][Ww][Nn])\\s*$"


def _choice(values: type[Compare | Format | Sort | Order | By]) -> Schema:
    return {"type": "string", "enum": [str(member.value) for member in values]}


PARAMETERS: dict[str, tuple[Schema, str]] = {
    "query": (
        _ref("Query"),
        'Which videos: {"video": {...}} for videos whose metadata contains that JSON, and/or '
        '{"key": "<api key>"} for every video of a key. Required unless identifier is given. '
        "In a query string, JSON-encoded.",
    ),
    "identifier": (
        {"type": "string", "minLength": 1, "maxLength": 1000, "pattern": _NO_NUL},
        "Exact match on the video's label.",
    ),
    "interval": (
        _INTERVAL_TEXT,
        'Bucket width: a count and a unit ("1 hour", "1 day", "1 week", "1 month", "12 months"); '
        'at least 1 second. Default "12 months".',
    ),
    "timeframe": (
        _ref("Timeframe"),
        'Sessions started in: an interval back from now ("7 days"; days, weeks, months and '
        "years count the time zone's calendar), today, yesterday, month to date, year to date, "
        'unix seconds (from then to now), {"from": s, "to": s} (both inclusive), or whole days '
        '{"from": "2024-05-01", "to": "2024-05-07"} (both included). Default '
        '"7 days" (for watching: none, the viewers of now only). In a query string, the object '
        "form is JSON-encoded.",
    ),
    "timezone": (
        _ZONE_TEXT,
        "IANA time zone name: buckets of a day or longer start at its midnight, look-backs and "
        "the day words count its days. Default: the server's METRICS_TIMEZONE (UTC unless set).",
    ),
    "minimum_watch_seconds": (
        {"anyOf": [{"type": "number", "minimum": 0, "maximum": 1e9}, _INTERVAL_OR_DECIMAL]},
        'A session is a play when it watched at least this long: a number, or "3 seconds". Default 1; '
        "engagement counts every session unless it is given.",
    ),
    "ranges": (
        {"type": "integer", "minimum": 1, "maximum": MAX_RANGES},
        "Cut the video's duration into this many equal ranges (1 to 1000). Without it, the "
        "answer is per second.",
    ),
    "compare": (
        _choice(Compare),
        "Also answer for the period of the same length just before (previous) or the same "
        "dates a year earlier (year), under `compare`.",
    ),
    "format": (_choice(Format), "csv for a CSV file (as Accept: text/csv); default json."),
    "sort": (_choice(Sort), "What the videos are ordered by. Default plays."),
    "order": (_choice(Order), "asc or desc. Default desc, asc for identifier."),
    "limit": (
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
        f"Videos (or error groups) per page, 1 to {MAX_LIMIT}. Default {DEFAULT_LIMIT}.",
    ),
    "offset": (
        {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET},
        "Videos (or error groups) to skip: the `next_offset` of the page before. Default 0.",
    ),
    "search": (
        {"type": "string", "maxLength": 1000, "pattern": _NO_NUL},
        "Only videos whose identifier contains this text, in any letter case.",
    ),
    "by": (_choice(By), "Also list the top 50 videos or pages by viewers playing now."),
    "page": (
        {"type": "string", "minLength": 1, "maxLength": 2048, "pattern": _NO_NUL},
        "Only sessions on this page: a `path` as /sources answers it (the URL without query).",
    ),
    "browser": ({"type": "string", "enum": list(BROWSERS)}, "Only sessions in this browser."),
    "device": ({"type": "string", "enum": list(DEVICES)}, "Only sessions on this kind of device."),
    "platform": ({"type": "string", "enum": list(PLATFORMS)}, "Only sessions on this platform."),
    "country": (
        {"type": "string", "pattern": _COUNTRY_PATTERN, "example": "DE"},
        f"Only sessions from this country: {COUNTRY_RULE} (placed with the server's GeoIP file).",
    ),
}

_QUERY_STRING_SCHEMA: dict[str, Schema] = {
    # A query string carries text; these are what the text may look like.
    "query": {"type": "string", "example": '{"video": {"id": "1"}}'},
    "identifier": {"type": "string"},
    "interval": _INTERVAL_TEXT,
    "timeframe": {
        "anyOf": [_INTERVAL_TEXT, _WORD_TEXT, _DECIMAL_TEXT, {"type": "string", "pattern": "^\\s*\\{"}],
        "example": "7 days",
    },
    "timezone": _ZONE_TEXT,
    "minimum_watch_seconds": {**_INTERVAL_OR_DECIMAL, "example": "3"},
    "ranges": {"type": "string", "pattern": "^[0-9]{1,4}$", "example": "10"},
    "compare": _choice(Compare),
    "format": _choice(Format),
    "sort": _choice(Sort),
    "order": _choice(Order),
    "limit": {**_DIGITS, "example": "50"},
    "offset": {**_DIGITS, "example": "0"},
    "search": {"type": "string", "maxLength": 1000},
    "by": _choice(By),
    "page": {"type": "string", "minLength": 1, "maxLength": 2048, "example": "https://example.com/watch"},
    "browser": {"type": "string", "enum": list(BROWSERS)},
    "device": {"type": "string", "enum": list(DEVICES)},
    "platform": {"type": "string", "enum": list(PLATFORMS)},
    "country": {"type": "string", "pattern": _COUNTRY_PATTERN, "example": "DE"},
}


SCHEMAS: dict[str, Schema] = {
    "Error": _object({"error": {"type": "string"}, "parameter": {"type": "string"}}, ["error"]),
    "Query": {
        "type": "object",
        "properties": {
            "video": {"type": "object", "description": "JSON the video's metadata contains"},
            "key": {"type": "string", "pattern": "^[A-Za-z0-9+/=._~-]{1,128}$"},
        },
        "minProperties": 1,
        "additionalProperties": False,
    },
    "Timeframe": {
        "oneOf": [
            _INTERVAL_TEXT,
            _WORD_TEXT,
            {"type": "number", "minimum": 0, "maximum": MAX_DECIMAL},
            _object(
                {
                    "from": {"type": "number", "minimum": 0, "maximum": MAX_DECIMAL},
                    "to": {"type": "number", "minimum": 0, "maximum": MAX_DECIMAL},
                }
            ),
            # Whole days of the time zone's calendar, both included.
            _object({"from": _DATE, "to": _DATE}),
        ]
    },
    **ANSWER_SCHEMAS,
    "NewKey": _object({"key": {"type": "string", "pattern": "^[A-Za-z0-9+/=._~-]{1,128}$"}}, []),
    "Key": _object({"key": {"type": "string"}}),
    "Keys": _object(
        {
            "keys": {
                "type": "array",
                "items": _object(
                    {
                        "key": {"type": "string"},
                        "created_at": _TIME,
                        "disabled_at": {"oneOf": [_TIME, {"type": "null"}]},
                        "demo": {"type": "boolean"},
                    }
                ),
            }
        }
    ),
    "Message": _object({"message": {"type": "string"}}),
}


def _error(description: str) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


def _ok(schema: str, description: str = "OK") -> Schema:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


def _ok_or_csv(schema: str) -> Schema:
    """JSON, or with format=csv (or Accept: text/csv) the same numbers as a CSV file."""
    answer = _ok(schema)
    answer["content"]["text/csv"] = {"schema": {"type": "string"}}
    answer["headers"] = {
        "Content-Disposition": {
            "description": "For CSV: the file name, stating the scope, the range and the time zone",
            "schema": {"type": "string"},
        }
    }
    return answer


_COMMON_ERRORS = {
    "400": _error("A parameter is missing, unknown or malformed; `error` names it"),
    "401": {
        "description": "Credentials required (HTTP Basic, when auth is on)",
        "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
        "content": {"application/json": {"schema": _ref("Error")}},
    },
    "403": _error(
        "A read-only token (Bearer) asking about a key it does not read, or for anything but reading"
    ),
    "405": _error("Method not allowed; the Allow header lists the allowed ones"),
    "413": _error("Body larger than 64 KiB"),
    "503": _error("The database is not reachable, or the query took too long"),
}

_ANSWERS = {
    Endpoint.PLAYS: ("Plays", "Plays (sessions watched at least minimum_watch_seconds) per bucket"),
    Endpoint.VIEWS: ("Views", "The same numbers as /plays in the reference server's shape"),
    Endpoint.ENGAGEMENT: ("Engagement", "Viewers per range of the video, or views per second"),
    Endpoint.SOURCES: ("Sources", "Plays per page (URL without query or fragment) per bucket"),
    Endpoint.VIDEOS: ("Videos", "Every video with sessions in the timeframe: plays, view time, % watched"),
    Endpoint.WATCHING: ("Watching", "Sessions playing right now, across every server process"),
    Endpoint.QOE: ("Qoe", "Quality of experience of the views per bucket, by browser, device and platform"),
    Endpoint.ERRORS: ("Errors", "Fatal playback errors grouped by code and normalised message"),
}


def _stats_path(endpoint: Endpoint) -> Schema:
    answer, summary = _ANSWERS[endpoint]
    names = ACCEPTED[endpoint]
    responses = {"200": _ok_or_csv(answer), **_COMMON_ERRORS}
    body_schema: Schema = {
        "type": "object",
        "properties": {name: PARAMETERS[name][0] for name in names},
        "additionalProperties": False,
    }
    if endpoint is not Endpoint.WATCHING:
        # The videos must be named, by `query` or `identifier` or both.
        body_schema["anyOf"] = [{"required": ["query"]}, {"required": ["identifier"]}]
    return {
        "get": {
            "summary": summary,
            "operationId": f"get_{endpoint.value}",
            "parameters": [
                {
                    "name": name,
                    "in": "query",
                    "required": False,
                    "description": PARAMETERS[name][1],
                    "schema": _QUERY_STRING_SCHEMA[name],
                }
                for name in names
            ],
            "responses": responses,
        },
        "post": {
            "summary": summary,
            "operationId": f"post_{endpoint.value}",
            "requestBody": {
                "required": False,
                "content": {"application/json": {"schema": body_schema}},
            },
            "responses": responses,
        },
    }


BEARER = {
    "type": "http",
    "scheme": "bearer",
    "description": "A read-only token (`video-metrics tokens create --key KEY`): reads the sessions of "
    "its keys through the read endpoints; a question without a key covers all of them",
}


def _secured(paths: dict[str, Schema], *, auth: bool) -> dict[str, Schema]:
    """Each operation's credentials: a read-only token may read (and, without Basic auth, is
    optional: it then only narrows what is read); keys and deletion take Basic auth alone."""
    from app.api.bearer import READABLE  # here: that module imports the API's routes' parameters

    paths = copy.deepcopy(paths)  # some are module-level constants (app/api/openapi_data.py)
    for path, operations in paths.items():
        for operation in operations.values():
            if path in READABLE:
                operation["security"] = [{"basic": []} if auth else {}, {"bearer": []}]
            elif auth:
                operation["security"] = [{"basic": []}]
    return paths


def document(*, auth: bool) -> Schema:
    """The document; `security` is declared only when Basic auth is on, as it then is; the read
    endpoints also take a read-only token either way."""
    # Imported here: that module builds on this one's helpers.
    from app.api import openapi_data

    keys_errors = {k: v for k, v in _COMMON_ERRORS.items() if k != "503"}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "video-metrics",
            "version": __version__,
            "description": "How your videos are watched: plays, engagement, sources, live viewers, "
            "quality of experience and errors; and the sessions themselves, to export or delete.",
        },
        "servers": [{"url": "/"}],
        "components": {
            "schemas": {**SCHEMAS, **openapi_data.SCHEMAS},
            "securitySchemes": {"basic": {"type": "http", "scheme": "basic"}, "bearer": BEARER},
        },
        **({"security": [{"basic": []}]} if auth else {}),
        "paths": _secured(
            {
                **{f"/api/v1/{endpoint.value}": _stats_path(endpoint) for endpoint in Endpoint},
                **openapi_data.PATHS,
                "/api/v1/keys": {
                    "get": {
                        "summary": "Every API key, revoked ones with the time they were revoked",
                        "operationId": "list_keys",
                        "responses": {"200": _ok("Keys"), **keys_errors},
                    },
                    "post": {
                        "summary": "Create a key: 16 random bytes in URL-safe base64, or a custom one",
                        "operationId": "create_key",
                        "requestBody": {
                            "required": False,
                            "content": {"application/json": {"schema": _ref("NewKey")}},
                        },
                        "responses": {
                            "201": _ok("Key", "Created"),
                            "409": _error("That custom key exists already"),
                            **keys_errors,
                        },
                    },
                },
                "/api/v1/keys/{key}": {
                    "delete": {
                        "summary": "Revoke a key: new sessions with it are refused at once",
                        "operationId": "revoke_key",
                        "parameters": [
                            {"name": "key", "in": "path", "required": True, "schema": {"type": "string"}}
                        ],
                        "responses": {
                            "200": _ok("Message", "Revoked"),
                            "404": _error("No such key"),
                            **keys_errors,
                        },
                    }
                },
            },
            auth=auth,
        ),
    }


async def openapi(request: Request) -> JSONResponse:
    return JSONResponse(document(auth=request.app.state.settings.auth_active))
