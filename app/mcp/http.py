"""The tools over streamable HTTP, mounted in the server at /mcp.

Assembled from the MCP SDK's own parts, as its `streamable_http_app()` assembles them, with one
difference: the authentication backend also admits the server's Basic credentials beside
read-only tokens (app/mcp/access.py). So a call without credentials is answered as the SDK
answers it: 401 with `WWW-Authenticate: Bearer ... resource_metadata="<discovery URL>"`, and the
RFC 9728 discovery document at /.well-known/oauth-protected-resource/mcp.

Stateless and JSON: every call is one POST answered with JSON, with nothing kept between calls, so
`serve --workers N` needs no sticky sessions, and every call's credentials are checked again (a
revoked token fails at its next call). The tools never call back into the client, which is what
a session would be for. The Host header is checked against an allow-list (the SDK's protection
against DNS rebinding): loopback names, the public URL's host, METRICS_MCP_ALLOWED_HOSTS.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

from mcp.server.auth.middleware.auth_context import AuthContextMiddleware
from mcp.server.auth.middleware.bearer_auth import RequireAuthMiddleware
from mcp.server.auth.routes import build_resource_metadata_url, create_protected_resource_routes
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp
from mcp.server.transport_security import TransportSecuritySettings
from pydantic import AnyHttpUrl
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.routing import BaseRoute, Route

from app.api.auth import BasicCredentials
from app.api.params import Reach
from app.config import Settings
from app.db.reads import Reads
from app.mcp.access import READ, Credentials, TokenVerifier, unavailable
from app.mcp.paths import MCP_PATH
from app.mcp.questions import Questions
from app.mcp.server import NAME, build_server

# A call's arguments fit in a few hundred bytes, as the REST API's parameters do.
MAX_BODY_BYTES = 64 * 1024
_LOOPBACK = ("127.0.0.1", "localhost", "[::1]")
_WILDCARDS = ("0.0.0.0", "::", "")  # noqa: S104 (names of a bind address, not a bind)


class McpHttp:
    """The /mcp endpoint and its discovery document; `running` serves them while the server runs."""

    def __init__(self, settings: Settings) -> None:
        # Over HTTP every call carries credentials; one without them would read nothing.
        self.questions = Questions(settings.zone, Reach(frozenset()))
        self.verifier = TokenVerifier()
        self.server = build_server(self.questions)
        # The SDK makes its session manager here; its Starlette app is not used (see above).
        self.server.streamable_http_app(
            streamable_http_path=MCP_PATH,
            stateless_http=True,
            json_response=True,
            transport_security=transport_security(settings),
            max_request_body_size=MAX_BODY_BYTES,
        )
        basic = (
            BasicCredentials(settings.user, settings.password)
            if settings.user and settings.password
            else None
        )
        base = public_url(settings)
        resource = AnyHttpUrl(base + MCP_PATH)
        calls = RequireAuthMiddleware(
            StreamableHTTPASGIApp(self.server.session_manager), [READ], build_resource_metadata_url(resource)
        )
        self.endpoint = AuthenticationMiddleware(
            AuthContextMiddleware(calls), backend=Credentials(self.verifier, basic), on_error=unavailable
        )
        # Tokens are made by this server's CLI (`video-metrics tokens create`), so the server
        # names itself as their issuer; it runs no OAuth flow, so a client must be given one.
        self.discovery = create_protected_resource_routes(
            resource_url=resource,
            authorization_servers=[AnyHttpUrl(base)],
            scopes_supported=[READ],
            resource_name=NAME,
        )

    def routes(self) -> list[BaseRoute]:
        return [Route(MCP_PATH, self.endpoint), *self.discovery]

    @contextlib.asynccontextmanager
    async def running(self, reads: Reads) -> AsyncIterator[None]:
        """Serve calls with this database while the server runs (the SDK's session manager only
        answers inside its `run()`; a mounted app's own lifespan never runs)."""
        self.questions.attach(reads)
        self.verifier.attach(reads)
        async with self.server.session_manager.run():
            yield


def public_url(settings: Settings) -> str:
    """Where people and assistants reach the server: METRICS_PUBLIC_URL, else its listen address."""
    if settings.public_url is not None:
        return settings.public_url
    host = "127.0.0.1" if settings.host in _WILDCARDS else _bracketed(settings.host)
    return f"http://{host}:{settings.port}"


def transport_security(settings: Settings) -> TransportSecuritySettings:
    """The Host (and, from browsers, Origin) values /mcp answers: loopback names, the public URL's
    host, the address the server listens on, and METRICS_MCP_ALLOWED_HOSTS, each on any port
    unless a port is named; "*" turns the check off (for a proxy that sets Host itself)."""
    if "*" in settings.mcp_allowed_hosts:
        return TransportSecuritySettings(enable_dns_rebinding_protection=False)
    listened = [] if settings.host in _WILDCARDS else [_bracketed(settings.host)]
    public = urlsplit(public_url(settings)).netloc.rpartition("@")[2]
    names: list[str] = []
    for host in (*_LOOPBACK, public, *listened, *settings.mcp_allowed_hosts):
        names += [host] if _has_port(host) else [host, f"{host}:*"]
    allowed = list(dict.fromkeys(names))
    origins = [f"{scheme}://{host}" for host in allowed for scheme in ("http", "https")]
    return TransportSecuritySettings(allowed_hosts=allowed, allowed_origins=origins)


def _has_port(host: str) -> bool:
    return "]:" in host if host.startswith("[") else ":" in host


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host
