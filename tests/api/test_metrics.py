"""/metrics serves the server's and the API's instruments in Prometheus' text format."""

from __future__ import annotations

import httpx

from tests.support.server import ServerProcess


async def test_metrics(server: ServerProcess) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        await client.get("/api/v1/watching")
        response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    for name in (
        "video_metrics_open_sockets",
        "video_metrics_open_sessions",
        "video_metrics_events_received_total",
        "video_metrics_sessions_written_total",
        "video_metrics_write_batch_seconds_bucket",
        "video_metrics_write_failures_total",
        "video_metrics_write_queue_depth",
    ):
        assert name in text, name
    assert 'video_metrics_api_request_seconds_count{endpoint="watching",status="200"}' in text
