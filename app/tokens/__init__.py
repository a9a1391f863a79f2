"""Read-only tokens scoped to API keys: stored as digests (store), managed from a shell (commands).

The REST API checks them in app/api/bearer.py, the assistants' tools in app/mcp/access.py; what a
token may read is a `Reach` (app/api/params/scope.py), applied where every question's videos are
parsed, so that both faces refuse and narrow alike.
"""

from app.tokens.store import (
    PREFIX,
    TOKEN_PATTERN,
    ReadToken,
    TokenRow,
    UnknownKeys,
    create_token,
    list_tokens,
    revoke_token,
    verify,
)

__all__ = [
    "PREFIX",
    "TOKEN_PATTERN",
    "ReadToken",
    "TokenRow",
    "UnknownKeys",
    "create_token",
    "list_tokens",
    "revoke_token",
    "verify",
]
