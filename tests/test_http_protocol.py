"""The HTTP layer under the app: stalled request heads are cut off, refused heads answered in JSON."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest

from app.http_protocol import MAX_HEAD_BYTES
from tests.support.server import ServerFactory, ServerProcess


@pytest.fixture(scope="module")
def strict_server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = ServerProcess(
        database_url, tmp_path_factory.mktemp("strict"), METRICS_HANDSHAKE_TIMEOUT="1"
    ).start()
    yield process
    process.stop()


async def exchange(server: ServerProcess, data: bytes, wait: float = 10.0) -> bytes:
    """Send `data` on a fresh connection and read until the server closes it."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(data)
    await writer.drain()
    try:
        async with asyncio.timeout(wait):
            return await reader.read()  # everything, up to the server's close
    finally:
        writer.close()


def answer(raw: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *lines = head.decode().split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    return int(status_line.split()[1]), headers, body


@pytest.mark.parametrize(
    "partial",
    [
        b"",  # connected, nothing sent
        b"GET /healthz HTTP/1.1\r\nHost: x\r\n",  # half a head
        b"GET /socket/websocket?source_url=https%3A%2F%2Fa.example%2F HTTP/1.1\r\nHost: x\r\n"
        b"Upgrade: websocket\r\nConnection: Upgrade\r\n",  # a stalled websocket upgrade
    ],
)
async def test_a_head_not_complete_in_time_is_cut_off(strict_server: ServerProcess, partial: bytes) -> None:
    assert await exchange(strict_server, partial) == b""  # closed, with nothing said


async def test_a_complete_request_is_answered_and_a_websocket_lives_past_the_deadline(
    strict_server: ServerProcess,
) -> None:
    status, _, body = answer(
        await exchange(strict_server, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    )
    assert (status, json.loads(body)) == (200, {"status": "ok"})

    from tests.support.phoenix import PhoenixSocket

    sock = await PhoenixSocket.open(strict_server.ws_url())
    await asyncio.sleep(2.0)  # twice the head deadline
    assert (await sock.heartbeat())[4]["status"] == "ok"
    await sock.close()


async def test_a_request_line_longer_than_the_head_limit_gets_a_json_414(
    strict_server: ServerProcess,
) -> None:
    line = b"GET /api/v1/plays?query=" + b"x" * MAX_HEAD_BYTES + b" HTTP/1.1\r\n"
    status, headers, body = answer(await exchange(strict_server, line))
    assert status == 414
    assert headers["content-type"] == "application/json"
    refusal = json.loads(body)
    assert refusal["parameter"] == "request"
    assert f"longer than {MAX_HEAD_BYTES} bytes" in refusal["error"] and "POST" in refusal["error"]


async def test_headers_larger_than_the_head_limit_get_a_json_431(strict_server: ServerProcess) -> None:
    head = b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"X-Filler: " + b"y" * MAX_HEAD_BYTES + b"\r\n"
    status, _, body = answer(await exchange(strict_server, head))
    assert status == 431
    assert "larger than" in json.loads(body)["error"]


async def test_a_head_that_is_not_http_gets_a_json_400(strict_server: ServerProcess) -> None:
    status, _, body = answer(await exchange(strict_server, b"\x16\x03\x01 not http at all\r\n\r\n"))
    assert status == 400
    assert json.loads(body) == {"error": "request: not a valid HTTP/1.1 request", "parameter": "request"}


async def test_a_request_line_just_under_the_limit_reaches_the_app(strict_server: ServerProcess) -> None:
    """Below h11's limit the app answers itself: here a 400 naming the bad parameter."""
    target = b"/api/v1/plays?identifier=" + b"x" * 4000
    status, _, body = answer(
        await exchange(strict_server, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    )
    assert status == 400
    assert json.loads(body)["parameter"] == "identifier"


def test_the_deadline_is_a_setting(make_server: ServerFactory) -> None:
    server = make_server(METRICS_HANDSHAKE_TIMEOUT="0")
    with pytest.raises(RuntimeError, match="METRICS_HANDSHAKE_TIMEOUT"):
        server.start()
