"""CORS for the REST API, from METRICS_CORS_ORIGINS: Starlette's middleware, with two changes.

Preflights answer 204 No Content (Starlette says 200 "OK"; the contract promises 204), and only
the API's paths are touched, so the snippet and demo keep the cross-origin headers they set
themselves whatever origins the API allows.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

API_PATHS = ("/api/", "/openapi.json")


class ApiCors(CORSMiddleware):
    def __init__(self, app: ASGIApp, *, origins: Sequence[str], paths: Sequence[str] = API_PATHS) -> None:
        # Credentials (Basic auth from a dashboard on another origin) only with named origins:
        # with "*" any site could make a visitor's browser send stored credentials.
        super().__init__(
            app,
            allow_origins=list(origins),
            allow_methods=("GET", "POST", "DELETE", "HEAD", "OPTIONS"),
            allow_headers=("Authorization", "Content-Type"),
            allow_credentials="*" not in origins,
            max_age=600,
        )
        self.inner = app
        self.paths = tuple(paths)

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:  # type: ignore[override]
        # Passing through returns the inner app's awaitable rather than awaiting it, so that a
        # websocket held open for minutes does not keep this layer's frame alive (docs/PERFORMANCE.md).
        if scope["type"] != "http" or not scope["path"].startswith(self.paths):
            return self.inner(scope, receive, send)
        return super().__call__(scope, receive, send)

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code != 200:
            return response
        headers = {
            name: value
            for name, value in response.headers.items()
            if name not in ("content-length", "content-type")
        }
        return Response(status_code=204, headers=headers)
