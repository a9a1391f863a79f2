"""The API's middleware, in order, as the server should install it."""

from __future__ import annotations

from starlette.middleware import Middleware

from app.api.auth import PUBLIC_PATHS, BasicAuth
from app.api.bearer import BearerTokens
from app.api.cors import ApiCors
from app.config import Settings
from app.mcp.paths import MCP_PATHS


def api_middleware(settings: Settings) -> list[Middleware]:
    """CORS outermost, so that preflights are answered without credentials and a 401 still
    carries the CORS headers a browser needs to show it; then read-only tokens (always: a token
    presented is checked, and narrows what is read, whether Basic auth is on or not); then Basic
    auth when it is active. The MCP endpoint authenticates itself (tokens and the same Basic
    credentials), so that an unauthenticated call gets the MCP SDK's 401 with its discovery."""
    stack = [Middleware(ApiCors, origins=settings.cors_origins), Middleware(BearerTokens)]
    if settings.auth_active:
        if not settings.user or not settings.password:
            raise ValueError("auth is active but METRICS_USER or METRICS_PASSWORD is not set")
        public = (*PUBLIC_PATHS, *MCP_PATHS)
        stack.append(Middleware(BasicAuth, user=settings.user, password=settings.password, public=public))
    return stack
