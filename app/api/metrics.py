"""/metrics for Prometheus: the server's instruments (app/telemetry.py) and the API's own."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response

import app.telemetry  # noqa: F401  (imported for its instruments, registered on import)

API_REQUESTS = Histogram(
    "video_metrics_api_request_seconds",
    "Time to answer a REST API request, by endpoint and status",
    ["endpoint", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)


async def metrics(request: Request) -> Response:
    # The registry is this process's; with several processes each is scraped on its own port.
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
