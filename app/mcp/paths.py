"""Where the MCP endpoint is mounted in the server, and its RFC 9728 discovery document."""

from __future__ import annotations

MCP_PATH = "/mcp"
# RFC 9728 §3.1: the metadata of a resource at /mcp lives at this path on the same host.
DISCOVERY_PATH = "/.well-known/oauth-protected-resource/mcp"
MCP_PATHS = (MCP_PATH, DISCOVERY_PATH)
