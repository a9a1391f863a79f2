"""Logs as an operator's pipeline reads them: one JSON object per line, fields by name, no one's address."""

from __future__ import annotations

import json
import logging
import re
import sys

import pytest

from app.logs import JsonFormatter, fields_of
from tests.support.phoenix import PhoenixSocket
from tests.support.server import ServerFactory


def test_the_servers_own_lines_become_fields() -> None:
    assert fields_of("event=write_failed rows=12 error='connection refused' retry_in=0.4") == {
        "event": "write_failed",
        "rows": 12,
        "error": "connection refused",
        "retry_in": 0.4,
    }
    assert fields_of('event=x reason="it\'s \\"quoted\\"" path=/tmp/a b=1e400') == {
        "event": "x",
        "reason": 'it\'s "quoted"',
        "path": "/tmp/a",
        "b": float("inf"),
    }
    assert fields_of("Uvicorn running on http://127.0.0.1:3000") is None


def test_a_line_is_one_json_object_with_the_traceback_inside() -> None:
    try:
        raise ValueError("boom\nsecond line")
    except ValueError:
        record = logging.LogRecord(
            "video_metrics.writer", logging.ERROR, __file__, 1, "event=%s n=%d", ("fault", 3), sys.exc_info()
        )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["event"] == "fault" and parsed["n"] == 3 and parsed["level"] == "error"
    assert parsed["logger"] == "video_metrics.writer"
    assert "ValueError: boom" in parsed["exception"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", parsed["time"])


async def test_a_server_logging_json_writes_nothing_else(make_server: ServerFactory) -> None:
    server = make_server(METRICS_LOG_FORMAT="json").start()
    sock = await PhoenixSocket.open(server.ws_url())
    await sock.send_raw("not json")  # a refused frame: one of the server's own events
    assert (await sock.heartbeat())[4]["status"] == "ok"
    await sock.close()
    server.stop()
    lines = server.logs().splitlines()
    assert len(lines) > 5
    parsed = [json.loads(line) for line in lines]  # every line, uvicorn's included
    events = {line.get("event") for line in parsed}
    assert {"ready", "frame_refused", "ingest_stopping"} <= events
    assert any("Application startup complete" in line.get("message", "") for line in parsed)
    assert "127.0.0.1:" not in server.logs().replace(f"127.0.0.1:{server.port}", "")


def test_an_unknown_format_stops_the_server(make_server: ServerFactory) -> None:
    with pytest.raises(RuntimeError, match="METRICS_LOG_FORMAT"):
        make_server(METRICS_LOG_FORMAT="xml").start()
