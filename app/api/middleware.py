"""The API's middleware, in order, as the server should install it."""

from __future__ import annotations

from starlette.middleware import Middleware

from app.api.auth import BasicAuth
from app.api.cors import ApiCors
from app.config import Settings


def api_middleware(settings: Settings) -> list[Middleware]:
    """CORS outermost, so that preflights are answered without credentials and a 401 still
    carries the CORS headers a browser needs to show it; then Basic auth when it is active."""
    stack = [Middleware(ApiCors, origins=settings.cors_origins)]
    if settings.auth_active:
        if not settings.user or not settings.password:
            raise ValueError("auth is active but METRICS_USER or METRICS_PASSWORD is not set")
        stack.append(Middleware(BasicAuth, user=settings.user, password=settings.password))
    return stack
