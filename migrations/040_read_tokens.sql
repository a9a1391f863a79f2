-- Read-only tokens (app/tokens.py): each reads the stored sessions of one or more keys, through
-- the REST API's read endpoints and the assistants' tools (MCP). Only a SHA-256 digest of the
-- token is kept: the token itself is shown once, at creation. A revoked token is refused at once,
-- since every request looks its digest up here.
CREATE TABLE read_tokens (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    digest     bytea       NOT NULL UNIQUE CHECK (length(digest) = 32),
    name       text        NOT NULL DEFAULT '' CHECK (length(name) <= 200),
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);

-- The keys a token reads (at least one: a token without keys would read nothing).
CREATE TABLE read_token_keys (
    token_id bigint NOT NULL REFERENCES read_tokens (id) ON DELETE CASCADE,
    key_id   bigint NOT NULL REFERENCES keys (id),
    PRIMARY KEY (token_id, key_id)
);
