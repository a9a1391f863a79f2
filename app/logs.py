"""How the server logs: one event per line, as `key=value` text or as JSON (METRICS_LOG_FORMAT).

The server's own lines are written as `event=name key=value ...` (values of text are quoted with
repr); in JSON each pair becomes a field, so a log pipeline can filter on `event` without parsing.
Lines from libraries (uvicorn's start-up lines) keep their text in `message`. Nothing personal is
in either: client addresses are dropped before formatting (app/runtime.py), and no line carries a
User-Agent, a page's query string or a session's data.
"""

from __future__ import annotations

import ast
import logging
import re
from datetime import UTC, datetime

import orjson

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"

# key=value, where the value is a quoted repr ('...' or "..."), or runs to the next space.
_PAIR = re.compile(r"""(\w+)=('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\S+)""")


def fields_of(message: str) -> dict[str, object] | None:
    """The key=value pairs of one of the server's own messages, or None if it is not one."""
    if not message.startswith("event="):
        return None
    fields: dict[str, object] = {}
    for name, raw in _PAIR.findall(message):
        fields[name] = _value(raw)
    return fields


def _value(raw: str) -> object:
    if raw[:1] in ("'", '"'):
        try:
            return ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            return raw
    for kind in (int, float):
        try:
            return kind(raw)
        except ValueError:
            pass
    return raw


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, then the event's fields
    or the message; a traceback, when there is one, in `exception`."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        fields = fields_of(message)
        if fields is None:
            line["message"] = message
        else:
            line.update((name, value) for name, value in fields.items() if name not in line)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


def configure_logging(level: str, log_format: str) -> None:
    """Log to standard error at `level` in `log_format` ("text" or "json"): the server's own
    loggers and uvicorn's, in this process (each worker process calls it for itself)."""
    handler = logging.StreamHandler()
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # uvicorn configures its own loggers with handlers of their own; in JSON, one format for all.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        if log_format == "json":
            logger.handlers[:] = []
            logger.propagate = True
